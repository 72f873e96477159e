"""The public API ("One house", item 4): regression tests.

1. :class:`symti.Predictions` is a correct ``collections.abc.Mapping``, with
   ``evalf``, ``_repr_latex_`` and a ``subs`` that keeps its flags;
2. the numeric solvers all return :class:`Predictions` (``exact=False``);
3. internal symbols are ``Dummy`` and analysis functions answer in the
   caller's symbol;
4. the closed forms validate their arguments, give trained margins at
   trained pairs and the exact values at alpha = 0 and alpha = 1.

Every check compares against an independent route: the exact solver
(``symti.solve_exact``), a numeric solver, or a value computed by hand.
"""
from __future__ import annotations

from collections.abc import Mapping

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, Predictions, Task, solve_exact
from symti.solve.numeric import solve_features, solve_mpmath, solve_numpy, solve_sklearn
from symti.kernels import ConcatOneHot

R = sp.Rational
A = sp.Symbol("alpha", positive=True)
RHO = sp.Symbol("rho", positive=True)


# ------------------------------------------------------------------ 1. Predictions
def _p3(alpha="1/2", ridge=0):
    return solve_exact(Task(3), AlphaKernel(alpha), ridge)


def test_predictions_is_a_mapping_with_callable_views():
    """keys(), values(), items(), get, in, len: the Mapping protocol, against the
    hand-computed margins of Task(3) at alpha = 1/2 (f(1,3) = 2(1-a)/(1+a) = 2/3)."""
    P = _p3()
    assert isinstance(P, Mapping)
    expected = {(1, 2): 1, (1, 3): R(2, 3), (2, 1): -1, (2, 3): 1, (3, 1): R(-2, 3), (3, 2): -1}
    assert sorted(P.keys()) == sorted(expected)
    assert sorted(P.values()) == sorted(expected.values())
    assert dict(P.items()) == expected
    assert dict(P) == expected and P == expected
    assert P.get((1, 3)) == R(2, 3) and P.get((9, 9), "none") == "none"
    assert (1, 3) in P and (1, 1) not in P and len(P) == 6
    # a pair that is not a trial: KeyError for Mapping code, ValueError naming the item for everyone else
    for exc in (KeyError, ValueError):
        with pytest.raises(exc, match=r"^j: must lie in 1\.\.3, got 4$"):
            P[1, 4]
    with pytest.raises(TypeError, match="^i: must be an integer item"):
        P[1.5, 2]


def test_predictions_subs_keeps_flags():
    """subs keeps exact, kernel, method, and substitutes into the ridge; a numeric
    Predictions stays exact=False (it used to come back exact=True)."""
    P = solve_exact(Task(4), AlphaKernel(A), RHO)
    Q = P.subs({A: R(1, 3), RHO: R(1, 2)})
    assert (Q.exact, Q.kernel, Q.method) == (True, P.kernel, "rank")
    assert Q.ridge == R(1, 2)
    assert Q[1, 3] == solve_exact(Task(4), AlphaKernel(R(1, 3)), R(1, 2))[1, 3]
    N = solve_mpmath(Task(4), AlphaKernel(R(1, 3)), dps=20)
    M = N.subs({})
    assert (M.exact, M.kernel, M.ridge, M.method) == (False, N.kernel, N.ridge, N.method)
    assert M.free_symbols == set()


def test_predictions_evalf():
    """evalf(n, subs): Floats at n digits, exact=False, against the exact rationals."""
    P = solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(A))
    F = P.evalf(20, subs={A: R(1, 5)})
    assert isinstance(F, Predictions) and F.exact is False and F.method == P.method
    assert all(isinstance(v, sp.Float) for v in F.values())
    assert abs(F[3, 6] - sp.Rational(-6, 49)) < sp.Float("1e-19", 25)   # derivations/theory.md
    assert F[3, 6]._prec >= 60                                           # 20 digits ~ 67 bits
    G = _p3().evalf()
    assert G[1, 3] == sp.Float(R(2, 3), 15) and G.exact is False
    with pytest.raises(ValueError, match="alpha"):
        P.evalf()
    # a numeric Predictions evaluates too
    assert abs(solve_mpmath(Task(3), AlphaKernel("1/2"), dps=30).evalf(25)[1, 3] - R(2, 3)) < 1e-24


