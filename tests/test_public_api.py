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
