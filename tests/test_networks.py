"""Architecture -> conjunctivity: the NNGP and NTK recursions against the authors' code and
explicit random networks.

Independent routes for :mod:`symti.kernels.networks`:

* the recursions of the authors' R package, ported line by line below (``get_kappas``,
  ``get_kappas_ntk``, ``get_alphas`` of ``R/coeffs.R`` in
  github.com/sflippl/relational-generalization-in-ti, commit 98516ce) in plain float64
  Python -- symti must match them to 1e-12;
* Monte-Carlo random networks of finite width (with explicit weights at depth 1;
  deeper, and with a fraction ``nu`` of additive nodes and the nonlinearity family
  ``r``, by sampling each layer's Gaussian pre-activations from the previous layer's
  empirical Gram matrix -- exactly what Gaussian weights do), compared within 4
  standard errors over independent networks;
* the empirical NTK of small numpy MLPs (explicit weights, gradients by hand-written
  backpropagation), within 4 standard errors;
* the depth-1 closed form derived by hand.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from symti import AlphaKernel, Task
from symti.analysis.geometry import margins_mp, solve_representation
from symti.kernels.networks import (NetworkKernel, conjunctivity, kernel_map, layer_similarities, network_alpha,
                                    network_kernel, ntk_similarities)
from symti.solve.exact import solve_exact
from symti.solve.numeric import solve_mpmath, solve_numpy


# ------------------------------------------------ the authors' R code, ported (R/coeffs.R)
def r_k(x, rho):
    return x + rho * (math.sqrt(1 - x**2) - math.acos(x) * x) / math.pi


def r_k_prime(x, rho):
    return 1 - rho / math.pi * math.acos(x)


def r_get_kappas(rho, l, lambd=0.0):
    kappa_o, kappa_d = 1 / 2, 0.0
    kappa_o_lst, kappa_d_lst = [kappa_o], [kappa_d]
    for j in range(2, l + 2):
        kappa_d = r_k(kappa_d, rho)
        kappa_o = (1 - lambd) * r_k(kappa_o, rho) + lambd / 2 * (1 + kappa_d)
        kappa_o_lst.append(kappa_o)
        kappa_d_lst.append(kappa_d)
    return kappa_o_lst, kappa_d_lst


def r_get_kappas_ntk(rho, l, lambd=0.0):
    kappas = r_get_kappas(rho, l, lambd=lambd)
    kappa_o, kappa_d = 1 / 2, 0.0
    kappa_o_lst, kappa_d_lst = [kappa_o], [kappa_d]
    for j in range(2, l + 2):  # R lists are 1-based: kappas[[1]][[j]] is index j - 1 here
        kappa_o = (kappas[0][j - 1] + (j - 1) * kappa_o * r_k_prime(kappas[0][j - 2], rho)) / j
        kappa_d = (kappas[1][j - 1] + (j - 1) * kappa_d * r_k_prime(kappas[1][j - 2], rho)) / j
        kappa_o = (1 - lambd) * kappa_o + lambd / 2 * (1 + kappa_d)
        kappa_o_lst.append(kappa_o)
        kappa_d_lst.append(kappa_d)
    return kappa_o_lst, kappa_d_lst


def r_get_alphas(rho, l, lambd=0.0, type="hidden_layer"):
    kappas = r_get_kappas(rho, l, lambd) if type == "hidden_layer" else r_get_kappas_ntk(rho, l, lambd)
    return [(1 + d - 2 * o) / (1 - d) for o, d in zip(*kappas)]


R_GRID = [sp.Rational(k, 8) for k in range(1, 17)]  # r in (0, 2]
NU_GRID = [sp.Rational(k, 10) for k in range(0, 6)]  # nu in [0, 1/2]


@pytest.mark.parametrize("kind,rtype", [("nngp", "hidden_layer"), ("ntk", "ntk")])
def test_alphas_match_the_published_r_recursion(kind, rtype):
    """Depth 1-6, r in (0, 2], nu in [0, 0.5]: |symti - R| < 1e-12 for alpha and both kappas."""
    worst = 0.0
    for r in R_GRID:
        for nu in NU_GRID:
            ref = r_get_alphas(float(r), 6, float(nu), rtype)
            ref_k = (r_get_kappas if kind == "nngp" else r_get_kappas_ntk)(float(r), 6, float(nu))
            for depth in range(1, 7):
                got = float(network_alpha(depth, r, nu, dps=30, kind=kind))
                worst = max(worst, abs(got - ref[depth]))
                ko, kd = (layer_similarities if kind == "nngp" else ntk_similarities)(depth, r, nu, dps=30)
                worst = max(worst, abs(float(ko) - ref_k[0][depth]), abs(float(kd) - ref_k[1][depth]))
    assert worst < 1e-12, worst


@pytest.mark.parametrize("kind", ["nngp", "ntk"])
def test_exact_values_equal_the_mpmath_recursion(kind):
    """Symbolic at small depth: the exact expressions evaluate to the 40-digit recursion."""
    for depth in (1, 2, 3):
        for r, nu in ((1, 0), (sp.Rational(3, 2), sp.Rational(1, 4)), (2, sp.Rational(1, 2))):
            exact = network_alpha(depth, r, nu, kind=kind)
            with mpmath.workdps(45):
                diff = mpmath.mpf(sp.N(exact, 45)) - network_alpha(depth, r, nu, dps=40, kind=kind)
            assert abs(diff) < mpmath.mpf(10) ** -35


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


@pytest.mark.parametrize("depth", [1])
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


# --------------------------------------------- random networks with additive nodes
MC_TRIALS = [(1, 2), (1, 3), (3, 2), (2, 1), (2, 3), (3, 4)]  # (1,2) vs: same 1st, same 2nd, swap, cross, disjoint


def _activation(r):
    """A leaky ReLU ``a z + b relu(z)`` whose normalised kernel map is
    ``(1 - r) x + r k_ReLU(x)``: ``b^2/2 = r``, ``a^2 + a b = 1 - r``."""
    b = np.sqrt(2 * r)
    a = (np.sqrt(4 - 2 * r) - np.sqrt(2 * r)) / 2
    return lambda z: a * z + b * np.maximum(z, 0)


def _layer(rng, G, width, phi):
    """One random layer of ``width`` units on inputs with Gram matrix ``G``: with
    i.i.d. N(0, 1/fan_in) weights the units' pre-activations are i.i.d. N(0, G)."""
    Z = np.linalg.cholesky(G + 1e-12 * np.eye(len(G))) @ rng.standard_normal((len(G), width))
    H = phi(Z)
    return H @ H.T / width


