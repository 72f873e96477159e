"""``symti predict``: the JSON document, its margins, and agreement of methods.

Most runs call :func:`symti.output.cli.main` in-process (fast); one runs the real
``python -m symti.output.cli`` in a subprocess.  Nothing is compared with
``predict_payload`` (what the CLI calls); instead

* every printed margin must be the correctly rounded value, to the requested
  significant digits, of a reference from another route: the exact solver's
  rationals rounded here with Python's ``decimal`` (for ``--method mpmath``,
  ``numeric``, ``closed``), and ``solve_mpmath`` at ``digits + 30`` digits (for
  ``--method exact``, which calls ``solve_exact`` itself);
* float methods must agree in relative error and in sign (exact zeros stay
  zero);
* categories and targets come from the test's own reading of
  derivations/theory.md §1 (``strategies.category_by_definition``), not from
  ``Task``.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import mpmath
import pytest
import sympy as sp

from symti.output.cli import main
from symti.solve.exact import solve_exact
from symti.kernels import AlphaKernel
from symti.solve.numeric import solve_mpmath, solve_numpy
from symti.task import Task

from strategies import category_by_definition, truth_by_definition

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
        assert p["category"] == category_by_definition(task.n, task.exceptions, p["i"], p["j"])
        assert p["target"] == truth_by_definition(task.n, task.exceptions, p["i"], p["j"])
        if p["category"] == "cycle":
            assert p["target"] is None
        m = p["margin"]
        assert isinstance(m, str) and NUMBER.match(m), m
        if m != "0":
            assert significant_digits(m) == digits, (m, digits)
    return {(p["i"], p["j"]): p["margin"] for p in pairs}


def rounded(v: sp.Rational, digits: int) -> str:
    """The rational ``v`` correctly rounded (half-even) to ``digits`` significant
    digits, fixed point -- with Python's ``decimal`` (exact division at
    ``digits`` digits), not mpmath."""
    v = sp.Rational(v)
    if v == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, ROUND_HALF_EVEN
        d = Decimal(int(v.p)) / Decimal(int(v.q))  # one correctly rounded division
        return format(d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1)), "f")


def reference_strings(task, alpha, ridge, digits):
    """The exact solver's margins correctly rounded to ``digits`` significant digits."""
    P = solve_exact(task, AlphaKernel(alpha), ridge)
    return P, {k: rounded(v, digits) for k, v in P.items()}


def assert_correctly_rounded(margins, task, alpha, ridge, digits):
    """Every printed margin is ``solve_mpmath`` at ``digits + 30`` digits rounded
    to ``digits`` significant digits (within half a unit in the last printed
    place); exact zeros (``|x| < 10^-(digits + 20)``) print as ``"0"``."""
    P = solve_mpmath(task, AlphaKernel(alpha), ridge, dps=digits + 30)
    with mpmath.workdps(digits + 30):
        for k, s in margins.items():
            x = mpmath.mpf(P[k])
            if abs(x) < mpmath.mpf(10) ** -(digits + 20):
                assert s == "0", (k, s, x)
                continue
            assert s != "0" and s.startswith("-") == (x < 0), (k, s, x)
            ulp = mpmath.mpf(10) ** (mpmath.floor(mpmath.log10(abs(x))) - digits + 1)
            assert abs(mpmath.mpf(s) - x) <= ulp / 2 * (1 + mpmath.mpf(10) ** -20), (k, s, x)


def assert_float_close(margins, P, rtol):
    """Float margins against exact ones: relative error ``rtol`` and the same
    sign; an exact zero must print as ``"0"``."""
    for k, s in margins.items():
        ref = sp.Rational(P[k])
        if ref == 0:
            assert s == "0", (k, s)
            continue
        x = Decimal(s)
        assert x != 0 and (x > 0) == (ref > 0), (k, s, ref)
        assert abs(x - Decimal(int(ref.p)) / Decimal(int(ref.q))) <= Decimal(rtol) * abs(x), (k, s, ref)


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
    assert_correctly_rounded(margins, task, R(alpha_json), R(ridge_json), 17)  # mpmath route
    P, ref = reference_strings(task, R(alpha_json), R(ridge_json), 17)
    assert margins == ref  # exact rationals, rounded by Python's decimal
    if excs == [(4, 8)]:
        assert any(p["target"] is None for p in doc["pairs"])


