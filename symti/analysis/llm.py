r"""The theory beside finetuned language models (Cheng & Lippl 2026).

symti ships ``symti/data/finetuned_pairs_n9.csv``: for two pretrained language
models finetuned on the premise pairs of a 9-item hierarchy (without an
exception, ``ti_n9``, or with the exception :math:`\{4, 6\}`, ``exc_mid_n9``),
the mean logit difference :math:`\ell(i, j) = \operatorname{logit}(\text{Yes})
- \operatorname{logit}(\text{No})` and the accuracy on every ordered query "does
i beat j?" (source and citation: ``symti/data/README.md``; arXiv:2605.22972,
repository ``sflippl/ti-with-exceptions``).

The CSV's 0-based ranks become the theory's 1-based items, :math:`i =
\text{rank} + 1`.  A model's margin on an unordered pair :math:`i < j` is the
antisymmetric part of its logit differences,

.. math::
   d(i, j) = \tfrac12\bigl(\ell(i, j) - \ell(j, i)\bigr),

which removes any bias towards answering "Yes"; its accuracy on the pair is the
mean over both orders.  The theory's margin is :math:`f(i, j)` of kernel ridge
regression with :math:`K_\alpha`.  The comparison uses the *untrained* pairs:

* the Spearman rank correlation of :math:`f(i,j)` and :math:`d(i,j)`;
* the pairs answered wrongly: :math:`y(i,j) f(i,j) < 0` for the theory
  (:math:`y` the ground truth), accuracy below 1/2 for the models;
* the :math:`\alpha` that fits best (:func:`fit_alpha`).

>>> recs = load(hier="exc_mid_n9", task="fake", model="qwen35-2b", phase="post")
>>> len(recs), recs[0]["i"], recs[0]["j"]
(144, 1, 2)
>>> wrong_pairs_models(recs)
[(3, 6), (4, 7)]
>>> wrong_pairs_theory(theory_margins(task_for("exc_mid_n9"), "1/5"), task_for("exc_mid_n9"))
[(3, 6), (4, 7)]

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
from __future__ import annotations

import csv
import functools
import math
from fractions import Fraction
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import sympy as sp
from scipy import stats

from .._validate import check_alpha, check_ridge
from ..kernels.trial import AlphaKernel
from ..solve.predictions import Predictions
from ..task import Task
from .fit import fit_behaviour, spearman_rows, theory_values

__all__ = [
    "DATA_FILE",
    "HIERARCHIES",
    "data_path",
    "load",
    "task_for",
    "conditions",
    "select",
    "pair_matrix",
    "pair_margins",
    "untrained_pairs",
    "theory_matrix",
    "theory_margins",
    "pair_table",
    "compare",
    "rank_correlation",
    "wrong_pairs_theory",
    "wrong_pairs_models",
    "agreement",
    "AlphaFit",
    "fit_alpha",
    "summary",
    "ADAPTED_FILE",
    "REQUIRED_COLUMNS",
    "SETTINGS",
    "CONDITION_KEYS",
    "adapted_path",
    "read_pairs",
    "infer_task",
    "observations",
    "compare_condition",
    "compare_behaviour",
    "fit_spread",
]

DATA_FILE = "finetuned_pairs_n9.csv"

#: The hierarchies of the CSV as symti tasks (items 1-based, item 1 on top).
HIERARCHIES = {"ti_n9": (9, ()), "exc_mid_n9": (9, ((4, 6),))}

_FILTERS = ("hier", "task", "model", "phase", "reverse")
_BOOL = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}


def data_path() -> Path:
    """Path of the packaged CSV ``symti/data/finetuned_pairs_n9.csv``.

    >>> data_path().name
    'finetuned_pairs_n9.csv'
    """
    return Path(str(resources.files("symti").joinpath("data", DATA_FILE)))


def task_for(hier: str) -> Task:
    """The symti :class:`~symti.Task` of a hierarchy name of the CSV.

    >>> task_for("exc_mid_n9")
    Task(9, exceptions=[(4, 6)])
    >>> task_for("ti_n9")
    Task(9, exceptions=[])
    """
    if hier not in HIERARCHIES:
        raise ValueError(f"hier: must be one of {', '.join(sorted(HIERARCHIES))}, got {hier!r}")
    n, exc = HIERARCHIES[hier]
    return Task(n, exceptions=list(exc))


def _as_set(value, name: str):
    if value is None:
        return None
    if isinstance(value, (str, bool)):
        return {value}
    if isinstance(value, Iterable):
        return set(value)
    raise TypeError(f"{name}: expected a value or a collection of values, got {value!r}")


def _parse_bool(text: str, name: str) -> bool:
    try:
        return _BOOL[text.strip()]
    except KeyError:
        raise ValueError(f"{name}: expected True or False in the CSV, got {text!r}") from None


def _parse_row(row: dict, line: int) -> dict:
    try:
        ra, rb = int(row["rank_a"]), int(row["rank_b"])
        rec = {
            "hier": row["hier"],
            "task": row["task"],
            "reverse": _parse_bool(row["reverse"], "reverse"),
            "model": row["model"],
            "phase": row["phase"],
            "rank_a": ra,
            "rank_b": rb,
            "i": ra + 1,
            "j": rb + 1,
            "is_train": _parse_bool(row["is_train"], "is_train"),
            "is_exception": _parse_bool(row["is_exception"], "is_exception"),
            "no_gt": _parse_bool(row["no_gt"], "no_gt"),
            "ground_truth": int(row["ground_truth"]),
            "n_runs": int(row["n_runs"]),
            "accuracy": float(row["accuracy"]),
            "mean_logit_diff": float(row["mean_logit_diff"]),
            "mean_prob_yes": float(row["mean_prob_yes"]),
        }
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"path: malformed row at line {line}: {exc}") from None
    return rec


def load(path=None, *, hier=None, task=None, model=None, phase=None, reverse=None) -> list[dict]:
    """Read the CSV (default: the packaged copy) into one dict per row.

    Each record keeps the CSV's columns (booleans and numbers parsed) and adds
    the 1-based items ``i = rank_a + 1`` and ``j = rank_b + 1``.  The keyword
    filters take a value or a collection of values.

    >>> len(load())
    3456
    >>> [(r["i"], r["j"], r["ground_truth"]) for r in load(hier="exc_mid_n9")
    ...  if r["is_exception"]][:2]
    [(4, 6, -1), (6, 4, 1)]
    >>> len(load(task=["fake", "real"], model="llama32-1b", reverse=False))
    576
    """
    p = data_path() if path is None else Path(path)
    wanted = {k: _as_set(v, k) for k, v in zip(_FILTERS, (hier, task, model, phase, reverse))}
    out = []
    with open(p, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        for line, row in enumerate(reader, start=2):
            rec = _parse_row(row, line)
            if all(s is None or rec[k] in s for k, s in wanted.items()):
                out.append(rec)
    return out


def select(records: Iterable[dict], **filters) -> list[dict]:
    """The records whose fields match ``filters`` (a value or a collection each).

    >>> len(select(load(), hier="ti_n9", phase="pre"))
    864
    """
    wanted = {k: _as_set(v, k) for k, v in filters.items()}
    return [r for r in records if all(s is None or r[k] in s for k, s in wanted.items())]


def conditions(records: Iterable[dict], by=("hier", "task", "model", "phase")) -> list[tuple]:
    """Sorted distinct values of the fields ``by``.

    >>> conditions(load(hier="ti_n9", phase="post"), by=("task", "model"))[:2]
    [('fake', 'llama32-1b'), ('fake', 'qwen35-2b')]
    """
    return sorted({tuple(r[k] for k in by) for r in records})


def _single(records: list[dict], key: str):
    vals = {r[key] for r in records}
    if len(vals) != 1:
        raise ValueError(f"records: need records of exactly one {key}, got {sorted(map(str, vals))}")
    return vals.pop()


def _records_task(records) -> tuple[list[dict], Task]:
    records = list(records)
    if not records:
        raise ValueError("records: no records (check the filters)")
    return records, task_for(_single(records, "hier"))


def pair_matrix(records: Iterable[dict], value: str = "mean_logit_diff") -> np.ndarray:
    r"""``n x n`` matrix of ``value`` per ordered pair, averaged over the
    records (weighted by ``n_runs``); entry ``[i-1, j-1]`` is the pair
    :math:`(i, j)`; the diagonal is 0.

    >>> A = pair_matrix(load(hier="ti_n9", phase="pre", model="llama32-1b"), "accuracy")
    >>> A.shape, float(A[0, 0])
    ((9, 9), 0.0)
    """
    records, task = _records_task(records)
    if value not in ("mean_logit_diff", "accuracy", "mean_prob_yes"):
        raise ValueError(f"value: must be mean_logit_diff, accuracy or mean_prob_yes, got {value!r}")
    n = task.n
    S = np.zeros((n, n))
    W = np.zeros((n, n))
    for r in records:
        S[r["i"] - 1, r["j"] - 1] += r["n_runs"] * r[value]
        W[r["i"] - 1, r["j"] - 1] += r["n_runs"]
    missing = [(a + 1, b + 1) for a in range(n) for b in range(n) if a != b and W[a, b] == 0]
    if missing:
        raise ValueError(f"records: no data for the pairs {missing[:5]}{' ...' if len(missing) > 5 else ''}")
    np.fill_diagonal(W, 1)
    return S / W


def untrained_pairs(task: Task, with_ground_truth: bool = True) -> list[tuple[int, int]]:
    """Untrained unordered pairs ``(i, j)``, ``i < j`` (by default only those with
    a ground truth, i.e. not inside an exception's cycle).

    >>> len(untrained_pairs(Task(9))), len(untrained_pairs(Task(9, [(4, 6)])))
    (28, 27)
    """
    if with_ground_truth:
        return task.test_pairs()
    return [(i, j) for i in range(1, task.n + 1) for j in range(i + 1, task.n + 1) if not task.is_trained(i, j)]


def pair_margins(records: Iterable[dict]) -> dict[tuple[int, int], dict]:
    r"""Per unordered pair :math:`i < j`: the models' antisymmetrised margin
    :math:`d(i,j) = (\ell(i,j) - \ell(j,i))/2` (``margin``), the mean accuracy
    over both orders (``accuracy``) and the trials behind it (``n_runs``).

    >>> m = pair_margins(load(hier="ti_n9", task="fake", model="qwen35-2b", phase="post"))
    >>> m[1, 9]["margin"] > m[4, 6]["margin"] > 0
    True
    """
    records, task = _records_task(records)
    L = pair_matrix(records, "mean_logit_diff")
    A = pair_matrix(records, "accuracy")
    N = np.zeros((task.n, task.n))
    for r in records:
        N[r["i"] - 1, r["j"] - 1] += r["n_runs"]
    out = {}
    for i in range(1, task.n + 1):
        for j in range(i + 1, task.n + 1):
            a, b = i - 1, j - 1
            nab, nba = N[a, b], N[b, a]
            out[(i, j)] = {
                "margin": float(0.5 * (L[a, b] - L[b, a])),
                "accuracy": float((nab * A[a, b] + nba * A[b, a]) / (nab + nba)),
                "n_runs": int(nab + nba),
            }
    return out


# ----------------------------------------------------------------- the theory
def theory_matrix(pred, subs: dict | None = None, n: int | None = None) -> np.ndarray:
    """Float ``n x n`` matrix of predicted margins from a :class:`~symti.Predictions`
    (exact ones need ``subs`` for free symbols) or an ``n x n`` array.

    >>> from symti import solve_exact, AlphaKernel
    >>> float(theory_matrix(solve_exact(Task(3), AlphaKernel("1/2")))[0, 2])  # 2(1-a)/(1+a)
    0.6666666666666666
    """
    if isinstance(pred, Predictions):
        M = pred.to_numpy(subs)
    else:
        M = np.asarray(pred, dtype=float)
        if M.ndim != 2 or M.shape[0] != M.shape[1]:
            raise ValueError(f"pred: expected Predictions or a square n x n array, got shape {M.shape}")
    if n is not None and M.shape[0] != n:
        raise ValueError(f"pred: expected margins of {n} items, got {M.shape[0]}")
    if not np.all(np.isfinite(M)):
        raise ValueError("pred: margins must be finite")
    return M


@functools.lru_cache(maxsize=32)
def _rational_margins(task: Task, ridge: sp.Expr):
    """The exact margins :math:`f(i, j) = P_{ij}(\alpha)/Q_{ij}(\alpha)`, ``i < j``,
    as integer coefficient lists (highest degree first) of ``P`` and ``Q``."""
    from ..solve.exact import solve_exact  # local import: exact imports heavy machinery

    a = sp.Symbol("alpha", positive=True)
    if ridge == 0:
        P = solve_exact(task, AlphaKernel(a), ridge=0, check=False)
        value = lambda i, j: P[i, j]  # noqa: E731
    else:
        # solved with a symbolic ridge, then substituted (a numeric ridge next to a
        # symbolic alpha is not supported by every exact route)
        rho = sp.Symbol("rho", positive=True)
        P = solve_exact(task, AlphaKernel(a), ridge=rho, check=False)
        value = lambda i, j: P[i, j].subs(rho, ridge)  # noqa: E731
    out = []
    for i in range(1, task.n + 1):
        for j in range(i + 1, task.n + 1):
            num, den = sp.fraction(sp.cancel(sp.together(value(i, j))))
            cn, cd = sp.Poly(num, a).all_coeffs(), sp.Poly(den, a).all_coeffs()
            scale = sp.ilcm(*[sp.Rational(c).q for c in cn + cd])
            out.append(((i, j), [int(c * scale) for c in cn], [int(c * scale) for c in cd]))
    return out


def _horner(coeffs: list[int], k: int, npow: list[int]) -> int:
    """:math:`N^d p(k/N)` for integer coefficients (highest first), exactly."""
    acc = coeffs[0]
    for t, c in enumerate(coeffs[1:], start=1):
        acc = acc * k + c * npow[t]
    return acc


def _exact_upper(task: Task, alpha: Fraction, ridge) -> dict:
    """Exact margins ``{(i, j): Fraction}`` for ``i < j`` at a rational alpha."""
    k, N = alpha.numerator, alpha.denominator
    out = {}
    for (i, j), cn, cd in _rational_margins(task, ridge):
        dn, dd = len(cn) - 1, len(cd) - 1
        npow = [N**t for t in range(max(dn, dd) + 1)]
        p, q = _horner(cn, k, npow), _horner(cd, k, npow)
        if dd >= dn:
            out[(i, j)] = Fraction(p * N ** (dd - dn), q)
        else:
            out[(i, j)] = Fraction(p, q * N ** (dn - dd))
    return out


def theory_margins(task: Task, alpha, ridge=0) -> np.ndarray:
    r"""``n x n`` float64 matrix of the :math:`K_\alpha` margins
    :math:`f(i, j)` at one ``alpha`` (``0 < alpha < 1``, read exactly: ``0.1``
    is 1/10; ``ridge`` 0 is the ridgeless limit).  The exact solution with a
    symbolic :math:`\alpha` (a rational function per pair) is computed once per
    task and ridge, evaluated in exact rational arithmetic and rounded once to
    float -- fast, and correct in sign and order even where the margins are
    tiny (:math:`\alpha \to 1`).

    >>> M = theory_margins(Task(3), "1/2")
    >>> round(float(M[0, 2]), 12), round(float(M[2, 0]), 12)
    (0.666666666667, -0.666666666667)
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    (a,) = _alpha_fractions([alpha])
    up = _exact_stack(task, [a], ridge)[0]
    M = np.zeros((task.n, task.n))
    for (i, j), v in up.items():
        M[i - 1, j - 1] = float(v)
        M[j - 1, i - 1] = -float(v)
    return M


def _alpha_fractions(values) -> list[Fraction]:
    out = []
    for v in values:
        a = check_alpha(v.item() if isinstance(v, np.generic) else v)
        if a.free_symbols:
            raise ValueError(f"alpha: need a number, got {a}")
        if not a.is_Rational:
            a = sp.nsimplify(a, rational=True)
        if not 0 < a < 1:
            raise ValueError(f"alpha: must lie in the open interval (0, 1) here, got {a}")
        out.append(Fraction(int(a.p), int(a.q)))
    return out


def _check_numeric_ridge(ridge) -> sp.Expr:
    r = check_ridge(ridge)
    if r.free_symbols:
        raise ValueError(f"ridge: need a number, got {r}")
    return r


@functools.lru_cache(maxsize=16)
def _grid_margins(task: Task, grid: int, ridge: sp.Expr) -> tuple[np.ndarray, np.ndarray]:
    """Alphas ``k/(grid+1)`` and the untrained margins there, shape ``(grid, pairs)``:
    exact values rounded once (correctly) to float, so order and ties are preserved."""
    fracs = [Fraction(k, grid + 1) for k in range(1, grid + 1)]
    pairs = untrained_pairs(task)
    F = np.array([[float(up[p]) for p in pairs] for up in _exact_stack(task, fracs, ridge)])
    alphas = np.array([float(a) for a in fracs])
    alphas.flags.writeable = False
    F.flags.writeable = False
    return alphas, F


def _exact_stack(task: Task, alphas: list[Fraction], ridge=0) -> list[dict]:
    r = _check_numeric_ridge(ridge)
    return [_exact_upper(task, a, r) for a in alphas]


# --------------------------------------------------------------- comparisons
def pair_table(pred, records: Iterable[dict], subs: dict | None = None) -> list[dict]:
    """Every ordered pair: ``i, j, category`` (from :class:`~symti.Task`),
    ``ground_truth``, the theory's ``theory_margin``, the models'
    ``mean_logit_diff``, ``accuracy`` and ``n_runs`` (averaged over ``records``).

    >>> recs = load(hier="exc_mid_n9", task="fake", model="llama32-1b", phase="post")
    >>> rows = pair_table(theory_margins(task_for("exc_mid_n9"), "0.2"), recs)
    >>> row = [r for r in rows if (r["i"], r["j"]) == (6, 4)][0]
    >>> row["category"], row["ground_truth"], row["theory_margin"] > 0, row["mean_logit_diff"] > 0
    ('exception', 1, True, True)
    """
    records, task = _records_task(records)
    M = theory_matrix(pred, subs, n=task.n)
    L = pair_matrix(records, "mean_logit_diff")
    A = pair_matrix(records, "accuracy")
    N = {}
    for r in records:
        N[r["i"], r["j"]] = N.get((r["i"], r["j"]), 0) + r["n_runs"]
    return [
        {
            "i": i,
            "j": j,
            "category": task.category(i, j),
            "ground_truth": task.ground_truth(i, j),
            "theory_margin": float(M[i - 1, j - 1]),
            "mean_logit_diff": float(L[i - 1, j - 1]),
            "accuracy": float(A[i - 1, j - 1]),
            "n_runs": N[i, j],
        }
        for i, j in task.ordered_pairs()
    ]


def compare(pred, records: Iterable[dict], subs: dict | None = None) -> list[dict]:
    r"""Untrained unordered pairs :math:`i < j` with a ground truth: the
    theory's margin :math:`f(i,j)` and whether its sign is right, beside the
    models' margin :math:`d(i,j)` and accuracy (and whether it reaches 1/2).

    >>> recs = load(hier="exc_mid_n9", task="real", model="qwen35-2b", phase="post")
    >>> rows = compare(theory_margins(task_for("exc_mid_n9"), "0.2"), recs)
    >>> [(r["i"], r["j"]) for r in rows if not r["theory_correct"]]
    [(3, 6), (4, 7)]
    >>> [(r["i"], r["j"]) for r in rows if not r["model_correct"]]
    [(3, 6), (4, 7)]
    """
    records, task = _records_task(records)
    M = theory_matrix(pred, subs, n=task.n)
    pm = pair_margins(records)
    rows = []
    for i, j in untrained_pairs(task):
        y = task.ground_truth(i, j)
        f = float(M[i - 1, j - 1])
        m = pm[i, j]
        rows.append(
            {
                "i": i,
                "j": j,
                "category": task.category(i, j),
                "distance": j - i,
                "ground_truth": y,
                "theory_margin": f,
                "theory_correct": bool(y * f > 0),
                "model_margin": float(m["margin"]),
                "accuracy": float(m["accuracy"]),
                "model_correct": bool(m["accuracy"] >= 0.5),
            }
        )
    return rows


@dataclass(frozen=True)
class Correlation:
    """A rank correlation across ``n`` untrained pairs."""

    rho: float
    pvalue: float
    n: int


def rank_correlation(pred, records: Iterable[dict], subs: dict | None = None) -> Correlation:
    r"""Spearman correlation of the theory's :math:`f(i,j)` and the models'
    :math:`d(i,j)` across the untrained pairs :math:`i < j` with a ground truth
    (``nan`` if either is constant, e.g. before finetuning, when the two
    counterbalanced orders cancel).

    >>> recs = load(hier="ti_n9", task="fake", model="llama32-1b", phase="post")
    >>> c = rank_correlation(theory_margins(task_for("ti_n9"), "0.3"), recs)
    >>> c.n, round(c.rho, 3) > 0.9
    (28, True)
    """
    records, task = _records_task(records)
    M = theory_matrix(pred, subs, n=task.n)
    pm = pair_margins(records)
    pairs = untrained_pairs(task)
    x = np.array([M[i - 1, j - 1] for i, j in pairs])
    y = np.array([pm[p]["margin"] for p in pairs])
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return Correlation(math.nan, math.nan, len(pairs))
    res = stats.spearmanr(x, y)
    return Correlation(float(res.statistic), float(res.pvalue), len(pairs))


def wrong_pairs_theory(pred, task: Task, subs: dict | None = None) -> list[tuple[int, int]]:
    r"""Untrained pairs :math:`i < j` the theory gets wrong: :math:`y(i,j) f(i,j) < 0`.

    >>> T = Task(9, [(4, 6)])
    >>> wrong_pairs_theory(theory_margins(T, "0.1"), T)
    []
    """
    M = theory_matrix(pred, subs, n=task.n)
    return [(i, j) for i, j in untrained_pairs(task) if task.ground_truth(i, j) * M[i - 1, j - 1] < 0]


def wrong_pairs_models(records: Iterable[dict], threshold: float = 0.5) -> list[tuple[int, int]]:
    """Untrained pairs ``i < j`` whose accuracy (mean over both orders) is below
    ``threshold``.

    >>> wrong_pairs_models(load(hier="ti_n9", task="fake", model="llama32-1b", phase="post"))
    []
    """
    records, task = _records_task(records)
    pm = pair_margins(records)
    return [p for p in untrained_pairs(task) if pm[p]["accuracy"] < threshold]


def agreement(theory_wrong: Iterable, model_wrong: Iterable, task: Task) -> dict:
    """How two sets of wrong untrained pairs agree: ``jaccard`` (1 if both are
    empty), ``agreement`` (fraction of untrained pairs classified alike),
    ``both``, ``theory_only``, ``models_only``.

    >>> agreement([(3, 6), (4, 7)], [(3, 6)], Task(9, [(4, 6)]))["jaccard"]
    0.5
    """
    t, m = set(map(tuple, theory_wrong)), set(map(tuple, model_wrong))
    pairs = untrained_pairs(task)
    union = t | m
    return {
        "jaccard": 1.0 if not union else len(t & m) / len(union),
        "agreement": sum((p in t) == (p in m) for p in pairs) / len(pairs),
        "both": sorted(t & m),
        "theory_only": sorted(t - m),
        "models_only": sorted(m - t),
    }


# ------------------------------------------------------------------- fitting
@dataclass
class AlphaFit:
    """The result of :func:`fit_alpha`.

    ``alpha``: midpoint of the widest run of grid points attaining the best
    ``score``; ``intervals``: every such run as ``(first, last)`` grid point;
    ``grid``, ``scores``: the whole curve.
    """

    criterion: str
    alpha: float
    score: float
    intervals: list
    grid: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)


