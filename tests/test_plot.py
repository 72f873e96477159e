"""symti.plot: the figures' content, checked against independent routes.

The heatmap's cells against the exact solver; its outlines against the pair
categories enumerated from their definition (strategies.category_by_definition);
the threshold diagram's segments against `thresholds` and exact signs inside
and outside them; the category curves and the solved region against exact
solves at rational points; the learning curves against the full trial-Gram
gradient flow (flow_numpy); the data scatter against margin_matrix.
"""
import json
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_rgba

from strategies import category_by_definition, examples
from symti import AlphaKernel, Task, solve_exact
from symti.analysis.llm import read_pairs
from symti.analysis.thresholds import thresholds
from symti.closed_form.evaluate import margin_matrix
from symti.output import plot
from symti.output.cli import main
from symti.solve.dynamics import flow_numpy

EXC = Task(9, exceptions=[(4, 6)])


@st.composite
def unit_tasks(draw, min_n=3, max_n=9):
    n = draw(st.integers(min_n, max_n))
    excs = []
    if n >= 4 and draw(st.booleans()):
        u = draw(st.integers(1, n - 2))
        v = draw(st.integers(u + 2, n))
        excs = [(u, v)]
    return Task(n, exceptions=excs)


ALPHAS = st.sampled_from([sp.Rational(1, 10), sp.Rational(1, 5), sp.Rational(1, 2), sp.Rational(9, 10)])


@given(unit_tasks(), ALPHAS)
@examples(6)
def test_heatmap_cells_are_the_exact_margins(task, a):
    fig = plot.margin_heatmap(task, float(a))
    A = fig.axes[0].images[0].get_array()
    P = solve_exact(task, AlphaKernel(a))
    for (i, j), v in P.items():
        assert A[i - 1, j - 1] == pytest.approx(float(v), abs=1e-12)
    assert A.mask[0, 0] and not A.mask[0, 1]  # the diagonal is blank


def _expected_outline(task, i, j):
    """From the definition: both items in an exception's interval -> cycle; else trained/within/between."""
    a, b = min(i, j), max(i, j)
    if any(u <= a and b <= v for u, v in task.exceptions):
        return "cycle"
    cat = category_by_definition(task.n, list(task.exceptions), a, b)
    if cat in ("premise", "exception"):
        return "trained"
    return cat if cat in ("within", "between") else None


@given(unit_tasks())
@examples(10)
def test_heatmap_outlines_mark_the_right_cells(task):
    fig = plot.margin_heatmap(task, 0.3, annotate=False)
    got = {}
    for p in fig.axes[0].patches:
        kind, cell = p.get_gid().split(":")
        i, j = map(int, cell.split(","))
        # the rectangle covers cell (row i, column j): x from j - 1/2, y from i - 1/2, one unit wide
        assert (p.get_x(), p.get_y(), p.get_width(), p.get_height()) == (j - 0.5, i - 0.5, 1, 1)
        assert p.get_edgecolor() == to_rgba(plot.OUTLINE_COLORS[kind]) and not p.get_fill()
        got[(i, j)] = kind
    expect = {(i, j): k for i in range(1, task.n + 1) for j in range(1, task.n + 1)
              if i != j and (k := _expected_outline(task, i, j)) is not None}
    assert got == expect


def test_heatmap_of_the_example_has_every_outline():
    fig = plot.margin_heatmap(EXC, 0.2)
    kinds = {p.get_gid().split(":")[0] for p in fig.axes[0].patches}
    assert kinds == {"trained", "cycle", "within", "between"}
    cycle = sorted(tuple(map(int, p.get_gid().split(":")[1].split(","))) for p in fig.axes[0].patches
                   if p.get_gid().startswith("cycle"))
    assert cycle == [(4, 5), (4, 6), (5, 4), (5, 6), (6, 4), (6, 5)]


def test_heatmap_with_a_kernel_uses_that_kernel():
    from symti.kernels import ExchangeableKernel

    k = ExchangeableKernel("1/5", "2/5", "2/5", "1/10", "1/20")
    A = plot.margin_heatmap(EXC, kernel=k).axes[0].images[0].get_array()
    P = solve_exact(EXC, k)
    assert A[2, 5] == pytest.approx(float(P[3, 6]), abs=1e-9)


@pytest.mark.parametrize("task,ridge", [(EXC, 0), (Task(9, exceptions=[(4, 6)]), sp.Rational(1, 20)),
                                        (Task(8, exceptions=[(2, 5), (5, 8)]), 0)])
