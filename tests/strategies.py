"""Shared hypothesis strategies for the core tests.

Everything is drawn from small integers and ``sampled_from`` lists of exact
rationals so that failures shrink to readable examples.

* :func:`tasks` -- ``Task`` with ``2 <= n <= 9``, zero to two exceptions and
  optional positive rational training weights;
* :func:`alphas`, :func:`ridges` -- exact conjunctivities in ``[0, 1]`` and
  ridges ``>= 0`` (including the ridgeless ``0``) as SymPy rationals;
* :func:`exchangeable_kernels` -- exchangeable kernels that are positive
  semidefinite by construction: nonnegative mixtures of explicit exchangeable
  feature maps, normalised so that ``K(p, p) = 1``.

It also holds :func:`examples` (per-test example counts scaled from the
hypothesis profile, see ``conftest.py``) and :func:`category_by_definition`, the pair categories of
derivations/theory.md §1 computed by enumerating sets of pairs (not by the
interval tests of :meth:`symti.task.Task.category`), for tests that need the
categories without trusting the code under test.
"""
from __future__ import annotations

import sympy as sp
from hypothesis import settings
from hypothesis import strategies as st

from itertools import combinations

from symti.kernels import ExchangeableKernel
from symti.task import Task

R = sp.Rational

#: ``max_examples`` of the ``ci`` profile, the reference for :func:`examples`.
CI_EXAMPLES = 25


def examples(k: int) -> settings:
    """Settings for a test that is expensive per example: the loaded profile's
    ``max_examples`` scaled by ``k / 25`` (``k`` under ``ci``, at least 1), so
    that the profile, not the test, decides (``large`` still enlarges it)."""
    return settings(max_examples=max(1, settings.default.max_examples * k // CI_EXAMPLES))

#: Exact conjunctivities, endpoints included.
ALPHAS = [R(0), R(1, 10), R(1, 5), R(1, 4), R(1, 3), R(1, 2), R(2, 3), R(3, 4), R(9, 10), R(1)]
#: Exact ridges, the ridgeless limit ``0`` included.
RIDGES = [R(0), R(1, 1000), R(1, 20), R(1, 3), R(1), R(5, 2)]
#: Exact positive training weights.
WEIGHTS = [R(1, 3), R(1, 2), R(1), R(2), R(3)]


def alphas(interior: bool = False):
    """Exact ``alpha`` in ``[0, 1]`` (``(0, 1)`` if ``interior``), as SymPy rationals."""
    fr = st.fractions(min_value=0, max_value=1, max_denominator=12)
    s = st.one_of(st.sampled_from(ALPHAS), fr.map(lambda f: R(f.numerator, f.denominator)))
    if interior:
        s = s.filter(lambda a: 0 < a < 1)
    return s


def ridges(positive: bool = False):
    """Exact ridges ``>= 0`` (``> 0`` if ``positive``); ``0`` is the ridgeless limit."""
    s = st.sampled_from(RIDGES[1:] if positive else RIDGES)
    return s


@st.composite
def exception_lists(draw, n: int, max_exceptions: int = 2):
    """Zero to ``max_exceptions`` distinct valid exceptions ``(u, v)``,
    ``v - u >= 2``, drawn in either order."""
    candidates = [(u, v) for u in range(1, n + 1) for v in range(u + 2, n + 1)]
    if not candidates:
        return []
    k = draw(st.integers(0, min(max_exceptions, len(candidates))))
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=k, max_size=k, unique=True))
    flips = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    return [(v, u) if f else (u, v) for (u, v), f in zip(chosen, flips)]


@st.composite
def tasks(draw, min_n: int = 2, max_n: int = 9, max_exceptions: int = 2, weighted=None):
    """A random :class:`Task`.  ``weighted``: ``True`` / ``False`` forces
    weights on / off; ``None`` lets hypothesis choose."""
    n = draw(st.integers(min_n, max_n))
    excs = draw(exception_lists(n, max_exceptions))
    t = Task(n, excs)
    if weighted is None:
        weighted = draw(st.booleans())
    weights = {}
    if weighted:
        for e in t.trained_pairs:
            w = draw(st.sampled_from(WEIGHTS))
            if w != 1:
                weights[(e.j, e.i) if draw(st.booleans()) else (e.i, e.j)] = w
    return Task(n, excs, weights=weights)


# Exchangeable feature maps and their (unnormalised) kernel values on the six
# coincidence patterns (same, swap, first, second, crossed, disjoint):
FEATURE_PATTERNS = {
    "tensor": (1, 0, 0, 0, 0, 0),  # e_i (x) e_j
    "sym_tensor": (1, 1, 0, 0, 0, 0),  # (e_i (x) e_j + e_j (x) e_i)/sqrt2
    "first": (1, 0, 1, 0, 0, 0),  # e_i
    "second": (1, 0, 0, 1, 0, 0),  # e_j
    "difference": (2, -2, 1, 1, -1, 0),  # e_i - e_j
    "sum": (2, 2, 1, 1, 1, 0),  # e_i + e_j
    "constant": (1, 1, 1, 1, 1, 1),  # 1
}


