r"""Learning dynamics: gradient flow of the squared loss from zero.

Gradient flow on :math:`\tfrac12\sum_x w_x (f(x) - y_x)^2` in the RKHS of a
trial kernel :math:`K`, started at :math:`f_0 = 0`, moves the training
predictions by :math:`\dot f(X) = K W (y - f(X))` (the time unit of
derivations/theory.md §3).  With :math:`\tilde K = W^{1/2} K W^{1/2}` the solution is

.. math::
   f_t(p) = K(p, X)\, W^{1/2} \varphi_t(\tilde K)\, W^{1/2} y, \qquad
   \varphi_t(x) = \frac{1 - e^{-x t}}{x}\ (\varphi_t(0) = t),

so that on the training set (unit weights) :math:`f_t(X) = (I - e^{-Kt}) y`
and :math:`f_t \to K(\cdot, X) K^+ y`, the ridgeless KRR solution, as
:math:`t \to \infty`.

**The rank form for** :math:`K_\alpha` (unit weights).  On the
antisymmetric subspace the Gram matrix is :math:`K_r = \tfrac{1-\alpha}{2}
BB^\top + \alpha I` (:math:`B` the signed edge-item incidence matrix, see
:mod:`symti.solve.rank`).  Write :math:`b = B^\top y`, :math:`L = B^\top B`,
:math:`M = \alpha I + \tfrac{1-\alpha}{2} L` and split the targets into a
gradient and a cycle part, :math:`y = Bz + y_c` with :math:`z = L^+ b` and
:math:`B^\top y_c = 0`.  Then, since :math:`B^\top \varphi(K_r) =
\varphi(M) B^\top` and :math:`K_r y_c = \alpha y_c`,

.. math::
   r_t = \tfrac{1-\alpha}{2}\, \varphi_t(M)\, b, \qquad
   f_t(i,j) = r_{t,i} - r_{t,j} \ \text{(untrained)},

.. math::
   f_t(e) = y_e - (e_i - e_j)^\top e^{-Mt} z - e^{-\alpha t} (y_c)_e
   \ \text{(trained } e = (i,j)\text{)}.

The cycle part of the targets -- what an exception adds that no item
ordering can express -- is learned only by the conjunctive features, at the
single rate :math:`\alpha`; the rest at the rates
:math:`\alpha + \tfrac{1-\alpha}{2}\ell_k` of the graph Laplacian's
eigenvalues :math:`\ell_k`.  As :math:`t\to\infty`, :math:`r_t \to (L + \mu
I)^{-1} b` with :math:`\mu = 2\alpha/(1-\alpha)`: the ridgeless rank system.

**Memorizing an exception.**  Since :math:`e^{-Mt} = e^{-\alpha t}
e^{-\tau L}` with :math:`\tau = (1-\alpha)t/2`, the margin of an exception
:math:`\{u, v\}` (trained as :math:`f(v, u) = 1`) is exactly

.. math::
   f_t(v, u) = 1 - e^{-\alpha t}\bigl(c - h(\tau)\bigr), \qquad
   c = -(y_c)_{(u,v)}, \quad h(\tau) = (e_u - e_v)^\top e^{-\tau L} z,

where :math:`c` is the exception's cyclic part (:math:`c = 1` for a single
exception: its whole target is cyclic) and :math:`h` the additive transient,
a heat flow on the training graph that does not depend on :math:`\alpha`
(:math:`h(0) = c - 1`, :math:`h(\infty) = 0`; :math:`h \ge 0` for a single
exception, where it rises like :math:`2\tau` -- early in learning the
additive features push :math:`u` down and :math:`v` up).  The margin
reaches ``level`` for good at the last root :math:`t^*` of
:math:`\alpha t = \log\bigl((c - h(\tau))/(1 - \text{level})\bigr)`
(:func:`memorization_time`).  For a single exception
:math:`t^* \le \log(1/(1-\text{level}))/\alpha` (the cycle part alone,
at rate :math:`\alpha`), with :math:`\alpha t^* \to \log(1/(1-\text{level}))`
as :math:`\alpha \to 0`; but once :math:`\alpha` is large enough that the
transient :math:`h` carries the margin past ``level`` until the cycle part
takes over, :math:`t^*` is of order 1 -- for ``Task(9, [(4, 6)])`` and level
1/2: :math:`t^* = 69.07` at :math:`\alpha = 0.01` (bound 69.31), but 1.25 at
:math:`\alpha = 0.05` (bound 13.86).

**TI** (no exception): :math:`L` is the path Laplacian with eigenvalues
:math:`\ell_k = 2 - 2\cos(k\pi/n)` and eigenvectors
:math:`\cos(k\pi(i - \tfrac12)/n)`, :math:`b = e_1 - e_n` excites only odd
:math:`k`, and

.. math::
   r_{t,i} = \frac{2(1-\alpha)}{n} \sum_{k \text{ odd}} \varphi_t(x_k)
   \cos\frac{k\pi}{2n} \cos\frac{k\pi(2i-1)}{2n}, \qquad
   x_k = \alpha + (1-\alpha)\Bigl(1 - \cos\frac{k\pi}{n}\Bigr)

(:func:`ti_flow_rank`, :func:`ti_flow_margin`; ``derivations/08_dynamics.py``
derives it).

Routes: :func:`flow_numpy` (any kernel, float64, many times at once),
:func:`flow_mpmath` (any kernel, any precision), :func:`flow_exact` (exact
SymPy expressions in :math:`t` for :math:`K_\alpha`),
:func:`alpha_flow_numpy` (the fast rank form), :func:`ti_flow_margin` /
:func:`ti_flow_numpy` (the Fourier closed form), and
:func:`exception_time_course` (memorizing the exception versus errors on
test pairs) with :func:`memorization_time` (when the exception's margin
passes a level, from its closed form).

>>> import sympy as sp
>>> from symti import Task, AlphaKernel
>>> t = sp.Symbol("t", nonnegative=True)
>>> P = flow_exact(Task(3), sp.Rational(1, 3), t)
>>> P[1, 3]
1 - exp(-2*t/3)
>>> P[1, 2]
1 - exp(-2*t/3)

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction" (gradient flow).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp

from .._validate import as_exact, as_expr, check_alpha, check_digits, check_n, check_task_size
from ..kernels.trial import AlphaKernel, TrialKernel
from ..kernels.psd import check_task_psd
from .numeric import (FLOAT_TOL, _EPS, PrecisionError, _certified, _exact_system, _mp_converter, _mp_krr_at,
                      _mp_refusal, gram_structure, spectral_dual_mp, training_system)
from .predictions import Predictions, pair_matrix
from ..task import Task

__all__ = [
    "phi",
    "flow_numpy",
    "flow_mpmath",
    "flow_exact",
    "alpha_flow_numpy",
    "ti_flow_rank",
    "ti_flow_margin",
    "ti_flow_numpy",
    "cycle_split",
    "memorization_time",
    "TimeCourse",
    "exception_time_course",
]


# ----------------------------------------------------------------- helpers
#: Largest n of :func:`flow_numpy` (n = 100: 12 s; n = 200: 86 s on 2 cores).
MAX_N_FLOW_NUMPY = 100
#: Largest n of :func:`flow_mpmath` (n = 30 at 30 digits: 14 s; n = 60: 108 s).
MAX_N_FLOW_MPMATH = 30


def phi(x, t):
    r""":math:`\varphi_t(x) = (1 - e^{-xt})/x`, with :math:`\varphi_t(0) = t` (exact).

    >>> t = sp.Symbol("t")
    >>> phi(0, t), phi(2, t)
    (t, 1/2 - exp(-2*t)/2)
    """
    x, t = as_expr(x, "x"), as_expr(t, "t")
    if x == 0:
        return t
    return sp.expand((1 - sp.exp(-x * t)) / x)


def _phi_np(lam: np.ndarray, times: np.ndarray) -> np.ndarray:
    """:math:`\\varphi_t(\\lambda)` for every time (rows) and eigenvalue (columns), stable."""
    lam = np.asarray(lam, dtype=float)[None, :]
    tt = np.asarray(times, dtype=float)[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = -np.expm1(-lam * tt) / lam
    small = np.abs(lam * np.ones_like(tt)) < 1e-300
    return np.where(small, tt * np.ones_like(lam), out)


def _check_times(times, name: str = "times") -> np.ndarray:
    arr = np.atleast_1d(np.asarray(times, dtype=float))
    if arr.ndim != 1:
        raise ValueError(f"{name}: must be a number or a 1-d sequence of times >= 0")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name}: every time must be finite and >= 0, got {times!r}")
    return arr


def _check_time_exact(t, name: str = "t"):
    if t is sp.oo:
        return t
    v = as_exact(t, name)
    if v.is_number and v.is_negative:
        raise ValueError(f"{name}: must be >= 0, got {v}")
    return v


# ----------------------------------------------------------- general kernels
def flow_numpy(task: Task, kernel: TrialKernel, times, subs: dict | None = None) -> np.ndarray:
    r"""Gradient-flow margins for many times at once, any kernel (float64).

    Eigendecomposes :math:`\tilde K = W^{1/2} K W^{1/2}` once and returns an
    array of shape ``(len(times), n, n)`` with ``[k, i-1, j-1]`` =
    :math:`f_{t_k}(i, j)`.  The structural zero eigenvalues -- as many as the
    exact Gram matrix's rank deficiency
    (:func:`~symti.solve.numeric.gram_structure`) -- are dropped (their
    eigenvectors move no prediction of a positive semidefinite kernel);
    every other eigenvalue is kept, however small.

    Precision: an eigenvalue error of :math:`\epsilon\|\tilde K\|` moves
    :math:`f_t` by about :math:`\epsilon \|\tilde K\| \min(t,
    1/\lambda_{\min})`; when :math:`4 \epsilon \|\tilde K\| \min(t_{\max},
    1/\lambda_{\min})` exceeds ``FLOAT_TOL`` (:math:`10^{-8}`) the route
    raises ``PrecisionError`` (a ``ValueError``) naming ``times`` (use :func:`flow_mpmath`).  The
    kernel is checked positive semidefinite (after ``subs``).

    >>> from symti import Task, AlphaKernel
    >>> M = flow_numpy(Task(3), AlphaKernel("1/3"), [0, 1e9])
    >>> float(M[0, 0, 2]), round(float(M[1, 0, 2]), 12)
    (0.0, 1.0)
    >>> flow_numpy(Task(5, exceptions=[(1, 3)]), AlphaKernel("1e-12"), [1e12])
    Traceback (most recent call last):
    ...
    symti.solve.numeric.PrecisionError: times: 1e+12 is too late for the float64 flow of this kernel (eigenvalues of W^1/2 K W^1/2 down to 1e-12: error estimate ..., above 1e-08); use flow_mpmath or earlier times
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    times = _check_times(times)
    check_task_size(task.n, MAX_N_FLOW_NUMPY, "flow_numpy", "n = 200 takes 86 s")
    check_task_psd(kernel, task, subs=subs)
    K, Ks, y, w = training_system(task, kernel, subs)
    rank, _ = gram_structure(task, kernel, subs)
    K = np.array(K.evalf(), dtype=float)
    Ks = np.array(Ks.evalf(), dtype=float)
    y = np.array(y, dtype=float).ravel()
    s = np.sqrt(np.array(w.evalf(), dtype=float).ravel())
    lam, Q = np.linalg.eigh(s[:, None] * K * s[None, :])
    m = len(lam)
    norm = float(np.abs(lam).max()) if m else 0.0
    lam, Q = lam[m - rank:], Q[:, m - rank:]
    if rank:
        tmax = float(times.max())
        lam_min = float(lam[0])
        est = 4 * _EPS * norm * (min(tmax, 1 / lam_min) if lam_min > 0 else tmax)
        if not est <= FLOAT_TOL:
            raise PrecisionError(
                f"times: {tmax:.3g} is too late for the float64 flow of this kernel (eigenvalues of W^1/2 K W^1/2 "
                f"down to {lam_min:.3g}: error estimate {est:.2g}, above {FLOAT_TOL:g}); "
                "use flow_mpmath or earlier times")
    proj = Q.T @ (s * y)  # coordinates of W^{1/2} y
    C = (_phi_np(lam, times) * proj[None, :]) @ Q.T  # (T, m): varphi(K~) W^{1/2} y
    F = (C * s[None, :]) @ Ks.T  # (T, pairs)
    return pair_matrix(task, np.asarray(F))


