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

__all__ = ["green_function", "green_difference", "green_matrix", "path_system"]

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
    :math:`\lambda \to 0`).

    >>> lam = sp.Symbol("lambda", positive=True)
    >>> d = green_difference(6, 4, 2, 5, lam) - (green_function(6, 4, 2, lam) - green_function(6, 4, 5, lam))
    >>> sp.simplify(d.rewrite(sp.exp))
    0
    """
    D = sp.sinh(lam) * sp.sinh(n * lam)
    s_qp = sp.sinh((q - p) * lam / 2)
    low = 2 * sp.cosh((i - _HALF) * lam) * sp.sinh((2 * n - p - q + 1) * lam / 2) * s_qp / D
    high = -2 * sp.cosh((n - i + _HALF) * lam) * sp.sinh((p + q - 1) * lam / 2) * s_qp / D
    mid = (sp.sinh((2 * n + p - q) * lam / 2) * sp.sinh((p + q - 2 * i) * lam / 2)
           + sp.sinh((2 * n - p - q - 2 * i + 2) * lam / 2) * s_qp) / D
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
