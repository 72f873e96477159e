r"""Accuracy structure: which pairs a trained model gets right, and which it gets wrong.

For a task and a model (by default KRR with :math:`K_\alpha` and ridge
:math:`\rho`) a *trial* :math:`(i, j)` asks "does :math:`i` beat :math:`j`?"
and the model answers with the sign of its margin :math:`f(i, j)`.  Unless
:math:`\{i, j\}` is a cycle pair it has a ground truth :math:`g_{ij} = \pm 1`
(:math:`g_{ji} = -g_{ij}`), and the trial's status is

.. math::
   \text{correct if } g_{ij} f(i,j) > 0, \quad
   \text{wrong if } g_{ij} f(i,j) < 0, \quad
   \text{tie if } f(i,j) = 0.

**Convention: both trials of every pair count.**  Each unordered pair
:math:`\{i, j\}`, listed as ``(i, j)`` with :math:`i < j`, carries its two
trials :math:`(i, j)` and :math:`(j, i)`.  For swap-antisymmetric models
(:math:`K_\alpha`, every swap-invariant kernel) :math:`f(j, i) = -f(i, j)`
and the two trials agree; a position-asymmetric kernel
(:math:`\kappa_1 \ne \kappa_2`) can give :math:`f(i, j)` and :math:`f(j, i)`
the same sign, and then exactly one of the two trials is wrong.  A pair's
``status`` is ``"wrong"`` if either trial is wrong, else ``"tie"`` if either
is a tie, else ``"correct"``; cycle pairs have ``"no ground truth"`` (their
signs are still reported).  Every count ``(correct, total, fraction)``
counts *trials* (ordered pairs): a pair contributes 2 to ``total`` and its
correct trials to ``correct`` -- so fractions equal the fractions of pairs
for antisymmetric models, and a pair wrong in one direction counts half.
An exception :math:`\{u, v\}` is *memorized* when :math:`f(v, u) > 0` (read
directly, not as :math:`-f(u, v)`).  Summary accuracies are over the
untrained trials with ground truth, per category (``within``, ``between``,
``boundary``; ``test`` for tasks without exceptions) and per symbolic
distance :math:`|i - j|`; trained trials get their own fit rates.

Signs are exact (signs of exact rationals from :func:`symti.solve.exact.solve_exact`)
when :math:`\alpha` and :math:`\rho` are exact numbers (``int``, ``Fraction``,
SymPy rationals or strings such as ``"1/5"``).  With Python floats the
margins come from the float solver, and a float sign is used only where it is
certified: :math:`|f|` must exceed an a-priori bound on the solver's
round-off (:math:`100\,m\,\varepsilon\,\kappa` times the size of the
margins, :math:`\kappa` the condition number of the solved Gram system, or
infinite when an eigenvalue sits near the pseudo-inverse cut-off) and
``tol`` times the largest margin.  If any margin falls inside that band, every
sign is decided by the exact solver at the same parameters (the float's
shortest decimal, as everywhere in symti), so a float :math:`\alpha` reports
exactly the errors and ties of the corresponding exact input -- in particular
near :math:`\alpha \to 0` and :math:`\alpha \to 1`, where margins shrink below
round-off.

>>> from symti import Task
>>> A = accuracy(Task(9, exceptions=[(4, 6)]), "1/5")
>>> A.exact, A.wrong_pairs(), A.exceptions_memorized
(True, {'boundary': [(3, 6), (4, 7)]}, [True])
>>> A.accuracy_by_category["boundary"]          # 16 pairs = 32 trials, 2 pairs wrong both ways
(28, 32, 7/8)

A position-asymmetric kernel (:math:`\kappa_1 \ne \kappa_2`) can answer
(1, 4) and (4, 1) alike; then one of the two trials is wrong:

>>> from symti.kernels import ExchangeableKernel
>>> B = accuracy(Task(5, exceptions=[(2, 4)]), kernel=ExchangeableKernel(kappa_1="3/10"))
>>> o = B.outcome(1, 4)
>>> o.margin, o.margin_ji, o.status_ij, o.status_ji, o.status
(3/10, 3/16, 'correct', 'wrong', 'wrong')
>>> B.wrong_trials(), B.test_accuracy
({'boundary': [(4, 1), (2, 5)]}, (6, 10, 3/5))

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §1, §4 (pair categories; which pairs go wrong).
"""
from __future__ import annotations

