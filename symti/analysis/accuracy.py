r"""Accuracy structure: which pairs a trained model gets right, and which it gets wrong.

For a task and a model (by default KRR with :math:`K_\alpha` and ridge
:math:`\rho`) every unordered pair :math:`\{i, j\}`, listed as ``(i, j)``
with :math:`i < j`, has a margin :math:`f(i, j) = -f(j, i)` and, unless it is
a cycle pair, a ground truth :math:`g_{ij} = \pm 1`.  Its status is

.. math::
   \text{correct if } g_{ij} f(i,j) > 0, \quad
   \text{wrong if } g_{ij} f(i,j) < 0, \quad
   \text{tie if } f(i,j) = 0,

and ``"no ground truth"`` for cycle pairs (their sign is still reported).
An exception :math:`\{u, v\}` is *memorized* when :math:`f(v, u) > 0`.
Summary accuracies are the fractions of correct pairs among the untrained
pairs with ground truth, per category (``within``, ``between``,
``boundary``; ``test`` for tasks without exceptions) and per symbolic
distance :math:`|i - j|`; trained pairs get their own fit rates.

Signs are exact (signs of exact rationals from :func:`symti.solve.exact.solve_exact`)
when :math:`\alpha` and :math:`\rho` are exact numbers (``int``, ``Fraction``,
SymPy rationals or strings such as ``"1/5"``); with Python floats the margins
come from the float solver and ``|f| <= tol`` counts as a tie.

>>> from symti import Task
>>> A = accuracy(Task(9, exceptions=[(4, 6)]), "1/5")
>>> A.exact, A.wrong_pairs(), A.exceptions_memorized
(True, {'boundary': [(3, 6), (4, 7)]}, [True])
>>> A.accuracy_by_category["boundary"]
(14, 16, 7/8)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §1, §4 (pair categories; which pairs go wrong).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .._validate import check_alpha, check_ridge
from ..task import Task

__all__ = ["PairOutcome", "AccuracyStructure", "accuracy", "accuracy_from_margins", "TEST_CATEGORIES"]

#: Categories of untrained pairs with ground truth.
TEST_CATEGORIES = ("within", "between", "boundary", "test")


@dataclass(frozen=True)
class PairOutcome:
    """One unordered pair ``(i, j)``, ``i < j``: margin, sign and status."""

    i: int
    j: int
    category: str
    distance: int
    truth: int | None
    margin: object
    sign: int
    status: str  # "correct", "wrong", "tie" or "no ground truth"

    @property
    def trained(self) -> bool:
        return self.category in ("premise", "exception")


def _ratio(k: int, m: int):
    return (k, m, sp.Rational(k, m) if m else None)


@dataclass
class AccuracyStructure:
    """The accuracy structure of a model on a task (see the module docstring)."""

    task: Task
    exact: bool
    pairs: list = field(default_factory=list)
    alpha: object = None
    ridge: object = None

    # ---------------------------------------------------------------- views
    def outcome(self, i: int, j: int) -> PairOutcome:
        a, b = min(i, j), max(i, j)
        for p in self.pairs:
            if (p.i, p.j) == (a, b):
                return p
        self.task._check_pair(i, j)
        raise KeyError((i, j))

    def tests(self) -> list[PairOutcome]:
        """Untrained pairs with ground truth."""
        return [p for p in self.pairs if p.category in TEST_CATEGORIES]

    def wrong_pairs(self) -> dict:
        """Wrong untrained pairs by category (only categories with errors)."""
        out: dict = {}
        for p in self.tests():
            if p.status == "wrong":
                out.setdefault(p.category, []).append((p.i, p.j))
        return out

    def ties(self) -> list[tuple[int, int]]:
        """Untrained pairs with ground truth and margin exactly (or within ``tol``) zero."""
        return [(p.i, p.j) for p in self.tests() if p.status == "tie"]

    @property
    def cycle(self) -> list[tuple[int, int, int]]:
        """Cycle pairs (no ground truth) with the sign the model gives ``(i, j)``."""
        return [(p.i, p.j, p.sign) for p in self.pairs if p.category == "cycle"]

    @property
    def exceptions_memorized(self) -> list[bool]:
        r"""Per exception :math:`\{u, v\}`: whether :math:`f(v, u) > 0`."""
        return [self.outcome(u, v).sign < 0 for u, v in self.task.exceptions]

    @staticmethod
    def _grouped(pairs, key, order) -> dict:
        """``group -> (correct, total, fraction)`` for the groups in ``order`` that occur."""
        out = {}
        for g in order:
            ps = [p for p in pairs if key(p) == g]
            if ps:
                out[g] = _ratio(sum(p.status == "correct" for p in ps), len(ps))
        return out

    @property
    def trained_fit(self) -> dict:
        """``{"premise": (correct, total, fraction), "exception": ...}`` on trained pairs."""
        return self._grouped(self.pairs, lambda p: p.category, ("premise", "exception"))

    @property
    def accuracy_by_category(self) -> dict:
        """``category -> (correct, total, fraction)`` over untrained pairs with ground truth."""
        return self._grouped(self.tests(), lambda p: p.category, TEST_CATEGORIES)

    @property
    def accuracy_by_distance(self) -> dict:
        """``|i - j| -> (correct, total, fraction)`` over untrained pairs with ground truth."""
        tests = self.tests()
        return self._grouped(tests, lambda p: p.distance, sorted({p.distance for p in tests}))

    @property
    def test_accuracy(self):
        """``(correct, total, fraction)`` over all untrained pairs with ground truth."""
        ps = self.tests()
        return _ratio(sum(p.status == "correct" for p in ps), len(ps))

    # ---------------------------------------------------------------- output
    def to_dict(self) -> dict:
        """JSON-ready summary (fractions as floats, margins as strings)."""
        def frac(t):
            return {"correct": t[0], "total": t[1], "accuracy": None if t[2] is None else float(t[2])}

        return {
            "n": self.task.n,
            "exceptions": [list(e) for e in self.task.exceptions],
            "alpha": None if self.alpha is None else str(self.alpha),
            "ridge": None if self.ridge is None else str(self.ridge),
            "exact": self.exact,
            "pairs": [
                {"i": p.i, "j": p.j, "category": p.category, "distance": p.distance, "truth": p.truth,
                 "margin": str(p.margin), "sign": p.sign, "status": p.status}
                for p in self.pairs
            ],
            "wrong": {c: [list(k) for k in v] for c, v in self.wrong_pairs().items()},
            "ties": [list(k) for k in self.ties()],
            "cycle": [{"i": i, "j": j, "sign": s} for i, j, s in self.cycle],
            "exceptions_memorized": self.exceptions_memorized,
            "trained_fit": {k: frac(v) for k, v in self.trained_fit.items()},
            "accuracy_by_category": {k: frac(v) for k, v in self.accuracy_by_category.items()},
            "accuracy_by_distance": {str(k): frac(v) for k, v in self.accuracy_by_distance.items()},
            "test_accuracy": frac(self.test_accuracy),
        }

    def table(self, digits: int = 6) -> str:
        """A readable text table of the pairs and the summaries."""
        def num(v):
            if self.exact:
                return str(sp.N(v, digits)) if v != 0 else "0"
            return f"{float(v):.{digits}g}"

        rows = [("i", "j", "category", "d", "truth", "margin", "status")]
        for p in self.pairs:
            rows.append((str(p.i), str(p.j), p.category, str(p.distance),
                         "-" if p.truth is None else f"{p.truth:+d}", num(p.margin), p.status))
        w = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
        lines = ["  ".join(x.rjust(w[k]) for k, x in enumerate(r)) for r in rows]
        lines.append("")
        for (u, v), mem in zip(self.task.exceptions, self.exceptions_memorized):
            lines.append(f"exception {{{u},{v}}}: {'memorized' if mem else 'NOT memorized'}")
        for c, (k, m, f) in self.accuracy_by_category.items():
            lines.append(f"accuracy[{c}] = {k}/{m}")
        for d, (k, m, f) in self.accuracy_by_distance.items():
            lines.append(f"accuracy[|i-j|={d}] = {k}/{m}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()


def _status(truth, sign) -> str:
    if truth is None:
        return "no ground truth"
    if sign == 0:
        return "tie"
    return "correct" if sign == truth else "wrong"


def accuracy_from_margins(task: Task, margins, exact: bool | None = None, tol: float = 1e-10,
                          alpha=None, ridge=None) -> AccuracyStructure:
    r"""The accuracy structure from given margins.

    ``margins`` is a mapping ``(i, j) -> f(i, j)`` (e.g. a
    :class:`~symti.solve.predictions.Predictions`) or an ``n x n`` array with
    ``M[i-1, j-1] = f(i, j)``.  Exact margins (SymPy numbers) are signed
    exactly; float margins with ``|f| <= tol * max(1, max |f|)`` are ties.

    >>> import numpy as np
    >>> M = np.array([[0, 1.0, -2.0], [-1.0, 0, 1.0], [2.0, -1.0, 0]])
    >>> accuracy_from_margins(Task(3), M).wrong_pairs()
    {'test': [(1, 3)]}
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    n = task.n
    if isinstance(margins, Mapping):
        get = lambda i, j: margins[(i, j)]  # noqa: E731
    else:
        arr = np.asarray(margins)
        if arr.shape != (n, n):
            raise ValueError(f"margins: expected an {n} x {n} array, got shape {arr.shape}")
        get = lambda i, j: arr[i - 1, j - 1]  # noqa: E731
    keys = [(i, j) for i in range(1, n + 1) for j in range(i + 1, n + 1)]
    vals = {k: get(*k) for k in keys}
    if exact is None:
        exact = all(isinstance(v, sp.Basic) for v in vals.values())
    if exact:
        vals = {k: sp.sympify(v) for k, v in vals.items()}
        for k, v in vals.items():
            if not v.is_number or v.has(sp.Float):
                raise ValueError(f"margins: exact signs need exact numbers, got f{k} = {v}")
        signs = {k: int(sp.sign(v)) for k, v in vals.items()}
    else:
        fv = {k: float(v) for k, v in vals.items()}
        if not all(np.isfinite(list(fv.values()))):
            raise ValueError("margins: must be finite")
        scale = max([1.0] + [abs(x) for x in fv.values()])
        signs = {k: 0 if abs(x) <= tol * scale else (1 if x > 0 else -1) for k, x in fv.items()}
        vals = fv
    out = AccuracyStructure(task, bool(exact), alpha=alpha, ridge=ridge)
    for i, j in keys:
        truth = task.ground_truth(i, j)
        s = signs[(i, j)]
        out.pairs.append(PairOutcome(i, j, task.category(i, j), j - i, truth, vals[(i, j)], s, _status(truth, s)))
    return out


