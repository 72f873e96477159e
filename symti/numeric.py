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
>>> M = solve_numpy(Task(3), AlphaKernel("1/2"))
>>> float(round(M[0, 2], 12))   # 2(1 - alpha)/(1 + alpha)
0.666666666667
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ._validate import check_digits, check_ridge
from .kernels import TrialKernel, check_psd
from .predictions import Predictions
from .task import Task

__all__ = ["solve_numpy", "solve_sklearn", "solve_mpmath", "solve_features", "training_system", "mp_matrix",
           "spectral_dual_mp"]


def _subs_dict(subs):
    return {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in (subs or {}).items()}


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


def solve_numpy(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None, predictions: bool = False):
    """Float64 KRR margins as an ``n x n`` array (``predictions=True``: a :class:`Predictions`)."""
    check_psd(kernel, task.ordered_pairs()) if not subs else None
    K, Ks, y, w = training_system(task, kernel, subs)
    rho = float(_numeric_ridge(ridge, subs))
    K = np.array(K.evalf(), dtype=float)
    Ks = np.array(Ks.evalf(), dtype=float)
    y = np.array(y, dtype=float).ravel()
    w = np.array(w.evalf(), dtype=float).ravel()
    if rho > 0:
        c = np.linalg.solve(K + rho * np.diag(1.0 / w), y)
    else:
        s = np.sqrt(w)
        Kt = s[:, None] * K * s[None, :]
        c = s * (np.linalg.pinv(Kt, hermitian=True, rcond=1e-11) @ (s * y))
    f = Ks @ c
    n = task.n
    M = np.zeros((n, n))
    for (i, j), v in zip(task.ordered_pairs(), f):
        M[i - 1, j - 1] = v
    return _as_predictions(task, M, kernel, ridge, "numpy") if predictions else M


def solve_sklearn(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None):
    """KRR margins from ``sklearn.kernel_ridge.KernelRidge(kernel="precomputed")``.

    The ridge is sklearn's ``alpha`` and the training weights its
    ``sample_weight``.  At ``ridge = 0`` sklearn falls back to least squares
    when the Gram matrix is singular (with a warning, silenced here).
    """
    import warnings

    from sklearn.kernel_ridge import KernelRidge

    check_psd(kernel, task.ordered_pairs()) if not subs else None
    K, Ks, y, w = training_system(task, kernel, subs)
    rho = float(_numeric_ridge(ridge, subs))
    model = KernelRidge(alpha=rho, kernel="precomputed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(np.array(K.evalf(), dtype=float), np.array(y, dtype=float).ravel(),
                  sample_weight=np.array(w.evalf(), dtype=float).ravel())
        f = model.predict(np.array(Ks.evalf(), dtype=float))
    n = task.n
    M = np.zeros((n, n))
    for (i, j), v in zip(task.ordered_pairs(), f):
        M[i - 1, j - 1] = v
    return M


def mp_matrix(M: sp.Matrix, digits: int) -> mpmath.matrix:
    """An exact SymPy matrix as an ``mpmath.matrix`` (entries evaluated to ``digits`` digits)."""
    return mpmath.matrix([[mpmath.mpf(sp.N(x, digits)) for x in M.row(r)] for r in range(M.rows)])


