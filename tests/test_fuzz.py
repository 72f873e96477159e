"""Fuzzing the public API and the command line: only documented errors escape,
and every number returned agrees with an independent route.

Arguments are drawn from a mix of valid values and the inputs users actually
get wrong: floats where integers belong, NaN and infinities, huge and tiny
numbers, strings (numbers, expressions, code), ``None``, booleans, NumPy
integers, nested lists.  The documented errors are ``ValueError`` and
``TypeError`` (and their subclasses); anything else -- ``ZeroDivisionError``,
``IndexError``, SymPy's ``SympifyError`` or ``PolynomialError``,
``AttributeError`` -- is a bug.  The command line must answer every argv with
exit status 0 or 2 and, for 2, one line on stderr.

When a call succeeds on small tasks, its numbers are compared with the exact
solver (:func:`symti.solve_exact`) at the same exact parameters, so a
confidently wrong result fails here too.  The example count follows the
hypothesis profile (``tests/conftest.py``).
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symti import AlphaKernel, Task, solve_exact
from symti.closed_form import exception_margin, ti_margin
from symti.closed_form.evaluate import margin_matrix, margins, rank_vector_numeric
from symti.output.cli import main

DOCUMENTED = (ValueError, TypeError)

#: A few strings a user (or an attacker) might pass where a number belongs.
STRINGS = ["1/3", "0.25", "1e-3", "-1", "nan", "inf", "-inf", "1/0", "abc", "", " ", "2**3",
           "__import__('os').getpid()", "1e400", "1e-400", "0x10", "1_000", "½", "3,5"]


def junk():
    """Values of every wrong type, plus edge-case numbers."""
    return st.one_of(
        st.none(), st.booleans(),
        st.integers(min_value=-10**6, max_value=10**6),
        st.sampled_from([0, 1, 2, 3, 10**30, -1]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([1e-300, 5e-324, 1e308, 0.5, 1.0 - 1e-16, float("nan")]),
        st.sampled_from(STRINGS),
        st.sampled_from([np.int64(3), np.float64(0.5), np.int32(2)]),
        st.lists(st.integers(-3, 12), max_size=3),
        st.sampled_from([sp.Rational(1, 3), sp.Symbol("a"), sp.oo, sp.nan, sp.zoo, sp.I]),
    )


def parameter(valid):
    """Mostly valid values, sometimes junk."""
    return st.one_of(valid, valid, junk())


ALPHA = parameter(st.sampled_from([0, 1, "1/3", 0.2, Fraction(1, 10), sp.Rational(9, 10), "1e-9", 0.999999]))
RIDGE = parameter(st.sampled_from([0, "1/20", 1, 0.5, "1e-6", 100]))
ITEM = parameter(st.integers(1, 8))
N = parameter(st.integers(2, 8))


def _exact_margin(n, exceptions, i, j, alpha, ridge):
    """The independent reference: the exact solver at the exact parameters."""
    def exact(x):
        return sp.Rational(Fraction(x)) if isinstance(x, float) else x
    return solve_exact(Task(n, exceptions=exceptions), AlphaKernel(exact(alpha)), exact(ridge))[i, j]


def _close(x, ref, rel=1e-7, scale=1.0):
    """Relative error ``rel``, plus the float evaluator's documented absolute floor of
    1e-14 times the problem's scale (the largest exact margin; 1 when all are 0)."""
    ref = float(ref)
    return abs(float(x) - ref) <= rel * abs(ref) + 1e-14 * scale


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs), None
    except DOCUMENTED as exc:
        assert str(exc).strip(), f"empty error message from {fn.__name__}"
        assert "\n" not in str(exc).strip() or len(str(exc)) < 2000
        return None, exc


SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SETTINGS
@given(n=N, exc=parameter(st.sampled_from([[], [(1, 3)], [(3, 1)], [(2, 5)], [(1, 3), (2, 6)]])),
       weights=parameter(st.sampled_from([None, {}, {(1, 2): 2}, {(2, 1): "1/2"}])))
def test_task_constructor(n, exc, weights):
    task, err = _call(Task, n, exceptions=exc, weights=weights)
    if task is not None:
        assert 2 <= task.n and all(v - u >= 2 for u, v in task.exceptions)


