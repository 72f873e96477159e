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

import numbers

import sympy as sp

from .._validate import as_expr, check_alpha, check_ridge, check_weight
from ..params import lambda_parameter
from .green import green_difference, path_resolvent_terms, sympy_hyperbolics
from .woodbury import solve_sympy, woodbury_update

__all__ = [
    "ti_rank",
    "ti_rank_difference",
    "ti_margin",
    "ti_trained_margin",
    "exception_q",
    "exception_rank",
    "exception_margin",
    "exception_rank_difference",
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


# ----------------------------------------------------------------- validation
def _integer(x, name: str, what: str = "an integer"):
    """An exact integer (int, numpy or SymPy integer) as ``sp.Integer``, or a symbolic
    expression unchanged; ``TypeError`` for any other number (floats included)."""
    if isinstance(x, bool):
        raise TypeError(f"{name}: must be {what}, got {x!r}")
    if isinstance(x, numbers.Integral):
        return sp.Integer(int(x))
    if isinstance(x, sp.Expr):
        if not x.is_number:
            return x  # symbolic n, i, j, u, v stay allowed
        if x.is_Integer:
            return x
    raise TypeError(f"{name}: must be {what} (or a SymPy symbol), got {x!r}")


def _check_n(n):
    """The number of items: an integer ``n >= 2`` or a symbol."""
    n = _integer(n, "n")
    if n.is_Integer and n < 2:
        raise ValueError(f"n: must be an integer >= 2, got {n}")
    return n


def _check_item(x, name: str, n, top=None):
    """An item ``1 <= x <= top`` (``top`` defaults to ``n``; bounds checked when numeric)."""
    x = _integer(x, name, "an integer item")
    top = n if top is None else top
    if x.is_Integer and (x < 1 or (top.is_Integer and x > top)):
        raise ValueError(f"{name}: must lie in 1..{top}, got {x}")
    return x


def _check_trial(n, i, j):
    """``n``, and the items of the trial ``(i, j)``: in ``1..n``, different."""
    n = _check_n(n)
    i, j = _check_item(i, "i", n), _check_item(j, "j", n)
    if sp.sympify(i - j) == 0:
        raise ValueError(f"(i, j): a trial needs two different items, got ({i}, {j})")
    return n, i, j


def _check_exception(u, v, n, name: str = "(u, v)", names=("u", "v")):
    """An exception ``{u, v}``: items of ``1..n`` at least 2 apart, returned as ``(min, max)``
    (kept as given when the order of symbolic items is unknown)."""
    u, v = _check_item(u, names[0], n), _check_item(v, names[1], n)
    d = sp.sympify(v - u)
    if d.is_number:
        if abs(d) < 2:
            raise ValueError(f"{name}: an exception needs items at least 2 apart (|u - v| >= 2; an adjacent "
                             f"pair is a premise), got ({u}, {v})")
        if d < 0:
            u, v = v, u
    return u, v


def _check_exceptions(exceptions, n) -> list:
    """A list of exceptions, each as :func:`_check_exception` (``(min, max)``), none twice."""
    out = []
    for k, e in enumerate(exceptions):
        name = f"exceptions[{k}]"
        try:
            u, v = e
        except (TypeError, ValueError):
            raise TypeError(f"{name}: an exception is a pair of items (u, v), got {e!r}") from None
        out.append(_check_exception(u, v, n, name, (name, name)))
    if len(set(out)) != len(out):
        raise ValueError(f"exceptions: the same exception is listed twice: {out}")
    return out


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
    r"""TI margin :math:`f(i, j)` of :math:`K_\alpha` KRR on ``n`` items (no exception).

    .. math::
       f(i,j) = \begin{cases}
         \pm\big(m + (1-m)(r_{\min} - r_{\max})\big) & |i - j| = 1 \text{ (premise, } + \text{ for } i < j)\\
         r_i - r_j = \dfrac{\cosh(\frac{n+1-i-j}{2}\lambda)\sinh(\frac{j-i}{2}\lambda)}
                           {\sinh(\lambda/2)\cosh(n\lambda/2)} & \text{otherwise,}
       \end{cases}

    :math:`\cosh\lambda = (1+\rho)/(1-\alpha)`, :math:`m = \alpha/(\alpha+\rho)` (1 ridgeless).
    At the ends of the range the value of the model there (which the exact solver
    gives too): :math:`\alpha = 1` (:math:`\lambda \to \infty`) every rank vanishes, so
    :math:`f = \pm 1/(1+\rho)` on premises and 0 elsewhere; :math:`\alpha = 0` ridgeless
    (:math:`\lambda \to 0`, :math:`m = 0`) the additive fit :math:`f(i,j) = j - i`.
    With :math:`\rho > 0` and :math:`\alpha = 0` the formula holds as it stands
    (:math:`m = 0`).

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    i, j : int or Symbol
        Items in ``1..n``, ``i != j``.  Symbolic items give a ``Piecewise``
        over premise / untrained pairs.
    alpha : number or Symbol
        :math:`0 \le \alpha \le 1`.
    ridge : number or Symbol
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit :math:`\rho \to 0^+`.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    TypeError
        for non-integer ``n``, ``i``, ``j`` (floats included);
    ValueError
        for ``n < 2``, items outside ``1..n``, ``i == j``, ``alpha`` outside
        ``[0, 1]`` or ``ridge < 0``.

    Examples
    --------
    >>> a, r = sp.symbols("alpha rho", positive=True)
    >>> f = ti_margin(5, 1, 3, a, r)
    >>> sorted(map(str, f.free_symbols))
    ['alpha', 'rho']
    >>> f.subs({a: sp.Rational(1, 3), r: 0}).evalf(12)
    0.600000000000
    >>> ti_margin(5, 1, 2, a), ti_margin(5, 2, 1, a), ti_margin(5, 1, 3, 0), ti_margin(5, 1, 3, 1)
    (1, -1, 2, 0)
    >>> ti_margin(5, 1, 6, a)
    Traceback (most recent call last):
    ...
    ValueError: j: must lie in 1..5, got 6
    """
    n, i, j = _check_trial(n, i, j)
    alpha, ridge = _params(alpha, ridge)
    return _ti_margin(n, i, j, alpha, ridge)


def _ti_margin(n, i, j, alpha, ridge):
    if alpha == 1:  # lambda -> oo: every rank vanishes; premises keep m = 1/(1 + rho)
        return _trained_piecewise(i, j, sp.Integer(0), [], _memorization(alpha, ridge))
    if alpha == 0 and ridge == 0:  # lambda -> 0: ranks (n+1)/2 - i, and m = 0 (derivations/03)
        return sp.sympify(j - i)
    m = _memorization(alpha, ridge)
    return _trained_piecewise(i, j, ti_rank_difference(n, i, j, lambda_parameter(alpha, ridge)), [], m)


def ti_trained_margin(n, i, alpha, ridge=0) -> sp.Expr:
    r"""Premise (adjacent) pair :math:`(i, i+1)` of TI:

    .. math::
       f(i, i+1) = m + (1 - m)(r_i - r_{i+1}), \qquad m = \frac{\alpha}{\alpha+\rho},

    ranks as in :func:`ti_margin`.  Ridgeless it is exactly 1 (the premises are fit);
    at :math:`\alpha = 1` it is :math:`1/(1+\rho)`.

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    i : int or Symbol
        The upper item of the premise, ``1 <= i <= n - 1``.
    alpha, ridge
        As for :func:`ti_margin`.

    Returns
    -------
    sympy.Expr

    >>> a, r = sp.symbols("alpha rho", positive=True)
    >>> ti_trained_margin(5, 2, a), ti_trained_margin(5, 2, 1, r)
    (1, 1/(rho + 1))
    >>> ti_trained_margin(5, 5, a)
    Traceback (most recent call last):
    ...
    ValueError: i: must lie in 1..4, got 5
    """
    n = _check_n(n)
    i = _check_item(i, "i", n, n - 1)
    alpha, ridge = _params(alpha, ridge)
    return _ti_margin(n, i, i + 1, alpha, ridge)


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
    r"""Rank :math:`r_i` with one exception :math:`\{u, v\}` of weight factor
    :math:`\gamma` (:math:`\gamma_e = w_e(\alpha+\rho)/(\alpha w_e + \rho)`, 1 for unit weight):

    .. math::
       r_i = r^0_i - \frac{\gamma(1 + r^0_u - r^0_v)}{1 + \gamma q}\,(G(e_u - e_v))_i,
       \qquad u < v,

    piecewise over :math:`i \le u`, :math:`u < i < v`, :math:`i \ge v`.

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    i : int or Symbol
        The item, ``1..n``.
    u, v : int or Symbol
        The exception, in either order (normalised to ``u < v``), items of
        ``1..n`` at least 2 apart.
    lam : Expr
        :math:`\lambda > 0`.
    gamma : Expr
        The weight factor :math:`\gamma_e`.

    Returns
    -------
    sympy.Expr

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> [sp.limit(exception_rank(4, k, 1, 3, lam), lam, 0) for k in range(1, 5)]
    [1/4, 1/4, 1/4, -3/4]
    >>> exception_rank(4, 1, 3, 1, lam) == exception_rank(4, 1, 1, 3, lam)
    True
    >>> exception_rank(4, 1, 2, 3, lam)
    Traceback (most recent call last):
    ...
    ValueError: (u, v): an exception needs items at least 2 apart (|u - v| >= 2; an adjacent pair is a premise), got (2, 3)
    """
    n = _check_n(n)
    i = _check_item(i, "i", n)
    u, v = _check_exception(u, v, n)
    return _exception_rank(n, i, u, v, lam, gamma)


def _exception_rank(n, i, u, v, lam, gamma=1) -> sp.Expr:
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


def exception_margin(n, i, j, u, v, alpha, ridge=0, weight=1, *, lam=None, cases: bool = False) -> sp.Expr:
    r"""Margin :math:`f(i,j)` with one exception :math:`\{u,v\}` of training weight
    ``weight`` (premises unit):

    .. math::
       f(i,j) = \begin{cases} m_e y_e + (1-m_e)(r_i - r_j) & \{i,j\} \text{ trained}\\
                r_i - r_j & \text{otherwise,} \end{cases}

    :math:`y_e` the target of :math:`(i, j)` (:math:`+1` for a premise :math:`(i, i+1)`
    and for :math:`(v, u)`), :math:`m_e = \alpha w_e/(\alpha w_e + \rho)`, ranks
    from :func:`exception_rank` at :math:`\gamma = w(\alpha+\rho)/(\alpha w+\rho)` and
    :math:`\cosh\lambda = (1+\rho)/(1-\alpha)`.  At :math:`\alpha = 1` every rank
    vanishes: :math:`f = m_e y_e` on trained pairs, 0 elsewhere.  At :math:`\alpha = 0`
    ridgeless, :math:`m_e = 0` and :math:`\gamma = w`: the additive least-squares
    fit :math:`r_i - r_j` on every pair, ranks the :math:`\lambda \to 0` limit
    (:func:`additive_limit_ranks`).  Both are the values the exact solver gives there.

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    i, j : int or Symbol
        The trial, items of ``1..n``, ``i != j``.
    u, v : int or Symbol
        The exception, in either order (normalised to ``u < v``), items of
        ``1..n`` at least 2 apart.
    alpha : number or Symbol
        :math:`0 \le \alpha \le 1`.
    ridge : number or Symbol
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit.
    weight : number or Symbol
        The exception's training weight :math:`w > 0`.
    lam : Symbol, optional
        Keep :math:`\lambda` as this symbol (:math:`\cosh\lambda = (1+\rho)/(1-\alpha)` is not
        substituted): the ranks are written by :func:`exception_rank_difference`
        (``cases=True``: split by the position of the items); ``alpha`` and ``ridge``
        then only enter :math:`m_e` and :math:`\gamma`.

    Returns
    -------
    sympy.Expr
        (a ``Piecewise`` for symbolic items)

    >>> exception_margin(4, 3, 1, 1, 3, sp.Rational(1, 3)), exception_margin(4, 3, 1, 3, 1, 1, 1)
    (1, 1/2)
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> f = exception_margin(9, 3, 6, 4, 6, sp.Rational(1, 5), lam=lam)
    >>> round(float(f.subs(lam, lambda_parameter(sp.Rational(1, 5)))), 12)       # -6/49
    -0.122448979592
    >>> exception_margin(9, 3, 6, 6, 4, sp.Rational(1, 5)).evalf(12)      # {4, 6} given as (6, 4)
    -0.122448979592
    >>> exception_margin(9, 3, 6, 4, 6, 0), exception_margin(9, 6, 4, 4, 6, 0)   # additive fit
    (1, 0)
    >>> exception_margin(9, 3, 6, 4, 10, sp.Rational(1, 5))
    Traceback (most recent call last):
    ...
    ValueError: v: must lie in 1..9, got 10
    """
    n, i, j = _check_trial(n, i, j)
    u, v = _check_exception(u, v, n)
    alpha, ridge = _params(alpha, ridge)
    weight = check_weight(weight)
    if lam is not None:
        if alpha == 0 and ridge == 0:
            raise ValueError("lam: alpha = 0 ridgeless is the additive fit (lambda -> 0); use lam= with alpha > 0 "
                             "or ridge > 0")
        gamma = sp.cancel(weight * (alpha + ridge) / (alpha * weight + ridge))
        d = exception_rank_difference(n, i, j, u, v, lam, gamma, cases)
        return _trained_piecewise(i, j, d, [((u, v), _memorization(alpha, ridge, weight))],
                                  _memorization(alpha, ridge))
    if alpha == 1:  # lambda -> oo: the ranks vanish
        return _trained_piecewise(i, j, sp.Integer(0), [((u, v), _memorization(alpha, ridge, weight))],
                                  _memorization(alpha, ridge))
    if alpha == 0 and ridge == 0:  # lambda -> 0, m_e = 0, gamma = w: the additive fit
        return _additive_difference(n, i, j, [(u, v)], [weight])
    lam = lambda_parameter(alpha, ridge)
    gamma = sp.cancel(weight * (alpha + ridge) / (alpha * weight + ridge))
    return _exception_margin(n, i, j, u, v, lam, gamma, _memorization(alpha, ridge, weight), _memorization(alpha, ridge))


def _exception_margin(n, i, j, u, v, lam, gamma, m_e, m_unit):
    d = _exception_rank(n, i, u, v, lam, gamma) - _exception_rank(n, j, u, v, lam, gamma)
    return _trained_piecewise(i, j, d, [((u, v), m_e)], m_unit)


def exception_rank_difference(n, i, j, u, v, lam, gamma=1, cases: bool = False) -> sp.Expr:
    r"""The rank difference :math:`r_i - r_j` with one exception :math:`\{u, v\}` (the margin of
    every untrained pair), :math:`\lambda` kept as a symbol and written compactly:

    .. math::
       r_i - r_j = \frac{1}{\sinh\frac{\lambda}{2}\cosh\frac{n\lambda}{2}}\left[
          \cosh\tfrac{(n+1-i-j)\lambda}{2}\sinh\tfrac{(j-i)\lambda}{2}
          - \frac{\gamma A\,(b_i - b_j)}{D_\gamma}\right],

    .. math::
       A = \sinh\tfrac{\lambda}{2}\cosh\tfrac{n\lambda}{2} + \sinh\tfrac{s\lambda}{2}\cosh\tfrac{(n+1-u-v)\lambda}{2},
       \quad D_\gamma = \sinh\lambda\,\sinh n\lambda + 2\gamma\sinh\tfrac{s\lambda}{2}
          \Bigl[\sinh\tfrac{(2n-s)\lambda}{2} + \sinh\tfrac{s\lambda}{2}\cosh\bigl((n+1-u-v)\lambda\bigr)\Bigr],

    :math:`s = v - u`, and :math:`b_x = \sinh\lambda\,\sinh n\lambda\,(G(e_u - e_v))_x` the
    Green difference (``derivations/theory.md`` §3): with ``cases=False``
    :math:`b_x = c_{x,u} - c_{x,v}`,
    :math:`c_{x,y} = \cosh\frac{(2\min(x,y)-1)\lambda}{2}\cosh\frac{(2n-2\max(x,y)+1)\lambda}{2}`
    (no case split; under 1,500 characters of LaTeX for symbolic :math:`n, i, j, u, v`),
    with ``cases=True`` the three branches :math:`x \le u`, :math:`u < x < v`, :math:`x \ge v`
    of :func:`symti.closed_form.green.green_difference` as a ``Piecewise``.

    This is Sherman--Morrison, :math:`r = r^0 - \gamma(1 + r^0_u - r^0_v)/(1 + \gamma q)\,Gw`
    (:func:`exception_rank`), with :math:`1 + r^0_u - r^0_v = A/(\sinh\frac{\lambda}{2}\cosh\frac{n\lambda}{2})`
    and :math:`1 + \gamma q = D_\gamma/(\sinh\lambda\sinh n\lambda)`.  The margin of an
    untrained pair depends on :math:`(\alpha, \rho)` only through :math:`\lambda` (unit
    weight, :math:`\gamma = 1`), so this is its closed form at every ridge.

    >>> n, i, j, u, v = sp.symbols("n i j u v", integer=True, positive=True)
    >>> lam = sp.Symbol("lambda", positive=True)
    >>> len(sp.latex(exception_rank_difference(n, i, j, u, v, lam))) < 1500
    True
    >>> d = exception_rank_difference(9, 3, 6, 4, 6, lam) - (exception_rank(9, 3, 4, 6, lam) - exception_rank(9, 6, 4, 6, lam))
    >>> sp.simplify(d.rewrite(sp.exp))
    0
    """
    n = _check_n(n)
    i, j = _check_item(i, "i", n), _check_item(j, "j", n)
    u, v = _check_exception(u, v, n)
    S = lambda a: sp.sinh(a * lam / 2)  # noqa: E731
    C = lambda a: sp.cosh(a * lam / 2)  # noqa: E731
    s, m = v - u, n + 1 - u - v
    A = S(1) * C(n) + S(s) * C(m)
    D = sp.sinh(lam) * sp.sinh(n * lam) + 2 * gamma * S(s) * (S(2 * n - s) + S(s) * sp.cosh(m * lam))
    if cases:
        def b(x):
            low, mid, high = path_resolvent_terms(n, x, u, v, *sympy_hyperbolics(lam))
            k = sp.sinh(lam) * sp.sinh(n * lam)
            return sp.Piecewise((sp.factor(low * k), sp.Le(x, u)), (sp.factor(high * k), sp.Ge(x, v)),
                                (sp.expand(mid * k), True))
    else:
        def c(x, y):
            return sp.cosh((2 * sp.Min(x, y) - 1) * lam / 2) * sp.cosh((2 * n - 2 * sp.Max(x, y) + 1) * lam / 2)

        def b(x):
            return c(x, u) - c(x, v)
    return (C(n + 1 - i - j) * S(j - i) - gamma * A * (b(i) - b(j)) / D) / (S(1) * C(n))


def woodbury_ranks(n, exceptions, lam, gammas=None, i=None) -> sp.Expr:
    r"""Rank :math:`r_i` with several exceptions :math:`\{u_a, v_a\}` (Woodbury):

    .. math::
       r = r^0 - G W (I + \Gamma C)^{-1}\Gamma(\mathbf 1 + W^\top r^0),\qquad
       C_{ab} = w_a^\top G w_b,\ W = [e_{u_a} - e_{v_a}]_a,\ u_a < v_a .

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    exceptions : list of pairs
        A fixed list of exceptions ``(u_a, v_a)`` in either order (normalised
        to ``u_a < v_a``; symbols allowed), items of ``1..n`` at least 2 apart,
        none twice.
    lam : Expr
        :math:`\lambda > 0`.
    gammas : list, optional
        The weight factors :math:`\gamma_a` (default 1).
    i : int, Symbol or list, optional
        The item(s) (default the symbol ``i``).

    Returns
    -------
    sympy.Expr, or a list of them for a list of items

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> r = woodbury_ranks(6, [(1, 3), (2, 5)], lam, i=6)
    >>> round(float(r.subs(lam, sp.Rational(1, 2))), 12)
    -0.699493520527
    >>> woodbury_ranks(6, [(3, 1), (5, 2)], lam, i=6) == r
    True
    >>> woodbury_ranks(6, [(1, 3), (3, 1)], lam, i=6)
    Traceback (most recent call last):
    ...
    ValueError: exceptions: the same exception is listed twice: [(1, 3), (1, 3)]
    """
    n = _check_n(n)
    exceptions = _check_exceptions(exceptions, n)
    i = _check_items(i, n)
    return _woodbury(n, exceptions, lam, gammas, i, lambda e: e)


def _check_items(i, n):
    """``None``, an item, or a list of items (each in ``1..n``)."""
    if i is None:
        return None
    if isinstance(i, (list, tuple)):
        return [_check_item(x, f"i[{k}]", n) for k, x in enumerate(i)]
    return _check_item(i, "i", n)


def _woodbury(n, exceptions, lam, gammas, i, part):
    """Woodbury assembly with ``part`` applied to each building block
    (identity, or a limit in ``lam``)."""
    k = len(exceptions)
    gammas = [sp.Integer(1)] * k if gammas is None else [as_expr(g, f"gammas[{a}]") for a, g in enumerate(gammas)]
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
    r""":math:`\lim_{\rho\to0^+}` of :func:`ti_margin`, by SymPy limits of :math:`\lambda` and :math:`m`:

    .. math::
       \cosh\lambda = \frac{1}{1-\alpha}, \qquad
       f(i, j) = \begin{cases} \pm 1 & |i - j| = 1 \\ r_i - r_j & \text{otherwise}\end{cases}
       \quad (0 < \alpha < 1);

    :math:`f = \pm 1` on premises and 0 elsewhere at :math:`\alpha = 1`, :math:`f = j - i`
    at :math:`\alpha = 0` (as :func:`ti_margin`).

    Parameters
    ----------
    n, i, j
        As for :func:`ti_margin` (``1 <= i, j <= n``, ``i != j``).
    alpha : number or Symbol
        :math:`0 \le \alpha \le 1`.

    Returns
    -------
    sympy.Expr

    >>> a = sp.Symbol("alpha", positive=True)
    >>> ridgeless_ti_margin(3, 1, 3, a).subs(a, sp.Rational(1, 2)).evalf(12)
    0.666666666667
    >>> ridgeless_ti_margin(3, 2, 3, a), ridgeless_ti_margin(3, 1, 3, 0), ridgeless_ti_margin(3, 1, 3, 1)
    (1, 2, 0)
    >>> ridgeless_ti_margin(3, 1, 1, a)
    Traceback (most recent call last):
    ...
    ValueError: (i, j): a trial needs two different items, got (1, 1)
    """
    n, i, j = _check_trial(n, i, j)
    alpha = check_alpha(alpha)
    if alpha == 0 or alpha == 1:
        return _ti_margin(n, i, j, alpha, sp.Integer(0))
    m = sp.limit(_memorization(alpha, _RHO), _RHO, 0, "+")
    return _trained_piecewise(i, j, ti_rank_difference(n, i, j, _ridgeless_lambda(alpha)), [], m)


_RHO = sp.Dummy("rho", positive=True)


def _ridgeless_lambda(alpha):
    r""":math:`\lim_{\rho\to0^+}\lambda`, by a SymPy limit (the hyperbolics are continuous in it)."""
    return sp.limit(lambda_parameter(alpha, _RHO), _RHO, 0, "+")


def ridgeless_exception_margin(n, i, j, u, v, alpha, weight=1) -> sp.Expr:
    r""":math:`\lim_{\rho\to0^+}` of :func:`exception_margin`: :math:`\lambda`, :math:`\gamma_e` and
    :math:`m_e` are replaced by their SymPy limits (:math:`\cosh\lambda = 1/(1-\alpha)`,
    :math:`\gamma_e, m_e \to 1` for :math:`\alpha > 0`); the hyperbolic closed form is continuous in them:

    .. math::
       f(i,j) = \begin{cases} y_e & \{i,j\} \text{ trained}\\ r_i - r_j & \text{otherwise}
                \end{cases} \quad (0 < \alpha < 1).

    At :math:`\alpha = 1` the untrained margins are 0; at :math:`\alpha = 0` the additive fit
    (as :func:`exception_margin` with ``ridge=0``).

    Parameters
    ----------
    n, i, j, u, v, weight
        As for :func:`exception_margin` (``u, v`` in either order).
    alpha : number or Symbol
        :math:`0 \le \alpha \le 1`.

    Returns
    -------
    sympy.Expr

    >>> a = sp.Symbol("alpha", positive=True)
    >>> ridgeless_exception_margin(9, 6, 4, 4, 6, a), ridgeless_exception_margin(9, 6, 4, 6, 4, a)
    (1, 1)
    >>> ridgeless_exception_margin(9, 3, 6, 4, 6, 1), ridgeless_exception_margin(9, 3, 6, 4, 6, 0)
    (0, 1)
    >>> ridgeless_exception_margin(9, 3, 6, 4, 6, a, weight=0)
    Traceback (most recent call last):
    ...
    ValueError: weight: must be > 0, got 0
    """
    n, i, j = _check_trial(n, i, j)
    u, v = _check_exception(u, v, n)
    alpha, weight = check_alpha(alpha), check_weight(weight)
    if alpha == 0 or alpha == 1:
        return exception_margin(n, i, j, u, v, alpha, 0, weight)
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

    ``exceptions`` in either order, each normalised to :math:`u < v` (items of
    ``1..n`` at least 2 apart); ``gammas`` their weight factors :math:`\gamma_e`
    (default 1; ridgeless :math:`\alpha \to 0^+` has :math:`\gamma_e \to 1` for every
    training weight, :math:`\alpha = 0` exactly has :math:`\gamma_e = w_e`).

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    i : int or Symbol
        The item, ``1..n``.
    exceptions : list of pairs, optional
    gammas : list, optional

    Returns
    -------
    sympy.Expr

    >>> n, i, u, v = sp.symbols("n i u v", positive=True)
    >>> additive_limit_ranks(n, i)
    -i + n/2 + 1/2
    >>> additive_limit_ranks(9, 5, [(4, 6)]), additive_limit_ranks(9, 5, [(6, 4)])
    (0, 0)
    >>> additive_limit_ranks(9, 5, [(4, 5)])
    Traceback (most recent call last):
    ...
    ValueError: exceptions[0]: an exception needs items at least 2 apart (|u - v| >= 2; an adjacent pair is a premise), got (4, 5)
    """
    n = _check_n(n)
    i = _check_item(i, "i", n)
    return _additive_ranks(n, i, _check_exceptions(exceptions, n), gammas)


def _additive_difference(n, i, j, exceptions, gammas):
    """:math:`r_i - r_j` of the additive limit (:func:`additive_limit_ranks`)."""
    if not exceptions:
        return sp.sympify(j - i)
    return _additive_ranks(n, i, exceptions, gammas) - _additive_ranks(n, j, exceptions, gammas)


def _additive_ranks(n, i, exceptions, gammas):
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

    .. math::
       \lim_{\alpha\to0^+} f(i,j) = \begin{cases} y_e & \{i, j\} \text{ trained} \\
         r_i - r_j \text{ (additive ranks)} & \text{otherwise.} \end{cases}

    Parameters
    ----------
    n : int or Symbol
        Number of items, ``n >= 2``.
    i, j : int or Symbol
        The trial, items of ``1..n``, ``i != j``.
    exceptions : list of pairs, optional
        In either order (normalised to ``u < v``), items at least 2 apart.
    weights : list, optional
        Training weights of the exceptions (positive; checked).  They drop out of the
        limit: for :math:`\alpha > 0` ridgeless, :math:`\gamma_e = w_e\alpha/(\alpha w_e) = 1`
        and :math:`m_e = 1` whatever :math:`w_e`, so the :math:`\alpha \to 0^+` margins are
        those of unit weights (unlike :math:`\alpha = 0` exactly, where the weights weigh the
        least-squares fit).

    Returns
    -------
    sympy.Expr

    >>> additive_limit_margin(9, 3, 6, [(4, 6)]), additive_limit_margin(9, 6, 4, [(6, 4)])
    (1, 1)
    >>> additive_limit_margin(9, 3, 3, [(4, 6)])
    Traceback (most recent call last):
    ...
    ValueError: (i, j): a trial needs two different items, got (3, 3)
    """
    n, i, j = _check_trial(n, i, j)
    exceptions = _check_exceptions(exceptions, n)
    if weights is not None:
        weights = list(weights)
        if len(weights) != len(exceptions):
            raise ValueError(f"weights: need one training weight per exception ({len(exceptions)}), "
                             f"got {len(weights)}")
        for k, w in enumerate(weights):
            check_weight(w, f"weights[{k}]")
    pairs, one = [(e, sp.Integer(1)) for e in exceptions], sp.Integer(1)
    target = _trained_piecewise(i, j, sp.Integer(0), pairs, one)
    if target.is_Number and target != 0:  # a concrete trained pair: no ranks needed
        return target
    return _trained_piecewise(i, j, _additive_difference(n, i, j, exceptions, None), pairs, one)


def conjunctive_limit_ranks(n, i, exceptions=(), gammas=None) -> sp.Expr:
    r""":math:`\lim_{\lambda\to\infty}` of the closed-form ranks (:math:`\alpha \to 1^-`), by SymPy
    limits of each building block (:math:`r^0`, :math:`Gw_a`, :math:`C`, :math:`s`) of the
    Woodbury form for concrete ``n, i`` (or a list of items) and exception positions.
    Every rank vanishes.

    Parameters
    ----------
    n : int
        Number of items, ``n >= 2``.
    i : int or list of int
        The item(s), ``1..n``.
    exceptions : list of pairs, optional
        In either order (normalised to ``u < v``), items at least 2 apart.
    gammas : list, optional
        Weight factors :math:`\gamma_e` (default 1).

    Returns
    -------
    sympy.Expr, or a list of them for a list of items

    >>> conjunctive_limit_ranks(9, 4, [(4, 6)]), conjunctive_limit_ranks(5, 1)
    (0, 0)
    >>> conjunctive_limit_ranks(5, 0)
    Traceback (most recent call last):
    ...
    ValueError: i: must lie in 1..5, got 0
    """
    n = _check_n(n)
    i = _check_items(i, n)
    exceptions = _check_exceptions(exceptions, n)
    return _conjunctive_ranks(n, i, exceptions, gammas)


def _conjunctive_ranks(n, i, exceptions, gammas):
    part = lambda e: sp.limit(e, _LAM, sp.oo)  # noqa: E731
    if not exceptions:
        return [part(ti_rank(n, x, _LAM)) for x in i] if isinstance(i, (list, tuple)) else part(ti_rank(n, i, _LAM))
    return _woodbury(n, list(exceptions), _LAM, gammas, i, part)


def conjunctive_limit_margin(n, i, j, exceptions=(), ridge=0) -> sp.Expr:
    r""":math:`\lim_{\alpha\to1^-}` of the margin of the concrete pair :math:`(i, j)`: the ranks
    tend to 0 (:func:`conjunctive_limit_ranks`), :math:`m_e \to 1/(1+\rho)` and
    :math:`\gamma_e \to 1` (SymPy limits), so untrained margins are 0 and trained pairs give
    :math:`y_e/(1+\rho)` (:math:`y_e` ridgeless) -- the value at :math:`\alpha = 1`.

    .. math::
       \lim_{\alpha\to1^-} f(i,j) = \begin{cases} y_e/(1+\rho) & \{i, j\} \text{ trained} \\
         0 & \text{otherwise.} \end{cases}

    Parameters
    ----------
    n : int
        Number of items, ``n >= 2``.
    i, j : int
        The trial, items of ``1..n``, ``i != j``.
    exceptions : list of pairs, optional
        In either order (normalised to ``u < v``), items at least 2 apart.
    ridge : number or Symbol
        :math:`\rho \ge 0`.

    Returns
    -------
    sympy.Expr

    >>> conjunctive_limit_margin(9, 3, 6, [(4, 6)]), conjunctive_limit_margin(9, 6, 4, [(6, 4)], 1)
    (0, 1/2)
    >>> conjunctive_limit_margin(9, 3, 6, [(4, 6)], ridge=-1)
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    n, i, j = _check_trial(n, i, j)
    exceptions = _check_exceptions(exceptions, n)
    ridge = check_ridge(ridge)
    a = sp.Dummy("alpha", positive=True)
    m = sp.limit(_memorization(a, ridge), a, 1, "-")
    gamma = sp.limit((a + ridge) / (a + ridge), a, 1, "-")
    gammas = [gamma] * len(exceptions)
    ri, rj = _conjunctive_ranks(n, [i, j], exceptions, gammas)
    return _trained_piecewise(i, j, sp.cancel(ri - rj), [(e, m) for e in exceptions], m)
