r"""Learners and their solutions (the solve layer).

Kernel ridge regression on a task's trained trials, exactly
(:func:`solve_exact`: rational functions of the kernel values, the ridge and
the weights; for :math:`K_\alpha` through the ``n x n`` rank system of
:mod:`symti.solve.rank`), numerically (:mod:`symti.solve.numeric`: numpy,
scikit-learn, mpmath, explicit feature maps), and in time under gradient
flow (:mod:`symti.solve.dynamics`).  Every route returns
:class:`Predictions`.  The theory: ``derivations/theory.md``.

>>> from symti.solve import solve_exact
>>> from symti import Task, AlphaKernel
>>> solve_exact(Task(3), AlphaKernel("1/2"))[1, 3]
2/3

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from .predictions import Predictions
from .linear import SingularSystem
from .rank import margins_from_ranks, rank_system, rank_vector
from .exact import METHODS, solve_exact
from .numeric import solve_features, solve_mpmath, solve_numpy, solve_sklearn

__all__ = [
    "Predictions", "SingularSystem", "rank_system", "rank_vector", "margins_from_ranks",
    "METHODS", "solve_exact", "solve_numpy", "solve_sklearn", "solve_mpmath", "solve_features",
]