def test_predictions_repr_latex():
    """The margin matrix in $...$, entry by entry the exact values."""
    s = _p3()._repr_latex_()
    assert s.startswith("$") and s.endswith("$")
    assert s == "$" + sp.latex(sp.Matrix([[0, 1, R(2, 3)], [-1, 0, 1], [R(-2, 3), -1, 0]])) + "$"
    assert r"\frac{2}{3}" in s


# ------------------------------------------------------------ 2. numeric solvers
@pytest.mark.parametrize("solver,method", [(solve_numpy, "numpy"), (solve_sklearn, "sklearn"),
                                           (solve_features, "features"), (solve_mpmath, "mpmath50")])
@pytest.mark.parametrize("ridge", [0, R(1, 3)])
def test_numeric_solvers_return_predictions(solver, method, ridge):
    """One return type: Predictions(exact=False) with the kernel, ridge and method,
    its matrix (to_numpy) equal to the exact solver's."""
    task = Task(6, exceptions=[(2, 5)])
    kernel = ConcatOneHot() + AlphaKernel(R(1, 4))   # has a feature map, so solve_features applies
    if solver is solve_sklearn and ridge == 0:   # KernelRidge has no ridgeless limit: refused
        with pytest.raises(ValueError, match="^ridge: scikit-learn"):
            solver(task, kernel, ridge)
        return
    P = solver(task, kernel, ridge)
    assert isinstance(P, Predictions) and P.exact is False
    assert (P.kernel, P.ridge, P.method, P.task) == (kernel, ridge, method, task)
    E = solve_exact(task, kernel, ridge).to_numpy()
    assert isinstance(P.to_numpy(), np.ndarray) and P.to_numpy().shape == (6, 6)
    np.testing.assert_allclose(P.to_numpy(), E, atol=1e-9)
    assert abs(float(P[2, 5]) - E[1, 4]) < 1e-9


# ------------------------------------------------------------ 3. symbols
def test_exact_ridgeless_limit_does_not_capture_a_user_symbol():
    """The ridgeless limit's internal ridge is a Dummy: a weight the user named
    ``rho_`` is not sent to 0 with it.  Reference: the same task with the weight
    named ``w`` (then renamed), and the hand-computed value at w = 2."""
    w, clash = sp.Symbol("w", positive=True), sp.Symbol("rho_", positive=True)

    def margin(x):   # alpha = 0: the Gram matrix is singular, the solver takes rho -> 0+
        return solve_exact(Task(4, exceptions=[(1, 3)], weights={(1, 3): x}), AlphaKernel(0))[3, 1]

    ref = margin(w)
    assert sp.cancel(margin(clash) - ref.subs(w, clash)) == 0
    assert ref.subs(w, 2) == margin(2) == R(2, 5)       # (2w - 2)/(2w + 1) at w = 2


def test_exact_rank_route_with_a_user_symbol_named_mu():
    """The rank route's internal mu is a Dummy: alpha (or the ridge) named ``mu`` gives
    the same rational functions as any other name (here checked at a point against
    the full Gram route, which never uses mu)."""
    mu, x = sp.Symbol("mu"), sp.Symbol("x")
    task = Task(6, exceptions=[(2, 5)])
    for kernel_of, ridge_of in [(lambda s: AlphaKernel(s), lambda s: 0),
                                (lambda s: AlphaKernel(1 / (1 + s)), lambda s: R(1, 3)),
                                (lambda s: AlphaKernel(R(1, 3)), lambda s: s)]:
        P = solve_exact(task, kernel_of(mu), ridge_of(mu))
        Q = solve_exact(task, kernel_of(x), ridge_of(x))
        G = solve_exact(task, kernel_of(R(1, 2)), ridge_of(R(1, 2)), method="gram")
        for key in [(1, 3), (2, 5), (6, 1), (3, 4)]:
            assert sp.cancel(P[key] - Q[key].subs(x, mu)) == 0
            assert P[key].subs(mu, R(1, 2)) == G[key]


