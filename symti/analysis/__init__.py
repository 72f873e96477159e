"""Generalization analysis of KRR on transitive inference with exceptions.

Submodules (imported on demand, nothing heavy here):

* :mod:`symti.analysis.accuracy` -- which pairs are right or wrong at given parameters;
* :mod:`symti.analysis.thresholds` -- the exact conjunctivities at which test pairs go wrong;
* :mod:`symti.analysis.region` -- the exact set of parameters where the task is solved;
* :mod:`symti.analysis.geometry` -- representations beyond K_alpha: reductions, item geometry, thresholds in a kernel parameter;
* :mod:`symti.analysis.verify` -- claims about margins answered proved / disproved / undecided;
* :mod:`symti.analysis.scaling` -- how the critical conjunctivity scales with n, span and position;
* :mod:`symti.analysis.limits` -- series and limits as rho -> 0+, alpha -> 0+, alpha -> 1-, n -> oo;
* :mod:`symti.analysis.signatures` -- symbolic distance and terminal item effects;
* :mod:`symti.analysis.identities` -- exponential-polynomial identities decided proved / disproved / undecided;
* :mod:`symti.analysis.llm` -- the theory beside language models' behaviour;
* :mod:`symti.analysis.fit` -- conjunctivity and ridge scale fitted to behaviour.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
