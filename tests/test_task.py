"""The task model: trained pairs, targets, categories, ground truth, mirror.

The categories are checked against ``strategies.category_by_definition`` (the
definitions of derivations/theory.md §1 as sets of pairs, not the interval
tests of ``Task.category``) and against hand-checked literal cases, e.g. on the paper's
default task n = 9 with the exception {4, 6}.
"""
from __future__ import annotations

import pytest
from hypothesis import given

from symti.task import CATEGORIES, Task, default_task

from strategies import category_by_definition, tasks, truth_by_definition


# Hand-checked against the table of derivations/theory.md §1 (one end in an
# interval [u, v] -> boundary, both in one -> cycle, span strictly containing an
# interval with both ends outside every interval -> between, else within).
HAND_CHECKED = [
    # the running example n = 9, {4, 6}: theory.md §1's own examples first
    (9, [(4, 6)], (3, 6), "boundary"), (9, [(4, 6)], (1, 9), "between"), (9, [(4, 6)], (1, 3), "within"),
    (9, [(4, 6)], (7, 9), "within"), (9, [(4, 6)], (2, 5), "boundary"), (9, [(4, 6)], (3, 7), "between"),
    (9, [(4, 6)], (5, 4), "premise"), (9, [(4, 6)], (6, 4), "exception"), (9, [(4, 6)], (7, 4), "boundary"),
    # a wide exception has untrained cycle pairs
    (11, [(4, 8)], (4, 6), "cycle"), (11, [(4, 8)], (7, 5), "cycle"), (11, [(4, 8)], (3, 8), "boundary"),
    (11, [(4, 8)], (2, 10), "between"), (11, [(4, 8)], (9, 11), "within"), (11, [(4, 8)], (8, 4), "exception"),
    # plain TI
    (5, [], (1, 3), "test"), (5, [], (5, 1), "test"), (5, [], (2, 3), "premise"),
    # two disjoint exceptions: ends in different intervals -> boundary; no within pair exists
    (9, [(2, 4), (6, 8)], (3, 7), "boundary"), (9, [(2, 4), (6, 8)], (1, 5), "between"),
    (9, [(2, 4), (6, 8)], (5, 9), "between"), (9, [(2, 4), (6, 8)], (4, 6), "boundary"),
    # overlapping: both ends in one interval -> cycle, else one end inside -> boundary
    (7, [(1, 4), (3, 6)], (1, 3), "cycle"), (7, [(1, 4), (3, 6)], (3, 5), "cycle"),
    (7, [(1, 4), (3, 6)], (2, 5), "boundary"), (7, [(1, 4), (3, 6)], (1, 6), "boundary"),
    (7, [(1, 4), (3, 6)], (1, 7), "boundary"),
    # nested: inside the outer interval is cycle even if the pair spans the inner one
    (9, [(2, 8), (4, 6)], (3, 7), "cycle"), (9, [(2, 8), (4, 6)], (1, 9), "between"),
    (9, [(2, 8), (4, 6)], (1, 5), "boundary"), (9, [(2, 8), (4, 6)], (6, 4), "exception"),
]


@pytest.mark.parametrize("n,excs,pair,cat", HAND_CHECKED)
def test_categories_by_hand(n, excs, pair, cat):
    i, j = pair
    t = Task(n, excs)
    assert category_by_definition(n, t.exceptions, i, j) == cat  # the test's own reference
    assert t.category(i, j) == t.category(j, i) == cat


def test_default_task_by_hand():
    t = default_task()
    assert t.n == 9 and t.exceptions == ((4, 6),)
    # trained: 8 premises and the exception, each in both orders
    assert len(t.trained_pairs) == 9 and len(t.training_trials()) == 18
    assert t.target(6, 4) == 1 and t.target(4, 6) == -1
    assert t.target(1, 2) == 1 and t.target(2, 1) == -1
    assert t.category(4, 6) == t.category(6, 4) == "exception"
    assert t.category(5, 4) == "premise"
    # the cycle 4 > 5 > 6 > 4: only trained pairs, so no untrained cycle pair
    assert [p for p in t.ordered_pairs() if t.category(*p) == "cycle"] == []
    assert t.category(3, 6) == t.category(4, 7) == t.category(2, 5) == "boundary"
    assert t.category(3, 7) == t.category(1, 9) == "between"
    assert t.category(1, 3) == t.category(7, 9) == "within"
    assert t.ground_truth(3, 6) == 1 and t.ground_truth(7, 4) == -1


