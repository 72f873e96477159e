"""The exchangeable family: closed-form eigenvalues, the exact PSD region, the reduction to K_alpha.

Independent routes: the explicit Gram matrix on all ordered pairs, built here
entry by entry from the definition of the coincidence patterns (not with
symti's pattern tables), and its numpy eigenvalues; an explicit full-Gram KRR
solve written here with SymPy's ``Matrix.LUsolve`` (exact rationals) -- the
exact solver and the reduction must equal it exactly.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, strategies as st

from symti.analysis.geometry import solve_representation, swap_sums
from symti.kernels.exchangeable import (alpha_eff_range, exchangeable_eigenvalues, is_psd, psd_conditions,
                                        reduced_alpha_ridge, reduction_applies)
from symti.kernels.trial import AlphaKernel, ExchangeableKernel
from symti.solve.exact import solve_exact
from symti.task import Task

from strategies import examples, exchangeable_kernels, ridges, tasks

R = sp.Rational


def value_by_definition(p, q, kap):
    """The kernel value of trials p, q straight from derivations/theory.md §2's table."""
    (i, j), (k, l) = p, q
    ks, k1, k2, kx, kd = kap
    if (i, j) == (k, l):
        return 1
    if (i, j) == (l, k):
        return ks
    if i == k:
        return k1
    if j == l:
        return k2
    if k == j or l == i:
        return kx
    return kd


def explicit_gram(n, kap):
    T = [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]
    return np.array([[float(value_by_definition(p, q, kap)) for q in T] for p in T])


kappa_values = st.fractions(min_value=-1, max_value=1, max_denominator=7).map(lambda f: R(f.numerator, f.denominator))


@given(st.integers(2, 12), st.tuples(*[kappa_values] * 5))
def test_closed_form_eigenvalues_match_the_explicit_gram_matrix(n, kap):
    G = explicit_gram(n, kap)
    got = np.sort(np.linalg.eigvalsh(G))
    K = ExchangeableKernel(*kap)
    closed = []
    for _, v, m in exchangeable_eigenvalues(n, K):
        closed += [complex(sp.N(v, 30)).real] * m
    assert len(closed) == n * (n - 1)
    assert np.allclose(np.sort(closed), got, atol=1e-9), (n, kap)


_EIG_FUNCS = {}


def _closed_min_eig(n, d, t):
    """Smallest closed-form eigenvalue at kappa = t d (formulas lambdified once per n)."""
    if n not in _EIG_FUNCS:
        _EIG_FUNCS[n] = sp.lambdify(sp.symbols("kappa_s kappa_1 kappa_2 kappa_x kappa_d", real=True),
                                    [v for _, v, _ in exchangeable_eigenvalues(n)], modules="mpmath")
    vals = _EIG_FUNCS[n](*[float(t * x) for x in d])
    return min(float(complex(v).real) for v in vals)


@given(st.integers(2, 12), st.tuples(*[st.integers(-6, 6)] * 5))
def test_points_just_inside_are_psd_and_just_outside_are_not(n, d):
    """Along a random ray from kappa = 0 (the identity, strictly inside), find the boundary
    t* of the closed-form region by bisection; the explicit Gram matrix must be PSD at
    t*(1 - 1e-3) and not at t*(1 + 1e-3); the exact is_psd agrees on both points."""
    d = [R(x, 6) for x in d]
    if n == 2:
        d[1:] = [0, 0, 0, 0]
    elif n == 3:
        d[4] = 0  # kappa_d does not occur for n = 3
    assume(any(d))
    hi = R(1)
    while _closed_min_eig(n, d, hi) >= 0:
        hi *= 2
        assume(hi < 2**12)  # a ray that never leaves (not possible with |kappa| <= 1)
    lo = R(0)
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _closed_min_eig(n, d, mid) >= 0 else (lo, mid)
    t_in, t_out = lo * (1 - R(1, 1000)), lo * (1 + R(1, 1000))
    g_in = np.linalg.eigvalsh(explicit_gram(n, [t_in * x for x in d]))[0]
    g_out = np.linalg.eigvalsh(explicit_gram(n, [t_out * x for x in d]))[0]
    assert g_in > -1e-12, (n, d, g_in)
    assert g_out < -1e-7, (n, d, g_out)
    if all(abs(t_out * x) <= 1 for x in d):
        assert is_psd(ExchangeableKernel(*[t_in * x for x in d]), n)
        assert not is_psd(ExchangeableKernel(*[t_out * x for x in d]), n)


