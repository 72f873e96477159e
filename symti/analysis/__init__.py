"""Generalization analysis of KRR on transitive inference with exceptions.

Submodules (imported on demand, nothing heavy here):

* :mod:`symti.analysis.accuracy` -- which pairs are right or wrong at given parameters;
* :mod:`symti.analysis.thresholds` -- the exact conjunctivities at which test pairs go wrong;
* :mod:`symti.analysis.scaling` -- how the critical conjunctivity scales with n, span and position.
"""
