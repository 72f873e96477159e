"""Distance and terminal item effects: the factorised closed form against the exact
solver, the proven monotonicity on random TI instances, and the exception's effect."""
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.signatures import (
    distance_effect,
    distance_factor,
    position_factor,
    signature_report,
    signed_margins,
    terminal_effect,
    ti_margin_factorized,
)
from symti.solve.numeric import solve_numpy

ALPHAS = st.sampled_from([sp.Rational(1, 50), sp.Rational(1, 7), sp.Rational(1, 3), sp.Rational(3, 5), sp.Rational(19, 20)])
RIDGES = st.sampled_from([sp.Integer(0), sp.Rational(1, 10), sp.Integer(3)])


@given(st.integers(3, 10), ALPHAS, RIDGES, st.data())
def test_factorization_matches_exact_solver(n, alpha, ridge, data):
    i = data.draw(st.integers(1, n - 2))
    j = data.draw(st.integers(i + 2, n))
    lam = sp.acosh((1 + ridge) / (1 - alpha))
    exact = solve_exact(Task(n), AlphaKernel(alpha), ridge)[i, j]
    assert abs(sp.N(ti_margin_factorized(n, i, j, lam) - exact, 30)) < 1e-25


@given(st.integers(3, 11), ALPHAS, RIDGES)
def test_ti_distance_and_terminal_effects_hold(n, alpha, ridge):
    """The theorem of derivations/07: for TI both effects hold strictly (exact rationals)."""
    de = distance_effect(Task(n), alpha, ridge)
    assert de.monotone and de.holds_pairwise
    te = terminal_effect(Task(n), alpha, ridge)
    assert te.u_shaped
    for d, prof in te.profiles.items():
        if len(prof) >= 3:
            assert te.end_advantage[d] > 0
            vals = [m for _, m in prof]
            assert vals == vals[::-1]  # mirror symmetry


def test_additive_limit_is_pure_distance():
    n = 7
    S = signed_margins(Task(n), 0)
    assert all(m == j - i for (i, j), m in S.items())
    te = terminal_effect(Task(n), 0)
    assert set(te.shape.values()) <= {"flat", "short"}


def test_factors_monotone_numerically():
    lam = sp.Rational(7, 10)
    D = [float(distance_factor(d, lam)) for d in range(1, 10)]
    assert all(b > a for a, b in zip(D, D[1:])) and all(D[d - 1] >= d for d in range(1, 10))
    P = [float(position_factor(9, sp.Rational(c, 2), lam)) for c in range(0, 9)]
    assert all(b > a for a, b in zip(P, P[1:]))


@pytest.mark.parametrize("alpha", ["1/10", "1/5", "1/2"])
def test_exception_report_against_numeric_solver(alpha):
    task = Task(9, exceptions=[(4, 6)])
    rep = signature_report(task, alpha)
    M = solve_numpy(task, AlphaKernel(alpha)).to_numpy()
    wrong = sorted((i, j) for i in range(1, 10) for j in range(i + 1, 10)
                   if task.category(i, j) in ("boundary", "within", "between")
                   and task.ground_truth(i, j) * M[i - 1, j - 1] < 0)
    assert rep["wrong"] == wrong
    # TI of the same length keeps both effects; the exception breaks pairwise distance comparisons
    assert rep["ti_distance"].holds_pairwise and rep["ti_terminal"].u_shaped
    assert rep["reversed"] and not rep["distance"].holds_pairwise
    for a, b in rep["reversed"]:
        assert (a[0] == b[0] and b[1] > a[1]) or (a[1] == b[1] and b[0] < a[0])
        # the longer pair has a margin no larger than the shorter (numerically too)
        g = lambda p: task.ground_truth(*p) * M[p[0] - 1, p[1] - 1]  # noqa: E731
        assert g(b) <= g(a) + 1e-12


def test_exception_effects_survive_far_from_cycle():
    """Pairs both above the cycle keep the distance effect (rows of items 1, 2 beyond v)."""
    task = Task(11, exceptions=[(5, 7)])
    de = distance_effect(task, "1/3")
    far = [v for v in de.violations if max(max(v)) < 5 or min(min(v)) > 7]
    assert far == []
    # the terminal pairs stay the best at every distance
    te = terminal_effect(task, "1/3")
    assert all(te.end_advantage[d] >= 0 for d in te.profiles)


def test_exception_reverses_mean_distance_curve_at_high_alpha():
    task = Task(9, exceptions=[(4, 6)])
    assert distance_effect(task, "1/10").monotone
    c = distance_effect(task, "1/2").curve
    assert c[2] > c[3]  # distance-2 pairs beat distance-3 pairs on average: reversed


@pytest.mark.parametrize(
    "call, err, name",
    [
        (lambda: signed_margins("task", "1/2"), TypeError, "task"),
        (lambda: signed_margins(Task(4), "3/2"), ValueError, "alpha"),
        (lambda: signed_margins(Task(4), "1/2", -1), ValueError, "ridge"),
        (lambda: distance_effect(Task(4), sp.Symbol("a")), TypeError, "alpha"),
    ],
)
def test_bad_input(call, err, name):
    with pytest.raises(err) as exc:
        call()
    assert str(exc.value).startswith(name)
