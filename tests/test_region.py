"""The solved region: exact intervals against independent solves.

Independent routes: KRR on the trial Gram matrix at mpmath precision (40+ digits)
or in exact fractions, written out from derivations/theory.md §2-§3 (none of
symti's solvers), bisection on that predicate, and the closed form
(4 - sqrt 13)/3 of derivations/theory.md §4.
"""
import json
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from strategies import examples, tasks
from symti import AlphaKernel, ExchangeableKernel, Task
from symti.analysis.region import is_solved, phase_diagram, solved_region
from test_scale import fraction_krr

R = sp.Rational
TASK = Task(9, exceptions=[(4, 6)])


def solved_mp(task, alpha, ridge, dps=60):
    """Solved at (alpha, ridge) by KRR on the trial Gram matrix in mpmath (ridge > 0 or alpha > 0)."""
    with mpmath.workdps(dps):
        a, r = mpmath.mpf(alpha), mpmath.mpf(ridge)
        trials = [(i, j) for i, j in task.ordered_pairs() if task.is_trained(i, j)]

        def k(p, q):
            si, sj = p[0] == q[0], p[1] == q[1]
            return (1 - a) / 2 * (si + sj) + a * (si and sj)

        K = mpmath.matrix([[k(p, q) + (r if s == t else 0) for t, q in enumerate(trials)] for s, p in enumerate(trials)])
        c = mpmath.lu_solve(K, mpmath.matrix([task.target(*p) for p in trials]))
        f = lambda p: sum(k(p, q) * c[t] for t, q in enumerate(trials))  # noqa: E731
        ok = all(task.ground_truth(i, j) * f((i, j)) > 0 for i, j in task.test_pairs(ordered=True))
        return ok and all(task.target(*p) * f(p) > 0 for p in trials)


def bisect(pred_lo, lo, hi, dps=45, steps=125):
    """The switch point of a predicate that holds at ``lo`` and not at ``hi`` (or the
    reverse), to ~2^-steps."""
    with mpmath.workdps(dps):
        lo, hi = mpmath.mpf(lo), mpmath.mpf(hi)
        at_lo = pred_lo(lo)
        for _ in range(steps):
            mid = (lo + hi) / 2
            if pred_lo(mid) == at_lo:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2


def test_ridgeless_example_is_the_closed_form():
    """n = 9, {4, 6}, ridgeless: (0, (4 - sqrt 13)/3) (derivations/theory.md §4-§5)."""
    Rg = solved_region(TASK)
    assert len(Rg.intervals) == 1
    a, b = Rg.intervals[0]
    assert a.value == 0
    assert abs(sp.N(b.value - (4 - sp.sqrt(13)) / 3, 50)) < 1e-45
    end = bisect(lambda x: solved_mp(TASK, x, 0), "0.05", "0.2")
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(b.decimal(40)) - end) < mpmath.mpf(10) ** -33


def test_ridge_window_against_40_digit_bisection():
    """rho = 1/20: the window (0.0064..., 0.0881...) of derivations/theory.md §5, both ends
    to 35 digits by bisection of the independent mpmath solve."""
    Rg = solved_region(TASK, R(1, 20))
    assert len(Rg.intervals) == 1
    a, b = Rg.intervals[0]
    pred = lambda x: solved_mp(TASK, x, mpmath.mpf(1) / 20)  # noqa: E731
    lo = bisect(pred, "0.001", "0.05")
    hi = bisect(pred, "0.05", "0.2")
    with mpmath.workdps(50):
        assert abs(mpmath.mpf(a.decimal(40)) - lo) < mpmath.mpf(10) ** -33
        assert abs(mpmath.mpf(b.decimal(40)) - hi) < mpmath.mpf(10) ** -33
    assert not solved_region(TASK, R(1, 5)).intervals  # above rho ~ 0.1514 no window


def _probe_points(Rg):
    """Rationals inside every interval and inside every gap (including near the ends)."""
    cuts = [0] + [x for iv in Rg.intervals for x in iv] + [1]
    out = []
    from symti.analysis.thresholds import point_between

    for a, b in zip(cuts, cuts[1:]):
        try:
            out.append(point_between(a, b))
        except ValueError:
            pass
    return [q for q in out if 0 < q < 1]


