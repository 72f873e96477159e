"""Bad input gives a clear error.

Library: ``ValueError`` / ``TypeError`` whose message starts with the name of
the offending parameter.  CLI (``python -m symti.output.cli predict ...`` in a
subprocess): exactly one line on stderr, exit status 2, no traceback.
"""
from __future__ import annotations

import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import sympy as sp

from symti._validate import parse_number
from symti.solve.exact import solve_exact
from symti.kernels import AlphaKernel, ExchangeableKernel, SimilarityKernel, geometric_similarity
from symti.solve.numeric import solve_mpmath, solve_numpy, solve_sklearn
from symti.task import Task

NON_PSD = ExchangeableKernel(kappa_1="9/10", kappa_2="-9/10")

LIBRARY_CASES = [
    # (label, callable, exception type, message prefix)
    ("n < 2", lambda: Task(1), ValueError, "n:"),
    ("n = 0", lambda: Task(0), ValueError, "n:"),
    ("n non-integer", lambda: Task(2.5), TypeError, "n:"),
    ("n string", lambda: Task("5"), TypeError, "n:"),
    ("n bool", lambda: Task(True), TypeError, "n:"),
    ("n nan", lambda: Task(float("nan")), TypeError, "n:"),
    ("exception out of range (low)", lambda: Task(5, [(0, 2)]), ValueError, "exceptions[0]:"),
    ("exception out of range (high)", lambda: Task(5, [(2, 6)]), ValueError, "exceptions[0]:"),
    ("exception adjacent", lambda: Task(5, [(3, 2)]), ValueError, "exceptions[0]:"),
    ("exception u = v", lambda: Task(5, [(2, 2)]), ValueError, "exceptions[0]:"),
    ("exception repeated", lambda: Task(6, [(1, 3), (3, 1)]), ValueError, "exceptions:"),
    ("exception not a pair", lambda: Task(6, [(1, 3, 5)]), TypeError, "exceptions[0]:"),
    ("exception non-integer", lambda: Task(6, [(1.5, 3)]), TypeError, "exceptions[0]:"),
    ("second exception bad", lambda: Task(6, [(1, 3), (4, 5)]), ValueError, "exceptions[1]:"),
    ("weight zero", lambda: Task(4, weights={(1, 2): 0}), ValueError, "weights[(1, 2)]:"),
    ("weight negative", lambda: Task(4, weights={(2, 1): "-1/2"}), ValueError, "weights[(2, 1)]:"),
    ("weight nan", lambda: Task(4, weights={(1, 2): float("nan")}), ValueError, "weights[(1, 2)]:"),
    ("weight untrained", lambda: Task(4, weights={(1, 3): 2}), ValueError, "weights:"),
    ("alpha > 1", lambda: AlphaKernel(1.5), ValueError, "alpha:"),
    ("alpha < 0", lambda: AlphaKernel("-1/10"), ValueError, "alpha:"),
    ("alpha nan", lambda: AlphaKernel(float("nan")), ValueError, "alpha:"),
    ("alpha numpy nan", lambda: AlphaKernel(np.float64("nan")), ValueError, "alpha:"),
    ("alpha inf", lambda: AlphaKernel(math.inf), ValueError, "alpha:"),
    ("alpha sympy oo", lambda: AlphaKernel(sp.oo), ValueError, "alpha:"),
    ("alpha sympy nan", lambda: AlphaKernel(sp.nan), ValueError, "alpha:"),
    ("alpha complex", lambda: AlphaKernel(sp.I), ValueError, "alpha:"),
    ("alpha malformed", lambda: AlphaKernel("1/3x"), ValueError, "alpha:"),
    ("alpha not eval'd", lambda: AlphaKernel("__import__('os')"), ValueError, "alpha:"),
    ("alpha None", lambda: AlphaKernel(None), TypeError, "alpha:"),
    ("similarity alpha", lambda: SimilarityKernel(sp.eye(3), alpha=2), ValueError, "alpha:"),
    ("ridge < 0", lambda: solve_exact(Task(3), AlphaKernel("1/2"), -1), ValueError, "ridge:"),
    ("ridge nan", lambda: solve_exact(Task(3), AlphaKernel("1/2"), float("nan")), ValueError, "ridge:"),
    ("ridge inf", lambda: solve_exact(Task(3), AlphaKernel("1/2"), math.inf), ValueError, "ridge:"),
    ("ridge string inf", lambda: solve_exact(Task(3), AlphaKernel("1/2"), "inf"), ValueError, "ridge:"),
    ("numpy ridge < 0", lambda: solve_numpy(Task(3), AlphaKernel("1/2"), "-0.5"), ValueError, "ridge:"),
    ("mpmath ridge nan", lambda: solve_mpmath(Task(3), AlphaKernel("1/2"), float("nan")), ValueError, "ridge:"),
    ("mpmath dps", lambda: solve_mpmath(Task(3), AlphaKernel("1/2"), dps=0), ValueError, "dps:"),
    ("method", lambda: solve_exact(Task(3), AlphaKernel("1/2"), method="lu"), ValueError, "method:"),
    ("rank needs K_alpha", lambda: solve_exact(Task(3), ExchangeableKernel(kappa_1="1/2", kappa_2="1/2"),
                                                method="rank"), ValueError, "method:"),
    ("task type", lambda: solve_exact(3, AlphaKernel("1/2")), TypeError, "task:"),
    ("kernel type", lambda: solve_exact(Task(3), "K"), TypeError, "kernel:"),
    ("non-PSD exact", lambda: solve_exact(Task(4), NON_PSD), ValueError, "kernel:"),
    ("non-PSD numpy", lambda: solve_numpy(Task(4), NON_PSD), ValueError, "kernel:"),
    ("non-PSD mpmath", lambda: solve_mpmath(Task(4), NON_PSD), ValueError, "kernel:"),
    ("non-PSD sklearn", lambda: solve_sklearn(Task(4), NON_PSD), ValueError, "kernel:"),
    ("non-PSD similarity", lambda: solve_exact(Task(3), SimilarityKernel([[1, 2, 0], [2, 1, 0], [0, 0, 1]])),
     ValueError, "kernel:"),
    ("kappa out of range", lambda: ExchangeableKernel(kappa_1=2), ValueError, "kappa_1:"),
    ("kappa_s out of range", lambda: ExchangeableKernel(kappa_s="-3/2"), ValueError, "kappa_s:"),
    ("kappa nan", lambda: ExchangeableKernel(kappa_x=float("nan")), ValueError, "kappa_x:"),
    ("gamma", lambda: geometric_similarity(4, 1), ValueError, "gamma:"),
    ("S not symmetric", lambda: SimilarityKernel([[1, 0], [1, 1]]), ValueError, "S:"),
    ("S not square", lambda: SimilarityKernel([[1, 0, 0], [0, 1, 0]]), ValueError, "S:"),
    ("scale negative", lambda: -1 * AlphaKernel(0), ValueError, "scale:"),
    ("pair out of range", lambda: Task(4).category(1, 5), ValueError, "j:"),
    ("pair i = j", lambda: Task(4).target(2, 2), ValueError, "(i, j):"),
    ("huge exponent", lambda: parse_number("1e-999999999", "ridge"), ValueError, "ridge:"),
    ("too long", lambda: parse_number("1" * 5000, "alpha"), ValueError, "alpha:"),
    ("division by zero", lambda: parse_number("1/0", "alpha"), ValueError, "alpha:"),
]


