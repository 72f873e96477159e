"""``symti predict``: the JSON document, its margins, and agreement of methods.

Most runs call :func:`symti.output.cli.main` in-process (fast); one runs the real
``python -m symti.output.cli`` in a subprocess.  Margins are checked against
independent computations (the exact solver's rationals printed here with
``mpmath`` at the requested digits, numpy), not against the CLI itself.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal

import mpmath
import pytest
import sympy as sp

from symti.output.cli import main
from symti.solve.exact import solve_exact
from symti.kernels import AlphaKernel
from symti.solve.numeric import solve_numpy
from symti.task import Task

R = sp.Rational
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def predict(capsys, *args):
    rc = main(["predict", "--format", "json", *args])
    out = capsys.readouterr()
    assert rc == 0, out.err
    assert out.err == ""
    return json.loads(out.out)


def significant_digits(s: str) -> int:
    return len(s.lstrip("-").replace(".", "").lstrip("0"))


def check_document(doc, task, alpha, ridge, method, digits):
    assert set(doc) == {"n", "exceptions", "alpha", "ridge", "method", "pairs"}
    assert doc["n"] == task.n
    assert doc["exceptions"] == [list(e) for e in task.exceptions]
    assert doc["alpha"] == alpha and doc["ridge"] == ridge and doc["method"] == method
    pairs = doc["pairs"]
    assert [(p["i"], p["j"]) for p in pairs] == task.ordered_pairs()  # every ordered pair, once
    for p in pairs:
        assert set(p) == {"i", "j", "category", "target", "margin"}
        assert p["category"] == task.category(p["i"], p["j"])
        if p["category"] == "cycle":
            assert p["target"] is None
        else:
            assert p["target"] == task.ground_truth(p["i"], p["j"])
        m = p["margin"]
        assert isinstance(m, str) and NUMBER.match(m), m
        if m != "0":
            assert significant_digits(m) == digits, (m, digits)
    return {(p["i"], p["j"]): p["margin"] for p in pairs}


def reference_strings(task, alpha, ridge, digits):
    """The exact solver's margins printed with ``digits`` significant digits by mpmath."""
    P = solve_exact(task, AlphaKernel(alpha), ridge)
    out = {}
    with mpmath.workdps(digits + 20):
        for k, v in P.items():
            v = sp.Rational(v)
            x = mpmath.mpf(int(v.p)) / int(v.q)
            out[k] = "0" if v == 0 else mpmath.nstr(x, digits, strip_zeros=False, min_fixed=-mpmath.inf,
                                                    max_fixed=mpmath.inf)
    return P, out


@pytest.mark.parametrize(
    "n,excs,alpha,alpha_json,ridge,ridge_json",
    [
        (9, [(4, 6)], "1/3", "1/3", "0", "0"),
        (11, [(4, 8)], "0.25", "1/4", "1e-2", "1/100"),  # cycle pairs: target null
        (7, [(1, 4), (3, 6)], "0.9", "9/10", "1/3", "1/3"),
        (5, [], "0", "0", "0", "0"),
        (4, [(2, 4)], "1", "1", "0", "0"),
    ],
)
def test_exact_json_matches_the_solver(capsys, n, excs, alpha, alpha_json, ridge, ridge_json):
    args = ["--n", str(n), "--alpha", alpha, "--ridge", ridge, "--method", "exact"]
    for u, v in excs:
        args += ["--exception", f"{u},{v}"]
    doc = predict(capsys, *args)
    task = Task(n, excs)
    margins = check_document(doc, task, alpha_json, ridge_json, "exact", 17)
    P, ref = reference_strings(task, R(alpha_json), R(ridge_json), 17)
    assert margins == ref
    if excs == [(4, 8)]:
        assert any(p["target"] is None for p in doc["pairs"])


@pytest.mark.parametrize("digits", [3, 17, 40])
def test_methods_agree(capsys, digits):
    base = ["--n", "8", "--exception", "3,6", "--alpha", "1/5", "--ridge", "1/20", "--digits", str(digits)]
    task = Task(8, [(3, 6)])
    ex = check_document(predict(capsys, *base, "--method", "exact"), task, "1/5", "1/20", "exact", digits)
    mp = check_document(predict(capsys, *base, "--method", "mpmath"), task, "1/5", "1/20", "mpmath", digits)
    nu = check_document(predict(capsys, *base, "--method", "numeric"), task, "1/5", "1/20", "numeric", digits)
    _, ref = reference_strings(task, R(1, 5), R(1, 20), digits)
    assert ex == ref
    # mpmath works at digits + 10: the printed digits agree (values are far from rounding ties here)
    assert mp == ref
    M = solve_numpy(task, AlphaKernel(R(1, 5)), R(1, 20)).to_numpy()
    for (i, j), s in nu.items():
        assert abs(Decimal(s) - Decimal(ex[(i, j)])) <= Decimal("1e-9") * max(1, abs(Decimal(ex[(i, j)])))
        if digits >= 17:
            assert float(s) == M[i - 1, j - 1]  # 17 digits round-trip the float exactly