def _feature_vector(name: str, n: int, i: int, j: int) -> list[int]:
    """The explicit feature map behind ``FEATURE_PATTERNS[name]`` (used by the
    tests to confirm the patterns)."""
    e = lambda k: [int(k == m) for m in range(1, n + 1)]  # noqa: E731
    if name == "tensor":
        return [int(a == i and b == j) for a in range(1, n + 1) for b in range(1, n + 1)]
    if name == "sym_tensor":
        return [sp.sqrt(R(1, 2)) * (int(a == i and b == j) + int(a == j and b == i))
                for a in range(1, n + 1) for b in range(1, n + 1)]
    if name == "first":
        return e(i)
    if name == "second":
        return e(j)
    if name == "difference":
        return [x - y for x, y in zip(e(i), e(j))]
    if name == "sum":
        return [x + y for x, y in zip(e(i), e(j))]
    if name == "constant":
        return [1]
    raise KeyError(name)


def mixture_values(coeffs: dict) -> tuple:
    """Normalised kernel values ``(kappa_s, kappa_1, kappa_2, kappa_x, kappa_d)``
    of the nonnegative mixture ``sum_k c_k phi_k``."""
    tot = [sum(R(c) * FEATURE_PATTERNS[k][m] for k, c in coeffs.items()) for m in range(6)]
    same = tot[0]
    return tuple(v / same for v in tot[1:])


@st.composite
def exchangeable_kernels(draw, swap_invariant=None, kappa_s_below_one: bool = True):
    """A positive semidefinite :class:`ExchangeableKernel` with exact values.

    Built as a nonnegative mixture of the feature maps of
    :data:`FEATURE_PATTERNS`, so PSD holds for every ``n`` by construction.
    ``swap_invariant=True`` forces ``kappa_1 == kappa_2``, ``False`` forces
    ``kappa_1 != kappa_2``.
    """
    names = list(FEATURE_PATTERNS)
    coeffs = {k: R(draw(st.integers(0, 3))) for k in names}
    if swap_invariant is True:
        coeffs["second"] = coeffs["first"]
    elif swap_invariant is False:
        if coeffs["first"] == coeffs["second"]:
            coeffs["first"] += 1
    if not any(coeffs[k] for k in ("tensor", "first", "second", "difference")):
        coeffs["tensor"] = R(1)  # keep an antisymmetric part: kappa_s < 1
    ks, k1, k2, kx, kd = mixture_values(coeffs)
    return ExchangeableKernel(kappa_s=ks, kappa_1=k1, kappa_2=k2, kappa_x=kx, kappa_d=kd)


def subs_point(alpha, rho):
    """A substitution dict for the symbols ``alpha`` and ``rho``."""
    a, r = sp.symbols("alpha rho", positive=True)
    return {a: alpha, r: rho}


def category_by_definition(n: int, exceptions, i: int, j: int) -> str:
    """Category of the pair ``{i, j}`` straight from derivations/theory.md §1.

    Built from sets of unordered pairs, in the order of precedence of the
    table: the trained pairs (premises ``{k, k+1}``, exceptions), then the
    cycle of each exception (every pair inside ``[u, v]``), then the boundary
    pairs (one end in some ``[u, v]``, the other outside it), then the between
    pairs (the pair's span strictly contains a whole ``[u, v]``); everything
    left is ``within`` (``test`` if the task has no exceptions).
    """
    excs = {frozenset(e) for e in exceptions}
    pair = frozenset((i, j))
    assert len(pair) == 2 and pair <= set(range(1, n + 1))
    premises = {frozenset((k, k + 1)) for k in range(1, n)}
    if pair in premises:
        return "premise"
    if pair in excs:
        return "exception"
    if not excs:
        return "test"
    items = set(range(1, n + 1))
    spans = [set(range(min(e), max(e) + 1)) for e in excs]
    cycle = {frozenset(p) for s in spans for p in combinations(sorted(s), 2)}
    boundary = {frozenset((x, y)) for s in spans for x in s for y in items - s}
    between = {frozenset((x, y)) for s in spans for x in items if x < min(s) for y in items if y > max(s)}
    for name, pairs in (("cycle", cycle), ("boundary", boundary), ("between", between)):
        if pair in pairs:
            return name
    return "within"


def truth_by_definition(n: int, exceptions, i: int, j: int):
    """Ground truth of the trial ``(i, j)`` from theory.md §1: ``None`` on an
    untrained cycle pair, the reversed order on an exception, else the base
    order (item 1 on top)."""
    cat = category_by_definition(n, exceptions, i, j)
    if cat == "cycle":
        return None
    base = 1 if i < j else -1
    return -base if cat == "exception" else base
