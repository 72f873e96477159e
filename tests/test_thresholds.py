"""Exact thresholds: the alpha at which test pairs go wrong.

Every expectation comes from outside the code under test: derivations/theory.md §4
(the n = 9 example), exact solves at rational alpha (no symbolic alpha),
the antisymmetric solver route, or float bisection with numpy.
"""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, Task, solve_exact
from symti.output.report import thresholds_report
from symti.analysis.thresholds import (
    ALPHA,
    AlgebraicNumber,
    point_between,
    sign_intervals,
    thresholds,
    wrong_set,
)
from symti.solve.numeric import solve_numpy

R = sp.Rational


def wrong_pairs_exact(task, alpha, ridge=0):
    """Untrained pairs i < j with ground truth that an exact solve at the
    rational ``alpha`` gets strictly wrong."""
    P = solve_exact(task, AlphaKernel(alpha), ridge)
    out = set()
    for i, j in task.ordered_pairs():
        if i < j and not task.is_trained(i, j):
            g = task.ground_truth(i, j)
            if g is not None and g * P[i, j] < 0:
                out.add((i, j))
    return out


def gram_margins(task, alpha, ridge=0.0):
    """Float margins from the trial Gram matrix of K_alpha written out from
    derivations/theory.md §2 (an implementation independent of symti), unit weights."""
    trials = [(i, j) for i, j in task.ordered_pairs() if task.is_trained(i, j)]
    y = np.array([task.target(i, j) for i, j in trials], dtype=float)
    def gram(A, B):
        A, B = np.array(A), np.array(B)
        si = (A[:, None, 0] == B[None, :, 0]).astype(float)
        sj = (A[:, None, 1] == B[None, :, 1]).astype(float)
        return (1 - alpha) / 2 * (si + sj) + alpha * si * sj
    K = gram(trials, trials)
    if ridge > 0:
        c = np.linalg.solve(K + ridge * np.eye(len(trials)), y)
    else:
        c = np.linalg.pinv(K, hermitian=True, rcond=1e-12) @ y
    pairs = task.ordered_pairs()
    f = gram(pairs, trials) @ c
    M = np.zeros((task.n, task.n))
    for (i, j), v in zip(pairs, f):
        M[i - 1, j - 1] = v
    return M


def test_gram_margins_agree_with_solve_numpy():
    for task, a, r in [(DEFAULT, 0.3, 0.0), (Task(8, exceptions=[(2, 4), (5, 8)]), 0.7, 1 / 3)]:
        assert np.allclose(gram_margins(task, a, r), solve_numpy(task, AlphaKernel(a), r).to_numpy(), atol=1e-10)


# --------------------------------------------------------------- derivations/theory.md §4
DEFAULT = Task(9, exceptions=[(4, 6)])
FIRST = {(3, 6), (4, 7)}
BY_HALF = FIRST | {(2, 6), (3, 5), (3, 7), (4, 8), (5, 7)}


def test_theory_example_exact_solver():
    """derivations/theory.md §4, straight from the exact solver at rational alpha."""
    assert wrong_pairs_exact(DEFAULT, R(1, 10)) == set()
    assert wrong_pairs_exact(DEFAULT, R(1, 5)) == FIRST
    assert wrong_pairs_exact(DEFAULT, R(1, 2)) == BY_HALF


def test_theory_example_thresholds():
    T = thresholds(DEFAULT)
    assert set(T.wrong_at(R(1, 10))) == set()
    assert set(T.wrong_at(R(1, 5))) == FIRST
    assert set(T.wrong_at(R(1, 2))) == BY_HALF
    assert {(p.i, p.j) for p in T.first_pairs} == FIRST
    # only these seven pairs ever fail, each on one interval reaching alpha = 1
    assert {(p.i, p.j) for p in T.pairs if p.wrong_set} == BY_HALF
    for p in T.pairs:
        if p.wrong_set:
            assert len(p.wrong_set) == 1 and p.wrong_set[0][1] == 1
    # the critical alpha lies between the two alphas of the theory sheet
    c = T.critical_alpha
    assert c.compare_rational(R(1, 10)) > 0 and c.compare_rational(R(1, 5)) < 0
    # the five later pairs fail between 1/5 and 1/2
    for key in BY_HALF - FIRST:
        a = T.pair(*key).alpha_star
        assert a.compare_rational(R(1, 5)) > 0 and a.compare_rational(R(1, 2)) < 0