def flow_mpmath(task: Task, kernel: TrialKernel, t, dps: int = 30, subs: dict | None = None) -> Predictions:
    r"""Gradient-flow margins at one time ``t`` to ``dps`` digits (any kernel), certified.

    At a working precision of :math:`p` digits: mpmath's symmetric
    eigendecomposition of :math:`\tilde K = W^{1/2} K W^{1/2}`, dropping only
    the structural zeros (as many as the exact Gram matrix's rank deficiency,
    :func:`~symti.solve.numeric.gram_structure`), and
    :math:`f_t = K(\cdot, X) W^{1/2} \varphi_t(\tilde K) W^{1/2} y`.
    ``t = mpmath.inf`` (or ``sympy.oo``) gives the ridgeless KRR limit,
    computed as :func:`~symti.solve.numeric.solve_mpmath` does (LU or the
    bordered system).  Precision as in ``solve_mpmath``: solved at two working
    precisions, raised until they agree to ``dps + 3`` digits relative to
    :math:`\max(1, \max|f|)`, up to ``dps + 1000`` digits (beyond: ``PrecisionError``, a ``ValueError``).
    The kernel is checked positive semidefinite (after ``subs``).

    >>> from symti import Task, AlphaKernel
    >>> P = flow_mpmath(Task(3), AlphaKernel("1/3"), 2, dps=25)
    >>> with mpmath.workdps(25):
    ...     print(mpmath.nstr(P[1, 3], 22), mpmath.nstr(1 - mpmath.exp(mpmath.mpf(-4) / 3), 22))
    0.736402861884273229921 0.736402861884273229921
    """
    dps = check_digits(dps, "dps")
    check_task_size(task.n, MAX_N_FLOW_MPMATH, "flow_mpmath", "n = 60 takes 110 s at 30 digits")
    inf = t is sp.oo or t == mpmath.inf
    if not inf:
        t = _check_time_exact(t)
        if sp.sympify(t).free_symbols:
            raise ValueError(f"t: flow_mpmath needs a number, got {t}")
    check_task_psd(kernel, task, subs=subs)
    G, Gs, y, w, (rank, null) = _exact_system(task, kernel, subs)
    fail = _mp_refusal(kernel, subs, 0, dps, "flow_mpmath")
    if inf:
        f = _certified(lambda p: _mp_krr_at(G, Gs, y, w, 0, rank, null, p), dps, fail)
    else:
        def at(p):
            conv = _mp_converter()
            with mpmath.workdps(p):
                Km = mpmath.matrix([[conv(x) for x in row] for row in G])
                tm = conv(sp.sympify(t))
                g = lambda e: tm if e == 0 else -mpmath.expm1(-e * tm) / e  # noqa: E731
                c = spectral_dual_mp(Km, [int(v) for v in y], [conv(sp.sympify(v)) for v in w], g, p, rank=rank)
                return [mpmath.fsum(conv(row[a]) * c[a] for a in range(len(c))) for row in Gs]
        f = _certified(at, dps, fail)
    with mpmath.workdps(dps):
        vals = {p: +v for p, v in zip(task.ordered_pairs(), f)}
    return Predictions(task, vals, kernel=kernel, ridge=0, method=f"flow-mpmath{dps}", exact=False)


