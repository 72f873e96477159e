r"""Transitive inference tasks, with and without exceptions.

Items :math:`1, \dots, n` lie in a hidden linear order with item 1 on top: in
the base order item :math:`i` beats item :math:`j` iff :math:`i < j`.  A trial
is an ordered pair :math:`(i, j)`, :math:`i \ne j`, asking "does i beat j?",
with target :math:`y(i,j) = +1` if it does and :math:`-1` otherwise.

The premise pairs :math:`\{i, i+1\}` are trained in both orders.  An exception
:math:`\{u, v\}` with :math:`v - u \ge 2` reverses one outcome: :math:`(v, u)`
has target :math:`+1`.  It closes the cycle :math:`u \succ u+1 \succ \dots
\succ v \succ u`.

Every ordered pair falls in one category (Cheng & Lippl 2026):

* ``premise``, ``exception``: trained pairs;
* ``cycle``: both endpoints in one exception's interval :math:`[u, v]`,
  untrained -- no ground truth;
* ``boundary``: one endpoint in some exception's interval;
* ``between``: both endpoints outside, the pair's span contains a whole
  interval;
* ``within``: every other untrained pair;
* ``test``: an untrained pair of a task without exceptions (classified by
  its symbolic distance :math:`|i - j|`).

>>> t = Task(9, exceptions=[(4, 6)])
>>> t.category(3, 6), t.category(1, 9), t.category(1, 3), t.category(4, 5)
('boundary', 'between', 'within', 'premise')
>>> Task(11, exceptions=[(4, 8)]).category(5, 7), Task(11, exceptions=[(4, 8)]).ground_truth(5, 7)
('cycle', None)
>>> t.target(6, 4), t.target(4, 6), t.ground_truth(7, 3)
(1, -1, -1)
>>> [(e.i, e.j, e.target) for e in t.trained_pairs][-1]
(4, 6, -1)
>>> len(t.training_trials())
18

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §1, "The task".
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Iterable, NamedTuple

import sympy as sp

from ._validate import check_n, check_weight

__all__ = ["Task", "TrainedPair", "CATEGORIES", "MAX_ITEMS", "default_task", "check_item"]

#: Largest number of items of a :class:`Task` (a task holds its n - 1 premises;
#: 10**6 items take a few seconds and about 0.5 GB).
MAX_ITEMS = 1_000_000
_ONE = sp.Integer(1)


def check_item(x, name: str, n: int | None = None) -> int:
    """Validate an item: an integer (Python, NumPy or SymPy; not bool) in ``1..n``.

    >>> import numpy as np
    >>> check_item(np.int64(3), "i", 5)
    3
    >>> check_item(1.7, "i", 5)
    Traceback (most recent call last):
    ...
    TypeError: i: must be an integer item, got 1.7
    """
    if type(x) is not int:
        if isinstance(x, bool) or not isinstance(x, (numbers.Integral, sp.Integer)):
            raise TypeError(f"{name}: must be an integer item, got {x!r}")
        x = int(x)
    if n is not None and not 1 <= x <= n:
        raise ValueError(f"{name}: must lie in 1..{n}, got {x}")
    return x

CATEGORIES = ("premise", "exception", "cycle", "boundary", "within", "between", "test")


class TrainedPair(NamedTuple):
    """A trained unordered pair, oriented as ``(i, j)`` with ``i < j``.

    ``target`` is the target of the trial ``(i, j)``; the trial ``(j, i)``
    has the opposite target.  ``weight`` is the training multiplicity of each
    of the two trials (an exact number or a SymPy symbol).  ``kind`` is
    ``"premise"`` or ``"exception"``.
    """

    i: int
    j: int
    target: int
    weight: sp.Expr
    kind: str

    @property
    def key(self) -> tuple[int, int]:
        return (self.i, self.j)


def _normalise_exception(exc, n: int, k: int) -> tuple[int, int]:
    name = f"exceptions[{k}]"
    try:
        a, b = exc
    except (TypeError, ValueError):
        raise TypeError(f"{name}: an exception is a pair of items (u, v), got {exc!r}") from None
    for x in (a, b):
        if isinstance(x, bool) or not isinstance(x, (numbers.Integral, sp.Integer)):
            raise TypeError(f"{name}: items must be integers, got {exc!r}")
    a, b = int(a), int(b)
    u, v = min(a, b), max(a, b)
    if u < 1 or v > n:
        raise ValueError(f"{name}: items must lie in 1..{n}, got {exc!r}")
    if u == v:
        raise ValueError(f"{name}: an exception needs two different items, got {exc!r}")
    if v - u < 2:
        raise ValueError(
            f"{name}: items must be at least 2 apart (v - u >= 2; an adjacent pair is a premise), got {exc!r}"
        )
    return (u, v)


class Task:
    """A transitive-inference task: ``n`` items, exceptions and training weights.

    Parameters
    ----------
    n : int
        Number of items, ``2 <= n <= MAX_ITEMS`` (:data:`MAX_ITEMS` = 10**6).
    exceptions : iterable of pairs, optional
        Reversed pairs ``{u, v}`` (either order; normalised to ``u < v``;
        ``v - u >= 2``; no pair twice).  ``None`` or empty: plain TI.
    weights : mapping, optional
        Training weight per trained unordered pair, keyed by ``(i, j)`` in
        either order (integer items); each must be positive (a number or a
        SymPy expression that is not known to be non-positive).  Unlisted
        pairs have weight 1.

    Examples
    --------
    >>> Task(5, exceptions=[(4, 2)], weights={(2, 4): 3})
    Task(5, exceptions=[(2, 4)], weights={(2, 4): 3})
    >>> Task(5, weights={(1.9, 2.1): 3})
    Traceback (most recent call last):
    ...
    TypeError: weights: keys are pairs of integer items (i, j), got (1.9, 2.1)
    """

    def __init__(self, n: int, exceptions: Iterable | None = (), weights: Mapping | None = None):
        self.n = check_n(n)
        if self.n > MAX_ITEMS:
            raise ValueError(f"n: must be at most {MAX_ITEMS} (MAX_ITEMS), got {self.n}")
        if exceptions is None:
            exceptions = ()
        if isinstance(exceptions, (str, bytes)) or not isinstance(exceptions, Iterable):
            raise TypeError(f"exceptions: expected an iterable of item pairs (u, v), got {exceptions!r}")
        if isinstance(exceptions, tuple) and len(exceptions) == 2 and all(
            isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in exceptions
        ):
            exceptions = [exceptions]
        excs = [_normalise_exception(e, self.n, k) for k, e in enumerate(exceptions)]
        if len(set(excs)) != len(excs):
            raise ValueError(f"exceptions: the same exception is listed twice: {excs}")
        self.exceptions: tuple[tuple[int, int], ...] = tuple(sorted(excs))
        trained = {(i, i + 1) for i in range(1, self.n)} | set(self.exceptions)
        w: dict[tuple[int, int], sp.Expr] = {}
        if weights is not None and not isinstance(weights, Mapping):
            raise TypeError(f"weights: expected a mapping {{(i, j): weight}}, got {type(weights).__name__}")
        for key, value in (weights or {}).items():
            try:
                a, b = key
                a, b = check_item(a, "weights"), check_item(b, "weights")
            except (TypeError, ValueError):
                raise TypeError(f"weights: keys are pairs of integer items (i, j), got {key!r}") from None
            k = (min(a, b), max(a, b))
            if k not in trained:
                raise ValueError(f"weights: {key!r} is not a trained pair of this task")
            w[k] = check_weight(value, f"weights[{key!r}]")
        self.weights = w
        pairs = [TrainedPair(i, i + 1, 1, w.get((i, i + 1), _ONE), "premise") for i in range(1, self.n)]
        pairs += [TrainedPair(u, v, -1, w.get((u, v), _ONE), "exception") for u, v in self.exceptions]
        self.trained_pairs: tuple[TrainedPair, ...] = tuple(pairs)
        self._trained = {(p[0], p[1]): p for p in pairs}

    # ------------------------------------------------------------------ basics
    def __repr__(self) -> str:
        extra = f", weights={self.weights!r}" if self.weights else ""
        return f"Task({self.n}, exceptions={list(self.exceptions)!r}{extra})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Task) and (self.n, self.exceptions, self.weights) == (
            other.n,
            other.exceptions,
            other.weights,
        )

    def __hash__(self) -> int:
        return hash((self.n, self.exceptions, tuple(sorted(self.weights.items()))))

    def _check_pair(self, i: int, j: int) -> None:
        i, j = check_item(i, "i", self.n), check_item(j, "j", self.n)
        if i == j:
            raise ValueError(f"(i, j): a trial needs two different items, got ({i}, {j})")

    def ordered_pairs(self) -> list[tuple[int, int]]:
        """Every ordered pair ``(i, j)``, ``i != j``, in row-major order."""
        return [(i, j) for i in range(1, self.n + 1) for j in range(1, self.n + 1) if i != j]

    def test_pairs(self, ordered: bool = False) -> list[tuple[int, int]]:
        r"""The test pairs: untrained pairs with a ground truth (every category but
        premise, exception and cycle), each once as ``(i, j)`` with ``i < j``, or
        in both orders with ``ordered=True``.

        >>> Task(5, exceptions=[(2, 4)]).test_pairs()
        [(1, 3), (1, 4), (1, 5), (2, 5), (3, 5)]
        >>> len(Task(9).test_pairs(ordered=True)) == 2 * (36 - 8)
        True
        """
        pairs = [(i, j) for i in range(1, self.n + 1) for j in range(i + 2, self.n + 1)
                 if (i, j) not in self._trained and self._category(i, j) != "cycle"]
        if ordered:
            pairs = sorted(pairs + [(j, i) for i, j in pairs])
        return pairs

    def is_trained(self, i: int, j: int) -> bool:
        return (min(i, j), max(i, j)) in self._trained

    def trained_pair(self, i: int, j: int) -> TrainedPair | None:
        return self._trained.get((min(i, j), max(i, j)))

    def target(self, i: int, j: int) -> int:
        """The training target of trial ``(i, j)`` (base order, flipped on exceptions)."""
        self._check_pair(i, j)
        return self._target(i, j)

    def _target(self, i: int, j: int) -> int:
        """:meth:`target` of a checked pair."""
        base = 1 if i < j else -1
        return -base if (min(i, j), max(i, j)) in self.exceptions else base

    def ground_truth(self, i: int, j: int) -> int | None:
        """Ground truth of ``(i, j)``: the target for trained pairs, ``None`` for
        cycle pairs, the base order otherwise."""
        self._check_pair(i, j)
        if self._category(min(i, j), max(i, j)) == "cycle":
            return None
        return self._target(i, j)

    def category(self, i: int, j: int) -> str:
        """Category of the ordered pair ``(i, j)`` (see the module docstring)."""
        self._check_pair(i, j)
        return self._category(min(i, j), max(i, j))

    def _category(self, a: int, b: int) -> str:
        """:meth:`category` of the checked pair ``a < b``."""
        p = self._trained.get((a, b))
        if p is not None:
            return p.kind
        if not self.exceptions:
            return "test"
        touches = between = False
        for u, v in self.exceptions:
            ia, ib = u <= a <= v, u <= b <= v
            if ia and ib:
                return "cycle"
            touches = touches or ia or ib
            between = between or (a < u and v < b)
        return "boundary" if touches else "between" if between else "within"

    def distance(self, i: int, j: int) -> int:
        """Symbolic distance ``|i - j|``."""
        return abs(i - j)

    def training_trials(self) -> list[tuple[tuple[int, int], int, sp.Expr]]:
        """Trained trials ``((i, j), target, weight)``: each trained pair in
        both orders, first ``(i, j)`` then ``(j, i)``."""
        out = []
        for p in self.trained_pairs:
            out.append(((p.i, p.j), p.target, p.weight))
            out.append(((p.j, p.i), -p.target, p.weight))
        return out

    def mirror(self) -> "Task":
        """The task with items relabelled :math:`i \\mapsto n + 1 - i`."""
        m = lambda x: self.n + 1 - x  # noqa: E731
        return Task(
            self.n,
            exceptions=[(m(v), m(u)) for u, v in self.exceptions],
            weights={(m(b), m(a)): w for (a, b), w in self.weights.items()},
        )

    def pair_table(self) -> list[dict]:
        """Every ordered pair with its category, target (None for cycle) and distance."""
        return [
            {
                "i": i,
                "j": j,
                "category": self.category(i, j),
                "target": self.ground_truth(i, j),
                "distance": abs(i - j),
            }
            for i, j in self.ordered_pairs()
        ]

    @property
    def is_weighted(self) -> bool:
        return any(w != 1 for w in self.weights.values())


def default_task() -> Task:
    """The built-in default task: n = 9 with the exception {4, 6} (Cheng & Lippl 2026)."""
    return Task(9, exceptions=[(4, 6)])
