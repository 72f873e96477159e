r"""Derivation 2: the Green's function of L + mu I on the path, in hyperbolic form.

Claim (derivations/theory.md §3).  With cosh(lambda) = 1 + mu/2 = (1 + rho)/(1 - alpha),

    G_ij = cosh((min(i,j) - 1/2) lambda) cosh((n - max(i,j) + 1/2) lambda) / (sinh(lambda) sinh(n lambda))

inverts L + mu I for every n; its column differences G(e_p - e_q) have a
product form without cancellation.

Run: ``python derivations/02_green_function.py`` (writes derivations/latex/).
"""
import sympy as sp

from symti.output.derivation import Derivation, exp_identity_is_zero
from symti.closed_form.green import green_difference, green_function
from symti.params import lambda_parameter, mu_parameter

alpha, rho, lam = sp.symbols("alpha rho lambda", positive=True)
a, b, c, d = sp.symbols("a b c d", integer=True, positive=True)
doc = Derivation("The Green's function of $L + \\mu I$ on the path", "02_green_function")


zero = exp_identity_is_zero  # an exponential-polynomial identity holds


def G(n, i, j):
    return green_function(n, i, j, lam)


mu = 2 * sp.cosh(lam) - 2

with doc.step("The parameter: $\\cosh\\lambda = 1 + \\mu/2 = (1+\\rho)/(1-\\alpha)$.") as s:
    s.check_zero(1 + mu_parameter(alpha, rho) / 2 - (1 + rho) / (1 - alpha), "1 + mu/2")
    s.check_zero(sp.cosh(lambda_parameter(alpha, rho)) - (1 + rho) / (1 - alpha), "cosh(lambda_parameter)")
    s.equation("\\cosh\\lambda", (1 + rho) / (1 - alpha))

with doc.step(
    "Interior rows: for $1 < i < n$ the three-term recurrence "
    "$-G_{i-1,j} + (2+\\mu)G_{ij} - G_{i+1,j} = \\delta_{ij}$ holds for symbolic $n$ "
    "(cases $i<j$, $i>j$, $i=j$, written with positive integer offsets)."
) as s:
    i, j, n = a + 1, a + 1 + b, a + 1 + b + c  # i < j
    s.check(zero(-G(n, i - 1, j) + (2 + mu) * G(n, i, j) - G(n, i + 1, j)), "i < j")
    j, i, n = a, a + b + 1, a + b + 1 + c  # i > j
    s.check(zero(-G(n, i - 1, j) + (2 + mu) * G(n, i, j) - G(n, i + 1, j)), "i > j")
    i, n = a + 1, a + 1 + c  # i = j
    s.check(zero(-G(n, i - 1, i) + (2 + mu) * G(n, i, i) - G(n, i + 1, i) - 1), "i = j")
    s.equation("G_{ij}", green_function(sp.Symbol("n"), sp.Symbol("i"), sp.Symbol("j"), lam))

with doc.step("Boundary rows: $(1+\\mu)G_{1j} - G_{2j} = \\delta_{1j}$ and $(1+\\mu)G_{nj} - G_{n-1,j} = \\delta_{nj}$.") as s:
    n = a + b + 1
    s.check(zero((1 + mu) * G(n, 1, 1) - G(n, 2, 1) - 1), "row 1, j = 1")
    s.check(zero((1 + mu) * G(n, 1, a + 1) - G(n, 2, a + 1)), "row 1, j > 1")
    s.check(zero((1 + mu) * G(n, n, n) - G(n, n - 1, n) - 1), "row n, j = n")
    s.check(zero((1 + mu) * G(n, n, a) - G(n, n - 1, a)), "row n, j < n")
    s.text("Together with the symmetry $G_{ij} = G_{ji}$ (Min/Max), $(L + \\mu I)G = I$ for every $n$.")
    s.equation("(L + \\mu I)\\,G", "I")

with doc.step("Concrete check: for $n = 4$ the matrix $G$ is the inverse of $L + \\mu I$ entry by entry.") as s:
    n = 4
    L = sp.Matrix([[1, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 1]])
    Gm = sp.Matrix(n, n, lambda p, q: G(n, p + 1, q + 1))
    R = (L + mu * sp.eye(n)) * Gm - sp.eye(n)
    s.check(all(zero(x) for x in R), "(L + mu I) G - I = 0 for n = 4")

with doc.step(
    "Column differences (the response to one extra trained pair $\\{p,q\\}$, $p<q$) by product-to-sum, "
    "piecewise in the region of $i$; no term cancels as $\\lambda \\to 0$."
) as s:
    # i <= p < q <= n: i = a, p = a + b, q = p + c, n = q + d
    i, p, q, n = a, a + b, a + b + c, a + b + c + d
    s.check(zero(green_difference(n, i, p, q, lam) - (G(n, i, p) - G(n, i, q))), "i <= p")
    i, p, q, n = a, a + b, a + b + c, a + b + c + d
    s.check(zero(green_difference(n, p, p, q, lam) - (G(n, p, p) - G(n, p, q))), "i = p")
    # p < i < q
    p, i, q, n = a, a + b, a + b + c, a + b + c + d
    s.check(zero(green_difference(n, i, p, q, lam) - (G(n, i, p) - G(n, i, q))), "p < i < q")
    # q <= i
    p, q, i, n = a, a + b, a + b + c, a + b + c + d
    s.check(zero(green_difference(n, i, p, q, lam) - (G(n, i, p) - G(n, i, q))), "i > q")
    s.check(zero(green_difference(n, q, p, q, lam) - (G(n, q, p) - G(n, q, q))), "i = q")
    nn, ii, pp, qq = sp.symbols("n i p q")
    s.equation("(G(e_p - e_q))_i", green_difference(nn, ii, pp, qq, lam))

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
