"""Core benchmark: the exact solver against the generic trial-Gram route.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import sympy as sp

from ..bench import benchmark, timed
from ...solve.exact import solve_exact
from ...kernels.trial import AlphaKernel
from ...task import Task


def _identical(P, Q) -> bool:
    return all(sp.cancel(P[k] - Q[k]) == 0 for k in P)


@benchmark("exact_n9_exception")
def exact_n9_exception() -> dict:
    """All 72 margins of n = 9, exception {4, 6}, symbolic alpha and rho:
    the default exact route against DomainMatrix over QQ(alpha, rho) on the
    full 18 x 18 trial Gram system."""
    a, r = sp.symbols("alpha rho", positive=True)
    task = Task(9, exceptions=[(4, 6)])
    fast, t_fast = timed(solve_exact, task, AlphaKernel(a), r)
    base, t_base = timed(solve_exact, task, AlphaKernel(a), r, method="generic")
    return {"seconds": t_fast, "baseline": "generic DomainMatrix QQ(alpha,rho) 18x18 trial Gram", "baseline_seconds": t_base,
            "agree": _identical(fast, base), "method": fast.method}