CRITERIA = ("spearman", "agreement", "jaccard")


def fit_alpha(records: Iterable[dict], criterion: str = "spearman", ridge=0, grid: int = 999) -> AlphaFit:
    r"""The :math:`\alpha \in (0, 1)` whose :math:`K_\alpha` margins best match the models.

    ``criterion``: ``"spearman"`` (rank correlation across untrained pairs),
    ``"agreement"`` (fraction of untrained pairs on which theory and models
    agree about being right or wrong) or ``"jaccard"`` (overlap of the two
    sets of wrong pairs).  The scores are evaluated on the grid
    :math:`\alpha = k/(\text{grid}+1)`, :math:`k = 1, \dots, \text{grid}`, from
    the exact solution (the criteria are step functions of :math:`\alpha`, so
    the best value is an interval, resolved to the grid spacing).

    >>> recs = load(hier="exc_mid_n9", task="fake", model="qwen35-2b", phase="post")
    >>> fit = fit_alpha(recs, "jaccard", grid=99)
    >>> fit.score, fit.intervals
    (1.0, [(0.14, 0.33)])
    """
    records, task = _records_task(records)
    if criterion not in CRITERIA:
        raise ValueError(f"criterion: must be one of {', '.join(CRITERIA)}, got {criterion!r}")
    if isinstance(grid, bool) or not isinstance(grid, int) or not 3 <= grid <= 10**6:
        raise ValueError(f"grid: must be an integer in [3, 1000000], got {grid!r}")
    alphas, F = _grid_margins(task, grid, _check_numeric_ridge(ridge))
    pairs = untrained_pairs(task)
    pm = pair_margins(records)
    if criterion == "spearman":
        d = np.array([pm[p]["margin"] for p in pairs])
        if np.ptp(d) == 0:
            raise ValueError("records: the models' margins are constant; the rank correlation is undefined")
        scores = spearman_rows(F, d)
    else:
        y = np.array([task.ground_truth(i, j) for i, j in pairs])
        theory_wrong = y * F < 0
        model_wrong = np.array([pm[p]["accuracy"] < 0.5 for p in pairs])
        if criterion == "agreement":
            scores = (theory_wrong == model_wrong).mean(axis=1)
        else:
            inter = (theory_wrong & model_wrong).sum(axis=1)
            union = (theory_wrong | model_wrong).sum(axis=1)
            scores = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    best = np.nanmax(scores)
    hit = np.isclose(scores, best, rtol=0, atol=1e-12)
    runs, k = [], 0
    while k < len(alphas):
        if hit[k]:
            s = k
            while k + 1 < len(alphas) and hit[k + 1]:
                k += 1
            runs.append((s, k))
        k += 1
    s, e = max(runs, key=lambda r: r[1] - r[0])
    return AlphaFit(
        criterion=criterion,
        alpha=float((alphas[s] + alphas[e]) / 2),
        score=float(best),
        intervals=[(float(alphas[a]), float(alphas[b])) for a, b in runs],
        grid=alphas,
        scores=scores,
    )


