"""Closed forms (symti.closed_form) against the exact solver and the PNAS formula.

Proof technique for the "closed form = exact rational function" identities:
with s = e^{lambda/2}, every hyperbolic term of the closed form is
(s^k -+ s^-k)/2 for an integer k, so the closed form at concrete n, u, v, i, j
is an element of Q(s).  The ridgeless relation cosh(lambda) = 1/(1-alpha) is
alpha = (s^2-1)^2/(s^4+1), so the exact solver's rational function F(alpha)
is also an element of Q(s).  We compute both exactly (flint polynomials, see
tests/_exact_hyperbolic.py) and compare them by cross-multiplication: a
symbolic identity in s, not a sampled check.  Since s -> alpha(s) maps
(1, oo) onto (0, 1), identity in s is identity in alpha on (0, 1), hence as
rational functions.
"""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.closed_form.forms import _exception_margin
from symti.closed_form import (
    additive_limit_margin,
    additive_limit_ranks,
    conjunctive_limit_margin,
    exception_margin,
    exception_rank,
    ridgeless_exception_margin,
    ridgeless_ti_margin,
    ti_margin,
    ti_rank,
    ti_rank_difference,
    ti_trained_margin,
    woodbury_ranks,
)
from symti.closed_form.green import green_function

sys.path.insert(0, str(Path(__file__).parent))
from _exact_hyperbolic import Lam, RatS, S, alpha_of_s, compose_alpha, exact_lambdify  # noqa: E402

A = sp.Symbol("alpha", positive=True)
RHO = sp.Symbol("rho", positive=True)
LAM = sp.Symbol("lambda", positive=True)
n_, i_, j_, u_, v_ = sp.symbols("n i j u v", integer=True, positive=True)
g_, me_, mu_ = sp.symbols("gamma m_e m_unit", positive=True)

# The public closed form, lambdified once with symbolic n, i, j, u, v (and gamma, m_e, m).
EXC_MARGIN = exact_lambdify((n_, i_, j_, u_, v_, LAM, g_, me_, mu_), _exception_margin(n_, i_, j_, u_, v_, LAM, g_, me_, mu_))
TI_DIFF = exact_lambdify((n_, i_, j_, LAM), ti_rank_difference(n_, i_, j_, LAM))


def _pnas_rank(n, i, lam):
    """The PNAS closed form, typed in independently of symti."""
    return sp.sinh(((n + 1) / sp.Integer(2) - i) * lam) / (2 * sp.cosh(n * lam / 2) * sp.sinh(lam / 2))


def _exact_in_s(F, var, sub):
    num, den = sp.fraction(F)
    return compose_alpha(num, den, var, sub)


def _pairs(n):
    return [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]


# --------------------------------------------------------------------------- TI = PNAS
def test_ti_ranks_from_green_function_equal_pnas_symbolically():
    """r = G(e_1 - e_n) with the Min/Max Green's function equals the PNAS
    ranks for symbolic n and 1 <= i <= n (n = i + k), as an identity in lambda."""
    i, k = sp.symbols("i k", integer=True, positive=True)
    n = i + k
    via_green = green_function(n, i, 1, LAM) - green_function(n, i, n, LAM)
    assert sp.simplify((via_green - _pnas_rank(n, i, LAM)).rewrite(sp.exp)) == 0
    # the endpoint i = n
    via_green_n = green_function(i, i, 1, LAM) - green_function(i, i, i, LAM)
    assert sp.simplify((via_green_n - _pnas_rank(i, i, LAM)).rewrite(sp.exp)) == 0
    # symti's ti_rank is the PNAS expression
    assert sp.simplify((ti_rank(n, i, LAM) - _pnas_rank(n, i, LAM)).rewrite(sp.exp)) == 0


def test_ti_margins_product_form_and_adjacent_correction_equal_pnas():
    """Untrained margins r_i - r_j and the adjacent-pair correction
    m + (1-m)(r_i - r_{i+1}) with m = alpha/(alpha+rho): symbolic identities
    (symbolic n, i, j, alpha, rho)."""
    d = ti_rank_difference(n_, i_, j_, LAM) - (_pnas_rank(n_, i_, LAM) - _pnas_rank(n_, j_, LAM))
    assert sp.simplify(d.rewrite(sp.exp)) == 0
    lam = sp.acosh((1 + RHO) / (1 - A))
    m = A / (A + RHO)
    pnas_adj = m + (1 - m) * (_pnas_rank(n_, i_, lam) - _pnas_rank(n_, i_ + 1, lam))
    diff = ti_trained_margin(n_, i_, A, RHO) - pnas_adj
    # substitute the same lambda symbol for acosh(...) wherever it survives
    diff = diff.subs(sp.acosh((1 + RHO) / (1 - A)), LAM)
    x = sp.Symbol("x", positive=True)  # cosh(lambda)
    assert sp.simplify(diff.rewrite(sp.exp)) == 0
    F = ti_margin(n_, i_, j_, A, RHO)  # symbolic i, j: a Piecewise, premises j = i +- 1 their own pieces
    assert isinstance(F, sp.Piecewise) and F.args[-1][1] == sp.true
    untrained = F.args[-1][0] - (_pnas_rank(n_, i_, lam) - _pnas_rank(n_, j_, lam))
    assert sp.simplify(untrained.subs(sp.acosh((1 + RHO) / (1 - A)), LAM).rewrite(sp.exp)) == 0
    del x