def accuracy(task: Task, alpha=None, ridge=0, kernel=None, *, exact: bool | None = None,
             tol: float = 1e-10) -> AccuracyStructure:
    r"""The accuracy structure of KRR on ``task``.

    Parameters
    ----------
    task : Task
    alpha : number or str
        Conjunctivity in :math:`[0, 1]` of :math:`K_\alpha` (ignored when
        ``kernel`` is given).
    ridge : number or str
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit.
    kernel : TrialKernel, optional
        Any symti kernel with numeric values instead of :math:`K_\alpha`.
    exact : bool, optional
        Exact rationals (default unless ``alpha`` or ``ridge`` is a Python
        ``float``) or the float solver.
    tol : float
        Float mode only: relative tolerance for a tie.

    >>> A = accuracy(Task(5), 1.0)   # alpha = 1: every untrained margin vanishes
    >>> A.exact, A.ties()
    (False, [(1, 3), (1, 4), (1, 5), (2, 4), (2, 5), (3, 5)])
    """
    from ..kernels.trial import AlphaKernel

    if exact is None:
        exact = not (isinstance(alpha, float) or isinstance(ridge, float))
    if kernel is None:
        if alpha is None:
            raise TypeError("alpha: required unless a kernel is given (a number in [0, 1])")
        alpha = check_alpha(alpha)
        if sp.sympify(alpha).free_symbols:
            raise TypeError("alpha: must be a number here, not a symbol")
        kernel = AlphaKernel(alpha)
    ridge = check_ridge(ridge)
    if sp.sympify(ridge).free_symbols:
        raise TypeError("ridge: must be a number here, not a symbol")
    if exact:
        from ..solve.exact import solve_exact

        P = solve_exact(task, kernel, ridge)
        return accuracy_from_margins(task, P, exact=True, alpha=alpha, ridge=ridge)
    from ..solve.numeric import solve_numpy

    M = solve_numpy(task, kernel, float(ridge))
    return accuracy_from_margins(task, M, exact=False, tol=tol, alpha=alpha, ridge=ridge)
