r"""Exact kernel ridge regression: every margin as a rational function.

KRR with ridge :math:`\rho` and per-trial training weights :math:`w` minimises
:math:`\sum_x w_x (f(x) - y_x)^2 + \rho \|f\|^2` and predicts

.. math::
   f(p) = K(p, X)\, c, \qquad (K(X, X) + \rho W^{-1})\, c = y .

:math:`\rho = 0` means the limit :math:`\rho \to 0^+`, the minimum-norm
(weighted least-squares) interpolant, which exists even when :math:`K(X, X)`
is singular (:math:`\alpha = 0` or :math:`\alpha = 1`): the system is solved
with a symbolic ridge and the limit of each rational function is taken.

Routes (``method``):

``"rank"``
    :math:`K_\alpha` only: the ``n x n`` rank system of :mod:`symti.solve.rank`
    (default for :class:`~symti.kernels.trial.AlphaKernel`).
``"antisymmetric"``
    swap-invariant kernels: the dual coefficients of :math:`(i,j)` and
    :math:`(j,i)` are opposite, so the system halves to one unknown per
    trained pair with the reduced kernel :math:`K(p,e) - K(p,\bar e)`
    (default for other swap-invariant kernels).
``"gram"``
    any kernel: the full trial Gram system, fraction-free over
    :math:`\mathbb{Q}[\text{symbols}]`.
``"generic"``
    the baseline: the full trial Gram system over the rational function
    field, then each prediction cancelled (what ``symti bench`` compares to).

All routes use SymPy's ``DomainMatrix`` (exact arithmetic in polynomial rings
and their fraction fields), never a symbolic ``Matrix.inv``.

>>> import sympy as sp
>>> from symti import Task, AlphaKernel
>>> a = sp.Symbol("alpha", positive=True)
>>> P = solve_exact(Task(3), AlphaKernel(a))
>>> sp.factor(P[1, 3])
-2*(alpha - 1)/(alpha + 1)

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
from sympy.polys.constructor import construct_domain

from .._validate import check_ridge
from ..kernels.trial import AlphaKernel, TrialKernel, check_psd
from .linear import ExprBuilder, SingularSystem, canonical_fraction, linear_solve_map, ridgeless_limit
from .predictions import Predictions
from .rank import assemble_rank_system, margins_from_ranks, rank_system
from ..task import Task

__all__ = ["solve_exact", "rank_differences_mu", "ridge_symbol", "METHODS", "SingularSystem"]

METHODS = ("auto", "rank", "antisymmetric", "gram", "generic")

#: The symbol used for the ridge inside the ridgeless limit: a ``Dummy``, so it
#: never coincides with a symbol of the caller (a weight or kernel value named
#: ``rho_`` is not sent to 0 with it).
ridge_symbol = sp.Dummy("rho_", positive=True)


def _with_ridgeless(solve, ridge):
    """Run ``solve(rho)`` at ``rho = ridge``; for ``ridge == 0`` fall back to
    a symbolic ridge and the limit when the system is singular."""
    if ridge != 0:
        return solve(ridge)
    try:
        return solve(sp.Integer(0))
    except SingularSystem:
        vals = solve(ridge_symbol)
        return {k: ridgeless_limit(v, ridge_symbol) for k, v in vals.items()}


# ----------------------------------------------------------------- routes
def _solve_gram(task: Task, kernel: TrialKernel, rho, field: bool = False) -> dict:
    """Full trial system :math:`(W K + \\rho I) c = W y`."""
    trials = task.training_trials()
    X = [t for t, _, _ in trials]
    A = []
    for r, (p, _, w) in enumerate(trials):
        A.append([w * kernel(p, q) + (rho if r == s else 0) for s, q in enumerate(X)])
    b = [w * y for _, y, w in trials]
    pairs = task.ordered_pairs()
    P = [[kernel(p, q) for q in X] for p in pairs]
    vals = linear_solve_map(A, b, P, field=field)
    return dict(zip(pairs, vals))


def _solve_antisymmetric(task: Task, kernel: TrialKernel, rho) -> dict:
    """Halved system on the trained pairs with :math:`K(p,e) - K(p,\\bar e)`."""
    E = task.trained_pairs
    def red(p, e):
        return kernel(p, (e.i, e.j)) - kernel(p, (e.j, e.i))
    A = []
    for r, e in enumerate(E):
        A.append([e.weight * red((e.i, e.j), f) + (rho if r == s else 0) for s, f in enumerate(E)])
    b = [e.weight * e.target for e in E]
    half = [(i, j) for i, j in task.ordered_pairs() if i < j]
    P = [[red(p, e) for e in E] for p in half]
    vals = linear_solve_map(A, b, P)
    out = {}
    for p, v in zip(half, vals):
        out[p] = v
        out[(p[1], p[0])] = -v
    return out


_MU = sp.Dummy("mu")  # the generator of QQ[mu]; a Dummy, distinct from any symbol of the caller


def rank_differences_mu(task: Task, pairs=None) -> dict:
    r"""Unit weights: :math:`r_i - r_j = N_{ij}(\mu)/D_{ij}(\mu)`, reduced, over :math:`\mathbb{Q}[\mu]`.

    With unit weights the rank system :math:`(L + \mu I) r = b` depends on
    :math:`\alpha, \rho` only through :math:`\mu`, so it is solved once as a
    univariate problem with python-flint's ``fmpz_poly``: Bareiss fraction-free
    elimination of ``[L + mu I | b]`` (no pivoting needed: the pivots are leading
    principal minors of ``L + mu I``, monic in ``mu``), fraction-free back
    substitution ``x_i = det * r_i`` (Cramer), then one gcd per pair.
    Returns ``{(i, j): (N, D)}`` for ``i < j`` (every pair, or the given ``pairs``),
    python-flint ``fmpz_poly`` in :math:`\mu` with ``gcd(N, D) = 1`` and ``D``
    of positive leading coefficient.  Since every root of :math:`\det(L + \mu I)`
    is :math:`\le 0`, :math:`D(\mu) > 0` for :math:`\mu > 0`: the sign of an
    untrained margin is the sign of :math:`N(\mu)`.

    >>> N, D = rank_differences_mu(Task(3))[1, 3]
    >>> N, D
    (2, x + 1)
    """
    if task.is_weighted:
        raise ValueError("task: the univariate route in mu needs unit training weights")
    import flint

    n = task.n
    zero, one, mu = flint.fmpz_poly([0]), flint.fmpz_poly([1]), flint.fmpz_poly([0, 1])
    A, b = assemble_rank_system(task, mu, zero=zero)
    M = [row + [bi] for row, bi in zip(A, b)]
    prev = one
    for k in range(n - 1):
        pk = M[k][k]
        for i in range(k + 1, n):
            f = M[i][k]
            row, rk = M[i], M[k]
            for j in range(k + 1, n + 1):
                row[j] = (row[j] * pk - f * rk[j]) // prev
            row[k] = zero
        prev = pk
    det = M[n - 1][n - 1]
    x = [zero] * n
    for i in range(n - 1, -1, -1):
        acc = det * M[i][n]
        for j in range(i + 1, n):
            if M[i][j]:
                acc -= M[i][j] * x[j]
        x[i] = acc // M[i][i]
    out = {}
    for i, j in (pairs if pairs is not None else [(i, j) for i in range(1, n + 1) for j in range(i + 1, n + 1)]):
        num = x[i - 1] - x[j - 1]
        if not num:
            out[(i, j)] = (zero, one)
            continue
        g = num.gcd(det)
        N, D = num // g, det // g
        if D.coeffs()[-1] < 0:
            N, D = -N, -D
        out[(i, j)] = (N, D)
    return out


def _rank_differences_in_mu(task: Task):
    """:func:`rank_differences_mu` in SymPy's ring ``QQ[mu]``: ``(R, {(i, j): (N, D)})``."""
    R = sp.QQ[_MU]
    to_ring = lambda p: R({(k,): int(c) for k, c in enumerate(p.coeffs()) if c})  # noqa: E731
    return R, {k: ((R.zero, R.one) if not N else (to_ring(N), to_ring(D)))
               for k, (N, D) in rank_differences_mu(task).items()}


