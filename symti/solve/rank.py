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

__all__ = [
    "edge_terms", "assemble_rank_system", "rank_system_banded", "rank_system", "margins_from_ranks", "rank_vector",
    "RankNumeratorsMu", "rank_numerators_mu",
]


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


# ------------------------------------------------- the structured solve in mu
def _bareiss_solve(M: list, s: list, zero, one):
    r"""Fraction-free solve of the small square system :math:`M y = s` over :math:`\mathbb{Z}[\mu]`:
    ``(det M, adj(M) s)`` (Bareiss elimination without pivoting, then Cramer back
    substitution; the pivots must be nonzero polynomials)."""
    k = len(M)
    A = [list(row) + [si] for row, si in zip(M, s)]
    prev = one
    for p in range(k - 1):
        pk = A[p][p]
        for i in range(p + 1, k):
            f = A[i][p]
            row, rp = A[i], A[p]
            for j in range(p + 1, k + 1):
                row[j] = (row[j] * pk - f * rp[j]) // prev
            row[p] = zero
        prev = pk
    det = A[k - 1][k - 1]
    y = [zero] * k
    for i in range(k - 1, -1, -1):
        acc = det * A[i][k]
        for j in range(i + 1, k):
            if A[i][j]:
                acc -= A[i][j] * y[j]
        y[i] = acc // A[i][i]
    return det, y