import math
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
    """One unordered pair ``(i, j)``, ``i < j``, with its two trials ``(i, j)`` and ``(j, i)``.

    ``margin``, ``sign`` and ``status_ij`` belong to the trial ``(i, j)``;
    ``margin_ji``, ``sign_ji`` and ``status_ji`` to ``(j, i)``; ``truth`` is
    :math:`g_{ij}`; ``status`` is the pair's (``"wrong"`` if either trial is
    wrong, else ``"tie"`` if either is a tie, else ``"correct"``; ``"no ground
    truth"`` for cycle pairs).
    """

    i: int
    j: int
    category: str
    distance: int
    truth: int | None
    margin: object
    sign: int
    status: str  # "correct", "wrong", "tie" or "no ground truth"
    margin_ji: object = None
    sign_ji: int = 0
    status_ij: str = ""
    status_ji: str = ""

    @property
    def trained(self) -> bool:
        return self.category in ("premise", "exception")

    @property
    def trials(self) -> tuple:
        """``((i, j, status_ij), (j, i, status_ji))``."""
        return ((self.i, self.j, self.status_ij), (self.j, self.i, self.status_ji))

    @property
    def correct_trials(self) -> int:
        """How many of the two trials are correct (0, 1 or 2)."""
        return (self.status_ij == "correct") + (self.status_ji == "correct")


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
    signs: str = "exact"  # "exact", "float" (certified float signs) or "exact fallback"

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
        """Untrained pairs ``(i, j)``, ``i < j``, wrong in at least one direction, by
        category (only categories with errors)."""
        out: dict = {}
        for p in self.tests():
            if p.status == "wrong":
                out.setdefault(p.category, []).append((p.i, p.j))
        return out

    def wrong_trials(self) -> dict:
        """Wrong untrained trials (ordered pairs ``(a, b)``) by category; an
        antisymmetric model lists both orders of each wrong pair."""
        out: dict = {}
        for p in self.tests():
            for a, b, st in p.trials:
                if st == "wrong":
                    out.setdefault(p.category, []).append((a, b))
        return out

    def ties(self) -> list[tuple[int, int]]:
        """Untrained pairs with ground truth, no wrong trial and a margin exactly zero
        (float margins from :func:`accuracy_from_margins`: within ``tol``)."""
        return [(p.i, p.j) for p in self.tests() if p.status == "tie"]

    @property
    def cycle(self) -> list[tuple[int, int, int]]:
        """Cycle pairs (no ground truth) with the sign the model gives ``(i, j)``
        (``outcome(i, j).sign_ji`` has the sign of ``(j, i)``)."""
        return [(p.i, p.j, p.sign) for p in self.pairs if p.category == "cycle"]

    @property
    def exceptions_memorized(self) -> list[bool]:
        r"""Per exception :math:`\{u, v\}`: whether :math:`f(v, u) > 0`."""
        return [self.outcome(u, v).sign_ji > 0 for u, v in self.task.exceptions]

    @staticmethod
    def _grouped(pairs, key, order) -> dict:
        """``group -> (correct, total, fraction)`` over the *trials* of the pairs in each
        group of ``order`` that occurs (two trials per pair)."""
        out = {}
        for g in order:
            ps = [p for p in pairs if key(p) == g]
            if ps:
                out[g] = _ratio(sum(p.correct_trials for p in ps), 2 * len(ps))
        return out

    @property
    def trained_fit(self) -> dict:
        """``{"premise": (correct, total, fraction), "exception": ...}`` on trained trials."""
        return self._grouped(self.pairs, lambda p: p.category, ("premise", "exception"))

    @property
    def accuracy_by_category(self) -> dict:
        """``category -> (correct, total, fraction)`` over untrained trials with ground truth."""
        return self._grouped(self.tests(), lambda p: p.category, TEST_CATEGORIES)

    @property
    def accuracy_by_distance(self) -> dict:
        """``|i - j| -> (correct, total, fraction)`` over untrained trials with ground truth."""
        tests = self.tests()
        return self._grouped(tests, lambda p: p.distance, sorted({p.distance for p in tests}))

    @property
    def test_accuracy(self):
        """``(correct, total, fraction)`` over all untrained trials with ground truth."""
        ps = self.tests()
        return _ratio(sum(p.correct_trials for p in ps), 2 * len(ps))

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
            "signs": self.signs,
            "pairs": [
                {"i": p.i, "j": p.j, "category": p.category, "distance": p.distance, "truth": p.truth,
                 "margin": str(p.margin), "sign": p.sign, "status": p.status,
                 "margin_ji": str(p.margin_ji), "sign_ji": p.sign_ji,
                 "status_ij": p.status_ij, "status_ji": p.status_ji}
                for p in self.pairs
            ],
            "wrong": {c: [list(k) for k in v] for c, v in self.wrong_pairs().items()},
            "wrong_trials": {c: [list(k) for k in v] for c, v in self.wrong_trials().items()},
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

        asym = any(p.margin_ji != -p.margin for p in self.pairs)
        rows = [("i", "j", "category", "d", "truth", "f(i,j)") + (("f(j,i)",) if asym else ()) + ("status",)]
        for p in self.pairs:
            rows.append((str(p.i), str(p.j), p.category, str(p.distance),
                         "-" if p.truth is None else f"{p.truth:+d}", num(p.margin))
                        + ((num(p.margin_ji),) if asym else ()) + (p.status,))
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


