"""Regressions of issue "One house", item 5 (analysis bugs), each against an independent route.

1. accuracy reads both trials (i, j) and (j, i) of a pair: a position-asymmetric
   kernel (kappa_1 != kappa_2) can give both the same sign.
2. exception_time_course tracks every test pair (not only boundary pairs), and
   the memorization time follows the closed form of the exception's margin.
3. float alpha near 0 and 1 decides signs as the exact input does (no false
   errors or ties from round-off).
"""
import math

import mpmath
import numpy as np
import pytest
import scipy.linalg
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.accuracy import accuracy, accuracy_from_margins
from symti.kernels import ExchangeableKernel
from symti.solve.dynamics import exception_time_course, flow_mpmath, flow_numpy, memorization_time
from symti.solve.numeric import solve_mpmath

R = sp.Rational
DEFAULT = Task(9, exceptions=[(4, 6)])
ASYM = ExchangeableKernel(kappa_1=0.3, kappa_2=0)


def untrained_with_truth(task):
    """Ordered trials (a, b), a != b, untrained and with ground truth: from the task's definition."""
    return [(a, b) for a in range(1, task.n + 1) for b in range(1, task.n + 1)
            if a != b and not task.is_trained(a, b) and task.ground_truth(a, b) is not None]


def status_by_definition(f, g, tie=0):
    if abs(f) <= tie:
        return "tie"
    return "correct" if (f > 0) == (g > 0) else "wrong"


def trial_statuses(A):
    out = {}
    for p in A.tests():
        out[(p.i, p.j)] = p.status_ij
        out[(p.j, p.i)] = p.status_ji
    return out


# ------------------------------------------------------------ 1. both trials
def test_asymmetric_kernel_same_sign_pairs_are_wrong_in_one_direction():
    P = solve_exact(DEFAULT, ASYM)  # independent: margins of every ordered pair
    for i, j in [(1, 6), (4, 9)]:
        assert P[i, j] != -P[j, i] and P[i, j] * P[j, i] > 0, (i, j)
    want = {k: status_by_definition(P[k], DEFAULT.ground_truth(*k)) for k in untrained_with_truth(DEFAULT)}
    assert want[(1, 6)] == "correct" and want[(6, 1)] == "wrong"
    assert want[(4, 9)] == "wrong" and want[(9, 4)] == "correct"

    A = accuracy(DEFAULT, kernel=ASYM)
    assert trial_statuses(A) == want
    wrong = sorted(k for k, s in want.items() if s == "wrong")
    assert sorted(k for v in A.wrong_trials().values() for k in v) == wrong
    assert sorted(k for v in A.wrong_pairs().values() for k in v) == sorted({tuple(sorted(k)) for k in wrong})
    assert A.outcome(1, 6).status == "wrong" and A.outcome(4, 9).status == "wrong"
    # counts are over trials: 27 pairs -> 54 trials
    correct = sum(s == "correct" for s in want.values())
    assert A.test_accuracy == (correct, 54, R(correct, 54))
    for cat, (c, m, _) in A.accuracy_by_category.items():
        ks = [k for k in want if DEFAULT.category(*k) == cat]
        assert (c, m) == (sum(want[k] == "correct" for k in ks), len(ks))
    # memorization reads f(v, u) itself
    assert A.exceptions_memorized == [bool(P[6, 4] > 0)]


def test_asymmetric_kernel_float_and_mpmath_routes_agree():
    """The same trial statuses from the float solver and from mpmath margins."""
    P = solve_exact(DEFAULT, ASYM)
    want = {k: status_by_definition(P[k], DEFAULT.ground_truth(*k)) for k in untrained_with_truth(DEFAULT)}
    F = accuracy(DEFAULT, kernel=ASYM, ridge=0.0)
    assert not F.exact and trial_statuses(F) == want
    Q = solve_mpmath(DEFAULT, ASYM, dps=40)
    M = np.array([[0.0 if a == b else float(Q[a, b]) for b in range(1, 10)] for a in range(1, 10)])
    assert trial_statuses(accuracy_from_margins(DEFAULT, M, tol=1e-20)) == want