# ------------------------------------------------------------ the rank form
def _unit_alpha(task: Task, alpha):
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if task.is_weighted:
        raise ValueError("task: the rank form of the flow needs unit training weights (use flow_numpy / flow_mpmath)")
    return check_alpha(alpha)


def _incidence(task: Task) -> tuple[sp.Matrix, sp.Matrix]:
    E = task.trained_pairs
    B = sp.Matrix(len(E), task.n, lambda a, k: int(k + 1 == E[a].i) - int(k + 1 == E[a].j))
    y = sp.Matrix([e.target for e in E])
    return B, y


def cycle_split(task: Task) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    r"""Split the targets :math:`y = Bz + y_c` (exact): returns ``(b, z, y_c)``.

    :math:`b = B^\top y`, :math:`z = L^+ b` (mean zero) is the best item
    ordering, :math:`y_c` (orthogonal to every :math:`B` column, i.e. a
    circulation) the part no ordering can express.  Edges are the task's
    ``trained_pairs`` oriented ``(i, j)``, ``i < j``.

    >>> b, z, yc = cycle_split(Task(4, exceptions=[(1, 3)]))
    >>> list(yc), list(z)
    ([1, 1, 0, -1], [1/4, 1/4, 1/4, -3/4])
    """
    B, y = _incidence(task)
    b = B.T * y
    L = B.T * B
    n = task.n
    one = sp.ones(n, 1)
    # L + J/n is invertible on a connected graph and agrees with L^+ on mean-zero vectors
    z = (L + one * one.T / n).LUsolve(b)
    yc = y - B * z
    return b, z, yc


