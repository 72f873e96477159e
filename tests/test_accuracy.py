"""Accuracy structure: statuses, categories, memorization and summaries."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.accuracy import accuracy, accuracy_from_margins
from symti.analysis.thresholds import thresholds

R = sp.Rational
DEFAULT = Task(9, exceptions=[(4, 6)])


def test_theory_section4_by_category():
    """derivations/theory.md §4, with the categories of derivations/theory.md §1 written out by hand."""
    assert accuracy(DEFAULT, R(1, 10)).wrong_pairs() == {}
    assert accuracy(DEFAULT, R(1, 5)).wrong_pairs() == {"boundary": [(3, 6), (4, 7)]}
    A = accuracy(DEFAULT, R(1, 2))
    assert A.wrong_pairs() == {"boundary": [(2, 6), (3, 5), (3, 6), (4, 7), (4, 8), (5, 7)], "between": [(3, 7)]}
    # hand count: 27 untrained pairs; within {1,3},{7,9}; between: i<=3, j>=7 -> 9; boundary: the other 16
    # counts are of trials (both orders of each pair); K_alpha is antisymmetric, so 2 per pair
    assert A.accuracy_by_category == {"within": (4, 4, 1), "between": (16, 18, R(8, 9)), "boundary": (20, 32, R(5, 8))}
    # distance 2: (1,3),(2,4),(3,5),(5,7),(6,8),(7,9) -> (3,5),(5,7) wrong
    assert A.accuracy_by_distance[2] == (8, 12, R(2, 3))
    assert A.test_accuracy == (40, 54, R(20, 27))
    assert A.exceptions_memorized == [True] and A.cycle == [] and A.ties() == []
    assert A.trained_fit == {"premise": (16, 16, 1), "exception": (2, 2, 1)}


def test_cycle_pairs_reported_without_ground_truth():
    A = accuracy(Task(7, exceptions=[(2, 6)]), R(1, 2))
    cyc = {(i, j) for i, j, _ in A.cycle}
    assert cyc == {(i, j) for i in range(2, 7) for j in range(i + 2, 7) if (i, j) != (2, 6)}
    for p in A.pairs:
        if p.category == "cycle":
            assert p.status == "no ground truth" and p.truth is None
    assert all(c != "cycle" for c in A.wrong_pairs())


def test_alpha_one_all_ties_and_plain_ti_correct():
    """derivations/theory.md §3: at alpha = 1 every untrained margin is 0; plain TI is
    right on every test pair for alpha < 1 (section 4)."""
    A = accuracy(Task(6), 1)
    assert len(A.ties()) == 15 - 5 and A.test_accuracy[0] == 0
    for a in (R(0), R(1, 3), R(99, 100)):
        B = accuracy(Task(6), a)
        assert B.wrong_pairs() == {} and B.test_accuracy[2] == 1
        assert set(B.accuracy_by_category) == {"test"} and sorted(B.accuracy_by_distance) == [2, 3, 4, 5]
    # floats: ties by tolerance at alpha = 1.0
    assert len(accuracy(Task(6), 1.0).ties()) == 10


def test_memorization_with_ridge():
    """Memorization is the sign of f(v, u), here from an explicit trial-Gram solve.
    derivations/theory.md §3: at alpha = 0 the additive model cannot fit the cycle;
    ridgeless, the least-squares fit of a pure circulation is zero, so the
    exception's margin is a tie and it is not memorized."""
    task = Task(5, exceptions=[(1, 4)])
    for a, r in [(R(0), R(10)), (R(1, 2), R(0)), (R(1, 10), R(1)), (R(9, 10), R(1, 10))]:
        A = accuracy(task, a, r)
        f41 = solve_exact(task, AlphaKernel(a), r, method="gram")[4, 1]
        assert A.exceptions_memorized == [bool(f41 > 0)]
    A0 = accuracy(task, R(0))
    assert A0.exceptions_memorized == [False] and A0.outcome(1, 4).margin == 0
    assert A0.trained_fit["exception"] == (0, 2, 0)


def test_float_margins_and_validation():
    M = np.array([[0, 1.0, -2.0], [-1.0, 0, 1e-14], [2.0, -1e-14, 0]])
    A = accuracy_from_margins(Task(3), M)
    assert not A.exact and A.wrong_pairs() == {"test": [(1, 3)]} and A.outcome(2, 3).status == "tie"
    with pytest.raises(ValueError, match="margins"):
        accuracy_from_margins(Task(3), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="alpha"):
        accuracy(DEFAULT, 2)
    with pytest.raises(ValueError, match="ridge"):
        accuracy(DEFAULT, R(1, 2), -1)
    with pytest.raises(TypeError, match="alpha"):
        accuracy(DEFAULT)
    with pytest.raises(TypeError, match="task"):
        accuracy_from_margins("x", M)
    d = accuracy(DEFAULT, "1/2").to_dict()
    assert d["wrong"]["between"] == [[3, 7]] and d["test_accuracy"]["correct"] == 40
    assert "memorized" in accuracy(DEFAULT, "1/2").table()


@st.composite
def cases(draw):
    n = draw(st.integers(4, 8))
    spans = [(u, v) for u in range(1, n + 1) for v in range(u + 2, n + 1)]
    excs = draw(st.lists(st.sampled_from(spans), min_size=0, max_size=2, unique=True))
    alpha = draw(st.fractions(min_value=Fraction(1, 100), max_value=Fraction(99, 100), max_denominator=100))
    ridge = draw(st.sampled_from([R(0), R(1, 10), R(1)]))
    return Task(n, exceptions=excs), R(alpha.numerator, alpha.denominator), ridge


@given(cases())
def test_exact_float_and_thresholds_agree(case):
    """Three routes to the same wrong pairs: exact solve at rational alpha,
    the float solver, and the exact threshold sets (symbolic alpha)."""
    task, alpha, ridge = case
    A = accuracy(task, alpha, ridge)
    assert A.exact
    # category counts add up to the untrained pairs with ground truth
    assert sum(t[1] for t in A.accuracy_by_category.values()) == A.test_accuracy[1]
    assert sum(t[1] for t in A.accuracy_by_distance.values()) == A.test_accuracy[1]
    F = accuracy(task, float(alpha), float(ridge))
    for p, q in zip(A.pairs, F.pairs):
        if abs(float(p.margin)) > 1e-7:
            assert p.status == q.status, (p, q)
    if task.exceptions:
        wrong = sorted(k for v in A.wrong_pairs().values() for k in v)
        assert wrong == sorted(thresholds(task, ridge).wrong_at(alpha))
