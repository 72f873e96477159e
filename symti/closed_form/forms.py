r"""Closed-form KRR predictions of :math:`K_\alpha` for any :math:`n`.

All results are SymPy expressions in (possibly symbolic) :math:`n`, items
:math:`i, j`, exception positions :math:`u, v`, and :math:`\alpha, \rho`
through :math:`\cosh\lambda = (1+\rho)/(1-\alpha)`
(:func:`symti.closed_form.green.lambda_parameter`).

TI without exceptions (Lippl et al. 2024, PNAS): the rank system's right-hand
side is :math:`e_1 - e_n`, so :math:`r = G(e_1 - e_n)` and

.. math::
   r_i = \frac{\sinh\big((\tfrac{n+1}{2} - i)\lambda\big)}{2\cosh(n\lambda/2)\sinh(\lambda/2)},\qquad
   r_i - r_j = \frac{\cosh(\tfrac{n+1-i-j}{2}\lambda)\sinh(\tfrac{j-i}{2}\lambda)}
                    {\sinh(\lambda/2)\cosh(n\lambda/2)},

with the adjacent-pair correction :math:`f(i, i+1) = m + (1-m)(r_i - r_{i+1})`,
:math:`m = \alpha/(\alpha+\rho)`.

One exception :math:`\{u, v\}` with weight factor :math:`\gamma`
(Sherman--Morrison on :math:`L + \gamma w w^\top`, :math:`w = e_u - e_v`,
right-hand side :math:`e_1 - e_n - \gamma w`):

.. math::
   r_i = r^0_i - \frac{\gamma\,(1 + r^0_u - r^0_v)}{1 + \gamma\, q}\,(G w)_i,
   \qquad q = w^\top G w ,

with :math:`(Gw)_i` piecewise over :math:`i \le u`, :math:`u < i < v`,
:math:`i \ge v` (:func:`symti.closed_form.green.green_difference`).  Several exceptions:
Woodbury, :math:`r = r^0 - G W (I + \Gamma C)^{-1}\Gamma(\mathbf 1 + W^\top r^0)`,
:math:`C = W^\top G W` (:func:`woodbury_ranks`).

Limits (each obtained by a SymPy limit of the general expression):

* :func:`ridgeless_ti_margin`, :func:`ridgeless_exception_margin`: :math:`\rho \to 0^+`;
* :func:`additive_limit_ranks`, :func:`additive_limit_margin`:
  :math:`\alpha \to 0^+` ridgeless, i.e. :math:`\lambda \to 0` -- the additive
  least-squares ranks (linear ranks :math:`(n+1)/2 - i` for TI);
* :func:`conjunctive_limit_margin`: :math:`\alpha \to 1^-` (untrained margins
  vanish; trained pairs keep :math:`m_e y_e` with :math:`m_e = w_e/(w_e+\rho)`).

>>> n, i, j = sp.symbols("n i j", integer=True, positive=True)
>>> lam = sp.Symbol("lambda", positive=True)
>>> ti_rank(n, i, lam)
sinh(lambda*(-i + n/2 + 1/2))/(2*sinh(lambda/2)*cosh(lambda*n/2))
>>> a = sp.Symbol("alpha", positive=True)
>>> ti_margin(3, 1, 3, a).subs(a, sp.Rational(1, 2)).evalf(15)
0.666666666666667

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import sympy as sp

from .._validate import check_alpha, check_ridge, check_weight
from ..params import lambda_parameter
from .green import green_difference
from .woodbury import solve_sympy, woodbury_update

__all__ = [
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

_HALF = sp.Rational(1, 2)
# Internal symbols are Dummies: they never coincide with a symbol of the caller
# (an n, weight or ridge of the caller's named lambda, rho or alpha is left alone).
_LAM = sp.Dummy("lambda", positive=True)


def ti_rank(n, i, lam) -> sp.Expr:
    r"""PNAS ranks :math:`r_i = \sinh((\frac{n+1}{2} - i)\lambda) / (2\cosh(n\lambda/2)\sinh(\lambda/2))`.

    >>> [sp.limit(ti_rank(4, k, _LAM), _LAM, 0) for k in range(1, 5)]
    [3/2, 1/2, -1/2, -3/2]
    """
    return sp.sinh(((n + 1) * _HALF - i) * lam) / (2 * sp.cosh(n * lam / 2) * sp.sinh(lam / 2))


def ti_rank_difference(n, i, j, lam) -> sp.Expr:
    r""":math:`r_i - r_j = \cosh(\frac{n+1-i-j}{2}\lambda)\sinh(\frac{j-i}{2}\lambda) / (\sinh(\lambda/2)\cosh(n\lambda/2))`.

    >>> ti_rank_difference(5, 2, 2, _LAM)
    0
    """
    return sp.cosh((n + 1 - i - j) * lam / 2) * sp.sinh((j - i) * lam / 2) / (sp.sinh(lam / 2) * sp.cosh(n * lam / 2))


def _params(alpha, ridge):
    return check_alpha(alpha), check_ridge(ridge)


def _memorization(alpha, ridge, weight=1):
    return alpha * weight / (alpha * weight + ridge)


def ti_margin(n, i, j, alpha, ridge=0) -> sp.Expr:
    r"""Untrained TI margin :math:`f(i,j) = r_i - r_j` with :math:`\cosh\lambda = (1+\rho)/(1-\alpha)`.

    >>> a, r = sp.symbols("alpha rho", positive=True)
    >>> f = ti_margin(5, 1, 3, a, r)
    >>> sorted(map(str, f.free_symbols))
    ['alpha', 'rho']
    >>> f.subs({a: sp.Rational(1, 3), r: 0}).evalf(12)
    0.600000000000
    """
    alpha, ridge = _params(alpha, ridge)
    return ti_rank_difference(n, i, j, lambda_parameter(alpha, ridge))


def ti_trained_margin(n, i, alpha, ridge=0) -> sp.Expr:
    r"""Adjacent (premise) pair :math:`(i, i+1)`: :math:`m + (1 - m)(r_i - r_{i+1})`, :math:`m = \alpha/(\alpha+\rho)`.

    Ridgeless it is exactly 1 (the premises are fit).

    >>> a, r = sp.symbols("alpha rho", positive=True)
    >>> ti_trained_margin(5, 2, a)
    1
    """
    alpha, ridge = _params(alpha, ridge)
    m = _memorization(alpha, ridge)
    return m + (1 - m) * ti_rank_difference(n, i, i + 1, lambda_parameter(alpha, ridge))


def exception_q(n, u, v, lam) -> sp.Expr:
    r""":math:`q = w^\top G w = G_{uu} + G_{vv} - 2G_{uv}`, :math:`w = e_u - e_v`, :math:`u < v`:

    .. math::
       q = \frac{2\sinh(\frac{v-u}{2}\lambda)\big[\sinh(\frac{2n-v+u}{2}\lambda)
           + \sinh(\frac{v-u}{2}\lambda)\cosh((n+1-u-v)\lambda)\big]}{\sinh\lambda\,\sinh n\lambda}

    (the effective resistance :math:`v - u` of the path at :math:`\lambda \to 0`).

    >>> n, u, v = sp.symbols("n u v", positive=True)
    >>> sp.limit(exception_q(n, u, v, _LAM), _LAM, 0)
    -u + v
    """
    s = sp.sinh((v - u) * lam / 2)
    return 2 * s * (sp.sinh((2 * n - v + u) * lam / 2) + s * sp.cosh((n + 1 - u - v) * lam)) / (
        sp.sinh(lam) * sp.sinh(n * lam))


def exception_rank(n, i, u, v, lam, gamma=1) -> sp.Expr:
    r"""Rank :math:`r_i` with one exception :math:`\{u, v\}` (:math:`u < v`) of weight factor
    :math:`\gamma` (:math:`\gamma_e = w_e(\alpha+\rho)/(\alpha w_e + \rho)`, 1 for unit weight):

    .. math::
       r_i = r^0_i - \frac{\gamma(1 + r^0_u - r^0_v)}{1 + \gamma q}\,(G(e_u - e_v))_i,

    piecewise over :math:`i \le u`, :math:`u < i < v`, :math:`i \ge v`.

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> [sp.limit(exception_rank(4, k, 1, 3, lam), lam, 0) for k in range(1, 5)]
    [1/4, 1/4, 1/4, -3/4]
    """
    coef = gamma * (1 + ti_rank_difference(n, u, v, lam)) / (1 + gamma * exception_q(n, u, v, lam))
    return ti_rank(n, i, lam) - coef * green_difference(n, i, u, v, lam)


def _trained_piecewise(i, j, d, pairs, m_unit):
    """``m_e y_e + (1 - m_e) d`` on trained pairs, ``d`` elsewhere (symbolic-safe)."""
    cases = []
    for (u, v), m_e in pairs:
        cases.append((-m_e + (1 - m_e) * d, sp.And(sp.Eq(i, u), sp.Eq(j, v))))
        cases.append((m_e + (1 - m_e) * d, sp.And(sp.Eq(i, v), sp.Eq(j, u))))
    cases.append((m_unit + (1 - m_unit) * d, sp.Eq(j, i + 1)))
    cases.append((-m_unit + (1 - m_unit) * d, sp.Eq(i, j + 1)))
    cases.append((d, True))
    return sp.Piecewise(*cases)


def exception_margin(n, i, j, u, v, alpha, ridge=0, weight=1) -> sp.Expr:
    r"""Margin :math:`f(i,j)` with one exception :math:`\{u,v\}`, :math:`u < v`, of training
    weight ``weight`` (premises unit):

    .. math::
       f(i,j) = \begin{cases} m_e y_e + (1-m_e)(r_i - r_j) & \{i,j\} \text{ trained}\\
                r_i - r_j & \text{otherwise} \end{cases}

    with :func:`exception_rank` at :math:`\gamma = w(\alpha+\rho)/(\alpha w+\rho)`.

    >>> exception_margin(4, 3, 1, 1, 3, sp.Rational(1, 3))
    1
    """
    alpha, ridge = _params(alpha, ridge)
    weight = check_weight(weight)
    lam = lambda_parameter(alpha, ridge)
    gamma = sp.cancel(weight * (alpha + ridge) / (alpha * weight + ridge))
    return _exception_margin(n, i, j, u, v, lam, gamma, _memorization(alpha, ridge, weight), _memorization(alpha, ridge))


def _exception_margin(n, i, j, u, v, lam, gamma, m_e, m_unit):
    d = exception_rank(n, i, u, v, lam, gamma) - exception_rank(n, j, u, v, lam, gamma)
    return _trained_piecewise(i, j, d, [((u, v), m_e)], m_unit)


def woodbury_ranks(n, exceptions, lam, gammas=None, i=None) -> sp.Expr:
    r"""Rank :math:`r_i` with several exceptions :math:`\{u_a, v_a\}` (Woodbury):

    .. math::
       r = r^0 - G W (I + \Gamma C)^{-1}\Gamma(\mathbf 1 + W^\top r^0),\qquad
       C_{ab} = w_a^\top G w_b,\ W = [e_{u_a} - e_{v_a}]_a .

    ``exceptions``: a fixed list of pairs ``(u_a, v_a)`` with :math:`u_a < v_a` (symbols allowed);
    ``gammas``: weight factors (default 1); ``i``: the item (default the symbol ``i``).

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> r = woodbury_ranks(6, [(1, 3), (2, 5)], lam, i=6)
    >>> round(float(r.subs(lam, sp.Rational(1, 2))), 12)
    -0.699493520527
    """
    return _woodbury(n, exceptions, lam, gammas, i, lambda e: e)


def _woodbury(n, exceptions, lam, gammas, i, part):
    """Woodbury assembly with ``part`` applied to each building block
    (identity, or a limit in ``lam``)."""
    k = len(exceptions)
    gammas = [sp.Integer(1)] * k if gammas is None else [sp.sympify(g) for g in gammas]
    if len(gammas) != k:
        raise ValueError(f"gammas: need one weight factor per exception ({k}), got {len(gammas)}")
    if i is None:
        i = sp.Symbol("i", integer=True, positive=True)

    def g(a, x):
        u, v = exceptions[a]
        return _piecewise_part(green_difference(n, x, u, v, lam), part)

    # each exception {u, v}, u < v: the trial (u, v) has target -1, delta = gamma
    mods = [(u, v, -1, gam) for (u, v), gam in zip(exceptions, gammas)]
    ranks = woodbury_update(lambda x: part(ti_rank(n, x, lam)), g, mods, solve_sympy)
    if isinstance(i, (list, tuple)):
        return [ranks(x) for x in i]
    return ranks(i)


def _piecewise_part(expr, part):
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(part(e), c) for e, c in expr.args])
    return part(expr)


# --------------------------------------------------------------------- limits
def ridgeless_ti_margin(n, i, j, alpha) -> sp.Expr:
    r""":math:`\lim_{\rho\to0^+}` of :func:`ti_margin`: :math:`\cosh\lambda = 1/(1-\alpha)`.

    >>> a = sp.Symbol("alpha", positive=True)
    >>> ridgeless_ti_margin(3, 1, 3, a).subs(a, sp.Rational(1, 2)).evalf(12)
    0.666666666667
    """
    alpha = check_alpha(alpha)
    return ti_rank_difference(n, i, j, _ridgeless_lambda(alpha))


_RHO = sp.Dummy("rho", positive=True)


def _ridgeless_lambda(alpha):
    r""":math:`\lim_{\rho\to0^+}\lambda`, by a SymPy limit (the hyperbolics are continuous in it)."""
    return sp.limit(lambda_parameter(alpha, _RHO), _RHO, 0, "+")


def ridgeless_exception_margin(n, i, j, u, v, alpha, weight=1) -> sp.Expr:
    r""":math:`\lim_{\rho\to0^+}` of :func:`exception_margin`: :math:`\lambda`, :math:`\gamma_e` and
    :math:`m_e` are replaced by their SymPy limits (:math:`\cosh\lambda = 1/(1-\alpha)`,
    :math:`\gamma_e, m_e \to 1` for :math:`\alpha > 0`); the hyperbolic closed form is continuous in them.

    >>> a = sp.Symbol("alpha", positive=True)
    >>> ridgeless_exception_margin(9, 6, 4, 4, 6, a)
    1
    """
    alpha, weight = check_alpha(alpha), check_weight(weight)
    lim = lambda e: sp.limit(e, _RHO, 0, "+")  # noqa: E731
    gamma = lim(weight * (alpha + _RHO) / (alpha * weight + _RHO))
    return _exception_margin(n, i, j, u, v, _ridgeless_lambda(alpha), gamma,
                             lim(_memorization(alpha, _RHO, weight)), lim(_memorization(alpha, _RHO)))


def additive_limit_ranks(n, i, exceptions=(), gammas=None) -> sp.Expr:
    r"""The additive least-squares ranks: :math:`\lim_{\lambda\to0}` of the closed-form ranks
    (ridgeless :math:`\alpha \to 0^+`; the zero-mean minimum-norm solution of
    :math:`L r = b`).  For TI, :math:`r_i = (n+1)/2 - i`; with one exception

    .. math::
       r_i = \tfrac{n+1}{2} - i - \frac{\gamma(1 + v - u)}{1 + \gamma(v-u)} \lim_{\lambda\to0}(Gw)_i .

    >>> n, i, u, v = sp.symbols("n i u v", positive=True)
    >>> additive_limit_ranks(n, i)
    -i + n/2 + 1/2
    >>> additive_limit_ranks(9, 5, [(4, 6)])
    0
    """
    lam = _LAM
    if not exceptions:
        return sp.limit(ti_rank(n, i, lam), lam, 0)
    if len(exceptions) == 1:
        (u, v), = exceptions
        gam = 1 if gammas is None else gammas[0]
        coef = sp.limit(gam * (1 + ti_rank_difference(n, u, v, lam)) / (1 + gam * exception_q(n, u, v, lam)), lam, 0)
        gd = green_difference(n, i, u, v, lam)
        g0 = gd.func(*[(sp.factor(sp.limit(e, lam, 0)), c) for e, c in gd.args]) if isinstance(gd, sp.Piecewise) \
            else sp.limit(gd, lam, 0)
        return sp.limit(ti_rank(n, i, lam), lam, 0) - coef * g0
    return _woodbury(n, exceptions, lam, gammas, i, lambda e: sp.factor(sp.limit(e, lam, 0)))


def additive_limit_margin(n, i, j, exceptions=(), weights=None) -> sp.Expr:
    r"""Ridgeless :math:`\alpha \to 0^+` margin of the concrete pair :math:`(i, j)`: :math:`r_i - r_j`
    from :func:`additive_limit_ranks` for untrained pairs; trained pairs keep :math:`m_e \to 1` for
    every :math:`\alpha > 0`, so their limit is the target :math:`y_e`.  (At :math:`\alpha = 0` exactly,
    the ridgeless model is the additive least-squares fit, :math:`r_i - r_j` on *every* pair: the
    trained margins jump at :math:`\alpha = 0`.)

    >>> additive_limit_margin(9, 3, 6, [(4, 6)]), additive_limit_margin(9, 6, 4, [(4, 6)])
    (1, 1)
    """
    gammas = None if weights is None else list(weights)
    if abs(i - j) == 1:
        return sp.Integer(1 if i < j else -1)
    for u, v in exceptions:
        if (min(i, j), max(i, j)) == (u, v):
            return sp.Integer(1 if i > j else -1)
    return additive_limit_ranks(n, i, exceptions, gammas) - additive_limit_ranks(n, j, exceptions, gammas)


def conjunctive_limit_ranks(n, i, exceptions=(), gammas=None) -> sp.Expr:
    r""":math:`\lim_{\lambda\to\infty}` of the closed-form ranks (:math:`\alpha \to 1^-`), by SymPy
    limits of each building block (:math:`r^0`, :math:`Gw_a`, :math:`C`, :math:`s`) of the
    Woodbury form for concrete ``n, i`` (or a list of items) and exception positions.
    Every rank vanishes.

    >>> conjunctive_limit_ranks(9, 4, [(4, 6)]), conjunctive_limit_ranks(5, 1)
    (0, 0)
    """
    part = lambda e: sp.limit(e, _LAM, sp.oo)  # noqa: E731
    if not exceptions:
        return [part(ti_rank(n, x, _LAM)) for x in i] if isinstance(i, (list, tuple)) else part(ti_rank(n, i, _LAM))
    return _woodbury(n, list(exceptions), _LAM, gammas, i, part)


def conjunctive_limit_margin(n, i, j, exceptions=(), ridge=0) -> sp.Expr:
    r""":math:`\lim_{\alpha\to1^-}` of the margin of the concrete pair :math:`(i, j)`: the ranks
    tend to 0 (:func:`conjunctive_limit_ranks`), :math:`m_e \to 1/(1+\rho)` and
    :math:`\gamma_e \to 1` (SymPy limits), so untrained margins are 0 and trained pairs give
    :math:`y_e/(1+\rho)` (:math:`y_e` ridgeless) -- the value at :math:`\alpha = 1`.

    >>> conjunctive_limit_margin(9, 3, 6, [(4, 6)]), conjunctive_limit_margin(9, 6, 4, [(4, 6)], 1)
    (0, 1/2)
    """
    ridge = check_ridge(ridge)
    a = sp.Dummy("alpha", positive=True)
    m = sp.limit(_memorization(a, ridge), a, 1, "-")
    gamma = sp.limit((a + ridge) / (a + ridge), a, 1, "-")
    gammas = [gamma] * len(exceptions)
    ri, rj = conjunctive_limit_ranks(n, [i, j], exceptions, gammas)
    d = ri - rj
    lo, hi = min(i, j), max(i, j)
    if hi - lo == 1 or (lo, hi) in {(min(e), max(e)) for e in exceptions}:
        y = 1 if (hi - lo == 1) == (i < j) else -1
        return sp.cancel(m * y + (1 - m) * d)
    return d