def test_antisymmetric_models_count_each_pair_twice():
    A = accuracy(DEFAULT, "1/2")
    for p in A.tests():
        assert p.margin_ji == -p.margin and p.status_ij == p.status_ji == p.status
    c, m, frac = A.test_accuracy
    assert (c, m) == (2 * 20, 2 * 27) and frac == R(20, 27)
    assert sorted(k for v in A.wrong_trials().values() for k in v) == sorted(
        [k for v in A.wrong_pairs().values() for k in v] + [k[::-1] for v in A.wrong_pairs().values() for k in v])


# ------------------------------------------------------------ 2. dynamics
@pytest.mark.parametrize("task, alpha", [(Task(11, exceptions=[(5, 7)]), a) for a in (0.2, 0.5, 0.8)]
                         + [(DEFAULT, 0.5), (Task(9, exceptions=[(2, 5), (3, 6)]), 0.4)])
def test_time_course_persistent_errors_cover_every_test_pair(task, alpha):
    """Persistent errors of the flow = ridgeless KRR errors of the exact solver, all categories."""
    tc = exception_time_course(task, alpha)
    tests = {(i, j) for i, j in untrained_with_truth(task) if i < j}
    assert set(tc.tests) == tests
    P = solve_exact(task, AlphaKernel(sp.nsimplify(alpha)))
    wrong = sorted(k for k in tests if P[k] * task.ground_truth(*k) < 0)
    assert sorted(tc.persistent) == wrong
    if task.n == 11:
        assert (4, 8) in tc.persistent and task.category(4, 8) == "between"


def _laplacian_and_targets(task):
    """Graph Laplacian, edge incidence and targets built by hand from the trained pairs."""
    E = task.trained_pairs
    B = np.zeros((len(E), task.n))
    for k, e in enumerate(E):
        B[k, e.i - 1], B[k, e.j - 1] = 1.0, -1.0
    y = np.array([e.target for e in E], dtype=float)
    z = np.linalg.lstsq(B, y, rcond=None)[0]
    z -= z.mean()
    return B.T @ B, B, y, z


@pytest.mark.parametrize("task", [DEFAULT, Task(9, exceptions=[(2, 5), (3, 6)])])
def test_exception_margin_closed_form_against_mpmath_flow(task):
    """f_t(v,u) = 1 - e^{-alpha t}(c - h((1-alpha)t/2)): the cyclic part c is learned at rate alpha,
    h(tau) = (e_u - e_v)^T e^{-tau L} z is alpha-free. Checked against the full trial-Gram flow (mpmath)."""
    L, B, y, z = _laplacian_and_targets(task)
    yc = y - B @ z
    for a in ("1/50", "1/5", "3/5"):
        af = float(R(a))
        for t in (0.5, 3, 20, 120):
            P = flow_mpmath(task, AlphaKernel(a), t, dps=30)
            for u, v in task.exceptions:
                k = [e.key for e in task.trained_pairs].index((u, v))
                c = -yc[k]
                s = np.zeros(task.n)
                s[u - 1], s[v - 1] = 1, -1
                h = s @ scipy.linalg.expm(-(1 - af) * t / 2 * L) @ z
                closed = 1 - math.exp(-af * t) * (c - h)
                assert abs(float(P[v, u]) - closed) < 1e-10, (a, t, (u, v))
    if len(task.exceptions) == 1:
        assert abs(c - 1) < 1e-12  # a single exception's target is all cyclic


ALPHAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_memorization_time_against_the_flow(alpha):
    """memorization_time (closed form) = memorized_at (rank-form time course) = the last
    crossing of the full trial-Gram flow (flow_numpy), at several alpha."""
    task, level = DEFAULT, 0.5
    t_star = memorization_time(task, alpha, level)[(6, 4)]
    tc = exception_time_course(task, alpha, level=level)
    assert abs(tc.memorized_at[(6, 4)] - t_star) <= 1e-6 * t_star
    K = AlphaKernel(str(alpha))
    lo, hi = flow_numpy(task, K, [t_star * (1 - 1e-6), t_star * (1 + 1e-6)])[:, 5, 3]
    assert lo < level < hi
    after = np.concatenate([np.linspace(t_star * (1 + 1e-6), 3 * t_star, 300),
                            np.geomspace(3 * t_star, 50 / alpha, 300)])
    assert np.all(flow_numpy(task, K, after)[:, 5, 3] > level)
    # the cycle part alone (rate alpha) bounds it: alpha t* <= log(1/(1 - level))
    assert alpha * t_star <= math.log(1 / (1 - level)) * (1 + 1e-9)


def test_memorization_time_regimes():
    """log(1/(1-level))/alpha is right only for small alpha: 11x too slow at alpha = 0.05."""
    task = DEFAULT
    bound = lambda a: math.log(2) / a  # noqa: E731
    t = {a: memorization_time(task, a)[(6, 4)] for a in (0.005, 0.05)}
    assert abs(t[0.005] / bound(0.005) - 1) < 0.01
    assert 10 < bound(0.05) / t[0.05] < 12 and 1.2 < t[0.05] < 1.3
    # overlapping exceptions: c < 1 and h(0) = c - 1 < 0 -- still the closed form's root
    T2 = Task(9, exceptions=[(2, 5), (3, 6)])
    m = memorization_time(T2, 0.1)
    tc = exception_time_course(T2, 0.1)
    for key, tt in m.items():
        assert abs(tc.memorized_at[key] - tt) <= 1e-6 * tt
    with pytest.raises(ValueError, match="alpha"):
        memorization_time(task, 1)
    with pytest.raises(ValueError, match="level"):
        memorization_time(task, 0.5, level=1)
    with pytest.raises(ValueError, match="task"):
        memorization_time(Task(5), 0.5)


# ------------------------------------------------------------ 3. float ties
NEAR_ONE = [f"0.{'9' * k}" for k in range(1, 10)] + ["1"]
NEAR_ZERO = ["0"] + [f"1e-{k}" for k in range(1, 16)]
MP_CHECK = ("0.9999", "0.99999", "0.999999999", "1e-6", "1e-12", "1e-15")


def _mp_statuses(task, alpha, ridge="0"):
    """Independent route: mpmath at 60 digits; |f| < 1e-40 is an (exact) tie."""
    Q = solve_mpmath(task, AlphaKernel(alpha), ridge, dps=60)
    return {k: status_by_definition(Q[k], task.ground_truth(*k), tie=mpmath.mpf("1e-40"))
            for k in untrained_with_truth(task)}


@pytest.mark.parametrize("task", [DEFAULT, Task(11, exceptions=[(5, 7)]), Task(7)])
def test_float_alpha_agrees_with_exact_near_0_and_1(task):
    for a in NEAR_ONE + NEAR_ZERO:
        E = accuracy(task, a)
        F = accuracy(task, float(a))
        assert E.exact and not F.exact
        assert trial_statuses(F) == trial_statuses(E), a
        assert F.exceptions_memorized == E.exceptions_memorized, a
        assert F.ties() == E.ties() and F.trained_fit == E.trained_fit, a
        if a in MP_CHECK:  # an independent route where round-off bites
            assert trial_statuses(E) == _mp_statuses(task, a), a


def test_float_ridge_agrees_with_exact():
    for r in ("1e-3", "1e-9", "1e-14"):
        for a in ("0.2", "0.9999"):
            E = accuracy(DEFAULT, a, r)
            F = accuracy(DEFAULT, float(a), float(r))
            assert trial_statuses(F) == trial_statuses(E) == _mp_statuses(DEFAULT, a, r), (a, r)


def test_float_signs_are_used_when_certified():
    """Away from round-off the float solver's signs are kept (no exact solve)."""
    assert accuracy(DEFAULT, 0.3).signs == "float"
    assert accuracy(DEFAULT, 0.9999).signs == "exact fallback"
    assert accuracy(DEFAULT, "3/10").signs == "exact"