def _numerator(expr):
    num, _ = sp.fraction(sp.cancel(expr))
    return sp.Poly(num, ALPHA)


def test_theory_example_thresholds_are_roots_of_independent_margins():
    """Each threshold annihilates the pair's margin computed by another route
    (the antisymmetric trial system, not the rank reduction)."""
    T = thresholds(DEFAULT)
    a = sp.Symbol("alpha", positive=True)
    P = solve_exact(DEFAULT, AlphaKernel(a), 0, method="antisymmetric")
    for p in T.pairs:
        if p.alpha_star is None:
            continue
        num = _numerator(P[p.i, p.j].subs(a, ALPHA))
        assert num.rem(p.alpha_star.poly).is_zero, (p.i, p.j)
        # and the margin really changes sign there: exact solves on both sides
        lo, hi = p.alpha_star.bracket(R(1, 10**9))
        g = p.truth
        assert g * solve_exact(DEFAULT, AlphaKernel(lo))[p.i, p.j] > 0
        assert g * solve_exact(DEFAULT, AlphaKernel(hi))[p.i, p.j] < 0


def test_theory_example_threshold_values_numeric_bisection():
    """Float bisection with an independent numpy trial-Gram solve finds the same alpha_star."""
    T = thresholds(DEFAULT)
    for p in T.ordered():
        def g(x):
            M = gram_margins(DEFAULT, x, 0)
            return p.truth * M[p.i - 1, p.j - 1]

        grid = np.linspace(0.01, 0.99, 99)
        vals = [g(float(x)) for x in grid]
        k = next(k for k, v in enumerate(vals) if v < 0)
        lo, hi = float(grid[k - 1]), float(grid[k])
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
        assert abs((lo + hi) / 2 - float(p.alpha_star.evalf(20))) < 1e-8, (p.i, p.j)


@pytest.mark.parametrize(
    "task, ridge",
    [(Task(11, exceptions=[(5, 7)]), 0), (Task(9, exceptions=[(4, 6)]), R(1, 10)), (Task(8, exceptions=[(2, 4), (5, 8)]), R(1, 3))],
)
def test_critical_alpha_numeric_bisection(task, ridge):
    """The task's critical alpha, found by bisection on the float solver: the
    smallest alpha where any ground-truth test pair is wrong."""
    T = thresholds(task, ridge)
    mask = [(i, j, task.ground_truth(i, j)) for i, j in task.ordered_pairs()
            if i < j and not task.is_trained(i, j) and task.ground_truth(i, j) is not None]

    def any_wrong(x):
        M = gram_margins(task, x, float(ridge))
        return any(g * M[i - 1, j - 1] < 0 for i, j, g in mask)

    grid = np.linspace(1e-3, 1 - 1e-3, 400)
    first = next((k for k, x in enumerate(grid) if any_wrong(float(x))), None)
    if first is None:
        assert T.critical_alpha is None
        return
    assert first > 0
    lo, hi = float(grid[first - 1]), float(grid[first])
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if any_wrong(mid) else (mid, hi)
    assert abs((lo + hi) / 2 - float(T.critical_alpha.evalf(20))) < 1e-8


# --------------------------------------------------------------- property test
@st.composite
def tasks(draw):
    n = draw(st.integers(4, 8))
    spans = [(u, v) for u in range(1, n + 1) for v in range(u + 2, n + 1)]
    k = draw(st.integers(1, 2))
    excs = draw(st.lists(st.sampled_from(spans), min_size=1, max_size=k, unique=True))
    weights = {}
    if draw(st.booleans()):
        weights[excs[0]] = draw(st.sampled_from([R(1, 2), R(2), R(3)]))
    return Task(n, exceptions=excs, weights=weights)


RIDGES = st.sampled_from([R(0), R(1, 10), R(1, 3), R(2)])


def _cuts(T):
    """All interior endpoints of all wrong sets, sorted and distinct."""
    pts = set()
    for p in T.pairs:
        pts.update(p.endpoints())
    return sorted(pts)


