r"""The solved region: the exact set of conjunctivities at which a task is solved.

A task is *solved* by a representation when every test pair (untrained, with
a ground truth) has the sign of its truth and every trained trial -- premises
and exceptions, in both orders -- is fit with the sign of its target; a margin
of exactly 0 is a failure (derivations/theory.md §5, "The solved region";
Cheng & Lippl 2026).

For :math:`K_\alpha` with a fixed ridge :math:`\rho \ge 0` and unit weights,
with :math:`x_i(\mu) = \det(L + \mu I)\, r_i` (:class:`symti.solve.rank.RankNumeratorsMu`,
:math:`\det > 0` for :math:`\mu > 0`, :math:`\mu = 2(\alpha+\rho)/(1-\alpha)`):

.. math::
   \text{test pair } i < j:\quad x_i(\mu) - x_j(\mu) > 0, \qquad
   \text{trained } e = (i, j):\quad \alpha \det(L + \mu I) + \rho\, y_e\,(x_i - x_j)(\mu) > 0,

the second because :math:`y_e f(e) = (\alpha + \rho\, y_e (r_i - r_j))/(\alpha + \rho)`
(:math:`f(e) = m_e y_e + (1 - m_e)(r_i - r_j)`, :math:`m_e = \alpha/(\alpha+\rho)`).
Ridgeless every trained trial is fit exactly for :math:`\alpha > 0`.  Each
condition's set is a finite union of open intervals with algebraic end points
(exact root isolation, :mod:`symti.analysis.thresholds`); the region is their
intersection, a finite union of open intervals of :math:`(0, 1)`.

>>> from symti import Task
>>> R = solved_region(Task(9, exceptions=[(4, 6)]))
>>> [(a.value, b.value) for a, b in R.intervals]
[(0, CRootOf(3*alpha**2 - 8*alpha + 1, 0))]
>>> [(a.decimal(4), b.decimal(4)) for a, b in solved_region(Task(9, exceptions=[(4, 6)]), "1/20").intervals]
[('0.006404', '0.08806')]

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3 (the rank reduction), §5 (the solved region).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .._validate import as_exact, check_ridge
from ..kernels.trial import AlphaKernel, ExchangeableKernel, TrialKernel
from ..params import alpha as ALPHA
from ..solve.rank import RankNumeratorsMu
from ..task import Task
from .thresholds import ONE, ZERO, AlgebraicNumber, MuSigns, _mu_to_alpha_poly, sign_intervals

__all__ = ["SolvedRegion", "solved_region", "phase_diagram", "is_solved", "MAX_N_REGION", "MAX_N_GENERIC"]

#: Largest n of the K_alpha route (unit weights): under a minute and 0.5 GB on 2 cores for every
#: task tried (n = 500: two exceptions with rho = 1/1000 45 s, {200, 300} 18 s); n = 1000 took
#: about 2 minutes for the exception {400, 600} and over 5 for two exceptions with a ridge.
MAX_N_REGION = 500
#: Largest n of the generic route (any kernel with one free parameter, or weighted tasks):
#: the full exact solve with a symbolic parameter.
MAX_N_GENERIC = 12


@dataclass
class SolvedRegion:
    r"""The open intervals of the parameter where ``task`` is solved.

    ``parameter`` is the symbol the intervals are in (:math:`\alpha` for
    :math:`K_\alpha`), or ``None`` for a kernel without a free parameter, whose
    answer is ``solved`` alone.  ``intervals`` are pairs of :class:`AlgebraicNumber`.
    """

    task: Task
    ridge: sp.Expr
    parameter: sp.Symbol | None
    intervals: list = field(default_factory=list)
    kernel: TrialKernel | None = None
    solved: bool | None = None
    reduced: tuple | None = None  # (alpha_eff, ridge_eff) when the kernel reduces to K_alpha

    def contains(self, value) -> bool:
        """Whether the task is solved at the rational ``value`` of the parameter."""
        q = sp.Rational(as_exact(value, "value"))
        return any(a.compare_rational(q) < 0 < b.compare_rational(q) for a, b in self.intervals)

    @property
    def empty(self) -> bool:
        return not self.intervals


# ------------------------------------------------------------- interval sets
def _intersect(R: list, G: list) -> list:
    """Intersection of two sorted lists of disjoint open intervals."""
    out, a, b = [], 0, 0
    while a < len(R) and b < len(G):
        (p, q), (r, s) = R[a], G[b]
        lo = p if r < p else r
        hi = q if q < s else s
        if lo < hi:
            out.append((lo, hi))
        if q < s:
            a += 1
        else:
            b += 1
    return out


def _good(cuts, signs, want: int = 1) -> list:
    """The open intervals between consecutive cuts where the sign is ``want``."""
    return [(cuts[k], cuts[k + 1]) for k, s in enumerate(signs) if s == want]




def _alpha_sign_structure(H, cache: dict):
    r"""``(cuts, signs)`` of the integer polynomial ``H`` (``fmpz_poly`` in :math:`\alpha`)
    on :math:`(0, 1)`: Descartes' rule on :math:`(x+1)^d H(1/(x+1))` (roots in
    :math:`(0, 1)`), then no root, one simple root (isolated without factoring) or
    factoring and certified isolation."""
    import flint

    if not H:
        return [ZERO, ONE], [0]
    c = [int(v) for v in H.coeffs()]
    while c and c[0] == 0:  # alpha = 0 is no interior root
        c = c[1:]
    H = flint.fmpz_poly(c)
    while H.degree() >= 1 and H(1) == 0:  # nor alpha = 1
        H = H // flint.fmpz_poly([-1, 1])
    d = H.degree()
    if d <= 0:
        return [ZERO, ONE], [1 if int(H.coeffs()[0]) > 0 else -1]
    P = flint.fmpz_poly(list(reversed([int(v) for v in H.coeffs()])))(flint.fmpz_poly([1, 1]))
    signs_c = [v > 0 for v in P.coeffs() if v]
    var = sum(1 for x, y in zip(signs_c, signs_c[1:]) if x != y)
    s0 = 1 if int(H.coeffs()[0]) > 0 else -1  # sign at alpha -> 0+
    if var == 0:
        return [ZERO, ONE], [s0]
    if var == 1:
        return [ZERO, AlgebraicNumber.isolated(H, 0, 1, minimal=False), ONE], [s0, -s0]
    _c, factors = H.factor()
    events = []
    for f, e in factors:
        for r in _unit_roots(f, cache):
            events.append((r, e % 2 == 1))
    events.sort(key=lambda ev: ev[0])
    cuts = [ZERO] + [r for r, _ in events] + [ONE]
    sign, signs = s0, [s0]
    for _r, odd in events:
        sign = -sign if odd else sign
        signs.append(sign)
    return cuts, signs


def _unit_roots(f, cache: dict) -> list:
    r"""Real roots in :math:`(0, 1)` of the irreducible ``fmpz_poly`` ``f`` (certified complex
    root isolation in Arb, then exact refinement)."""
    key = tuple(int(c) for c in f.coeffs())
    if key in cache:
        return cache[key]
    out = []
    if f.degree() == 1:
        c0, c1 = key
        q = sp.Rational(-c0, c1)
        if 0 < q < 1:
            out.append(AlgebraicNumber.rational(q))
    else:
        from .thresholds import _man_exp

        for z, _m in f.complex_roots():
            if z.imag != 0:
                continue
            lo, hi = (sp.Rational(*_man_exp(b)) for b in (z.real.lower(), z.real.upper()))
            if hi <= 0 or lo >= 1:
                continue
            r = AlgebraicNumber.isolated(f, lo, hi)
            while (r.lo < 0 < r.hi) or (r.lo < 1 < r.hi):
                r = r.refine((r.hi - r.lo) / 4)
            if r.lo >= 0 and r.hi <= 1:
                out.append(r)
    cache[key] = out
    return out


def _alpha_poly(f, ridge: sp.Rational, d: int):
    r""":math:`q^d (1-\alpha)^d f(\mu(\alpha))` for ``deg f <= d`` (common degree ``d``)."""
    import flint

    if not f:
        return f
    g = _mu_to_alpha_poly(f, ridge)
    k = d - f.degree()
    if k:
        g = g * flint.fmpz_poly([int(ridge.q), -int(ridge.q)]) ** k
    return g


# -------------------------------------------------------------- K_alpha route
def _region_alpha(task: Task, ridge: sp.Rational) -> list:
    S = MuSigns(task, ridge)
    R = [(ZERO, ONE)]
    # trained trials: alpha det + rho y (x_i - x_j) > 0 (always, ridgeless)
    if ridge != 0:
        det = S.R.det
        d = det.degree()
        cache: dict = {}
        import flint

        Gdet = _alpha_poly(det, ridge, d) * flint.fmpz_poly([0, int(ridge.q)])
        for e in task.trained_pairs:
            N = S.x[e.i - 1] - S.x[e.j - 1]
            H = Gdet + int(ridge.p) * e.target * _alpha_poly(N, ridge, d) if N else Gdet
            cuts, signs = _alpha_sign_structure(H, cache)
            R = _narrow(_intersect(R, _good(cuts, signs)))
            if not R:
                return R
    # test pairs: r_i > r_j for i < j (truth +1)
    pairs = task.test_pairs()
    cert, rest = S.certified_positive(pairs)
    ends = _ends(S, R)
    for (i, j), hint in sorted(rest.items()):
        truth = task.ground_truth(i, j)
        if hint[0] == 0:
            if hint[1] * truth <= 0:
                return []
            continue
        if hint[0] == 1 and _cheap_no_cut(S, i, j, ends, truth, hint[1]):
            continue
        cuts, signs, _odd = S.structure(i, j, hint)
        R = _narrow(_intersect(R, _good(cuts, signs, truth)))
        ends = _ends(S, R)
        if not R:
            return R
    return R


def _narrow(R: list) -> list:
    """End points refined to a relative width of about 2^-40 (so that the cheap test of
    :func:`_cheap_no_cut` brackets them tightly)."""
    out = []
    for a, b in R:
        a, b = (x if x.is_rational else x.refine(max(x.hi, sp.Rational(1, 2**200)) / 2**40) for x in (a, b))
        out.append((a, b))
    return out


def _ends(S: MuSigns, R: list) -> list:
    r"""For each interval of ``R``: its two rational brackets in :math:`\mu` (python-flint
    ``fmpq`` and an Arb ball of it), or ``None`` at :math:`\alpha = 0` or :math:`1`."""
    import flint

    out = []
    for a, b in R:
        pair = []
        for q in (a.lo, b.hi):
            if 0 < q < 1:
                mu = (2 * q + 2 * S.ridge) / (1 - q)
                f = flint.fmpq(int(mu.p), int(mu.q))
                pair.append((f, flint.arb(f)))
            else:
                pair.append(None)
        out.append(pair)
    return out


def _cheap_no_cut(S: MuSigns, i: int, j: int, ends: list, truth: int, lead: int) -> bool:
    r"""A margin with one simple root in :math:`(0, 1)` (sign ``-lead`` below it, ``lead``
    above) that has the sign ``truth`` at rational brackets of both ends of every interval
    of the current region has no root there, so it changes nothing.  Signs from Arb balls
    (exact evaluation only when a ball holds 0)."""
    import flint

    N = S.x[i - 1] - S.x[j - 1]
    F = None
    for pair in ends:
        for end, limit in zip(pair, (-lead, lead)):
            if end is None:
                s = limit
            else:
                if F is None:
                    F = flint.arb_poly(N)
                v = F(end[1])
                if v.contains(0):
                    v = N(end[0])
                s = 1 if v > 0 else (-1 if v < 0 else 0)
            if s != truth:
                return False
    return True


# -------------------------------------------------------------- generic route
def _region_generic(task: Task, kernel: TrialKernel, ridge, symbol: sp.Symbol) -> list:
    from ..solve.exact import solve_exact

    if task.n > MAX_N_GENERIC:
        raise ValueError(f"task: the solved region of a general kernel or a weighted task is computed for "
                         f"n <= {MAX_N_GENERIC} (the exact solve in a symbolic parameter), got n = {task.n}")
    P = solve_exact(task, kernel, ridge)
    R = [(ZERO, ONE)]
    conds = [((i, j), task.ground_truth(i, j)) for i, j in task.test_pairs()]
    conds += [((e.i, e.j), e.target) for e in task.trained_pairs]  # (j, i) has the same condition
    for (i, j), truth in conds:
        m = sp.sympify(P[i, j])
        if symbol != ALPHA:
            m = m.xreplace({symbol: ALPHA})
        pieces = sign_intervals(m)
        R = _intersect(R, [(a, b) for a, b, s in pieces if s * truth > 0])
        if not R:
            break
    return R


def _solved_at(task: Task, alpha, ridge) -> bool:
    r"""Whether ``task`` is solved by :math:`K_\alpha` at the exact numbers ``alpha``, ``ridge``."""
    from ..solve.exact import solve_exact

    alpha, ridge = sp.Rational(alpha), sp.Rational(ridge)
    if not task.is_weighted and 0 < alpha < 1:
        import flint

        R = RankNumeratorsMu(task)
        mu = 2 * (alpha + ridge) / (1 - alpha)
        q = flint.fmpq(int(mu.p), int(mu.q))
        det = R.det(q)
        x = [v(q) for v in R.numerators()]  # r_i = x_i / det, det > 0
        for i, j in task.test_pairs():
            if not x[i - 1] > x[j - 1]:
                return False
        for e in task.trained_pairs:  # alpha + rho y (r_i - r_j) > 0
            a = flint.fmpq(int(alpha.p), int(alpha.q))
            r = flint.fmpq(int(ridge.p), int(ridge.q))
            if not a * det + r * e.target * (x[e.i - 1] - x[e.j - 1]) > 0:
                return False
        return True
    if task.n > MAX_N_GENERIC * 5:
        raise ValueError(f"task: deciding a weighted task (or alpha at 0 or 1) is exact for n <= {MAX_N_GENERIC * 5}, "
                         f"got n = {task.n}")
    P = solve_exact(task, AlphaKernel(alpha), ridge)
    for i, j in task.test_pairs():
        if not task.ground_truth(i, j) * P[i, j] > 0:
            return False
    return all(e.target * P[e.i, e.j] > 0 for e in task.trained_pairs)


def is_solved(task: Task, kernel: TrialKernel, ridge=0) -> bool:
    r"""Whether a kernel without free parameters solves ``task`` (exact; ties fail).

    A kernel with :math:`\kappa_1 = \kappa_2` is decided through its :math:`K_{\alpha'}`
    with ridge :math:`\rho'` (``ExchangeableKernel.reduced_alpha_ridge``,
    derivations/theory.md §2); any other kernel by the exact solve (small n).

    >>> from symti import Task, AlphaKernel
    >>> is_solved(Task(9, exceptions=[(4, 6)]), AlphaKernel("1/10")), is_solved(Task(9, exceptions=[(4, 6)]), AlphaKernel("1/5"))
    (True, False)
    """
    from ..solve.exact import solve_exact

    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    ridge = check_ridge(ridge)
    if kernel.free_symbols or ridge.free_symbols:
        raise ValueError("kernel: is_solved needs numbers; use solved_region for a free parameter")
    if isinstance(kernel, ExchangeableKernel) and kernel.swap_invariant and kernel.kappa_s != 1:
        a, r = kernel.reduced_alpha_ridge(ridge)
        if a.is_Rational and r.is_Rational and 0 <= a <= 1:
            return _solved_at(task, a, r)
    if task.n > MAX_N_GENERIC * 5:
        raise ValueError(f"task: a kernel that does not reduce to K_alpha is decided exactly for n <= "
                         f"{MAX_N_GENERIC * 5}, got n = {task.n}")
    P = solve_exact(task, kernel, ridge)
    for i, j in task.test_pairs():
        if not task.ground_truth(i, j) * P[i, j] > 0:
            return False
    return all(e.target * P[e.i, e.j] > 0 for e in task.trained_pairs)


def solved_region(task: Task, ridge=0, kernel: TrialKernel | None = None, parameter=None) -> SolvedRegion:
    r"""The exact set of the parameter where ``task`` is solved: open intervals of :math:`(0, 1)`.

    Parameters
    ----------
    task : Task
    ridge : exact number
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit.
    kernel : TrialKernel, optional
        Default :math:`K_\alpha` (the region in :math:`\alpha`, fast route for unit
        weights, ``n <= MAX_N_REGION``).  A kernel with one free symbol gives the
        region in that symbol over :math:`(0, 1)` by the exact solve
        (``n <= MAX_N_GENERIC``); a kernel without free symbols gives
        ``solved`` (:func:`is_solved`) and no intervals.
    parameter : sympy.Symbol, optional
        The free symbol, when the kernel has several.

    >>> from symti import Task, ExchangeableKernel
    >>> k = sp.Symbol("k", positive=True)
    >>> R = solved_region(Task(5, exceptions=[(2, 4)]), kernel=ExchangeableKernel(0, (1 - k) / 2, (1 - k) / 2, 0, 0))
    >>> R.parameter, [(a.value, b.value) for a, b in R.intervals]
    (k, [(0, 1)])
    >>> solved_region(Task(2000))
    Traceback (most recent call last):
    ...
    ValueError: task: the solved region in alpha is computed for n <= 500, got n = 2000
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    ridge = check_ridge(ridge)
    if ridge.free_symbols:
        raise TypeError("ridge: must be a number here (the region is computed for a fixed ridge)")
    if kernel is not None and not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a symti kernel, got {type(kernel).__name__}")
    if kernel is not None and not kernel.free_symbols:
        return SolvedRegion(task, ridge, None, [], kernel, is_solved(task, kernel, ridge),
                            kernel.reduced_alpha_ridge(ridge) if isinstance(kernel, ExchangeableKernel)
                            and kernel.swap_invariant and kernel.kappa_s != 1 else None)
    if kernel is None or (isinstance(kernel, AlphaKernel) and isinstance(kernel.alpha, sp.Symbol)):
        symbol = ALPHA if kernel is None else kernel.alpha
        if task.is_weighted:
            return SolvedRegion(task, ridge, symbol, _region_generic(task, AlphaKernel(symbol), ridge, symbol), kernel)
        if task.n > MAX_N_REGION:
            raise ValueError(f"task: the solved region in alpha is computed for n <= {MAX_N_REGION}, got n = {task.n}")
        return SolvedRegion(task, ridge, symbol, _region_alpha(task, ridge), kernel)
    free = sorted(kernel.free_symbols, key=str)
    if parameter is None:
        if len(free) != 1:
            raise ValueError(f"parameter: the kernel has free symbols {[str(s) for s in free]}; name one "
                             "(the others need values)")
        parameter = free[0]
    if not isinstance(parameter, sp.Symbol) or parameter not in kernel.free_symbols or len(free) != 1:
        raise ValueError(f"parameter: must be the kernel's one free symbol, got {parameter!r} (free: {[str(s) for s in free]})")
    return SolvedRegion(task, ridge, parameter, _region_generic(task, kernel, ridge, parameter), kernel)


def phase_diagram(task: Task, ridges) -> list[tuple[sp.Rational, list]]:
    r"""The :math:`(\alpha, \rho)` phase diagram: for each exact ridge, the solved
    intervals in :math:`\alpha` (:func:`solved_region`) -- a figure draws one
    horizontal band per ridge.

    >>> from symti import Task
    >>> [(r, [(a.decimal(3), b.decimal(3)) for a, b in iv]) for r, iv in phase_diagram(Task(9, exceptions=[(4, 6)]), [0, "1/5"])]
    [(0, [('0', '0.131')]), (1/5, [])]
    """
    out = []
    for r in ridges:
        r = check_ridge(r)
        out.append((r, solved_region(task, r).intervals))
    return out
