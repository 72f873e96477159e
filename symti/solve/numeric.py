r"""Numeric KRR solvers: independent routes for cross-checking the exact ones.

* :func:`solve_numpy` -- float64, the full trial Gram system;
* :func:`solve_sklearn` -- scikit-learn's ``KernelRidge`` with a precomputed
  kernel (an external implementation);
* :func:`solve_mpmath` -- the same system at any precision (``dps`` digits);
* :func:`solve_features` -- least squares in an explicit feature space
  (no kernel at all), for feature-map kernels.

All solve :math:`(K + \rho W^{-1}) c = y` on the training trials and predict
:math:`f(p) = K(p, X) c`; :math:`\rho = 0` is the minimum-norm weighted
interpolant :math:`c = W^{1/2} (W^{1/2} K W^{1/2})^{+} W^{1/2} y`, the
:math:`\rho \to 0^+` limit.

>>> from symti import Task, AlphaKernel
>>> P = solve_numpy(Task(3), AlphaKernel("1/2"))
>>> round(P[1, 3], 12), P.exact   # 2(1 - alpha)/(1 + alpha)
(0.666666666667, False)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from .._validate import check_digits, check_ridge, check_task_size
from ..kernels.trial import PATTERNS, TrialKernel, pattern_codes
from ..kernels.psd import check_task_psd
from .predictions import Predictions, pair_matrix
from ..task import Task

__all__ = ["solve_numpy", "solve_sklearn", "solve_mpmath", "solve_features", "training_system", "mp_matrix",
           "spectral_dual_mp", "gram_structure", "PrecisionError", "FLOAT_TOL", "MP_EXTRA_DIGITS"]


#: Largest n of the float64 trial-Gram routes :func:`solve_numpy` and :func:`solve_sklearn`
#: (n = 200, K_alpha: 2.3 s, 0.64 GB; n = 300: 8.3 s, 1.8 GB on 2 cores).  For K_alpha at any n
#: use :func:`symti.closed_form.evaluate.margin_matrix`.
MAX_N_NUMPY = 200
#: Largest n of :func:`solve_mpmath` (n = 60 at 30 digits: 13 s).
MAX_N_MPMATH = 60
#: Largest n of :func:`solve_features` (n = 60: 0.9 s, 0.41 GB; n = 100: 6.4 s, 2.5 GB).
MAX_N_FEATURES = 60

class PrecisionError(ValueError):
    """A numeric route refuses: at these parameters it cannot certify its answer
    (float64 too coarse for the kernel's small eigenvalues or the weights' range,
    scikit-learn without a ridgeless limit, mpmath beyond its precision cap).
    The message starts with the parameter to blame and names a route that works."""


def _subs_dict(subs):
    return {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in (subs or {}).items()}


def _gram_pair(task: Task, kernel: TrialKernel, subs, convert, test: bool = True):
    """Training Gram ``K`` and test cross-Gram ``K*`` with entries ``convert``-ed
    (``float`` -> numpy arrays; ``mpmath.mpf`` -> mpmath matrices).  Exchangeable
    kernels are looked up by coincidence pattern, never built entry by entry in SymPy."""
    X = [t for t, _, _ in task.training_trials()]
    T = task.ordered_pairs()
    vals = kernel.pattern_values()
    if vals is not None:
        sd = _subs_dict(subs)
        table = []
        for name in PATTERNS:
            v = sp.sympify(vals[name]).subs(sd)
            if v.free_symbols:
                raise ValueError(f"subs: numeric solvers need values for {sorted(map(str, v.free_symbols))}")
            table.append(convert(v))
        cK, cKs = pattern_codes(X, X), (pattern_codes(T, X) if test else None)
        if convert is float:
            tab = np.array(table)
            return tab[cK], (tab[cKs] if test else None)
        return (mpmath.matrix([[table[c] for c in row] for row in cK.tolist()]),
                mpmath.matrix([[table[c] for c in row] for row in cKs.tolist()]) if test else None)
    K, Ks, _, _ = training_system(task, kernel, subs)
    if convert is float:
        return np.array(K.evalf(), dtype=float), np.array(Ks.evalf(), dtype=float)
    return (mpmath.matrix([[convert(x) for x in K.row(r)] for r in range(K.rows)]),
            mpmath.matrix([[convert(x) for x in Ks.row(r)] for r in range(Ks.rows)]))


def _targets_weights(task: Task, subs):
    trials = task.training_trials()
    sd = _subs_dict(subs)
    y = [int(t) for _, t, _ in trials]
    w = [sp.sympify(wt).subs(sd) for _, _, wt in trials]
    for x in w:
        if x.free_symbols:
            raise ValueError(f"subs: numeric solvers need values for {sorted(map(str, x.free_symbols))}")
    return y, w


def training_system(task: Task, kernel: TrialKernel, subs: dict | None = None):
    """Exact training Gram ``K``, test cross-Gram ``K*``, targets ``y`` and weights ``w``
    (SymPy matrices, symbols substituted by ``subs``)."""
    subs = _subs_dict(subs)
    trials = task.training_trials()
    X = [t for t, _, _ in trials]
    K = kernel.gram(X)
    Ks = kernel.gram(task.ordered_pairs(), X)
    y = sp.Matrix([t for _, t, _ in trials])
    w = sp.Matrix([wt for _, _, wt in trials])
    if subs:
        K, Ks, w = K.subs(subs), Ks.subs(subs), w.subs(subs)
    free = K.free_symbols | Ks.free_symbols | w.free_symbols
    if free:
        raise ValueError(f"subs: numeric solvers need values for {sorted(map(str, free))}")
    return K, Ks, y, w


def _numeric_ridge(ridge, subs) -> sp.Expr:
    r = check_ridge(ridge)
    if subs:
        r = sp.sympify(r).subs(_subs_dict(subs))
    if r.free_symbols:
        raise ValueError(f"ridge: numeric solvers need a number, got {r}")
    return r


def _as_predictions(task, M: np.ndarray | dict, kernel, ridge, method) -> Predictions:
    if isinstance(M, dict):
        return Predictions(task, M, kernel=kernel, ridge=ridge, method=method, exact=False)
    vals = {(i, j): float(M[i - 1, j - 1]) for i, j in task.ordered_pairs()}
    return Predictions(task, vals, kernel=kernel, ridge=ridge, method=method, exact=False)


# ------------------------------------------------ structure and conditioning
#: Unit roundoff of float64.
_EPS = float(np.finfo(float).eps)
#: The float64 routes refuse (:class:`PrecisionError`) when their first-order error
#: estimate, relative to ``max(1, max|f|)``, exceeds this.
FLOAT_TOL = 1e-8
#: :func:`solve_mpmath` (and ``flow_mpmath``) raise the working precision up to
#: ``dps + MP_EXTRA_DIGITS`` digits before they give up.
MP_EXTRA_DIGITS = 1000


def _exact_training_gram(task: Task, kernel: TrialKernel, subs) -> list:
    """The exact training Gram (SymPy numbers, ``subs`` substituted) as nested lists."""
    X = [t for t, _, _ in task.training_trials()]
    vals = kernel.pattern_values()
    sd = _subs_dict(subs)
    if vals is not None:
        table = [sp.sympify(vals[name]).subs(sd) for name in PATTERNS]
        rows = [[table[c] for c in row] for row in pattern_codes(X, X).tolist()]
    else:
        K = kernel.gram(X)
        K = K.subs(sd) if sd else K
        rows = [list(K.row(r)) for r in range(K.rows)]
    free = set().union(*[x.free_symbols for row in rows for x in row]) if rows else set()
    if free:
        raise ValueError(f"subs: numeric solvers need values for {sorted(map(str, free))}")
    return rows


def _as_qq(x):
    """An exact SymPy number as an element of ``QQ`` (a Float by its binary value), or ``None``."""
    if isinstance(x, sp.Rational):
        return sp.QQ(int(x.p), int(x.q))
    if isinstance(x, sp.Float):
        r = sp.Rational(x)
        return sp.QQ(int(r.p), int(r.q))
    return None


def gram_structure(task: Task, kernel: TrialKernel, subs: dict | None = None):
    r"""``(rank, null)``: the rank of the exact training Gram matrix :math:`K(X, X)`
    and an exact basis of its null space (a list of vectors of SymPy rationals).

    The numeric routes use it to tell *structural* zero eigenvalues (zeros of
    the exact matrix: dropped) from genuine ones, however small --
    ``AlphaKernel(1e-20)`` rounds to the ``alpha = 0`` Gram matrix in float64
    but has full rank, and its ridgeless predictions are not those of
    ``alpha = 0``.  With rational entries (a Float counts by its binary value)
    rank and null space are exact (``DomainMatrix`` over :math:`\mathbb{Q}`).
    Otherwise ``null`` is ``None`` and the rank is the number of eigenvalues
    above :math:`10^{-30}` times the largest at 60 or at 100 digits (a
    genuine eigenvalue below :math:`10^{-30}` relative would count as zero).

    >>> from symti import Task, AlphaKernel
    >>> gram_structure(Task(4, exceptions=[(1, 3)]), AlphaKernel(0))[0]   # 8 trials
    7
    >>> gram_structure(Task(4, exceptions=[(1, 3)]), AlphaKernel("1e-30"))[0]
    8
    """
    return _structure(_exact_training_gram(task, kernel, subs))


def _structure(G: list):
    """:func:`gram_structure` of an exact Gram matrix given as nested lists."""
    from sympy.polys.matrices import DomainMatrix

    m = len(G)
    if m == 0:
        return 0, []
    q = [[_as_qq(x) for x in row] for row in G]
    if all(x is not None for row in q for x in row):
        M = DomainMatrix(q, (m, m), sp.QQ)
        null = M.nullspace().to_list() if M.rank() < m else []
        null = [[sp.Rational(int(x.numerator), int(x.denominator)) for x in v] for v in null]
        return m - len(null), null
    counts = []
    for digits in (60, 100):
        with mpmath.workdps(digits):
            E = mpmath.eigsy(mpmath.matrix([[mpmath.mpf(sp.N(x, digits + 5)) for x in row] for row in G]),
                             eigvals_only=True)
            top = max(abs(E[k]) for k in range(m))
            counts.append(sum(1 for k in range(m) if abs(E[k]) > top * mpmath.mpf(10) ** -30))
    return max(counts), None


def _fmt(x) -> str:
    """A number for a message, 3 significant digits (no underflow: ``1e-900`` stays ``1.0e-900``)."""
    with mpmath.workdps(15):
        return mpmath.nstr(_to_mpf(sp.sympify(x)), 3)


def _feature_rank(task: Task, kernel: TrialKernel, subs) -> int:
    """Exact rank of the training features of a :class:`FeatureMapKernel` (= the rank of
    its Gram matrix) without building the Gram matrix: each feature column is
    divided by one of its nonzero entries, which leaves rationals when the
    column is a rational multiple of one number (``sqrt(c) * one-hot``); else
    (and for other kernels) the rank of the exact Gram matrix."""
    from sympy.polys.matrices import DomainMatrix

    from ..kernels.trial import FeatureMapKernel

    X = [t for t, _, _ in task.training_trials()]
    if isinstance(kernel, FeatureMapKernel) and not subs:
        rows = [[sp.sympify(x) for x in kernel.phi(task.n, t)] for t in X]
        d = len(rows[0]) if rows else 0
        cols = []
        for j in range(d):
            col = [r[j] for r in rows]
            pivot = next((x for x in col if x != 0), None)
            if pivot is None:
                continue
            q = [_as_qq(x / pivot) if x != 0 else sp.QQ(0) for x in col]
            if any(v is None for v in q):
                break
            cols.append(q)
        else:
            if not cols:
                return 0
            return DomainMatrix(cols, (len(cols), len(X)), sp.QQ).rank()
    return _structure(_exact_training_gram(task, kernel, subs))[0]


def _refusal_subject(kernel: TrialKernel, subs) -> str:
    """Start of a refusal message, naming the parameter: ``alpha`` for :math:`K_\\alpha`, else ``kernel``."""
    from ..kernels.trial import AlphaKernel

    if isinstance(kernel, AlphaKernel):
        a = sp.sympify(kernel.alpha).subs(_subs_dict(subs))
        if a.is_number:
            return f"alpha: {_fmt(a)} is too close to {0 if a < sp.Rational(1, 2) else 1}"
    return f"kernel: {kernel!r} is too close to a singular kernel"


def _float_krr(K: np.ndarray, Ks: np.ndarray, y: np.ndarray, w: np.ndarray, rho: float, rank: int):
    r"""Float64 KRR with the structural null space of ``K`` dropped (see :func:`solve_numpy`).

    Returns ``(f, est, lam_min, cut, step)``: the predictions ``Ks c`` (``None``
    if the smallest kept eigenvalue is at the noise level), the error estimate
    relative to ``max(1, max|f|)``, the smallest kept eigenvalue of ``K``, the
    noise level ``cut`` of its float64 eigenvalues and the step that dominates
    the estimate (``"kernel"`` or ``"weights"``).
    """
    m = len(y)
    if rank == 0:
        return np.zeros(Ks.shape[0]), 0.0, np.inf, 0.0, "kernel"
    if rho > 0 and rank == m:
        return _float_ridge_direct(K, Ks, y, w, rho)
    lam, V = np.linalg.eigh(K)
    norm = float(np.abs(lam).max())
    cut = m * _EPS * norm
    lam_p, Vp = lam[m - rank:], V[:, m - rank:]
    lam_min = float(lam_p[0])
    floor = max(lam_min, 0.0) + (rho / float(w.max()) if rho > 0 else 0.0)
    if (rho == 0 and lam_min <= cut) or floor <= 0:
        return None, np.inf, lam_min, cut, "kernel"
    est_k = 4 * _EPS * norm / floor
    est_w = 0.0
    if rho == 0 and rank == m:  # nonsingular: the interpolant K^{-1} y, whatever the weights
        a = Vp.T @ y
    elif rho == 0:  # weighted least squares on range(K): f(X) = V_+ a
        s = np.sqrt(w)
        A = s[:, None] * Vp
        a, _, _, sv = np.linalg.lstsq(A, s * y, rcond=None)
        kappa = float(sv[0] / sv[-1])
        res = float(np.linalg.norm(A @ a - s * y) / np.linalg.norm(s * y))
        est_w = 4 * _EPS * kappa * (1 + kappa * res)
    else:  # (V_+^T W V_+ + rho Lambda_+^{-1}) a = V_+^T W y, diagonally scaled
        lam_p = np.maximum(lam_p, cut)  # noise-level eigenvalues: within the estimate
        M = Vp.T @ (w[:, None] * Vp) + np.diag(rho / lam_p)
        d = 1 / np.sqrt(np.diag(M))
        S = d[:, None] * M * d[None, :]
        try:
            a = d * np.linalg.solve(S, d * (Vp.T @ (w * y)))
            est_w = 4 * _EPS * float(np.linalg.cond(S))
        except np.linalg.LinAlgError:  # singular in float64: the weights' range
            return None, np.inf, lam_min, cut, "weights"
    f = (Ks @ Vp) @ (a / lam_p)
    return f, est_k + est_w, lam_min, cut, ("kernel" if est_k >= est_w else "weights")


def _float_ridge_direct(K, Ks, y, w, rho):
    r""":math:`(K + \rho W^{-1}) c = y` for a nonsingular ``K``, Jacobi-scaled
    (:math:`S = DAD`, :math:`D = \mathrm{diag}(A)^{-1/2}`: extreme weights do not
    hurt), with the first-order estimate :math:`4\epsilon(\max_p \|h_p\|
    \|S\| \|z\| + \max_p |K(p, X)|^\top |c|)` (:math:`h_p` the rows of
    :math:`K_* D S^{-1}`, :math:`z = D^{-1} c`).  Returns what :func:`_float_krr` does."""
    m = len(y)
    A = K + np.diag(rho / w)
    d = 1 / np.sqrt(np.diag(A))
    S = d[:, None] * A * d[None, :]
    lam = np.linalg.eigvalsh(K)
    norm = float(np.abs(lam).max())
    cut = m * _EPS * norm
    try:
        z = np.linalg.solve(S, d * y)
        H = np.linalg.solve(S, d[:, None] * Ks.T).T
    except np.linalg.LinAlgError:
        return None, np.inf, float(lam[0]), cut, "kernel"
    c = d * z
    f = Ks @ c
    est = (float(np.linalg.norm(H, axis=1).max()) * float(np.linalg.norm(S, 2)) * float(np.linalg.norm(z))
           + float((np.abs(Ks) @ np.abs(c)).max()))
    est = 4 * _EPS * est / max(1.0, float(np.abs(f).max()))
    return f, est, float(lam[0]), cut, "kernel"


def _float_refusal(kernel, subs, route: str, est, lam_min, cut, step, weights, fix: str) -> PrecisionError:
    if step == "weights":
        return PrecisionError(
            f"weights: training weights from {min(weights):.3g} to {max(weights):.3g} leave the {route} "
            f"weighted least-squares step with an error estimate of {est:.2g} (above {FLOAT_TOL:g}); use {fix}")
    if not np.isfinite(est):
        why = (f"kernel eigenvalues down to {lam_min:.3g}, at or below the float64 cut of {cut:.2g}: "
               "not distinguishable from 0")
    else:
        why = (f"kernel eigenvalues down to {lam_min:.3g} against a float64 cut of {cut:.2g}: error estimate "
               f"{est:.2g}, above {FLOAT_TOL:g}")
    return PrecisionError(f"{_refusal_subject(kernel, subs)} for the {route} ({why}); use {fix}")


def _fix_hint(kernel) -> str:
    from ..kernels.trial import AlphaKernel

    tail = " or symti.closed_form.evaluate.margin_matrix_mp" if isinstance(kernel, AlphaKernel) else ""
    return f"solve_exact, solve_mpmath{tail}"


# ------------------------------------------------ certified multiprecision
def _to_mpf(x) -> mpmath.mpf:
    """An exact SymPy number at the current working precision (rationals rounded once)."""
    if isinstance(x, sp.Rational):
        return mpmath.mpf(int(x.p)) / int(x.q)
    return mpmath.mpf(sp.N(x, mpmath.mp.dps + 5))


def _certified(compute, dps: int, fail) -> list:
    r"""Run ``compute(p)`` (a list of mpf, or ``None`` when the system is
    numerically singular at ``p`` digits) at two working precisions ``p`` and
    ``p + step`` until the results agree to ``dps + 3`` digits relative to
    ``max(1, max|f|)``; return the more precise one.  From the disagreement
    (the error at ``p`` is about ``C 10^{-p}``) the next ``p`` is the one that
    should leave ``dps + 8`` digits; ``None`` doubles it.  Beyond
    ``dps + MP_EXTRA_DIGITS`` digits, raise ``fail(p)``."""
    cap = dps + MP_EXTRA_DIGITS
    step = max(10, dps // 4)
    p = dps + 15
    while True:
        lo = compute(p)
        hi = compute(p + step) if lo is not None else None
        if lo is not None and hi is not None:
            with mpmath.workdps(p + step):
                scale = max([mpmath.mpf(1)] + [abs(v) for v in hi])
                diff = max([mpmath.mpf(0)] + [abs(a - b) for a, b in zip(lo, hi)]) / scale
                if diff <= mpmath.mpf(10) ** -(dps + 3):
                    return hi
                lost = int(mpmath.ceil(mpmath.log10(diff))) + p  # digits lost at precision p
            nxt = max(p + step, lost + dps + 8)
        else:
            nxt = 2 * p
        if p + step >= cap - step:
            raise fail(p + step)
        p = min(nxt, cap - step)


def _mp_refusal(kernel, subs, rho, dps: int, route: str):
    def fail(p):
        subject = _refusal_subject(kernel, subs)
        if rho != 0 and not subject.startswith("alpha"):
            subject = f"ridge: {_fmt(rho)} is too small for this kernel"
        return PrecisionError(f"{subject} for {route}: {p} working digits (the cap is dps + {MP_EXTRA_DIGITS}) "
                              f"did not give {dps} certified digits; use solve_exact")
    return fail


def _exact_test_gram(task: Task, kernel: TrialKernel, subs) -> list:
    """Exact cross-Gram ``K(ordered pairs, X)`` as nested lists (``subs`` substituted)."""
    X = [t for t, _, _ in task.training_trials()]
    T = task.ordered_pairs()
    vals = kernel.pattern_values()
    sd = _subs_dict(subs)
    if vals is not None:
        table = [sp.sympify(vals[name]).subs(sd) for name in PATTERNS]
        return [[table[c] for c in row] for row in pattern_codes(T, X).tolist()]
    Ks = kernel.gram(T, X)
    Ks = Ks.subs(sd) if sd else Ks
    return [list(Ks.row(r)) for r in range(Ks.rows)]


def _mp_converter():
    """``conv(x)``: exact SymPy number -> mpf at the current precision, cached per value."""
    cache = {}

    def conv(x):
        key = (x, mpmath.mp.prec)
        if key not in cache:
            cache[key] = _to_mpf(x)
        return cache[key]
    return conv


def _exact_system(task, kernel, subs):
    """Exact pieces of the KRR system: training Gram, test Gram, targets, weights, ``(rank, null)``."""
    G = _exact_training_gram(task, kernel, subs)
    Gs = _exact_test_gram(task, kernel, subs)
    y, w = _targets_weights(task, subs)
    return G, Gs, y, w, _structure(G)


def _lu_solve_checked(A: mpmath.matrix, b: list, p: int) -> list:
    """LU solve at the working precision ``p`` that refuses (``ZeroDivisionError``) a
    pivot below ``10^(-2p/3)`` times the norm: a matrix that is singular once
    rounded to ``p`` digits has a pivot that is a rounding residue, and the
    residues at two precisions can give the *same* wrong solution, so the
    two-precision certificate alone would not see it."""
    LU, perm = mpmath.mp.LU_decomp(A)
    tol = mpmath.mnorm(A, 1) * mpmath.mpf(10) ** (-(2 * p) // 3)
    if min(abs(LU[k, k]) for k in range(A.rows)) <= tol:
        raise ZeroDivisionError("numerically singular at this precision")
    x = mpmath.mp.U_solve(LU, mpmath.mp.L_solve(LU, mpmath.matrix(b), perm))
    return [x[k] for k in range(A.rows)]


def _mp_krr_at(G, Gs, y, w, rho, rank, null, p):
    r"""Predictions at ``p`` working digits: LU of :math:`K + \rho W^{-1}` (:math:`\rho > 0`)
    or of :math:`K` (nonsingular); the bordered system
    :math:`[K, W^{-1}N; N^\top, 0]` with the exact null-space basis :math:`N`
    (singular, rational); else the spectral pseudo-inverse with the
    ``m - rank`` smallest eigenvalues of :math:`W^{1/2} K W^{1/2}` dropped.
    ``None`` if the system is singular at this precision."""
    m = len(y)
    conv = _mp_converter()
    with mpmath.workdps(p):
        K = mpmath.matrix([[conv(x) for x in row] for row in G])
        Ks = mpmath.matrix([[conv(x) for x in row] for row in Gs]) if Gs else mpmath.matrix(0, m)
        ym = [mpmath.mpf(int(v)) for v in y]
        wm = [conv(sp.sympify(v)) for v in w]
        try:
            if rho != 0:
                rm = conv(sp.sympify(rho))
                A = K.copy()
                for k in range(m):
                    A[k, k] += rm / wm[k]
                c = _lu_solve_checked(A, ym, p)
            elif rank == m:
                c = _lu_solve_checked(K, ym, p)
            elif null is not None:
                k0 = len(null)
                A = mpmath.matrix(m + k0, m + k0)
                for a in range(m):
                    for b in range(m):
                        A[a, b] = K[a, b]
                for j, v in enumerate(null):
                    for a in range(m):
                        A[a, m + j] = conv(v[a]) / wm[a]
                        A[m + j, a] = conv(v[a])
                c = _lu_solve_checked(A, ym + [mpmath.mpf(0)] * k0, p)[:m]
            else:
                c = spectral_dual_mp(K, ym, wm, lambda e: 1 / e, p, rank=rank,
                                     min_kept=mpmath.mpf(10) ** (-(2 * p) // 3))
        except ZeroDivisionError:
            return None
        return [mpmath.fsum(Ks[r, a] * c[a] for a in range(m)) for r in range(Ks.rows)]


def solve_numpy(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> Predictions:
    r"""Float64 KRR margins from the full trial Gram system.

    Algorithm.  Which eigenvalues of the Gram matrix :math:`K = K(X, X)` are
    zero is decided on the *exact* matrix (:func:`gram_structure`: its rank
    :math:`r` over :math:`\mathbb{Q}`), never by a relative cut-off, so a
    genuine eigenvalue of size :math:`\alpha = 10^{-12}` is not mistaken for
    a zero.  Then, in float64:

    * :math:`\rho = 0`: :math:`K = V \Lambda V^\top` (``eigh``); the
      :math:`m - r` structural zeros are dropped (they move no prediction:
      :math:`K(p, X) N = 0` for a positive semidefinite kernel), :math:`V_+,
      \Lambda_+` keep the rest, :math:`f(X) = V_+ a` and :math:`f(p) = K(p,
      X) V_+ \Lambda_+^{-1} a` with :math:`a = V^\top y` if :math:`r = m`
      (the interpolant :math:`K^{-1} y`, whatever the weights), else the
      weighted least-squares fit :math:`\min_a \|W^{1/2}(V_+ a - y)\|`
      (``lstsq``): the limit :math:`\rho \to 0^+`, the minimum-norm weighted
      fit;
    * :math:`\rho > 0`, :math:`r = m`: :math:`(K + \rho W^{-1}) c = y`,
      Jacobi-scaled (extreme weights do not hurt), :math:`f(p) = K(p, X) c`;
    * :math:`\rho > 0`, :math:`r < m`: :math:`(V_+^\top W V_+ + \rho
      \Lambda_+^{-1}) a = V_+^\top W y` (diagonally scaled) -- the same
      system without the structural null space, whose :math:`1/\rho`-large
      coefficients would otherwise meet the round-off of :math:`K(p, X)`.

    Precision and refusals.  Eigenvalues of the float64 Gram matrix are
    accurate to about :math:`\epsilon \|K\|`, so a kept eigenvalue at or below
    the cut :math:`m \epsilon \|K\|` cannot be told from zero, and the
    predictions carry a relative error (to :math:`\max(1, \max|f|)`) of about
    :math:`4 \epsilon \|K\| / (\lambda_{\min} + \rho/w_{\max})`, plus
    :math:`4 \epsilon \kappa (1 + \kappa\, \text{res})` for the
    least-squares step (:math:`\kappa \le \sqrt{w_{\max}/w_{\min}}`); for
    :math:`\rho > 0`, :math:`r = m` the estimate is
    :math:`4\epsilon(\max_p \|h_p\| \|S\| \|z\| + \max_p |K(p, X)|^\top |c|)`
    from the backward error of the scaled solve (see
    ``_float_ridge_direct``).  When the estimate exceeds ``FLOAT_TOL``
    (:math:`10^{-8}`) the route raises :class:`PrecisionError` (a
    ``ValueError``) naming ``alpha`` (for :math:`K_\alpha`), ``kernel`` or
    ``weights`` and pointing to :func:`~symti.solve.exact.solve_exact` /
    :func:`solve_mpmath`; otherwise the answer agrees with the exact one to
    about the estimate.  Ridgeless :math:`K_\alpha` with :math:`\alpha \ge
    10^{-6}` always answers when :math:`\|K\| \le 10` (weights do not
    matter there).  The kernel is checked positive semidefinite on every
    ordered pair (after ``subs``).

    Parameters
    ----------
    task : Task
    kernel : TrialKernel
        Symbolic kernel values need ``subs``.
    ridge : number or str
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit.
    subs : dict, optional
        Values for the symbols of the kernel, the weights or the ridge.

    Returns
    -------
    Predictions
        Python floats, ``exact=False``, ``method="numpy"``;
        ``.to_numpy()`` gives the ``n x n`` matrix.

    >>> from symti import Task, AlphaKernel
    >>> P = solve_numpy(Task(3), AlphaKernel("1/3"))
    >>> P.to_numpy().round(12)[0]
    array([0., 1., 1.])
    >>> solve_numpy(Task(5, exceptions=[(1, 3)]), AlphaKernel(1e-12))
    Traceback (most recent call last):
    ...
    symti.solve.numeric.PrecisionError: alpha: 1.0e-12 is too close to 0 for the float64 route (kernel eigenvalues down to 1e-12 against a float64 cut of ...: error estimate ..., above 1e-08); use solve_exact, solve_mpmath or symti.closed_form.evaluate.margin_matrix_mp
    >>> solve_numpy(Task(3), AlphaKernel("1/3"), ridge=-1)
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    check_task_size(task.n, MAX_N_NUMPY, "solve_numpy", "its test Gram matrix grows like n^3: n = 300 needs 1.8 GB; "
                    "margin_matrix takes K_alpha at any n")
    check_task_psd(kernel, task, subs=subs)
    ridge = _numeric_ridge(ridge, subs)
    rho = float(ridge)
    K, Ks = _gram_pair(task, kernel, subs, float)
    y, w = _targets_weights(task, subs)
    y, w = np.array(y, dtype=float), np.array([float(x) for x in w])
    rank, _ = _structure(_exact_training_gram(task, kernel, subs))
    f, est, lam_min, cut, step = _float_krr(K, Ks, y, w, rho, rank)
    if f is None or est > FLOAT_TOL:
        raise _float_refusal(kernel, subs, "float64 route", est, lam_min, cut, step, w, _fix_hint(kernel))
    return _as_predictions(task, pair_matrix(task, f), kernel, ridge, "numpy")