@pytest.mark.parametrize("digits", [3, 17, 40])
def test_methods_agree(capsys, digits):
    base = ["--n", "8", "--exception", "3,6", "--alpha", "1/5", "--ridge", "1/20", "--digits", str(digits)]
    task = Task(8, [(3, 6)])
    ex = check_document(predict(capsys, *base, "--method", "exact"), task, "1/5", "1/20", "exact", digits)
    mp = check_document(predict(capsys, *base, "--method", "mpmath"), task, "1/5", "1/20", "mpmath", digits)
    P, ref = reference_strings(task, R(1, 5), R(1, 20), digits)
    assert_correctly_rounded(ex, task, R(1, 5), R(1, 20), digits)
    assert ex == ref
    # mpmath works at digits + 10: the printed digits agree (values are far from rounding ties here)
    assert mp == ref
    if digits > 17:  # float64 has no 40 digits to print: refused, one line, exit 2
        assert main(["predict", *base, "--method", "numeric"]) == 2
        assert "--digits" in capsys.readouterr().err
        return
    nu = check_document(predict(capsys, *base, "--method", "numeric"), task, "1/5", "1/20", "numeric", digits)
    assert_float_close(nu, P, "1e-12" if digits >= 17 else "5e-3")  # 3 digits: rounding dominates
    M = solve_numpy(task, AlphaKernel(R(1, 5)), R(1, 20)).to_numpy()
    for (i, j), s in nu.items():
        if digits >= 17:
            assert float(s) == M[i - 1, j - 1]  # 17 digits round-trip the float exactly


def test_ridgeless_default_and_zero_margins(capsys):
    """Default ridge is the ridgeless limit; alpha = 1 gives exactly 0 off the training set."""
    doc = predict(capsys, "--n", "5", "--exception", "1,3", "--alpha", "1", "--method", "exact")
    assert doc["ridge"] == "0"
    task = Task(5, [(1, 3)])
    for p in doc["pairs"]:
        trained = p["category"] in ("premise", "exception")
        assert p["margin"] == ("0" if not trained else ("1.0000000000000000" if p["target"] == 1 else
                                                         "-1.0000000000000000"))
    assert sum(p["margin"] != "0" for p in doc["pairs"]) == 2 * (4 + 1)
    mp = predict(capsys, "--n", "5", "--exception", "1,3", "--alpha", "1", "--method", "mpmath")
    for p, q in zip(doc["pairs"], mp["pairs"]):
        assert q["margin"] == p["margin"]


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
    assert_correctly_rounded(margins, task, R(1, 4), R(1, 10), 12)
    _, ref = reference_strings(task, R(1, 4), R(1, 10), 12)
    assert margins == ref


# --------------------------------------------------- --method closed (the default)
def test_closed_method_agrees_with_exact(capsys):
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
        P, _ = reference_strings(task, R(a), R(r), 17)
        assert_float_close(margins, P, "1e-11")  # float64 closed forms: relative error and sign


def test_closed_is_the_default_method(capsys):
    doc = predict(capsys, "--n", "5", "--alpha", "1/4")
    assert doc["method"] == "closed"
    margins = check_document(doc, Task(5), "1/4", "0", "closed", 17)
    P, _ = reference_strings(Task(5), R(1, 4), 0, 17)
    assert_float_close(margins, P, "1e-11")


def test_exchangeable_kernel_beyond_twelve_items_matches_sklearn(capsys):
    """``predict --kernel exchangeable:...`` (kappa_1 != kappa_2: no reduction to K_alpha) at
    n = 30, above the old bound of 12 for every non-K_alpha kernel: the exact margins agree
    with scikit-learn's KernelRidge on the explicit trial Gram matrix built here."""
    import numpy as np
    from sklearn.kernel_ridge import KernelRidge

    from symti.kernels import ExchangeableKernel

    n, spec = 30, "exchangeable:0,1/4,1/5,1/10,0"
    assert main(["predict", "--n", str(n), "--exception", "10,14", "--kernel", spec, "--ridge", "1/10",
                 "--method", "exact", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["route"].startswith("exact, full trial Gram system")
    task = Task(n, exceptions=[(10, 14)])
    K = ExchangeableKernel(0, "1/4", "1/5", "1/10", 0)
    trials = [(i, j) for i, j in task.ordered_pairs() if task.is_trained(i, j)]
    y = np.array([task.target(i, j) for i, j in trials], dtype=float)
    pairs = [(p["i"], p["j"]) for p in doc["pairs"]]
    G = K.numeric_gram(trials)
    Gs = np.array([[float(K(p, t)) for t in trials] for p in pairs])
    ref = KernelRidge(alpha=0.1, kernel="precomputed").fit(G, y).predict(Gs)
    got = np.array([float(p["margin"]) for p in doc["pairs"]])
    assert np.max(np.abs(got - ref)) < 1e-9
