"""The numeric routes at the edges: never a confidently wrong number.

Every float64 / mpmath / scikit-learn route either agrees with an independent
exact route -- ``solve_exact`` (exact rationals: the kernel object is shared, so
both see the same exact value of a float ``alpha``, its shortest decimal) --
or raises the documented ``PrecisionError`` (a ``ValueError``) whose message
starts with the parameter to blame and names a route that works.  Regression
cases (each returned a wrong number before):

* ridgeless float64 at small ``alpha``: ``pinv(rcond=1e-11)`` dropped the
  eigenvalues of size ``alpha`` (``f(1, 2) = 5.6e-16`` at ``alpha = 1e-12``,
  exact 1); extreme training weights broke it even at ``alpha = 1/3``
  (the pseudo-inverse of ``W^1/2 K W^1/2``);
* mpmath: its spectral cut ``10^(-dps/2)`` dropped genuine eigenvalues
  (``alpha = 1e-30`` at 50 digits: wrong by 1); ``alpha = 1e-13`` came back
  with 47 of the 50 digits asked for;
* scikit-learn at ``ridge = 0`` (no ridgeless limit: 40.0 instead of
  -0.0145) and at tiny ridges (``4e-4`` off at ``ridge = 1e-12``);
* features (``lstsq(rcond=1e-11)``), ``flow_numpy`` (relative cut
  ``1e-11``) and ``flow_mpmath`` at ``t = oo`` (the same cut as mpmath);
* the PSD check was skipped whenever ``subs=`` was given.
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, strategies as st

from symti.kernels import AlphaKernel, ExchangeableKernel
from symti.solve.dynamics import flow_mpmath, flow_numpy
from symti.solve.exact import solve_exact
from symti.solve.numeric import (FLOAT_TOL, PrecisionError, gram_structure, solve_features, solve_mpmath, solve_numpy,
                                 solve_sklearn)
from symti.task import Task

from strategies import examples, exception_lists

R = sp.Rational
#: float64 answers must agree with the exact ones to this, relative to max(1, max|f|):
#: the refusal threshold is FLOAT_TOL on a first-order estimate (measured errors stay below it).
FLOAT_CHECK = 10 * FLOAT_TOL

# ------------------------------------------------------------ strategies
#: alpha in (0, 1]: within 1e-12 of 0 (down to subnormals) and of 1, and in between.
EDGE_ALPHAS = st.one_of(
    st.sampled_from([5e-324, 1e-300, 1e-30, 1e-15, 1e-13, 1e-12, 1e-9, 1e-6, 1 - 1e-6, 1 - 1e-12, 1 - 1e-15, 1.0]),
    st.floats(min_value=5e-324, max_value=1e-12),
    st.floats(min_value=1e-12, max_value=1e-6),
    st.floats(min_value=1e-6, max_value=1.0),
    st.floats(min_value=1 - 1e-12, max_value=1.0),
)
#: alpha where float64 must answer.
MODERATE_ALPHAS = st.one_of(st.sampled_from([1e-6, 1 - 1e-6]), st.floats(min_value=1e-6, max_value=1 - 1e-6))
#: training weights: tiny and huge ...
EDGE_WEIGHTS = [1e-12, 1e-6, 1e-3, R(1, 3), 1, 3, 1e3, 1e6, 1e12]
#: ... and those where float64 must answer.
MODERATE_WEIGHTS = [1e-3, 1e-2, R(1, 3), 1, 3, 1e2, 1e3]


@st.composite
def weighted_tasks(draw, weights, max_n: int = 9):
    """A task with 0-2 exceptions and each trained pair's weight drawn from ``weights`` (or 1)."""
    n = draw(st.integers(3, max_n))
    excs = draw(exception_lists(n, 2))
    t = Task(n, excs)
    w = {}
    if draw(st.booleans()):
        for e in t.trained_pairs:
            w[(e.i, e.j)] = draw(st.sampled_from(weights))
    return Task(n, excs, weights=w)


def exact_matrix(task, kernel, ridge=0):
    return solve_exact(task, kernel, ridge).to_numpy()


def rel_err(M, E):
    return float(np.abs(M - E).max()) / max(1.0, float(np.abs(E).max()))


