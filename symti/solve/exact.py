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

from .._validate import check_ridge, check_task_size
import mpmath

from ..kernels.exchangeable import reduced_alpha_ridge, reduction_applies, to_mpf
from ..kernels.trial import AlphaKernel, ExchangeableKernel, TrialKernel
from ..kernels.psd import check_task_psd
from .linear import ExprBuilder, SingularSystem, canonical_fraction, linear_solve_map, ridgeless_limit
from ..params import memorization
from .predictions import LazyMargins, Predictions
from .rank import RankNumeratorsMu, margins_from_ranks, rank_system
from ..task import Task

__all__ = ["solve_exact", "solve_reduced", "certify_nonzero", "reduced_functions", "rank_differences_mu", "ridge_symbol", "METHODS",
           "SingularSystem", "ALPHA_EFF", "RHO_EFF"]

#: Largest n of the trial-Gram and antisymmetric routes (kernels other than K_alpha) with
#: numeric kernel values and ridge (n = 100: 4.3 s, 0.27 GB; n = 200: 32 s, 1.5 GB on 2 cores).
MAX_N_GENERIC = 100
#: The same with symbols in the kernel or the ridge (n = 20, one symbol: 25 s; n = 16: 11 s).
MAX_N_SYMBOLIC = 20
METHODS = ("auto", "rank", "antisymmetric", "gram", "generic", "reduced")

#: The symbols in which the reduced route solves :math:`K_{\alpha'}` before substituting
#: an irrational :math:`\alpha'` (and :math:`\rho'`).
ALPHA_EFF = sp.Dummy("alpha_eff")
RHO_EFF = sp.Dummy("rho_eff", positive=True)

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
    univariate problem with python-flint's ``fmpz_poly``: the structured solve of
    :class:`symti.solve.rank.RankNumeratorsMu` (continuants of the path plus a
    fraction-free Woodbury update per exception, :math:`O(nk)` polynomial products;
    derivations/theory.md §3), then one gcd per pair.
    Returns ``{(i, j): (N, D)}`` for ``i < j`` (every pair, or the given ``pairs``),
    python-flint ``fmpz_poly`` in :math:`\mu` with ``gcd(N, D) = 1`` and ``D``
    of positive leading coefficient.  Since every root of :math:`\det(L + \mu I)`
    is :math:`\le 0`, :math:`D(\mu) > 0` for :math:`\mu > 0`: the sign of an
    untrained margin is the sign of :math:`N(\mu)`.

    >>> N, D = rank_differences_mu(Task(3))[1, 3]
    >>> N, D
    (2, x + 1)
    """
    R = RankNumeratorsMu(task)
    n = task.n
    if pairs is None:
        pairs = [(i, j) for i in range(1, n + 1) for j in range(i + 1, n + 1)]
    else:
        pairs = list(pairs)
    if len(pairs) > 2 * n:
        R.numerators()  # all items by the linear recurrence
    return {(i, j): R.difference(i, j) for i, j in pairs}


class _MuSubstitution:
    r"""Reduced univariate fractions in :math:`\mu` (python-flint ``fmpz_poly``) with
    :math:`\mu = P/Q` substituted (``P``, ``Q`` coprime polynomials), one pair at a time,
    by homogenisation: :math:`N(P/Q) = Q^{-d}\sum_k c_k P^k Q^{d-k}` -- the results stay
    reduced (a Moebius change of variable)."""

    def __init__(self, P: sp.Expr, Q: sp.Expr):
        dom, (Pe, Qe) = construct_domain([P, Q])
        if not dom.is_Field and dom.domain == sp.ZZ:
            # alpha and rho must be ring elements too (e.g. rho = 1/2 with P = 2 alpha + 1)
            dom = sp.QQ[dom.symbols]
            Pe, Qe = dom.from_sympy(P), dom.from_sympy(Q)
        self.P, self.Q = P, Q
        self.dom = None if dom.is_Field else dom  # None: P, Q not polynomial, SymPy cancels
        if self.dom is not None:
            # scale P and Q by one common integer (mu = P/Q unchanged): integer coefficients
            cP, _ = Pe.clear_denoms()
            cQ, _ = Qe.clear_denoms()
            c = dom.domain.convert(sp.ilcm(int(sp.Rational(dom.domain.to_sympy(cP))), int(sp.Rational(dom.domain.to_sympy(cQ)))))
            self.Pe, self.Qe = Pe * c, Qe * c

    def _flint(self):
        """P, Q and the powers in python-flint's ``fmpq_mpoly`` (fast homogenisation)."""
        import flint

        if not hasattr(self, "_ctx"):
            gens = self.dom.symbols
            self._ctx = flint.fmpq_mpoly_ctx.get(tuple(f"g{k}" for k in range(len(gens))), "lex")
            self.powP = [self._ctx.from_dict({(0,) * len(gens): 1})]
            self.powQ = [self.powP[0]]
            self._fP, self._fQ = self._to_flint(self.Pe), self._to_flint(self.Qe)
        return self._ctx

    def _to_flint(self, elem):
        import flint

        K = self.dom.domain
        out = {}
        for m, c in elem.to_dict().items():
            c = K.to_sympy(c)
            out[tuple(m)] = flint.fmpq(int(c.p), int(c.q))
        return self._ctx.from_dict(out)

    def _from_flint(self, poly):
        QQ = sp.QQ
        return self.dom.ring.from_dict({m: QQ(int(c.p), int(c.q)) for m, c in poly.to_dict().items()})

    def _hom(self, poly, deg: int):
        """:math:`\\sum_k c_k P^k Q^{d-k}` in the ring, by Horner's rule in python-flint:
        :math:`h \\leftarrow h P + c_k Q^{d-k}` from :math:`k = d` down (one product by the
        linear :math:`P` per step)."""
        self._flint()
        while len(self.powQ) <= deg:
            self.powQ.append(self.powQ[-1] * self._fQ)
        c = poly.coeffs()
        acc = self.powQ[0] * 0
        for k in range(len(c) - 1, -1, -1):
            acc = acc * self._fP
            if c[k]:
                acc += self.powQ[deg - k] * int(c[k])
        return self._from_flint(acc)

    def fraction(self, num, den):
        """``(N, D)`` ring elements (or one SymPy expression when ``dom`` is None)."""
        if self.dom is None:
            x = sp.Dummy("mu")
            to = lambda p: sum(int(c) * x**k for k, c in enumerate(p.coeffs()))  # noqa: E731
            return sp.cancel((to(num) / to(den)).subs(x, self.P / self.Q))
        if not num:
            return self.dom.zero, self.dom.one
        dn, dd = num.degree(), den.degree()
        N, D = self._hom(num, dn), self._hom(den, dd)
        if dd > dn:
            N = N * self.Qe ** (dd - dn)
        elif dn > dd:
            D = D * self.Qe ** (dn - dd)
        return N, D


