"""``symti thresholds``: agrees with the library, handles bad input in one line."""
import json
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.output.report import thresholds_report
from symti.output.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_matches_library(capsys):
    code, out, err = run(capsys, "thresholds", "--n", "9", "--exception", "4,6", "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc == thresholds_report(Task(9, exceptions=[(4, 6)]), ridge=0, digits=17)
    assert set(doc) == {"n", "exceptions", "ridge", "critical_alpha", "pairs"}
    assert doc["n"] == 9 and doc["exceptions"] == [[4, 6]] and doc["ridge"] == "0"
    for p in doc["pairs"]:
        assert set(p) == {"i", "j", "category", "alpha_star", "wrong_set"} and p["i"] < p["j"]
    # 17 significant digits by default
    digits = doc["critical_alpha"].lstrip("0.").replace(".", "")
    assert len(digits) == 17


def test_json_against_exact_solver(capsys):
    """Independent of the library: an exact solve just below and above each
    printed alpha_star (at D = 12 digits) shows the pair flipping there."""
    code, out, _ = run(capsys, "thresholds", "--n", "8", "--exception", "3,6", "--ridge", "1/20",
                       "--digits", "12", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ridge"] == "1/20"
    task = Task(8, exceptions=[(3, 6)])
    stars = []
    for p in doc["pairs"]:
        if p["alpha_star"] is None or Fraction(p["alpha_star"]) == 0:
            continue
        a = Fraction(p["alpha_star"])
        stars.append(a)
        g = task.ground_truth(p["i"], p["j"])
        for x, sgn in ((a - Fraction(1, 10**9), 1), (a + Fraction(1, 10**9), -1)):
            m = solve_exact(task, AlphaKernel(sp.Rational(x.numerator, x.denominator)), sp.Rational(1, 20))[p["i"], p["j"]]
            assert sgn * g * m > 0, (p, x)
    assert stars and Fraction(doc["critical_alpha"]) == min(stars)


def test_table_output(capsys):
    code, out, err = run(capsys, "thresholds", "--exception", "4,6", "--digits", "6")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "n=9 exceptions=[[4, 6]] ridge=0 critical_alpha=0.131483"
    rows = {tuple(l.split()[:2]): l for l in lines[2:]}
    assert "never" in rows[("1", "3")]
    assert "0.131483" in rows[("3", "6")] and "0.131483" in rows[("4", "7")]
    assert "0.333333" in rows[("5", "7")]
    assert len(rows) == 36 - 9  # pairs minus trained pairs; {4,6} leaves no untrained cycle pair
    task = Task(9, exceptions=[(4, 6)])
    expected = [(i, j) for i, j in task.ordered_pairs() if i < j and not task.is_trained(i, j) and task.ground_truth(i, j) is not None]
    assert [tuple(map(int, k)) for k in rows] == expected


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--n", "9", "--exception", "4,5"], "--exception"),
        (["--n", "9", "--exception", "4"], "--exception"),
        (["--n", "9", "--exception", "4,12"], "--exception"),
        (["--n", "1", "--exception", "1,3"], "--n"),
        (["--n", "9"], "--exception"),
        (["--exception", "4,6", "--ridge", "-1"], "--ridge"),
        (["--exception", "4,6", "--ridge", "abc"], "--ridge"),
        (["--exception", "4,6", "--ridge", "2**3"], "--ridge"),
        (["--exception", "4,6", "--digits", "0"], "--digits"),
        (["--exception", "4,6", "--format", "xml"], "--format"),
        (["--n", "x"], "--n"),
    ],
)
def test_bad_input(capsys, argv, needle):
    code, out, err = run(capsys, "thresholds", *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err and "Traceback" not in err


def test_subprocess_entry_point():
    """The installed module entry point: JSON on stdout, error line and status 2 on bad input."""
    ok = subprocess.run([sys.executable, "-m", "symti.output.cli", "thresholds", "--n", "7", "--exception", "3,5",
                         "--digits", "10", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == thresholds_report(Task(7, exceptions=[(3, 5)]), digits=10)
    bad = subprocess.run([sys.executable, "-m", "symti.output.cli", "thresholds", "--exception", "4,6", "--ridge", "-0.5"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
