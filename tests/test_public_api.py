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