def test_threshold_segments_are_the_wrong_sets(task, ridge):
    T = thresholds(task, ridge)
    fig = plot.threshold_diagram(task, ridge)
    segs = {l.get_gid(): l.get_xdata() for l in fig.axes[0].lines if l.get_gid() and ":" in l.get_gid()}
    expect = {f"{p.i},{p.j}:{m}": (float(lo), float(hi)) for p in T.pairs for m, (lo, hi) in enumerate(p.wrong_set)}
    assert set(segs) == set(expect)
    P = solve_exact(task, AlphaKernel(sp.Symbol("a", positive=True)), ridge)
    a = sp.Symbol("a", positive=True)
    for gid, (lo, hi) in expect.items():
        assert list(segs[gid]) == [lo, hi]
        i, j = map(int, gid.split(":")[0].split(","))
        y = task.ground_truth(i, j)
        mid = sp.Rational(Fraction((lo + hi) / 2).limit_denominator(10**6))
        assert y * P[i, j].subs(a, mid) < 0  # wrong inside the segment (exact)
    crit = [l for l in fig.axes[0].lines if l.get_gid() == "critical_alpha"]
    assert crit and crit[0].get_xdata()[0] == pytest.approx(float(T.critical_alpha))


def test_category_curves_are_fractions_of_exact_signs():
    alphas = [sp.Rational(1, 20), sp.Rational(1, 5), sp.Rational(2, 5), sp.Rational(7, 10)]
    fig = plot.category_accuracy(EXC, alphas=[float(a) for a in alphas])
    lines = {l.get_gid(): l.get_ydata() for l in fig.axes[0].lines if l.get_gid()}
    for k, a in enumerate(alphas):
        P = solve_exact(EXC, AlphaKernel(a))
        for cat in ("boundary", "within", "between"):
            pairs = [(i, j) for i, j in EXC.test_pairs() if category_by_definition(9, [(4, 6)], i, j) == cat]
            right = sum(bool(EXC.ground_truth(i, j) * P[i, j] > 0) for i, j in pairs)
            assert lines[cat][k] == pytest.approx(right / len(pairs))
        assert lines["exception"][k] == float(bool(P[6, 4] > 0))
    margin = plot.category_accuracy(EXC, alphas=[0.2], value="margin")
    m = {l.get_gid(): l.get_ydata()[0] for l in margin.axes[0].lines if l.get_gid()}
    P = solve_exact(EXC, AlphaKernel(sp.Rational(1, 5)))
    within = [(i, j) for i, j in EXC.test_pairs() if EXC.category(i, j) == "within"]
    assert m["within"] == pytest.approx(float(sum(P[i, j] for i, j in within) / len(within)))


@given(unit_tasks(min_n=4, max_n=8), st.sampled_from([sp.Rational(1, 50), sp.Rational(1, 10), sp.Rational(1, 3)]),
       st.sampled_from([sp.Integer(0), sp.Rational(1, 100), sp.Rational(1, 10)]))
@examples(8)
def test_solved_grid_matches_exact_signs(task, a, r):
    got = plot.solved_grid(task, [float(a)], [float(r)])[0, 0]
    P = solve_exact(task, AlphaKernel(a), r)
    ok = all(task.target(i, j) * P[i, j] > 0 for i, j in task.ordered_pairs() if task.is_trained(i, j))
    ok = ok and all(task.ground_truth(i, j) * P[i, j] > 0 for i, j in task.test_pairs())
    assert got == ok


def test_solved_region_image_and_critical_line():
    fig = plot.solved_region(EXC, alphas=60, ridges=7, ridge_max=0.12)
    S = fig.axes[0].images[0].get_array()
    assert S.shape == (7, 60)
    line = [l for l in fig.axes[0].lines if l.get_gid() == "critical_alpha"][0]
    c0 = float(thresholds(EXC).critical_alpha)
    assert line.get_xdata()[0] == pytest.approx(c0)
    # derivations/theory.md §5: at rho = 1/20 the window is about (0.0064, 0.0881)
    a = np.array([0.003, 0.01, 0.08, 0.095])
    assert plot.solved_grid(EXC, a, [0.05]).tolist() == [[False, True, True, False]]


def test_ridge_curves_are_the_closed_form():
    r = np.array([1e-4, 0.1, 3.0])
    fig = plot.ridge_curves(EXC, 0.3, pairs=[(6, 4), (3, 6)], ridges=r)
    for line in fig.axes[0].lines:
        if line.get_gid() in ("6,4", "3,6"):
            i, j = map(int, line.get_gid().split(","))
            assert np.allclose(line.get_ydata(), [margin_matrix(EXC, 0.3, x)[i - 1, j - 1] for x in r], atol=1e-12)


def test_learning_curves_are_the_trial_gram_flow():
    t = np.array([0.1, 2.0, 40.0])
    fig = plot.learning_curves(EXC, 0.25, pairs=[(6, 4), (3, 6), (1, 9)], times=t)
    F = flow_numpy(EXC, AlphaKernel("1/4"), t)
    limit = margin_matrix(EXC, 0.25)
    lines = {l.get_gid(): l for l in fig.axes[0].lines if l.get_gid()}
    for i, j in [(6, 4), (3, 6), (1, 9)]:
        assert np.allclose(lines[f"{i},{j}"].get_ydata(), F[:, i - 1, j - 1], atol=1e-9)
        assert lines[f"{i},{j}:limit"].get_ydata()[0] == pytest.approx(limit[i - 1, j - 1])


