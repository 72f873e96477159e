"""symti.analysis.llm: the packaged language-model data and the comparison helpers.

Every check recomputes its answer by an independent route: the raw CSV read
line by line (no csv module), Spearman from hand-made ranks, the theory's
margins from the full trial Gram system solved by mpmath at 40 digits (each
float margin must be that value correctly rounded: relative error and sign,
exact zeros exactly zero) and from the exact solver.
"""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, Task, solve_exact
from symti import llm
from symti.solve.numeric import solve_mpmath

EXC = Task(9, exceptions=[(4, 6)])


def assert_rounded_mpmath(M, task, alpha, ridge=0):
    """``M`` is the KRR margin matrix rounded once to float64: against the full
    Gram system solved by mpmath at 40 digits, every entry has the right sign
    and a relative error of at most one rounding (2**-52); a margin that is 0
    (|ref| < 1e-30, e.g. ties at alpha = 1/3) must be exactly 0."""
    P = solve_mpmath(task, AlphaKernel(alpha), ridge, dps=40)
    assert M.shape == (task.n, task.n) and (np.diag(M) == 0).all()
    for (i, j), ref in P.items():
        x = M[i - 1, j - 1]
        if abs(ref) < 1e-30:
            assert x == 0, (i, j, x, ref)
        else:
            assert np.sign(x) == (1 if ref > 0 else -1) and abs(x - ref) <= 2.0**-52 * abs(ref), (i, j, x, ref)


def raw_rows():
    """The packaged CSV parsed by splitting lines (independent of symti.analysis.llm)."""
    text = llm.data_path().read_text(encoding="utf-8").strip().splitlines()
    head = text[0].split(",")
    return [dict(zip(head, line.split(","))) for line in text[1:]]


RAW = raw_rows()


def raw_margins(hier, task, model, phase):
    """Per unordered pair i < j: mean over rows of (logit(a,b) - logit(b,a))/2 and accuracy."""
    L, A = {}, {}
    for r in RAW:
        if (r["hier"], r["task"], r["model"], r["phase"]) != (hier, task, model, phase):
            continue
        key = (int(r["rank_a"]) + 1, int(r["rank_b"]) + 1)
        L.setdefault(key, []).append(float(r["mean_logit_diff"]))
        A.setdefault(key, []).append(float(r["accuracy"]))
    out = {}
    for (i, j) in L:
        if i < j:
            out[(i, j)] = (
                (np.mean(L[i, j]) - np.mean(L[j, i])) / 2,
                (np.mean(A[i, j]) + np.mean(A[j, i])) / 2,
            )
    return out


def average_ranks(x):
    """1-based ranks, ties get their mean rank (by hand, numpy only)."""
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    k = 0
    while k < len(x):
        m = k
        while m + 1 < len(x) and x[order[m + 1]] == x[order[k]]:
            m += 1
        ranks[order[k : m + 1]] = (k + m) / 2 + 1
        k = m + 1
    return ranks


def pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


# ------------------------------------------------------------------ loading
def test_row_counts_match_raw_csv():
    assert len(llm.load()) == len(RAW) == 3456
    for hier in ("ti_n9", "exc_mid_n9"):
        for phase in ("pre", "post"):
            expect = sum(r["hier"] == hier and r["phase"] == phase for r in RAW)
            assert len(llm.load(hier=hier, phase=phase)) == expect
    expect = sum(r["task"] in ("fake", "poker") and r["reverse"] == "True" for r in RAW)
    assert len(llm.load(task=("fake", "poker"), reverse=True)) == expect


def test_ranks_become_one_based_items():
    for rec, raw in zip(llm.load(), RAW):
        assert (rec["i"], rec["j"]) == (int(raw["rank_a"]) + 1, int(raw["rank_b"]) + 1)
        assert rec["mean_logit_diff"] == float(raw["mean_logit_diff"])
        assert 1 <= rec["i"] <= 9 and 1 <= rec["j"] <= 9 and rec["i"] != rec["j"]
    exc = {(r["i"], r["j"]) for r in llm.load() if r["is_exception"]}
    assert exc == {(4, 6), (6, 4)}


