"""Gradient-flow dynamics: every route against an independent one."""
import math

import mpmath
import numpy as np
import pytest
import scipy.linalg
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, SimilarityKernel, Task, geometric_similarity, solve_exact
from symti.solve.dynamics import (
    alpha_flow_numpy,
    cycle_split,
    exception_time_course,
    flow_exact,
    flow_mpmath,
    flow_numpy,
    phi,
    ti_flow_margin,
    ti_flow_numpy,
    ti_flow_rank,
)
from symti.solve.numeric import training_system

ALPHAS = [sp.Rational(1, 10), sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(4, 5)]


@st.composite
def tasks(draw, max_n=8, exceptions=True):
    n = draw(st.integers(3, max_n))
    excs = []
    if exceptions and draw(st.booleans()):
        u = draw(st.integers(1, n - 2))
        v = draw(st.integers(u + 2, n))
        excs.append((u, v))
    return Task(n, exceptions=excs)


def _mp(v, dps=50):
    """An mpf as a SymPy Float with all its digits."""
    return sp.Float(mpmath.nstr(v, dps, min_fixed=-mpmath.inf, max_fixed=mpmath.inf), dps)


def _expm_training(task, kernel, t):
    """Independent reference on the training set: f_t(X) = (I - expm(-K W t)) y (scipy)."""
    K, _, y, w = training_system(task, kernel)
    K = np.array(K.evalf(), dtype=float)
    W = np.diag(np.array(w.evalf(), dtype=float).ravel())
    y = np.array(y, dtype=float).ravel()
    return y - scipy.linalg.expm(-K @ W * t) @ y


@given(tasks(), st.sampled_from(ALPHAS), st.lists(st.floats(0, 50), min_size=1, max_size=4))
def test_rank_form_matches_full_gram_flow(task, alpha, times):
    full = flow_numpy(task, AlphaKernel(alpha), times)
    rank = alpha_flow_numpy(task, float(alpha), times)
    assert np.allclose(full, rank, atol=1e-10)


@given(tasks(), st.sampled_from(ALPHAS + [sp.Integer(0), sp.Integer(1)]), st.floats(0.01, 20))
def test_training_set_follows_time_convention(task, alpha, t):
    """derivations/theory.md §3: on the training set f_t(X) = (I - e^{-Kt}) y."""
    M = alpha_flow_numpy(task, float(alpha), [t])[0]
    ref = _expm_training(task, AlphaKernel(alpha), t)
    got = np.array([M[p[0] - 1, p[1] - 1] for p, _, _ in task.training_trials()])
    assert np.allclose(got, ref, atol=1e-10)


def test_weighted_and_nonexchangeable_kernels_follow_time_convention():
    task = Task(5, exceptions=[(2, 4)], weights={(2, 4): 3, (1, 2): sp.Rational(1, 2)})
    kern = SimilarityKernel(geometric_similarity(5, sp.Rational(1, 3)), sp.Rational(1, 4))
    for t in (0.3, 2.0, 9.0):
        M = flow_numpy(task, kern, [t])[0]
        ref = _expm_training(task, kern, t)
        got = np.array([M[p[0] - 1, p[1] - 1] for p, _, _ in task.training_trials()])
        assert np.allclose(got, ref, atol=1e-10)
        P = flow_mpmath(task, kern, sp.Rational(str(t)), dps=30)
        assert max(abs(float(P[p]) - M[p[0] - 1, p[1] - 1]) for p in task.ordered_pairs()) < 1e-10


@pytest.mark.parametrize("n", [2, 3, 4, 6, 7])
def test_ti_fourier_closed_form_matches_mpmath_flow(n):
    """The Fourier sum (exact SymPy) against the full trial-Gram flow at 40 digits, several t."""
    alpha = sp.Rational(2, 7)
    for t in (sp.Rational(1, 5), sp.Rational(3, 2), sp.Integer(7)):
        P = flow_mpmath(Task(n), AlphaKernel(alpha), t, dps=40)
        for i in range(1, n + 1):
            for j in range(i + 1, n + 1):
                exact = ti_flow_margin(n, i, j, alpha, t)
                assert abs(sp.N(exact, 40) - _mp(P[i, j])) < 1e-30


@given(st.integers(2, 12), st.sampled_from([0.0, 0.05, 0.5, 0.95, 1.0]))
def test_ti_numpy_closed_form_matches_rank_form(n, alpha):
    times = [0.0, 0.1, 1.0, 10.0, 1e4]
    assert np.allclose(ti_flow_numpy(n, alpha, times), alpha_flow_numpy(Task(n), alpha, times), atol=1e-10)


