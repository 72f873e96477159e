r"""Figures (``symti.plot``): what KRR with :math:`K_\alpha` does on a task, as pictures.

Every function returns a :class:`matplotlib.figure.Figure` built without
``pyplot`` (no global state, no window, nothing shown): save it with
``fig.savefig("f.png")``, or let a notebook display it.  Needs the ``plot``
extra (``pip install -e ".[plot]"``, i.e. matplotlib).

* :func:`margin_heatmap` -- the margins :math:`f(i, j)` with the outlines of
  Cheng & Lippl (2026): trained pairs black, the exception's cycle orange,
  within-section pairs green, cross-section (``between``) pairs purple;
* :func:`category_accuracy` -- accuracy (or mean margin in the direction of the
  truth) per pair category against :math:`\alpha`;
* :func:`threshold_diagram` -- each test pair's exact wrong set in :math:`\alpha`
  (:func:`symti.analysis.thresholds.thresholds`);
* :func:`solved_region` -- where in :math:`(\alpha, \rho)` every trained trial
  and test pair has the sign of its truth (``derivations/theory.md`` §5);
* :func:`ridge_curves` -- margins of named pairs against the ridge :math:`\rho`;
* :func:`learning_curves` -- margins under gradient flow
  (:mod:`symti.solve.dynamics`);
* :func:`theory_vs_data` -- the fitted theory against behavioural data
  (:mod:`symti.analysis.llm`, :mod:`symti.analysis.fit`).

The data behind each figure is attached to its artists (``gid``s name the
pairs) so that tests can check the picture's content, not only that it ran.

>>> from symti.task import Task
>>> fig = margin_heatmap(Task(9, exceptions=[(4, 6)]), 0.2)
>>> M = fig.axes[0].images[0].get_array()
>>> round(float(M[2, 5]), 12)                     # f(3, 6) = -6/49 (row 3, column 6)
-0.122448979592
>>> sorted({p.get_gid().split(":")[0] for p in fig.axes[0].patches})
['between', 'cycle', 'trained', 'within']

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §1 (categories), §4 (thresholds), §5 (solved region, the ridge in data).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..analysis.fit import alpha_margins, theory_values
from ..analysis.thresholds import thresholds
from ..closed_form.evaluate import margin_matrix
from ..solve.dynamics import alpha_flow_numpy
from ..task import Task

__all__ = ["OUTLINE_COLORS", "CATEGORY_COLORS", "outline_kind", "margin_heatmap", "category_accuracy",
           "threshold_diagram", "solved_grid", "solved_region", "ridge_curves", "default_pairs",
           "learning_curves", "theory_vs_data", "KINDS", "MIN_FLOW_ALPHA"]

#: Outline colour of each kind of cell in :func:`margin_heatmap`.
OUTLINE_COLORS = {"trained": "black", "cycle": "orange", "within": "green", "between": "purple"}
#: Line colour of each pair category (:data:`symti.task.CATEGORIES`).
CATEGORY_COLORS = {"boundary": "tab:red", "within": "green", "between": "purple", "test": "tab:blue",
                   "cycle": "orange", "premise": "black", "exception": "tab:brown"}
#: Smallest alpha of :func:`learning_curves` on its default time axis (up to ``50/alpha``).
MIN_FLOW_ALPHA = 1e-6
#: Largest n at which :func:`margin_heatmap` outlines within- and between-section cells (beyond,
#: only trained and cycle cells: hundreds of outlines would hide the margins and take minutes to draw).
MAX_CATEGORY_OUTLINES_N = 20
#: The figures of ``symti plot KIND``.
KINDS = ("heatmap", "categories", "thresholds", "region", "ridge", "dynamics", "data")


def _check_task(task) -> Task:
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    return task


def _figure(size=(6.0, 4.5)) -> tuple[Figure, object]:
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def outline_kind(task: Task, i: int, j: int) -> str | None:
    r"""Which outline the cell ``(i, j)`` gets in :func:`margin_heatmap`:
    ``"cycle"`` when both items lie in one exception's interval :math:`[u, v]`
    (the exception, the premises it closes into a cycle, untrained cycle pairs),
    else ``"trained"`` for a trained pair, ``"within"`` / ``"between"`` by
    :meth:`symti.task.Task.category`, ``None`` for boundary and plain TI pairs.

    >>> T = Task(9, exceptions=[(4, 6)])
    >>> [outline_kind(T, *p) for p in [(6, 4), (4, 5), (1, 2), (1, 3), (1, 9), (3, 6)]]
    ['cycle', 'cycle', 'trained', 'within', 'between', None]
    """
    a, b = min(i, j), max(i, j)
    if any(u <= a and b <= v for u, v in task.exceptions):
        return "cycle"
    if task.is_trained(a, b):
        return "trained"
    cat = task.category(a, b)
    return cat if cat in ("within", "between") else None


def margin_heatmap(task: Task, alpha=0.2, ridge=0.0, kernel=None, annotate: bool | None = None) -> Figure:
    r"""The margins :math:`f(i, j)` as a heatmap (row :math:`i`, column :math:`j`;
    red: "i beats j", blue: "j beats i"), with outlines (:func:`outline_kind`,
    colours :data:`OUTLINE_COLORS`).

    Values: the closed form :func:`symti.closed_form.evaluate.margin_matrix` of
    :math:`K_\alpha` at ``alpha``, ``ridge``; with ``kernel`` (a
    :class:`~symti.kernels.TrialKernel`), the float64 trial-Gram solve
    :func:`symti.solve.numeric.solve_numpy` instead (``alpha`` unused).  For
    ``n`` above :data:`MAX_CATEGORY_OUTLINES_N` only trained and cycle cells are
    outlined.  The image's array is the margin matrix; each outline is a
    :class:`~matplotlib.patches.Rectangle` whose ``gid`` is ``"kind:i,j"``.

    >>> fig = margin_heatmap(Task(4), 0.5)
    >>> float(fig.axes[0].images[0].get_array()[0, 3].round(12))     # f(1, 4) = 5/7 (solve_exact)
    0.714285714286
    """
    task = _check_task(task)
    if kernel is None:
        M = margin_matrix(task, alpha, ridge)
        label = rf"$K_\alpha$, $\alpha$ = {float(alpha):.4g}, $\rho$ = {float(ridge):.4g}"
    else:
        from ..solve.numeric import solve_numpy

        M = solve_numpy(task, kernel, ridge).to_numpy()
        label = f"{type(kernel).__name__}, ridge {float(ridge):.4g}"
    n = task.n
    shown = np.ma.masked_array(M, mask=np.eye(n, dtype=bool))
    vmax = float(np.max(np.abs(M))) or 1.0
    fig, ax = _figure((6.4, 5.4))
    im = ax.imshow(shown, cmap="RdBu_r", vmin=-vmax, vmax=vmax, extent=(0.5, n + 0.5, n + 0.5, 0.5),
                   interpolation="nearest")
    fig.colorbar(im, ax=ax, label="margin f(i, j)")
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            if i == j:
                continue
            kind = outline_kind(task, i, j)
            if kind is not None and (kind in ("trained", "cycle") or n <= MAX_CATEGORY_OUTLINES_N):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=OUTLINE_COLORS[kind],
                                       linewidth=2.0 if kind in ("trained", "cycle") else 1.5, gid=f"{kind}:{i},{j}"))
    if annotate if annotate is not None else n <= 12:
        for i in range(1, n + 1):
            for j in range(1, n + 1):
                if i != j:
                    ax.text(j, i, f"{M[i - 1, j - 1]:.2f}", ha="center", va="center", fontsize=7)
    ticks = range(1, n + 1) if n <= 20 else range(1, n + 1, max(1, n // 10))
    ax.set_xticks(list(ticks))
    ax.set_yticks(list(ticks))
    ax.set_xlabel("item j")
    ax.set_ylabel("item i")
    exc = ", ".join(f"{{{u},{v}}}" for u, v in task.exceptions) or "none"
    ax.set_title(f"n = {n}, exceptions {exc}\n{label}", fontsize=10)
    handles = [Rectangle((0, 0), 1, 1, fill=False, edgecolor=c, label=k) for k, c in OUTLINE_COLORS.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8, title="outline")
    return fig


def _test_pairs(task: Task):
    pairs = task.test_pairs()
    return pairs, np.array([task.ground_truth(i, j) for i, j in pairs], dtype=float)


def category_accuracy(task: Task, alphas=None, ridge=0.0, value: str = "accuracy") -> Figure:
    r"""Accuracy per category of test pair (untrained, with a ground truth,
    :math:`i < j`) against :math:`\alpha`: the fraction with :math:`y f > 0`
    (``value="accuracy"``; a tie is not correct) or the mean of :math:`y f`
    (``value="margin"``); plus the fraction of exceptions memorized
    (:math:`f(v, u) > 0`).  One line per category, ``gid`` = the category.

    >>> fig = category_accuracy(Task(9, exceptions=[(4, 6)]), alphas=[0.1, 0.2, 0.5])
    >>> {l.get_gid(): l.get_ydata().round(3).tolist() for l in fig.axes[0].lines if l.get_gid()}["boundary"]
    [1.0, 0.875, 0.625]
    """
    task = _check_task(task)
    if value not in ("accuracy", "margin"):
        raise ValueError(f"value: must be 'accuracy' or 'margin', got {value!r}")
    a = np.linspace(0.001, 0.999, 500) if alphas is None else np.asarray(alphas, dtype=float)
    M = alpha_margins(task, a, np.full(a.shape, float(ridge)))
    pairs, y = _test_pairs(task)
    fig, ax = _figure()
    for cat in [c for c in ("boundary", "within", "between", "test") if any(task.category(*p) == c for p in pairs)]:
        idx = [k for k, p in enumerate(pairs) if task.category(*p) == cat]
        yf = y[idx][None, :] * M[:, [pairs[k][0] - 1 for k in idx], [pairs[k][1] - 1 for k in idx]]
        val = (yf > 0).mean(axis=1) if value == "accuracy" else yf.mean(axis=1)
        ax.plot(a, val, color=CATEGORY_COLORS[cat], label=f"{cat} ({len(idx)})", gid=cat)
    if task.exceptions:
        mem = np.mean([M[:, v - 1, u - 1] > 0 for u, v in task.exceptions], axis=0) if value == "accuracy" else \
            np.mean([M[:, v - 1, u - 1] for u, v in task.exceptions], axis=0)
        ax.plot(a, mem, color=CATEGORY_COLORS["exception"], linestyle="--", label="exception memorized"
                if value == "accuracy" else "exception", gid="exception")
    ax.set_xlabel(r"conjunctivity $\alpha$")
    ax.set_ylabel("accuracy" if value == "accuracy" else r"mean margin $y\,f$")
    ax.set_xlim(0, 1)
    ax.set_title(f"n = {task.n}, ridge {float(ridge):.4g}: {value} by category", fontsize=10)
    if ax.lines:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no test pairs", ha="center", va="center", transform=ax.transAxes)
    return fig


def threshold_diagram(task: Task, ridge=0, analysis=None) -> Figure:
    r"""Each test pair's exact wrong set :math:`W_{ij} \subset (0, 1)` as
    horizontal segments (one row per pair that is ever wrong, sorted by
    :math:`\alpha^*_{ij}`, coloured by category), and the critical
    :math:`\alpha_c` as a dashed line.  Segment ``gid``: ``"i,j:k"`` for the
    ``k``-th interval of pair ``(i, j)``; its x data are the interval's
    endpoints (:func:`symti.analysis.thresholds.thresholds`, as floats).
    ``analysis``: a :class:`~symti.analysis.thresholds.ThresholdAnalysis` of
    ``task`` at ``ridge`` already computed (it is not recomputed).

    >>> fig = threshold_diagram(Task(9, exceptions=[(4, 6)]))
    >>> seg = [l for l in fig.axes[0].lines if l.get_gid() == "3,6:0"][0]
    >>> [round(float(x), 6) for x in seg.get_xdata()]      # ((4 - sqrt 13)/3, 1)
    [0.131483, 1.0]
    """
    task = _check_task(task)
    T = thresholds(task, ridge) if analysis is None else analysis
    if T.task != task:
        raise ValueError("analysis: the threshold analysis of another task")
    rows = T.ordered()
    fig, ax = _figure((6.4, max(2.5, 0.32 * len(rows) + 1.5)))
    for k, p in enumerate(rows):
        for m, (lo, hi) in enumerate(p.wrong_set):
            ax.plot([float(lo), float(hi)], [k, k], color=CATEGORY_COLORS.get(p.category, "gray"), linewidth=6,
                    solid_capstyle="butt", gid=f"{p.i},{p.j}:{m}")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"({p.i},{p.j}) {p.category}" for p in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5) if rows else ax.set_ylim(0, 1)
    ax.set_xlim(0, 1)
    c = T.critical_alpha
    if c is not None:
        ax.axvline(float(c), color="gray", linestyle="--", gid="critical_alpha",
                   label=rf"$\alpha_c$ = {float(c):.4f}")
        ax.legend(fontsize=8, loc="lower left")
    else:
        ax.text(0.5, 0.5, "no test pair is ever wrong", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel(r"conjunctivity $\alpha$ (segments: the pair is wrong)")
    rid = "ridgeless" if T.ridge == 0 else f"ridge {T.ridge}"
    ax.set_title(f"n = {task.n}, exceptions {list(task.exceptions)}, {rid}: wrong sets", fontsize=10)
    return fig


def solved_grid(task: Task, alphas, ridges) -> np.ndarray:
    r"""Boolean array ``S[k, l]``: is the task solved at
    :math:`(\alpha_l, \rho_k)` -- every trained trial and every test pair with
    :math:`y f > 0` (ties fail; ``derivations/theory.md`` §5)?  Evaluated in
    batch (:func:`symti.analysis.fit.alpha_margins`).

    >>> solved_grid(Task(9, exceptions=[(4, 6)]), [0.05, 0.12, 0.14], [0.0, 0.05]).tolist()
    [[True, True, False], [True, False, False]]
    """
    task = _check_task(task)
    a = np.asarray(alphas, dtype=float)
    r = np.asarray(ridges, dtype=float)
    pairs, y = _test_pairs(task)
    trained = [(e.i, e.j, e.target) for e in task.trained_pairs]
    I = np.array([p[0] for p in pairs] + [t[0] for t in trained]) - 1
    J = np.array([p[1] for p in pairs] + [t[1] for t in trained]) - 1
    Y = np.concatenate([y, [t[2] for t in trained]])
    out = np.zeros((r.size, a.size), dtype=bool)
    for k, rho in enumerate(r):
        M = alpha_margins(task, a, np.full(a.shape, rho))
        out[k] = np.all(Y[None, :] * M[:, I, J] > 0, axis=1)
    return out


def solved_region(task: Task, alphas: int = 300, ridges: int = 120, ridge_max: float = 0.25,
                  alpha_max: float | None = None, critical_alpha=None) -> Figure:
    r"""The solved region in :math:`(\alpha, \rho)` on a grid (:func:`solved_grid`;
    ``alphas`` cell centres in :math:`(0, \alpha_{\max})`, ``ridges`` points in
    :math:`[0, \rho_{\max}]`; by default :math:`\alpha_{\max} = \min(1, 3\alpha_c(0))`
    for a task with exceptions, else 1), with the critical conjunctivity
    :math:`\alpha_c(\rho) = \alpha_c(0) - \rho\,(1 - \alpha_c(0))` of
    ``derivations/theory.md`` §4 as a dashed line (tasks with exceptions).
    The image's array is the boolean grid (rows: ridges).

    >>> fig = solved_region(Task(9, exceptions=[(4, 6)]), alphas=50, ridges=5, ridge_max=0.2)
    >>> fig.axes[0].images[0].get_array().shape
    (5, 50)
    """
    task = _check_task(task)
    if critical_alpha is not None:  # the ridgeless alpha_c, already known
        c = critical_alpha
    else:
        c = thresholds(task, 0).critical_alpha if task.exceptions and task.n <= 60 else None
    amax = float(alpha_max) if alpha_max is not None else (1.0 if c is None else min(1.0, 3 * float(c)))
    if not 0 < amax <= 1:
        raise ValueError(f"alpha_max: must lie in (0, 1], got {alpha_max}")
    a = amax * (np.arange(alphas) + 0.5) / alphas
    r = np.linspace(0.0, float(ridge_max), ridges)
    S = solved_grid(task, a, r)
    fig, ax = _figure()
    dr = r[1] - r[0] if ridges > 1 else 1.0
    ax.imshow(S.astype(float), origin="lower", aspect="auto", cmap=ListedColormap(["#f4d6d6", "#9fd49f"]),
              vmin=0, vmax=1, extent=(0, amax, r[0] - dr / 2, r[-1] + dr / 2), interpolation="nearest")
    if c is not None:
        c0 = float(c)
        ax.plot(c0 - r * (1 - c0), r, color="black", linestyle="--", gid="critical_alpha",
                label=r"$\alpha_c(\rho) = \alpha_c(0) - \rho(1-\alpha_c(0))$")
        ax.legend(fontsize=8, loc="upper right")
    ax.set_xlim(0, amax)
    ax.set_xlabel(r"conjunctivity $\alpha$")
    ax.set_ylabel(r"ridge $\rho$")
    ax.set_title(f"n = {task.n}, exceptions {list(task.exceptions)}: solved (green) / not (red)", fontsize=10)
    return fig


def default_pairs(task: Task) -> list[tuple[int, int]]:
    r"""Pairs worth following: each exception as trained, :math:`(v, u)`, the
    boundary pairs :math:`(u-1, v)` and :math:`(u, v+1)` next to it (the first to
    fail in the example), a premise and the end pair :math:`(1, n)`.

    >>> default_pairs(Task(9, exceptions=[(4, 6)]))
    [(6, 4), (3, 6), (4, 7), (1, 2), (1, 9)]
    """
    out = []
    for u, v in task.exceptions:
        out.append((v, u))
        out += [p for p in ((u - 1, v), (u, v + 1)) if 1 <= p[0] and p[1] <= task.n and not task.is_trained(*p)]
    out += [(1, 2), (1, task.n)] if task.n > 2 else [(1, 2)]
    seen = []
    for p in out:
        if p not in seen:
            seen.append(p)
    return seen


def _pairs(task: Task, pairs) -> list[tuple[int, int]]:
    pairs = default_pairs(task) if pairs is None else [tuple(map(int, p)) for p in pairs]
    for i, j in pairs:
        if not (1 <= i <= task.n and 1 <= j <= task.n and i != j):
            raise ValueError(f"pairs: ({i}, {j}) is not a pair of two different items in 1..{task.n}")
    return pairs


def _styles(task: Task, pairs):
    """Colour by category; a second (third, ...) pair of one category gets another dash pattern."""
    seen: dict = {}
    out = []
    for i, j in pairs:
        cat = task.category(i, j)
        k = seen[cat] = seen.get(cat, -1) + 1
        out.append((cat, CATEGORY_COLORS.get(cat), ("-", "--", "-.", (0, (1, 1)))[k % 4]))
    return out


def ridge_curves(task: Task, alpha=0.2, pairs=None, ridges=None) -> Figure:
    r"""Margins :math:`f(i, j)` of named pairs against the ridge :math:`\rho`
    (log axis; default :math:`10^{-4} \dots 10^{2}`), at conjunctivity ``alpha``;
    one line per pair, ``gid`` ``"i,j"`` (:func:`symti.analysis.fit.alpha_margins`).

    >>> fig = ridge_curves(Task(9, exceptions=[(4, 6)]), 0.2, pairs=[(6, 4)], ridges=[1e-6, 1.0])
    >>> fig.axes[0].lines[0].get_ydata().round(4).tolist()     # memorized, then shrunk by the ridge
    [1.0, 0.4094]
    """
    task = _check_task(task)
    pairs = _pairs(task, pairs)
    r = np.logspace(-4, 2, 300) if ridges is None else np.asarray(ridges, dtype=float)
    M = alpha_margins(task, np.full(r.shape, float(alpha)), r)
    fig, ax = _figure()
    for (i, j), (cat, color, dash) in zip(pairs, _styles(task, pairs)):
        ax.plot(r, M[:, i - 1, j - 1], color=color, label=f"f({i},{j}) {cat}", gid=f"{i},{j}", linestyle=dash)
    ax.axhline(0, color="gray", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel(r"ridge $\rho$")
    ax.set_ylabel("margin f(i, j)")
    ax.set_title(rf"n = {task.n}, exceptions {list(task.exceptions)}, $\alpha$ = {float(alpha):.4g}", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def learning_curves(task: Task, alpha=0.2, pairs=None, times=None) -> Figure:
    r"""Margins under gradient flow from :math:`f_0 = 0` against time (log axis)
    for named pairs (:func:`symti.solve.dynamics.alpha_flow_numpy`, unit
    weights), each with its ridgeless limit :math:`t \to \infty` dotted; ``gid``
    ``"i,j"`` (the flow) and ``"i,j:limit"``.

    >>> fig = learning_curves(Task(9, exceptions=[(4, 6)]), 0.2, pairs=[(3, 6)], times=[0.5, 1e6])
    >>> fig.axes[0].lines[0].get_ydata().round(6).tolist()
    [-0.144458, -0.122449]
    """
    task = _check_task(task)
    pairs = _pairs(task, pairs)
    a = float(alpha)
    if not 0 < a <= 1:
        raise ValueError(f"alpha: learning curves need 0 < alpha <= 1, got {alpha}")
    if times is None and a < MIN_FLOW_ALPHA:
        raise ValueError(f"alpha: the default time axis (up to 50/alpha) needs alpha >= {MIN_FLOW_ALPHA:g}; "
                         f"pass times= for alpha = {alpha}")
    t = np.logspace(-2, math.log10(max(50.0 / a, 10.0)), 300) if times is None else np.asarray(times, dtype=float)
    F = alpha_flow_numpy(task, a, t)
    limit = margin_matrix(task, a, 0.0)
    fig, ax = _figure()
    for (i, j), (cat, color, dash) in zip(pairs, _styles(task, pairs)):
        line, = ax.plot(t, F[:, i - 1, j - 1], color=color, linestyle=dash, label=f"f({i},{j}) {cat}",
                        gid=f"{i},{j}")
        ax.axhline(limit[i - 1, j - 1], color=line.get_color(), linestyle=":", linewidth=1, gid=f"{i},{j}:limit")
    ax.axhline(0, color="gray", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("time t (gradient flow)")
    ax.set_ylabel("margin f_t(i, j)")
    ax.set_title(rf"n = {task.n}, exceptions {list(task.exceptions)}, $\alpha$ = {a:.4g}: learning curves",
                 fontsize=10)
    ax.legend(fontsize=8)
    return fig


def theory_vs_data(records, alpha=None, ridge_scale=None) -> Figure:
    r"""Behavioural accuracy of every ordered pair with a ground truth against
    the theory's margin in the direction of the truth, :math:`y f`, at the fitted
    (or given) ``alpha`` and ``ridge_scale`` (:math:`\rho = c\lambda`), one colour per
    :math:`\lambda` of a ridge sweep.  ``records``: one condition of
    :func:`symti.analysis.llm.read_pairs`.  The scatter's offsets are the
    points ``(y f, accuracy)``.

    >>> from symti.analysis.llm import read_pairs
    >>> recs = read_pairs(setting="probe", hier="exc_mid_n9", model="qwen35-2b", task="fake")
    >>> fig = theory_vs_data(recs, alpha=0.25, ridge_scale=0.06)
    >>> fig.axes[0].collections[0].get_offsets().shape
    (432, 2)
    """
    from ..analysis.llm import compare_condition, infer_task, observations

    records = list(records)
    task = infer_task(records)
    title = ""
    if alpha is None:
        row = compare_condition(records, task=task)
        alpha, ridge_scale = row["alpha"], row["ridge_scale"]
        title = f", Spearman {row['spearman']:.3f}"
        if alpha is None:
            raise ValueError(f"records: nothing to fit ({row.get('note')})")
    L, I, J, acc = observations(records, task)
    rho = 0.0 if L is None else float(ridge_scale) * L
    x = theory_values(task, I, J, float(alpha), rho)
    fig, ax = _figure()
    if L is None:
        sc = ax.scatter(x, acc, s=14, color="tab:blue")
    else:
        sc = ax.scatter(x, acc, s=14, c=L, cmap="viridis", norm=LogNorm(vmin=L.min(), vmax=L.max()))
        fig.colorbar(sc, ax=ax, label=r"probe penalty $\lambda$")
    ax.axhline(0.5, color="gray", linewidth=0.8)
    ax.axvline(0.0, color="gray", linewidth=0.8)
    ax.set_xlabel(r"theory: $y\,f(i,j)$")
    ax.set_ylabel("model accuracy")
    r0 = records[0]
    c = "" if L is None else f", c = {float(ridge_scale):.3g}"
    ax.set_title(f"{r0['hier']} {r0['task']} {r0['model']} ({r0['setting']}): "
                 rf"$\alpha$ = {float(alpha):.3g}{c}{title}", fontsize=9)
    return fig
