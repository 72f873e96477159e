"""``symti bench`` (symti.output.bench): the shape of the results, the timing protocol
(alternating sides, agreement checked only after all timing), and that each
benchmark's ``agree`` really compares -- it turns False when the fast result is
perturbed.  Small sizes only (``quick``): the full benchmarks are never run here.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from symti.output import bench
from symti.output.bench import KEYS, Case, available, run_benchmarks, run_case
from symti.output.cli import main

NAMES = ["exact_n9_exception", "exact_n100", "closed_vs_sklearn_n99", "margin_grid_n99", "thresholds_n200"]


def test_registry_lists_the_benchmarks():
    assert set(NAMES) <= set(available())
    assert "rank_reduction_vs_gram" not in available()  # its baseline did not hold still


def test_timing_protocol_alternates_and_checks_after_timing():
    """Sides alternate (fast, baseline, fast, ...) after one warm-up each, and ``agree``
    runs once, after the last timed call, on the last results."""
    log = []

    def side(name):
        def fn():
            log.append(name)
            return len(log)
        return fn

    def agree(f, b):
        log.append("agree")
        return f + 1 == b, {"seen": (f, b)}

    r = run_case("toy", Case(fast=side("f"), fast_what="f", baseline=side("b"), baseline_what="b",
                             agree=agree, repeat=3, number=2, baseline_number=1))
    assert log == ["f", "b"] + ["f", "f", "b"] * 3 + ["agree"]
    assert r["agree"] is True and r["seen"] == (10, 11)
    assert tuple(r)[: len(KEYS)] == KEYS
    assert r["seconds_min"] <= r["seconds"] <= r["seconds_max"]
    assert r["baseline_seconds_min"] <= r["baseline_seconds"] <= r["baseline_seconds_max"]
    assert r["ratio_min"] <= r["ratio_max"]
    assert r["ratio"] == pytest.approx(r["baseline_seconds"] / r["seconds"])
    assert r["baseline_spread"] == pytest.approx(r["baseline_seconds_max"] / r["baseline_seconds_min"])


def test_disagreement_is_reported():
    r = run_case("toy", Case(fast=lambda: 1, fast_what="f", baseline=lambda: 2, baseline_what="b",
                             agree=lambda f, b: (f == b, {}), repeat=1))
    assert r["agree"] is False


@pytest.fixture(scope="module")
def quick_results():
    return {r["name"]: r for r in run_benchmarks(quick=True, repeat=1)}


@pytest.mark.parametrize("name", NAMES)
def test_quick_results_have_the_shape_and_agree(quick_results, name):
    r = quick_results[name]
    assert set(KEYS) <= set(r) and r["repeat"] == 1
    assert r["agree"] is True, r
    assert isinstance(r["fast"], str) and isinstance(r["baseline"], str) and r["baseline"]
    for key in ("seconds", "baseline_seconds", "ratio", "ratio_min", "ratio_max", "baseline_spread"):
        assert np.isfinite(r[key]) and r[key] > 0, (key, r[key])
    assert r["peak_rss_mb"] > 0
    json.dumps(r)  # serialisable


def _cases():
    bench._load()
    return {name: bench._REGISTRY[name](True) for name in NAMES}


def _perturbed(name, out):
    """The fast result with one value changed."""
    if name == "exact_n9_exception":
        k = next(iter(out))
        return {**out, k: out[k] + 1}
    if name == "exact_n100":
        P, data = out
        k = next(k for k in data if data[k][0] != 0 and abs(k[0] - k[1]) > 1)
        N, D = data[k]
        return P, {**data, k: (N + D, D)}
    if name in ("closed_vs_sklearn_n99", "margin_grid_n99"):
        bad = out.copy()
        bad.flat[bad.size // 2] += 1e-6
        return bad
    raise AssertionError(name)


@pytest.mark.parametrize("name", ["exact_n9_exception", "exact_n100", "closed_vs_sklearn_n99", "margin_grid_n99"])
def test_agree_detects_a_wrong_fast_result(name):
    case = _cases()[name]
    fast, base = case.fast(), case.baseline()
    assert case.agree(fast, base)[0] is True
    assert case.agree(_perturbed(name, fast), base)[0] is False


def test_thresholds_agree_detects_a_scan_that_does_not_bracket():
    case = _cases()["thresholds_n200"]
    T, wrong = case.fast(), case.baseline()
    assert case.agree(T, wrong)[0] is True
    assert wrong.any() and not wrong[0]
    shifted = np.roll(wrong, 5)  # the scan's first wrong alpha moves 5 grid points up
    assert case.agree(T, shifted)[0] is False


def test_cli_quick_json_and_table(capsys):
    assert main(["bench", "--quick", "--only", "margin_grid_n99", "--repeat", "1", "--format", "json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["name"] == "margin_grid_n99" and entry["agree"] is True and entry["margins_per_second"] > 0
    assert main(["bench", "--quick", "--only", "closed_vs_sklearn_n99", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "closed_vs_sklearn_n99" in out and "x [" in out and "baseline: sklearn" in out
    assert main(["bench", "--quick", "--only", "exact_n9_exception", "--repeat", "1", "--format", "markdown"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].startswith("| benchmark |") and len(rows) == 3 and rows[2].startswith("| `exact_n9_exception` |")
    assert rows[2].count("|") == rows[0].count("|") and rows[2].endswith("| yes |")


@pytest.mark.parametrize("argv,option", [(["--repeat", "0"], "--repeat"), (["--repeat", "x"], "--repeat"),
                                         (["--only", "nope"], "--only")])
def test_cli_bad_input_is_one_line(capsys, argv, option):
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("symti: error: " + option)