def test_task_categories_agree_with_csv_flags():
    recs = llm.load(hier="exc_mid_n9")
    assert llm.task_for("exc_mid_n9") == EXC
    for r in recs:
        i, j = r["i"], r["j"]
        assert EXC.is_trained(i, j) == r["is_train"]
        assert (EXC.category(i, j) == "exception") == r["is_exception"]
        assert (EXC.ground_truth(i, j) is None) == r["no_gt"]
        assert EXC.ground_truth(i, j) == r["ground_truth"]
    plain = Task(9)
    for r in llm.load(hier="ti_n9"):
        assert plain.is_trained(r["i"], r["j"]) == r["is_train"]
        assert plain.ground_truth(r["i"], r["j"]) == r["ground_truth"]


def test_every_condition_has_all_ordered_pairs():
    recs = llm.load()
    for key in llm.conditions(recs, by=("hier", "task", "model", "phase", "reverse")):
        sub = llm.select(recs, **dict(zip(("hier", "task", "model", "phase", "reverse"), key)))
        assert sorted((r["i"], r["j"]) for r in sub) == Task(9).ordered_pairs()


def test_pair_margins_match_raw_aggregation():
    for key in [("exc_mid_n9", "poker", "llama32-1b", "post"), ("ti_n9", "real", "qwen35-2b", "post")]:
        pm = llm.pair_margins(llm.load(**dict(zip(("hier", "task", "model", "phase"), key))))
        raw = raw_margins(*key)
        assert set(pm) == set(raw)
        for p, (m, a) in raw.items():
            assert pm[p]["margin"] == pytest.approx(m, abs=1e-12)
            assert pm[p]["accuracy"] == pytest.approx(a, abs=1e-12)