def test_closed_forms_do_not_capture_user_symbols():
    """forms.py's internal lambda, rho and alpha are Dummies.  References: the
    additive ranks (n+1)/2 - i by hand; the exact solver."""
    from symti.closed_form import additive_limit_ranks, conjunctive_limit_margin, ridgeless_exception_margin

    lam = sp.Symbol("lambda", positive=True)           # a user's n that happens to be called lambda
    assert sp.simplify(additive_limit_ranks(lam, 1) - ((lam + 1) / 2 - 1)) == 0
    rho = sp.Symbol("rho", positive=True)              # a user's exception weight called rho
    f = ridgeless_exception_margin(9, 3, 6, 4, 6, A, weight=rho)
    E = solve_exact(Task(9, exceptions=[(4, 6)], weights={(4, 6): 3}), AlphaKernel(R(1, 5)))
    assert sp.nsimplify(sp.N(f.subs({A: R(1, 5), rho: 3}), 40), tolerance=1e-30) == E[3, 6] == R(-6, 49)
    g = conjunctive_limit_margin(9, 6, 4, [(4, 6)], ridge=A)   # a ridge written with the symbol alpha
    assert g.subs(A, R(1, 3)) == solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(1), R(1, 3))[6, 4] == R(3, 4)


def test_analysis_functions_answer_in_the_callers_symbol():
    """thresholds.margin_functions / thresholds and limits.margin_function / margin_series /
    threshold_ridge_series: canonical symti.params.alpha by default, the caller's symbol
    (here one without assumptions) on request, so that .subs works.  Reference:
    f(1, 3) = 2(1 - a)/(1 + a) of Task(3), and solve_exact."""
    from symti import params
    from symti.analysis.limits import margin_function, margin_series, threshold_ridge_series
    from symti.analysis.thresholds import margin_functions, thresholds

    x = sp.Symbol("alpha")                               # no assumptions: not params.alpha
    assert x != params.alpha
    assert margin_functions(Task(3))[1, 3].free_symbols == {params.alpha}
    assert margin_functions(Task(3), symbol=x)[1, 3].subs(x, R(1, 2)) == R(2, 3)
    T = thresholds(Task(9, exceptions=[(4, 6)]), symbol=x)
    assert T.pair(3, 6).margin.subs(x, R(1, 5)) == R(-6, 49)
    assert T.critical_alpha.decimal(8) == "0.13148291"
    assert margin_function(Task(3), 1, 3, "alpha", symbol=x).subs(x, R(1, 2)) == R(2, 3)
    e = sp.Symbol("e")
    assert margin_function(Task(3), 1, 3, "1-alpha", symbol=e).subs(e, R(1, 2)) == R(2, 3)
    r = sp.Symbol("r")
    E = solve_exact(Task(3), AlphaKernel(R(1, 2)), R(1, 4))[1, 3]
    assert margin_function(Task(3), 1, 3, "rho", alpha=x, symbol=r).subs({x: R(1, 2), r: R(1, 4)}) == E
    s = margin_series(Task(3), 1, 3, "alpha", order=3, symbol=x)
    assert s.var == x and s.truncated == 4 * x**2 - 4 * x + 2        # 2(1-a)/(1+a) = 2 - 4a + 4a^2 - ...
    (row,) = threshold_ridge_series(Task(9, exceptions=[(4, 6)]), 3, 6, symbol=x)
    assert row["slope_function"].free_symbols <= {x}
    assert row["slope_function"].subs(x, row["alpha0"]).equals(row["slope"])
    with pytest.raises(TypeError, match="^symbol: must be a SymPy Symbol"):
        margin_functions(Task(3), symbol="alpha")