def summary(records: Iterable[dict] | None = None, ridge=0, grid: int = 999) -> list[dict]:
    """One row per ``(hier, task, model, phase)`` with a defined correlation:
    the best ``alpha`` by rank correlation and its ``spearman``, the best
    ``alpha`` by agreement of the wrong pairs, and the models' and theory's
    wrong pairs (the theory at the rank-correlation alpha).

    >>> rows = summary(load(hier="exc_mid_n9", task="fake", phase="post"), grid=99)
    >>> [(r["model"], r["models_wrong"]) for r in rows]
    [('llama32-1b', [(3, 5), (3, 6), (3, 7), (4, 7)]), ('qwen35-2b', [(3, 6), (4, 7)])]
    """
    records = load() if records is None else list(records)
    out = []
    for key in conditions(records):
        recs = select(records, **dict(zip(("hier", "task", "model", "phase"), key)))
        task = task_for(key[0])
        pm = pair_margins(recs)
        if np.ptp([pm[p]["margin"] for p in untrained_pairs(task)]) == 0:
            continue
        fs = fit_alpha(recs, "spearman", ridge=ridge, grid=grid)
        fa = fit_alpha(recs, "agreement", ridge=ridge, grid=grid)
        out.append(
            {
                **dict(zip(("hier", "task", "model", "phase"), key)),
                "alpha_spearman": fs.alpha,
                "spearman": fs.score,
                "alpha_agreement": fa.alpha,
                "agreement": fa.score,
                "models_wrong": wrong_pairs_models(recs),
                "theory_wrong": wrong_pairs_theory(theory_margins(task, fs.alpha, ridge), task),
            }
        )
    return out