def mp_err(task, kernel, P, ridge=0):
    """max |P - exact| / max(1, max|exact|), at 200 digits."""
    E = solve_exact(task, kernel, ridge)
    with mpmath.workdps(200):
        ex = {p: mpmath.mpf(int(E[p].p)) / int(E[p].q) for p in task.ordered_pairs()}
        scale = max([mpmath.mpf(1)] + [abs(v) for v in ex.values()])
        return max(abs(ex[p] - mpmath.mpf(P[p])) for p in task.ordered_pairs()) / scale


def numpy_or_refuses(task, kernel, ridge=0):
    """solve_numpy agrees with solve_exact, or raises the documented PrecisionError; True if it answered."""
    try:
        M = solve_numpy(task, kernel, ridge).to_numpy()
    except PrecisionError as e:
        assert "float64" in str(e) and "use solve_exact" in str(e), str(e)
        assert str(e).split(":")[0] in ("alpha", "kernel", "weights"), str(e)
        return False
    err = rel_err(M, exact_matrix(task, kernel, ridge))
    assert err <= FLOAT_CHECK, (err, kernel, ridge)
    return True


# ------------------------------------------------------------ 1. regressions
T5 = Task(5, exceptions=[(1, 3)])
T17 = Task(17, exceptions=[(1, 17), (3, 7)])


def test_numpy_small_alpha_refuses_instead_of_dropping_eigenvalues():
    """Was f(1, 2) = 5.6e-16 (exact 1): pinv(rcond=1e-11) dropped the eigenvalues of size alpha."""
    with pytest.raises(PrecisionError, match=r"^alpha: 1\.0e-12 is too close to 0 for the float64 route .*use solve_exact"):
        solve_numpy(T5, AlphaKernel(1e-12))
    with pytest.raises(PrecisionError, match=r"^alpha: 1\.0e-20 is too close to 0 .*not distinguishable from 0"):
        solve_numpy(T5, AlphaKernel(1e-20))   # rounds to the alpha = 0 Gram matrix in float64
    assert numpy_or_refuses(T5, AlphaKernel(1e-6))   # answers, and right


def test_numpy_extreme_weights_nonsingular_kernel():
    """Was 1.33 off at alpha = 1/3 with weights 1e-20 and 1e20: the ridgeless limit of a
    nonsingular K is K^{-1} y whatever the weights."""
    task = Task(5, exceptions=[(1, 3)], weights={(1, 2): "1e-20", (3, 1): "1e20"})
    for a in ("1/3", "1e-3"):
        K = AlphaKernel(a)
        assert rel_err(solve_numpy(task, K).to_numpy(), exact_matrix(task, K)) < 1e-12


def test_mpmath_small_alpha_all_digits():
    """alpha = 1e-30 at 50 digits was wrong by 1 (spectral cut 1e-25); alpha = 1e-13 gave 47 digits."""
    assert mp_err(T5, AlphaKernel("1e-30"), solve_mpmath(T5, AlphaKernel("1e-30"), dps=50)) < 1e-49
    assert mp_err(T5, AlphaKernel("1e-13"), solve_mpmath(T5, AlphaKernel("1e-13"), dps=50)) < 1e-49
    K = AlphaKernel("1e-300")   # ~350 working digits, found adaptively
    assert mp_err(T5, K, solve_mpmath(T5, K, dps=20)) < 1e-19
    W = Task(5, exceptions=[(1, 3)], weights={(1, 2): "1e-30", (3, 1): "1e30"})
    for a in (0, "1e-40", "1/3"):
        assert mp_err(W, AlphaKernel(a), solve_mpmath(W, AlphaKernel(a), dps=30)) < 1e-29


def test_mpmath_refuses_beyond_the_cap():
    with pytest.raises(PrecisionError, match=r"^alpha: 1\.0e-1000 is too close to 0 for solve_mpmath: .* use solve_exact"):
        solve_mpmath(T5, AlphaKernel("1e-1000"), dps=20)


