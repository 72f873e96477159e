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

from .._validate import check_digits, check_ridge
from ..kernels.trial import PATTERNS, TrialKernel, check_psd, pattern_codes
from .predictions import Predictions
from ..task import Task

__all__ = ["solve_numpy", "solve_sklearn", "solve_mpmath", "solve_features", "training_system", "mp_matrix",
           "spectral_dual_mp"]


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


def _to_matrix(task: Task, f) -> np.ndarray:
    """Margins of ``task.ordered_pairs()`` (in order) as the ``n x n`` matrix."""
    n = task.n
    I, J = np.array(task.ordered_pairs()).T
    M = np.zeros((n, n))
    M[I - 1, J - 1] = np.asarray(f, dtype=float)
    return M


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


def solve_numpy(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> Predictions:
    r"""Float64 KRR margins from the full trial Gram system.

    Solves :math:`(K + \rho W^{-1})c = y` with ``numpy.linalg.solve`` for
    :math:`\rho > 0`; for :math:`\rho = 0` the minimum-norm weighted
    interpolant :math:`c = W^{1/2}(W^{1/2} K W^{1/2})^{+} W^{1/2} y` (a
    Hermitian pseudo-inverse, relative cut-off :math:`10^{-11}`).  Predicts
    :math:`f(p) = K(p, X)\,c`.

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
    >>> solve_numpy(Task(3), AlphaKernel("1/3"), ridge=-1)
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    check_psd(kernel, task.ordered_pairs()) if not subs else None
    ridge = _numeric_ridge(ridge, subs)
    rho = float(ridge)
    K, Ks = _gram_pair(task, kernel, subs, float)
    y, w = _targets_weights(task, subs)
    y, w = np.array(y, dtype=float), np.array([float(x) for x in w])
    if rho > 0:
        c = np.linalg.solve(K + rho * np.diag(1.0 / w), y)
    else:
        s = np.sqrt(w)
        Kt = s[:, None] * K * s[None, :]
        c = s * (np.linalg.pinv(Kt, hermitian=True, rcond=1e-11) @ (s * y))
    return _as_predictions(task, _to_matrix(task, Ks @ c), kernel, ridge, "numpy")


def solve_sklearn(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> Predictions:
    r"""KRR margins from ``sklearn.kernel_ridge.KernelRidge(kernel="precomputed")``.

    The ridge :math:`\rho` is sklearn's ``alpha`` and the training weights
    :math:`W` its ``sample_weight``: sklearn solves
    :math:`(W^{1/2} K W^{1/2} + \rho I)\tilde c = W^{1/2} y`, the same KRR as
    :func:`solve_numpy`.  At ``ridge = 0`` sklearn falls back to least squares
    when the Gram matrix is singular (with a warning, silenced here).

    Parameters are those of :func:`solve_numpy`.

    Returns
    -------
    Predictions
        floats, ``exact=False``, ``method="sklearn"`` (``.to_numpy()``: the matrix).

    >>> from symti import Task, AlphaKernel
    >>> round(solve_sklearn(Task(3), AlphaKernel("1/2"), ridge="1/2")[1, 3], 12)   # 2(1-a)/(1+a+2 rho)
    0.4
    >>> solve_sklearn(Task(3), AlphaKernel("1/2"), ridge="-1")
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    import warnings

    from sklearn.kernel_ridge import KernelRidge

    check_psd(kernel, task.ordered_pairs()) if not subs else None
    ridge = _numeric_ridge(ridge, subs)
    rho = float(ridge)
    K, Ks = _gram_pair(task, kernel, subs, float)
    y, w = _targets_weights(task, subs)
    model = KernelRidge(alpha=rho, kernel="precomputed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(K, np.array(y, dtype=float), sample_weight=np.array([float(x) for x in w]))
        f = model.predict(Ks)
    return _as_predictions(task, _to_matrix(task, f), kernel, ridge, "sklearn")


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


def _interpolant_mp(task, kernel, subs, Km, ym, dps):
    """``K^{-1} y`` if ``K`` is numerically nonsingular at ``dps`` digits, else ``None``:
    LU at the current precision and again at 20 more digits (``K`` rebuilt there);
    a singular system gives solutions that disagree."""
    try:
        c1 = mpmath.lu_solve(Km, ym)
        with mpmath.workdps(mpmath.mp.dps + 20):
            Khi, _ = _gram_pair(task, kernel, subs, lambda x: mpmath.mpf(sp.N(x, mpmath.mp.dps + 5)), test=False)
            c2 = mpmath.lu_solve(Khi, ym)
            scale = max([mpmath.mpf(1)] + [abs(x) for x in c2])
            gap = max(abs(a - b) for a, b in zip(c1, c2))
    except ZeroDivisionError:
        return None
    return c2 if gap <= scale * mpmath.mpf(10) ** (-(dps + 2)) else None


def solve_mpmath(task: Task, kernel: TrialKernel, ridge=0, dps: int = 50, subs: dict | None = None) -> Predictions:
    r"""KRR margins at ``dps`` significant digits with mpmath.

    :math:`\rho > 0`: LU solve of :math:`(K + \rho W^{-1})c = y`.
    :math:`\rho = 0`: the interpolant :math:`K c = y` by LU when :math:`K` is
    nonsingular (two solves at different working precisions must agree to
    ``dps`` digits); otherwise the pseudo-inverse from the symmetric
    eigendecomposition of :math:`W^{1/2} K W^{1/2}`, dropping eigenvalues
    below :math:`10^{-dps/2}` times the largest.

    >>> from symti import Task, AlphaKernel
    >>> P = solve_mpmath(Task(3), AlphaKernel("1/3"), dps=30)
    >>> P[1, 3]      # 2(1 - alpha)/(1 + alpha)
    mpf('1.0')
    """
    dps = check_digits(dps, "dps")
    check_psd(kernel, task.ordered_pairs()) if not subs else None
    rho = _numeric_ridge(ridge, subs)
    y, w = _targets_weights(task, subs)
    with mpmath.workdps(dps + 10):
        Km, Ksm = _gram_pair(task, kernel, subs, lambda x: mpmath.mpf(sp.N(x, dps + 15)))
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
            c = _interpolant_mp(task, kernel, subs, Km, ym, dps)
            if c is None:  # singular Gram matrix: the minimum-norm limit
                c = mpmath.matrix(spectral_dual_mp(Km, list(ym), wm, lambda e: 1 / e, dps))
        f = Ksm * c
        vals = {p: +f[k] for k, p in enumerate(task.ordered_pairs())}
    with mpmath.workdps(dps):
        vals = {p: +v for p, v in vals.items()}
    return _as_predictions(task, vals, kernel, rho, f"mpmath{dps}")


def solve_features(task: Task, kernel: TrialKernel, ridge=0, subs: dict | None = None) -> Predictions:
    r"""KRR margins computed in feature space, without the kernel.

    Ridge regression of the targets on the features :math:`\Phi` with weights
    :math:`W`: :math:`\beta = (\Phi^\top W \Phi + \rho I)^{-1}\Phi^\top W y`
    (the minimum-norm weighted least-squares solution for :math:`\rho = 0`),
    then :math:`f(p) = \phi(p)^\top \beta`.  Needs a kernel with a
    ``features`` method (feature-map kernels and their sums and scalings).

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
    if not hasattr(kernel, "features"):
        raise TypeError(f"kernel: {kernel!r} has no explicit feature map")
    ridge = _numeric_ridge(ridge, subs)
    rho = float(ridge)
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
    return _as_predictions(task, _to_matrix(task, Ft @ beta), kernel, ridge, "features")