def spectral_dual_mp(K: mpmath.matrix, y: list, w: list, g, dps: int) -> list:
    r"""Dual coefficients :math:`c = W^{1/2} \sum_k g(E_k)\, q_k q_k^\top W^{1/2} y`.

    :math:`(E_k, q_k)` are the eigenpairs of :math:`\tilde K = W^{1/2} K W^{1/2}`
    (mpmath ``eigsy`` at the working precision); eigenvalues at or below
    :math:`10^{-dps/2}` times the largest count as zero and are dropped.
    :math:`g(E) = 1/E` gives the ridgeless KRR solution (the pseudo-inverse),
    :math:`g(E) = (1 - e^{-Et})/E` gradient flow at time :math:`t`.
    """
    m = len(w)
    s = [mpmath.sqrt(x) for x in w]
    Kt = mpmath.matrix(m, m)
    for a in range(m):
        for b in range(m):
            Kt[a, b] = s[a] * K[a, b] * s[b]
    E, Q = mpmath.eigsy(Kt)
    cut = max(abs(E[k]) for k in range(m)) * mpmath.mpf(10) ** (-(dps // 2))
    sy = [s[a] * y[a] for a in range(m)]
    c = [mpmath.mpf(0)] * m
    for k in range(m):
        if E[k] > cut:
            coef = g(E[k]) * mpmath.fsum(Q[a, k] * sy[a] for a in range(m))
            for a in range(m):
                c[a] += coef * Q[a, k]
    return [c[a] * s[a] for a in range(m)]


def solve_mpmath(task: Task, kernel: TrialKernel, ridge=0, dps: int = 50, subs: dict | None = None) -> Predictions:
    r"""KRR margins at ``dps`` significant digits with mpmath.

    :math:`\rho > 0`: LU solve of :math:`(K + \rho W^{-1})c = y`.
    :math:`\rho = 0`: pseudo-inverse from the symmetric eigendecomposition of
    :math:`W^{1/2} K W^{1/2}`, dropping eigenvalues below
    :math:`10^{-dps/2}` times the largest.

    >>> from symti import Task, AlphaKernel
    >>> P = solve_mpmath(Task(3), AlphaKernel("1/3"), dps=30)
    >>> P[1, 3]      # 2(1 - alpha)/(1 + alpha)
    mpf('1.0')
    """
    dps = check_digits(dps, "dps")
    check_psd(kernel, task.ordered_pairs()) if not subs else None
    K, Ks, y, w = training_system(task, kernel, subs)
    rho = _numeric_ridge(ridge, subs)
    with mpmath.workdps(dps + 10):
        Km, Ksm = mp_matrix(K, dps + 15), mp_matrix(Ks, dps + 15)
        ym = mpmath.matrix([mpmath.mpf(int(v)) for v in y])
        wm = [mpmath.mpf(sp.N(v, dps + 15)) for v in w]
        m = len(wm)
        if rho != 0:
            A = Km.copy()
            r = mpmath.mpf(sp.N(rho, dps + 15))
            for k in range(m):
                A[k, k] += r / wm[k]
            c = mpmath.lu_solve(A, ym)
        else:
            c = mpmath.matrix(spectral_dual_mp(Km, list(ym), wm, lambda e: 1 / e, dps))
        f = Ksm * c
        vals = {p: +f[k] for k, p in enumerate(task.ordered_pairs())}
    with mpmath.workdps(dps):
        vals = {p: +v for p, v in vals.items()}
    return _as_predictions(task, vals, kernel, ridge, f"mpmath{dps}")


def solve_features(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> np.ndarray:
    r"""KRR margins computed in feature space, without the kernel.

    Ridge regression of the targets on the features :math:`\Phi` with weights
    :math:`W`: :math:`\beta = (\Phi^\top W \Phi + \rho I)^{-1}\Phi^\top W y`
    (the minimum-norm weighted least-squares solution for :math:`\rho = 0`),
    then :math:`f(p) = \phi(p)^\top \beta`.  Needs a kernel with a
    ``features`` method (feature-map kernels and their sums and scalings).
    """
    if not hasattr(kernel, "features"):
        raise TypeError(f"kernel: {kernel!r} has no explicit feature map")
    rho = float(_numeric_ridge(ridge, subs))
    trials = task.training_trials()
    X = [t for t, _, _ in trials]
    y = np.array([t for _, t, _ in trials], dtype=float)
    sd = _subs_dict(subs)
    w = np.array([float(sp.sympify(t).subs(sd)) for _, _, t in trials])
    F = kernel.features(task.n, X, sd)
    Ft = kernel.features(task.n, task.ordered_pairs(), sd)
    s = np.sqrt(w)
    if rho > 0:
        beta = np.linalg.solve(F.T @ (w[:, None] * F) + rho * np.eye(F.shape[1]), F.T @ (w * y))
    else:
        beta = np.linalg.lstsq(s[:, None] * F, s * y, rcond=1e-11)[0]
    f = Ft @ beta
    n = task.n
    M = np.zeros((n, n))
    for (i, j), v in zip(task.ordered_pairs(), f):
        M[i - 1, j - 1] = v
    return M
