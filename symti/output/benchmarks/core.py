r"""Exact benchmarks: symbolic :math:`\alpha` and :math:`\rho`.

* ``exact_n9_exception``: every margin of the built-in task as a SymPy expression,
  the default rank route against DomainMatrix over :math:`\mathbb{Q}(\alpha, \rho)`
  on the full trial Gram system (``method="generic"``), which a user of a generic
  CAS would otherwise run; agreement: the two routes' expressions are identical
  (``cancel`` of the differences).
* ``exact_n100``: all margins of n = 100 with the exception {49, 51} as exact data
  -- the lazy :func:`~symti.solve.exact.solve_exact` plus
  :func:`~symti.solve.exact.rank_differences_mu` (every rank difference as a
  reduced fraction of python-flint polynomials in
  :math:`\mu = 2(\alpha+\rho)/(1-\alpha)`, derivations/theory.md §3), without
  building SymPy expressions -- against the eager SymPy route (every margin's
  expression built, as ``solve_exact`` returned them before it became lazy) at
  n = :data:`EAGER_N` = 31, about 10 s.  The sizes differ, so the ratio is a
  lower bound of the speed-up at equal n.  Agreement: both results,
  at the rational point :math:`\alpha = 1/7, \rho = 1/100` (every untrained pair of
  the fast result, 100 pairs of the baseline), against the float64
  closed form :func:`~symti.closed_form.evaluate.margin_matrix` (an independent
  route) to :math:`10^{-9}`.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from ..bench import Case, benchmark
from ...closed_form.evaluate import margin_matrix
from ...kernels.trial import AlphaKernel
from ...solve.exact import rank_differences_mu, solve_exact
from ...task import Task

#: n of the eager baseline of ``exact_n100``: building every margin's SymPy expression
#: (symbolic alpha and rho, the centred exception {(n-1)//2, (n-1)//2 + 2}) took, measured by
#: hand on the 2-core development machine under load (``solve_exact`` forced pair by pair):
#: n = 25: 4.5 s, 29: 7.8 s, 31: 9.1 s, 35: 16 s; even n, whose exception sits off-centre, are
#: much slower and jump (n = 20: 7-16 s, 30: 47 s), so the baseline uses odd n.  n = 31 keeps
#: three repeats of both sides within a minute.
EAGER_N = 31

#: The rational point of the agreement checks.
POINT = (Fraction(1, 7), Fraction(1, 100))


def _middle_task(n: int) -> Task:
    u = (n - 1) // 2
    return Task(n, exceptions=[(u, u + 2)])


def _symbols():
    return sp.symbols("alpha rho", positive=True)


def _all_expressions(task: Task) -> dict:
    """Every margin's SymPy expression (forces a lazy ``Predictions`` pair by pair)."""
    a, r = _symbols()
    P = solve_exact(task, AlphaKernel(a), r)
    return {k: P[k] for k in P}


def _max_rel_err(exact: dict, task: Task) -> float:
    """Largest error of exact margins ``{(i, j): Fraction}`` against the float closed form
    at :data:`POINT`, relative to ``max(1, |margin|)``."""
    M = margin_matrix(task, float(POINT[0]), float(POINT[1]))
    return max(abs(float(v) - M[i - 1, j - 1]) / max(1.0, abs(float(v))) for (i, j), v in exact.items())


def _expressions_at_point(exprs: dict, sample: int | None = None) -> dict:
    """The expressions at :data:`POINT`, exactly (``sample``: that many pairs, fixed seed)."""
    a, r = _symbols()
    sub = {a: sp.Rational(POINT[0].numerator, POINT[0].denominator), r: sp.Rational(POINT[1].numerator, POINT[1].denominator)}
    keys = sorted(exprs)
    if sample is not None and sample < len(keys):
        keys = [keys[k] for k in np.random.default_rng(0).choice(len(keys), sample, replace=False)]
    return {k: Fraction(int(q.p), int(q.q)) for k, q in ((k, sp.Rational(exprs[k].xreplace(sub))) for k in keys)}


def _mu_data_at_point(data: dict, task: Task) -> dict:
    """Untrained pairs' margins from the fractions in mu, exactly (python-flint)."""
    import flint

    a, r = POINT
    mu = 2 * (a + r) / (1 - a)
    q = flint.fmpq(mu.numerator, mu.denominator)
    out = {}
    for (i, j), (N, D) in data.items():
        if task.trained_pair(i, j) is None:
            v = N(q) / D(q)
            out[(i, j)] = Fraction(int(v.p), int(v.q))
    return out


@benchmark("exact_n9_exception")
def exact_n9_exception(quick: bool = False) -> Case:
    a, r = _symbols()
    task = Task(5, exceptions=[(2, 4)]) if quick else Task(9, exceptions=[(4, 6)])
    n = task.n

    def agree(fast, base):
        diff = [k for k in fast if sp.cancel(fast[k] - base[k]) != 0]
        return not diff, {"n": n, "pairs": len(fast), "differing_pairs": len(diff)}

    return Case(
        fast=lambda: _all_expressions(task),
        fast_what=f"all {n * (n - 1)} margins of n = {n}, exception {list(task.exceptions[0])}, symbolic alpha, rho: "
                  "solve_exact (rank reduction), every SymPy expression built",
        baseline=lambda: {k: v for k, v in solve_exact(task, AlphaKernel(a), r, method="generic").items()},
        baseline_what=f"solve_exact(method='generic'): DomainMatrix over QQ(alpha, rho) on the "
                      f"{2 * (n - 1) + 2}x{2 * (n - 1) + 2} trial Gram system",
        agree=agree, repeat=5 if not quick else 2,
    )


@benchmark("exact_n100")
def exact_n100(quick: bool = False) -> Case:
    a, r = _symbols()
    n, n_base = (12, 6) if quick else (100, EAGER_N)
    task = Task(n, exceptions=[(n // 2 - 1, n // 2 + 1)])  # {49, 51} at n = 100
    base_task = _middle_task(n_base)

    def fast():
        P = solve_exact(task, AlphaKernel(a), r)  # lazy: no expression built
        return P, rank_differences_mu(task)

    def agree(fast_out, base):
        P, data = fast_out
        e_fast = _max_rel_err(_mu_data_at_point(data, task), task)
        e_base = _max_rel_err(_expressions_at_point(base, sample=100), base_task)
        ok = len(P) == n * (n - 1) and len(data) == n * (n - 1) // 2 and max(e_fast, e_base) <= 1e-9
        return bool(ok), {"n": n, "baseline_n": n_base, "pairs": len(P), "max_rel_err_fast": e_fast,
                    "max_rel_err_baseline": e_base, "check": "exact margins at alpha = 1/7, rho = 1/100 "
                                                         "vs float64 margin_matrix"}

    return Case(
        fast=fast,
        fast_what=f"all {n * (n - 1)} margins of n = {n}, exception {list(task.exceptions[0])}, symbolic alpha, rho, "
                  "as exact data: lazy solve_exact + rank_differences_mu (python-flint fractions in mu)",
        baseline=lambda: _all_expressions(base_task),
        baseline_what=f"the eager SymPy route at n = {n_base} (every margin's expression built)"
                      + ("" if quick else "; n = 35 takes twice as long, even n much longer"),
        agree=agree, repeat=3 if not quick else 2, warmup=False,
    )