# ------------------------------------------- any file of the schema; ridge sweeps
ADAPTED_FILE = "adapted_pairs_n9.csv"

#: Columns every behavioural CSV must have (``setting``, ``lora_r``, ``l2_reg``,
#: ``n_runs``, ``mean_logit_diff``, ``reverse`` are optional).
REQUIRED_COLUMNS = ("hier", "task", "model", "phase", "rank_a", "rank_b", "is_train", "is_exception", "no_gt",
                    "ground_truth", "accuracy")
SETTINGS = ("full", "lora", "probe")

#: The fields that make one condition of :func:`compare_behaviour`.
CONDITION_KEYS = ("hier", "task", "model", "setting", "lora_r")


def adapted_path() -> Path:
    """Path of the packaged ``symti/data/adapted_pairs_n9.csv`` (LoRA and probes).

    >>> adapted_path().name
    'adapted_pairs_n9.csv'
    """
    return Path(str(resources.files("symti").joinpath("data", ADAPTED_FILE)))


def _optional_float(text, name: str, line: int):
    if text is None or text.strip() == "":
        return None
    try:
        v = float(text)
    except ValueError:
        raise ValueError(f"path: {name} at line {line} is not a number: {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"path: {name} at line {line} must be finite, got {text!r}")
    return v


def read_pairs(path=None, *, setting=None, phase="post", hier=None, task=None, model=None) -> list[dict]:
    r"""Read a behavioural CSV in the schema of ``symti/data/README.md`` (default:
    the packaged ``adapted_pairs_n9.csv``), one dict per row.

    ``rank_a``, ``rank_b`` are 0-based (item = rank + 1: ``i``, ``j``); a file
    without a ``setting`` column is full finetuning (``"full"``); ``lora_r``
    and ``l2_reg`` are ``None`` where empty or absent.  Filters take a value or
    a collection (``phase=None`` keeps every phase).

    >>> recs = read_pairs(setting="probe", hier="exc_mid_n9", model="qwen35-2b", task="fake")
    >>> len(recs), sorted({r["l2_reg"] for r in recs})
    (432, [0.0001, 0.1, 1.0, 10.0, 20.0, 50.0])
    >>> len(read_pairs(data_path(), hier="exc_mid_n9", task="fake", model="qwen35-2b"))   # both orders
    144
    """
    p = adapted_path() if path is None else Path(path)
    if not p.is_file():
        raise ValueError(f"path: no such file: {p}")
    wanted = {k: _as_set(v, k) for k, v in
              (("setting", setting), ("phase", phase), ("hier", hier), ("task", task), ("model", model))}
    out = []
    with open(p, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"path: {p.name} lacks the columns {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            try:
                ra, rb = int(row["rank_a"]), int(row["rank_b"])
                rec = {
                    "hier": row["hier"], "task": row["task"], "model": row["model"],
                    "setting": (row.get("setting") or "full").strip(), "phase": row["phase"],
                    "lora_r": _optional_float(row.get("lora_r"), "lora_r", line),
                    "l2_reg": _optional_float(row.get("l2_reg"), "l2_reg", line),
                    "rank_a": ra, "rank_b": rb, "i": ra + 1, "j": rb + 1,
                    "is_train": _parse_bool(row["is_train"], "is_train"),
                    "is_exception": _parse_bool(row["is_exception"], "is_exception"),
                    "no_gt": _parse_bool(row["no_gt"], "no_gt"),
                    "ground_truth": int(float(row["ground_truth"])) if row["ground_truth"].strip() else None,
                    "n_runs": int(float(row["n_runs"])) if (row.get("n_runs") or "").strip() else 1,
                    "accuracy": float(row["accuracy"]),
                    "mean_logit_diff": _optional_float(row.get("mean_logit_diff"), "mean_logit_diff", line),
                }
            except (KeyError, TypeError, ValueError) as exc:
                if str(exc).startswith("path:"):
                    raise
                raise ValueError(f"path: malformed row at line {line} of {p.name}: {exc}") from None
            if ra < 0 or rb < 0 or ra == rb:
                raise ValueError(f"path: line {line}: ranks must be distinct and >= 0, got {ra}, {rb}")
            if not (0.0 <= rec["accuracy"] <= 1.0):
                raise ValueError(f"path: line {line}: accuracy must lie in [0, 1], got {rec['accuracy']}")
            if all(s is None or rec[k] in s for k, s in wanted.items()):
                out.append(rec)
    return out


def infer_task(records: Iterable[dict]) -> Task:
    r"""The :class:`~symti.Task` behind the records of one hierarchy, read from
    the data alone: :math:`n` = the largest 0-based rank + 1, the exceptions =
    the pairs of the ``is_exception`` rows.  Every row's ``is_train``,
    ``ground_truth`` and ``no_gt`` must agree with the task (else ``ValueError``):
    this checks the rank convention.

    >>> infer_task(read_pairs(setting="probe", hier="exc_mid_n9", model="qwen35-4b"))
    Task(9, exceptions=[(4, 6)])
    >>> infer_task(read_pairs(data_path(), hier="ti_n9"))
    Task(9, exceptions=[])
    """
    records = list(records)
    if not records:
        raise ValueError("records: no records (check the filters)")
    hiers = {r["hier"] for r in records}
    if len(hiers) != 1:
        raise ValueError(f"records: need records of exactly one hierarchy, got {sorted(hiers)}")
    ranks = {r["rank_a"] for r in records} | {r["rank_b"] for r in records}
    if min(ranks) != 0:
        raise ValueError(f"records: 0-based ranks should start at 0, the smallest is {min(ranks)}")
    n = max(ranks) + 1
    exc = sorted({(min(r["i"], r["j"]), max(r["i"], r["j"])) for r in records if r["is_exception"]})
    task = Task(n, exceptions=exc)
    for r in records:
        i, j = r["i"], r["j"]
        gt = task.ground_truth(i, j)
        if task.is_trained(i, j) != r["is_train"] or (gt is None) != r["no_gt"] or \
                (gt is not None and gt != r["ground_truth"]):
            raise ValueError(f"records: the row ({r['rank_a']}, {r['rank_b']}) of {r['hier']} (is_train "
                             f"{r['is_train']}, ground_truth {r['ground_truth']}, no_gt {r['no_gt']}) disagrees "
                             f"with {task!r}")
    return task


def _aggregate(records: list[dict]) -> dict:
    """``{(l2_reg, i, j): (accuracy, n_runs)}``, pooled over rows (weighted by ``n_runs``)."""
    acc: dict = {}
    for r in records:
        k = (r["l2_reg"], r["i"], r["j"])
        s, w = acc.get(k, (0.0, 0))
        acc[k] = (s + r["accuracy"] * r["n_runs"], w + r["n_runs"])
    return {k: (s / w, w) for k, (s, w) in acc.items()}


def _jaccard(t: set, m: set) -> float:
    return 1.0 if not (t | m) else len(t & m) / len(t | m)


def observations(records: Iterable[dict], task: Task | None = None):
    r"""The observations of one condition: ``(lambdas, i, j, accuracy)`` as arrays,
    one entry per ordered pair with a ground truth and per ``l2_reg`` (pooled
    over rows, weighted by ``n_runs``); ``lambdas`` is ``None`` without a sweep.

    >>> lam, i, j, acc = observations(read_pairs(setting="probe", hier="exc_mid_n9", model="qwen35-2b", task="real"))
    >>> lam.shape, sorted(set(lam.tolist()))[:2], (int(i[0]), int(j[0]))
    ((432,), [0.0001, 0.1], (1, 2))
    """
    records = list(records)
    task = infer_task(records) if task is None else task
    agg = _aggregate(records)
    obs = [(lam, i, j, a) for (lam, i, j), (a, _) in sorted(agg.items(), key=lambda kv: (kv[0][0] or 0,) + kv[0][1:])
           if task.ground_truth(i, j) is not None]
    lams = {o[0] for o in obs}
    if None in lams and len(lams) > 1:
        raise ValueError("records: a condition mixes rows with and without l2_reg")
    L = None if None in lams else np.array([o[0] for o in obs], dtype=float)
    return L, np.array([o[1] for o in obs]), np.array([o[2] for o in obs]), np.array([o[3] for o in obs])


def compare_condition(records: Iterable[dict], *, task: Task | None = None, grid=(49, 33), rounds: int = 4) -> dict:
    r"""Fit the theory to one condition (one hierarchy, task, model, setting,
    LoRA rank; a probe sweep's rows at every :math:`\lambda`) and compare.

    ``alpha`` and ``ridge_scale`` (:math:`\rho = c\lambda`; ``None`` without a
    sweep) from :func:`symti.analysis.fit.fit_behaviour`; ``spearman`` between
    :math:`y f` and the accuracy of every ordered pair with a ground truth at
    every :math:`\lambda`; per :math:`\lambda` the wrong sets (untrained pairs
    :math:`i < j`: the models' mean accuracy over both orders below 1/2, the
    theory's :math:`y f < 0`), their ``jaccard`` and ``agreement``
    (:func:`agreement`), and the means over the sweep.

    >>> recs = read_pairs(setting="probe", hier="exc_mid_n9", model="qwen35-2b", task="fake")
    >>> row = compare_condition(recs)
    >>> row["spearman"] > 0.9, 0.1 < row["alpha"] < 0.4, row["l2_regs"]
    (True, True, [0.0001, 0.1, 1.0, 10.0, 20.0, 50.0])
    >>> row["wrong_sets"][0]["models_wrong"], row["wrong_sets"][0]["theory_wrong"]   # lambda = 1e-4
    ([(3, 6), (4, 7), (5, 7)], [(3, 6), (4, 7)])
    """
    from .fit import fit_behaviour, theory_values

    records = list(records)
    task = infer_task(records) if task is None else task
    keys = {tuple(r[k] for k in CONDITION_KEYS) for r in records}
    if len(keys) != 1:
        raise ValueError(f"records: need one condition {CONDITION_KEYS}, got {len(keys)}")
    key = keys.pop()
    agg = _aggregate(records)
    L, I, J, v = observations(records, task)
    lams = sorted({lam for lam, _, _ in agg}, key=lambda x: -1 if x is None else x)
    sweep = L is not None
    obs = v
    out = {**dict(zip(CONDITION_KEYS, key)), "n": task.n, "exceptions": [list(e) for e in task.exceptions],
           "l2_regs": lams if sweep else None}
    try:
        fit = fit_behaviour(task, I, J, v, L, grid=grid, rounds=rounds)
    except ValueError as exc:
        return {**out, "alpha": None, "alpha_range": None, "ridge_scale": None, "spearman": None, "pvalue": None,
                "points": len(obs), "note": str(exc), "wrong_sets": [], "wrong_jaccard": None,
                "wrong_agreement": None}
    pairs = untrained_pairs(task)
    wrong_sets = []
    for lam in lams:
        rho = 0.0 if lam is None else fit.ridge_scale * lam
        th = theory_values(task, [p[0] for p in pairs], [p[1] for p in pairs], fit.alpha, rho)
        theory_wrong = [p for p, x in zip(pairs, th) if x < 0]
        models_wrong = []
        for i, j in pairs:
            (a1, w1), (a2, w2) = agg[(lam, i, j)], agg[(lam, j, i)]
            if (a1 * w1 + a2 * w2) / (w1 + w2) < 0.5:
                models_wrong.append((i, j))
        ag = agreement(theory_wrong, models_wrong, task)
        wrong_sets.append({"l2_reg": lam, "models_wrong": models_wrong, "theory_wrong": theory_wrong,
                           "jaccard": ag["jaccard"], "agreement": ag["agreement"]})
    return {**out, "alpha": fit.alpha, "alpha_range": list(fit.alpha_range), "ridge_scale": fit.ridge_scale,
            "spearman": fit.score,
            "pvalue": fit.pvalue, "points": fit.points, "at_bound": list(fit.at_bound),
            "wrong_sets": wrong_sets,
            "wrong_jaccard": float(np.mean([w["jaccard"] for w in wrong_sets])),
            "wrong_agreement": float(np.mean([w["agreement"] for w in wrong_sets]))}


def compare_behaviour(records: Iterable[dict], *, grid=(49, 33), rounds: int = 4) -> list[dict]:
    r""":func:`compare_condition` for every condition of ``records`` (grouped by
    ``hier, task, model, setting, lora_r``; each hierarchy's task inferred once
    from all its rows by :func:`infer_task`), sorted by those fields.

    >>> rows = compare_behaviour(read_pairs(data_path(), hier="exc_mid_n9", task="fake"))
    >>> [(r["model"], r["setting"], r["ridge_scale"], r["spearman"] > 0.9) for r in rows]
    [('llama32-1b', 'full', None, True), ('qwen35-2b', 'full', None, True)]
    """
    records = list(records)
    if not records:
        raise ValueError("records: no records (check the filters)")
    tasks = {h: infer_task([r for r in records if r["hier"] == h]) for h in sorted({r["hier"] for r in records})}
    groups: dict = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in CONDITION_KEYS), []).append(r)
    order = sorted(groups, key=lambda k: tuple((x is None, x) if not isinstance(x, str) else (False, x) for x in k))
    return [compare_condition(groups[k], task=tasks[k[0]], grid=grid, rounds=rounds) for k in order]


def fit_spread(rows: list[dict], by: str) -> list[dict]:
    """How the fitted ``alpha`` and ``ridge_scale`` vary: per value of ``by``
    (``"model"``, ``"task"``, ``"hier"``) the number of fitted conditions and
    the min / median / max of each parameter (``None`` where not fitted).

    >>> spread = fit_spread([{"model": "m", "alpha": 0.2, "ridge_scale": None, "spearman": 0.9},
    ...                      {"model": "m", "alpha": 0.4, "ridge_scale": None, "spearman": 0.8}], "model")
    >>> spread[0]["alpha"]
    {'min': 0.2, 'median': 0.30000000000000004, 'max': 0.4}
    """
    out = []
    for val in sorted({r[by] for r in rows}):
        sel = [r for r in rows if r[by] == val and r["alpha"] is not None]
        row = {by: val, "conditions": len(sel)}
        for p in ("alpha", "ridge_scale", "spearman"):
            xs = [r[p] for r in sel if r.get(p) is not None]
            row[p] = None if not xs else {"min": float(min(xs)), "median": float(np.median(xs)), "max": float(max(xs))}
        out.append(row)
    return out