def random_network_gram(rng, depth, r, nu, width, n=4):
    """Normalised Gram matrix of ``MC_TRIALS`` after ``depth`` random layers of
    ``width`` units: a fraction ``1 - nu`` of conjunctive units see the whole
    previous layer (at the input ``(e_i + e_j)/sqrt2``); the additive units
    (``nu``, half per position) see only their own item's stream of the
    previous layer (at the input ``e_i`` resp. ``e_j``)."""
    phi = _activation(r)
    X = np.zeros((len(MC_TRIALS), 2 * n))
    for t, (i, j) in enumerate(MC_TRIALS):
        X[t, i - 1] = X[t, n + j - 1] = np.sqrt(0.5)
    G, A, B = X @ X.T, np.eye(n), np.eye(n)  # trials; item streams of the first and second position
    I, J = [i - 1 for i, _ in MC_TRIALS], [j - 1 for _, j in MC_TRIALS]
    for _ in range(depth):
        wc = int(round((1 - nu) * width))
        wa = (width - wc) // 2
        Gc = _layer(rng, G, wc, phi) if wc else 0
        if wa:
            A, B = _layer(rng, A, wa, phi), _layer(rng, B, wa, phi)
        G = (wc * Gc + wa * (A[np.ix_(I, I)] + B[np.ix_(J, J)])) / (wc + 2 * wa)
    d = np.sqrt(np.diag(G))
    return G / np.outer(d, d)