class RankNumeratorsMu:
    r"""Unit weights: the rank system :math:`(L + \mu I)\,r = b` solved exactly over
    :math:`\mathbb{Z}[\mu]`, lazily item by item (derivations/theory.md §3).

    ``x(i)`` is :math:`x_i = (\operatorname{adj}(L + \mu I)\, b)_i` and ``det`` is
    :math:`\det(L + \mu I)`, python-flint ``fmpz_poly`` in :math:`\mu`, so
    :math:`r_i = x_i/\det`.  Setting up costs :math:`O(n)` cheap recursions plus
    :math:`O(k^2)` polynomial products (:math:`k` exceptions); each ``x(i)`` then
    costs :math:`O(k)` products, so all of them :math:`O(nk)` -- no dense elimination.

    Structure: the premises make :math:`T = L_{\text{path}} + \mu I` tridiagonal with
    off-diagonal :math:`-1`, whose adjugate is a product of continuants,

    .. math::
       \operatorname{adj}(T)_{ij} = \theta_{\min(i,j)-1}\,\varphi_{\max(i,j)+1}, \qquad
       \theta_k = d_k\theta_{k-1} - \theta_{k-2}, \quad \varphi_k = \theta_{n+1-k}

    (:math:`\theta_0 = 1`, :math:`d_k = \mu + \deg_{\text{path}}(k)`,
    :math:`\det T = \theta_n`; :math:`\varphi` by the path's reflection symmetry).
    Each exception :math:`a = \{u, v\}` adds :math:`w_a w_a^\top`,
    :math:`w_a = e_u - e_v`, handled by Woodbury with the fraction-free
    :math:`k \times k` capacitance :math:`M = \theta_n I + W^\top \operatorname{adj}(T) W`:

    .. math::
       \theta_n^k\, x = Z_b \det M - Z_W \operatorname{adj}(M)\, W^\top Z_b, \qquad
       \det(L + \mu I) = \det M / \theta_n^{k-1},

    with :math:`Z = \operatorname{adj}(T)\,[b, W]` (both divisions exact, since
    :math:`\det M = \theta_n^{k-1}\det(T + WW^\top)`).

    >>> R = RankNumeratorsMu(Task(3))
    >>> [str(p) for p in R.numerators()], str(R.det)
    (['x^2 + 3*x', '0', '(-1)*x^2 + (-3)*x'], 'x^3 + 4*x^2 + 3*x')
    >>> [str(p) for p in R.difference(1, 3)]        # r_1 - r_3 = 2/(mu + 1)
    ['2', 'x + 1']
    """

    def __init__(self, task: Task):
        import flint

        if not isinstance(task, Task):
            raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
        if task.is_weighted:
            raise ValueError("task: the univariate route in mu needs unit training weights")
        self.task = task
        n = self.n = task.n
        zero, one, mu = flint.fmpz_poly([0]), flint.fmpz_poly([1]), flint.fmpz_poly([0, 1])
        self._zero = zero
        theta = [one]
        for k in range(1, n + 1):
            d = mu + (1 if k in (1, n) else 2)
            theta.append(d * theta[-1] - (theta[-2] if k >= 2 else zero))
        self._theta = theta
        delta = theta[n]
        if any(e.j - e.i == 1 and e.target != 1 for e in task.trained_pairs):  # pragma: no cover - Task never builds one
            raise ValueError("task: premises must have target +1")
        self._extra = extra = [e for e in task.trained_pairs if e.j - e.i != 1]
        k = len(extra)
        self._x: dict = {}
        if not extra:
            self.det, self._detM, self._y, self._scale = delta, None, [], None
            return
        Zb = lambda i: self._zb(i)  # noqa: E731
        M = [[(delta if a == c else zero) + self._zw(c, ea.i) - self._zw(c, ea.j) for c in range(k)]
             for a, ea in enumerate(extra)]
        s = [Zb(ea.i) - Zb(ea.j) for ea in extra]
        self._detM, self._y = _bareiss_solve(M, s, zero, one)
        self._scale = delta ** k
        self.det = self._detM // delta ** (k - 1) if k > 1 else self._detM

    def _adj(self, i: int, p: int):
        """:math:`\\operatorname{adj}(T)_{ip}` (1-based)."""
        a, b = (i, p) if i <= p else (p, i)
        return self._theta[a - 1] * self._theta[self.n - b]

    def _zw(self, c: int, i: int):
        e = self._extra[c]
        return self._adj(i, e.i) - self._adj(i, e.j)

    def _zb(self, i: int, zw=None):
        """:math:`(\\operatorname{adj}(T)\\,b)_i`, :math:`b = e_1 - e_n + \\sum_a y_a w_a`."""
        th, n = self._theta, self.n
        acc = th[n - i] - th[i - 1]
        for c, e in enumerate(self._extra):
            z = self._zw(c, i) if zw is None else zw[c]
            acc = acc + z if e.target == 1 else acc - z
        return acc

    def x(self, i: int):
        """:math:`x_i = \\det(L + \\mu I)\\, r_i` (1-based ``i``; cached)."""
        hit = self._x.get(i)
        if hit is not None:
            return hit
        if not self._extra:
            v = self._zb(i)
        else:
            zw = [self._zw(c, i) for c in range(len(self._extra))]
            zb = self._zb(i, zw)
            acc = zb * self._detM
            for z, yc in zip(zw, self._y):
                if yc:
                    acc -= z * yc
            v = acc // self._scale  # exact (see the class docstring)
        self._x[i] = v
        return v

    def numerators(self) -> list:
        r"""All :math:`x_1, \dots, x_n` in :math:`O(n)` cheap steps: :math:`x_1` and the
        exceptions' end points from :meth:`x`, the rest from row :math:`i` of
        :math:`(L + \mu I)\,x = \det \cdot b` read as a three-term recurrence,

        .. math::
           x_{i+1} = (\mu + \deg_{\text{path}}(i))\,x_i - x_{i-1}
                     + \sum_a (w_a)_i\,(x_{u_a} - x_{v_a}) - \det \cdot b_i

        (:math:`x_0 = 0`; one product by a linear polynomial per step); row
        :math:`n` is checked, exactly."""
        import flint

        n, task = self.n, self.task
        mu = flint.fmpz_poly([0, 1])
        jump = {}  # row -> sum_a (w_a)_i (x_u - x_v) - det * (sum_a y_a (w_a)_i)
        for e in self._extra:
            dx = self.x(e.i) - self.x(e.j) - e.target * self.det
            jump[e.i] = jump.get(e.i, self._zero) + dx
            jump[e.j] = jump.get(e.j, self._zero) - dx
        xs = [self._zero, self.x(1)]
        for i in range(1, n + 1):
            nxt = (mu + (1 if i in (1, n) else 2)) * xs[i] - xs[i - 1]
            if i in jump:
                nxt += jump[i]
            if i == 1:
                nxt -= self.det
            elif i == n:
                nxt += self.det
            if i < n:
                xs.append(nxt)
            elif nxt:  # pragma: no cover - exact arithmetic: the last row must hold
                raise RuntimeError("internal: the rank recurrence does not close")
        for i in range(1, n + 1):
            self._x.setdefault(i, xs[i])
        return xs[1:]

    def difference(self, i: int, j: int):
        r""":math:`r_i - r_j = N/D`, reduced: ``(N, D)`` with :math:`\gcd(N, D) = 1` and ``D``
        of positive leading coefficient (``(0, 1)`` when the ranks are equal)."""
        num = self.x(i) - self.x(j)
        if not num:
            return self._zero, self._zero + 1
        g = num.gcd(self.det)
        N, D = num // g, self.det // g
        if D.coeffs()[-1] < 0:
            N, D = -N, -D
        return N, D


def rank_numerators_mu(task: Task):
    r"""``(x, det)`` of :class:`RankNumeratorsMu`: every :math:`x_i = \det(L + \mu I)\,r_i`
    and :math:`\det(L + \mu I)`, python-flint ``fmpz_poly`` in :math:`\mu`.

    >>> x, det = rank_numerators_mu(Task(4, exceptions=[(1, 3)]))
    >>> str(det)
    'x^4 + 8*x^3 + 19*x^2 + 12*x'
    
    """
    R = RankNumeratorsMu(task)
    return R.numerators(), R.det
