r"""How the critical conjunctivity scales with n and with the exception's span and position.

The critical conjunctivity :math:`\alpha_c` of a task is the smallest
:math:`\alpha` at which some untrained pair with ground truth is wrong
(:mod:`symti.analysis.thresholds`).  Two routes compute it:

``method="exact"``
    exact algebraic number (:class:`~symti.analysis.thresholds.AlgebraicNumber`)
    from real-root isolation of the exact margins; costs grow with n (about
    4 s at n = 20 on one core);
``method="numeric"``
    float64 from the rank system of derivations/theory.md §3,

    .. math::
       (L + \mu I)\, r = \sum_e \gamma_e y_e (e_i - e_j), \qquad
       \mu = \frac{2(\alpha + \rho)}{1 - \alpha},

    where untrained margins are :math:`r_i - r_j`: a scan over a grid in
    :math:`\alpha` (geometric near 0, where thresholds of large tasks live)
    followed by bisection to ``xtol``.  A wrong window narrower than the grid
    spacing could be missed; the tests compare it with the exact route.

Asymptotics (ridgeless, one exception of span s)
------------------------------------------------
*Local law.*  Near the exception, as :math:`\mu \to 0` the rank system is
Kirchhoff's law on the chain plus the edge :math:`(v, u)`.  If the
far-field rank slope is :math:`\sigma` (margin per premise step), the
residual current :math:`c = 1 - \sigma` flowing down the chain splits
around the cycle: each premise inside the cycle gets the rank difference
:math:`-c/(s+1)` and :math:`r_v - r_u = c\,s/(s+1)`, so the boundary pair
:math:`(u-1, v)` has margin :math:`\sigma - (1-\sigma)s/(s+1)`, which
changes sign at

.. math::
   \sigma_c = \frac{s}{2s+1}

(derivations/05_thresholds.py solves the local system with SymPy).
*Slope.*  The TI ranks (derivations/theory.md §3) have the exact step
:math:`r_i - r_{i+1} = \cosh((n/2 - i)\lambda)/\cosh(n\lambda/2)`,
:math:`\cosh\lambda = 1/(1-\alpha)`, so with :math:`x = n\lambda` and
the exception at relative position :math:`t` the threshold solves
:math:`\cosh((\tfrac12 - t)x)/\cosh(x/2) = s/(2s+1)` and
:math:`\alpha_c \approx x^2/(2n^2)`.  In the middle (:math:`t = 1/2`):

.. math::
   \alpha_c \sim \frac{2\,\operatorname{arcosh}^2\!\left(\frac{2s+1}{s}\right)}{n^2},
   \qquad n \to \infty

(:func:`critical_alpha_asymptotic`; e.g. :math:`4.9097/n^2` for span 2).
This is a leading-order matching argument, not a proof: it is checked
against the numeric route up to n = 10001 (relative error :math:`O(1/n)`,
see tests/test_thresholds.py).  It needs :math:`0 < t < 1` fixed; with the
exception at a *fixed distance* from an end, :math:`\alpha_c` instead
converges to a positive constant (tabulated by
:func:`critical_alpha_table`, no formula derived).  For large n a longer
exception in the middle fails *earlier* (:math:`\sigma_c = s/(2s+1)`
increases with s, so a smaller :math:`x` suffices); tasks whose exception
leaves no boundary pair on one side behave differently, and some (e.g. an
exception spanning the whole order) never fail.  :func:`fit_power_law`
gives plain numeric fits :math:`\alpha_c \approx C n^{-p}` of tables.

>>> from symti import Task
>>> round(critical_alpha(Task(9, exceptions=[(4, 6)]), method="numeric"), 8)
0.13148291

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts" (the scaling law
   is marked numerical there).
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.linalg import solve_banded

from .._validate import as_expr, check_n, check_ridge
from ..params import gamma_weight, mu_parameter
from ..solve.rank import rank_system_banded
from ..task import Task

__all__ = [
    "rank_margins_numeric",
    "critical_alpha",
    "critical_alpha_table",
    "placed_task",
    "fit_power_law",
    "critical_slope",
    "critical_alpha_asymptotic",
]


def _test_pairs(task: Task):
    idx = [(i, j, task.ground_truth(i, j)) for i, j in task.test_pairs()]
    I = np.array([i - 1 for i, _, _ in idx], dtype=int)
    J = np.array([j - 1 for _, j, _ in idx], dtype=int)
    G = np.array([g for _, _, g in idx], dtype=float)
    return idx, I, J, G


def rank_margins_numeric(task: Task, alpha: float, ridge: float = 0.0) -> np.ndarray:
    r"""Float rank vector :math:`r` of derivations/theory.md §3 for :math:`0 < \alpha < 1`.

    Untrained margins are :math:`f(i, j) = r_i - r_j`.

    >>> r = rank_margins_numeric(Task(3), 0.5)
    >>> print(round(r[0] - r[2], 12))   # PNAS: 2(1 - alpha)/(1 + alpha) at rho = 0
    0.666666666667
    """
    a, rho = float(alpha), float(ridge)
    if not 0 < a < 1:
        raise ValueError(f"alpha: must lie in (0, 1) for the rank system, got {alpha}")
    if rho < 0:
        raise ValueError(f"ridge: must be >= 0, got {ridge}")
    gammas = None if rho == 0 else (lambda e: gamma_weight(a, rho, float(e.weight)))
    ab, b, k = rank_system_banded(task, mu_parameter(a, rho), gammas)
    return solve_banded((k, k), ab, b)


def _any_wrong(task, pairs, alpha, ridge) -> bool:
    _, I, J, G = pairs
    r = rank_margins_numeric(task, alpha, ridge)
    return bool(np.any(G * (r[I] - r[J]) < 0))


def _critical_numeric(task: Task, ridge: float, xtol: float, grid: int) -> float | None:
    pairs = _test_pairs(task)
    if not pairs[0]:
        return None
    lo_exp = -8
    xs = np.unique(np.concatenate([np.logspace(lo_exp, -1, grid), np.linspace(0.1, 1 - 1e-9, grid)]))
    prev = None
    for x in xs:
        if _any_wrong(task, pairs, float(x), ridge):
            if prev is None:  # wrong from the very bottom of the grid
                return float(x)
            lo, hi = prev, float(x)
            while hi - lo > xtol * max(hi, 1e-300):
                mid = 0.5 * (lo + hi)
                if _any_wrong(task, pairs, mid, ridge):
                    hi = mid
                else:
                    lo = mid
            return 0.5 * (lo + hi)
        prev = float(x)
    return None


def critical_alpha(task: Task, ridge=0, method: str = "exact", xtol: float = 1e-12, grid: int = 80):
    r"""The critical conjunctivity :math:`\alpha_c` of ``task`` (``None`` if no pair ever fails).

    ``method="exact"`` returns an :class:`~symti.analysis.thresholds.AlgebraicNumber`;
    ``method="numeric"`` a float (relative tolerance ``xtol``).
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if method == "exact":
        from .thresholds import thresholds

        return thresholds(task, ridge).critical_alpha
    if method == "numeric":
        r = float(check_ridge(ridge))
        return _critical_numeric(task, r, xtol, grid)
    raise ValueError(f"method: must be 'exact' or 'numeric', got {method!r}")