# ----------------------------------------------------------- exact identity sweep
def _check_task_ridgeless(task):
    P = solve_exact(task, AlphaKernel(A), check=False)
    sub = alpha_of_s()
    (u, v), = task.exceptions or [(0, 0)]
    for i, j in _pairs(task.n):
        if i > j:
            continue
        if task.exceptions:
            C = EXC_MARGIN(task.n, i, j, u, v, Lam(), 1, 1, 1)
        else:
            C = 1 if j == i + 1 else TI_DIFF(task.n, i, j, Lam())
        F = _exact_in_s(P[i, j], A, sub)
        assert RatS.lift(C).equals(F), (task, i, j)


@pytest.mark.parametrize("n", range(2, 13))
def test_single_exception_closed_form_equals_exact_solver_ridgeless(n):
    """Every n <= 12, no exception and every admissible single exception {u, v}:
    the closed form equals solve_exact's rational function in alpha (ridgeless)
    identically (proof: identity in Q(s), module docstring).  Pairs i > j follow
    by antisymmetry, checked for the closed form separately below."""
    _check_task_ridgeless(Task(n))
    for u in range(1, n - 1):
        for v in range(u + 2, n + 1):
            _check_task_ridgeless(Task(n, exceptions=[(u, v)]))


def test_closed_form_antisymmetric():
    for n, (u, v) in [(7, (2, 5)), (9, (4, 6)), (6, (1, 6))]:
        for i, j in _pairs(n):
            a = EXC_MARGIN(n, i, j, u, v, Lam(), 1, 1, 1)
            b = EXC_MARGIN(n, j, i, u, v, Lam(), 1, 1, 1)
            assert (RatS.lift(a) + b).is_zero()


def _rho_of_s(alpha0):
    r"""cosh(lambda) = (1+rho)/(1-alpha0) with e^lambda = s^2: rho = (1-alpha0)(s^4+1)/(2 s^2) - 1."""
    return RatS(S ** 4 + 1, 2 * S ** 2) * (1 - alpha0) - 1


@pytest.mark.parametrize(
    "n,exc,w",
    [(5, None, 1), (6, (2, 4), 1), (7, (1, 7), 1), (9, (4, 6), 1), (8, (3, 7), 3), (7, (2, 6), Fraction(1, 2))],
)
def test_closed_form_equals_exact_solver_with_ridge(n, exc, w):
    """Symbolic-rho spot checks, exception weight w (gamma_e, m_e from w):
    at several fixed rational alpha0, the closed form and solve_exact's rational
    function of rho agree as elements of Q(s) (rho = rho(s) from
    cosh(lambda) = (1+rho)/(1-alpha0)), on every pair including premises
    (adjacent-pair correction m + (1-m)(r_i - r_{i+1})) and the exception."""
    weights = {exc: w} if exc and w != 1 else None
    task = Task(n, exceptions=[exc] if exc else [], weights=weights)
    for alpha0 in (Fraction(1, 7), Fraction(1, 2), Fraction(5, 6)):
        P = solve_exact(task, AlphaKernel(sp.Rational(alpha0.numerator, alpha0.denominator)), RHO, check=False)
        rho = _rho_of_s(alpha0)
        gamma = (rho + alpha0) * w / (rho + alpha0 * w)
        m_e = alpha0 * w / (rho + alpha0 * w)
        m = RatS(alpha0) / (rho + alpha0)
        u, v = exc or (0, 0)
        for i, j in _pairs(n):
            if exc:
                C = EXC_MARGIN(n, i, j, u, v, Lam(), gamma, m_e, m)
            else:
                d = TI_DIFF(n, i, j, Lam())
                C = m + (1 - m) * d if j == i + 1 else (-m + (1 - m) * d if i == j + 1 else d)
            F = _exact_in_s(P[i, j], RHO, rho)
            assert RatS.lift(C).equals(F), (task, alpha0, i, j)


