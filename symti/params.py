r"""The parameters of :math:`K_\alpha` KRR and the quantities derived from them.

A representation's conjunctivity :math:`\alpha \in [0, 1]` and the ridge
:math:`\rho \ge 0` enter every prediction only through a few combinations
(``derivations/theory.md``, section "The rank reduction"):

.. math::
   \mu = \frac{2(\alpha + \rho)}{1 - \alpha}, \qquad
   \cosh\lambda = 1 + \frac{\mu}{2} = \frac{1 + \rho}{1 - \alpha},

and, for a trained pair :math:`e` of training weight :math:`w_e`,

.. math::
   \gamma_e = \frac{w_e(\alpha + \rho)}{\alpha w_e + \rho}, \qquad
   m_e = \frac{\alpha w_e}{\alpha w_e + \rho}

(:math:`\gamma_e = 1` and :math:`m_e = 1` for unit weights; :math:`m_e = 1`
ridgeless).  This module defines each of them once, for SymPy expressions;
the float and mpmath evaluators use their own stable forms of the same
quantities (:math:`\lambda = 2\operatorname{asinh}(\sqrt{\mu}/2)`).

It also holds the canonical symbols :data:`alpha`, :data:`rho`,
:data:`lam` (:math:`\lambda`) and :data:`mu`, all positive, that symti's
analysis functions use by default.  Every function that returns an
expression in one of them also accepts the caller's own symbol.

>>> import sympy as sp
>>> mu_parameter(sp.Rational(1, 3))
1
>>> sp.cosh(lambda_parameter(alpha, rho))
(rho + 1)/(1 - alpha)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
"""
from __future__ import annotations

import sympy as sp

from ._validate import check_alpha, check_ridge

__all__ = [
    "alpha", "rho", "lam", "mu",
    "mu_parameter", "lambda_parameter", "lambda_from_mu", "lambda_numeric", "gamma_weight", "memorization",
    "result_symbol",
]

#: The conjunctivity :math:`\alpha` (canonical symbol, positive).
alpha = sp.Symbol("alpha", positive=True)
#: The ridge :math:`\rho` (canonical symbol, positive).
rho = sp.Symbol("rho", positive=True)
#: :math:`\lambda`, with :math:`\cosh\lambda = (1+\rho)/(1-\alpha)` (canonical symbol, positive).
lam = sp.Symbol("lambda", positive=True)
#: :math:`\mu = 2(\alpha+\rho)/(1-\alpha)` (canonical symbol, positive).
mu = sp.Symbol("mu", positive=True)


def mu_parameter(alpha, ridge=0) -> sp.Expr:
    r""":math:`\mu = 2(\alpha + \rho)/(1 - \alpha)`; :math:`\cosh\lambda = 1 + \mu/2`.

    >>> mu_parameter(sp.Rational(1, 3))
    1
    >>> mu_parameter(alpha, rho)
    (2*alpha + 2*rho)/(1 - alpha)
    """
    return 2 * (alpha + ridge) / (1 - alpha)


def lambda_parameter(alpha, ridge=0) -> sp.Expr:
    r""":math:`\lambda = \operatorname{acosh}\frac{1+\rho}{1-\alpha}`, i.e. :math:`\cosh\lambda = 1 + \mu/2`.

    Equivalently :math:`\lambda = 2\operatorname{asinh}(\sqrt{\mu}/2)` (the
    stable numeric form used by :mod:`symti.closed_form.evaluate`).

    >>> lambda_parameter(sp.Rational(1, 2))
    acosh(2)
    >>> lambda_parameter(alpha, rho)
    acosh((rho + 1)/(1 - alpha))
    """
    alpha, ridge = check_alpha(alpha), check_ridge(ridge)
    return sp.acosh((1 + ridge) / (1 - alpha))