@SETTINGS
@given(n=N, i=ITEM, j=ITEM, u=ITEM, v=ITEM, alpha=ALPHA, ridge=RIDGE)
def test_closed_forms(n, i, j, u, v, alpha, ridge):
    assume(not isinstance(n, (int, np.integer)) or n <= 50)
    val, err = _call(ti_margin, n, i, j, alpha, ridge)
    if val is not None:
        ref = _exact_margin(n, [], i, j, alpha, ridge)
        assert _close(sp.N(val, 30), ref), (val, ref)
    val, err = _call(exception_margin, n, i, j, u, v, alpha, ridge)
    if val is not None:
        ref = _exact_margin(n, [(u, v)], i, j, alpha, ridge)
        assert _close(sp.N(val, 30), ref), (val, ref)


@SETTINGS
@given(n=N, exc=st.sampled_from([[], [(1, 3)], [(2, 4)]]), alpha=ALPHA, ridge=RIDGE,
       i=parameter(st.lists(st.integers(1, 8), min_size=1, max_size=3)),
       j=parameter(st.lists(st.integers(1, 8), min_size=1, max_size=3)))
def test_float_evaluator(n, exc, alpha, ridge, i, j):
    assume(not isinstance(n, (int, np.integer)) or n <= 50)  # every pair is checked exactly below
    task, err = _call(Task, n, exceptions=exc)
    if task is None:
        return
    M, err = _call(margin_matrix, task, alpha, ridge)
    if M is not None:
        assert np.isfinite(M).all()
        refs = {(a, b): _exact_margin(task.n, task.exceptions, a, b, alpha, ridge)
                for a in range(1, task.n + 1) for b in range(1, task.n + 1) if a != b}
        scale = max(abs(float(v)) for v in refs.values()) or 1.0
        for (a, b), ref in refs.items():
            assert _close(M[a - 1, b - 1], ref, 1e-7, scale=scale), (a, b, M[a - 1, b - 1], ref)
    out, err = _call(margins, task, i, j, alpha, ridge)
    if out is not None:
        assert np.isfinite(out).all()
        for x, (a, b) in zip(np.ravel(out), zip(np.ravel(i), np.ravel(j))):
            ref = _exact_margin(task.n, task.exceptions, int(a), int(b), alpha, ridge)
            assert _close(x, ref, 1e-7, scale=max(1.0, float(np.abs(out).max()))), (a, b, x, ref)  # ranks O(1) here
    r, err = _call(rank_vector_numeric, task, alpha, ridge)
    if r is not None:
        assert np.isfinite(r).all()


@SETTINGS
@given(n=N, exc=st.sampled_from([[], [(1, 3)], [(2, 4)]]), alpha=ALPHA, ridge=RIDGE)
def test_exact_solver(n, exc, alpha, ridge):
    assume(not isinstance(n, (int, np.integer)) or n <= 50)
    task, err = _call(Task, n, exceptions=exc)
    if task is None:
        return
    P, err = _call(solve_exact, task, AlphaKernel(0) if alpha is None else _kernel(alpha), ridge)
    if P is not None:
        for (a, b), v in P.items():
            assert v == -P[b, a]


def _kernel(alpha):
    try:
        return AlphaKernel(alpha)
    except DOCUMENTED:
        return AlphaKernel(0)


ARGV_TOKENS = st.sampled_from([
    "predict", "thresholds", "report", "--n", "--exception", "--alpha", "--ridge", "--digits", "--method",
    "--format", "json", "table", "closed", "exact", "mpmath", "numeric", "4,6", "6,4", "1,2", "0,3", "9",
    "5", "3", "1", "0", "-3", "1/3", "0.2", "1e-400", "1e400", "-inf", "nan", "abc", "2,4", "1,3",
    "__import__('os')", "100000", "25", "--bogus",
])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(argv=st.lists(ARGV_TOKENS, min_size=1, max_size=8))
def test_cli_answers_every_argv(argv, capsys):
    if argv[0] not in ("predict", "thresholds", "report"):
        argv = ["predict"] + argv
    if "--n" in argv:  # keep the fuzz fast: small tasks only (the bounds have their own tests)
        k = argv.index("--n")
        if k + 1 < len(argv) and argv[k + 1].isdigit() and int(argv[k + 1]) > 12 and argv[0] != "predict":
            argv[k + 1] = "12"
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse's --help
        rc = exc.code
    out = capsys.readouterr()
    assert rc in (0, 2), (argv, rc, out.err)
    if rc == 2:
        lines = out.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("symti: error: "), (argv, out.err)
        assert "Traceback" not in out.err
    else:  # nothing non-finite reported as a success
        assert not re.search(r"\b(nan|inf|infinity)\b", out.out.lower()), (argv, out.out[:500])