@pytest.mark.parametrize("n", [3, 5, 8])
def test_ti_closed_form_at_infinity_is_ridgeless_krr(n):
    alpha = sp.Rational(1, 3)
    P = solve_exact(Task(n), AlphaKernel(alpha))
    for i in range(1, n):
        for j in range(i + 1, n + 1):
            assert abs(sp.N(ti_flow_margin(n, i, j, alpha, sp.oo) - P[i, j], 30)) < 1e-25


@given(tasks(), st.sampled_from(ALPHAS))
def test_large_time_converges_to_ridgeless_krr(task, alpha):
    """f_t -> ridgeless KRR, and the error decays like exp(-t * slowest rate)."""
    exact = solve_exact(task, AlphaKernel(alpha)).to_numpy()
    a = float(alpha)
    slowest = a if task.exceptions else a + (1 - a) * (1 - math.cos(math.pi / task.n))
    t1, t2 = 20 / slowest, 40 / slowest
    M = flow_numpy(task, AlphaKernel(alpha), [t1, t2, 1e6])
    assert np.abs(M[2] - exact).max() < 1e-9
    e1, e2 = np.abs(M[0] - exact).max(), np.abs(M[1] - exact).max()
    # error(t) ~ C exp(-slowest t): e1 <= C e^{-20}, and e2 <= e1 e^{-20} (up to rounding)
    assert e1 < 10 * math.exp(-20)
    assert e2 < e1 * math.exp(-19) + 1e-13


def test_mpmath_flow_at_infinity_and_large_t():
    task = Task(9, exceptions=[(4, 6)])
    alpha = sp.Rational(1, 5)
    exact = solve_exact(task, AlphaKernel(alpha))
    inf = flow_mpmath(task, AlphaKernel(alpha), sp.oo, dps=40)
    late = flow_mpmath(task, AlphaKernel(alpha), 1000, dps=40)
    for p in [(3, 6), (6, 4), (1, 9), (4, 5)]:
        assert abs(sp.N(exact[p], 40) - _mp(inf[p])) < 1e-30
        # e^{-alpha t} = e^{-200} ~ 1e-87: invisible at 40 digits
        assert abs(sp.N(exact[p], 40) - _mp(late[p])) < 1e-30


@pytest.mark.parametrize("task", [Task(3), Task(4, exceptions=[(1, 3)]), Task(5, exceptions=[(2, 4)])])
def test_exact_flow_in_t(task):
    t = sp.Symbol("t", nonnegative=True)
    alpha = sp.Rational(1, 3)
    P = flow_exact(task, alpha, t)
    at = sp.Rational(6, 5)
    ref = flow_mpmath(task, AlphaKernel(alpha), at, dps=30)
    for p in task.ordered_pairs():
        assert abs(sp.N(P[p].subs(t, at), 30) - _mp(ref[p])) < 1e-25
        assert P[p].subs(t, 0) == 0
    inf = flow_exact(task, alpha, sp.oo)
    exact = solve_exact(task, AlphaKernel(alpha))
    for p in task.ordered_pairs():
        assert sp.simplify(inf[p] - exact[p]) == 0
        assert sp.simplify(sp.limit(P[p], t, sp.oo) - exact[p]) == 0


def test_exact_flow_symbolic_alpha_tree():
    """Symbolic alpha on TI n = 3: the flow solves df/dt = K(y - f) exactly."""
    t, a = sp.symbols("t alpha", positive=True)
    task = Task(3)
    P = flow_exact(task, a, t)
    X = [p for p, _, _ in task.training_trials()]
    K = AlphaKernel(a).gram(X)
    y = sp.Matrix([yy for _, yy, _ in task.training_trials()])
    f = sp.Matrix([P[p] for p, _, _ in task.training_trials()])
    assert sp.simplify(f.diff(t) - K * (y - f)) == sp.zeros(len(f), 1)


def test_cycle_split_is_orthogonal_decomposition():
    for task in [Task(6, exceptions=[(2, 5)]), Task(7, exceptions=[(1, 3), (4, 7)])]:
        b, z, yc = cycle_split(task)
        E = task.trained_pairs
        B = sp.Matrix(len(E), task.n, lambda a, k: int(k + 1 == E[a].i) - int(k + 1 == E[a].j))
        y = sp.Matrix([e.target for e in E])
        assert B * z + yc == y
        assert B.T * yc == sp.zeros(task.n, 1)  # a circulation
        assert sum(z) == 0
        assert yc != sp.zeros(len(E), 1)
    b, z, yc = cycle_split(Task(5))
    assert yc == sp.zeros(4, 1)