def _exact_spectrum(L: sp.Matrix):
    """Eigenvalues and orthogonal projectors of an integer symmetric matrix
    (eigenvalues of degree <= 2 over Q only: cubic factors with three real
    roots would need complex radicals)."""
    _, factors = L.charpoly().factor_list()
    if any(f.degree() > 2 for f, _ in factors):
        raise ValueError(
            "task: the graph Laplacian of this task has eigenvalues of degree > 2 over Q; "
            "flow_exact supports degree <= 2 (use ti_flow_margin for TI, flow_mpmath for any precision)"
        )
    out = []
    for val, mult, vecs in L.eigenvects():
        V = sp.Matrix.hstack(*vecs)
        P = V * (V.T * V).inv() * V.T
        out.append((sp.nsimplify(val) if val.is_Rational else val, P.applyfunc(sp.radsimp)))
    return out


def flow_exact(task: Task, alpha, t) -> Predictions:
    r"""Exact gradient-flow margins of :math:`K_\alpha` (unit weights) as SymPy
    expressions in the time ``t`` (a symbol or an exact number).

    Uses the rank form of the module docstring with the exact
    eigendecomposition of the graph Laplacian (SymPy ``eigenvects``).  Only
    Laplacians whose characteristic polynomial splits into factors of degree
    at most 2 over :math:`\mathbb{Q}` are supported (e.g. TI up to
    :math:`n = 6`, ``Task(5, [(2, 4)])``); otherwise a ``ValueError`` points to
    :func:`ti_flow_margin` (TI, any ``n``) and :func:`flow_mpmath` (any task, any
    precision).  ``alpha``
    may be rational or a symbol; ``t = sympy.oo`` gives the ridgeless limit.

    >>> t = sp.Symbol("t", nonnegative=True)
    >>> P = flow_exact(Task(4, exceptions=[(1, 3)]), sp.Rational(1, 2), t)
    >>> P[3, 1].subs(t, 0), sp.limit(P[3, 1], t, sp.oo)
    (0, 1)
    """
    alpha = _unit_alpha(task, alpha)
    t = _check_time_exact(t)
    B, y = _incidence(task)
    b, z, yc = cycle_split(task)
    L = B.T * B
    half = (1 - alpha) / 2
    r = sp.zeros(task.n, 1)
    decay = sp.zeros(task.n, 1)
    for ell, P in _exact_spectrum(L):
        x = alpha + half * ell
        Pb, Pz = P * b, P * z
        if t is sp.oo:
            g, d = (sp.Integer(0) if Pb.is_zero_matrix else 1 / x), sp.Integer(0)
        else:
            g, d = phi(x, t), sp.exp(-x * t)
        r += half * g * Pb
        decay += d * Pz
    ec = sp.Integer(0) if t is sp.oo else sp.exp(-alpha * t)
    vals = {}
    for i, j in task.ordered_pairs():
        if i > j:
            continue
        e = task.trained_pair(i, j)
        if e is None:
            v = r[i - 1] - r[j - 1]
        else:
            k = task.trained_pairs.index(e)
            v = y[k] - (decay[i - 1] - decay[j - 1]) - ec * yc[k]
        v = sp.expand(v)
        vals[(i, j)], vals[(j, i)] = v, -v
    return Predictions(task, vals, kernel=AlphaKernel(alpha), ridge=0, method="flow-exact")


