"""The exact solver against independent routes.

* exact rational functions of alpha and rho, evaluated at exact points, vs the
  mpmath solve of the full trial Gram system at 60 digits (to 1e-50);
* every kernel family (K_alpha, exchangeable with kappa_1 == kappa_2 and with
  kappa_1 != kappa_2, the geometric similarity kernel, random item
  embeddings) at exact parameters vs mpmath;
* the four exact routes (rank, antisymmetric, gram, generic) agree exactly
  with each other wherever they apply.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from hypothesis import example, given, strategies as st

from symti.solve.exact import solve_exact
from symti.kernels import AlphaKernel, ItemEmbedding, SimilarityKernel, geometric_similarity
from symti.solve.numeric import solve_mpmath
from symti.task import Task

from strategies import alphas, examples, exchangeable_kernels, ridges, tasks

R = sp.Rational
A, RHO = sp.symbols("alpha rho", positive=True)
DPS = 60
TOL = mpmath.mpf(10) ** -50


def to_mpf(x):
    """An exact SymPy rational as an mpf at the working precision (no float detour)."""
    x = sp.Rational(x)
    return mpmath.mpf(int(x.p)) / int(x.q)


def assert_matches_mpmath(P, task, kernel, ridge, subs=None):
    """Every exact margin of ``P`` (after ``subs``) equals the mpmath solve to 1e-50."""
    M = solve_mpmath(task, kernel, ridge, dps=DPS, subs=subs)
    with mpmath.workdps(DPS + 10):
        for key in task.ordered_pairs():
            v = P[key]
            if subs:
                v = v.subs(subs)
            assert v.is_Rational, (key, v)
            err = abs(to_mpf(v) - M[key])
            assert err < TOL * max(1, abs(M[key])), (key, v, M[key], err)


def assert_same(P, Q, pairs):
    for key in pairs:
        assert sp.cancel(P[key] - Q[key]) == 0, (key, P[key], Q[key])


# ------------------------------------------------ symbolic alpha and rho
@examples(10)
@given(tasks(), alphas(interior=True), ridges(positive=True))
def test_symbolic_alpha_rho_vs_mpmath(task, a, r):
    P = solve_exact(task, AlphaKernel(A), RHO)
    assert P.free_symbols <= {A, RHO}
    for v in P.values():  # a canonical rational function, not a float in disguise
        assert not v.atoms(sp.Float)
    assert_matches_mpmath(P, task, AlphaKernel(a), r, subs={A: a, RHO: r})


@given(tasks(), alphas(interior=True))
def test_symbolic_alpha_ridgeless_vs_mpmath(task, a):
    P = solve_exact(task, AlphaKernel(A), 0)
    assert P.free_symbols <= {A}
    assert_matches_mpmath(P, task, AlphaKernel(a), 0, subs={A: a})


@given(tasks(max_n=6), ridges(positive=True), exchangeable_kernels())
def test_symbolic_rho_general_kernels_vs_mpmath(task, r, K):
    """A symbolic ridge through the antisymmetric / gram routes."""
    P = solve_exact(task, K, RHO)
    assert P.free_symbols <= {RHO}
    assert_matches_mpmath(P, task, K, r, subs={RHO: r})


# ------------------------------------------------- exact parameters, every kernel
@given(tasks(), alphas(), ridges())
@example(Task(3), R(0), R(1))
@example(Task(5, [(1, 3)]), R(0), R(3))
def test_alpha_kernel_vs_mpmath(task, a, r):
    P = solve_exact(task, AlphaKernel(a), r)
    assert_matches_mpmath(P, task, AlphaKernel(a), r)


@given(tasks(), ridges(), exchangeable_kernels(swap_invariant=True))
def test_exchangeable_swap_invariant_vs_mpmath(task, r, K):
    P = solve_exact(task, K, r)
    assert P.method in ("antisymmetric",)
    assert_matches_mpmath(P, task, K, r)


@given(tasks(), ridges(), exchangeable_kernels(swap_invariant=False))
def test_exchangeable_not_swap_invariant_vs_mpmath(task, r, K):
    assert K.kappa_1 != K.kappa_2 and not K.swap_invariant
    P = solve_exact(task, K, r)
    assert P.method == "gram"
    assert_matches_mpmath(P, task, K, r)


@examples(15)
@given(tasks(), ridges(), alphas(), st.sampled_from([R(-1, 3), R(1, 4), R(1, 2), R(4, 5)]))
def test_geometric_similarity_vs_mpmath(task, r, a, g):
    K = SimilarityKernel(geometric_similarity(task.n, g), alpha=a)
    P = solve_exact(task, K, r)
    assert_matches_mpmath(P, task, K, r)


@examples(10)
@given(tasks(), ridges(), alphas(), st.integers(0, 1000), st.integers(1, 6))
def test_item_embedding_vs_mpmath(task, r, a, seed, d):
    K = ItemEmbedding.random(task.n, d, seed=seed, alpha=a)
    P = solve_exact(task, K, r)
    assert_matches_mpmath(P, task, K, r)


# --------------------------------------------------------- the routes agree
@given(tasks(), alphas(), ridges())
@example(Task(2), R(0), R(1))  # integer systems: ZZ.quo once floor-divided 1/2 to 0
@example(Task(3), R(0), R(1))
def test_all_routes_agree_alpha_kernel(task, a, r):
    K = AlphaKernel(a)
    P = solve_exact(task, K, r, method="rank")
    pairs = task.ordered_pairs()
    for method in ("antisymmetric", "gram", "generic"):
        assert_same(P, solve_exact(task, K, r, method=method), pairs)


@examples(10)
@given(tasks(max_n=5), st.sampled_from([0, RHO]))
def test_all_routes_agree_symbolic(task, r):
    K = AlphaKernel(A)
    P = solve_exact(task, K, r, method="rank")
    pairs = task.ordered_pairs()
    for method in ("antisymmetric", "gram"):
        assert_same(P, solve_exact(task, K, r, method=method), pairs)


@given(tasks(), ridges(), exchangeable_kernels(swap_invariant=True))
def test_routes_agree_swap_invariant(task, r, K):
    P = solve_exact(task, K, r, method="antisymmetric")
    pairs = task.ordered_pairs()
    assert_same(P, solve_exact(task, K, r, method="gram"), pairs)
    if r != 0 or task.n <= 5:  # generic + singular ridgeless = field over QQ(rho): slow
        assert_same(P, solve_exact(task, K, r, method="generic"), pairs)


@examples(10)
@given(tasks(), ridges(), exchangeable_kernels(swap_invariant=False))
def test_routes_agree_not_swap_invariant(task, r, K):
    P = solve_exact(task, K, r, method="gram")
    if r != 0 or task.n <= 5:  # generic + singular ridgeless = field over QQ(rho): slow
        assert_same(P, solve_exact(task, K, r, method="generic"), task.ordered_pairs())
    with pytest.raises(ValueError, match="^method"):
        solve_exact(task, K, r, method="antisymmetric")
    with pytest.raises(ValueError, match="^method"):
        solve_exact(task, K, r, method="rank")


def test_three_items_by_hand():
    """n = 3, ridgeless: the untrained pair (1, 3) gets 2(1 - alpha)/(1 + alpha).

    By hand: by antisymmetry r_2 = 0 and r_3 = -r_1 in the rank system
    (L + mu I) r = (1, 0, -1), mu = 2 alpha/(1 - alpha), so (1 + mu) r_1 = 1 and
    r_1 - r_3 = 2/(1 + mu) = 2(1 - alpha)/(1 + alpha): 2 at alpha = 0 (the
    additive model's distance), 0 at alpha = 1 (purely conjunctive).  Checked
    against a direct sympy solve of the 4 x 4 trial system.
    """
    trials = [(1, 2), (2, 1), (2, 3), (3, 2)]
    y = sp.Matrix([1, -1, 1, -1])
    K = AlphaKernel(A)
    G = sp.Matrix(4, 4, lambda p, q: K(trials[p], trials[q]))
    c = G.LUsolve(y)
    f13 = sp.cancel((sp.Matrix([[K((1, 3), q) for q in trials]]) * c)[0])
    assert sp.cancel(f13 - 2 * (1 - A) / (1 + A)) == 0
    P = solve_exact(Task(3), K)
    assert sp.cancel(P[1, 3] - f13) == 0 and sp.cancel(P[3, 1] + f13) == 0


@pytest.mark.parametrize("ridge", [0, RHO, R(1, 3)])
def test_symbolic_weight_vs_mpmath(ridge):
    """A training weight left as a symbol: a rational function of w as well."""
    w = sp.Symbol("w", positive=True)
    task = Task(6, [(2, 5)], weights={(5, 2): w, (1, 2): R(1, 2)})
    P = solve_exact(task, AlphaKernel(A), ridge)
    # ridgeless with alpha > 0 interpolates the training set: weights drop out
    assert (w in P.free_symbols) == (ridge != 0)
    numeric = Task(6, [(2, 5)], weights={(2, 5): 3, (1, 2): R(1, 2)})
    r = ridge if ridge != RHO else R(1, 7)
    assert_matches_mpmath(P, numeric, AlphaKernel(R(1, 3)), r, subs={w: 3, A: R(1, 3), RHO: R(1, 7)})