def test_phi_and_ti_rank_small_cases():
    t = sp.Symbol("t")
    assert phi(0, t) == t
    assert sp.simplify(phi(3, t).diff(t) - sp.exp(-3 * t)) == 0
    # n = 2: one trained pair, K_r = 1: r_1 - r_2 = (1-alpha)(1-e^{-t})
    a = sp.Rational(3, 7)
    assert sp.simplify(2 * ti_flow_rank(2, 1, a, t) - (1 - a) * (1 - sp.exp(-t))) == 0


def test_time_course_against_direct_evaluation():
    task = Task(9, exceptions=[(4, 6)])
    alpha = 0.3
    tc = exception_time_course(task, alpha)
    K = AlphaKernel(sp.Rational(3, 10))
    # persistent test-pair errors (every category) are the ridgeless KRR errors (exact solver)
    exact = solve_exact(task, K)
    wrong = sorted((i, j) for i in range(1, 10) for j in range(i + 1, 10)
                   if task.category(i, j) in ("boundary", "between", "within")
                   and exact[i, j] * task.ground_truth(i, j) < 0)
    assert sorted(tc.persistent) == wrong
    # every reported crossing is a sign change of the full-Gram flow
    for (i, j), ivs in tc.wrong_intervals.items():
        g = task.ground_truth(i, j)
        for t0, t1 in ivs:
            for t, side in ((t0, -1), (t1, +1)):
                if t == 0 or t == math.inf:
                    continue
                before, after = flow_numpy(task, K, [t * (1 - 1e-6), t * (1 + 1e-6)])[:, i - 1, j - 1] * g
                assert before * after < 0 and np.sign(after) == side
    tm = tc.memorized_at[(6, 4)]
    lo, hi, later = flow_numpy(task, K, [tm * (1 - 1e-6), tm * (1 + 1e-6), 5 * tm])[:, 5, 3]
    assert lo < tc.level < hi < later
    # memorization of the cycle part runs at rate alpha: margin -> 1 like 1 - C e^{-alpha t}
    # (the next slowest rate is 0.358, so at t = 400 the others are e^{-23} smaller)
    big = [flow_mpmath(task, K, t, dps=80)[6, 4] for t in (400, 410)]
    with mpmath.workdps(80):
        ratio = (1 - big[1]) / (1 - big[0])
        assert abs(ratio - mpmath.exp(-3)) < 1e-9


def test_time_course_small_alpha_memorizes_late():
    """The cycle part is learned at rate alpha: halving alpha roughly doubles the memorization time."""
    task = Task(7, exceptions=[(2, 4)])
    t1 = exception_time_course(task, 0.02).memorized_at[(4, 2)]
    t2 = exception_time_course(task, 0.01).memorized_at[(4, 2)]
    assert 1.8 < t2 / t1 < 2.2


@pytest.mark.parametrize(
    "call, err",
    [
        (lambda: flow_numpy(Task(4), AlphaKernel("1/2"), [-1.0]), ValueError),
        (lambda: flow_numpy(Task(4), AlphaKernel("1/2"), [float("nan")]), ValueError),
        (lambda: alpha_flow_numpy(Task(4, weights={(1, 2): 2}), 0.5, [1.0]), ValueError),
        (lambda: alpha_flow_numpy(Task(4), 1.5, [1.0]), ValueError),
        (lambda: flow_mpmath(Task(4), AlphaKernel("1/2"), -2), ValueError),
        (lambda: flow_mpmath(Task(4), AlphaKernel("1/2"), 1, dps=0), ValueError),
        (lambda: ti_flow_margin(4, 2, 2, "1/2", 1), ValueError),
        (lambda: ti_flow_margin(4, 0, 2, "1/2", 1), ValueError),
        (lambda: exception_time_course(Task(5), 0.5), ValueError),
        (lambda: exception_time_course(Task(5, exceptions=[(1, 3)]), 1), ValueError),
        (lambda: exception_time_course(Task(5, exceptions=[(1, 3)]), 0.5, level=1.5), ValueError),
        (lambda: flow_exact("task", "1/2", 1), TypeError),
        (lambda: flow_exact(Task(5, exceptions=[(2, 5)]), "1/2", 1), ValueError),
    ],
)
def test_bad_input(call, err):
    with pytest.raises(err) as exc:
        call()
    assert str(exc.value).split(":")[0] in {"times", "task", "alpha", "t", "dps", "i", "(i, j)", "level"}