def test_ridgeless_default_and_zero_margins(capsys):
    """Default ridge is the ridgeless limit; alpha = 1 gives exactly 0 off the training set."""
    doc = predict(capsys, "--n", "5", "--exception", "1,3", "--alpha", "1", "--method", "exact")
    assert doc["ridge"] == "0"
    task = Task(5, [(1, 3)])
    for p in doc["pairs"]:
        trained = task.is_trained(p["i"], p["j"])
        assert p["margin"] == ("0" if not trained else ("1.0000000000000000" if p["target"] == 1 else
                                                         "-1.0000000000000000"))
    mp = predict(capsys, "--n", "5", "--exception", "1,3", "--alpha", "1", "--method", "mpmath")
    for p, q in zip(doc["pairs"], mp["pairs"]):
        assert abs(Decimal(p["margin"]) - Decimal(q["margin"])) < Decimal("1e-15")


def test_default_task_is_n9_exception_4_6(capsys):
    doc = predict(capsys, "--method", "exact", "--alpha", "1/5")
    assert doc["n"] == 9 and doc["exceptions"] == [[4, 6]] and len(doc["pairs"]) == 72


def test_table_format(capsys):
    assert main(["predict", "--n", "4", "--alpha", "1/2", "--method", "exact", "--format", "table", "--digits", "6"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0].startswith("n=4")
    assert lines[1].split() == ["i", "j", "category", "target", "margin"]
    assert len(lines) == 2 + 12
    doc = predict(capsys, "--n", "4", "--alpha", "1/2", "--method", "exact", "--digits", "6")
    rows = [line.split() for line in lines[2:]]
    assert [(int(r[0]), int(r[1]), r[2], r[4]) for r in rows] == [
        (p["i"], p["j"], p["category"], p["margin"]) for p in doc["pairs"]
    ]


def test_subprocess_json():
    """The real command line, end to end."""
    res = subprocess.run(
        [sys.executable, "-m", "symti.output.cli", "predict", "--n", "6", "--exception", "5,2", "--alpha", "0.25",
         "--ridge", "1/10", "--method", "exact", "--format", "json", "--digits", "12"],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0 and res.stderr == "", res.stderr
    doc = json.loads(res.stdout)
    task = Task(6, [(2, 5)])
    margins = check_document(doc, task, "1/4", "1/10", "exact", 12)
    _, ref = reference_strings(task, R(1, 4), R(1, 10), 12)
    assert margins == ref


# --------------------------------------------------- --method closed (the default)
def test_closed_method_agrees_with_exact(capsys):
    pytest.importorskip("symti.closed_form.evaluate")
    for args, task, a, r in [
        (["--n", "9", "--exception", "4,6", "--alpha", "1/5"], Task(9, [(4, 6)]), "1/5", "0"),
        (["--n", "11", "--exception", "4,8", "--alpha", "0.5", "--ridge", "0.1"], Task(11, [(4, 8)]), "1/2", "1/10"),
        (["--n", "6", "--alpha", "1/3"], Task(6), "1/3", "0"),
        (["--n", "9", "--exception", "4,6", "--alpha", "0"], Task(9, [(4, 6)]), "0", "0"),
        (["--n", "9", "--exception", "4,6", "--alpha", "1"], Task(9, [(4, 6)]), "1", "0"),
        (["--n", "7", "--exception", "1,4", "--exception", "3,6", "--alpha", "0.9", "--ridge", "2"],
         Task(7, [(1, 4), (3, 6)]), "9/10", "2"),
    ]:
        doc = predict(capsys, *args, "--method", "closed")
        margins = check_document(doc, task, a, r, "closed", 17)
        _, ref = reference_strings(task, R(a), R(r), 17)
        for k, s in margins.items():
            assert abs(Decimal(s) - Decimal(ref[k])) <= Decimal("1e-9") * max(1, abs(Decimal(ref[k]))), (k, s, ref[k])


def test_closed_is_the_default_method(capsys):
    pytest.importorskip("symti.closed_form.evaluate")
    doc = predict(capsys, "--n", "5", "--alpha", "1/4")
    assert doc["method"] == "closed"
    _, ref = reference_strings(Task(5), R(1, 4), 0, 17)
    for p in doc["pairs"]:
        assert abs(Decimal(p["margin"]) - Decimal(ref[(p["i"], p["j"])])) <= Decimal("1e-9")
