"""Kernels measured from data: GramKernel, the exchangeable projection, reading files.

Independent routes: the projection against numpy least squares on the six pattern
indicator matrices (built here from the definition of the patterns); the fraction
explained recomputed in numpy; predictions of a GramKernel against solve_numpy and
against the kernel the matrix came from; random ReLU-network hidden states (numpy)
whose projection must reproduce the NNGP kappas within sampling error.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, strategies as st

from symti.analysis.geometry import projection_comparison, solve_representation
from symti.kernels.measured import GramKernel, project_exchangeable, read_matrix, trial_index
from symti.kernels.networks import layer_similarities, network_alpha
from symti.kernels.trial import ExchangeableKernel, SimilarityKernel, check_psd, geometric_similarity
from symti.solve.exact import solve_exact
from symti.solve.numeric import solve_numpy
from symti.task import Task

from strategies import examples, exchangeable_kernels

R = sp.Rational


def pattern_of(p, q):
    (i, j), (k, l) = p, q
    if p == q:
        return 0
    if (i, j) == (l, k):
        return 1
    if i == k:
        return 2
    if j == l:
        return 3
    if k == j or l == i:
        return 4
    return 5


def trials(n):
    return [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]


def test_row_order_is_task_ordered_pairs():
    for n in (2, 3, 5):
        assert [trial_index(n, i, j) for i, j in Task(n).ordered_pairs()] == list(range(n * (n - 1)))
    K = SimilarityKernel(geometric_similarity(4, R(1, 3)), R(1, 4))  # item-dependent values
    G = GramKernel(K.gram(Task(4).ordered_pairs()))
    assert all(G(p, q) == K(p, q) for p in trials(4) for q in trials(4))


@given(exchangeable_kernels(), st.integers(2, 6))
def test_projection_of_an_exchangeable_gram_is_itself(K, n):
    proj = project_exchangeable(K.gram(Task(n).ordered_pairs()), n)
    present = {2: (0,), 3: (0, 1, 2, 3)}.get(n, (0, 1, 2, 3, 4))  # patterns that occur for small n
    vals = (K.kappa_s, K.kappa_1, K.kappa_2, K.kappa_x, K.kappa_d)
    assert all(proj.kappas[k] == vals[k] for k in present)
    assert proj.explained == 1 and proj.scale == 1


@examples(10)
@given(st.integers(3, 5), st.integers(0, 2**31))
def test_projection_is_least_squares_on_the_pattern_indicators(n, seed):
    """Random symmetric matrices: the pattern means equal numpy's least-squares fit on the six
    indicator matrices, and the fraction explained equals 1 - |M - P|^2 / |M - mean|^2."""
    rng = np.random.default_rng(seed)
    N = n * (n - 1)
    A = rng.integers(-5, 6, size=(N, N))
    M = (A + A.T + 20 * np.eye(N)) / 8
    codes = np.array([[pattern_of(p, q) for q in trials(n)] for p in trials(n)])
    ind = np.stack([(codes == c).ravel() for c in range(6)], axis=1).astype(float)
    coef, *_ = np.linalg.lstsq(ind, M.ravel(), rcond=None)
    proj = project_exchangeable(M)
    used = [c for c in range(6) if (codes == c).any()]
    assert np.allclose([float(proj.means[c]) for c in used], coef[used], atol=1e-12)
    P = coef[codes]
    r2 = 1 - ((M - P) ** 2).sum() / ((M - M.mean()) ** 2).sum()
    assert abs(float(proj.explained) - r2) < 1e-12


def test_gram_kernel_predictions_equal_numpy_and_the_source_kernel():
    task = Task(5, exceptions=[(2, 4)], weights={(1, 2): 2})
    K = ExchangeableKernel(R(1, 10), R(2, 5), R(1, 5), R(1, 10), R(1, 20))  # kappa_1 != kappa_2
    G = GramKernel(K.gram(Task(5).ordered_pairs()))
    assert not G.swap_invariant
    for rho in (0, R(1, 7)):
        P = solve_exact(task, G, rho)
        Q = solve_exact(task, K, rho)
        assert all(P[p] == Q[p] for p in task.ordered_pairs())
        N = solve_numpy(task, G, rho).to_numpy()
        assert np.abs(np.array(P.matrix().evalf(), dtype=float) - N).max() < 1e-9


def test_psd_check_applies_to_gram_kernels():
    bad = np.eye(6)
    bad[0, 1] = bad[1, 0] = 0.9
    bad[0, 2] = bad[2, 0] = 0.9
    bad[1, 2] = bad[2, 1] = -0.9
    with pytest.raises(ValueError, match="positive semidefinite"):
        check_psd(GramKernel(bad), Task(3).ordered_pairs())
    with pytest.raises(ValueError, match="symmetric"):
        GramKernel(np.triu(np.ones((6, 6))))
    with pytest.raises(ValueError, match="n\\(n-1\\)"):
        GramKernel(np.eye(5))


def test_projection_of_random_relu_hidden_states_gives_the_nngp_kappas():
    """Hidden states of a wide random ReLU layer on (e_i + e_j)/sqrt2: their cosine-similarity
    matrix projects onto (kappa_d, kappa_o, kappa_o, kappa_d, kappa_d) of the NNGP, and the
    projection explains almost all of its variance; predictions of the full and the
    projected matrix agree in sign on every test pair."""
    n, width = 6, 20_000
    rng = np.random.default_rng(3)
    X = np.zeros((n * (n - 1), 2 * n))
    for t, (i, j) in enumerate(trials(n)):
        X[t, i - 1] = X[t, n + j - 1] = np.sqrt(0.5)
    H = np.sqrt(2.0) * np.maximum(X @ rng.standard_normal((2 * n, width)), 0)
    C = H @ H.T
    C = C / np.sqrt(np.outer(np.diag(C), np.diag(C)))
    C = np.round(C, 6)  # six decimals, as a CSV of measurements would hold them
    proj = project_exchangeable(C)
    ko, kd = (float(v) for v in layer_similarities(1, dps=20))
    assert np.allclose([float(x) for x in proj.kappas], [kd, ko, ko, kd, kd], atol=0.02)
    assert float(proj.explained) > 0.9
    assert abs(float(proj.alpha_eff) - float(network_alpha(1, dps=20))) < 0.05
    cmp = projection_comparison(Task(6, exceptions=[(2, 4)]), GramKernel(C), R(1, 10))
    assert cmp["wrong"] == cmp["wrong_projection"]


def test_read_matrix_csv_and_npy(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("# a comment\n1, 1/3\n\n0.25e0, 1\n")
    assert read_matrix(f) == [[1, R(1, 3)], [R(1, 4), 1]]
    g = tmp_path / "m.npy"
    np.save(g, np.array([[1.0, 0.1], [0.1, 1.0]]))
    assert read_matrix(g) == [[1, R(1, 10)], [R(1, 10), 1]]
    o = tmp_path / "o.npy"
    np.save(o, np.array([[{"a": 1}]], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="gram"):
        read_matrix(o)
    for text, match in (("1,2\n3\n", "square"), ("1,x\nx,1\n", "parse"), ("nan,1\n1,1\n", "finite")):
        f.write_text(text)
        with pytest.raises(ValueError, match=match):
            read_matrix(f)
    with pytest.raises(ValueError, match="readable"):
        read_matrix(tmp_path / "missing.csv")
    h = tmp_path / "m.txt"
    h.write_text("1")
    with pytest.raises(ValueError, match=".csv or .npy"):
        read_matrix(h)