class _AlphaFlow:
    """Float64 rank form of the flow for one task and alpha (eigendecomposition cached)."""

    def __init__(self, task: Task, alpha: float):
        B, y = _incidence(task)
        self.task = task
        self.alpha = a = float(alpha)
        Bn = np.array(B, dtype=float)
        yn = np.array(y, dtype=float).ravel()
        L = Bn.T @ Bn
        ell, U = np.linalg.eigh(L)
        ell[np.abs(ell) < 1e-9] = 0.0
        self.ell, self.U = ell, U
        self.b = Bn.T @ yn
        nz = ell > 0
        self.z = U[:, nz] @ ((U[:, nz].T @ self.b) / ell[nz])
        self.yc = yn - Bn @ self.z
        self.rates = a + (1 - a) / 2 * ell
        self.pairs = [(i, j) for i in range(1, task.n + 1) for j in range(i + 1, task.n + 1)]
        self.trained = {e.key: (k, e) for k, e in enumerate(task.trained_pairs)}
        self.y = yn

    def ranks(self, times: np.ndarray) -> np.ndarray:
        a = self.alpha
        coef = self.U.T @ self.b
        return ((1 - a) / 2 * _phi_np(self.rates, times) * coef[None, :]) @ self.U.T  # (T, n)

    def margins(self, times) -> np.ndarray:
        times = _check_times(times)
        R = self.ranks(times)
        coefz = self.U.T @ self.z
        Dz = (np.exp(-np.outer(times, self.rates)) * coefz[None, :]) @ self.U.T  # e^{-Mt} z
        ec = np.exp(-self.alpha * times)
        n = self.task.n
        out = np.zeros((len(times), n, n))
        for i, j in self.pairs:
            hit = self.trained.get((i, j))
            if hit is None:
                v = R[:, i - 1] - R[:, j - 1]
            else:
                k, e = hit
                v = self.y[k] - (Dz[:, i - 1] - Dz[:, j - 1]) - ec * self.yc[k]
            out[:, i - 1, j - 1] = v
            out[:, j - 1, i - 1] = -v
        return out


def alpha_flow_numpy(task: Task, alpha, times) -> np.ndarray:
    r"""The rank form of the flow for :math:`K_\alpha` (unit weights), float64,
    shape ``(len(times), n, n)``; costs one ``n x n`` eigendecomposition.

    >>> M = alpha_flow_numpy(Task(9, exceptions=[(4, 6)]), 0.2, [0.5, 1e6])
    >>> [round(float(x), 6) for x in M[:, 2, 5]]   # (3, 6): wrong early, wrong at the end
    [-0.144458, -0.122449]
    """
    alpha = _unit_alpha(task, alpha)
    a = float(alpha)
    return _AlphaFlow(task, a).margins(times)


