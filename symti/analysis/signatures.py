r"""Behavioural signatures: the symbolic distance effect and the terminal item effect.

**TI (no exception).**  With :math:`\cosh\lambda = (1+\rho)/(1-\alpha)` the
untrained margins factorise (:func:`ti_margin_factorized`):

.. math::
   f(i, j) = r_i - r_j = \underbrace{\frac{\sinh(d\lambda/2)}{\sinh(\lambda/2)}}_{D_\lambda(d)}
   \cdot \underbrace{\frac{\cosh(c\lambda)}{\cosh(n\lambda/2)}}_{P_\lambda(c)},
   \qquad d = j - i, \quad c = \frac{n + 1 - i - j}{2},

a *distance factor* of the symbolic distance :math:`d` and a *position
factor* of the offset :math:`c` of the pair's midpoint from the middle of
the list.  For every :math:`n`, :math:`0 < \alpha < 1` and :math:`\rho \ge 0`
(so :math:`\lambda > 0`):

* :math:`D_\lambda(d) = \sum_{k=0}^{d-1} e^{(d-1-2k)\lambda/2}` is a sum of
  :math:`d` positive terms, strictly increasing in :math:`d` with
  :math:`D_\lambda(d) \ge d` -- the **symbolic distance effect**; also
  :math:`r_i` is strictly decreasing in :math:`i`, so :math:`f(i, j)`
  increases with :math:`j` for fixed :math:`i` and decreases with :math:`i`
  for fixed :math:`j`;
* :math:`P_\lambda(c)` is even and strictly convex in :math:`c`, minimal at
  :math:`c = 0`: at fixed distance the margin is U-shaped in position,
  largest for pairs containing a terminal item -- the **terminal item
  effect** (serial position effect).

``derivations/07_signatures.py`` proves these steps with SymPy.  At
:math:`\alpha = 0` (ridgeless, :math:`\lambda = 0`) the margin is exactly
:math:`d`: a pure distance effect without terminal effect.

**With exceptions** there is no such factorisation; :func:`distance_effect`
and :func:`terminal_effect` compute the curves exactly for a task and
parameters (exact rationals from :func:`symti.solve.exact.solve_exact`, so every
comparison is exact) and report where the effects survive and where they
reverse (:func:`signature_report`).  Margins are *signed* by the ground
truth (positive = correct); cycle pairs (no ground truth) are left out.

>>> from symti import Task
>>> de = distance_effect(Task(7), "1/3")
>>> de.monotone, [str(v) for v in de.curve.values()][:2]
(True, ['22/65', '6/13'])
>>> te = terminal_effect(Task(7), "1/3")
>>> te.u_shaped
True

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..kernels.trial import AlphaKernel
from ..task import Task
from .._validate import check_alpha, check_ridge

__all__ = [
    "distance_factor",
    "position_factor",
    "ti_margin_factorized",
    "signed_margins",
    "DistanceEffect",
    "TerminalEffect",
    "distance_effect",
    "terminal_effect",
    "signature_report",
]


# ------------------------------------------------------------ TI closed form
def distance_factor(d, lam) -> sp.Expr:
    r""":math:`D_\lambda(d) = \sinh(d\lambda/2)/\sinh(\lambda/2)` (:math:`\to d` as :math:`\lambda \to 0`).

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> sp.limit(distance_factor(3, lam), lam, 0)
    3
    """
    return sp.sinh(d * lam / 2) / sp.sinh(lam / 2)


def position_factor(n, c, lam) -> sp.Expr:
    r""":math:`P_\lambda(c) = \cosh(c\lambda)/\cosh(n\lambda/2)`, :math:`c = (n+1-i-j)/2`.

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> position_factor(5, 0, lam)
    1/cosh(5*lambda/2)
    """
    return sp.cosh(c * lam) / sp.cosh(n * lam / 2)


def ti_margin_factorized(n, i, j, lam) -> sp.Expr:
    r"""TI margin :math:`f(i,j) = D_\lambda(j-i)\, P_\lambda(\tfrac{n+1-i-j}{2})` (untrained pairs).

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> ti_margin_factorized(4, 1, 3, lam)
    sinh(lambda)*cosh(lambda/2)/(sinh(lambda/2)*cosh(2*lambda))
    """
    return distance_factor(j - i, lam) * position_factor(n, sp.Rational(1, 2) * (n + 1 - i - j), lam)


# ------------------------------------------------------- per-task analysis
def signed_margins(task: Task, alpha, ridge=0) -> dict:
    r"""Exact margins signed by the ground truth: ``{(i, j): g(i,j) f(i,j)}``
    for ``i < j`` and every pair with ground truth (cycle pairs omitted).
    Positive means correct.

    >>> signed_margins(Task(4, exceptions=[(1, 3)]), "1/2")[(1, 3)]
    1
    """
    from ..solve.exact import solve_exact

    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    alpha, ridge = check_alpha(alpha), check_ridge(ridge)
    for name, x in (("alpha", alpha), ("ridge", ridge)):
        if not x.is_number:
            raise TypeError(f"{name}: signatures need a number, got the expression {x}")
    P = solve_exact(task, AlphaKernel(alpha), ridge)
    out = {}
    for i in range(1, task.n + 1):
        for j in range(i + 1, task.n + 1):
            g = task.ground_truth(i, j)
            if g is not None:
                out[(i, j)] = sp.nsimplify(g * P[i, j]) if not P[i, j].is_Rational else g * P[i, j]
    return out


@dataclass
class DistanceEffect:
    r"""The symbolic distance effect of a task at given parameters.

    ``curve``: ``{d: mean signed margin of the untrained pairs at distance d}``
    (exact); ``pairs``: ``{d: {(i, j): signed margin}}``; ``monotone``: the
    curve is strictly increasing in ``d``; ``violations``: ``(shorter,
    longer)`` pairs of pairs sharing an item, the longer one a step further
    along its row (same first item) or column (same second item), whose
    signed margin is *not* larger, i.e. :math:`g f(\text{longer}) \le
    g f(\text{shorter})`; ``holds_pairwise``: no violations.
    """

    task: Task
    alpha: sp.Expr
    ridge: sp.Expr
    curve: dict = field(default_factory=dict)
    pairs: dict = field(default_factory=dict)
    monotone: bool = True
    violations: list = field(default_factory=list)

    @property
    def holds_pairwise(self) -> bool:
        return not self.violations


def _is_test(task: Task, i: int, j: int) -> bool:
    return not task.is_trained(i, j) and task.category(i, j) != "cycle"


def distance_effect(task: Task, alpha, ridge=0, signed: dict | None = None) -> DistanceEffect:
    r"""The distance effect curve and its pairwise violations (exact).

    Only untrained pairs with ground truth enter (distance :math:`\ge 2`);
    comparisons along a row or column skip trained and cycle pairs.  For
    TI the effect holds for every :math:`0 < \alpha < 1` (module docstring);
    an exception produces violations next to its cycle.

    >>> de = distance_effect(Task(9, exceptions=[(4, 6)]), "1/2")
    >>> de.monotone, de.violations[:3]
    (False, [((1, 4), (1, 5)), ((1, 5), (1, 6)), ((2, 4), (2, 5))])
    """
    S = signed if signed is not None else signed_margins(task, alpha, ridge)
    res = DistanceEffect(task, check_alpha(alpha), check_ridge(ridge))
    n = task.n
    for (i, j), m in S.items():
        if _is_test(task, i, j):
            res.pairs.setdefault(j - i, {})[(i, j)] = m
    res.pairs = dict(sorted(res.pairs.items()))
    res.curve = {d: sp.Add(*ps.values()) / len(ps) for d, ps in res.pairs.items()}
    vals = list(res.curve.values())
    res.monotone = all(b > a for a, b in zip(vals, vals[1:]))
    for i in range(1, n + 1):  # same winner i, growing loser j
        row = [j for j in range(i + 2, n + 1) if (i, j) in S and _is_test(task, i, j)]
        for j, j2 in zip(row, row[1:]):
            if not S[(i, j2)] > S[(i, j)]:
                res.violations.append(((i, j), (i, j2)))
    for j in range(1, n + 1):  # same loser j, shrinking winner i
        col = [i for i in range(j - 2, 0, -1) if (i, j) in S and _is_test(task, i, j)]
        for i2, i in zip(col, col[1:]):
            if not S[(i, j)] > S[(i2, j)]:
                res.violations.append(((i2, j), (i, j)))
    res.violations.sort()
    return res


@dataclass
class TerminalEffect:
    r"""The terminal item effect of a task at given parameters.

    ``profiles``: ``{d: [(i, signed margin of (i, i+d)) ...]}`` over the
    untrained pairs with ground truth at distance ``d``; ``shape``: ``{d:
    "U" | "flat" | "other" | "short"}`` (``"U"``: strictly decreasing then
    strictly increasing with an interior minimum, attained at one point or at
    two adjacent points -- an even number of positions has two middle pairs;
    ``"short"``: fewer than three points); ``end_advantage``: ``{d:
    min(first, last) - min(profile)}`` (positive: both ends beat the
    weakest pair); ``u_shaped``: every profile with at least three points
    is U-shaped.
    """

    task: Task
    alpha: sp.Expr
    ridge: sp.Expr
    profiles: dict = field(default_factory=dict)
    shape: dict = field(default_factory=dict)
    end_advantage: dict = field(default_factory=dict)
    u_shaped: bool = True


def _shape(vals: list) -> str:
    if len(vals) < 3:
        return "short"
    if all(v == vals[0] for v in vals):
        return "flat"
    k = min(range(len(vals)), key=lambda a: vals[a])
    dec = all(vals[a + 1] < vals[a] for a in range(k))
    k2 = k + 1 if k + 1 < len(vals) and vals[k + 1] == vals[k] else k  # a two-point flat bottom
    inc = all(vals[a + 1] > vals[a] for a in range(k2, len(vals) - 1))
    return "U" if dec and inc and 0 < k and k2 < len(vals) - 1 else "other"


def terminal_effect(task: Task, alpha, ridge=0, signed: dict | None = None) -> TerminalEffect:
    r"""Margins at fixed distance as a function of position, and whether they are U-shaped.

    A profile runs over the positions ``i`` with a test pair ``(i, i+d)``
    (trained and cycle pairs are skipped).  The exception below pulls the
    middle of the distance-2 profile down (it turns negative at larger
    :math:`\alpha`) but the terminal pairs stay the best; at distance 4 the
    profile loses its U shape once :math:`\alpha` is large.

    >>> te = terminal_effect(Task(9, exceptions=[(4, 6)]), "1/10")
    >>> te.shape[2], te.shape[4]
    ('U', 'U')
    >>> terminal_effect(Task(9, exceptions=[(4, 6)]), "1/2").shape[4]
    'other'
    """
    S = signed if signed is not None else signed_margins(task, alpha, ridge)
    res = TerminalEffect(task, check_alpha(alpha), check_ridge(ridge))
    n = task.n
    for d in range(2, n):
        prof = [(i, S[(i, i + d)]) for i in range(1, n - d + 1) if (i, i + d) in S and _is_test(task, i, i + d)]
        if not prof:
            continue
        res.profiles[d] = prof
        res.shape[d] = _shape([m for _, m in prof])
        vals = [m for _, m in prof]
        res.end_advantage[d] = min(vals[0], vals[-1]) - min(vals)
    res.u_shaped = all(s in ("U", "short") for s in res.shape.values())
    return res


def signature_report(task: Task, alpha, ridge=0) -> dict:
    r"""What an exception does to the signatures: both effects, and the change
    of every test pair relative to plain TI of the same length.

    Returns ``{"distance": DistanceEffect, "terminal": TerminalEffect,
    "ti_distance": ..., "ti_terminal": ..., "delta": {(i, j): signed margin
    minus the TI margin}, "reversed": pairs whose distance comparisons hold in
    TI but fail with the exceptions, "wrong": test pairs with a negative signed
    margin}``.

    >>> rep = signature_report(Task(9, exceptions=[(4, 6)]), "1/5")
    >>> rep["wrong"]
    [(3, 6), (4, 7)]
    >>> rep["ti_distance"].holds_pairwise, rep["distance"].holds_pairwise
    (True, False)
    """
    S = signed_margins(task, alpha, ridge)
    ti = Task(task.n)
    S0 = signed_margins(ti, alpha, ridge)
    de, te = distance_effect(task, alpha, ridge, S), terminal_effect(task, alpha, ridge, S)
    de0, te0 = distance_effect(ti, alpha, ridge, S0), terminal_effect(ti, alpha, ridge, S0)
    delta = {p: sp.nsimplify(m - S0[p]) for p, m in S.items() if _is_test(task, *p)}
    ti_viol = set(de0.violations)
    return {
        "distance": de,
        "terminal": te,
        "ti_distance": de0,
        "ti_terminal": te0,
        "delta": delta,
        "reversed": [v for v in de.violations if v not in ti_viol],
        "wrong": sorted(p for p, m in S.items() if _is_test(task, *p) and m < 0),
    }