@pytest.mark.parametrize("value,digits", [("1/0", 18), (float("nan"), 5), ("abc", 3), (sp.Symbol("x"), 3),
                                          (1.0, 0), (1.0, 10**6), (None, 3)])
def test_format_decimal_documented_errors(value, digits):
    from symti._validate import format_decimal

    with pytest.raises(DOCUMENTED):
        format_decimal(value, digits)


def test_fuzz_inputs_include_the_reported_cases():
    """The findings of the issue, directly (each raised something undocumented before)."""
    from symti import rank_vector
    from symti._validate import format_decimal

    for call in (lambda: format_decimal("1/0", 18), lambda: Task(5, weights=[1, 2]),
                 lambda: Task(8, exceptions=5)):
        with pytest.raises(DOCUMENTED):
            call()
    # alpha = rho = 0 (was SingularSystem): the ridgeless limit, the additive least-squares ranks
    # r = L^+ b; for n = 2, L = [[1, -1], [-1, 1]], b = (1, -1): r = (1/2, -1/2)
    assert rank_vector(Task(2), 0, 0) == [sp.Rational(1, 2), -sp.Rational(1, 2)]
    assert Task(8, exceptions=None).exceptions == ()
    ref = solve_exact(Task(5), AlphaKernel("1/2"))[1, 3]          # numpy integers are items
    assert math.isclose(float(margins(Task(5), [np.int64(1)], [np.int64(3)], 0.5)[0]), float(ref), rel_tol=1e-12)
    for i, j in (([1.7], [3.2]), ([2], [2]), ([0], [3])):        # no truncation, no silent 0
        with pytest.raises(DOCUMENTED):
            margins(Task(5), i, j, 0.5)


def test_additive_limit_ignores_training_weights():
    """alpha -> 0+ ridgeless: gamma_e = 1 and m_e = 1 for any weight, so the weights drop out
    (was: weights used as gamma factors, 8/5 instead of 2 for (1, 5)); the reference is the
    exact solver's margin, a rational function of alpha, and its limit alpha -> 0+."""
    from symti.closed_form import additive_limit_margin

    a = sp.Symbol("a", positive=True)
    for (i, j), w in (((1, 5), 2), ((1, 4), 2), ((2, 5), sp.Rational(1, 3))):
        P = solve_exact(Task(6, exceptions=[(1, 3)], weights={(1, 3): w}), AlphaKernel(a))
        assert additive_limit_margin(6, i, j, [(1, 3)], weights=[w]) == sp.limit(P[i, j], a, 0, "+")
    with pytest.raises(ValueError):
        additive_limit_margin(6, 1, 5, [(1, 3)], weights=[-1])


@pytest.mark.parametrize("call", [
    lambda code: __import__("symti.kernels.networks", fromlist=["x"]).kernel_map(code),
    lambda code: __import__("symti.closed_form.forms", fromlist=["x"]).woodbury_ranks(6, [(1, 3)], sp.Symbol("l"), gammas=[code]),
    lambda code: __import__("symti.analysis.thresholds", fromlist=["x"]).sign_intervals(code),
    lambda code: __import__("symti.solve.dynamics", fromlist=["x"]).phi(code, 1),
    lambda code: __import__("symti.kernels", fromlist=["x"]).SimilarityKernel([[code, 0], [0, 1]]),
])
def test_no_string_is_evaluated(call, tmp_path):
    """A string reaches only the restricted number parser: code in it never runs."""
    marker = tmp_path / "ran"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    with pytest.raises(DOCUMENTED):
        call(code)
    assert not marker.exists()