@pytest.mark.parametrize("label,fn,exc,prefix", LIBRARY_CASES, ids=[c[0] for c in LIBRARY_CASES])
def test_library_errors_name_the_parameter(label, fn, exc, prefix):
    with pytest.raises(exc) as info:
        fn()
    msg = str(info.value)
    assert msg.startswith(prefix), msg
    assert "\n" not in msg


def test_range_errors_state_the_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        AlphaKernel(2)
    with pytest.raises(ValueError, match=">= 0"):
        solve_exact(Task(3), AlphaKernel(0), -1)
    with pytest.raises(ValueError, match=">= 2"):
        Task(1)
    with pytest.raises(ValueError, match=r"1\.\.5"):
        Task(5, [(1, 7)])


CLI_CASES = [
    ("n < 2", ["--n", "1"], "--n"),
    ("n non-integer", ["--n", "2.5"], "--n"),
    ("exception out of range", ["--n", "5", "--exception", "1,9"], "--exception"),
    ("exception adjacent", ["--n", "5", "--exception", "2,3"], "--exception"),
    ("exception u = v", ["--n", "5", "--exception", "3,3"], "--exception"),
    ("exception repeated", ["--n", "6", "--exception", "1,3", "--exception", "3,1"], "exception"),
    ("exception malformed", ["--exception", "4-6"], "--exception"),
    ("alpha > 1", ["--alpha", "1.5"], "--alpha"),
    ("alpha nan", ["--alpha", "nan"], "--alpha"),
    ("alpha inf", ["--alpha", "inf"], "--alpha"),
    ("alpha malformed", ["--alpha", "0.2.5"], "--alpha"),
    ("alpha expression", ["--alpha", "2**-1"], "--alpha"),
    ("alpha huge exponent", ["--alpha", "1e-999999999"], "--alpha"),
    ("ridge < 0", ["--ridge", "-0.1"], "--ridge"),
    ("ridge malformed", ["--ridge", "1/2/3"], "--ridge"),
    ("digits", ["--digits", "0"], "--digits"),
    ("method", ["--method", "lu"], "--method"),
]