def test_psd_conditions_are_exactly_the_nonnegative_eigenvalues():
    # K_alpha: the five eigenvalues of derivations/theory.md §5
    a = sp.Symbol("alpha")
    for n in (4, 7):
        eig = {name: sp.expand(v) for name, v, _ in exchangeable_eigenvalues(n, AlphaKernel(a))}
        assert eig["constant"] == sp.expand(1 + (n - 2) * (1 - a))
        assert eig["symmetric"] == a and eig["cycle"] == a
        for x in (R(0), R(1, 3), R(9, 10)):
            block = {sp.nsimplify(eig["block+"].subs(a, x)), sp.nsimplify(eig["block-"].subs(a, x))}
            assert block == {1 + (n - 2) * (1 - x) / 2, 1 + (n - 4) * (1 - x) / 2}
    assert len(psd_conditions(2)) == 2 and len(psd_conditions(3)) == 4 and len(psd_conditions(5)) == 5


# ------------------------------------------------------------------ KRR by hand
def explicit_krr(task, kap, rho):
    """f = K(T, X) (K(X, X) + rho W^{-1})^{-1} y with SymPy LUsolve on the explicit Gram."""
    trials = task.training_trials()
    X = [t for t, _, _ in trials]
    K = sp.Matrix([[value_by_definition(p, q, kap) for q in X] for p in X])
    A = K + rho * sp.diag(*[1 / w for _, _, w in trials])
    c = A.LUsolve(sp.Matrix([y for _, y, _ in trials]))
    T = task.ordered_pairs()
    Ks = sp.Matrix([[value_by_definition(p, q, kap) for q in X] for p in T])
    return dict(zip(T, Ks * c))


def kappas(K):
    return (K.kappa_s, K.kappa_1, K.kappa_2, K.kappa_x, K.kappa_d)


@examples(12)
@given(st.data(), st.booleans())
def test_exact_solver_and_reduction_equal_a_full_gram_solve(data, symmetric):
    """Random PSD exchangeable kernels (kappa_1 = kappa_2 and !=, with swap and cross terms)
    on random tasks with exceptions and weights, ridge > 0: solve_exact (its own route) and,
    where kappa_1 = kappa_2, the reduction to K_alpha' equal the explicit solve exactly."""
    task = data.draw(tasks(min_n=3, max_n=6))
    K = data.draw(exchangeable_kernels(swap_invariant=symmetric))
    rho = data.draw(ridges(positive=True))
    ref = explicit_krr(task, kappas(K), rho)
    P = solve_exact(task, K, rho)
    assert all(sp.cancel(P[p] - ref[p]) == 0 for p in ref)
    if symmetric:
        assert reduction_applies(K)
        P2 = solve_representation(task, K, rho)
        assert P2.method == "reduced"
        assert all(sp.cancel(P2[p] - ref[p]) == 0 for p in ref)
        a, r = K.reduced_alpha_ridge(rho)
        if 0 <= a <= 1:
            P3 = solve_exact(task, AlphaKernel(a), r)
            assert all(P3[p] == P2[p] for p in ref)


@examples(8)
@given(tasks(min_n=3, max_n=6), exchangeable_kernels(swap_invariant=True))
def test_ridgeless_reduction_equals_the_limit_of_the_full_solve(task, K):
    """Ridgeless: the reduced solve equals the explicit solve at rho = 10^-40 to 1e-25."""
    P = solve_representation(task, K, 0)
    ref = explicit_krr(task, kappas(K), R(1, 10**40))
    for p in ref:
        assert abs(sp.N(P[p] - ref[p], 50)) < 1e-25, (p, P[p], ref[p])