def _substitute_mu(R, pairs: dict, P: sp.Expr, Q: sp.Expr) -> dict:
    r"""Substitute :math:`\mu = P/Q` (``P``, ``Q`` coprime polynomials) into reduced
    univariate fractions by homogenisation; the results stay reduced."""
    dom, (Pe, Qe) = construct_domain([P, Q])
    if not dom.is_Field and dom.domain == sp.ZZ:
        # alpha and rho must be ring elements too (e.g. rho = 1/2 with P = 2 alpha + 1)
        dom = sp.QQ[dom.symbols]
        Pe, Qe = dom.from_sympy(P), dom.from_sympy(Q)
    if dom.is_Field:  # P, Q not polynomial: let SymPy cancel
        mu = P / Q
        return None, {k: sp.cancel(R.to_sympy(num).subs(_MU, mu) / R.to_sympy(den).subs(_MU, mu)) for k, (num, den) in pairs.items()}
    top = max(max(num.degree(), den.degree()) for num, den in pairs.values()) + 1
    powP, powQ = [dom.one], [dom.one]
    for _ in range(top):
        powP.append(powP[-1] * Pe)
        powQ.append(powQ[-1] * Qe)

    memo: dict = {}

    def hom(poly, deg):
        key = (tuple(sorted(poly.items())), deg)
        if key in memo:
            return memo[key]
        acc = dom.zero
        for k, c in enumerate(reversed(poly.to_dense())):
            if c:
                acc += dom.convert(c, sp.QQ) * powP[k] * powQ[deg - k]
        memo[key] = acc
        return acc

    out = {}
    for key, (num, den) in pairs.items():
        if not num:
            out[key] = (dom.zero, dom.one)
            continue
        dn, dd = num.degree(), den.degree()
        N, D = hom(num, dn), hom(den, dd)
        if dd > dn:
            N = N * Qe ** (dd - dn)
        elif dn > dd:
            D = D * Qe ** (dn - dd)
        out[key] = (N, D)
    return dom, out


