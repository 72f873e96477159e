r"""Symbolic limits of the margins and thresholds: :math:`\rho \to 0^+`,
:math:`\alpha \to 0^+`, :math:`\alpha \to 1^-` and :math:`n \to \infty`.

**Fixed n.**  Every margin is an exact rational function of :math:`\alpha`
and :math:`\rho` (:func:`symti.solve.exact.solve_exact`), so its limits are Taylor
(or Laurent) series: :func:`margin_series` expands in :math:`\alpha` at 0, in
:math:`\varepsilon = 1 - \alpha` at :math:`\alpha = 1`, or in :math:`\rho` at
0 (coefficients then rational functions of :math:`\alpha`), and returns the
exact function, the truncated series and its leading term.
:func:`series_check` compares it with an *independent* evaluation (the full
trial-Gram KRR solve with mpmath at high precision) at :math:`x = 10^{-k}`
and reports the error and error / :math:`x^{\text{order}}`, which must
approach the next coefficient.

**Thresholds as** :math:`\rho \to 0^+` (:func:`threshold_ridge_series`): if
:math:`\alpha^*_0` is a simple root of the ridgeless margin, the implicit
function theorem gives :math:`\alpha^*(\rho) = \alpha^*_0 + s\rho +
O(\rho^2)` with :math:`s = -\partial_\rho f / \partial_\alpha f` at
:math:`(\alpha^*_0, 0)` (an exact algebraic number).  With unit weights the
untrained margins depend on :math:`(\alpha, \rho)` only through
:math:`\mu = 2(\alpha+\rho)/(1-\alpha)`, so the slope is always
:math:`s = \alpha^*_0 - 1` and the expansion terminates:
:math:`\alpha^*(\rho) = 1 - (1+\rho)(1-\alpha^*_0)` exactly -- a ridge
*lowers* every threshold (and removes it once :math:`\rho \ge
\alpha^*_0/(1-\alpha^*_0)`).

**n to infinity.**  With :math:`\cosh\lambda = (1+\rho)/(1-\alpha)` and
:math:`q = e^{-\lambda} \in (0, 1)`, the Green's function of the path tends,
near the top end (items at fixed distance from item 1), to that of the
half-infinite path, and far from both ends to that of the infinite path:

.. math::
   G^{\mathrm{top}}_{ij} = \frac{q\,(q^{|i-j|} + q^{i+j-1})}{1 - q^2}, \qquad
   G^{\mathrm{mid}}_{ij} = \frac{q\, q^{|i-j|}}{1 - q^2},

and the TI ranks tend to :math:`r^{\mathrm{top}}_i = q^{i}/(1-q)` (so
:math:`f(i,j) \to (q^{i} - q^{j})/(1-q)`) near the top and to
:math:`0` in the middle (there :math:`r_i = O(q^{n/2})`: the transitive
signal between middle items of a long list vanishes exponentially).  With
one exception :math:`w = e_u - e_v` (Sherman--Morrison),

.. math::
   r = r^0 - \frac{1 + r^0_u - r^0_v}{1 + w^\top G w}\, G w ,

so every limiting margin is a rational function of :math:`q`
(:func:`large_n_margin`); the errors are :math:`O(q^{n - c})` at the top and
:math:`O(q^{n/2 - c})` in the middle.  In the middle the limit of a
boundary pair is the pure exception response, negative for every
:math:`q`: **the critical conjunctivity of an exception in the middle of
the list tends to 0 as** :math:`n \to \infty`, while for an exception at a
fixed distance from an end it tends to a positive algebraic number
(:func:`large_n_threshold`), with :math:`\alpha = 1 - 2q(1+\rho)/(1+q^2)`.

>>> import sympy as sp
>>> from symti import Task
>>> s = margin_series(Task(3), 1, 3, "alpha", order=3)
>>> s.truncated
4*alpha**2 - 4*alpha + 2
>>> s.leading
2

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3, §4 (the ends of the alpha range; ridge shift;
   large n).
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy as sp

from .._validate import check_alpha, check_digits, check_ridge
from ..params import alpha as _CANONICAL_ALPHA, result_symbol, rho as _CANONICAL_RHO
from ..kernels.trial import AlphaKernel
from ..task import Task

__all__ = [
    "ALPHA",
    "RHO",
    "EPS",
    "Q",
    "LIMITS",
    "Series",
    "margin_function",
    "margin_series",
    "rational_series",
    "series_check",
    "threshold_ridge_series",
    "alpha_from_q",
    "q_from_alpha",
    "green_top",
    "green_middle",
    "large_n_ranks",
    "large_n_margin",
    "large_n_threshold",
    "MarginLimit",
    "MARGIN_LIMITS",
    "margin_limit",
]

#: The default variables of the results: the canonical :data:`symti.params.alpha`
#: and :data:`symti.params.rho`, and :math:`\varepsilon = 1 - \alpha`, all positive.
#: Every function returning an expression in one of them takes the caller's own
#: symbol with ``symbol=`` (and :math:`\alpha` of the ``"rho"`` limit with ``alpha=``).
ALPHA = _CANONICAL_ALPHA
RHO = _CANONICAL_RHO
EPS = sp.Symbol("epsilon", positive=True)
Q = sp.Symbol("q", positive=True)

#: The supported limits: variable name -> (expansion variable, description).
LIMITS = {
    "alpha": "alpha -> 0+ (series in alpha)",
    "1-alpha": "alpha -> 1- (series in epsilon = 1 - alpha)",
    "rho": "rho -> 0+ (series in rho, coefficients functions of alpha)",
}


@dataclass
class Series:
    r"""A truncated series :math:`f = \sum_{k < \text{order}} c_k x^k + O(x^{\text{order}})`.

    ``function``: the exact margin in ``var``; ``truncated``: the polynomial
    part; ``terms``: ``[(k, c_k)]``; ``leading``: the first nonzero term
    :math:`c_k x^k` (``0`` if all terms up to the order vanish);
    ``next_coefficient``: :math:`c_{\text{order}}`, the limit of
    error / :math:`x^{\text{order}}`.
    """

    pair: tuple
    limit: str
    var: sp.Symbol
    order: int
    function: sp.Expr
    truncated: sp.Expr
    terms: list
    leading: sp.Expr
    next_coefficient: sp.Expr

    def __call__(self, x):
        return self.truncated.subs(self.var, x)


def _check_limit(limit: str) -> str:
    if limit not in LIMITS:
        raise ValueError(f"limit: must be one of {', '.join(LIMITS)}, got {limit!r}")
    return limit


def _check_pair(task: Task, i, j):
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    task._check_pair(i, j)


def _variable(limit: str, symbol) -> sp.Symbol:
    """The variable of ``limit``'s results: the caller's ``symbol`` or the default."""
    return result_symbol(symbol, {"alpha": ALPHA, "1-alpha": EPS, "rho": RHO}[limit])


def margin_function(task: Task, i: int, j: int, limit: str, alpha=None, ridge=0, symbol=None) -> sp.Expr:
    r"""The exact margin :math:`f(i,j)` as a function of the limit's variable.

    Parameters
    ----------
    task : Task
    i, j : int
        The pair, items of ``task``.
    limit : {"alpha", "1-alpha", "rho"}
        ``"alpha"``: :math:`f` as a function of :math:`\alpha` at fixed
        ``ridge``; ``"1-alpha"``: of :math:`\varepsilon = 1 - \alpha` at
        fixed ``ridge``; ``"rho"``: of :math:`\rho` at fixed ``alpha``.
    alpha : number or Symbol, optional
        ``"rho"`` only: :math:`\alpha` (default the canonical
        :data:`symti.params.alpha`; pass your own symbol to get it back).
    ridge : exact number
        :math:`\rho \ge 0` for ``"alpha"`` and ``"1-alpha"``.
    symbol : sympy.Symbol, optional
        The limit's variable in the result: default the canonical
        :data:`symti.params.alpha`, :data:`EPS` or :data:`symti.params.rho`
        (positive); your own symbol (with or without assumptions) makes
        ``.subs`` with it work.

    Returns
    -------
    sympy.Expr
        The exact rational function.

    >>> margin_function(Task(3), 1, 3, "1-alpha")
    -2*epsilon/(epsilon - 2)
    >>> x = sp.Symbol("alpha")                    # no assumptions: not symti.params.alpha
    >>> margin_function(Task(3), 1, 3, "alpha", symbol=x).subs(x, sp.Rational(1, 2))
    2/3
    >>> margin_function(Task(3), 1, 3, "alpha", symbol="alpha")
    Traceback (most recent call last):
    ...
    TypeError: symbol: must be a SymPy Symbol, got 'alpha'
    """
    from ..solve.exact import solve_exact

    _check_limit(limit)
    _check_pair(task, i, j)
    var = _variable(limit, symbol)
    t = sp.Dummy("t", positive=True)  # internal: never one of the caller's symbols
    if limit == "rho":
        a = ALPHA if alpha is None else check_alpha(alpha)
        return sp.factor(solve_exact(task, AlphaKernel(a), t)[i, j]).xreplace({t: var})
    ridge = check_ridge(ridge)
    f = solve_exact(task, AlphaKernel(t), ridge)[i, j]
    if limit == "1-alpha":
        f = sp.factor(sp.cancel(f.subs(t, 1 - t)))
    return sp.sympify(f).xreplace({t: var})


def rational_series(f, var, count: int) -> list:
    r"""The first ``count`` Taylor coefficients at ``var = 0`` of a rational function
    regular there, by power-series division :math:`c_k = (n_k - \sum_{m \ge 1}
    d_m c_{k-m})/d_0` (coefficients cancelled; other symbols allowed).

    >>> x = sp.Symbol("x")
    >>> rational_series(1 / (1 - 2 * x), x, 4)
    [1, 2, 4, 8]
    """
    num, den = sp.fraction(sp.cancel(sp.together(f)))
    N = sp.Poly(num, var).all_coeffs()[::-1]
    D = sp.Poly(den, var).all_coeffs()[::-1]
    if D[0] == 0:
        raise ValueError("limit: the margin is singular at the limit point (no Taylor series)")
    c = []
    for k in range(count):
        acc = N[k] if k < len(N) else sp.Integer(0)
        for m in range(1, min(k, len(D) - 1) + 1):
            acc -= D[m] * c[k - m]
        c.append(sp.factor(sp.cancel(acc / D[0])))
    return c


def margin_series(task: Task, i: int, j: int, limit: str, order: int = 2, alpha=None, ridge=0,
                  symbol=None, function=None) -> Series:
    r"""Series of the exact margin :math:`f(i,j)` in the limit ``limit`` up to
    (excluding) :math:`x^{\text{order}}`:
    :math:`f = \sum_{k < \text{order}} c_k x^k + O(x^{\text{order}})`.

    Arguments as for :func:`margin_function`; ``symbol`` is the series
    variable :math:`x` (default :math:`\alpha`, :math:`\varepsilon` or
    :math:`\rho` by the limit).  ``function``: the exact margin already at hand (a
    rational function of the canonical :math:`\alpha` at the given ridge for ``"alpha"``
    and ``"1-alpha"``, of the canonical :math:`\rho` for ``"rho"``), to skip the solve.

    >>> s = margin_series(Task(9, exceptions=[(4, 6)]), 3, 6, "alpha", order=2)
    >>> s.terms, s.leading
    ([(0, 1), (1, -20)], 1)
    >>> margin_series(Task(3), 1, 3, "rho", order=2).truncated
    4*rho*(alpha - 1)/(alpha + 1)**2 - 2*(alpha - 1)/(alpha + 1)
    >>> x = sp.Symbol("x")
    >>> margin_series(Task(3), 1, 3, "alpha", order=3, symbol=x).truncated
    4*x**2 - 4*x + 2
    >>> margin_series(Task(3), 1, 3, "alpha", order=0)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [1, 20], got 0
    """
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 20:
        raise ValueError(f"order: must be an integer in [1, 20], got {order!r}")
    var = _variable(_check_limit(limit), symbol)
    if function is None:
        f = margin_function(task, i, j, limit, alpha, ridge, symbol)
    else:
        f = sp.sympify(function)
        if limit == "1-alpha":
            f = sp.factor(sp.cancel(f.subs(ALPHA, 1 - EPS)))
            f = f.xreplace({EPS: var})
        elif limit == "alpha":
            f = f.xreplace({ALPHA: var})
        else:
            f = f.xreplace({RHO: var})
    coeffs = rational_series(f, var, order + 1)
    terms = [(k, coeffs[k]) for k in range(order)]
    trunc = sp.Add(*[c * var ** k for k, c in terms])
    nxt = coeffs[order]
    lead = next((c * var ** k for k, c in terms if c != 0), sp.Integer(0))
    return Series((i, j), limit, var, order, f, trunc, terms, lead, nxt)


def series_check(task: Task, series: Series, ks=(2, 3, 4, 5), dps: int = 60, alpha=None, ridge=0) -> list[dict]:
    r"""Compare a series with the full trial-Gram KRR solve (mpmath, ``dps`` digits)
    at :math:`x = 10^{-k}`: rows ``{"x", "exact", "series", "error", "ratio"}``
    with ratio = error / :math:`x^{\text{order}}`, which must tend to
    ``series.next_coefficient`` (evaluated at ``alpha`` for ``"rho"`` series).

    >>> s = margin_series(Task(4), 1, 3, "alpha", order=2)
    >>> rows = series_check(Task(4), s, ks=(3, 4))
    >>> [mpmath.nstr(r["ratio"], 6) for r in rows], s.next_coefficient
    (['16.9591', '16.9959'], 17)
    """
    from ..solve.numeric import solve_mpmath

    dps = check_digits(dps, "dps")
    i, j = series.pair
    rows = []
    for k in ks:
        x = sp.Rational(1, 10 ** k)
        if series.limit == "alpha":
            a, r = x, check_ridge(ridge)
        elif series.limit == "1-alpha":
            a, r = 1 - x, check_ridge(ridge)
        else:
            a, r = check_alpha(alpha if alpha is not None else sp.Rational(1, 3)), x
        exact = solve_mpmath(task, AlphaKernel(a), r, dps=dps)[i, j]
        approx = series.truncated.subs(series.var, x)
        if series.limit == "rho":  # the coefficients are functions of alpha, in whichever symbol
            approx = approx.subs({s: a for s in approx.free_symbols})
        with mpmath.workdps(dps):
            ap = mpmath.mpf(sp.N(approx, dps + 5))
            err = exact - ap
            rows.append({"x": x, "exact": exact, "series": ap, "error": err,
                         "ratio": err / mpmath.mpf(x) ** series.order})
    return rows


# ------------------------------------------------------------- thresholds
def threshold_ridge_series(task: Task, i: int, j: int, symbol=None) -> list[dict]:
    r"""The ridgeless sign changes :math:`\alpha^*_0 \in (0,1)` of :math:`f(i,j)` and
    their first-order shift with the ridge, :math:`\alpha^*(\rho) = \alpha^*_0 + s\rho + O(\rho^2)`,
    :math:`s = -\partial_\rho f / \partial_\alpha f` at :math:`(\alpha^*_0, 0)`.

    Returns ``[{"alpha0": CRootOf or Rational, "slope": s (exact), "becomes": "wrong" | "right",
    "slope_function": s(alpha)}]`` (``becomes``: what the pair turns into as :math:`\alpha`
    increases through the root; ``slope_function``: :math:`-\partial_\rho f/\partial_\alpha f`
    at :math:`\rho = 0` as a function of :math:`\alpha`, written in ``symbol``, default the
    canonical :data:`symti.params.alpha`).

    >>> [(sp.N(r["alpha0"], 8), sp.N(r["slope"], 8), r["becomes"]) for r in threshold_ridge_series(Task(9, exceptions=[(4, 6)]), 3, 6)]
    [(0.13148291, -0.86851709, 'wrong')]
    >>> x = sp.Symbol("x")
    >>> threshold_ridge_series(Task(9, exceptions=[(4, 6)]), 3, 6, symbol=x)[0]["slope_function"]
    x - 1
    >>> threshold_ridge_series(Task(9, exceptions=[(4, 6)]), 4, 6)
    Traceback (most recent call last):
    ...
    ValueError: (i, j): (4, 6) is not an untrained pair with ground truth
    """
    var = result_symbol(symbol, ALPHA)
    _check_pair(task, i, j)
    g = task.ground_truth(i, j)
    if g is None or task.is_trained(i, j):
        raise ValueError(f"(i, j): ({i}, {j}) is not an untrained pair with ground truth")
    F = margin_function(task, i, j, "rho")
    f0 = sp.cancel(sp.limit(F, RHO, 0)) if F.has(RHO) else F
    num, den = sp.fraction(sp.cancel(f0))
    P = sp.Poly(num, ALPHA)
    out = []
    dF_da = sp.diff(F, ALPHA)
    dF_dr = sp.diff(F, RHO)
    for root in sorted(set(sp.Poly(P, ALPHA).real_roots()), key=lambda x: float(x)):
        if not 0 < root < 1:
            continue
        mult = P.as_expr().diff(ALPHA).subs(ALPHA, root)
        if sp.N(mult, 30) == 0:
            continue  # not a simple root: no sign change at first order
        da = sp.cancel(dF_da).subs(RHO, 0)
        dr = sp.cancel(dF_dr).subs(RHO, 0)
        slope_expr = sp.cancel(-dr / da)
        slope = slope_expr.subs(ALPHA, root)
        sign = sp.sign(sp.N(da.subs(ALPHA, root), 30)) * g
        out.append({"alpha0": root, "slope": slope, "becomes": "wrong" if sign < 0 else "right",
                    "slope_function": slope_expr.xreplace({ALPHA: var})})
    return out


# ------------------------------------------------------------- n -> oo
def q_from_alpha(alpha, ridge=0) -> sp.Expr:
    r""":math:`q = e^{-\lambda}`, :math:`\cosh\lambda = c = (1+\rho)/(1-\alpha)`:
    :math:`q = c - \sqrt{c^2 - 1}`.

    >>> q_from_alpha(sp.Rational(1, 2))
    2 - sqrt(3)
    """
    alpha, ridge = check_alpha(alpha), check_ridge(ridge)
    c = (1 + ridge) / (1 - alpha)
    return c - sp.sqrt(c ** 2 - 1)


def alpha_from_q(q, ridge=0) -> sp.Expr:
    r""":math:`\alpha = 1 - 2q(1+\rho)/(1+q^2)` (inverse of :func:`q_from_alpha`).

    >>> alpha_from_q(2 - sp.sqrt(3)).simplify()
    1/2
    """
    ridge = check_ridge(ridge)
    return 1 - 2 * q * (1 + ridge) / (1 + q ** 2)


def green_top(i, j, q=Q) -> sp.Expr:
    r"""Half-infinite path: :math:`G_{ij} = q(q^{|i-j|} + q^{i+j-1})/(1-q^2)`."""
    return q * (q ** abs(i - j) + q ** (i + j - 1)) / (1 - q ** 2)


def green_middle(i, j, q=Q) -> sp.Expr:
    r"""Infinite path: :math:`G_{ij} = q\,q^{|i-j|}/(1-q^2)`."""
    return q * q ** abs(i - j) / (1 - q ** 2)


def _where(where: str) -> str:
    if where not in ("top", "middle"):
        raise ValueError(f"where: must be 'top' (fixed distance from item 1) or 'middle', got {where!r}")
    return where


def large_n_ranks(items, exception=None, where: str = "top", q=Q) -> dict:
    r"""Limiting ranks :math:`\lim_{n\to\infty} r_i` (up to a common constant
    in the middle) as rational functions of :math:`q = e^{-\lambda}`.

    ``where="top"``: items are counted from the top (item 1 is the first
    item); ``where="middle"``: items are labels on an infinite path (any
    integers; only differences matter), the TI part vanishes.

    >>> large_n_ranks([1, 2])[2]
    q**2/(1 - q)
    """
    _where(where)
    G = green_top if where == "top" else green_middle
    r0 = {i: (q ** i / (1 - q) if where == "top" else sp.Integer(0)) for i in items}
    if exception is None:
        return r0
    u, v = exception
    if where == "top" and u < 1:
        raise ValueError(f"exception: items are counted from 1 at the top, got {exception!r}")
    if v - u < 2:
        raise ValueError(f"exception: needs v - u >= 2, got {exception!r}")
    ru = q ** u / (1 - q) if where == "top" else 0
    rv = q ** v / (1 - q) if where == "top" else 0
    wGw = G(u, u, q) + G(v, v, q) - 2 * G(u, v, q)
    coef = (1 + ru - rv) / (1 + wGw)
    return {i: sp.factor(sp.cancel(r0[i] - coef * (G(i, u, q) - G(i, v, q)))) for i in items}


def large_n_margin(i: int, j: int, exception=None, where: str = "top", q=Q) -> sp.Expr:
    r""":math:`\lim_{n\to\infty} f(i,j)` for an untrained pair, a rational function of :math:`q`.

    Top: :math:`(q^{i} - q^{j})/(1-q)` without exception.  In the middle
    with the exception :math:`\{u, v\}`, e.g. the boundary pair
    :math:`(u-1, v)`:

    >>> sp.factor(large_n_margin(-1, 2, exception=(0, 2), where="middle"))
    -q*(q + 1)/(2*q + 1)
    """
    if abs(i - j) == 1 or (exception is not None and {i, j} == set(exception)):
        raise ValueError(f"(i, j): ({i}, {j}) is a trained pair; large_n_margin is for untrained pairs")
    r = large_n_ranks([i, j], exception, where, q)
    return sp.factor(sp.cancel(r[i] - r[j]))


def large_n_threshold(i: int, j: int, exception, where: str = "top", ridge=0) -> list:
    r"""Sign changes in :math:`\alpha \in (0,1)` of the limiting margin (n to infinity):
    the roots :math:`q^* \in (0, 1)` of its numerator, mapped to
    :math:`\alpha^* = 1 - 2q^*(1+\rho)/(1+q^{*2})` (exact algebraic numbers).
    Returns ``[(q_star, alpha_star)]`` sorted by :math:`\alpha^*`.

    >>> [(sp.N(q, 6), sp.N(a, 6)) for q, a in large_n_threshold(3, 6, (4, 6))]
    [(0.682328, 0.0688575)]
    """
    f = sp.cancel(large_n_margin(i, j, exception, where))
    num, _ = sp.fraction(f)
    out = []
    for root in set(sp.Poly(num, Q).real_roots()):
        if 0 < root < 1:
            out.append((root, alpha_from_q(root, ridge)))
    return sorted(out, key=lambda p: float(p[1]))


# ------------------------------------------------- one limit, every kind
@dataclass
class MarginLimit:
    r"""The limit of one margin: ``limit`` (exact), ``leading`` (first nonzero term of the
    expansion, in :math:`\alpha` for :math:`\alpha \to 0^+` and :math:`\alpha \to 1^-` --
    powers of :math:`1 - \alpha` there --, in :math:`\rho` for :math:`\rho \to 0^+`, in
    :math:`q = e^{-\lambda}` for :math:`n \to \infty`), ``series`` (the truncated series
    in the same variable; for :math:`n \to \infty` the limit as a function of :math:`q`),
    ``order`` (the error is :math:`O(x^{\text{order}})`), ``var`` and ``point`` (the
    expansion variable and where it tends), ``how`` (a sentence: what was expanded and how
    the pair is counted)."""

    to: str
    pair: tuple
    limit: sp.Expr
    leading: sp.Expr
    series: sp.Expr
    order: int
    var: sp.Symbol
    point: sp.Expr
    how: str
    function: sp.Expr

    def error_term(self) -> str:
        """The omitted remainder, as text: ``O(alpha**2)``, ``O((1 - alpha)**2)``, ..."""
        if self.point == 1:
            return f"O((1 - {self.var})**{self.order})"
        return f"O({self.var}**{self.order})"


#: The limits of :func:`margin_limit`.
MARGIN_LIMITS = {"alpha->0+": "alpha -> 0+", "alpha->1-": "alpha -> 1-", "rho->0+": "rho -> 0+",
                 "n->oo": "n -> infinity"}


def margin_limit(task, i: int, j: int, to: str, order: int = 2, alpha=None, ridge=0, where=None,
                 exception=None, function=None) -> MarginLimit:
    r"""The limit of :math:`f(i, j)` as :math:`\alpha \to 0^+`, :math:`\alpha \to 1^-`,
    :math:`\rho \to 0^+` (:func:`margin_series`: exact series of the rational function) or
    :math:`n \to \infty` (:func:`large_n_margin`, a rational function of
    :math:`q = e^{-\lambda}`).

    Parameters
    ----------
    task : Task or None
        The task (``None`` for ``"n->oo"``, which has no fixed :math:`n`).
    i, j : int
        The pair.  For ``"n->oo"`` counted from the top (item 1) when ``where="top"``
        (default without ``exception``), or as labels relative to the middle of the list
        (any integers, only differences matter) when ``where="middle"`` (default with one).
    to : {"alpha->0+", "alpha->1-", "rho->0+", "n->oo"}
    order : int
        Terms kept, :math:`1 \le` order :math:`\le 20`.
    alpha : exact number or Symbol, optional
        ``"rho->0+"`` and ``"n->oo"``: :math:`\alpha` (default symbolic).
    ridge : exact number
        :math:`\rho \ge 0` (``"alpha->*"`` and ``"n->oo"``).
    where, exception
        ``"n->oo"`` only: see ``i, j``; ``exception`` a pair ``(u, v)`` in the same counting.
    function
        The exact margin if already computed (see :func:`margin_series`).

    >>> from symti import Task
    >>> L = margin_limit(Task(9, exceptions=[(4, 6)]), 3, 6, "alpha->1-", order=2)
    >>> L.limit, L.leading
    (0, -(1 - alpha)/2)
    >>> margin_limit(None, 2, 4, "n->oo").limit
    q**2*(q + 1)
    """
    if to not in MARGIN_LIMITS:
        raise ValueError(f"to: must be one of {', '.join(MARGIN_LIMITS)}, got {to!r}")
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= 20:
        raise ValueError(f"order: must be an integer in [1, 20], got {order!r}")
    if to == "n->oo":
        return _large_n_limit(i, j, order, alpha, ridge, where, exception)
    kind = {"alpha->0+": "alpha", "alpha->1-": "1-alpha", "rho->0+": "rho"}[to]
    s = margin_series(task, i, j, kind, order=order, alpha=alpha, ridge=ridge, function=function)
    limit = s.terms[0][1]
    if kind == "1-alpha":  # written in alpha: powers of (1 - alpha)
        one_minus = 1 - ALPHA
        back = {EPS: one_minus}
        # kept as c * (1 - alpha)**k (unevaluated: SymPy would distribute c over 1 - alpha)
        term = lambda c, k: c if k == 0 else sp.Mul(c, one_minus if k == 1 else sp.Pow(one_minus, k), evaluate=False)  # noqa: E731
        series = sp.Add(*[term(c, k) for k, c in s.terms if c != 0], evaluate=False) if any(
            c != 0 for _, c in s.terms) else sp.Integer(0)
        leading = next((term(c, k) for k, c in s.terms if c != 0), sp.Integer(0))
        var, point, fn = ALPHA, sp.Integer(1), s.function.xreplace(back)
        how = "Taylor series in 1 - alpha of the exact rational function f(alpha) (analysis.limits.margin_series)"
    else:
        series, leading, var, fn = s.truncated, s.leading, s.var, s.function
        point = sp.Integer(0)
        how = (f"Taylor series in {s.var} of the exact rational function (analysis.limits.margin_series)")
    return MarginLimit(to, (i, j), limit, leading, series, order, var, point, how, fn)


def _large_n_limit(i, j, order, alpha, ridge, where, exception):
    if where is None:
        where = "middle" if exception is not None else "top"
    _where(where)
    f = large_n_margin(i, j, exception, where)
    coeffs = rational_series(f, Q, order)
    series = sp.Add(*[c * Q ** k for k, c in enumerate(coeffs)])
    num, den = (sp.Poly(x, Q) for x in sp.fraction(sp.cancel(f)))
    if num.is_zero:
        leading = sp.Integer(0)
    else:  # the lowest term of the numerator over the denominator at q = 0 (regular there)
        k = min(m[0] for m in num.monoms())
        leading = sp.cancel(num.coeff_monomial(Q ** k) / den.eval(0)) * Q ** k
    counted = ("items counted from the top of the order (item 1 first)" if where == "top" else
               "items and exception as labels relative to the middle of the list (only differences matter)")
    how = (f"n -> infinity at fixed alpha: the Green's function of the {'half-infinite' if where == 'top' else 'infinite'}"
           f" path, a rational function of q = exp(-lambda) (analysis.limits.large_n_margin); {counted}; "
           f"leading term and series as q -> 0+ (alpha -> 1-)")
    limit = f
    if alpha is not None:
        a, r = check_alpha(alpha), check_ridge(ridge)
        if a.is_number:
            if not 0 < a < 1:
                raise ValueError(f"alpha: n -> infinity needs 0 < alpha < 1, got {a}")
            limit = sp.radsimp(sp.simplify(f.subs(Q, q_from_alpha(a, r))))
            how += f"; at alpha = {a}, q = {q_from_alpha(a, r)}"
    return MarginLimit("n->oo", (i, j), limit, leading, series, order, Q, sp.Integer(0), how, f)
