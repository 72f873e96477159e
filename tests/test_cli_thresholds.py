"""``symti thresholds``: right by exact solves, handles bad input in one line.

The JSON is not compared with ``thresholds_report`` (what the CLI calls).
:func:`check_thresholds_doc` checks it against exact margins instead: the
printed wrong sets must match the sign of ``solve_exact``'s rational margin at
a grid of rational ``alpha`` and one unit in the last printed digit on either
side of every printed endpoint (so every printed digit of every ``alpha*`` is
checked); categories come from the test's own reading of theory.md §1.
"""
import json
import math
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.output.cli import main

from strategies import category_by_definition, truth_by_definition


def significant_digits(s: str) -> int:
    return len(s.lstrip("-").replace(".", "").lstrip("0"))


def check_thresholds_doc(doc, task, ridge, digits, grid=16):
    """Check a ``symti thresholds`` JSON document against exact margins."""
    assert set(doc) == {"n", "exceptions", "ridge", "critical_alpha", "pairs"}
    assert doc["n"] == task.n and doc["exceptions"] == [list(e) for e in task.exceptions]
    assert Fraction(doc["ridge"]) == Fraction(str(ridge))
    n, excs = task.n, task.exceptions
    expected = [(i, j) for i in range(1, n + 1) for j in range(i + 1, n + 1)
                if category_by_definition(n, excs, i, j) not in ("premise", "exception", "cycle")]
    assert [(p["i"], p["j"]) for p in doc["pairs"]] == expected

    def number(s):
        assert isinstance(s, str) and significant_digits(s) == digits, (s, digits)
        return Fraction(s)

    sets, probes = {}, {Fraction(k, grid) for k in range(1, grid)}
    for p in doc["pairs"]:
        assert set(p) == {"i", "j", "category", "alpha_star", "wrong_set"}
        assert p["category"] == category_by_definition(n, excs, p["i"], p["j"])
        ivs = [(number(lo), number(hi)) for lo, hi in p["wrong_set"]]
        assert all(0 <= lo < hi <= 1 for lo, hi in ivs) and all(a[1] <= b[0] for a, b in zip(ivs, ivs[1:]))
        assert (p["alpha_star"] is None) == (not ivs)
        if ivs:
            assert number(p["alpha_star"]) == ivs[0][0]  # alpha* is the infimum of the wrong set
        sets[p["i"], p["j"]] = ivs
        for e in {x for iv in ivs for x in iv if 0 < x < 1}:
            ulp = Fraction(10) ** (math.floor(math.log10(e)) - digits + 1)
            probes |= {e - ulp, e + ulp}
    stars = [iv[0][0] for iv in sets.values() if iv]
    assert (doc["critical_alpha"] is None) == (not stars)
    if stars:
        assert number(doc["critical_alpha"]) == min(stars)
    # every pair at every probe: wrong (margin of the wrong sign) iff inside a printed open interval
    checked = 0
    for a in sorted(probes):
        if not 0 < a < 1:
            continue
        P = solve_exact(task, AlphaKernel(sp.Rational(a.numerator, a.denominator)), sp.Rational(str(ridge)))
        for (i, j), ivs in sets.items():
            g = truth_by_definition(n, excs, i, j)
            wrong = bool(g * sp.Rational(P[i, j]) < 0)
            assert wrong == any(lo < a < hi for lo, hi in ivs), ((i, j), a, P[i, j], ivs)
            checked += wrong
    return checked


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_against_exact_margins(capsys):
    """The default task at the default 17 digits: every printed digit of every
    threshold is checked by exact solves one unit in the last place away."""
    code, out, err = run(capsys, "thresholds", "--n", "9", "--exception", "4,6", "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["ridge"] == "0"
    assert check_thresholds_doc(doc, Task(9, exceptions=[(4, 6)]), 0, 17) > 0
    # derivations/theory.md §4: (3, 6) goes wrong first, at alpha* = (4 - sqrt 13)/3
    p36 = next(p for p in doc["pairs"] if (p["i"], p["j"]) == (3, 6))
    assert p36["alpha_star"] == doc["critical_alpha"]
    exact = Fraction(str(sp.N((4 - sp.sqrt(13)) / 3, 40)))
    assert abs(Fraction(doc["critical_alpha"]) - exact) <= Fraction(1, 2 * 10**17)  # half a unit in the 17th digit
    wrong = {(p["i"], p["j"]): p["wrong_set"] for p in doc["pairs"] if p["wrong_set"]}
    assert set(wrong) == {(3, 6), (4, 7), (2, 6), (3, 5), (4, 8), (5, 7), (3, 7)}
    third = "0.33333333333333333"
    assert all(wrong[k] == [[third, "1.0000000000000000"]] for k in [(2, 6), (3, 5), (4, 8), (5, 7), (3, 7)])


def test_json_against_exact_solver(capsys):
    """With a ridge and 12 digits."""
    code, out, _ = run(capsys, "thresholds", "--n", "8", "--exception", "3,6", "--ridge", "1/20",
                       "--digits", "12", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ridge"] == "1/20"
    assert check_thresholds_doc(doc, Task(8, exceptions=[(3, 6)]), sp.Rational(1, 20), 12) > 0


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
    assert check_thresholds_doc(json.loads(ok.stdout), Task(7, exceptions=[(3, 5)]), 0, 10) > 0
    bad = subprocess.run([sys.executable, "-m", "symti.output.cli", "thresholds", "--exception", "4,6", "--ridge", "-0.5"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_n200_critical_alpha_brackets_an_independent_solve(capsys):
    """Issue 11's case through the command line: ``symti thresholds --n 200 --exception
    99,101``.  Just below the printed critical alpha the trial-Gram KRR solve in numpy (not
    symti's solvers) has no wrong test pair; just above, exactly the printed first pairs."""
    import numpy as np

    from test_scale import gram_krr

    assert main(["thresholds", "--n", "200", "--exception", "99,101", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    c = float(doc["critical_alpha"])
    first = sorted((p["i"], p["j"]) for p in doc["pairs"] if p["alpha_star"] == doc["critical_alpha"])
    task = Task(200, exceptions=[(99, 101)])
    tests = task.test_pairs()
    below, above = gram_krr(task, c * (1 - 1e-4)), gram_krr(task, c * (1 + 1e-4))
    assert not [p for p in tests if below[p] < 0]
    assert sorted(p for p in tests if above[p] < 0) == first and first
    assert np.isfinite(c) and 0 < c < 1e-3