def test_alpha_eff_range_is_zero_to_n_over_n_minus_2_and_attained():
    """PSD => 0 <= alpha' <= n/(n-2) (cycle eigenvalue (1-ks) alpha', the x_i - x_j
    eigenvalue (1-ks)(1 + (n-2)(1-alpha')/2)); both ends attained."""
    for n in range(3, 13):
        lo, hi = alpha_eff_range(n)
        top = ExchangeableKernel(0, R(-1, 2 * (n - 2)), R(-1, 2 * (n - 2)), R(1, 2 * (n - 2)), 0)
        assert is_psd(top, n) and top.reduced_alpha_ridge(0)[0] == hi
        assert np.linalg.eigvalsh(explicit_gram(n, kappas(top)))[0] > -1e-12
        bottom = ExchangeableKernel(0, R(1, 2), R(1, 2), 0, 0)  # K_0
        assert is_psd(bottom, n) and bottom.reduced_alpha_ridge(0)[0] == lo
        # a little beyond either end is not PSD
        eps = R(1, 100)
        beyond = ExchangeableKernel(0, R(-1, 2 * (n - 2)) - eps, R(-1, 2 * (n - 2)) - eps, R(1, 2 * (n - 2)), 0)
        assert not is_psd(beyond, n) and np.linalg.eigvalsh(explicit_gram(n, kappas(beyond)))[0] < -1e-6


@given(st.integers(3, 9), st.tuples(*[kappa_values] * 4))
def test_psd_symmetric_kernels_have_alpha_eff_in_range(n, kap):
    """Random kappa_1 = kappa_2 points, halved towards 0 (the identity) until PSD."""
    ks, k1, kx, kd = kap
    K = ExchangeableKernel(ks, k1, k1, kx, kd)
    while not is_psd(K, n) or K.kappa_s == 1:
        K = ExchangeableKernel(*[x / 2 for x in kappas(K)])
    a, _ = K.reduced_alpha_ridge(0)
    assert 0 <= a <= R(n, n - 2)


def test_beyond_alpha_one_the_generic_solver_agrees_and_ti_fails():
    """alpha' > 1 on a PSD kernel: the reduced route (halved system at alpha') equals the
    explicit full-Gram solve; the ranks alternate, so plain TI is answered wrongly:
    'anti-additive' codes cannot solve the task."""
    for n in (4, 5, 7):
        K = ExchangeableKernel(0, R(-1, 2 * (n - 2)), R(-1, 2 * (n - 2)), R(1, 2 * (n - 2)), 0)
        for task in (Task(n), Task(n, exceptions=[(1, 3)])):
            for rho in (R(1, 10), R(1)):
                ref = explicit_krr(task, kappas(K), rho)
                P = solve_representation(task, K, rho)
                assert all(sp.cancel(P[p] - ref[p]) == 0 for p in ref)
        P = solve_representation(Task(n), K, R(1, 10))
        assert P[1, n] < 0  # the end pair, right for every 0 < alpha < 1, is wrong


def test_position_asymmetric_swap_sums():
    """kappa_1 != kappa_2: f(i,j) + f(j,i) exact and nonzero for some untrained pair;
    kappa_1 = kappa_2: zero everywhere.  Reference: the explicit solve."""
    task = Task(5, exceptions=[(2, 4)])
    K = ExchangeableKernel(R(1, 10), R(1, 2), R(1, 5), R(1, 10), R(1, 20))
    S = swap_sums(task, K, R(1, 3))
    ref = explicit_krr(task, kappas(K), R(1, 3))
    assert all(sp.cancel(S[(i, j)] - (ref[(i, j)] + ref[(j, i)])) == 0 for i, j in S)
    assert any(v != 0 for v in S.values())
    Ksym = ExchangeableKernel(R(1, 10), R(1, 2), R(1, 2), R(1, 10), R(1, 20))
    assert all(v == 0 for v in swap_sums(task, Ksym, R(1, 3)).values())
    assert all(v == 0 for v in swap_sums(task, Ksym, 0).values())


def test_reduction_of_scaled_and_summed_kernels():
    K = 2 * AlphaKernel(R(1, 3)) + ExchangeableKernel(1, 1, 1, 1, 1)
    a, r = reduced_alpha_ridge(K, R(1, 5))
    task = Task(5, exceptions=[(1, 4)])
    P = solve_exact(task, K, R(1, 5))
    Q = solve_exact(task, AlphaKernel(a), r)
    assert all(sp.cancel(P[p] - Q[p]) == 0 for p in task.ordered_pairs())