def _read_margins(task: Task, margins) -> dict:
    """``{(i, j): f(i, j)}`` for every ordered pair, from a mapping or an ``n x n`` array."""
    n = task.n
    if isinstance(margins, Mapping):
        get = lambda i, j: margins[(i, j)]  # noqa: E731
    else:
        arr = np.asarray(margins)
        if arr.shape != (n, n):
            raise ValueError(f"margins: expected an {n} x {n} array, got shape {arr.shape}")
        get = lambda i, j: arr[i - 1, j - 1]  # noqa: E731
    return {(i, j): get(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j}


def _exact_signs(vals: dict) -> tuple[dict, dict]:
    vals = {k: sp.sympify(v) for k, v in vals.items()}
    for k, v in vals.items():
        if not v.is_number or v.has(sp.Float):
            raise ValueError(f"margins: exact signs need exact numbers, got f{k} = {v}")
    return vals, {k: int(sp.sign(v)) for k, v in vals.items()}


def _float_values(vals: dict) -> dict:
    fv = {k: float(v) for k, v in vals.items()}
    if not all(np.isfinite(list(fv.values()))):
        raise ValueError("margins: must be finite")
    return fv


def _scale(fv: dict) -> float:
    return max([1.0] + [abs(x) for x in fv.values()])


def _structure(task: Task, vals: dict, signs: dict, exact: bool, alpha, ridge, route: str) -> AccuracyStructure:
    out = AccuracyStructure(task, bool(exact), alpha=alpha, ridge=ridge, signs=route)
    n = task.n
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            truth = task.ground_truth(i, j)
            s_ij, s_ji = signs[(i, j)], signs[(j, i)]
            st_ij = _status(truth, s_ij)
            st_ji = _status(None if truth is None else -truth, s_ji)
            if truth is None:
                pair = st_ij
            elif "wrong" in (st_ij, st_ji):
                pair = "wrong"
            elif "tie" in (st_ij, st_ji):
                pair = "tie"
            else:
                pair = "correct"
            out.pairs.append(PairOutcome(i, j, task.category(i, j), j - i, truth, vals[(i, j)], s_ij, pair,
                                         vals[(j, i)], s_ji, st_ij, st_ji))
    return out


def accuracy_from_margins(task: Task, margins, exact: bool | None = None, tol: float = 1e-10,
                          alpha=None, ridge=None) -> AccuracyStructure:
    r"""The accuracy structure from given margins (both trials of every pair).

    ``margins`` is a mapping ``(i, j) -> f(i, j)`` over all ordered pairs
    (e.g. a :class:`~symti.solve.predictions.Predictions`) or an ``n x n``
    array with ``M[i-1, j-1] = f(i, j)``; ``f(i, j)`` and ``f(j, i)`` are both
    read (they need not be opposite).  Exact margins (SymPy numbers) are
    signed exactly; float margins with ``|f| <= tol * max(1, max |f|)`` are
    ties.

    >>> import numpy as np
    >>> M = np.array([[0, 1.0, -2.0], [-1.0, 0, 1.0], [2.0, -1.0, 0]])
    >>> accuracy_from_margins(Task(3), M).wrong_pairs()
    {'test': [(1, 3)]}
    >>> M[2, 0] = -0.5           # f(3, 1) < 0 is right, f(1, 3) < 0 still wrong
    >>> A = accuracy_from_margins(Task(3), M)
    >>> A.wrong_trials(), A.test_accuracy[:2]
    ({'test': [(1, 3)]}, (1, 2))
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    vals = _read_margins(task, margins)
    if exact is None:
        exact = all(isinstance(v, sp.Basic) for v in vals.values())
    if exact:
        vals, signs = _exact_signs(vals)
    else:
        vals = _float_values(vals)
        cut = tol * _scale(vals)
        signs = {k: 0 if abs(x) <= cut else (1 if x > 0 else -1) for k, x in vals.items()}
    return _structure(task, vals, signs, bool(exact), alpha, ridge, "exact" if exact else "float")


def _float_error_bound(scale: float) -> float:
    r"""The round-off band of :func:`~symti.solve.numeric.solve_numpy`'s margins.

    The float64 route either raises :class:`~symti.solve.numeric.PrecisionError`
    or answers within its first-order error estimate, which it keeps below
    ``FLOAT_TOL`` (:math:`10^{-8}`) relative to :math:`\max(1, \max_p |f(p)|)`
    (the estimate is documented in ``solve_numpy``).  A margin inside this band
    has no float sign: the exact solver decides it.

    >>> _float_error_bound(0.5) == _float_error_bound(1.0) == 1e-8
    True
    """
    from ..solve.numeric import FLOAT_TOL

    return FLOAT_TOL * max(1.0, scale)


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
        ``float``) or the float solver with certified signs (module docstring).
    tol : float
        Float mode only: float signs are trusted only where ``|f|`` exceeds
        both ``tol * max(1, max |f|)`` and the solver's round-off bound;
        otherwise the exact solver decides every sign (``signs == "exact
        fallback"``), so ties are exact zeros in either mode.

    >>> A = accuracy(Task(5), 1.0)   # alpha = 1: every untrained margin vanishes
    >>> A.exact, A.signs, A.ties()
    (False, 'exact fallback', [(1, 3), (1, 4), (1, 5), (2, 4), (2, 5), (3, 5)])
    >>> accuracy(Task(5), 0.5).signs
    'float'
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
    from ..solve.numeric import PrecisionError, solve_numpy

    try:
        M = solve_numpy(task, kernel, float(ridge))
        vals = _float_values(_read_margins(task, M))
        scale = _scale(vals)
        band = max(tol * scale, _float_error_bound(scale))
    except PrecisionError:  # float64 refuses (eigenvalues it cannot resolve): the exact solver decides
        vals, band = {}, math.inf
    if vals and all(abs(x) > band for x in vals.values()):
        signs = {k: 1 if x > 0 else -1 for k, x in vals.items()}
        return _structure(task, vals, signs, False, alpha, ridge, "float")
    # some margin is within round-off of zero: the exact solver decides every sign
    from ..solve.exact import solve_exact

    exact_vals, signs = _exact_signs(dict(solve_exact(task, kernel, ridge)))
    vals = {k: float(v) for k, v in exact_vals.items()}
    return _structure(task, vals, signs, False, alpha, ridge, "exact fallback")