def placed_task(n: int, span: int = 2, position="middle") -> Task:
    r"""A task with one exception :math:`\{u, u + \text{span}\}`.

    ``position`` is the top item ``u`` (an int), ``"middle"`` (centred:
    :math:`u = \lfloor (n - \text{span}) / 2 \rfloor + 1`) or ``"top"``
    (:math:`u = 2`, one item above the cycle).

    >>> placed_task(9), placed_task(11, 4), placed_task(10, 2, "top")
    (Task(9, exceptions=[(4, 6)]), Task(11, exceptions=[(4, 8)]), Task(10, exceptions=[(2, 4)]))
    """
    n = check_n(n)
    if isinstance(span, bool) or not isinstance(span, int) or not 2 <= span <= n - 1:
        raise ValueError(f"span: must be an integer in [2, {n - 1}], got {span!r}")
    if position == "middle":
        u = (n - span) // 2 + 1
    elif position == "top":
        u = 2 if span + 2 <= n else 1
    elif isinstance(position, int) and not isinstance(position, bool):
        u = position
    else:
        raise ValueError(f"position: must be 'middle', 'top' or an item number, got {position!r}")
    if not 1 <= u <= n - span:
        raise ValueError(f"position: the exception {{{u}, {u + span}}} must lie in 1..{n}")
    return Task(n, exceptions=[(u, u + span)])