def test_public_exception_margin_in_alpha_rho_matches_exact_values():
    """exception_margin(n, i, j, u, v, alpha, rho, weight) (the alpha, rho API)
    evaluated at exact points, against solve_exact at 30 digits."""
    task = Task(9, exceptions=[(4, 6)], weights={(4, 6): 2})
    for a0, r0 in [(sp.Rational(1, 5), sp.Rational(1, 10)), (sp.Rational(2, 3), sp.Rational(3))]:
        P = solve_exact(task, AlphaKernel(a0), r0)
        for i, j in [(3, 6), (4, 6), (6, 4), (2, 3), (1, 9), (5, 7)]:
            f = exception_margin(9, i, j, 4, 6, a0, r0, weight=2)
            assert abs(sp.N(f, 30) - sp.N(P[i, j], 30)) < 1e-25


@pytest.mark.parametrize("n,excs", [(6, [(1, 3), (2, 5)]), (7, [(1, 4), (3, 7)]), (8, [(2, 4), (5, 8)]), (9, [(1, 9), (3, 6)])])
def test_woodbury_two_exceptions_equals_exact_solver(n, excs):
    """Two exceptions with symbolic positions u1, v1, u2, v2 (lambdified once),
    substituted: identity in Q(s) with solve_exact's ridgeless rational function."""
    us = sp.symbols("u1 v1 u2 v2", integer=True, positive=True)
    expr = woodbury_ranks(n_, [(us[0], us[1]), (us[2], us[3])], LAM, i=i_)
    f = exact_lambdify((n_, i_, *us, LAM), expr)
    task = Task(n, exceptions=excs)
    P = solve_exact(task, AlphaKernel(A), check=False)
    flat = [x for e in excs for x in e]
    r = [RatS.lift(f(n, k, *flat, Lam())) for k in range(1, n + 1)]
    sub = alpha_of_s()
    for i, j in _pairs(n):
        if i < j and not task.is_trained(i, j):
            assert (r[i - 1] - r[j - 1]).equals(_exact_in_s(P[i, j], A, sub)), (i, j)


# ------------------------------------------------------------------------ limits
def test_additive_limit_matches_exact_solver_at_alpha_zero():
    """alpha -> 0+ ridgeless (lambda -> 0): additive_limit_ranks, taken by SymPy
    limits of the symbolic closed form (symbolic n, i, u, v, then substituted),
    equals solve_exact at alpha = 0 on every pair (at alpha = 0 every margin is
    r_i - r_j); additive_limit_margin's untrained values match too, trained
    ones are the alpha -> 0+ limit (the target)."""
    sym = additive_limit_ranks(n_, i_, [(u_, v_)])
    sym_ti = additive_limit_ranks(n_, i_)
    for n, excs in [(5, []), (9, [(4, 6)]), (11, [(4, 8)]), (7, [(1, 7)]), (8, [(2, 5), (4, 8)])]:
        task = Task(n, exceptions=excs)
        P = solve_exact(task, AlphaKernel(0))
        if len(excs) == 1:
            (u, v), = excs
            r = [sym.subs({n_: n, u_: u, v_: v, i_: k}) for k in range(1, n + 1)]
        elif not excs:
            r = [sym_ti.subs({n_: n, i_: k}) for k in range(1, n + 1)]
        else:
            r = [additive_limit_ranks(n, k, excs) for k in range(1, n + 1)]
        for i, j in _pairs(n):
            assert sp.simplify(r[i - 1] - r[j - 1] - P[i, j]) == 0, (task, i, j)
            lim = additive_limit_margin(n, i, j, excs)
            if task.is_trained(i, j):
                assert lim == task.target(i, j)
            else:
                assert lim == P[i, j]
    assert sp.simplify(sym_ti - ((n_ + 1) / sp.Integer(2) - i_)) == 0


def test_ridgeless_limits_match_exact_solver():
    task = Task(9, exceptions=[(4, 6)])
    a0 = sp.Rational(3, 10)
    P = solve_exact(task, AlphaKernel(a0))
    Pt = solve_exact(Task(9), AlphaKernel(a0))
    for i, j in [(3, 6), (4, 7), (1, 9), (6, 4), (4, 5), (8, 2)]:
        f = ridgeless_exception_margin(9, i, j, 4, 6, A).subs(A, a0)
        assert abs(sp.N(f, 30) - sp.N(P[i, j], 30)) < 1e-25
        if abs(i - j) > 1:
            g = ridgeless_ti_margin(9, i, j, A).subs(A, a0)
            assert abs(sp.N(g, 30) - sp.N(Pt[i, j], 30)) < 1e-25


@pytest.mark.parametrize("ridge", [0, sp.Rational(1, 2)])
def test_conjunctive_limit_matches_exact_solver_at_alpha_one(ridge):
    task = Task(7, exceptions=[(2, 5)])
    P = solve_exact(task, AlphaKernel(1), ridge)
    for i, j in [(1, 3), (5, 2), (4, 3)]:
        assert conjunctive_limit_margin(7, i, j, [(2, 5)], ridge) == P[i, j]
    P2 = solve_exact(Task(6, exceptions=[(1, 3), (3, 6)]), AlphaKernel(1), ridge)
    for i, j in [(6, 3), (1, 6)]:
        assert conjunctive_limit_margin(6, i, j, [(1, 3), (3, 6)], ridge) == P2[i, j]