def _samples(T):
    """Rational alphas: midpoints of every gap between consecutive endpoints
    and points within 1e-6 on both sides of every endpoint (exactly inside
    the neighbouring gaps)."""
    zero, one = AlgebraicNumber.rational(0), AlgebraicNumber.rational(1)
    cuts = [zero] + _cuts(T) + [one]
    out = [point_between(a, b) for a, b in zip(cuts, cuts[1:])]
    for k in range(1, len(cuts) - 1):
        prev, c, nxt = cuts[k - 1], cuts[k], cuts[k + 1]
        eps = R(1, 10**6)
        while True:
            lo, hi = c.bracket(eps)
            if prev.compare_rational(lo) < 0 and nxt.compare_rational(hi) > 0:
                break
            eps /= 100
        out += [lo, hi]
    return out


@given(task=tasks(), ridge=RIDGES)
def test_wrong_exactly_on_reported_set(task, ridge):
    T = thresholds(task, ridge)
    for alpha in _samples(T):
        assert 0 < alpha < 1
        assert set(T.wrong_at(alpha)) == wrong_pairs_exact(task, alpha, ridge), alpha


@given(task=tasks(), ridge=RIDGES)
def test_report_lists_every_ground_truth_pair_once(task, ridge):
    rep = thresholds_report(task, ridge, digits=12)
    keys = [(p["i"], p["j"]) for p in rep["pairs"]]
    expected = [(i, j) for i, j in task.ordered_pairs()
                if i < j and not task.is_trained(i, j) and task.ground_truth(i, j) is not None]
    assert keys == expected
    assert rep["n"] == task.n and rep["ridge"] == str(ridge)
    assert rep["exceptions"] == [list(e) for e in task.exceptions]
    stars = [Fraction(p["alpha_star"]) for p in rep["pairs"] if p["alpha_star"] is not None]
    if stars:
        assert Fraction(rep["critical_alpha"]) == min(stars)
    else:
        assert rep["critical_alpha"] is None
    for p in rep["pairs"]:
        assert [p["category"]] == [task.category(p["i"], p["j"])]
        if p["wrong_set"]:
            assert p["alpha_star"] == p["wrong_set"][0][0]
            flat = [Fraction(x) for iv in p["wrong_set"] for x in iv]
            assert flat == sorted(flat) and 0 <= flat[0] and flat[-1] <= 1


# --------------------------------------------------------------- building blocks
def test_sign_intervals_known_function():
    # (alpha - 1/4)^2 (alpha - sqrt(1/2)) / (alpha + 1): tangent zero at 1/4, sign change at 1/sqrt(2)
    f = (ALPHA - R(1, 4)) ** 2 * (ALPHA**2 - R(1, 2)) / (ALPHA + 1)
    iv = sign_intervals(f)
    assert [s for _, _, s in iv] == [-1, -1, 1]
    assert iv[0][1].value == R(1, 4)
    assert abs(float(iv[1][1].evalf(30)) - 2**-0.5) < 1e-15
    w = wrong_set(f, 1)
    assert [(a.value, b.value) for a, b in w][0] == (0, R(1, 4))
    assert wrong_set(f * 0, 1) == []


def test_algebraic_number_order_and_digits():
    a = AlgebraicNumber.root(sp.Poly(ALPHA**2 - 2, ALPHA), 1)  # sqrt 2
    b = AlgebraicNumber.root(sp.Poly(ALPHA**2 - 3, ALPHA), 1)  # sqrt 3
    assert a < b and not b < a and a != b and a == AlgebraicNumber.root(sp.Poly(2 * ALPHA**2 - 4, ALPHA), 1)
    assert a.compare_rational(R(141421356, 10**8)) > 0 and a.compare_rational(R(141421357, 10**8)) < 0
    import mpmath

    with mpmath.workdps(60):
        assert a.decimal(50) == mpmath.nstr(mpmath.sqrt(2), 50)
    assert AlgebraicNumber.rational(R(1, 3)).decimal(5) == "0.33333"


def test_bad_input():
    with pytest.raises(ValueError, match="ridge"):
        thresholds(DEFAULT, ridge=-1)
    with pytest.raises(TypeError, match="task"):
        thresholds("task")
    with pytest.raises(ValueError, match="digits"):
        thresholds_report(DEFAULT, digits=0)
    with pytest.raises(ValueError, match="truth"):
        wrong_set(ALPHA, 0)
    with pytest.raises(ValueError, match="expr"):
        sign_intervals(ALPHA + sp.Symbol("x"))