def critical_alpha_table(ns, spans=(2,), positions=("middle",), ridge=0, method: str = "exact",
                         digits: int = 12) -> list[dict]:
    r"""Rows ``{n, u, v, span, critical_alpha, first_pairs}`` over the grid of
    ``ns`` x ``spans`` x ``positions`` (combinations that do not fit are skipped).

    ``critical_alpha`` is a decimal string (``digits`` significant digits) or
    ``None``; ``first_pairs`` lists the pairs that fail first (exact method only).

    >>> [(r["n"], r["u"], r["critical_alpha"]) for r in critical_alpha_table([7, 9], digits=6)]
    [(7, 3, '0.283485'), (9, 4, '0.131483')]
    """
    from .thresholds import thresholds

    rows = []
    for n in ns:
        for s in spans:
            for pos in positions:
                try:
                    task = placed_task(n, s, pos)
                except ValueError:
                    continue
                (u, v), = task.exceptions
                row = {"n": n, "u": u, "v": v, "span": s}
                if method == "exact":
                    T = thresholds(task, ridge)
                    c = T.critical_alpha
                    row["critical_alpha"] = None if c is None else c.decimal(digits)
                    row["first_pairs"] = [(p.i, p.j) for p in T.first_pairs]
                    row["polynomial"] = None if c is None else str(c.poly.as_expr())
                else:
                    c = critical_alpha(task, ridge, method="numeric")
                    row["critical_alpha"] = None if c is None else f"{c:.{digits}g}"
                rows.append(row)
    return rows


def fit_power_law(ns, values) -> tuple[float, float]:
    r"""Least-squares fit of :math:`\log v = \log C - p \log n`; returns ``(C, p)``.

    >>> C, p = fit_power_law([10, 20, 40], [3 / 100, 3 / 400, 3 / 1600])
    >>> round(C, 9), round(p, 9)
    (3.0, 2.0)
    """
    x = np.log(np.asarray(ns, dtype=float))
    y = np.log(np.asarray([float(v) for v in values], dtype=float))
    if len(x) < 2 or not np.all(np.isfinite(y)):
        raise ValueError("values: need at least two positive values to fit")
    slope, icept = np.polyfit(x, y, 1)
    return float(math.exp(icept)), float(-slope)


def critical_slope(span):
    r"""The local slope :math:`\sigma_c = s/(2s+1)` below which the boundary
    pair :math:`(u-1, v)` of an exception of span :math:`s` goes wrong (small :math:`\mu`).

    >>> critical_slope(2)
    2/5
    """
    s = as_expr(span, "span")
    return s / (2 * s + 1)


def critical_alpha_asymptotic(n, span=2, position="middle"):
    r"""Leading-order :math:`\alpha_c \approx x^2/(2 n^2)` for large n (ridgeless).

    ``position="middle"`` returns the exact SymPy expression
    :math:`2\operatorname{arcosh}^2((2s+1)/s)/n^2` (``n`` may be a symbol);
    a number ``t`` in (0, 1) (the exception's centre as a fraction of n)
    solves :math:`\cosh((\tfrac12 - t)x)/\cosh(x/2) = s/(2s+1)` with mpmath
    and returns a float.

    >>> N = sp.Symbol("n", positive=True)
    >>> critical_alpha_asymptotic(N, 2)
    2*acosh(5/2)**2/n**2
    >>> round(float(critical_alpha_asymptotic(N, 2) * N**2), 5)
    4.90972
    """
    s = sp.Integer(span)
    if s < 2:
        raise ValueError(f"span: must be an integer >= 2, got {span!r}")
    if position == "middle":
        return 2 * sp.acosh((2 * s + 1) / s) ** 2 / as_expr(n, "n") ** 2
    import mpmath

    t = float(position)
    if not 0 < t < 1:
        raise ValueError(f"position: must be 'middle' or a fraction in (0, 1), got {position!r}")
    target = mpmath.mpf(int(s)) / (2 * int(s) + 1)
    a = abs(0.5 - t)
    f = lambda x: mpmath.log(mpmath.cosh(a * x)) - mpmath.log(mpmath.cosh(x / 2)) - mpmath.log(target)  # noqa: E731
    lo, hi = mpmath.mpf(0), mpmath.mpf(1)
    while f(hi) > 0:
        hi *= 2
    x = mpmath.findroot(f, (lo, hi), solver="anderson")
    return float(x**2 / (2 * float(n) ** 2))