def test_exception_rank_symbolic_gamma_is_sherman_morrison():
    """exception_rank with a symbolic gamma solves (L + mu I + gamma w w^T) r = e_1 - e_n - gamma w
    (n = 6, {2, 5}): residual zero as a rational function of s and gamma, checked at
    several exact gamma values in Q(s).  r = r0 - gamma(1+s_e)/(1+gamma q) G w, so the
    residual times (1 + gamma q) is a polynomial of degree <= 2 in gamma (coefficients in
    Q(s)): vanishing at 3 values of gamma proves it for every gamma."""
    n, u, v = 6, 2, 5
    f = exact_lambdify((i_, LAM, g_), exception_rank(n, i_, u, v, LAM, g_))
    mu = RatS(S ** 4 - 2 * S ** 2 + 1, S ** 2)  # 2 cosh(lambda) - 2
    for gamma in (Fraction(1), Fraction(3), Fraction(2, 7)):
        r = [RatS.lift(f(k, Lam(), gamma)) for k in range(1, n + 1)]
        for k in range(n):
            deg = (k > 0) + (k < n - 1) + gamma * ((k + 1 == u) + (k + 1 == v))
            row = r[k] * (mu + deg)
            if k > 0:
                row = row - r[k - 1]
            if k < n - 1:
                row = row - r[k + 1]
            if k + 1 == u:
                row = row - gamma * r[v - 1]
            if k + 1 == v:
                row = row - gamma * r[u - 1]
            rhs = (k == 0) - (k == n - 1) - gamma * ((k + 1 == u) - (k + 1 == v))
            assert (row - rhs).is_zero(), (gamma, k)


# ------------------------------------------------- the readable one-exception form
from symti.closed_form.forms import exception_rank_difference  # noqa: E402

READABLE = exact_lambdify((n_, i_, j_, u_, v_, LAM), exception_rank_difference(n_, i_, j_, u_, v_, LAM))
READABLE_CASES = exact_lambdify((n_, i_, j_, u_, v_, LAM), exception_rank_difference(n_, i_, j_, u_, v_, LAM, cases=True))


@pytest.mark.parametrize("n", range(3, 10))
def test_readable_exception_form_equals_exact_solver(n):
    """The compact lambda form (Min/Max and split by cases), symbolic n, i, j, u, v
    lambdified once, equals solve_exact's ridgeless rational function for every
    untrained pair of every single exception, n <= 9: an identity in Q(s)
    (module docstring)."""
    sub = alpha_of_s()
    for u in range(1, n - 1):
        for v in range(u + 2, n + 1):
            task = Task(n, exceptions=[(u, v)])
            P = solve_exact(task, AlphaKernel(A), check=False)
            for i, j in _pairs(n):
                if i > j or task.is_trained(i, j):
                    continue
                F = _exact_in_s(P[i, j], A, sub)
                assert RatS.lift(READABLE(n, i, j, u, v, Lam())).equals(F), (n, u, v, i, j)
                assert RatS.lift(READABLE_CASES(n, i, j, u, v, Lam())).equals(F), (n, u, v, i, j)


def test_readable_form_is_short_and_keeps_lambda():
    f = exception_rank_difference(n_, i_, j_, u_, v_, LAM)
    tex = sp.latex(f)
    assert len(tex) < 1500 and "acosh" not in tex and "sqrt" not in tex
    # the public margin with lam= keeps lambda (the issue measured 26,839 characters without it)
    F = exception_margin(n_, i_, j_, u_, v_, A, 0, lam=LAM)
    assert not F.has(sp.acosh) and F.has(LAM)
    assert F.args[-1][0] == f  # untrained pairs: the readable form itself


def test_readable_form_with_weight_equals_sherman_morrison():
    """gamma != 1: against exception_rank (the Sherman-Morrison ranks), exactly in Q(s)."""
    for n, (u, v), gam in [(7, (2, 5), sp.Rational(1, 3)), (9, (4, 6), sp.Integer(3))]:
        for i, j in [(1, n), (u - 1 if u > 1 else u + 1, v), (2, 6)]:
            a = exception_rank_difference(n, i, j, u, v, LAM, gam)
            b = exception_rank(n, i, u, v, LAM, gam) - exception_rank(n, j, u, v, LAM, gam)
            fa = exact_lambdify((LAM,), a)(Lam())
            fb = exact_lambdify((LAM,), b)(Lam())
            assert RatS.lift(fa).equals(RatS.lift(fb)), (n, u, v, i, j)
