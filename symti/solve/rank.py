r"""The rank reduction of KRR with :math:`K_\alpha`.

On a swap-closed training set with antisymmetric targets the dual
coefficients are antisymmetric, and the reduced kernel on oriented trained
pairs is :math:`K_\alpha(e, e') - K_\alpha(e, \bar e') = \tfrac{1-\alpha}{2}
(B B^\top)_{ee'} + \alpha\,\delta_{ee'}`, with :math:`B` the signed
edge-item incidence matrix (:math:`B_{e,i} = 1`, :math:`B_{e,j} = -1` for
:math:`e = (i, j)`).  Eliminating the dual coefficients (Woodbury) leaves an
``n x n`` system for a *rank vector* :math:`r`:

.. math::
   (L + \mu I)\, r = \sum_e \gamma_e y_e (e_i - e_j), \qquad
   L = \sum_e \gamma_e (e_i - e_j)(e_i - e_j)^\top,

.. math::
   \mu = \frac{2(\alpha + \rho)}{1 - \alpha}, \qquad
   \gamma_e = \frac{w_e(\alpha + \rho)}{\alpha w_e + \rho},

and the margins are :math:`f(i,j) = r_i - r_j` on untrained pairs and
:math:`f(e) = m_e y_e + (1 - m_e)(r_i - r_j)`, :math:`m_e = \alpha w_e /
(\alpha w_e + \rho)`, on trained ones.  ``derivations/01_rank_reduction.py``
derives this symbolically; here it is the fast exact route.

The system is assembled multiplied through by :math:`1 - \alpha` so that it
stays regular at :math:`\alpha = 1` (where :math:`r = 0`).

>>> import sympy as sp
>>> from symti.task import Task
>>> A, b = rank_system(Task(3), sp.Rational(1, 2), 0)
>>> sp.Matrix(A), b
(Matrix([
[ 3/2, -1/2,    0],
[-1/2,    2, -1/2],
[   0, -1/2,  3/2]]), [1/2, 0, -1/2])

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import sympy as sp

from .._validate import check_alpha, check_ridge
from ..params import gamma_weight, memorization
from ..task import Task
from .linear import SingularSystem, linear_solve_map, ridgeless_limit

__all__ = ["edge_terms", "assemble_rank_system", "rank_system_banded", "rank_system", "margins_from_ranks", "rank_vector"]


def edge_terms(task: Task, gammas=None):
    r"""Each trained pair's term of the rank system, ``(i, j, g, y)`` with 0-based items.

    Pair :math:`e = (i, j)` adds :math:`g\,(e_i - e_j)(e_i - e_j)^\top` to the
    weighted Laplacian :math:`L` and :math:`g\,y_e\,(e_i - e_j)` to the
    right-hand side; ``g`` is ``gammas[k]`` for the ``k``-th trained pair
    (``task.trained_pairs`` order), 1 when ``gammas`` is None, or
    ``gammas(e)`` when ``gammas`` is callable.

    >>> list(edge_terms(Task(3)))
    [(0, 1, 1, 1), (1, 2, 1, 1)]
    """
    for k, e in enumerate(task.trained_pairs):
        if gammas is None:
            g = 1
        elif callable(gammas):
            g = gammas(e)
        else:
            g = gammas[k]
        yield e.i - 1, e.j - 1, g, e.target


def assemble_rank_system(task: Task, diagonal, gammas=None, zero=0):
    r"""The rank system :math:`(L_\gamma + d\,I)\,r = b_\gamma` as dense lists, in any ring.

    .. math::
       L_\gamma = \sum_e \gamma_e (e_i - e_j)(e_i - e_j)^\top, \qquad
       b_\gamma = \sum_e \gamma_e y_e (e_i - e_j)

    (derivations/theory.md §3).  This is the one place where the system is
    built: the entries are whatever ``diagonal``, the ``gammas`` (see
    :func:`edge_terms`) and ``zero`` are -- SymPy expressions for the exact
    solver, python-flint ``fmpz_poly`` in :math:`\mu` for the univariate
    route, floats or ``mpf`` for numerics.

    >>> A, b = assemble_rank_system(Task(3), 1)
    >>> A, b
    ([[2, -1, 0], [-1, 3, -1], [0, -1, 2]], [1, 0, -1])
    """
    n = task.n
    A = [[zero] * n for _ in range(n)]
    b = [zero] * n
    for i, j, g, y in edge_terms(task, gammas):
        A[i][i] += g
        A[j][j] += g
        A[i][j] -= g
        A[j][i] -= g
        b[i] += g * y
        b[j] -= g * y
    for i in range(n):
        A[i][i] += diagonal
    return A, b


def rank_system_banded(task: Task, diagonal: float, gammas=None):
    r"""The float rank system in LAPACK banded storage, for :func:`scipy.linalg.solve_banded`.

    Returns ``(ab, b, k)``: ``ab[k + i - j, j] = A[i, j]`` with bandwidth
    :math:`k = \max_e (j - i)`, memory :math:`O(nk)` (the same terms as
    :func:`assemble_rank_system`, via :func:`edge_terms`).

    >>> import numpy as np
    >>> ab, b, k = rank_system_banded(Task(3), 1.0)
    >>> k, ab.tolist(), b.tolist()
    (1, [[0.0, -1.0, -1.0], [2.0, 3.0, 2.0], [-1.0, -1.0, 0.0]], [1.0, 0.0, -1.0])
    """
    import numpy as np

    n = task.n
    k = max(e.j - e.i for e in task.trained_pairs)
    ab = np.zeros((2 * k + 1, n))
    b = np.zeros(n)
    for i, j, g, y in edge_terms(task, gammas):
        g = float(g)
        ab[k, i] += g
        ab[k, j] += g
        ab[k + i - j, j] -= g
        ab[k + j - i, i] -= g
        b[i] += g * y
        b[j] -= g * y
    ab[k] += diagonal
    return ab, b, k


def rank_system(task: Task, alpha, ridge) -> tuple[list[list[sp.Expr]], list[sp.Expr]]:
    r"""The rank system multiplied by :math:`1-\alpha`:
    :math:`((1-\alpha)L_\gamma + 2(\alpha+\rho) I)\, r = (1-\alpha) \sum_e \gamma_e y_e (e_i - e_j)`,
    so that it stays regular at :math:`\alpha = 1` (where :math:`r = 0`).

    Returns ``(A, b)`` as nested lists of SymPy expressions.  At
    :math:`\alpha = \rho = 0` it raises :class:`symti.solve.linear.SingularSystem`
    (the ridgeless limit is then taken with a symbolic ridge).
    """
    if alpha == 0 and ridge == 0:
        raise SingularSystem("alpha = rho = 0: the additive ridgeless system is singular")
    return assemble_rank_system(
        task, 2 * (alpha + ridge), lambda e: (1 - alpha) * gamma_weight(alpha, ridge, e.weight), zero=sp.Integer(0)
    )


def margins_from_ranks(task: Task, alpha, ridge, differences: dict | list) -> dict:
    r"""Margins from rank differences.

    ``differences`` maps ``(i, j)``, ``i < j``, to :math:`r_i - r_j` (or is the
    list of ranks :math:`r_1..r_n`).  Trained pairs get
    :math:`m_e y_e + (1 - m_e)(r_i - r_j)`; every value is antisymmetrised.
    """
    if isinstance(differences, list):
        r = differences
        differences = {(i, j): r[i - 1] - r[j - 1] for i, j in task.ordered_pairs() if i < j}
    out = {}
    for (i, j), d in differences.items():
        e = task.trained_pair(i, j)
        if e is not None:
            m = memorization(alpha, ridge, e.weight)
            d = sp.cancel(m * e.target + (1 - m) * d)
        out[(i, j)] = d
        out[(j, i)] = -d
    return out


def rank_vector(task: Task, alpha, ridge=0) -> list[sp.Expr]:
    r"""The exact rank vector :math:`r`, the solution of the rank system (derivations/theory.md §3).

    For :math:`0 \le \alpha \le 1`, :math:`\rho \ge 0` or symbolic values.  At
    :math:`\alpha = \rho = 0` the system is singular and :math:`r` is its ridgeless limit
    :math:`\rho \to 0^+`, the zero-mean least-squares ranks of the additive model; at
    :math:`\alpha = 1`, :math:`r = 0`.

    >>> rank_vector(Task(3), sp.Rational(1, 2))   # cosh(lambda) = 2
    [1/3, 0, -1/3]
    >>> rank_vector(Task(4, exceptions=[(1, 3)]), 0, 0)
    [1/4, 1/4, 1/4, -3/4]
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    alpha, ridge = check_alpha(alpha), check_ridge(ridge)
    n = task.n
    unit = [[sp.Integer(int(k == i)) for k in range(n)] for i in range(n)]
    if alpha == 0 and ridge == 0:
        rho = sp.Dummy("rho", positive=True)
        A, b = rank_system(task, alpha, rho)
        return [ridgeless_limit(v, rho) for v in linear_solve_map(A, b, unit)]
    A, b = rank_system(task, alpha, ridge)
    return linear_solve_map(A, b, unit)