def memorization_time(task: Task, alpha, level: float = 0.5) -> dict:
    r"""When each exception's margin passes ``level`` for good, from its closed form.

    With :math:`f_t(v, u) = 1 - e^{-\alpha t}(c - h((1-\alpha)t/2))` (module
    docstring: :math:`c` the exception's cyclic part, learned at rate
    :math:`\alpha`; :math:`h(\tau) = (e_u - e_v)^\top e^{-\tau L} z` the additive
    transient, independent of :math:`\alpha`), returns ``{(v, u): t*}`` with
    :math:`t^*` the last root of

    .. math::
       \alpha t = \log\frac{c - h\bigl(\tfrac{1-\alpha}{2} t\bigr)}{1 - \text{level}}

    (``0.0`` if the margin never drops below ``level`` after :math:`t = 0`).
    Beyond :math:`T = \log((|c| + \sum_k |a_k|)/(1-\text{level}))/\alpha`,
    :math:`h(\tau) = \sum_k a_k e^{-\ell_k\tau}`, the margin stays above the
    level, so the root is searched on a fine grid of :math:`[0, T]` and
    refined with Brent's method.  For a single exception (:math:`c = 1`,
    :math:`h \ge 0`), :math:`t^* \le \log(1/(1-\text{level}))/\alpha`.

    >>> T = Task(9, exceptions=[(4, 6)])
    >>> [round(memorization_time(T, a)[(6, 4)], 2) for a in (0.01, 0.05, 0.2)]
    [69.07, 1.25, 0.94]
    >>> [round(math.log(2) / a, 2) for a in (0.01, 0.05, 0.2)]   # the cycle part alone
    [69.31, 13.86, 3.47]
    """
    from scipy.optimize import brentq

    alpha = _unit_alpha(task, alpha)
    a = float(alpha)
    if not 0 < a < 1:
        raise ValueError(f"alpha: must lie in (0, 1) for a memorization time, got {alpha}")
    if not (isinstance(level, (int, float)) and 0 <= level < 1):
        raise ValueError(f"level: must be a number in [0, 1), got {level!r}")
    if not task.exceptions:
        raise ValueError("task: needs at least one exception for a memorization time")
    flow = _AlphaFlow(task, a)
    index = {e.key: k for k, e in enumerate(task.trained_pairs)}
    out = {}
    for u, v in task.exceptions:
        c = -float(flow.yc[index[(u, v)]])
        s = np.zeros(task.n)
        s[u - 1], s[v - 1] = 1.0, -1.0
        coef = (flow.U.T @ s) * (flow.U.T @ flow.z)

        def gap(tt, c=c, coef=coef):  # f_t(v, u) - level
            tau = (1 - a) * np.asarray(tt, dtype=float) / 2
            h = np.exp(-np.multiply.outer(tau, flow.ell)) @ coef
            return 1 - np.exp(-a * np.asarray(tt, dtype=float)) * (c - h) - level

        top = math.log(max(abs(c) + float(np.abs(coef).sum()), 1.0) / (1 - level)) / a
        grid = np.unique(np.concatenate([np.linspace(0, top, 4001), np.geomspace(1e-6, top, 2001)]))
        vals = gap(grid)
        below = np.nonzero(vals < 0)[0]
        if len(below) == 0:
            out[(v, u)] = 0.0
            continue
        k = int(below[-1])
        if k + 1 >= len(grid):  # cannot happen: gap(top) > 0
            raise RuntimeError("memorization_time: no crossing before the bound")
        out[(v, u)] = float(brentq(lambda tt: float(gap(tt)), grid[k], grid[k + 1],
                                   xtol=1e-14 * max(1.0, grid[k + 1]), rtol=1e-13))
    return out


# ------------------------------------------------------------ TI closed form
def ti_flow_rank(n: int, i: int, alpha, t) -> sp.Expr:
    r"""TI rank :math:`r_{t,i}` as the finite Fourier sum (exact SymPy).

    .. math::
       r_{t,i} = \frac{2(1-\alpha)}{n} \sum_{k \text{ odd} < n} \varphi_t(x_k)
       \cos\frac{k\pi}{2n} \cos\frac{k\pi(2i-1)}{2n},\qquad
       x_k = \alpha + (1-\alpha)(1 - \cos\tfrac{k\pi}{n}).

    >>> t = sp.Symbol("t")
    >>> ti_flow_rank(2, 1, sp.Rational(1, 3), t).expand()
    1/3 - exp(-t)/3
    """
    n = check_n(n)
    if not (isinstance(i, int) and 1 <= i <= n):
        raise ValueError(f"i: must be an integer item in 1..{n}, got {i!r}")
    alpha = check_alpha(alpha)
    t = _check_time_exact(t)
    total = sp.Integer(0)
    for k in range(1, n, 2):
        x = alpha + (1 - alpha) * (1 - sp.cos(k * sp.pi / n))
        g = 1 / x if t is sp.oo else phi(x, t)
        total += g * sp.cos(k * sp.pi / (2 * n)) * sp.cos(k * sp.pi * (2 * i - 1) / (2 * n))
    return 2 * (1 - alpha) / n * total


def ti_flow_margin(n: int, i: int, j: int, alpha, t) -> sp.Expr:
    r"""TI gradient-flow margin :math:`f_t(i, j)` in closed form (exact SymPy).

    Untrained pairs: :math:`r_{t,i} - r_{t,j}`.  Premise pairs
    :math:`(i, i+1)`: :math:`1 - [e^{-Mt} z]_i + [e^{-Mt} z]_{i+1}` with
    :math:`z_i = \tfrac{n+1}{2} - i`, i.e.

    .. math::
       f_t(i, i+1) = 1 - \frac{2}{n} \sum_{k=1}^{n-1} e^{-x_k t}\,
       \hat z_k \bigl(\cos\tfrac{k\pi(2i-1)}{2n} - \cos\tfrac{k\pi(2i+1)}{2n}\bigr),
       \qquad \hat z_k = \sum_{l=1}^n z_l \cos\tfrac{k\pi(2l-1)}{2n}.

    >>> t = sp.Symbol("t")
    >>> sp.simplify(ti_flow_margin(3, 1, 3, sp.Rational(1, 3), sp.oo))
    1
    """
    n = check_n(n)
    for name, x in (("i", i), ("j", j)):
        if not (isinstance(x, int) and 1 <= x <= n):
            raise ValueError(f"{name}: must be an integer item in 1..{n}, got {x!r}")
    if i == j:
        raise ValueError(f"(i, j): a trial needs two different items, got ({i}, {j})")
    if i > j:
        return -ti_flow_margin(n, j, i, alpha, t)
    alpha = check_alpha(alpha)
    t = _check_time_exact(t)
    if j - i >= 2:
        return ti_flow_rank(n, i, alpha, t) - ti_flow_rank(n, j, alpha, t)
    if t is sp.oo:
        return sp.Integer(1)
    total = sp.Integer(0)
    for k in range(1, n):
        x = alpha + (1 - alpha) * (1 - sp.cos(k * sp.pi / n))
        zk = sum((sp.Rational(n + 1, 2) - l) * sp.cos(k * sp.pi * (2 * l - 1) / (2 * n)) for l in range(1, n + 1))
        total += sp.exp(-x * t) * zk * (sp.cos(k * sp.pi * (2 * i - 1) / (2 * n)) - sp.cos(k * sp.pi * (2 * i + 1) / (2 * n)))
    return 1 - sp.Rational(2, n) * total