# ------------------------------------------------------------ 4. closed forms
from symti.closed_form import (  # noqa: E402
    additive_limit_margin,
    additive_limit_ranks,
    conjunctive_limit_margin,
    conjunctive_limit_ranks,
    exception_margin,
    exception_rank,
    ridgeless_exception_margin,
    ridgeless_ti_margin,
    ti_margin,
    ti_trained_margin,
    woodbury_ranks,
)
from strategies import WEIGHTS, alphas, ridges  # noqa: E402

LAM = sp.Symbol("lambda", positive=True)
TOL = sp.Float("1e-25", 40)


def _close(closed, exact):
    """closed form (hyperbolics, possibly) == the exact solver's rational, to 25 digits
    (lambda = acosh(...) evaluated to 60 digits first: much faster than evalf of the nest)."""
    closed = sp.sympify(closed)
    closed = closed.xreplace({a: sp.Float(a.evalf(60), 60) for a in closed.atoms(sp.acosh)})
    return abs(sp.N(closed - exact, 40)) < TOL


def test_closed_form_values_from_the_issue():
    """The values the issue names, against solve_exact and by hand."""
    E = solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(R(1, 5)))
    assert E[3, 6] == R(-6, 49)
    assert _close(exception_margin(9, 3, 6, 6, 4, R(1, 5)), E[3, 6])       # {4, 6} given as (6, 4)
    assert _close(exception_margin(9, 3, 6, 4, 6, R(1, 5)), E[3, 6])
    assert ti_margin(5, 1, 2, A) == 1 and ti_margin(5, 2, 1, A) == -1          # ridgeless premises are fit
    assert ti_margin(5, 1, 3, 0) == 2 == solve_exact(Task(5), AlphaKernel(0))[1, 3]
    assert ti_margin(5, 1, 3, 1) == 0 == solve_exact(Task(5), AlphaKernel(1))[1, 3]
    # with a ridge: the trained margin m + (1 - m)(r_1 - r_2), not the rank difference
    for a0, r0 in [(R(1, 3), R(1, 2)), (R(3, 4), R(2))]:
        assert _close(ti_margin(5, 1, 2, a0, r0), solve_exact(Task(5), AlphaKernel(a0), r0)[1, 2])
        assert _close(ti_margin(5, 4, 3, a0, r0), solve_exact(Task(5), AlphaKernel(a0), r0)[4, 3])
    assert ti_margin(5, 1, 2, 1, R(1, 2)) == R(2, 3) == solve_exact(Task(5), AlphaKernel(1), R(1, 2))[1, 2]


@pytest.mark.parametrize("n", [2, 3, 5, 7])
@pytest.mark.parametrize("a0,r0", [(R(0), R(0)), (R(1), R(0)), (R(0), R(1, 3)), (R(1), R(1, 3)), (R(2, 5), R(0))])
def test_ti_margin_every_pair_against_exact_solver(n, a0, r0):
    """ti_margin, ti_trained_margin and ridgeless_ti_margin on every ordered pair, the ends
    alpha = 0 and 1 included (no nan): the exact solver's value (exactly, when rational)."""
    E = solve_exact(Task(n), AlphaKernel(a0), r0)
    for (i, j), e in E.items():
        f = ti_margin(n, i, j, a0, r0)
        assert f.is_finite and _close(f, e), (i, j, f, e)
        if (a0 in (0, 1) and r0 == 0) or a0 == 1:
            assert f == e
        if j == i + 1:
            assert ti_trained_margin(n, i, a0, r0) == f
        if r0 == 0:
            assert ridgeless_ti_margin(n, i, j, a0) == f or _close(ridgeless_ti_margin(n, i, j, a0), e)