def _lazy_rank_margins(task: Task, alpha, rho) -> LazyMargins:
    r"""Unit weights, symbolic :math:`\alpha` or :math:`\rho`: every margin kept as exact data in
    :math:`\mu` (:class:`~symti.solve.rank.RankNumeratorsMu`) and built as a SymPy
    expression only when asked for.  Trained pairs get :math:`m y + (1 - m) d`,
    :math:`m = \alpha/(\alpha + \rho)` (derivations/theory.md §3)."""
    R = RankNumeratorsMu(task)
    sub = _MuSubstitution(2 * (alpha + rho), 1 - alpha)
    state: dict = {}

    def build(i, j):
        N, D = R.difference(i, j)
        e = task.trained_pair(i, j)
        if sub.dom is None:
            d = sub.fraction(N, D)
            if e is not None:
                m = memorization(alpha, rho, 1)
                d = sp.cancel(m * e.target + (1 - m) * d)
            return d
        dom = sub.dom
        Nr, Dr = sub.fraction(N, D)
        if e is not None:
            if "ar" not in state:
                state["ar"] = (dom.from_sympy(alpha), dom.from_sympy(rho))
            a, r = state["ar"]
            Nr, Dr = (a * e.target * Dr + r * Nr).cancel((a + r) * Dr)
        if not Nr:
            return sp.Integer(0)
        if "build" not in state:
            state["build"] = ExprBuilder(dom)
        return canonical_fraction(dom, Nr, Dr, state["build"])

    def exact_at(point: dict):
        """Exact margins at numbers for every free symbol of alpha and rho (flint, no SymPy)."""
        import flint

        try:
            a, r = sp.sympify(alpha).xreplace(point), sp.sympify(rho).xreplace(point)
        except (TypeError, AttributeError):
            return None
        if not (a.is_Rational and r.is_Rational) or a >= 1 or a < 0 or r < 0 or (a == 0 and r == 0):
            return None
        mu = 2 * (a + r) / (1 - a)
        q = flint.fmpq(int(mu.p), int(mu.q))
        x = [v(q) for v in R.numerators()]
        det = R.det(q)
        Q = lambda f: sp.Rational(int(f.p), int(f.q))  # noqa: E731
        m = a / (a + r)
        out = {}
        for i, j in task.ordered_pairs():
            if i > j:
                continue
            d = Q((x[i - 1] - x[j - 1]) / det)
            e = task.trained_pair(i, j)
            if e is not None:
                d = m * e.target + (1 - m) * d
            out[(i, j)], out[(j, i)] = d, -d
        return out

    return LazyMargins(task.ordered_pairs(), build, exact_at)