def run_cli(args):
    return subprocess.run(
        [sys.executable, "-m", "symti.output.cli", "predict", "--method", "exact", "--format", "json", *args]
        if "--method" not in args else [sys.executable, "-m", "symti.output.cli", "predict", *args],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def cli_results():
    """Run every bad-input command line (two at a time: the subprocesses are I/O bound)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run_cli, [c[1] for c in CLI_CASES]))
    return dict(zip([c[0] for c in CLI_CASES], results))


@pytest.mark.parametrize("label,args,name", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input(cli_results, label, args, name):
    res = cli_results[label]
    assert res.returncode == 2, (res.returncode, res.stderr)
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    assert name in lines[0], lines[0]
    assert res.stdout == ""


def _refused_before_work(monkeypatch, module, helper):
    """Make the expensive first step of a route fail loudly, so a test shows the size
    guard refuses *before* any Gram matrix is built."""
    def boom(*_a, **_k):
        raise AssertionError("work started before the size check")
    monkeypatch.setattr(module, helper, boom)


@pytest.mark.parametrize("route, limit_name, call", [
    ("solve_numpy", "MAX_N_NUMPY", lambda n: solve_numpy(Task(n), AlphaKernel("1/2"), "1/10")),
    ("solve_sklearn", "MAX_N_NUMPY", lambda n: solve_sklearn(Task(n), AlphaKernel("1/2"), "1/10")),
    ("solve_mpmath", "MAX_N_MPMATH", lambda n: solve_mpmath(Task(n), AlphaKernel("1/2"), "1/10", dps=20)),
    ("solve_features", "MAX_N_FEATURES", lambda n: __import__("symti.solve.numeric", fromlist=["x"]).solve_features(
        Task(n), AlphaKernel("1/2"), "1/10")),
])
def test_numeric_routes_refuse_tasks_beyond_their_measured_size(monkeypatch, route, limit_name, call):
    """Issue 8: `solve_numpy` at n = 1000 needed ~16 GB; every trial-Gram route now refuses
    n above its documented limit up front, naming the route, the limit and the cost."""
    import symti.solve.numeric as numeric

    limit = getattr(numeric, limit_name)
    _refused_before_work(monkeypatch, numeric, "check_task_psd")
    with pytest.raises(ValueError, match=rf"^task: {route} handles n <= {limit} \(.*\), got n = {limit + 1}$"):
        call(limit + 1)


def test_flow_routes_refuse_tasks_beyond_their_measured_size(monkeypatch):
    import symti.solve.dynamics as dyn

    _refused_before_work(monkeypatch, dyn, "check_task_psd")
    with pytest.raises(ValueError, match=rf"task: flow_numpy handles n <= {dyn.MAX_N_FLOW_NUMPY} "):
        dyn.flow_numpy(Task(dyn.MAX_N_FLOW_NUMPY + 1), AlphaKernel("1/2"), [1.0])
    with pytest.raises(ValueError, match=rf"task: flow_mpmath handles n <= {dyn.MAX_N_FLOW_MPMATH} "):
        dyn.flow_mpmath(Task(dyn.MAX_N_FLOW_MPMATH + 1), AlphaKernel("1/2"), 1)


def test_generic_exact_routes_refuse_tasks_beyond_their_measured_size():
    """The trial-Gram / antisymmetric exact routes: n <= 100 with numbers, n <= 20 with a
    symbol; K_alpha's rank route has no such limit."""
    import symti.solve.exact as ex

    k = ExchangeableKernel(0, "1/4", "1/5", "1/10", 0)
    with pytest.raises(ValueError, match=rf"task: solve_exact's gram route handles n <= {ex.MAX_N_GENERIC} "):
        solve_exact(Task(ex.MAX_N_GENERIC + 1), k, "1/10")
    g = sp.Symbol("g", positive=True)
    with pytest.raises(ValueError, match=rf"task: solve_exact's antisymmetric route handles n <= {ex.MAX_N_SYMBOLIC} "):
        solve_exact(Task(ex.MAX_N_SYMBOLIC + 1), ExchangeableKernel(0, "1/4", "1/4", g / 10, 0), "1/10")
    assert solve_exact(Task(ex.MAX_N_GENERIC + 1), AlphaKernel("1/2"), "1/10")[1, 3] > 0  # no limit on K_alpha


def test_weighted_thresholds_refuse_tasks_beyond_their_measured_size():
    from symti.analysis import thresholds as th

    n = th.MAX_N_WEIGHTED + 1
    with pytest.raises(ValueError, match=rf"task: thresholds of a weighted task handles n <= {th.MAX_N_WEIGHTED} "):
        th.thresholds(Task(n, exceptions=[(3, 5)], weights={(3, 5): 2}))


def test_thresholds_refuse_tasks_beyond_their_measured_size():
    """The library refuses what the command line refuses: one bound, MAX_N_THRESHOLDS."""
    from symti.analysis import thresholds as th
    from symti.output.cliargs import MAX_N

    assert MAX_N["thresholds"] == th.MAX_N_THRESHOLDS
    with pytest.raises(ValueError, match=rf"task: thresholds handles n <= {th.MAX_N_THRESHOLDS} "):
        th.thresholds(Task(th.MAX_N_THRESHOLDS + 1, exceptions=[(3, 5)]))
