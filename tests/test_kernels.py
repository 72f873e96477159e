"""Kernels on trials: values against explicit feature maps, PSD checks.

Each kernel's value is compared with the inner product of a feature map
written out here (exact where the features are exact), so a wrong pattern
table or a wrong mixing weight shows up.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symti.kernels import (
    AlphaKernel,
    ConcatOneHot,
    ExchangeableKernel,
    ItemEmbedding,
    SimilarityKernel,
    TensorOneHot,
    check_psd,
    coincidence_pattern,
    geometric_similarity,
)
from symti.task import Task

from strategies import FEATURE_PATTERNS, _feature_vector, alphas, exchangeable_kernels, mixture_values

R = sp.Rational


def trials(n):
    return Task(n).ordered_pairs()


def one_hot(n, k):
    return [int(k == m) for m in range(1, n + 1)]


def concat(n, p):
    return [sp.sqrt(R(1, 2)) * x for x in one_hot(n, p[0]) + one_hot(n, p[1])]


def tensor(n, p):
    return [a * b for a in one_hot(n, p[0]) for b in one_hot(n, p[1])]


def dot(u, v):
    return sp.nsimplify(sum(a * b for a, b in zip(u, v)))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_one_hot_kernels_are_inner_products(n):
    for p, q in itertools.product(trials(n), repeat=2):
        assert ConcatOneHot()(p, q) == dot(concat(n, p), concat(n, q))
        assert TensorOneHot()(p, q) == dot(tensor(n, p), tensor(n, q))
    F = ConcatOneHot().features(n, trials(n))
    assert np.allclose(F @ F.T, np.array(ConcatOneHot().gram(trials(n)), dtype=float))
    F = TensorOneHot().features(n, trials(n))
    assert np.allclose(F @ F.T, np.array(TensorOneHot().gram(trials(n)), dtype=float))


def test_alpha_kernel_pattern_table():
    a = sp.Symbol("alpha")
    K = AlphaKernel(a)
    expect = {"same": 1, "swap": 0, "first": (1 - a) / 2, "second": (1 - a) / 2, "crossed": 0, "disjoint": 0}
    for p, q in itertools.product(trials(5), repeat=2):
        assert sp.expand(K(p, q) - expect[coincidence_pattern(p, q)]) == 0


@given(alphas())
def test_alpha_kernel_is_the_one_hot_mix(a):
    K = AlphaKernel(a)
    mix = (1 - a) * ConcatOneHot() + a * TensorOneHot()
    sim = SimilarityKernel(sp.eye(4), alpha=a)
    for p, q in itertools.product(trials(4), repeat=2):
        assert K(p, q) == mix(p, q) == sim(p, q)
    F = K.features(4, trials(4))
    assert np.allclose(F @ F.T, np.array(K.gram(trials(4)), dtype=float), atol=1e-14)
    F = mix.features(4, trials(4))
    assert np.allclose(F @ F.T, np.array(K.gram(trials(4)), dtype=float), atol=1e-14)


def test_coincidence_patterns_by_hand():
    assert coincidence_pattern((1, 2), (1, 2)) == "same"
    assert coincidence_pattern((1, 2), (2, 1)) == "swap"
    assert coincidence_pattern((1, 2), (1, 3)) == "first"
    assert coincidence_pattern((1, 2), (3, 2)) == "second"
    assert coincidence_pattern((1, 2), (2, 3)) == "crossed"
    assert coincidence_pattern((1, 2), (3, 1)) == "crossed"
    assert coincidence_pattern((1, 2), (3, 4)) == "disjoint"


@pytest.mark.parametrize("name", list(FEATURE_PATTERNS))
def test_strategy_feature_patterns(name):
    """The pattern table used by the kernel strategy matches its feature maps."""
    n = 5
    order = ["same", "swap", "first", "second", "crossed", "disjoint"]
    for p, q in itertools.product(trials(n), repeat=2):
        val = dot(_feature_vector(name, n, *p), _feature_vector(name, n, *q))
        assert val == FEATURE_PATTERNS[name][order.index(coincidence_pattern(p, q))]


@given(exchangeable_kernels())
def test_exchangeable_mixtures_are_psd(K):
    G = np.array(K.gram(trials(5)), dtype=float)
    assert np.linalg.eigvalsh(G)[0] > -1e-12
    check_psd(K, trials(5))


@given(st.dictionaries(st.sampled_from(list(FEATURE_PATTERNS)), st.integers(1, 3), min_size=1))
def test_exchangeable_kernel_equals_feature_mixture(coeffs):
    n = 4
    ks, k1, k2, kx, kd = mixture_values(coeffs)
    K = ExchangeableKernel(ks, k1, k2, kx, kd)
    same = sum(c * FEATURE_PATTERNS[k][0] for k, c in coeffs.items())
    for p, q in itertools.product(trials(n), repeat=2):
        val = sum(c * dot(_feature_vector(k, n, *p), _feature_vector(k, n, *q)) for k, c in coeffs.items())
        assert K(p, q) == R(val) / same
    assert K.swap_invariant == (k1 == k2)


def test_exchangeable_symbolic_values():
    k = sp.symbols("k_s k_1 k_2 k_x k_d")
    K = ExchangeableKernel(*k)
    assert K((1, 2), (2, 1)) == k[0] and K((1, 2), (1, 3)) == k[1] and K((1, 2), (3, 2)) == k[2]
    assert K((1, 2), (3, 1)) == k[3] and K((1, 2), (3, 4)) == k[4] and K((1, 2), (1, 2)) == 1
    assert not K.swap_invariant
    assert ExchangeableKernel(k[0], k[1], k[1], k[3], k[4]).swap_invariant


@given(st.sampled_from([R(-1, 2), R(0), R(1, 3), R(7, 10)]), alphas())
def test_similarity_kernel_formula(g, a):
    n = 4
    S = geometric_similarity(n, g)
    K = SimilarityKernel(S, alpha=a)
    for (i, j), (k, l) in itertools.product(trials(n), repeat=2):
        sik, sjl = g ** abs(i - k), g ** abs(j - l)
        assert K((i, j), (k, l)) == (1 - a) / 2 * (sik + sjl) + a * sik * sjl
    check_psd(K, trials(n))


@given(st.integers(0, 50), st.integers(1, 4), alphas())
def test_item_embedding_features_give_its_kernel(seed, d, a):
    n = 4
    E = ItemEmbedding.random(n, d, seed=seed, alpha=a)
    X = np.array(E.X, dtype=float)
    # exact: S = X X^T
    S = E.X * E.X.T
    for (i, j), (k, l) in itertools.product(trials(n), repeat=2):
        sik, sjl = S[i - 1, k - 1], S[j - 1, l - 1]
        assert E((i, j), (k, l)) == (1 - a) / 2 * (sik + sjl) + a * sik * sjl
    F = E.features(n, trials(n))
    G = np.array(E.gram(trials(n)), dtype=float)
    assert np.allclose(F @ F.T, G, atol=1e-12)
    assert np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-3)


def test_kernel_sums_and_scalings_are_feature_concatenations():
    n = 3
    K = R(1, 3) * ConcatOneHot() + 2 * TensorOneHot() + ItemEmbedding.random(n, 2, seed=1, alpha=R(1, 2))
    F = K.features(n, trials(n))
    G = np.array(K.gram(trials(n)), dtype=float)
    assert np.allclose(F @ F.T, G, atol=1e-12)


def test_check_psd_rejects_and_accepts():
    t = trials(4)
    check_psd(AlphaKernel(R(1, 2)), t)
    check_psd(ExchangeableKernel("1/4", "1/2", "1/2", "1/4", "1/4"), t)  # first + second + tensor + constant
    with pytest.raises(ValueError, match="^kernel: not positive semidefinite"):
        check_psd(ExchangeableKernel(kappa_1="9/10", kappa_2="-9/10"), t)
    with pytest.raises(ValueError, match="^kernel: not positive semidefinite"):
        check_psd(SimilarityKernel([[1, 2], [2, 1]], alpha=0), trials(2))
    # kappa_d = -1 with nothing else: the all-disjoint block is not PSD
    with pytest.raises(ValueError, match="^kernel: not positive semidefinite"):
        check_psd(ExchangeableKernel(kappa_d=-1), t)


# ---------------------------------------------------------------- the --kernel SPEC grammar
def test_kernel_spec_grammar(tmp_path):
    from symti.kernels.measured import GramKernel
    from symti.kernels.networks import NetworkKernel
    from symti.kernels.spec import parse_kernel_spec

    K = parse_kernel_spec("network:depth=2,nonlinearity=1/2,additive=1/4,type=ntk")
    assert isinstance(K, NetworkKernel) and (K.depth, K.r, K.nu, K.kind) == (2, R(1, 2), R(1, 4), "ntk")
    f = tmp_path / "S.csv"
    f.write_text("1,1/2,1/4\n1/2,1,1/2\n1/4,1/2,1\n")
    S = parse_kernel_spec(f"similarity:{f},alpha=1/3")
    ref = SimilarityKernel(geometric_similarity(3, R(1, 2)), R(1, 3))
    assert all(S(p, q) == ref(p, q) for p, q in itertools.product(trials(3), repeat=2))
    assert parse_kernel_spec(f"similarity:{f}").alpha == 0
    g = tmp_path / "G.npy"
    np.save(g, np.array(AlphaKernel(R(1, 4)).gram(trials(3)), dtype=float))
    G = parse_kernel_spec(f"gram:{g}")
    assert isinstance(G, GramKernel) and all(G(p, q) == AlphaKernel(R(1, 4))(p, q)
                                             for p, q in itertools.product(trials(3), repeat=2))
    with pytest.raises(ValueError, match="alpha"):
        parse_kernel_spec(f"similarity:{f},alpha=2")
    f.write_text("1,2\n2,1\n")
    for bad, match in ((f"similarity:{f}", "positive semidefinite"), ("network:depth=1,type=gp", "nngp or ntk"),
                       ("network:depth=1.5", "depth"), ("network:additive=2", "additive"),
                       ("gram:", "readable"), ("gram:x.txt", "readable")):
        with pytest.raises(ValueError, match=match):
            parse_kernel_spec(bad)