def test_wide_exception_has_cycle_pairs():
    t = Task(11, [(8, 4)])
    assert t.exceptions == ((4, 8),)
    assert t.category(4, 6) == "cycle" and t.ground_truth(4, 6) is None
    assert t.category(5, 7) == "cycle" and t.category(7, 5) == "cycle"
    assert t.ground_truth(8, 4) == 1  # the exception is trained: its target is its truth
    assert t.category(3, 9) == "between" and t.category(3, 8) == "boundary"


def test_no_exceptions_all_test_pairs():
    t = Task(5)
    cats = {t.category(i, j) for i, j in t.ordered_pairs() if abs(i - j) > 1}
    assert cats == {"test"}
    assert all(t.ground_truth(i, j) == (1 if i < j else -1) for i, j in t.ordered_pairs())


@given(tasks())
def test_categories_match_definition(t):
    assert len(t.ordered_pairs()) == t.n * (t.n - 1)
    trained = {(e.i, e.j) for e in t.trained_pairs}
    assert len(trained) == t.n - 1 + len(t.exceptions)
    for i, j in t.ordered_pairs():
        c = t.category(i, j)
        assert c in CATEGORIES
        assert c == category_by_definition(t.n, t.exceptions, i, j) == t.category(j, i)
        assert t.is_trained(i, j) == (c in ("premise", "exception"))
        base = 1 if i < j else -1
        flipped = (min(i, j), max(i, j)) in t.exceptions
        assert t.target(i, j) == (-base if flipped else base) == -t.target(j, i)
        assert t.ground_truth(i, j) == (None if c == "cycle" else t.target(i, j))
        assert t.ground_truth(i, j) == truth_by_definition(t.n, t.exceptions, i, j)


@given(tasks())
def test_trained_pairs_and_trials(t):
    trials = t.training_trials()
    assert len(trials) == 2 * len(t.trained_pairs)
    for e in t.trained_pairs:
        assert e.i < e.j
        assert e.target == t.target(e.i, e.j)
        assert e.weight > 0
        assert ((e.i, e.j), e.target, e.weight) in trials
        assert ((e.j, e.i), -e.target, e.weight) in trials
    rows = t.pair_table()
    assert [(r["i"], r["j"]) for r in rows] == t.ordered_pairs()
    assert all(r["target"] == t.ground_truth(r["i"], r["j"]) for r in rows)


@given(tasks())
def test_mirror(t):
    m = t.mirror()
    s = lambda x: t.n + 1 - x  # noqa: E731
    assert m.mirror() == t
    assert set(m.exceptions) == {(s(v), s(u)) for u, v in t.exceptions}
    for i, j in t.ordered_pairs():
        assert m.category(s(i), s(j)) == t.category(i, j)
        # relabelling reverses the base order: targets change sign
        assert m.target(s(i), s(j)) == -t.target(i, j)
        e, f = t.trained_pair(i, j), m.trained_pair(s(i), s(j))
        assert (e is None) == (f is None)
        if e is not None:
            assert e.weight == f.weight


def test_exception_normalisation_and_single_pair_shorthand():
    assert Task(6, [(5, 2)]).exceptions == ((2, 5),)
    assert Task(6, (2, 5)).exceptions == ((2, 5),)
    assert Task(6, [(2, 5), (1, 6)]).exceptions == ((1, 6), (2, 5))


def test_weights_either_order():
    t = Task(4, [(1, 3)], weights={(2, 1): 2, (3, 1): "1/2"})
    assert t.trained_pair(1, 2).weight == 2
    assert t.trained_pair(1, 3).weight == pytest.approx(0.5)
    assert t.trained_pair(2, 3).weight == 1