def ti_flow_numpy(n: int, alpha, times) -> np.ndarray:
    r"""The TI Fourier closed form in float64 for many times: shape ``(len(times), n, n)``.

    >>> M = ti_flow_numpy(3, 1/3, [1e9])
    >>> round(float(M[0, 0, 2]), 12)
    1.0
    """
    n = check_n(n)
    a = float(check_alpha(alpha))
    times = _check_times(times)
    k = np.arange(1, n)
    x = a + (1 - a) * (1 - np.cos(k * np.pi / n))
    i = np.arange(1, n + 1)
    C = np.cos(np.outer(k, 2 * i - 1) * np.pi / (2 * n))  # (k, i)
    odd = (k % 2 == 1).astype(float)
    wgt = odd * np.cos(k * np.pi / (2 * n))
    R = 2 * (1 - a) / n * (_phi_np(x, times) * wgt[None, :]) @ C  # (T, n)
    zk = C @ ((n + 1) / 2 - i)
    D = 2 / n * (np.exp(-np.outer(times, x)) * zk[None, :]) @ C  # e^{-Mt} z, (T, n)
    out = R[:, :, None] - R[:, None, :]
    for a_ in range(n - 1):
        v = 1 - (D[:, a_] - D[:, a_ + 1])
        out[:, a_, a_ + 1] = v
        out[:, a_ + 1, a_] = -v
    return out


# -------------------------------------------------- exception time course
@dataclass
class TimeCourse:
    r"""Time course of the flow on a task with exceptions.

    ``times``: the grid; ``exception``: ``{(v, u): margins}`` (positive =
    right); ``tests``: ``{(i, j): signed margins}`` for every test pair (untrained,
    with ground truth; ``i < j``) with the sign chosen so that positive =
    correct (ground truth times margin); ``boundary``: the boundary pairs among
    them; ``memorized_at``: ``{(v, u): first time after which the exception's
    margin stays >= level}`` (``None`` if it never does); ``wrong_intervals``:
    ``{(i, j): [(t0, t1), ...]}`` where a test pair is wrong (``t1 = inf`` if
    it stays wrong); ``first_error``: ``(time, pair)`` of the first error on a
    test pair (``None`` if none); ``last_fix``: the time after which the test
    pair errors that do not persist have all been corrected (``None`` if none
    is corrected); ``persistent``: test pairs (of every category: boundary,
    between, within) still wrong at the end of the grid -- with the default
    grid, as :math:`t \to \infty`: the ridgeless KRR errors.
    """

    task: Task
    alpha: float
    level: float
    times: np.ndarray
    exception: dict = field(default_factory=dict)
    tests: dict = field(default_factory=dict)
    boundary: dict = field(default_factory=dict)
    memorized_at: dict = field(default_factory=dict)
    wrong_intervals: dict = field(default_factory=dict)
    first_error: tuple | None = None
    last_fix: float | None = None
    persistent: list = field(default_factory=list)


def _crossings(fun, grid: np.ndarray, vals: np.ndarray) -> list[tuple[float, int]]:
    """Sign changes of ``fun`` on the grid, refined with Brent's method.
    Returns ``(time, new_sign)``."""
    from scipy.optimize import brentq

    out = []
    s = np.sign(vals)
    for k in range(len(grid) - 1):
        if s[k] != s[k + 1] and s[k + 1] != 0:
            if s[k] == 0:
                out.append((float(grid[k]), int(s[k + 1])))
                continue
            root = brentq(fun, grid[k], grid[k + 1], xtol=1e-14 * max(1.0, grid[k + 1]), rtol=1e-13)
            out.append((float(root), int(s[k + 1])))
    return out


def _intervals_below(fun, grid, vals) -> list[tuple[float, float]]:
    """Maximal intervals of the grid's span where ``fun < 0`` (ends refined)."""
    intervals, start = [], None
    if vals[0] < 0:
        start = float(grid[0])
    for tt, s in _crossings(fun, grid, vals):
        if s < 0:
            start = tt
        elif start is not None:
            intervals.append((start, tt))
            start = None
    if start is not None:
        intervals.append((start, math.inf))
    return intervals