@pytest.mark.parametrize("alpha,ridge", [(0.5, 1e308), (0.9999999999, 1e300), (0.5, 1e-300), (1e-300, 0.0)])
def test_float_evaluator_finite_and_accurate_at_extremes(alpha, ridge):
    """Was NaN for ridge 1e308 (mu overflowed); checked by relative error against the
    mpmath closed form at 30 digits, at the floats' exact binary values."""
    from symti.closed_form.evaluate import margin_matrix_mp

    task = Task(9, exceptions=[(4, 6)])
    M = margin_matrix(task, alpha, ridge)
    assert np.isfinite(M).all()
    Mp = margin_matrix_mp(task, Fraction(alpha), Fraction(ridge), 30)
    scale = max(abs(float(Mp[i, j])) for i in range(9) for j in range(9))
    for i in range(9):
        for j in range(9):
            if i != j:
                ref = float(Mp[i, j])
                assert abs(M[i, j] - ref) <= 1e-9 * abs(ref) + 1e-13 * scale, (i + 1, j + 1, M[i, j], ref)


KERNEL_SLOT = st.one_of(st.sampled_from([None, 3, "alpha", 0.5, [1, 2], sp.Symbol("a")]),
                        st.sampled_from(["1/3", "0", "1"]).map(AlphaKernel))


@pytest.mark.parametrize("route", ["solve_numpy", "solve_mpmath", "solve_sklearn", "flow_numpy", "flow_mpmath"])
@SETTINGS
@given(kernel=KERNEL_SLOT)
def test_kernel_argument_is_checked_on_every_route(route, kernel):
    """A non-kernel in the kernel slot is a TypeError naming ``kernel`` (these routes
    raised AttributeError on None, numbers and strings); a kernel gives margins
    equal to the exact solver's."""
    from symti.solve import dynamics, numeric

    fn = getattr(numeric, route, None) or getattr(dynamics, route)
    args = {"flow_numpy": ([1e6],), "flow_mpmath": (10**6,)}.get(route, ())
    kw = {"ridge": "1/10"} if route == "solve_sklearn" else {}
    task = Task(4, exceptions=[(1, 3)])
    out, err = _call(fn, task, kernel, *args, **kw)
    if not isinstance(kernel, AlphaKernel):
        assert isinstance(err, TypeError) and str(err).startswith("kernel:"), (route, kernel, err)
        return
    if route.startswith("flow"):  # at t = 1e6 the flow has converged to the ridgeless fit
        M = np.asarray(out)[-1] if route == "flow_numpy" else out.to_numpy()
        ref = solve_exact(task, kernel)
    elif err is not None:  # refusals are documented PrecisionErrors (e.g. ridgeless alpha = 0 in float64)
        return
    else:
        M, ref = out.to_numpy(), solve_exact(task, kernel, kw.get("ridge", 0))
    for (i, j), v in ref.items():
        assert abs(float(M[i - 1, j - 1]) - float(v)) <= 1e-6 * max(1.0, abs(float(v))), (route, i, j)


ANALYSIS_CALLS = {
    "memorization_time": lambda t, a, r: __import__("symti.solve.dynamics", fromlist=["x"]).memorization_time(t, a),
    "signed_margins": lambda t, a, r: __import__("symti.analysis.signatures", fromlist=["x"]).signed_margins(t, a, r),
    "distance_effect": lambda t, a, r: __import__("symti.analysis.signatures", fromlist=["x"]).distance_effect(t, a, r),
    "accuracy": lambda t, a, r: __import__("symti.analysis.accuracy", fromlist=["x"]).accuracy(t, a, r),
    "critical_alpha": lambda t, a, r: __import__("symti.analysis.scaling", fromlist=["x"]).critical_alpha(t, r),
}


@pytest.mark.parametrize("name", sorted(ANALYSIS_CALLS))
@SETTINGS
@given(n=st.integers(2, 6), exc=st.booleans(), alpha=ALPHA, ridge=RIDGE)
def test_analysis_and_dynamics_raise_only_documented_errors(name, n, exc, alpha, ridge):
    """The analysis layer and the gradient flow with fuzzed parameters: only
    ``ValueError``/``TypeError`` escape; signed margins equal the exact solver's."""
    task = Task(n, exceptions=[(1, 3)] if exc and n >= 3 else [])
    out, err = _call(ANALYSIS_CALLS[name], task, alpha, ridge)
    if name == "signed_margins" and out is not None and not isinstance(alpha, float) and not isinstance(ridge, float):
        ref = solve_exact(task, AlphaKernel(alpha), ridge)
        assert out
        for (i, j), v in out.items():
            if task.category(i, j) != "cycle":
                assert sp.simplify(v - task.target(i, j) * ref[i, j]) == 0, (i, j, v, ref[i, j])