@st.composite
def _exception_cases(draw):
    n = draw(st.integers(3, 9))
    u = draw(st.integers(1, n - 2))
    v = draw(st.integers(u + 2, n))
    task_pairs = [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]
    trained = [(u, v), (v, u), (u, u + 1), (u + 1, u), (v - 1, v), (v, v - 1)]
    pairs = draw(st.lists(st.sampled_from(trained + task_pairs), min_size=2, max_size=4, unique=True))
    alpha = draw(st.one_of(st.sampled_from([R(0), R(1)]), alphas(interior=True)))
    return n, (u, v), draw(st.booleans()), pairs, alpha, draw(ridges()), draw(st.sampled_from(WEIGHTS))


@given(_exception_cases())
def test_exception_margin_against_exact_solver(case):
    """exception_margin (u, v in either order), premises, the exception pair, untrained
    pairs, alpha = 0 and 1 included, any ridge and exception weight: solve_exact's value."""
    n, (u, v), swap, pairs, a0, r0, w = case
    E = solve_exact(Task(n, exceptions=[(u, v)], weights={(u, v): w}), AlphaKernel(a0), r0)
    uu, vv = (v, u) if swap else (u, v)
    for i, j in pairs:
        f = exception_margin(n, i, j, uu, vv, a0, r0, weight=w)
        assert f.is_finite and _close(f, E[i, j]), (i, j, f, E[i, j])
        if r0 == 0:
            g = ridgeless_exception_margin(n, i, j, uu, vv, a0, weight=w)
            assert _close(g, E[i, j]), (i, j, g, E[i, j])


@pytest.mark.parametrize("n,exc", [(6, (2, 5)), (7, (1, 7)), (9, (4, 6))])
def test_exception_margin_at_the_ends_every_pair(n, exc):
    """alpha = 0 (ridgeless: the additive fit, trained pairs included) and alpha = 1: exact
    rationals equal to the exact solver's on every ordered pair."""
    for a0, r0 in [(0, 0), (1, 0), (1, R(1, 2))]:
        E = solve_exact(Task(n, exceptions=[exc]), AlphaKernel(a0), r0)
        for (i, j), e in E.items():
            assert exception_margin(n, i, j, exc[1], exc[0], a0, r0) == e, (a0, r0, i, j)


def test_limit_forms_take_exceptions_in_either_order():
    """additive_limit_*, conjunctive_limit_*, woodbury_ranks: an exception given as (v, u) is
    {u, v}.  References: solve_exact at alpha = 0 (untrained additive margins), alpha = 1, and
    the ridgeless Woodbury ranks at alpha = 1/3."""
    n, exc = 8, [(1, 3), (4, 8)]
    rev = [(3, 1), (8, 4)]
    t = Task(n, exceptions=exc)
    E0 = solve_exact(t, AlphaKernel(0))
    E1 = solve_exact(Task(n, exceptions=exc[:1]), AlphaKernel(1), R(1, 3))
    for i, j in [(1, 4), (2, 5), (3, 1), (4, 8), (8, 4), (5, 6), (6, 2)]:
        lim = additive_limit_margin(n, i, j, rev)
        assert lim == (t.target(i, j) if t.is_trained(i, j) else E0[i, j])
    for i, j in [(1, 4), (3, 1), (1, 3), (5, 6)]:   # (two exceptions: seconds per pair)
        assert conjunctive_limit_margin(n, i, j, rev[:1], R(1, 3)) == E1[i, j]
    assert conjunctive_limit_margin(n, 8, 4, rev, R(1, 3)) == R(3, 4) == \
        solve_exact(t, AlphaKernel(1), R(1, 3))[8, 4]
    assert [additive_limit_ranks(n, k, rev) for k in (1, 5)] == [additive_limit_ranks(n, k, exc) for k in (1, 5)]
    assert conjunctive_limit_ranks(n, [1, 5], rev) == [0, 0]
    a0 = R(1, 3)
    E = solve_exact(Task(n, exceptions=exc), AlphaKernel(a0))
    lam0 = sp.acosh(1 / (1 - a0))
    r = woodbury_ranks(n, rev, lam0, i=[1, 2, 5, 7])
    assert _close(r[0] - r[2], E[1, 5]) and _close(r[1] - r[3], E[2, 7])