def test_bad_input():
    with pytest.raises(ValueError, match="n:"):
        exchangeable_eigenvalues(1)
    with pytest.raises(ValueError, match="kernel"):
        reduced_alpha_ridge(ExchangeableKernel(0, R(1, 2), 0), 0)
    with pytest.raises(ValueError, match="symbols"):
        is_psd(ExchangeableKernel(sp.Symbol("k")), 4)


def _psd_verdicts(K, task):
    """``"psd"`` or the error message, from check_task_psd and from the float Gram's check_psd."""
    from symti.kernels.psd import check_task_psd
    from symti.kernels.trial import check_psd

    out = []
    for check in (lambda: check_task_psd(K, task), lambda: check_psd(K, task.ordered_pairs())):
        try:
            check()
            out.append("psd")
        except ValueError as exc:
            out.append(str(exc))
    return out


_kappa = st.sampled_from([sp.Rational(k, 10) for k in range(-10, 11)])


@given(n=st.integers(2, 7), ks=_kappa, k1=_kappa, k2=_kappa, kx=_kappa, kd=_kappa)
def test_task_psd_check_by_spectrum_agrees_with_the_float_gram(n, ks, k1, k2, kx, kd):
    """``check_task_psd`` (closed-form spectrum, exact) refuses exactly the exchangeable
    kernels whose float64 Gram matrix on all ordered pairs has a negative eigenvalue."""
    K = ExchangeableKernel(ks, k1, k2, kx, kd)
    task = Task(n)
    lam = np.linalg.eigvalsh(K.numeric_gram(task.ordered_pairs()))
    assume(abs(lam[0]) > 1e-8)  # not on the boundary, where float round-off decides
    verdicts = _psd_verdicts(K, task)
    assert verdicts[0] == verdicts[1]
    assert (verdicts[0] == "psd") == (lam[0] > 0)


def test_exchangeable_kernels_are_checked_without_the_ordered_pair_gram(monkeypatch):
    """n = 100: 9 900 ordered pairs; the exact solve of an exchangeable kernel decides PSD
    from the spectrum (the float Gram route would need 0.8 GB) and still refuses a bad one."""
    import symti.kernels.psd as psd

    def no_gram(*_a, **_k):
        raise AssertionError("the n(n-1) Gram matrix was formed")

    monkeypatch.setattr(psd, "check_psd", no_gram)
    task = Task(100, exceptions=[(49, 51)])
    P = solve_exact(task, ExchangeableKernel(0, "1/4", "1/5", "1/10", 0), "1/10")
    assert P[1, 100] > 0
    with pytest.raises(ValueError, match="not positive semidefinite"):
        solve_exact(task, ExchangeableKernel(0, "9/10", "-9/10", 0, 0))


@pytest.mark.parametrize("values", [
    (0, sp.sqrt(2) / 2, -sp.sqrt(2) / 2, 0, 0),
    (sp.pi / 10, sp.sqrt(2) / 4, sp.sqrt(2) / 4, sp.pi / 20, 0),
    (0, sp.sqrt(3) / 2, sp.sqrt(3) / 2, sp.sqrt(3) / 2, sp.sqrt(3) / 2),
])
@pytest.mark.parametrize("n", [3, 4, 9])
def test_task_psd_check_of_irrational_kernels_agrees_with_the_float_gram(values, n):
    """Irrational values (pi, square roots, a network's arccos) are checked on the float
    spectrum, with check_psd's tolerance: the same verdict and message as the full Gram."""
    K, task = ExchangeableKernel(*values), Task(n)
    verdicts = _psd_verdicts(K, task)
    assert verdicts[0] == verdicts[1]


def test_network_kernels_pass_the_spectrum_check_quickly():
    from symti.kernels import network_kernel
    from symti.kernels.psd import check_task_psd

    check_task_psd(network_kernel(3, r=1, kind="ntk"), Task(500))
