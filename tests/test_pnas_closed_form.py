r"""The PNAS closed form (derivations/theory.md §3, TI without exceptions) from the exact solver.

The closed form is written out here independently of the package (no import of
``symti.closed_form``).  With :math:`\cosh\lambda = (1+\rho)/(1-\alpha)` the
ranks are

.. math::
   r_i = \frac{\sinh(((n+1)/2 - i)\lambda)}{2\cosh(n\lambda/2)\sinh(\lambda/2)},

untrained margins are :math:`r_i - r_j` and adjacent (trained) ones
:math:`m y + (1-m)(r_i - r_j)` with :math:`m = \alpha/(\alpha+\rho)`.

**Exact points.**  Put :math:`t = e^{\lambda/2}`.  Every hyperbolic term is
then a Laurent polynomial in :math:`t` (:math:`\sinh(k\lambda/2) = (t^k -
t^{-k})/2`), so for rational :math:`t > 1` the closed form is an exact
rational number, as are :math:`c = \cosh\lambda = (t^2 + t^{-2})/2` and, for a
fixed rational :math:`\rho`, :math:`\alpha(t) = 1 - (1+\rho)/c`.

**Why finitely many points prove the identity.**  Fix :math:`\rho`.  The
solver's margin is a rational function :math:`S(\alpha) = P(\alpha)/Q(\alpha)`
with :math:`\deg P, \deg Q \le d` (read off the solver's output).  Since
:math:`\alpha(t) = a(t)/b(t)` with :math:`\deg a, \deg b \le 4`,
:math:`S(\alpha(t)) = \hat P(t)/\hat Q(t)` with :math:`\deg \hat P, \deg \hat Q
\le 4d`.  The closed form is :math:`C(t) = N(t)/D(t)` (degrees computed
symbolically below, from the formula above with a symbol :math:`t`).  The
polynomial :math:`\hat P D - \hat Q N` has degree at most :math:`4d +
\max(\deg N, \deg D)`; if it vanishes at more distinct points than that, it
is identically zero, i.e. :math:`S(\alpha(t)) \equiv C(t)` as rational
functions of :math:`t` -- the closed form holds for every :math:`\alpha` in
the range of :math:`\alpha(t)`, an interval, hence (rational functions) for
all :math:`\alpha`, at that :math:`\rho`.  The test evaluates both sides
exactly (``fractions.Fraction``) at that many + 1 distinct rational points
:math:`t` with :math:`0 \le \alpha(t) < 1`, for several :math:`\rho` including
the ridgeless limit :math:`\rho = 0` (solved separately with ``ridge=0``).
The solver is run once per ``n`` with symbolic :math:`\alpha` and
:math:`\rho`.  A second test compares fully symbolically in :math:`(t, \rho)`
for small ``n``.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import pytest
import sympy as sp

from symti.solve.exact import solve_exact
from symti.kernels import AlphaKernel
from symti.task import Task

A, RHO = sp.symbols("alpha rho", positive=True)
T = sp.Symbol("t", positive=True)


def closed_form(n, i, j, t, rho):
    """PNAS margin f(i, j) at t = e^{lambda/2}, for Fraction or SymPy ``t``, ``rho``."""
    c = (t**2 + t**-2) / 2
    alpha = 1 - (1 + rho) / c

    def r(k):  # sinh((n+1-2k) lambda/2) / (2 cosh(n lambda/2) sinh(lambda/2))
        e = n + 1 - 2 * k
        return (t**e - t**-e) / ((t**n + t**-n) * (t - 1 / t))

    d = r(i) - r(j)
    if abs(i - j) == 1:
        y = 1 if i < j else -1
        m = alpha / (alpha + rho) if (alpha + rho) != 0 else 1
        d = m * y + (1 - m) * d
    return d


@lru_cache(maxsize=None)
def solver(n, ridgeless):
    return solve_exact(Task(n), AlphaKernel(A), 0 if ridgeless else RHO)


def univariate(expr, rho):
    """The solver's margin at fixed ``rho`` as (numerator, denominator) coefficient
    lists in alpha (Fractions, highest degree first)."""
    e = sp.cancel(expr if rho is None else expr.subs(RHO, rho))
    num, den = sp.fraction(e)
    cf = lambda p: [Fraction(int(c.p), int(c.q)) for c in sp.Poly(p, A).all_coeffs()]  # noqa: E731
    return cf(num), cf(den)


def horner(coeffs, x):
    acc = Fraction(0)
    for c in coeffs:
        acc = acc * x + c
    return acc


@lru_cache(maxsize=None)
def closed_form_degree(n, i, j, rho):
    num, den = sp.fraction(sp.cancel(sp.together(closed_form(n, i, j, T, sp.Rational(rho)))))
    return max(sp.degree(num, T), sp.degree(den, T))


def points(rho, k):
    """``k`` distinct rationals t > 1 with 0 <= alpha(t) < 1 (c >= 1 + rho)."""
    out, t = [], Fraction(11, 10)
    while len(out) < k:
        c = (t**2 + t**-2) / 2
        if c >= 1 + rho:
            out.append(t)
        t += Fraction(1, 7)
    return out


@pytest.mark.parametrize("n", range(2, 9))
@pytest.mark.parametrize("rho", [Fraction(0), Fraction(1, 3), Fraction(2)])
def test_closed_form_at_rational_e_lambda(n, rho):
    P = solver(n, rho == 0)
    checked = 0
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            num, den = univariate(P[i, j], None if rho == 0 else sp.Rational(rho.numerator, rho.denominator))
            d = max(len(num), len(den)) - 1
            bound = 4 * d + closed_form_degree(n, i, j, rho)
            for t in points(rho, bound + 1):
                c = (t**2 + t**-2) / 2
                alpha = 1 - (1 + rho) / c
                assert 0 <= alpha < 1
                q = horner(den, alpha)
                assert q != 0
                assert horner(num, alpha) / q == closed_form(n, i, j, t, rho), (i, j, t)
                assert -horner(num, alpha) / q == closed_form(n, j, i, t, rho)
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_closed_form_symbolic_in_t_and_rho(n):
    """Fully symbolic: substitute alpha = 1 - (1 + rho)/cosh(lambda) with
    cosh(lambda) = (t^2 + t^-2)/2 into the solver's rational functions of
    (alpha, rho); the difference with the closed form cancels to 0 in
    Q(t, rho).  The map (t, rho) -> (alpha, rho) has a 2-d image, so this is
    the identity in (alpha, rho)."""
    P = solver(n, False)
    alpha_t = 1 - (1 + RHO) * 2 / (T**2 + T**-2)
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            lhs = P[i, j].subs(A, alpha_t)
            assert sp.cancel(sp.together(lhs - closed_form(n, i, j, T, RHO))) == 0, (i, j)


def test_closed_form_sanity_n3():
    """By hand: ridgeless n = 3, f(1,3) = 2/(2c - 1) = 2(1 - alpha)/(1 + alpha)."""
    t = Fraction(3)
    c = (t**2 + t**-2) / 2
    alpha = 1 - 1 / c
    assert closed_form(3, 1, 3, t, 0) == 2 * (1 - alpha) / (1 + alpha)
    assert closed_form(3, 1, 2, t, 0) == 1  # ridgeless: trained pairs are fit