def test_exception_rank_normalises_and_matches_exact_solver():
    """exception_rank(n, i, v, u) == exception_rank(n, i, u, v); its differences are
    the exact solver's untrained margins (alpha = 1/2, ridgeless: cosh lambda = 2)."""
    lam0 = sp.acosh(2)
    E = solve_exact(Task(7, exceptions=[(2, 6)]), AlphaKernel(R(1, 2)))
    r = [exception_rank(7, k, 6, 2, lam0) for k in range(1, 8)]
    assert r[0] == exception_rank(7, 1, 2, 6, lam0)
    assert _close(r[0] - r[3], E[1, 4]) and _close(r[2] - r[6], E[3, 7])


def test_closed_forms_accept_numpy_and_sympy_integers_and_symbols():
    """numpy and SymPy integers are integers; symbolic n, i, j, u, v stay allowed (a
    Piecewise over premise / exception / untrained pairs), and substituting gives
    the exact solver's values."""
    E = solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(R(1, 5)))
    f = exception_margin(np.int64(9), np.int32(3), sp.Integer(6), np.int16(6), sp.Integer(4), R(1, 5))
    assert _close(f, E[3, 6])
    assert ti_margin(np.int64(5), np.int8(1), sp.Integer(3), 0) == 2
    n, i, j, u, v = sp.symbols("n i j u v", integer=True, positive=True)
    F = ti_margin(n, i, j, A)
    assert isinstance(F, sp.Piecewise)
    T = solve_exact(Task(6), AlphaKernel(R(1, 3)))
    for (a, b) in [(1, 2), (3, 2), (1, 4), (6, 2)]:
        assert _close(F.subs({n: 6, i: a, j: b}).subs(A, R(1, 3)), T[a, b])
    G = exception_margin(n, i, j, u, v, A)
    for (a, b) in [(3, 6), (6, 4), (4, 5), (1, 9)]:
        assert _close(G.subs({n: 9, i: a, j: b, u: 4, v: 6}).subs(A, R(1, 5)), E[a, b])