@pytest.mark.parametrize("depth,r,nu", [(1, "1", "0"), (2, "1", "1/2"), (3, "1/2", "1/4"), (3, "1", "1"),
                                        (2, "0", "1/2"), (4, "3/4", "3/4")])
def test_nngp_recursion_matches_random_networks_with_additive_nodes(depth, r, nu):
    rng = np.random.default_rng([depth, int(4 * float(sp.Rational(r))), int(4 * float(sp.Rational(nu)))])
    reps = np.array([random_network_gram(rng, depth, float(sp.Rational(r)), float(sp.Rational(nu)), 20_000)
                     for _ in range(16)])
    est = reps[:, 0, 1:]  # same first item, same second item, swapped, crossed, disjoint
    mean, se = est.mean(axis=0), est.std(axis=0, ddof=1) / np.sqrt(len(est))
    ko, kd = (float(v) for v in layer_similarities(depth, r=r, nu=nu, dps=20))
    assert se.max() < 5e-3  # the test has teeth
    assert (np.abs(mean - [ko, ko, kd, kd, kd]) < 4 * np.maximum(se, 1e-4)).all(), (mean, se, ko, kd)


def test_depth_one_closed_form():
    """By hand: k(0; r) = r/pi, k(1/2; r) = 1/2 + r (sqrt3/(2 pi) - 1/6), additive
    nodes give (1 + kappa_d)/2 for trials sharing one item."""
    r, nu = sp.symbols("r nu", positive=True)
    kd = r / sp.pi
    ko = (1 - nu) * (sp.Rational(1, 2) + r * (sp.sqrt(3) / (2 * sp.pi) - sp.Rational(1, 6))) + nu * (1 + kd) / 2
    got_o, got_d = layer_similarities(1, r, nu)
    assert sp.simplify(got_o - ko) == 0 and sp.simplify(got_d - kd) == 0
    assert sp.simplify(network_alpha(1, r, nu) - (1 + kd - 2 * ko) / (1 - kd)) == 0
    # ReLU, no additive nodes: alpha = (1/3 + (1 - sqrt3)/pi) / (1 - 1/pi) = 0.14715...
    assert abs(float(network_alpha(1, 1, 0)) - (1 / 3 + (1 - np.sqrt(3)) / np.pi) / (1 - 1 / np.pi)) < 1e-15


def test_all_additive_network_stays_additive():
    """nu = 1: every node is additive, kappa_o = (1 + kappa_d)/2, so alpha = 0 at every depth."""
    assert all(network_alpha(d, r, 1) == 0 for d in range(4) for r in (1, sp.Rational(1, 2)))


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
        network_alpha(1, r=3)
    with pytest.raises(ValueError, match="kind"):
        network_alpha(1, kind="gp")
    with pytest.raises(ValueError, match="dps"):
        NetworkKernel(1, dps=3)
    with pytest.raises(ValueError, match="nu:"):
        network_alpha(1, nu=-1)
    with pytest.raises(ValueError, match="kappa_d"):
        conjunctivity(0, 1)


# ------------------------------------------------------------- empirical NTK of an MLP
def _phi(r):
    b, a = np.sqrt(2 * r), (np.sqrt(4 - 2 * r) - np.sqrt(2 * r)) / 2
    return (lambda z: a * z + b * np.maximum(z, 0)), (lambda z: a + b * (z > 0))