def test_load_custom_path_and_errors(tmp_path):
    lines = llm.data_path().read_text(encoding="utf-8").splitlines()
    small = tmp_path / "small.csv"
    small.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    assert len(llm.load(small)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(lines[0] + "\n" + lines[1].replace(",0,1,", ",zero,1,", 1) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="path: malformed row at line 2"):
        llm.load(bad)
    with pytest.raises(ValueError, match="^hier:"):
        llm.task_for("ti_n11")
    with pytest.raises(ValueError, match="^records: need records of exactly one hier"):
        llm.pair_margins(llm.load(phase="post"))
    with pytest.raises(ValueError, match="^records: no records"):
        llm.pair_margins(llm.load(model="gpt-2"))


# ------------------------------------------------------------------ theory
@given(st.fractions(min_value=Fraction(1, 50), max_value=Fraction(49, 50), max_denominator=50))
def test_theory_margins_match_full_gram_solve(a):
    alpha = sp.Rational(a.numerator, a.denominator)
    assert_rounded_mpmath(llm.theory_margins(EXC, alpha), EXC, alpha)


def test_theory_margins_exact_near_one():
    # margins are tiny here; exact evaluation must still give the exact solver's values
    for a in ("0.999", "0.9999", "1/1000"):
        E = solve_exact(EXC, AlphaKernel(a))
        M = llm.theory_margins(EXC, a)
        for (i, j), v in E.items():
            assert M[i - 1, j - 1] == float(v)
        assert_rounded_mpmath(M, EXC, a)  # and an independent route, to the last bit


def test_theory_margins_with_ridge():
    assert_rounded_mpmath(llm.theory_margins(EXC, "1/3", ridge="1/2"), EXC, "1/3", "1/2")
    assert_rounded_mpmath(llm.theory_margins(EXC, "1/3"), EXC, "1/3")  # ties: exact zeros
    assert (llm.theory_margins(EXC, "1/3") == 0).sum() == 2 * 5 + 9  # (2,6) (3,5) (3,7) (4,8) (5,7) both ways, diagonal


def test_theory_error_pattern_of_theory_sheet():
    # derivations/theory.md §4 (ridgeless, n = 9, exception {4, 6})
    expect = {
        "0.1": set(),
        "0.2": {(3, 6), (4, 7)},
        "0.5": {(3, 6), (4, 7), (2, 6), (3, 5), (3, 7), (4, 8), (5, 7)},
    }
    for a, wrong in expect.items():
        P = solve_exact(EXC, AlphaKernel(a))
        assert set(llm.wrong_pairs_theory(P, EXC)) == wrong
        assert set(llm.wrong_pairs_theory(llm.theory_margins(EXC, a), EXC)) == wrong


def test_theory_matrix_inputs():
    a = sp.Symbol("alpha", positive=True)
    P = solve_exact(Task(4), AlphaKernel(a))
    M = llm.theory_matrix(P, {a: sp.Rational(1, 4)})
    assert_rounded_mpmath(M, Task(4), "1/4")
    with pytest.raises(ValueError, match="^subs:"):
        llm.theory_matrix(P)
    with pytest.raises(ValueError, match="^pred:"):
        llm.theory_matrix(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="^pred: expected margins of 9 items"):
        llm.rank_correlation(M, llm.load(hier="ti_n9", task="fake", model="llama32-1b", phase="post"))
    for bad in (0, 1, "3/2"):
        with pytest.raises(ValueError, match="^alpha:"):
            llm.theory_margins(EXC, bad)


# -------------------------------------------------------------- comparisons
@pytest.mark.parametrize(
    "key,alpha",
    [
        (("exc_mid_n9", "fake", "llama32-1b", "post"), "1/5"),
        (("ti_n9", "poker", "qwen35-2b", "post"), "1/2"),
        (("exc_mid_n9", "real", "qwen35-2b", "post"), "9/10"),
    ],
)
def test_rank_correlation_by_hand(key, alpha):
    hier = key[0]
    task = llm.task_for(hier)
    recs = llm.load(**dict(zip(("hier", "task", "model", "phase"), key)))
    P = solve_exact(task, AlphaKernel(alpha))
    raw = raw_margins(*key)
    pairs = [(i, j) for i in range(1, 10) for j in range(i + 1, 10) if not task.is_trained(i, j)]
    theory = np.array([float(P[p]) for p in pairs])
    model = np.array([raw[p][0] for p in pairs])
    expect = pearson(average_ranks(theory), average_ranks(model))
    got = llm.rank_correlation(P, recs)
    assert got.n == len(pairs)
    assert got.rho == pytest.approx(expect, abs=1e-12)
    # and on a small subset without ties: the textbook 1 - 6 sum d^2 / (m (m^2 - 1))
    sub = list(range(0, len(pairs), 4))
    t, m = theory[sub], model[sub]
    if len(set(t)) == len(t) and len(set(m)) == len(m):
        d = average_ranks(t) - average_ranks(m)
        k = len(sub)
        assert pearson(average_ranks(t), average_ranks(m)) == pytest.approx(1 - 6 * (d @ d) / (k * (k * k - 1)))


def test_rank_correlation_undefined_for_constant_margins():
    recs = llm.load(hier="ti_n9", task="fake", model="llama32-1b", phase="post")
    assert np.isnan(llm.rank_correlation(np.zeros((9, 9)), recs).rho)


def test_before_finetuning_the_orders_cancel():
    # pre-finetuning answers do not depend on the (counterbalanced) hierarchy, so the
    # antisymmetrised margins are small noise and the mean accuracy over pairs is 1/2
    for key in llm.conditions(llm.load(phase="pre")):
        pm = llm.pair_margins(llm.load(**dict(zip(("hier", "task", "model", "phase"), key))))
        assert max(abs(v["margin"]) for v in pm.values()) < 0.1
        assert np.mean([v["accuracy"] for v in pm.values()]) == pytest.approx(0.5, abs=1e-9)
        post = llm.pair_margins(llm.load(**dict(zip(("hier", "task", "model", "phase"), key[:3] + ("post",)))))
        assert max(abs(v["margin"]) for v in post.values()) > 1


def test_wrong_pairs_models_from_raw():
    for key in llm.conditions(llm.load(phase="post")):
        recs = llm.load(**dict(zip(("hier", "task", "model", "phase"), key)))
        task = llm.task_for(key[0])
        raw = raw_margins(*key)
        expect = sorted(p for p, (_, acc) in raw.items() if acc < 0.5 and not task.is_trained(*p))
        assert llm.wrong_pairs_models(recs) == expect


def test_compare_and_pair_table():
    recs = llm.load(hier="exc_mid_n9", task="poker", model="qwen35-2b", phase="post")
    P = solve_exact(EXC, AlphaKernel("1/2"))
    rows = llm.compare(P, recs)
    raw = raw_margins("exc_mid_n9", "poker", "qwen35-2b", "post")
    assert len(rows) == 36 - 9
    for r in rows:
        p = (r["i"], r["j"])
        assert r["theory_margin"] == float(P[p])
        assert r["theory_correct"] == (float(P[p]) > 0)  # every untrained i < j has ground truth +1 here
        assert r["model_margin"] == pytest.approx(raw[p][0])
        assert r["model_correct"] == (raw[p][1] >= 0.5)
        assert r["category"] == EXC.category(*p)
    table = llm.pair_table(P, recs)
    assert len(table) == 72
    for r in table:
        vals = [float(x["mean_logit_diff"]) for x in RAW
                if (x["hier"], x["task"], x["model"], x["phase"]) == ("exc_mid_n9", "poker", "qwen35-2b", "post")
                and (int(x["rank_a"]) + 1, int(x["rank_b"]) + 1) == (r["i"], r["j"])]
        assert r["mean_logit_diff"] == pytest.approx(np.mean(vals))
        assert r["theory_margin"] == float(P[r["i"], r["j"]])
        assert r["n_runs"] == 100


def test_agreement():
    g = llm.agreement([(3, 6), (4, 7)], [(3, 6), (2, 7)], EXC)
    assert g["jaccard"] == pytest.approx(1 / 3)
    assert g["both"] == [(3, 6)] and g["theory_only"] == [(4, 7)] and g["models_only"] == [(2, 7)]
    assert g["agreement"] == pytest.approx(25 / 27)
    assert llm.agreement([], [], Task(9))["jaccard"] == 1.0


# ------------------------------------------------------------------ fitting
def test_fit_alpha_spearman_matches_scipy_at_the_fit():
    recs = llm.load(hier="exc_mid_n9", task="fake", model="llama32-1b", phase="post")
    fit = llm.fit_alpha(recs, "spearman", grid=199)
    assert 0 < fit.alpha < 1 and len(fit.scores) == 199
    for a in (fit.alpha, fit.intervals[0][0]):
        P = solve_exact(EXC, AlphaKernel(sp.nsimplify(a)))
        assert llm.rank_correlation(P, recs).rho == pytest.approx(fit.score, abs=1e-12)
    # no grid point beats it (checked with the exact solver on a coarse grid)
    for k in range(1, 20):
        P = solve_exact(EXC, AlphaKernel(sp.Rational(k, 20)))
        assert llm.rank_correlation(P, recs).rho <= fit.score + 1e-12


def test_fit_alpha_wrong_pairs_brackets():
    recs = llm.load(hier="exc_mid_n9", task="fake", model="qwen35-2b", phase="post")
    models = llm.wrong_pairs_models(recs)
    fit = llm.fit_alpha(recs, "jaccard", grid=199)
    assert fit.score == 1.0 and len(fit.intervals) == 1
    lo, hi = fit.intervals[0]
    step = 1 / 200
    for a in (lo, fit.alpha, hi):
        assert llm.wrong_pairs_theory(solve_exact(EXC, AlphaKernel(sp.nsimplify(a))), EXC) == models
    for a in (lo - step, hi + step):
        assert llm.wrong_pairs_theory(solve_exact(EXC, AlphaKernel(sp.nsimplify(a))), EXC) != models
    agree = llm.fit_alpha(recs, "agreement", grid=199)
    assert agree.score == 1.0 and agree.intervals == fit.intervals


def test_fit_alpha_errors():
    recs = llm.load(hier="ti_n9", task="fake", model="llama32-1b", phase="post")
    with pytest.raises(ValueError, match="^criterion:"):
        llm.fit_alpha(recs, "pearson")
    with pytest.raises(ValueError, match="^grid:"):
        llm.fit_alpha(recs, grid=2)
    with pytest.raises(ValueError, match="^ridge:"):
        llm.fit_alpha(recs, ridge=-1)


def test_summary_covers_post_conditions():
    rows = llm.summary(llm.load(phase="post"), grid=99)
    assert len(rows) == 12
    for r in rows:
        assert -1 <= r["spearman"] <= 1 and 0 <= r["agreement"] <= 1


# ------------------------------------- any CSV of the schema (read_pairs, observations)
def test_read_pairs_of_the_finetuned_file_pools_both_orders():
    """read_pairs reads the finetuned file (no setting column: "full"); observations pool the two
    counterbalanced orders weighted by n_runs -- recomputed from the raw lines."""
    recs = llm.read_pairs(llm.data_path(), hier="exc_mid_n9", task="poker", model="llama32-1b")
    assert len(recs) == 144 and {r["setting"] for r in recs} == {"full"}
    assert {r["l2_reg"] for r in recs} == {None} and {r["lora_r"] for r in recs} == {None}
    lam, I, J, acc = llm.observations(recs)
    assert lam is None and len(acc) == 72
    sums = {}
    for r in RAW:
        if (r["hier"], r["task"], r["model"], r["phase"]) == ("exc_mid_n9", "poker", "llama32-1b", "post"):
            k = (int(r["rank_a"]) + 1, int(r["rank_b"]) + 1)
            s, w = sums.get(k, (0.0, 0))
            sums[k] = (s + float(r["accuracy"]) * int(r["n_runs"]), w + int(r["n_runs"]))
    for i, j, a in zip(I, J, acc):
        s, w = sums[int(i), int(j)]
        assert a == pytest.approx(s / w, abs=1e-12)


def test_read_pairs_filters_and_adapted_counts():
    """The packaged adapted file: 72 ordered pairs per condition and penalty or rank (from the raw lines)."""
    text = llm.adapted_path().read_text(encoding="utf-8").strip().splitlines()
    head = text[0].split(",")
    rows = [dict(zip(head, line.split(","))) for line in text[1:]]
    probe_post = [r for r in rows if r["setting"] == "probe" and r["phase"] == "post"]
    assert len(llm.read_pairs(setting="probe")) == len(probe_post) == 2 * 3 * 4 * 6 * 72
    assert len(llm.read_pairs(setting="lora", phase=None)) == sum(r["setting"] == "lora" for r in rows)


def test_fit_spread_by_hand():
    rows = [{"model": "a", "alpha": 0.1, "ridge_scale": 2.0, "spearman": 0.9},
            {"model": "a", "alpha": 0.3, "ridge_scale": 4.0, "spearman": 0.7},
            {"model": "b", "alpha": None, "ridge_scale": None, "spearman": None}]
    a, b = llm.fit_spread(rows, "model")
    assert a["conditions"] == 2 and a["alpha"] == {"min": 0.1, "median": 0.2, "max": 0.3}
    assert a["ridge_scale"]["median"] == 3.0 and b == {"model": "b", "conditions": 0, "alpha": None,
                                                          "ridge_scale": None, "spearman": None}


def test_compare_condition_before_training_is_not_fitted():
    """Constant accuracies (a condition at chance for every pair) are reported, not fitted."""
    recs = llm.read_pairs(setting="probe", phase="pre", hier="ti_n9", task="fake", model="qwen35-2b")
    recs = [dict(r, accuracy=0.5) for r in recs]
    row = llm.compare_condition(recs)
    assert row["alpha"] is None and row["spearman"] is None and "not all equal" in row["note"]