def solve_sklearn(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> Predictions:
    r"""KRR margins from ``sklearn.kernel_ridge.KernelRidge(kernel="precomputed")``.

    The ridge :math:`\rho` is sklearn's ``alpha`` and the training weights
    :math:`W` its ``sample_weight``: sklearn solves
    :math:`(W^{1/2} K W^{1/2} + \rho I)\tilde c = W^{1/2} y` in float64 (a
    Cholesky factorisation), the same KRR as :func:`solve_numpy`.

    Refusals (:class:`PrecisionError`, a ``ValueError``, naming ``ridge``).  ``ridge = 0``: KernelRidge
    has no ridgeless limit (on a singular system it falls back to a
    least-squares solution that is not the minimum-norm limit and can be off
    by orders of magnitude), so use :func:`solve_numpy` or
    :func:`~symti.solve.exact.solve_exact`.  Small :math:`\rho > 0`: sklearn
    cannot drop the structural null space, so its relative error is about
    :math:`4 \epsilon \|\tilde K\| / (\lambda_{\min}(\tilde K) + \rho)`
    (:math:`\tilde K = W^{1/2} K W^{1/2}`, :math:`\lambda_{\min}` clipped at
    0); above ``FLOAT_TOL`` (:math:`10^{-8}`) the route refuses.  The kernel
    is checked positive semidefinite (after ``subs``).

    Parameters are those of :func:`solve_numpy`.

    Returns
    -------
    Predictions
        floats, ``exact=False``, ``method="sklearn"`` (``.to_numpy()``: the matrix).

    >>> from symti import Task, AlphaKernel
    >>> round(solve_sklearn(Task(3), AlphaKernel("1/2"), ridge="1/2")[1, 3], 12)   # 2(1-a)/(1+a+2 rho)
    0.4
    >>> solve_sklearn(Task(3), AlphaKernel("1/2"))
    Traceback (most recent call last):
    ...
    symti.solve.numeric.PrecisionError: ridge: scikit-learn's KernelRidge has no ridgeless limit (ridge = 0); use solve_numpy or solve_exact, or a ridge > 0
    >>> solve_sklearn(Task(3), AlphaKernel("1/2"), ridge="-1")
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    from sklearn.kernel_ridge import KernelRidge

    check_task_size(task.n, MAX_N_NUMPY, "solve_sklearn", "its test Gram matrix grows like n^3: n = 300 needs 1.8 GB")
    check_task_psd(kernel, task, subs=subs)
    ridge = _numeric_ridge(ridge, subs)
    if ridge == 0:
        raise PrecisionError("ridge: scikit-learn's KernelRidge has no ridgeless limit (ridge = 0); "
                         "use solve_numpy or solve_exact, or a ridge > 0")
    rho = float(ridge)
    K, Ks = _gram_pair(task, kernel, subs, float)
    y, w = _targets_weights(task, subs)
    w = np.array([float(x) for x in w])
    s = np.sqrt(w)
    lam = np.linalg.eigvalsh(s[:, None] * K * s[None, :])
    est = 4 * _EPS * float(np.abs(lam).max()) / (max(float(lam[0]), 0.0) + rho)
    if not est <= FLOAT_TOL:
        raise PrecisionError(
            f"ridge: {rho:.3g} is too small for scikit-learn's KernelRidge on this kernel (eigenvalues of "
            f"W^1/2 K W^1/2 down to {lam[0]:.3g}: error estimate {est:.2g}, above {FLOAT_TOL:g}); "
            "use solve_numpy or solve_exact")
    model = KernelRidge(alpha=rho, kernel="precomputed")
    model.fit(K, np.array(y, dtype=float), sample_weight=w)
    return _as_predictions(task, pair_matrix(task, model.predict(Ks)), kernel, ridge, "sklearn")


def mp_matrix(M: sp.Matrix, digits: int) -> mpmath.matrix:
    """An exact SymPy matrix as an ``mpmath.matrix`` (entries evaluated to ``digits`` digits)."""
    return mpmath.matrix([[mpmath.mpf(sp.N(x, digits)) for x in M.row(r)] for r in range(M.rows)])


def spectral_dual_mp(K: mpmath.matrix, y: list, w: list, g, dps: int, rank: int | None = None,
                     min_kept=None) -> list:
    r"""Dual coefficients :math:`c = W^{1/2} \sum_k g(E_k)\, q_k q_k^\top W^{1/2} y`.

    :math:`(E_k, q_k)` are the eigenpairs of :math:`\tilde K = W^{1/2} K W^{1/2}`
    (mpmath ``eigsy`` at the working precision).  With ``rank`` (the exact
    rank of :math:`K`, :func:`gram_structure`) the ``m - rank`` smallest
    eigenvalues -- the structural zeros -- are dropped and every other one is
    kept, however small; without it, eigenvalues at or below
    :math:`10^{-dps/2}` times the largest count as zero (a heuristic that
    mistakes genuine eigenvalues below that for zeros).
    :math:`g(E) = 1/E` gives the ridgeless KRR solution (the pseudo-inverse),
    :math:`g(E) = (1 - e^{-Et})/E` gradient flow at time :math:`t`.  With
    ``min_kept``, a kept eigenvalue at or below ``min_kept`` times the largest
    raises ``ZeroDivisionError`` (not resolved at this precision).
    """
    m = len(w)
    s = [mpmath.sqrt(x) for x in w]
    Kt = mpmath.matrix(m, m)
    for a in range(m):
        for b in range(m):
            Kt[a, b] = s[a] * K[a, b] * s[b]
    E, Q = mpmath.eigsy(Kt)
    order = sorted(range(m), key=lambda k: E[k])
    if rank is None:
        cut = max(abs(E[k]) for k in range(m)) * mpmath.mpf(10) ** (-(dps // 2))
        kept = [k for k in order if E[k] > cut]
    else:
        kept = order[m - rank:]
    if min_kept is not None and kept and E[kept[0]] <= min_kept * max(abs(E[k]) for k in range(m)):
        raise ZeroDivisionError("an eigenvalue is not resolved at this precision")
    sy = [s[a] * y[a] for a in range(m)]
    c = [mpmath.mpf(0)] * m
    for k in kept:
        coef = g(E[k]) * mpmath.fsum(Q[a, k] * sy[a] for a in range(m))
        for a in range(m):
            c[a] += coef * Q[a, k]
    return [c[a] * s[a] for a in range(m)]


def solve_mpmath(task: Task, kernel: TrialKernel, ridge=0, dps: int = 50, subs: dict | None = None) -> Predictions:
    r"""KRR margins to ``dps`` digits with mpmath, with adaptive precision and a certificate.

    Algorithm, at a working precision of :math:`p` digits (exact kernel
    values, weights and ridge rounded once to :math:`p` digits):
    :math:`\rho > 0`: LU solve of :math:`(K + \rho W^{-1})c = y`.
    :math:`\rho = 0`: the exact rank of the Gram matrix (:func:`gram_structure`)
    decides the system -- nonsingular: LU solve of :math:`K c = y`;
    singular with rational entries: LU solve of the bordered system
    :math:`[K, W^{-1}N; N^\top, 0]\,[c; \mu] = [y; 0]` with the exact null-space
    basis :math:`N` (its solution is the weighted minimum-norm limit
    :math:`\rho \to 0^+`); otherwise the pseudo-inverse of
    :math:`W^{1/2} K W^{1/2}` (``eigsy``) without its ``m - rank`` smallest
    eigenvalues.  Predicts :math:`f(p) = K(p, X)\,c`.

    Precision.  The solve runs at :math:`p` and :math:`p + \max(10, dps/4)`
    digits, from :math:`p = dps + 15`.  A system that is singular once
    rounded to :math:`p` digits (a genuine eigenvalue below the rounding, as
    for ``alpha = 1e-300``) can give the same wrong answer at both
    precisions, so an LU pivot or kept eigenvalue below :math:`10^{-2p/3}`
    times the norm counts as singular at :math:`p`.  When the two disagree beyond
    :math:`10^{-(dps + 3)} \max(1, \max|f|)`, :math:`p` is raised by the
    number of digits the disagreement shows were lost (doubled if the system
    was numerically singular) and both are solved again.  The returned values
    (rounded to ``dps`` digits) agree with the exact margins to about
    :math:`10^{-dps}` times :math:`\max(1, \max|f|)`: small margins have fewer
    significant digits.  So a tiny :math:`\alpha` costs working digits, not
    accuracy (``AlphaKernel("1e-30")`` at ``dps=50`` runs at about 95
    digits).  Beyond ``dps + MP_EXTRA_DIGITS`` working digits (1000 more) the
    route raises :class:`PrecisionError` (a ``ValueError``) naming ``alpha`` (for :math:`K_\alpha`),
    ``kernel`` or ``ridge``.  The kernel is checked positive semidefinite on
    every ordered pair (after ``subs``).

    >>> from symti import Task, AlphaKernel
    >>> P = solve_mpmath(Task(3), AlphaKernel("1/3"), dps=30)
    >>> P[1, 3]      # 2(1 - alpha)/(1 + alpha)
    mpf('1.0')
    >>> solve_mpmath(Task(5, exceptions=[(1, 3)]), AlphaKernel("1e-30"))[1, 2]   # a trained pair
    mpf('1.0')
    """
    dps = check_digits(dps, "dps")
    check_task_size(task.n, MAX_N_MPMATH, "solve_mpmath", "n = 60 takes 13 s at 30 digits; solve_exact is exact at any n "
                    "for K_alpha")
    check_task_psd(kernel, task, subs=subs)
    rho = _numeric_ridge(ridge, subs)
    G, Gs, y, w, (rank, null) = _exact_system(task, kernel, subs)
    f = _certified(lambda p: _mp_krr_at(G, Gs, y, w, rho, rank, null, p), dps,
                   _mp_refusal(kernel, subs, rho, dps, "solve_mpmath"))
    with mpmath.workdps(dps):
        vals = {p: +v for p, v in zip(task.ordered_pairs(), f)}
    return _as_predictions(task, vals, kernel, rho, f"mpmath{dps}")


def solve_features(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> Predictions:
    r"""KRR margins computed in feature space, without the kernel.

    Ridge regression of the targets on the features :math:`\Phi` with weights
    :math:`W`: :math:`\beta = (\Phi^\top W \Phi + \rho I)^{-1}\Phi^\top W y`
    (the minimum-norm weighted least-squares solution for :math:`\rho = 0`),
    then :math:`f(p) = \phi(p)^\top \beta`.  Needs a kernel with a
    ``features`` method (feature-map kernels and their sums and scalings).

    Algorithm and precision (float64).  The SVD :math:`W^{1/2}\Phi = U \Sigma
    V^\top` keeps exactly as many singular values as the rank of the exact
    Gram matrix (:func:`gram_structure`; the rest are structural zeros), then
    :math:`\beta = V\,\mathrm{diag}(\sigma/(\sigma^2 + \rho))\,U^\top W^{1/2}
    y`.  The features need only the square root of the kernel's condition
    number, but the weights enter it too.  The first-order error estimate,
    relative to :math:`\max(1, \max|f|)`, is :math:`4 \epsilon` times
    :math:`\max_p \|h_p\| (\|b\| + \sigma_{\max}\|\beta\|) + \max_p
    |\phi(p)|^\top|\beta|` (plus the least-squares residual term), where
    :math:`f = H U^\top b` and :math:`b = W^{1/2} y` (backward errors of the
    SVD and of the rounded features); above ``FLOAT_TOL``
    (:math:`10^{-8}`), or when a kept singular value is at the float64 noise
    level (ridgeless), the route raises :class:`PrecisionError` naming ``alpha``,
    ``kernel`` or ``weights``.  A kernel with symbols is checked positive
    semidefinite after ``subs`` (real features are PSD by construction).

    Parameters are those of :func:`solve_numpy`.

    Returns
    -------
    Predictions
        floats, ``exact=False``, ``method="features"`` (``.to_numpy()``: the matrix).

    >>> from symti import Task, ConcatOneHot, ExchangeableKernel
    >>> round(solve_features(Task(3), ConcatOneHot())[1, 3], 12)   # additive: r_1 - r_3 = 2
    2.0
    >>> solve_features(Task(3), ExchangeableKernel(kappa_1="1/2", kappa_2="1/2"))
    Traceback (most recent call last):
    ...
    TypeError: kernel: ExchangeableKernel(kappa_s=0, kappa_1=1/2, kappa_2=1/2, kappa_x=0, kappa_d=0) has no explicit feature map
    """
    check_task_size(task.n, MAX_N_FEATURES, "solve_features", "the feature matrix of n = 100 needs 2.5 GB")
    if not hasattr(kernel, "features"):
        raise TypeError(f"kernel: {kernel!r} has no explicit feature map")
    if kernel.free_symbols:  # real features give a PSD kernel; symbols substituted may not be real
        check_task_psd(kernel, task, subs=subs)
    ridge = _numeric_ridge(ridge, subs)
    rho = float(ridge)
    trials = task.training_trials()
    X = [t for t, _, _ in trials]
    y = np.array([t for _, t, _ in trials], dtype=float)
    sd = _subs_dict(subs)
    w = np.array([float(sp.sympify(t).subs(sd)) for _, _, t in trials])
    F = kernel.features(task.n, X, sd)
    Ft = kernel.features(task.n, task.ordered_pairs(), sd)
    rank = _feature_rank(task, kernel, subs)
    s = np.sqrt(w)
    A, b = s[:, None] * F, s * y
    if rank == 0:
        return _as_predictions(task, np.zeros((task.n, task.n)), kernel, ridge, "features")
    U, sv, Vt = np.linalg.svd(A, full_matrices=False)
    U, sv, Vt = U[:, :rank], sv[:rank], Vt[:rank]
    cut = max(A.shape) * _EPS * sv[0]
    if rho == 0 and sv[-1] <= cut:
        raise _float_refusal(kernel, subs, "float64 feature-space route", np.inf, float(sv[-1]) ** 2, cut ** 2,
                             "kernel", w, _fix_hint(kernel))
    beta = Vt.T @ ((sv / (sv ** 2 + rho)) * (U.T @ b))
    f = Ft @ beta
    # first order: A, b perturbed by eps (SVD backward error), Ft rounded entrywise
    H = (Ft @ Vt.T) * (sv / (sv ** 2 + rho))[None, :]          # f = H U^T b
    hn = float(np.linalg.norm(H, axis=1).max())
    est = hn * (np.linalg.norm(b) + sv[0] * np.linalg.norm(beta)) + float((np.abs(Ft) @ np.abs(beta)).max())
    FtV = Ft @ Vt.T
    r = float(np.linalg.norm(A @ beta - b))
    est += float(np.linalg.norm(FtV / (sv ** 2 + rho)[None, :], axis=1).max()) * sv[0] * r  # (A^T A + rho)^+ dA^T r
    z = U @ ((U.T @ b) / (sv ** 2 + rho))  # beta = A^T z
    off = float(np.linalg.norm(Ft - FtV @ Vt, axis=1).max())  # test features off range(A^T)
    est += off * sv[0] * float(np.linalg.norm(z))  # dA^T z leaking into the null space of A
    est = 4 * _EPS * float(est) / max(1.0, float(np.abs(f).max()))
    if not est <= FLOAT_TOL:
        wide = float(w.max() / w.min()) > 1e6
        raise _float_refusal(kernel, subs, "float64 feature-space route", est, float(sv[-1]) ** 2, cut ** 2,
                             "weights" if wide else "kernel", w, _fix_hint(kernel))
    return _as_predictions(task, pair_matrix(task, f), kernel, ridge, "features")
