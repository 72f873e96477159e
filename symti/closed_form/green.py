r"""The Green's function of :math:`L + \mu I` on the unweighted path.

:math:`L` is the Laplacian of the path :math:`1 - 2 - \dots - n` (the premise
pairs), :math:`\mu = 2(\alpha+\rho)/(1-\alpha)` and :math:`\cosh\lambda = 1 +
\mu/2 = (1+\rho)/(1-\alpha)`.  The inverse :math:`G = (L + \mu I)^{-1}` is

.. math::
   G_{ij} = \frac{\cosh\big((\min(i,j) - \tfrac12)\lambda\big)\,
                  \cosh\big((n - \max(i,j) + \tfrac12)\lambda\big)}
                 {\sinh\lambda\,\sinh n\lambda}

(``derivations/02_green_function.py`` proves :math:`(L + \mu I)G = I` for
symbolic :math:`n`).  Its column differences :math:`G(e_p - e_q)`, the
response to one extra trained pair :math:`\{p, q\}`, have a product form
without cancellation (:func:`green_difference`).

>>> import sympy as sp
>>> n, i, j, lam = sp.symbols("n i j lambda", positive=True)
>>> green_function(n, i, j, lam)
cosh(lambda*(Min(i, j) - 1/2))*cosh(lambda*(n - Max(i, j) + 1/2))/(sinh(lambda)*sinh(lambda*n))
>>> lambda_parameter(sp.Rational(1, 2))
acosh(2)

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import sympy as sp

from ..params import lambda_parameter
from ..solve.rank import assemble_rank_system
from ..task import Task

__all__ = ["green_function", "green_difference", "green_matrix", "path_system", "path_resolvent_terms", "ti_rank_terms", "sympy_hyperbolics"]

_HALF = sp.Rational(1, 2)


def green_function(n, i, j, lam) -> sp.Expr:
    r""":math:`G_{ij} = \cosh((\min(i,j)-\frac12)\lambda)\cosh((n-\max(i,j)+\frac12)\lambda) / (\sinh\lambda \sinh n\lambda)`.

    Valid for both orders of ``i`` and ``j`` (``Min``/``Max``), numeric or symbolic.

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> sp.simplify(green_function(2, 1, 2, lam) - 1/(4*sp.sinh(lam/2)**2*(4*sp.sinh(lam/2)**2 + 2)))
    0
    """
    lo, hi = sp.Min(i, j), sp.Max(i, j)
    return sp.cosh((lo - _HALF) * lam) * sp.cosh((n - hi + _HALF) * lam) / (sp.sinh(lam) * sp.sinh(n * lam))


def path_resolvent_terms(n, i, p, q, S, C):
    r"""The three branches of :math:`(G(e_p - e_q))_i` and the TI ranks, written once
    for every backend.

    ``S(a, d)`` and ``C(a, d)`` stand for :math:`\sinh(a\lambda/d)` and
    :math:`\cosh(a\lambda/d)` (``d`` defaults to 1); a backend may scale
    every ``S`` by a common factor (mpmath uses :math:`\sinh(a\lambda)/\lambda`,
    finite at :math:`\lambda = 0`) and represent values in any form with
    ``+``, ``*``, ``/`` (the float64 evaluator uses mantissa--exponent pairs
    that never overflow).  Only integers appear in the arguments, so the same
    code serves SymPy, float and mpmath.

    Returns ``(low, mid, high)``: the branches for :math:`i \le p`,
    :math:`p < i < q`, :math:`i \ge q` (see :func:`green_difference`).

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> low, mid, high = path_resolvent_terms(5, 1, 2, 4, *sympy_hyperbolics(lam))
    >>> low
    2*sinh(5*lambda/2)*cosh(lambda/2)/sinh(5*lambda)
    """
    D = S(1) * S(n)
    s_qp = S(q - p, 2)
    low = 2 * C(2 * i - 1, 2) * S(2 * n - p - q + 1, 2) * s_qp / D
    high = -2 * C(2 * n - 2 * i + 1, 2) * S(p + q - 1, 2) * s_qp / D
    mid = (S(2 * n + p - q, 2) * S(p + q - 2 * i, 2) + S(2 * n - p - q - 2 * i + 2, 2) * s_qp) / D
    return low, mid, high


def ti_rank_terms(n, i, S, C):
    r"""The TI ranks :math:`r^0 = G(e_1 - e_n)` (Lippl et al. 2024) in the primitives of
    :func:`path_resolvent_terms`:

    .. math::
       r^0_i = \frac{\sinh((\frac{n+1}{2} - i)\lambda)}{2\sinh(\lambda/2)\cosh(n\lambda/2)} .

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> ti_rank_terms(5, 2, *sympy_hyperbolics(lam))
    sinh(lambda)/(2*sinh(lambda/2)*cosh(5*lambda/2))
    """
    return S(n + 1 - 2 * i, 2) / (2 * S(1, 2) * C(n, 2))


def sympy_hyperbolics(lam):
    r"""The primitives ``(S, C)`` of :func:`path_resolvent_terms` as SymPy :math:`\sinh`, :math:`\cosh`."""
    return (lambda a, d=1: sp.sinh(a * lam / d)), (lambda a, d=1: sp.cosh(a * lam / d))


def green_difference(n, i, p, q, lam) -> sp.Expr:
    r""":math:`(G(e_p - e_q))_i = G_{ip} - G_{iq}` for :math:`p < q`, piecewise in the region of :math:`i`:

    .. math::
       \frac{1}{\sinh\lambda\sinh n\lambda}\begin{cases}
        2\cosh((i-\frac12)\lambda)\sinh(\frac{2n-p-q+1}{2}\lambda)\sinh(\frac{q-p}{2}\lambda) & i \le p\\
        \sinh(\frac{2n+p-q}{2}\lambda)\sinh(\frac{p+q-2i}{2}\lambda)
          + \sinh(\frac{2n-p-q-2i+2}{2}\lambda)\sinh(\frac{q-p}{2}\lambda) & p < i < q\\
        -2\cosh((n-i+\frac12)\lambda)\sinh(\frac{p+q-1}{2}\lambda)\sinh(\frac{q-p}{2}\lambda) & i \ge q
       \end{cases}

    (product-to-sum on :func:`green_function`; no term cancels as
    :math:`\lambda \to 0`; the branches come from :func:`path_resolvent_terms`).

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> d = green_difference(6, 4, 2, 5, lam) - (green_function(6, 4, 2, lam) - green_function(6, 4, 5, lam))
    >>> sp.simplify(d.rewrite(sp.exp))
    0
    """
    low, mid, high = path_resolvent_terms(n, i, p, q, *sympy_hyperbolics(lam))
    return sp.Piecewise((low, sp.Le(i, p)), (high, sp.Ge(i, q)), (mid, True))


def green_matrix(n: int, lam) -> sp.Matrix:
    """The ``n x n`` matrix :math:`G` for a concrete ``n``.

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> G = green_matrix(3, lam)
    >>> A, _ = path_system(3, 2*sp.cosh(lam) - 2)
    >>> (A * G - sp.eye(3)).applyfunc(lambda x: sp.simplify(x.rewrite(sp.exp))).is_zero_matrix
    True
    """
    return sp.Matrix(n, n, lambda a, b: green_function(n, a + 1, b + 1, lam))


def path_system(n: int, mu) -> tuple[sp.Matrix, sp.Matrix]:
    r"""``(L + mu I, e_1 - e_n)``: the TI rank system on the unit path
    (:func:`symti.solve.rank.assemble_rank_system` of the task without exceptions).

    >>> path_system(3, 1)
    (Matrix([
    [ 2, -1,  0],
    [-1,  3, -1],
    [ 0, -1,  2]]), Matrix([
    [ 1],
    [ 0],
    [-1]]))
    """
    A, b = assemble_rank_system(Task(n), mu, zero=sp.Integer(0))
    return sp.Matrix(A), sp.Matrix(b)
