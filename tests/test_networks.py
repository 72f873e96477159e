"""Architecture -> conjunctivity: the NNGP recursion against explicit random networks."""
import numpy as np
import pytest
import sympy as sp

from symti import AlphaKernel, Task
from symti.kernels.networks import conjunctivity, kernel_map, layer_similarities, network_alpha, network_kernel
from symti.solve.numeric import solve_numpy


def _trial_inputs(n, trials):
    X = np.zeros((len(trials), 2 * n))
    for r, (i, j) in enumerate(trials):
        X[r, i - 1] = X[r, n + j - 1] = np.sqrt(0.5)
    return X


def test_relu_kernel_map_matches_monte_carlo():
    rng = np.random.default_rng(0)
    for x in (-0.6, 0.0, 0.3, 0.9):
        u = rng.standard_normal(400_000)
        v = x * u + np.sqrt(1 - x * x) * rng.standard_normal(400_000)
        emp = np.mean(2 * np.maximum(u, 0) * np.maximum(v, 0))
        assert abs(emp - float(kernel_map(x, 1))) < 1e-2


@pytest.mark.parametrize("depth", [1, 2])
def test_nngp_similarities_match_a_wide_relu_network(depth):
    n, widths, chunk = 4, (6_000, 24_000), 2_000
    trials = [(1, 2), (1, 3), (2, 1), (3, 4), (2, 3)]
    H = _trial_inputs(n, trials)
    rng = np.random.default_rng(depth)
    for layer in range(depth):
        width = widths[min(layer, 1)]
        # draw the layer's weights in column chunks to bound memory
        H = np.hstack([
            np.sqrt(2.0 / width) * np.maximum(H @ rng.standard_normal((H.shape[1], chunk)), 0)
            for _ in range(width // chunk)
        ])
    G = H @ H.T
    G = G / np.sqrt(np.outer(np.diag(G), np.diag(G)))
    ko, kd = (float(v) for v in layer_similarities(depth, r=1))
    tol = 3e-2  # Monte Carlo error ~ 1/sqrt(width)
    assert abs(G[0, 1] - ko) < tol  # same first item
    assert abs(G[0, 2] - kd) < tol  # swapped
    assert abs(G[0, 3] - kd) < tol  # disjoint
    assert abs(G[0, 4] - kd) < tol  # crossed


def test_linear_network_stays_additive():
    assert all(network_alpha(d, r=0) == 0 for d in range(4))


def test_alpha_increases_with_depth_and_decreases_with_additive_nodes():
    a = [network_alpha(d, r=1, dps=30) for d in range(1, 12)]
    assert all(x < y for x, y in zip(a, a[1:]))
    assert all(network_alpha(d, 1, "1/2", dps=30) < network_alpha(d, 1, dps=30) for d in range(1, 12))
    # the exact form and the mpmath recursion agree
    import mpmath

    for d in (1, 2):
        with mpmath.workdps(50):
            exact = mpmath.mpf(sp.N(network_alpha(d, 1), 50))
            assert abs(exact - network_alpha(d, 1, dps=40)) < mpmath.mpf(10) ** -35


def test_network_kernel_predicts_like_its_alpha():
    task = Task(6, exceptions=[(2, 5)])
    K = network_kernel(2, r=1)
    a_eff, r_eff = K.reduced_alpha_ridge(sp.Rational(1, 10))
    M_net = solve_numpy(task, K, sp.Rational(1, 10)).to_numpy()
    M_alpha = solve_numpy(task, AlphaKernel(sp.Rational(str(float(a_eff)))), float(r_eff)).to_numpy()
    assert float(a_eff) == pytest.approx(float(network_alpha(2, r=1)), rel=1e-12)
    assert np.abs(M_net - M_alpha).max() < 1e-9


def test_bad_network_parameters():
    with pytest.raises(ValueError, match="depth"):
        network_alpha(-1)
    with pytest.raises(ValueError, match="r:"):
        network_alpha(1, r=2)
    with pytest.raises(ValueError, match="nu:"):
        network_alpha(1, nu=-1)
    with pytest.raises(ValueError, match="kappa_d"):
        conjunctivity(0, 1)