def test_sklearn_refuses_ridgeless_and_tiny_ridges():
    """Was 40.0 where -0.0145 is right (alpha = ridge = 0); 4e-4 off at ridge 1e-12, 4.5e-8 at 1e-8."""
    with pytest.raises(PrecisionError, match=r"^ridge: scikit-learn's KernelRidge has no ridgeless limit"):
        solve_sklearn(T17, AlphaKernel(0))
    for r in ("1e-8", "1e-12"):
        with pytest.raises(PrecisionError, match=r"^ridge: .* too small for scikit-learn's KernelRidge"):
            solve_sklearn(T17, AlphaKernel(0), r)
    M = solve_sklearn(T17, AlphaKernel(0), "1e-3").to_numpy()
    assert rel_err(M, exact_matrix(T17, AlphaKernel(0), R(1, 1000))) < 1e-10
    assert numpy_or_refuses(T17, AlphaKernel(0))   # the ridgeless answer comes from numpy


def test_features_small_alpha():
    """lstsq(rcond=1e-11) dropped sqrt(alpha) = 1e-15: f(2, 3) was 4e-16, exact 1."""
    with pytest.raises(PrecisionError, match=r"^alpha: 1\.0e-30 is too close to 0 for the float64 feature-space route"):
        solve_features(T5, AlphaKernel("1e-30"))
    K = AlphaKernel("1e-12")   # features need only sqrt of the condition number: answers
    assert rel_err(solve_features(T5, K).to_numpy(), exact_matrix(T5, K)) < FLOAT_CHECK


def test_flows_at_small_alpha():
    """flow_numpy at t = 1e300 (the ridgeless limit) was wrong by 1 at alpha = 1e-12 (relative cut 1e-11);
    flow_mpmath at t = oo was wrong by 1 at alpha = 1e-30."""
    K = AlphaKernel("1e-12")
    with pytest.raises(PrecisionError, match=r"^times: 1e\+300 is too late for the float64 flow"):
        flow_numpy(T5, K, [1e300])
    early = flow_numpy(T5, K, [1.0])[0]     # early times are well conditioned: answers
    ref = flow_mpmath(T5, K, 1, dps=30).to_numpy()
    assert np.abs(early - ref).max() < 1e-12
    K = AlphaKernel("1e-30")
    assert mp_err(T5, K, flow_mpmath(T5, K, sp.oo, dps=30)) < 1e-29
    assert mp_err(T5, K, flow_mpmath(T5, K, mpmath.inf, dps=30)) < 1e-29


def test_flow_numpy_large_time_is_the_ridgeless_limit():
    task = Task(6, exceptions=[(2, 5)], weights={(1, 2): 3})
    for a in (0, "1/10", "1e-3"):
        K = AlphaKernel(a)
        assert rel_err(flow_numpy(task, K, [1e300])[0], exact_matrix(task, K)) < FLOAT_CHECK


def test_gram_structure():
    """The exact rank decides the structural zeros; alpha = 1e-300 is not alpha = 0."""
    assert gram_structure(T5, AlphaKernel(0))[0] == 9 and gram_structure(T5, AlphaKernel("1e-300"))[0] == 10
    rank, null = gram_structure(Task(4), AlphaKernel(0))
    G = sp.Matrix(AlphaKernel(0).gram([t for t, _, _ in Task(4).training_trials()]))
    assert rank == 6 - len(null) and all(G * sp.Matrix(v) == sp.zeros(6, 1) for v in null)
    # irrational entries: the two-precision numeric rank
    s = sp.sqrt(2) / 4
    assert gram_structure(Task(4), ExchangeableKernel(kappa_1=s, kappa_2=s))[0] == 6


# ------------------------------------------------------------ 2. PSD after subs
k1, k2 = sp.symbols("kappa_1 kappa_2")
SYM = ExchangeableKernel(kappa_1=k1, kappa_2=k2)
BAD = {k1: R(9, 10), k2: R(-9, 10)}    # indefinite trial Gram matrix
a_ = sp.Symbol("a")


@pytest.mark.parametrize("route", [
    lambda s: solve_numpy(Task(4), SYM, subs=s),
    lambda s: solve_numpy(Task(4), SYM, "1/2", subs=s),
    lambda s: solve_sklearn(Task(4), SYM, "1/2", subs=s),
    lambda s: solve_mpmath(Task(4), SYM, subs=s, dps=20),
    lambda s: flow_numpy(Task(4), SYM, [1.0], subs=s),
    lambda s: flow_mpmath(Task(4), SYM, 1, subs=s, dps=20),
    lambda s: flow_mpmath(Task(4), SYM, sp.oo, subs=s, dps=20),
])
def test_psd_checked_after_subs(route):
    """Every route refused a non-PSD kernel without subs but solved it with subs (5.86 for f(1, 3))."""
    with pytest.raises(ValueError, match="^kernel: not positive semidefinite"):
        route(BAD)
    route({k1: R(1, 2), k2: R(1, 2)})   # a PSD point is solved


