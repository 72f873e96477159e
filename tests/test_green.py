"""The Green's function of L + mu I on the path (symti.closed_form.green)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sympy as sp

from symti.closed_form.green import green_difference, green_function, green_matrix, path_system
from symti.params import lambda_parameter

sys.path.insert(0, str(Path(__file__).parent))
from _exact_hyperbolic import Lam, RatS, S, exact_lambdify  # noqa: E402

LAM = sp.Symbol("lambda", positive=True)
n_, i_, j_, p_, q_ = sp.symbols("n i j p q", integer=True, positive=True)
G_EXACT = exact_lambdify((n_, i_, j_, LAM), green_function(n_, i_, j_, LAM))
GD_EXACT = exact_lambdify((n_, i_, p_, q_, LAM), green_difference(n_, i_, p_, q_, LAM))
MU = RatS(S ** 4 - 2 * S ** 2 + 1, S ** 2)  # mu = 2 cosh(lambda) - 2 with s = e^{lambda/2}


def test_lambda_parameter():
    a, r = sp.symbols("alpha rho", positive=True)
    lam = lambda_parameter(a, r)
    assert sp.simplify(sp.cosh(lam) - (1 + r) / (1 - a)) == 0
    # the stable form 2 asinh(sqrt(mu)/2) with mu = 2(alpha + rho)/(1 - alpha)
    for a0, r0 in [(sp.Rational(1, 3), 0), (sp.Rational(1, 10), sp.Rational(5)), (0, sp.Rational(1, 7))]:
        mu = 2 * (a0 + r0) / (1 - a0)
        assert abs(sp.N(lambda_parameter(a0, r0) - 2 * sp.asinh(sp.sqrt(mu) / 2), 40)) < 1e-35
    with pytest.raises(ValueError, match="^alpha"):
        lambda_parameter(2)
    with pytest.raises(ValueError, match="^ridge"):
        lambda_parameter(sp.Rational(1, 2), -1)


@pytest.mark.parametrize("n", range(2, 11))
def test_green_function_inverts_path_system_exactly(n):
    """(L + mu I) G = I as an identity in Q(s), s = e^{lambda/2}, for concrete n (both orders of i, j)."""
    G = [[RatS.lift(G_EXACT(n, i, j, Lam())) for j in range(1, n + 1)] for i in range(1, n + 1)]
    for i in range(n):
        deg = (i > 0) + (i < n - 1)
        for j in range(n):
            row = G[i][j] * (MU + deg)
            if i > 0:
                row = row - G[i - 1][j]
            if i < n - 1:
                row = row - G[i + 1][j]
            assert (row - int(i == j)).is_zero(), (n, i, j)
            assert G[i][j].equals(G[j][i])


def test_green_function_symbolic_n_recurrence_and_boundaries():
    """For symbolic n: interior rows satisfy -G_{i-1,j} + (2 + mu) G_{ij} - G_{i+1,j} = delta_ij
    (cases i < j, i > j, i = j with symbolic offsets), and the boundary rows
    (1 + mu) G_{1j} - G_{2j} = delta_{1j}, (1 + mu) G_{nj} - G_{n-1,j} = delta_{nj}."""
    a, b, c = sp.symbols("a b c", integer=True, positive=True)
    mu = 2 * sp.cosh(LAM) - 2

    def G(n, i, j):
        return green_function(n, i, j, LAM)

    def zero(e):
        return sp.simplify(sp.expand(e.rewrite(sp.exp))) == 0

    # i < j (i - 1 = a >= 1, j = i + b, n = j + c)
    i, j, n = a + 1, a + 1 + b, a + 1 + b + c
    assert zero(-G(n, i - 1, j) + (2 + mu) * G(n, i, j) - G(n, i + 1, j))
    # i > j
    j, i, n = a, a + b + 1, a + b + 1 + c
    assert zero(-G(n, i - 1, j) + (2 + mu) * G(n, i, j) - G(n, i + 1, j))
    # i = j, interior
    i, n = a + 1, a + 1 + c
    assert zero(-G(n, i - 1, i) + (2 + mu) * G(n, i, i) - G(n, i + 1, i) - 1)
    # boundary rows
    n = b + 1
    for j in (1, a + 1):
        assert zero((1 + mu) * G(n + a, 1, j) - G(n + a, 2, j) - (1 if j == 1 else 0))
    n = a + b + 1
    assert zero((1 + mu) * G(n, n, n) - G(n, n - 1, n) - 1)
    assert zero((1 + mu) * G(n, n, a) - G(n, n - 1, a))


@pytest.mark.parametrize("n", [3, 5, 8])
def test_green_difference_is_column_difference(n):
    for p in range(1, n + 1):
        for q in range(p + 1, n + 1):
            for i in range(1, n + 1):
                lhs = RatS.lift(GD_EXACT(n, i, p, q, Lam()))
                rhs = RatS.lift(G_EXACT(n, i, p, Lam())) - G_EXACT(n, i, q, Lam())
                assert lhs.equals(rhs), (n, i, p, q)


def test_green_matrix_against_sympy_inverse():
    mu = sp.Rational(3, 5)
    lam = sp.acosh(1 + mu / 2)
    A, _ = path_system(5, mu)
    G = green_matrix(5, lam)
    assert max(abs(sp.N(x, 30)) for x in (A.inv() - G)) < 1e-25