_a = A
BAD_CALLS = [
    ("n < 2", lambda: ti_margin(1, 1, 2, _a), ValueError, r"^n: must be an integer >= 2, got 1$"),
    ("n float", lambda: ti_margin(5.0, 1, 3, _a), TypeError, r"^n: must be an integer"),
    ("i = 0", lambda: ti_margin(5, 0, 3, _a), ValueError, r"^i: must lie in 1\.\.5, got 0$"),
    ("j > n", lambda: ti_margin(5, 1, 6, _a), ValueError, r"^j: must lie in 1\.\.5, got 6$"),
    ("i = j", lambda: ti_margin(5, 2, 2, _a), ValueError, r"^\(i, j\): a trial needs two different items"),
    ("i float", lambda: ti_margin(5, 1.5, 3, _a), TypeError, r"^i: must be an integer item"),
    ("i rational", lambda: ti_margin(5, R(3, 2), 3, _a), TypeError, r"^i: must be an integer item"),
    ("i bool", lambda: ti_margin(5, True, 3, _a), TypeError, r"^i: must be an integer item"),
    ("alpha > 1", lambda: ti_margin(5, 1, 3, 2), ValueError, r"^alpha: must lie in \[0, 1\]"),
    ("premise i = n", lambda: ti_trained_margin(5, 5, _a), ValueError, r"^i: must lie in 1\.\.4, got 5$"),
    ("adjacent u, v", lambda: exception_margin(9, 3, 6, 4, 5, _a), ValueError,
     r"^\(u, v\): an exception needs items at least 2 apart \(\|u - v\| >= 2"),
    ("adjacent v, u", lambda: exception_margin(9, 3, 6, 5, 4, _a), ValueError, r"^\(u, v\): .*got \(5, 4\)$"),
    ("u = v", lambda: exception_margin(9, 3, 6, 4, 4, _a), ValueError, r"^\(u, v\): an exception needs"),
    ("u = 0", lambda: exception_margin(9, 3, 6, 0, 6, _a), ValueError, r"^u: must lie in 1\.\.9, got 0$"),
    ("v > n", lambda: exception_margin(9, 3, 6, 4, 10, _a), ValueError, r"^v: must lie in 1\.\.9, got 10$"),
    ("u float", lambda: exception_margin(9, 3, 6, 4.0, 6, _a), TypeError, r"^u: must be an integer item"),
    ("weight 0", lambda: exception_margin(9, 3, 6, 4, 6, _a, 0, 0), ValueError, r"^weight: must be > 0"),
    ("rank i > n", lambda: exception_rank(9, 10, 4, 6, LAM), ValueError, r"^i: must lie in 1\.\.9, got 10$"),
    ("rank adjacent", lambda: exception_rank(9, 1, 6, 5, LAM), ValueError, r"^\(u, v\): an exception needs"),
    ("woodbury adjacent", lambda: woodbury_ranks(6, [(1, 2)], LAM, i=1), ValueError,
     r"^exceptions\[0\]: an exception needs items at least 2 apart"),
    ("woodbury twice", lambda: woodbury_ranks(6, [(1, 3), (3, 1)], LAM), ValueError,
     r"^exceptions: the same exception is listed twice"),
    ("woodbury i", lambda: woodbury_ranks(6, [(1, 3)], LAM, i=7), ValueError, r"^i: must lie in 1\.\.6, got 7$"),
    ("woodbury not a pair", lambda: woodbury_ranks(6, [3], LAM), TypeError, r"^exceptions\[0\]: an exception is a pair"),
    ("woodbury n", lambda: woodbury_ranks(1, [], LAM), ValueError, r"^n: must be an integer >= 2"),
    ("ridgeless i = j", lambda: ridgeless_ti_margin(3, 1, 1, _a), ValueError, r"^\(i, j\): a trial needs"),
    ("ridgeless exc range", lambda: ridgeless_exception_margin(9, 3, 6, 4, 16, _a), ValueError,
     r"^v: must lie in 1\.\.9, got 16$"),
    ("additive i", lambda: additive_limit_ranks(9, 10), ValueError, r"^i: must lie in 1\.\.9, got 10$"),
    ("additive adjacent", lambda: additive_limit_margin(9, 3, 6, [(4, 5)]), ValueError,
     r"^exceptions\[0\]: an exception needs items at least 2 apart"),
    ("additive j", lambda: additive_limit_margin(9, 3, 0, [(4, 6)]), ValueError, r"^j: must lie in 1\.\.9, got 0$"),
    ("conjunctive items", lambda: conjunctive_limit_ranks(5, [1, 6]), ValueError, r"^i\[1\]: must lie in 1\.\.5, got 6$"),
    ("conjunctive range", lambda: conjunctive_limit_margin(9, 3, 6, [(0, 6)]), ValueError,
     r"^exceptions\[0\]: must lie in 1\.\.9, got 0$"),
    ("conjunctive n", lambda: conjunctive_limit_margin(2.5, 1, 2), TypeError, r"^n: must be an integer"),
]


@pytest.mark.parametrize("label,call,exc,pattern", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_closed_forms_reject_bad_arguments(label, call, exc, pattern):
    """One clear error naming the parameter and the allowed range (was: garbage or nan)."""
    with pytest.raises(exc, match=pattern):
        call()