@examples(12)
@given(tasks(min_n=3, max_n=7, max_exceptions=2, weighted=False), st.sampled_from([R(0), R(1, 20), R(1, 7)]))
def test_region_membership_vs_exact_krr(task, ridge):
    """At a rational point in every interval and every gap, membership agrees with exact
    KRR on the trial Gram system (fractions)."""
    Rg = solved_region(task, ridge)
    for q in _probe_points(Rg):
        f = fraction_krr(task, Fraction(int(q.p), int(q.q)), Fraction(int(ridge.p), int(ridge.q)))
        ok = all(task.ground_truth(i, j) * f[i, j] > 0 for i, j in task.test_pairs(ordered=True))
        ok = ok and all(task.target(*p) * f[p] > 0 for p in f if task.is_trained(*p))
        assert Rg.contains(q) == ok, (task, ridge, q)


def test_one_parameter_kernel_matches_alpha_region():
    """An exchangeable kernel that is K_alpha in disguise (kappa_1 = kappa_2 = (1 - k)/2):
    its region in k is the K_alpha region, by the generic exact route."""
    k = sp.Symbol("k", positive=True)
    K = ExchangeableKernel(0, (1 - k) / 2, (1 - k) / 2, 0, 0)
    task = Task(6, exceptions=[(2, 4)])
    for ridge in (R(0), R(1, 20)):
        a = solved_region(task, ridge).intervals
        b = solved_region(task, ridge, kernel=K).intervals
        assert [(x == y, z == w) for (x, z), (y, w) in zip(a, b)] == [(True, True)] * len(a) and len(a) == len(b)


def test_fixed_kernels_decided():
    assert is_solved(TASK, AlphaKernel(R(1, 10))) and not is_solved(TASK, AlphaKernel(R(1, 5)))
    # the same through the reduction: kappa_s = 1/2 halves the ridge's effect and maps alpha
    K = ExchangeableKernel(R(1, 2), R(1, 5), R(1, 5), 0, 0)
    a, r = K.reduced_alpha_ridge(R(1, 100))
    assert is_solved(TASK, K, R(1, 100)) == solved_mp(TASK, a, r)


def test_phase_diagram_rows():
    rows = phase_diagram(TASK, [0, R(1, 20)])
    assert [r for r, _ in rows] == [0, R(1, 20)]
    assert rows[1][1][0][0].decimal(5) == "0.0064039"


def test_bad_input():
    with pytest.raises(ValueError, match="ridge"):
        solved_region(TASK, -1)
    with pytest.raises(TypeError, match="task"):
        solved_region("task")
    from symti.analysis.region import MAX_N_REGION

    with pytest.raises(ValueError, match=f"n <= {MAX_N_REGION}"):
        solved_region(Task(MAX_N_REGION + 1, exceptions=[(3, 5)]))


def run_cli(*argv):
    return subprocess.run([sys.executable, "-m", "symti.output.cli", *argv], capture_output=True, text=True)


def test_cli_region_json():
    p = run_cli("region", "--n", "9", "--exception", "4,6", "--ridge", "1/20", "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert {"n", "exceptions", "ridge", "parameter", "intervals", "intervals_exact"} <= set(doc)
    assert doc["parameter"] == "alpha" and doc["ridge"] == "1/20" and doc["exceptions"] == [[4, 6]]
    (lo, hi), = doc["intervals"]
    pred = lambda x: solved_mp(TASK, x, mpmath.mpf(1) / 20, dps=30)  # noqa: E731
    assert abs(mpmath.mpf(lo) - bisect(pred, "0.001", "0.05", dps=30, steps=60)) < 1e-15
    assert abs(mpmath.mpf(hi) - bisect(pred, "0.05", "0.2", dps=30, steps=60)) < 1e-15
    assert len(lo.replace("0.", "", 1).lstrip("0")) >= 12


@pytest.mark.parametrize("argv, needle", [
    (["region", "--ridge", "-1"], "--ridge"),
    (["region", "--n", "5000"], "--n"),
    (["region", "--kernel", "bogus:1"], "--kernel"),
    (["thresholds", "--kernel", "exchangeable:0,1/4,1/5,0,0"], "--kernel"),
])
def test_cli_bad_input_one_line(argv, needle):
    p = run_cli(*argv)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symti: error: ") and needle in lines[0]


def test_cli_region_fixed_kernel():
    p = run_cli("region", "--kernel", "exchangeable:0,1/4,1/4,0,0", "--ridge", "1/10", "--format", "json")
    doc = json.loads(p.stdout)
    assert doc["parameter"] is None and doc["alpha_eff"] == "1/2" and doc["solved"] is False
    assert doc["solved"] == solved_mp(TASK, 0.5, 0.1)
