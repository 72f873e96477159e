"""Exact margins vs float routes: numpy, scikit-learn, and least squares in
explicit feature spaces (no kernel at all).

Float comparisons are to 1e-9 relative (to the largest margin) and only where
the system is well conditioned: the condition number of
:math:`K + \\rho W^{-1}` (or, ridgeless, of the nonzero spectrum of
:math:`W^{1/2} K W^{1/2}` with a clear gap to its null space) is checked and
badly conditioned draws are rejected with ``assume``.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, example, given, strategies as st

from symti.solve.exact import solve_exact
from symti.kernels import (
    AlphaKernel,
    ConcatOneHot,
    ExchangeableKernel,
    FeatureMapKernel,
    ItemEmbedding,
    SimilarityKernel,
    TensorOneHot,
    geometric_similarity,
)
from symti.solve.numeric import solve_features, solve_numpy, solve_sklearn
from symti.task import Task

from strategies import FEATURE_PATTERNS, _feature_vector, alphas, examples, exchangeable_kernels, mixture_values, ridges, tasks

R = sp.Rational
MAX_COND = 1e6


def system_conditioning(task, kernel, ridge):
    """``(condition number, singular?)`` of the KRR system that the float solvers see."""
    trials = task.training_trials()
    X = [t for t, _, _ in trials]
    K = np.array(kernel.gram(X), dtype=float)
    w = np.array([float(wt) for _, _, wt in trials])
    if ridge != 0:
        return np.linalg.cond(K + float(ridge) * np.diag(1 / w)), False
    s = np.sqrt(w)
    lam = np.abs(np.linalg.eigvalsh(s[:, None] * K * s[None, :]))
    top = lam.max()
    null = lam < 1e-12 * top
    rest = lam[~null]
    if rest.min() < 1e-6 * top:  # no clear spectral gap
        return np.inf, True
    return top / rest.min(), bool(null.any())


def assert_rel_close(M, E, tol=1e-9):
    """Relative to the largest margin, in units of the targets (+-1) at least."""
    scale = max(np.abs(E).max(), 1.0)
    err = np.abs(M - E).max()
    assert err <= tol * scale, (err, scale)


def crosscheck(task, kernel, ridge, sklearn=True):
    cond, singular = system_conditioning(task, kernel, ridge)
    assume(cond < MAX_COND)
    E = solve_exact(task, kernel, ridge).to_numpy()
    assert_rel_close(solve_numpy(task, kernel, ridge).to_numpy(), E)
    if sklearn and ridge != 0:  # sklearn has no ridgeless limit: solve_sklearn refuses ridge = 0
        assert_rel_close(solve_sklearn(task, kernel, ridge).to_numpy(), E)
    return E


@given(tasks(), alphas(), ridges())
@example(Task(3), R(0), R(1))
def test_alpha_kernel_numpy_sklearn(task, a, r):
    crosscheck(task, AlphaKernel(a), r)


@given(tasks(), ridges(), exchangeable_kernels())
def test_exchangeable_numpy_sklearn(task, r, K):
    crosscheck(task, K, r)


@examples(15)
@given(tasks(), ridges(), alphas(), st.sampled_from([R(-1, 3), R(1, 4), R(1, 2)]))
def test_similarity_numpy_sklearn(task, r, a, g):
    crosscheck(task, SimilarityKernel(geometric_similarity(task.n, g), alpha=a), r)


@examples(10)
@given(tasks(), ridges(), alphas(), st.integers(0, 1000), st.integers(1, 5))
def test_item_embedding_numpy_sklearn(task, r, a, seed, d):
    crosscheck(task, ItemEmbedding.random(task.n, d, seed=seed, alpha=a), r)


# ------------------------------------------------------------ feature maps
def feature_crosscheck(task, kernel, ridge):
    """solve_features (least squares in feature space) == the kernel solves."""
    F = solve_features(task, kernel, ridge).to_numpy()
    N = solve_numpy(task, kernel, ridge).to_numpy()
    scale = max(np.abs(N).max(), 1.0)
    assert np.abs(F - N).max() <= 1e-9 * scale
    cond, _ = system_conditioning(task, kernel, ridge)
    if cond < MAX_COND:
        E = solve_exact(task, kernel, ridge).to_numpy()
        assert_rel_close(F, E)


@given(tasks(), ridges())
def test_concat_one_hot_features(task, r):
    feature_crosscheck(task, ConcatOneHot(), r)


@given(tasks(), ridges())
def test_tensor_one_hot_features(task, r):
    feature_crosscheck(task, TensorOneHot(), r)


@given(tasks(), ridges(), st.sampled_from([R(0), R(1, 3), R(1), R(2)]), st.sampled_from([R(0), R(1, 2), R(1), R(3)]))
def test_one_hot_mixes(task, r, a, b):
    assume(a + b > 0)
    feature_crosscheck(task, a * ConcatOneHot() + b * TensorOneHot(), r)


@given(tasks(), ridges(), alphas())
def test_alpha_kernel_features(task, r, a):
    feature_crosscheck(task, AlphaKernel(a), r)


@given(tasks(), ridges(), alphas(), st.integers(0, 1000), st.integers(1, 5))
def test_item_embedding_features(task, r, a, seed, d):
    feature_crosscheck(task, ItemEmbedding.random(task.n, d, seed=seed, alpha=a), r)


@given(tasks(max_n=6), ridges(), st.dictionaries(st.sampled_from(list(FEATURE_PATTERNS)), st.integers(1, 3), min_size=1))
def test_exchangeable_mixture_features(task, r, coeffs):
    """An exchangeable kernel solved as a kernel == least squares on its
    explicit feature map (the mixture of exchangeable feature maps)."""
    same = sum(c * FEATURE_PATTERNS[k][0] for k, c in coeffs.items())

    def phi(n, t):
        out = []
        for k, c in sorted(coeffs.items()):
            out += [sp.sqrt(R(c, same)) * x for x in _feature_vector(k, n, *t)]
        return out

    K = ExchangeableKernel(*mixture_values(coeffs))
    Kf = FeatureMapKernel(phi, task.n)
    F = solve_features(task, Kf, r).to_numpy()
    N = solve_numpy(task, K, r).to_numpy()
    assert np.abs(F - N).max() <= 1e-9 * max(np.abs(N).max(), 1.0)


def test_solve_features_needs_a_feature_map():
    with pytest.raises(TypeError, match="^kernel"):
        solve_features(Task(3), ExchangeableKernel(kappa_1="1/2", kappa_2="1/2"))