def _solve_rank(task: Task, kernel: AlphaKernel, rho):
    alpha = kernel.alpha
    unit = all(e.weight == 1 for e in task.trained_pairs)
    sym = bool(sp.sympify(alpha).free_symbols or sp.sympify(rho).free_symbols)
    if unit and sym and not (alpha == 0 and rho == 0):
        return _lazy_rank_margins(task, alpha, rho)
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
    method : {"auto", "rank", "antisymmetric", "gram", "generic", "reduced"}
        See the module docstring.  ``"auto"`` picks ``"rank"`` for
        :math:`K_\alpha`, ``"reduced"`` (:func:`solve_reduced`) for exchangeable
        kernels with :math:`\kappa_1 = \kappa_2` whose values are irrational
        (networks: no linear solve expands :math:`\pi` or :math:`\arccos`),
        ``"antisymmetric"`` for other swap-invariant kernels and ``"gram"`` otherwise.
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
        check_task_psd(kernel, task)
    if method == "auto":
        if isinstance(kernel, AlphaKernel):
            method = "rank"
        elif _irrational_values(kernel) and reduction_applies(kernel):
            method = "reduced"
        elif kernel.swap_invariant:
            method = "antisymmetric"
        else:
            method = "gram"
    if method == "reduced":
        if not reduction_applies(kernel):
            raise ValueError("method: 'reduced' needs an exchangeable kernel with kappa_1 == kappa_2 and kappa_s < 1")
        return solve_reduced(task, kernel, ridge)
    if method == "rank" and not isinstance(kernel, AlphaKernel):
        raise ValueError("method: 'rank' needs an AlphaKernel (K_alpha)")
    if method == "antisymmetric" and not kernel.swap_invariant:
        raise ValueError("method: 'antisymmetric' needs a swap-invariant kernel (kappa_1 == kappa_2)")
    if method != "rank":
        symbolic = bool(kernel.free_symbols or sp.sympify(ridge).free_symbols)
        check_task_size(task.n, MAX_N_SYMBOLIC if symbolic else MAX_N_GENERIC, f"solve_exact's {method} route",
                        "n = 20 with one symbol takes 25 s" if symbolic else "n = 200 takes 32 s and 1.5 GB; "
                        "K_alpha's rank route has no limit")
    route = {
        "rank": lambda rho: _solve_rank(task, kernel, rho),
        "antisymmetric": lambda rho: _solve_antisymmetric(task, kernel, rho),
        "gram": lambda rho: _solve_gram(task, kernel, rho),
        "generic": lambda rho: _solve_gram(task, kernel, rho, field=True),
    }[method]
    values = _with_ridgeless(route, ridge)  # the rank route's unit-weight margins stay lazy (LazyMargins)
    return Predictions(task, values, kernel=kernel, ridge=ridge, method=method)


def _alpha_like(alpha):
    """The kernel :math:`K_\\alpha` for a rational :math:`\\alpha` (``AlphaKernel`` inside
    :math:`[0, 1]`, the same pattern table as an ``ExchangeableKernel`` above it)."""
    if 0 <= alpha <= 1:
        return AlphaKernel(alpha)
    h = (1 - alpha) / 2
    return ExchangeableKernel(0, h, h, 0, 0)


def _irrational_values(kernel: TrialKernel) -> bool:
    """Does the kernel hold a numeric value that is not rational (pi, radicals, arccos)?"""
    vals = kernel.pattern_values()
    return vals is not None and any(sp.sympify(v).is_number and not sp.sympify(v).is_Rational
                                    for v in vals.values())