def _solve_rank(task: Task, kernel: AlphaKernel, rho) -> dict:
    alpha = kernel.alpha
    unit = all(e.weight == 1 for e in task.trained_pairs)
    sym = bool(sp.sympify(alpha).free_symbols or sp.sympify(rho).free_symbols)
    if unit and sym and not (alpha == 0 and rho == 0):
        R, pairs = _rank_differences_in_mu(task)
        dom, diffs = _substitute_mu(R, pairs, 2 * (alpha + rho), 1 - alpha)
        if dom is None:
            return margins_from_ranks(task, alpha, rho, diffs)
        # trained pairs: m y + (1 - m) d with m = alpha/(alpha + rho), in the ring
        a, r = dom.from_sympy(alpha), dom.from_sympy(rho)
        out = {}
        build = ExprBuilder(dom)
        for (i, j), (N, D) in diffs.items():
            e = task.trained_pair(i, j)
            if e is not None:
                N, D = (a * e.target * D + r * N).cancel((a + r) * D)
            v = canonical_fraction(dom, N, D, build) if N else sp.Integer(0)
            out[(i, j)], out[(j, i)] = v, -v
        return out
    A, b = rank_system(task, alpha, rho)
    n = task.n
    half = [(i, j) for i, j in task.ordered_pairs() if i < j]
    P = [[sp.Integer(int(k == i - 1) - int(k == j - 1)) for k in range(n)] for i, j in half]
    diffs = dict(zip(half, linear_solve_map(A, b, P)))
    return margins_from_ranks(task, alpha, rho, diffs)


def solve_exact(task: Task, kernel: TrialKernel, ridge=0, method: str = "auto", check: bool = True) -> Predictions:
    r"""Every margin :math:`f(i, j)` of KRR on ``task`` as an exact SymPy expression.

    Parameters
    ----------
    task : Task
    kernel : TrialKernel
        Values may hold SymPy symbols; the results are rational functions of them.
    ridge : number, str or Symbol
        :math:`\rho \ge 0`; ``0`` (default) is the ridgeless limit :math:`\rho \to 0^+`.
    method : {"auto", "rank", "antisymmetric", "gram", "generic"}
        See the module docstring.  ``"auto"`` picks ``"rank"`` for
        :math:`K_\alpha`, ``"antisymmetric"`` for swap-invariant kernels and
        ``"gram"`` otherwise.
    check : bool
        Reject kernels that are not positive semidefinite on the task's trials.

    Examples
    --------
    Three items: the untrained pair (1, 3) gets margin
    :math:`2(1-\alpha)/(1+\alpha+2\rho)`.

    >>> a, r = sp.symbols("alpha rho", positive=True)
    >>> P = solve_exact(Task(3), AlphaKernel(a), ridge=r)
    >>> sp.factor(P[1, 3])
    -2*(alpha - 1)/(alpha + 2*rho + 1)

    The purely additive model (alpha = 0) cannot fit a cycle: the ridgeless
    least-squares ranks leave the exception at margin 0.

    >>> solve_exact(Task(4, exceptions=[(1, 3)]), AlphaKernel(0))[3, 1]
    0
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a symti kernel, got {type(kernel).__name__}")
    if method not in METHODS:
        raise ValueError(f"method: must be one of {', '.join(METHODS)}, got {method!r}")
    ridge = check_ridge(ridge)
    if check:
        check_psd(kernel, task.ordered_pairs())
    if method == "auto":
        if isinstance(kernel, AlphaKernel):
            method = "rank"
        elif kernel.swap_invariant:
            method = "antisymmetric"
        else:
            method = "gram"
    if method == "rank" and not isinstance(kernel, AlphaKernel):
        raise ValueError("method: 'rank' needs an AlphaKernel (K_alpha)")
    if method == "antisymmetric" and not kernel.swap_invariant:
        raise ValueError("method: 'antisymmetric' needs a swap-invariant kernel (kappa_1 == kappa_2)")
    route = {
        "rank": lambda rho: _solve_rank(task, kernel, rho),
        "antisymmetric": lambda rho: _solve_antisymmetric(task, kernel, rho),
        "gram": lambda rho: _solve_gram(task, kernel, rho),
        "generic": lambda rho: _solve_gram(task, kernel, rho, field=True),
    }[method]
    values = _with_ridgeless(route, ridge)
    return Predictions(task, values, kernel=kernel, ridge=ridge, method=method)