def test_no_exception_task_never_wrong():
    """Plain TI generalizes for every alpha < 1 (derivations/theory.md §4)."""
    for n in (3, 5, 7):
        T = thresholds(Task(n))
        assert T.critical_alpha is None and all(p.category == "test" for p in T.pairs)


# --------------------------------------------------------------- scaling of the critical alpha
from symti.analysis.scaling import (  # noqa: E402
    critical_alpha,
    critical_alpha_asymptotic,
    critical_alpha_table,
    fit_power_law,
    placed_task,
    rank_margins_numeric,
)


def test_rank_margins_numeric_matches_gram():
    task = Task(8, exceptions=[(2, 5), (3, 7)])
    for a, r in [(0.3, 0.2), (0.05, 0.0), (0.9, 1.0)]:
        rk = rank_margins_numeric(task, a, r)
        M = gram_margins(task, a, r)
        for i, j in task.ordered_pairs():
            if not task.is_trained(i, j):
                assert abs(rk[i - 1] - rk[j - 1] - M[i - 1, j - 1]) < 1e-9


def test_table_exact_vs_numeric():
    """Exact critical alphas of a table against the numeric rank-system route."""
    rows = critical_alpha_table([7, 9], spans=(2, 3), positions=("middle", "top", 3), digits=15)
    assert len(rows) >= 8
    for row in rows:
        task = Task(row["n"], exceptions=[(row["u"], row["v"])])
        c = critical_alpha(task, method="numeric")
        if row["critical_alpha"] is None:
            assert c is None
        else:
            assert abs(c - float(row["critical_alpha"])) < 1e-9, row


def test_critical_alpha_grows_with_span_and_falls_with_n():
    mid = [critical_alpha(placed_task(n, 2)) for n in (7, 9, 11, 13)]
    assert all(x is not None for x in mid) and mid == sorted(mid, reverse=True)
    spans = [critical_alpha(placed_task(201, s), method="numeric") for s in (2, 3, 4)]
    assert spans == sorted(spans, reverse=True)  # large n, middle: longer cycles fail earlier
    C, p = fit_power_law([101, 201, 401], [critical_alpha(placed_task(n, 2), method="numeric") for n in (101, 201, 401)])
    assert 1.9 < p < 2.2


@pytest.mark.parametrize("span", [2, 3])
def test_large_n_law_middle(span):
    """alpha_c n^2 -> 2 arcosh^2((2s+1)/s), with an O(1/n) relative error."""
    errs = []
    for n in (101, 201, 401):
        c = critical_alpha(placed_task(n, span), method="numeric")
        errs.append((c / float(critical_alpha_asymptotic(n, span)) - 1) * n)
    assert all(0 < e < 10 for e in errs)
    assert abs(errs[-1] - errs[-2]) < abs(errs[1] - errs[0]) + 0.05


def test_large_n_law_off_centre():
    n, u, s = 301, 101, 2
    c = critical_alpha(Task(n, exceptions=[(u, u + s)]), method="numeric")
    pred = critical_alpha_asymptotic(n, s, (u + s / 2) / n)
    assert abs(c / pred - 1) < 0.05


def test_numbers_below_ten_to_the_minus_sixty_are_ordered():
    """Regression: comparing two close algebraic numbers far below 10^-60 (thresholds of wide
    exceptions at n = 1000 are) refined by absolute steps of at least 10^-60 and stopped with
    "root refinement made no progress"; steps are relative now."""
    import sympy as sp

    from symti.analysis.thresholds import ALPHA, AlgebraicNumber

    lo, hi = sp.Rational(1, 10**70), sp.Rational(2, 10**70)
    a = AlgebraicNumber.isolated(sp.Poly(10**140 * ALPHA**2 - 2, ALPHA), lo, hi)
    b = AlgebraicNumber.isolated(sp.Poly(10**140 * ALPHA**2 - 3, ALPHA), lo, hi)
    assert a < b and not b < a and a != b
    assert a.decimal(5) == "0." + "0" * 69 + "14142"