def test_default_pairs_and_bad_pairs():
    assert plot.default_pairs(Task(5)) == [(1, 2), (1, 5)]
    with pytest.raises(ValueError, match="pairs"):
        plot.ridge_curves(EXC, 0.2, pairs=[(1, 1)])
    with pytest.raises(TypeError, match="task"):
        plot.margin_heatmap("9", 0.2)
    with pytest.raises(ValueError, match="alpha"):
        plot.learning_curves(EXC, 0.0)


def test_theory_vs_data_points():
    recs = read_pairs(setting="probe", hier="exc_mid_n9", model="qwen35-2b", task="real")
    fig = plot.theory_vs_data(recs, alpha=0.2, ridge_scale=0.03)
    xy = fig.axes[0].collections[0].get_offsets()
    assert xy.shape == (432, 2)
    acc = {(r["l2_reg"], r["i"], r["j"]): r["accuracy"] for r in recs}
    got = {(round(float(x), 12), float(y)) for x, y in xy}
    for (lam, i, j), y in list(acc.items())[::37]:
        x = EXC.ground_truth(i, j) * margin_matrix(EXC, 0.2, 0.03 * lam)[i - 1, j - 1]
        assert (round(float(x), 12), y) in got
    fitted = plot.theory_vs_data(recs)
    assert "Spearman" in fitted.axes[0].get_title()


@pytest.mark.parametrize("kind", plot.KINDS)
def test_cli_plot_writes_every_kind(kind, tmp_path, capsys):
    out = tmp_path / f"{kind}.png"
    assert main(["plot", kind, "--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("suffix,magic", [(".pdf", b"%PDF"), (".svg", b"<?xml")])
def test_cli_plot_formats(suffix, magic, tmp_path):
    out = tmp_path / f"h{suffix}"
    assert main(["plot", "heatmap", "--n", "6", "--exception", "2,4", "--alpha", "0.3", "--output", str(out)]) == 0
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize("argv,name", [
    (["plot", "heatmap", "--output", "x.txt"], "--output"),
    (["plot", "heatmap", "--output", "/nonexistent/dir/x.png"], "--output"),
    (["plot", "ridge", "--pair", "3", "--output", "x.png"], "--pair"),
    (["plot", "region", "--kernel", "alpha:1/4", "--output", "x.png"], "--kernel"),
    (["plot", "thresholds", "--n", "61", "--exception", "2,4", "--output", "x.png"], "--n"),
    (["plot", "heatmap", "--n", "61", "--output", "x.png"], "--n"),
    (["plot", "heatmap", "--alpha", "2", "--output", "x.png"], "--alpha"),
    (["plot", "dynamics", "--alpha", "0", "--output", "x.png"], "--alpha"),
    (["plot", "dynamics", "--alpha", "1e-300", "--output", "x.png"], "--alpha"),
    (["plot", "heatmap", "--alpha", "1e-400", "--output", "x.png"], "--alpha"),
    (["plot", "region", "--ridge-max", "0", "--output", "x.png"], "--ridge-max"),
    (["plot", "data", "--model", "nobody", "--output", "x.png"], "--data"),
])
def test_cli_plot_bad_input(argv, name, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and name in err


def test_cli_thresholds_plot_takes_an_exact_ridge_beyond_float64(tmp_path):
    """The threshold diagram is exact: a ridge of 1e-400 is drawn (its wrong sets are the exact ones)."""
    out = tmp_path / "t.png"
    assert main(["plot", "thresholds", "--ridge", "1e-400", "--output", str(out)]) == 0 and out.stat().st_size > 0
    T = thresholds(EXC, sp.Rational(1, 10**400))
    assert float(T.critical_alpha) == pytest.approx(float(thresholds(EXC).critical_alpha), abs=1e-12)


def test_category_accuracy_without_test_pairs_has_no_lines():
    fig = plot.category_accuracy(Task(2))
    assert [l for l in fig.axes[0].lines if l.get_gid()] == []


def test_symti_plot_is_the_module():
    import symti

    assert symti.plot is plot and callable(symti.plot.margin_heatmap)


@pytest.mark.parametrize("task", [EXC, Task(8, exceptions=[(2, 5)]), Task(11, exceptions=[(3, 6), (7, 9)])])
def test_solved_grid_matches_the_exact_region(task):
    """symti.analysis.region (exact intervals from certified signs) against the batched float grid:
    every grid point farther than 1e-9 from an interval end agrees."""
    from symti.analysis.region import solved_region as exact_region

    alphas = np.linspace(0.0005, 0.9995, 400)
    for rho in (sp.Integer(0), sp.Rational(1, 100), sp.Rational(1, 20), sp.Rational(1, 5)):
        R = exact_region(task, rho)
        ends = [float(x) for iv in R.intervals for x in iv]
        grid = plot.solved_grid(task, alphas, [float(rho)])[0]
        for a, got in zip(alphas, grid):
            if all(abs(a - e) > 1e-9 for e in ends):
                assert got == any(float(lo) < a < float(hi) for lo, hi in R.intervals), (task, rho, a)
