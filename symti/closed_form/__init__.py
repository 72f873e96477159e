r"""Closed forms of :math:`K_\alpha` KRR for any number of items (the closed-form layer).

:mod:`symti.closed_form.green` holds the Green's function of the rank system
on the path, :mod:`symti.closed_form.forms` the predictions built from it
(transitive inference, one exception by Sherman--Morrison, several by
Woodbury, and the limits), :mod:`symti.closed_form.evaluate` their stable
float64 and mpmath evaluation.  The theory: ``derivations/theory.md``.

>>> import sympy as sp
>>> from symti.closed_form import exception_margin
>>> exception_margin(9, 3, 6, 4, 6, sp.Rational(1, 5)).evalf(12)    # -6/49
-0.122448979592

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from .green import green_difference, green_function, green_matrix, path_system
from .forms import (
    ti_rank,
    ti_rank_difference,
    ti_margin,
    ti_trained_margin,
    exception_q,
    exception_rank,
    exception_margin,
    woodbury_ranks,
    ridgeless_ti_margin,
    ridgeless_exception_margin,
    additive_limit_ranks,
    additive_limit_margin,
    conjunctive_limit_ranks,
    conjunctive_limit_margin,
)

__all__ = [
    "green_function", "green_difference", "green_matrix", "path_system",
    "ti_rank",
    "ti_rank_difference",
    "ti_margin",
    "ti_trained_margin",
    "exception_q",
    "exception_rank",
    "exception_margin",
    "woodbury_ranks",
    "ridgeless_ti_margin",
    "ridgeless_exception_margin",
    "additive_limit_ranks",
    "additive_limit_margin",
    "conjunctive_limit_ranks",
    "conjunctive_limit_margin",
]
