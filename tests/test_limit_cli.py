"""``symti limit``: the analysis module's series, exactly, and independent mpmath solves.

The CLI's JSON must equal :func:`symti.analysis.limits.margin_series` term by
term, and its series must match the full trial-Gram KRR solve in mpmath
(``symti.solve.numeric.solve_mpmath``, a different algorithm from the rank
reduction behind the series) at alpha = 1e-30 and alpha = 1 - 1e-20 to within
the series' remainder; the n -> infinity limits match mpmath solves of long lists.
"""
import json

import mpmath
import pytest
import sympy as sp

from symti import AlphaKernel, Task
from symti.analysis.limits import EPS, Q, margin_series
from symti.output.cli import main
from symti.params import alpha as A, rho as RHO
from symti.solve.numeric import solve_mpmath

R = sp.Rational
TASK = Task(9, exceptions=[(4, 6)])
NAMES = {"alpha": A, "rho": RHO, "q": Q}


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def read(s: str):
    """Our own JSON output back to SymPy (test-only; the library never sympifies user text)."""
    return sp.sympify(s, locals=NAMES)


def limit_json(capsys, *argv):
    status, out, err = run(capsys, "limit", "--n", "9", "--exception", "4,6", *argv, "--format", "json")
    assert status == 0, err
    return json.loads(out)


@pytest.mark.parametrize("pair", [(3, 6), (1, 9), (2, 6), (6, 4)])
@pytest.mark.parametrize("to,kind,x", [("0+", "alpha", R(1, 10 ** 30)), ("1-", "1-alpha", R(1, 10 ** 20))])
def test_alpha_limits_match_the_module_and_mpmath(capsys, pair, to, kind, x):
    i, j = pair
    order = 3
    doc = limit_json(capsys, "--pair", f"{i},{j}", "--alpha-to", to, "--order", str(order))
    s = margin_series(TASK, i, j, kind, order=order)
    series = read(doc["series"])
    if kind == "1-alpha":
        assert sp.expand(series - s.truncated.subs(EPS, 1 - A)) == 0
        assert sp.expand(read(doc["leading_term"]) - s.leading.subs(EPS, 1 - A)) == 0
    else:
        assert sp.expand(series - s.truncated) == 0 and sp.expand(read(doc["leading_term"]) - s.leading) == 0
    assert read(doc["limit"]) == s.terms[0][1]
    a = x if kind == "alpha" else 1 - x
    with mpmath.workdps(120):
        exact = solve_mpmath(TASK, AlphaKernel(a), 0, dps=100)[i, j]
        approx = mpmath.mpf(sp.N(series.subs(A, a), 110))
        bound = (abs(mpmath.mpf(sp.N(s.next_coefficient, 30))) + 1) * mpmath.mpf(x.p) / x.q ** order * 2
        assert abs(exact - approx) <= bound
        limit = mpmath.mpf(sp.N(read(doc["limit"]), 50))
        assert abs(exact - limit) <= 1e3 * mpmath.mpf(x.p) / x.q  # the limit itself, to first order


def test_ridge_limit_matches_mpmath(capsys):
    doc = limit_json(capsys, "--pair", "3,6", "--ridge-to", "0+", "--alpha", "1/5", "--order", "2")
    assert read(doc["limit"]) == R(-6, 49)  # theory.md §4: f(3, 6) = -6/49 at alpha = 1/5
    s = margin_series(TASK, 3, 6, "rho", order=2, alpha=R(1, 5))
    assert sp.expand(read(doc["series"]) - s.truncated) == 0
    x = R(1, 10 ** 30)
    with mpmath.workdps(100):
        exact = solve_mpmath(TASK, AlphaKernel(R(1, 5)), x, dps=90)[3, 6]
        approx = mpmath.mpf(sp.N(read(doc["series"]).subs(RHO, x), 95))
        assert abs(exact - approx) <= 10 * mpmath.mpf(10) ** -60


@pytest.mark.parametrize("argv,n,items", [
    (["--pair", "2,5"], 41, (2, 5)),                                    # from the top
    (["--pair", "-2,1", "--exception", "-1,1"], 41, (19, 22)),           # middle: exception {20, 22}
])
def test_large_n_matches_long_lists(capsys, argv, n, items):
    status, out, err = run(capsys, "limit", *argv, "--n-to-infinity", "--alpha", "1/2", "--format", "json")
    assert status == 0, err
    doc = json.loads(out)
    assert "top" in doc["how"] or "middle" in doc["how"]
    exc = [] if "--exception" not in argv else [(20, 22)]
    i, j = items
    with mpmath.workdps(40):
        finite = solve_mpmath(Task(n, exceptions=exc), AlphaKernel(R(1, 2)), 0, dps=30)[i, j]
        limit = mpmath.mpf(sp.N(read(doc["limit"]), 40))
        assert abs(finite - limit) < 1e-8  # errors O(q^(n/2)), q = 2 - sqrt 3


def test_latex_and_text_formats(capsys):
    status, out, _ = run(capsys, "limit", "--pair", "3,6", "--alpha-to", "1-", "--format", "latex")
    assert status == 0 and out.startswith(r"\lim_{\alpha \to 1^-} f(3, 6) = 0")
    status, out, _ = run(capsys, "limit", "--pair", "3,6", "--alpha-to", "0+")
    assert status == 0 and "leading term" in out


@pytest.mark.parametrize("argv,option", [
    (["--pair", "3,16", "--alpha-to", "0+"], "--pair"),
    (["--pair", "3,3", "--alpha-to", "0+"], "--pair"),
    (["--pair", "a,b", "--alpha-to", "0+"], "--pair"),
    (["--pair", "3,6", "--alpha-to", "0+", "--order", "0"], "--order"),
    (["--pair", "3,6", "--alpha-to", "2"], "argument --alpha-to"),
    (["--pair", "3,6", "--ridge-to", "0+", "--alpha", "2"], "--alpha"),
    (["--pair", "3,6", "--n-to-infinity", "--n", "9"], "--n"),
    (["--pair", "3,6", "--alpha-to", "0+", "--ridge", "-1"], "--ridge"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, option):
    status, out, err = run(capsys, "limit", *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"symti: error: {option}"), err