def lambda_from_mu(mu, lib=None):
    r"""The numerically stable :math:`\lambda = 2\operatorname{asinh}(\sqrt{\mu}/2)`
    (no cancellation for tiny :math:`\mu`, unlike :math:`\operatorname{acosh}(1 + \mu/2)`),
    with ``lib`` the numeric library (``numpy`` by default, or ``mpmath``).

    >>> float(lambda_from_mu(1e-30))
    1e-15
    >>> import mpmath
    >>> mpmath.nstr(lambda_from_mu(mpmath.mpf(2), mpmath), 15)     # acosh(2)
    '1.31695789692482'
    """
    if lib is None:
        import numpy as lib
    asinh = getattr(lib, "arcsinh", None) or lib.asinh
    return 2 * asinh(lib.sqrt(mu) / 2)


def lambda_numeric(alpha, ridge, lib=None):
    r""":math:`\lambda` from :math:`\alpha` and :math:`\rho` without forming :math:`\mu`:
    :math:`\lambda = 2\operatorname{asinh}\sqrt{(\alpha+\rho)/(2(1-\alpha))}`, finite for
    every finite :math:`\rho` (:math:`\mu = 2(\alpha+\rho)/(1-\alpha)` overflows float64 for
    :math:`\rho \gtrsim 10^{308}` or :math:`\alpha` within 1e-300 of 1, its square root does not).

    >>> float(lambda_numeric(0.5, 1e308)) > 0
    True
    >>> abs(float(lambda_numeric(1/3, 0.0)) - float(lambda_from_mu(1.0))) < 1e-15
    True
    """
    if lib is None:
        import numpy as lib
    asinh = getattr(lib, "arcsinh", None) or lib.asinh
    return 2 * asinh(lib.sqrt(alpha + ridge) / lib.sqrt(2 * (1 - alpha)))


def gamma_weight(alpha, ridge, w) -> sp.Expr:
    r""":math:`\gamma_e = w_e(\alpha+\rho)/(\alpha w_e + \rho)` (1 for unit weights).

    >>> gamma_weight(alpha, rho, 1), gamma_weight(sp.Rational(1, 2), 1, 2)
    (1, 3/2)

    Plain floats stay floats (for the numeric evaluators):

    >>> gamma_weight(0.5, 1.0, 2.0)
    1.5
    """
    value = w * (alpha + ridge) / (alpha * w + ridge)
    return sp.cancel(value) if isinstance(value, sp.Basic) else value


def memorization(alpha, ridge, w) -> sp.Expr:
    r""":math:`m_e = \alpha w_e / (\alpha w_e + \rho)`, the part of a trained
    pair's margin fit by its own conjunctive feature.

    >>> memorization(alpha, 0, 1), memorization(sp.Rational(1, 2), sp.Rational(1, 2), 1)
    (1, 1/2)
    """
    value = alpha * w / (alpha * w + ridge)
    return sp.cancel(value) if isinstance(value, sp.Basic) else value


def result_symbol(symbol, default: sp.Symbol, name: str = "symbol") -> sp.Symbol:
    r"""The symbol a result is written in: ``default`` (a canonical symbol of this
    module) when ``symbol`` is ``None``, else the caller's own ``symbol``.

    Results in the caller's symbol substitute with it: a symbol ``alpha``
    created without assumptions is *not* :data:`alpha` (which is positive),
    so ``.subs`` with it would do nothing on a result in :data:`alpha`.

    >>> x = sp.Symbol("alpha")
    >>> result_symbol(None, alpha) == alpha, result_symbol(x, alpha) == alpha, result_symbol(x, alpha) == x
    (True, False, True)
    >>> result_symbol("alpha", alpha)
    Traceback (most recent call last):
    ...
    TypeError: symbol: must be a SymPy Symbol, got 'alpha'
    """
    if symbol is None:
        return default
    if not isinstance(symbol, sp.Symbol):
        raise TypeError(f"{name}: must be a SymPy Symbol, got {symbol!r}")
    return symbol