def reduced_functions(task: Task, a, r):
    """Margins of :math:`K_\\alpha` in the symbol ``ALPHA_EFF`` (and ``RHO_EFF`` when ``r`` is
    irrational) as ``{(i, j): (numerator, denominator)}`` for ``i < j``, and the point
    ``{symbol: value}`` at which to evaluate them."""
    rs = r if (r.is_Rational or r.free_symbols) else RHO_EFF
    P = solve_exact(task, AlphaKernel(ALPHA_EFF), rs, check=False)
    point = {ALPHA_EFF: a} if rs is r else {ALPHA_EFF: a, RHO_EFF: r}
    return {(i, j): sp.fraction(sp.cancel(P[i, j])) for i, j in task.ordered_pairs() if i < j}, point


def certify_nonzero(den, point: dict) -> None:
    """A denominator evaluated at the (irrational) point -- ``{symbol: mpf}`` at 60 digits,
    computed once -- is certified nonzero at 40 digits."""
    if not den.free_symbols:
        return
    syms = sorted(den.free_symbols, key=str)
    with mpmath.workdps(60):
        v = sp.lambdify(syms, den, modules="mpmath")(*[point[x] for x in syms])
    if abs(v) < mpmath.mpf(10) ** -30:
        raise ValueError(f"kernel: the reduced K_alpha system is (numerically) singular at alpha' = "
                         f"{sp.N(point[ALPHA_EFF], 15)}; use solve_exact(task, kernel, method='gram')")


def solve_reduced(task: Task, kernel: TrialKernel, ridge=0) -> Predictions:
    r"""Exact margins of an exchangeable kernel with :math:`\kappa_1 = \kappa_2`,
    :math:`\kappa_s < 1` through its reduction to :math:`K_{\alpha'}` with ridge
    :math:`\rho'` (``derivations/theory.md`` §2, ``derivations/09_exchangeable.py``):

    .. math::
       \alpha' = 1 - \frac{2(\kappa_1 - \kappa_x)}{1 - \kappa_s}, \qquad \rho' = \frac{\rho}{1-\kappa_s}.

    Rational :math:`\alpha'` is solved directly (for :math:`\alpha' > 1`, possible on PSD
    kernels up to :math:`n/(n-2)`, on the halved antisymmetric system); irrational
    :math:`\alpha'` (network kernels: values with :math:`\pi`, radicals, :math:`\arccos`) by
    solving in a symbol and substituting, each denominator certified nonzero at 40 digits --
    so no linear solve ever expands those values.

    >>> from symti.kernels.networks import network_kernel
    >>> P = solve_reduced(Task(9, exceptions=[(4, 6)]), network_kernel(1))
    >>> P.method, sp.N(P[3, 6], 20)
    ('reduced', -0.037007271963649981770)
    """
    ridge = check_ridge(ridge)
    a, r = reduced_alpha_ridge(kernel, ridge)
    if a.is_Rational and (r.is_Rational or r.free_symbols):
        P = solve_exact(task, _alpha_like(a), r, check=False)
        return Predictions(task, dict(P.items()), kernel=kernel, ridge=ridge, method="reduced")
    if a.free_symbols or (r.free_symbols and not r.is_Rational):
        P = solve_exact(task, AlphaKernel(ALPHA_EFF), RHO_EFF if not r.is_Rational else r, check=False)
        point = {ALPHA_EFF: a, RHO_EFF: r}
        values = {k: sp.cancel(v.subs(point)) if a.free_symbols else v.subs(point) for k, v in P.items()}
        return Predictions(task, values, kernel=kernel, ridge=ridge, method="reduced")
    fns, point = reduced_functions(task, a, r)
    mp_point = {x: to_mpf(v, 60) for x, v in point.items()}  # nested arccos: evaluated once, not per pair
    values = {}
    for (i, j), (num, den) in fns.items():
        certify_nonzero(den, mp_point)
        v = num.xreplace(point) / den.xreplace(point)
        values[(i, j)], values[(j, i)] = v, -v
    return Predictions(task, values, kernel=kernel, ridge=ridge, method="reduced",
                       exact=not any(v.has(sp.Float) for v in (a, r)))