def test_psd_checked_after_subs_features():
    """AlphaKernel(a) with a = 3 substituted: not PSD (its features would be NaN)."""
    with pytest.raises(ValueError, match="^kernel: not positive semidefinite"):
        solve_features(Task(4), AlphaKernel(a_), subs={a_: 3})
    with pytest.raises(ValueError, match="^kernel: not positive semidefinite"):
        solve_numpy(Task(4), AlphaKernel(a_), subs={"a": 3})


# ------------------------------------------------------------ 3. properties
@given(weighted_tasks(EDGE_WEIGHTS), EDGE_ALPHAS, st.sampled_from([0, 0, R(1, 10**12), R(1, 1000), R(1)]))
@example(T5, 1e-12, 0)
@example(T17, 5e-324, 0)
def test_numpy_agrees_or_refuses(task, a, r):
    numpy_or_refuses(task, AlphaKernel(a), r)


@given(weighted_tasks(MODERATE_WEIGHTS), MODERATE_ALPHAS)
@example(Task(9, exceptions=[(1, 9), (3, 7)]), 1e-6)
def test_numpy_answers_at_moderate_alpha(task, a):
    """1e-6 <= alpha <= 1 - 1e-6, weights in [1e-3, 1e3]: numpy answers (and is right)."""
    assert numpy_or_refuses(task, AlphaKernel(a))


@examples(15)
@given(weighted_tasks(EDGE_WEIGHTS, max_n=7), EDGE_ALPHAS, st.sampled_from([0, 0, R(1, 10**12), R(1, 1000)]),
       st.sampled_from([15, 30]))
@example(T5, 1e-30, 0, 30)
@example(Task(5, exceptions=[(2, 5)]), 1e-300, 0, 15)   # rounded Gram singular: equal wrong answers at 60, 70 digits
def test_mpmath_agrees_or_refuses(task, a, r, dps):
    K = AlphaKernel(a)
    try:
        P = solve_mpmath(task, K, r, dps=dps)
    except PrecisionError as e:
        assert "solve_mpmath" in str(e) and "use solve_exact" in str(e), str(e)
        return
    assert mp_err(task, K, P, r) <= mpmath.mpf(10) ** (1 - dps)


@given(weighted_tasks(EDGE_WEIGHTS), EDGE_ALPHAS,
       st.sampled_from([R(1, 10**14), R(1, 10**10), R(1, 10**6), R(1, 100), 1]))
def test_sklearn_agrees_or_refuses(task, a, r):
    K = AlphaKernel(a)
    try:
        M = solve_sklearn(task, K, r).to_numpy()
    except PrecisionError as e:
        assert str(e).startswith("ridge: ") and "use solve_numpy or solve_exact" in str(e), str(e)
        return
    assert rel_err(M, exact_matrix(task, K, r)) <= FLOAT_CHECK


@given(weighted_tasks(EDGE_WEIGHTS), EDGE_ALPHAS, st.sampled_from([0, 0, R(1, 10**12), R(1, 1000)]))
def test_features_agree_or_refuse(task, a, r):
    K = AlphaKernel(a)
    try:
        M = solve_features(task, K, r).to_numpy()
    except PrecisionError as e:
        assert str(e).split(":")[0] in ("alpha", "kernel", "weights") and "use solve_exact" in str(e), str(e)
        return
    assert rel_err(M, exact_matrix(task, K, r)) <= FLOAT_CHECK


@given(weighted_tasks(EDGE_WEIGHTS, max_n=7), EDGE_ALPHAS)
def test_flow_numpy_limit_agrees_or_refuses(task, a):
    """At t = 1e300 the flow is the ridgeless KRR limit (phi_t(x) = 1/x in float64)."""
    K = AlphaKernel(a)
    try:
        M = flow_numpy(task, K, [1e300])[0]
    except PrecisionError as e:
        assert str(e).startswith("times: ") and "use flow_mpmath" in str(e), str(e)
        return
    assert rel_err(M, exact_matrix(task, K)) <= FLOAT_CHECK