def empirical_ntk(rng, X, depth, width, r):
    """NTK of one MLP in the NTK parametrisation, h1 = W1 x, h_{l+1} = W_{l+1} a_l / sqrt(m),
    f = v . a_L / sqrt(m), all weights N(0, 1): the sum over every parameter of
    grad f(x) grad f(x'), with the gradients by backpropagation written out."""
    phi, dphi = _phi(r)
    Ws = [rng.standard_normal((width, X.shape[1]))] + [rng.standard_normal((width, width)) for _ in range(depth - 1)]
    v = rng.standard_normal(width)
    hs, acts = [], [X.T]
    for ell, W in enumerate(Ws):
        h = W @ acts[-1] / (1.0 if ell == 0 else np.sqrt(width))
        hs.append(h)
        acts.append(phi(h))
    theta = acts[-1].T @ acts[-1] / width  # d f / d v
    delta = (v[:, None] / np.sqrt(width)) * dphi(hs[-1])  # d f / d h_L
    for ell in range(depth - 1, -1, -1):
        prev = acts[ell]
        scale = 1.0 if ell == 0 else 1.0 / width
        theta += (delta.T @ delta) * (prev.T @ prev) * scale  # d f / d W_ell
        if ell:
            delta = (Ws[ell].T @ delta / np.sqrt(width)) * dphi(hs[ell - 1])
    d = np.sqrt(np.diag(theta))
    return theta / np.outer(d, d)


@pytest.mark.parametrize("depth,r", [(1, "1"), (2, "1"), (3, "1/2"), (2, "2")])
def test_ntk_recursion_matches_empirical_ntk_of_small_mlps(depth, r):
    n = 4
    X = np.zeros((len(MC_TRIALS), 2 * n))
    for t, (i, j) in enumerate(MC_TRIALS):
        X[t, i - 1] = X[t, n + j - 1] = np.sqrt(0.5)
    rng = np.random.default_rng([7, depth, int(8 * float(sp.Rational(r)))])
    reps = np.array([empirical_ntk(rng, X, depth, 1500, float(sp.Rational(r)))[0, 1:] for _ in range(16)])
    mean, se = reps.mean(axis=0), reps.std(axis=0, ddof=1) / np.sqrt(len(reps))
    to, td = (float(v) for v in ntk_similarities(depth, r=r, dps=20))
    assert se.max() < 2e-2
    assert (np.abs(mean - [to, to, td, td, td]) < 4 * np.maximum(se, 1e-4)).all(), (mean, se, to, td)


# ------------------------------------------------------------- exact solves in seconds
@pytest.mark.parametrize("depth,kind", [(1, "nngp"), (3, "ntk"), (6, "nngp")])
def test_exact_solve_with_a_network_kernel_finishes_and_matches_mpmath(depth, kind):
    """The reduction route (solve_exact picks it for network kernels): exact margins (pi,
    arccos substituted into rational functions of K_alpha, never expanded in a solve); they equal an mpmath solve of the full trial system with the
    network kernel's values at 40 digits (solve_mpmath, 30 digits).  (SymPy's evalf of the
    exact margins is slow beyond depth 1 -- about a minute at depth 3 -- so they are
    evaluated at depth 1 only; margins_mp is the fast numeric path.)"""
    task = Task(9, exceptions=[(4, 6)])
    K = network_kernel(depth, r=1, kind=kind)
    P = solve_representation(task, K, sp.Rational(1, 20))
    assert P.method == "reduced" and solve_exact(task, K, sp.Rational(1, 20)).method == "reduced"
    M = margins_mp(task, K, sp.Rational(1, 20), dps=30)
    ref = solve_mpmath(task, network_kernel(depth, r=1, kind=kind, dps=40), sp.Rational(1, 20), dps=30)
    with mpmath.workdps(30):
        for key in [(3, 6), (4, 7), (1, 9), (6, 4), (4, 5)]:
            assert abs(M[key] - ref[key]) < 1e-20, (key, M[key], ref[key])
        if depth == 1:
            assert abs(mpmath.mpf(sp.N(P[3, 6], 30)) - M[3, 6]) < 1e-20
