r"""Woodbury's identity for the rank system: modified trained pairs as a low-rank update.

Every trained pair that differs from a unit-weight premise -- an exception,
or a premise of weight :math:`w_e \ne 1` -- changes the path system
:math:`(L + \mu I)\, r^0 = e_1 - e_n` by a rank-one term (derivations/theory.md §3):
pair :math:`a = (p_a, q_a)`, :math:`p_a < q_a`, with target :math:`y_a` (of the
trial :math:`(p_a, q_a)`) adds :math:`\delta_a w_a w_a^\top` to the matrix and
:math:`\delta_a y_a w_a` to the right-hand side, :math:`w_a = e_{p_a} - e_{q_a}`,
where :math:`\delta_a = \gamma_a` for an exception and :math:`\gamma_a - 1`
for a weighted premise.  With :math:`G = (L + \mu I)^{-1}` on the path,

.. math::
   r = r^0 + \sum_a c_a\, G w_a, \qquad
   (I + \Delta C)\, c = \Delta (y - W^\top r^0), \qquad
   C_{ab} = w_a^\top G w_b ,

(:math:`\Delta = \operatorname{diag}\delta`, :math:`W = [w_a]`).  One
exception is Sherman--Morrison: :math:`c = \gamma(-1 - s)/(1 + \gamma q)`.

:func:`woodbury_update` is written once for every backend: the caller passes
the base ranks and the Green-function columns as callables and a linear
solver, so the same code runs on SymPy expressions
(:func:`symti.closed_form.forms.woodbury_ranks`), float64 arrays and mpmath
numbers (:mod:`symti.closed_form.evaluate`).

>>> import sympy as sp
>>> from symti.closed_form.green import green_matrix
>>> from symti.closed_form.forms import ti_rank
>>> lam = sp.log(2)                       # cosh(lambda) = 5/4: alpha = 1/5, rho = 0
>>> G = green_matrix(4, lam)
>>> r = woodbury_update(lambda x: ti_rank(4, x, lam), lambda a, x: G[x - 1, 0] - G[x - 1, 2],
...                     [(1, 3, -1, 1)], solve_sympy)
>>> [sp.nsimplify(sp.simplify(r(x).rewrite(sp.exp))) for x in (1, 2, 3, 4)]
[4/27, 4/27, 2/9, -14/27]

the exact rank vector of the exception {1, 3} at alpha = 1/5:

>>> from symti import Task, rank_vector
>>> rank_vector(Task(4, exceptions=[(1, 3)]), sp.Rational(1, 5))
[4/27, 4/27, 2/9, -14/27]

References
----------
.. [CL26] Cheng & Lippl (2026), arXiv:2605.22972 (exceptions as low-rank updates).
"""
from __future__ import annotations

from typing import Callable, Sequence

import sympy as sp

__all__ = ["woodbury_update", "solve_sympy"]


def solve_sympy(A, b):
    """Exact solve of a small dense system with SymPy (for :func:`woodbury_update`)."""
    return list(sp.Matrix(A).LUsolve(sp.Matrix(b)))


def woodbury_update(r0: Callable, green: Callable, mods: Sequence, solve: Callable) -> Callable:
    r"""The ranks :math:`x \mapsto r_x` after the low-rank modification ``mods``.

    Parameters
    ----------
    r0 : callable
        ``r0(x)``: the base ranks at item(s) ``x`` (1-based; an int, a SymPy
        symbol or an index array -- whatever ``green`` accepts too).
    green : callable
        ``green(a, x)``: :math:`(G w_a)_x = G_{x p_a} - G_{x q_a}`.
    mods : sequence of ``(p, q, y, delta)``
        The modified trained pairs, ``p < q``.
    solve : callable
        ``solve(A, b)`` for the ``k x k`` system (lists of lists / lists),
        returning a sequence of ``k`` coefficients.

    Returns
    -------
    callable
        ``x -> r0(x) + sum_a c_a green(a, x)``.
    """
    k = len(mods)
    if k == 0:
        return r0
    A = [[int(a == b) + mods[a][3] * (green(b, mods[a][0]) - green(b, mods[a][1])) for b in range(k)]
         for a in range(k)]
    rhs = [d * (y - (r0(p) - r0(q))) for p, q, y, d in mods]
    c = list(solve(A, rhs))

    def ranks(x):
        out = r0(x)
        for a in range(k):
            out = out + c[a] * green(a, x)
        return out

    return ranks