def exception_time_course(task: Task, alpha, times=None, tmax: float | None = None, points: int = 400,
                          level: float = 0.5) -> TimeCourse:
    r"""Memorizing the exceptions versus errors on test pairs during the flow.

    For :math:`K_\alpha` (unit weights) on ``task``: the margins of each
    exception :math:`(v, u)` and of every test pair (untrained, with ground
    truth: boundary, between and within pairs) over time, the time after
    which each exception's margin stays above ``level``, and the time
    intervals in which each test pair is wrong.  The memorization time is the
    last root :math:`t^*` of :math:`\alpha t = \log((c - h((1-\alpha)t/2))/(1 -
    \text{level}))` (module docstring; :func:`memorization_time`): for a single
    exception at most :math:`\log(1/(1-\text{level}))/\alpha` -- the cycle
    part :math:`y_c` alone, learned at rate :math:`\alpha` -- and close to it
    only for small :math:`\alpha`; for larger :math:`\alpha` the additive
    transient :math:`h` carries the margin past the level early and
    :math:`t^*` is of order 1 (1.25 instead of 13.9 at :math:`\alpha = 0.05`
    for ``Task(9, [(4, 6)])``).  Crossing times are refined to double precision with Brent's
    method on the rank form.  The default grid is :math:`t = 0` and
    ``points`` log-spaced times from :math:`10^{-3}` to ``tmax`` (default
    :math:`60/\min(\alpha, 1-\alpha) + 60`, when every transient is below
    :math:`e^{-30}`).

    Early in learning (:math:`f_t \approx t K y`) the additive features see
    item :math:`u` lose and item :math:`v` win one trial more than the
    chain suggests, so boundary pairs start out wrong; the transitive
    structure then corrects them, unless :math:`\alpha` exceeds the pair's
    ridgeless threshold, in which case the error persists (between pairs
    such as (4, 8) for ``Task(11, [(5, 7)])`` can persist too).

    >>> tc = exception_time_course(Task(9, exceptions=[(4, 6)]), 0.2)
    >>> round(tc.memorized_at[(6, 4)], 3)
    0.944
    >>> tc.persistent
    [(3, 6), (4, 7)]
    >>> round(tc.last_fix, 3)        # (3, 5), (5, 7): wrong early, corrected by t = 5.03
    5.032
    """
    alpha = _unit_alpha(task, alpha)
    a = float(alpha)
    if not task.exceptions:
        raise ValueError("task: needs at least one exception for a memorization time course")
    if not 0 < a < 1:
        raise ValueError(f"alpha: must lie in (0, 1) for a time course, got {alpha}")
    if not (isinstance(level, (int, float)) and 0 <= level < 1):
        raise ValueError(f"level: must be a number in [0, 1), got {level!r}")
    flow = _AlphaFlow(task, a)
    if times is None:
        top = float(tmax) if tmax is not None else 60.0 / min(a, 1 - a) + 60.0
        if not (math.isfinite(top) and top > 1e-3):
            raise ValueError(f"tmax: must be a finite time > 0.001, got {tmax!r}")
        if not (isinstance(points, int) and points >= 2):
            raise ValueError(f"points: must be an integer >= 2, got {points!r}")
        grid = np.concatenate([[0.0], np.geomspace(1e-3, top, points)])
    else:
        grid = np.unique(_check_times(times))
    M = flow.margins(grid)
    tc = TimeCourse(task, a, float(level), grid)

    def series(i, j, shift=0.0, sign=1):
        return lambda tt: sign * float(flow.margins([tt])[0, i - 1, j - 1]) - shift

    for u, v in task.exceptions:
        vals = M[:, v - 1, u - 1]
        tc.exception[(v, u)] = vals
        below = _intervals_below(series(v, u, level), grid, vals - level)
        if not below:
            tc.memorized_at[(v, u)] = float(grid[0])
        elif below[-1][1] == math.inf:
            tc.memorized_at[(v, u)] = None
        else:
            tc.memorized_at[(v, u)] = below[-1][1]
    first, fixes = None, []
    for i in range(1, task.n + 1):
        for j in range(i + 1, task.n + 1):
            g = task.ground_truth(i, j)
            if g is None or task.is_trained(i, j):
                continue
            vals = g * M[:, i - 1, j - 1]
            tc.tests[(i, j)] = vals
            if task.category(i, j) == "boundary":
                tc.boundary[(i, j)] = vals
            intervals = _intervals_below(series(i, j, 0.0, g), grid, vals)
            if not intervals:
                continue
            tc.wrong_intervals[(i, j)] = intervals
            if first is None or intervals[0][0] < first[0]:
                first = (intervals[0][0], (i, j))
            if intervals[-1][1] == math.inf:
                tc.persistent.append((i, j))
            else:
                fixes.append(intervals[-1][1])
    tc.first_error = first
    tc.last_fix = max(fixes) if fixes else None
    return tc
