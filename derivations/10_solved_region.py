r"""Derivation 10: the solved region of derivations/theory.md §5, and the structured rank solve.

Claim.  (a) A trained trial e = (i, j) is fit with its sign exactly when
alpha + rho y_e (r_i - r_j) > 0 (so ridgeless, always for alpha > 0).
(b) The adjugate of the tridiagonal T = L_path + mu I is the product of
continuants adj(T)_ij = theta_{min(i,j)-1} theta_{n-max(i,j)} (the structured
solve of symti.solve.rank.RankNumeratorsMu).  (c) Ridgeless, n = 9 with the
exception {4, 6} is solved exactly on (0, (4 - sqrt 13)/3).  (d) With
rho = 1/20 the solved set is the window between the root of
2000a^4 + 1000a^3 - 8140a^2 - 1041a + 7 (below it the premises (4,5) and (5,6)
inside the cycle flip) and the ridge-shifted threshold
alpha_c(rho) = alpha_c(0) - rho (1 - alpha_c(0)), the root of 100a^2 - 270a + 23.

Run: ``python derivations/10_solved_region.py`` (writes derivations/latex/).
"""
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.region import solved_region
from symti.analysis.thresholds import ALPHA
from symti.output.derivation import Derivation

a = ALPHA
rho, d, y = sp.symbols("rho d y", real=True)
R = sp.Rational
doc = Derivation("The solved region and the structured rank solve", "10_solved_region")
TASK = Task(9, exceptions=[(4, 6)])


def solved_exact(alpha, ridge):
    """Every test pair right and every trained trial fit with its sign (exact solve)."""
    P = solve_exact(TASK, AlphaKernel(alpha), ridge)
    ok = all(TASK.ground_truth(i, j) * P[i, j] > 0 for i, j in TASK.test_pairs(ordered=True))
    return ok and all(e.target * P[e.i, e.j] > 0 for e in TASK.trained_pairs)


with doc.step(
    "A trained trial $e = (i, j)$ with target $y_e = \\pm 1$ scores "
    "$f(e) = m_e y_e + (1 - m_e)(r_i - r_j)$, $m_e = \\alpha/(\\alpha + \\rho)$ "
    "(derivations/theory.md §3), so $(\\alpha + \\rho)\\, y_e f(e) = \\alpha + \\rho\\, y_e (r_i - r_j)$: "
    "it is fit with its sign iff $\\alpha + \\rho\\, y_e (r_i - r_j) > 0$."
) as s:
    m = a / (a + rho)
    f = m * y + (1 - m) * d
    s.check_zero(sp.expand((a + rho) * y * f - (a + rho * y * d)).subs(y**2, 1), "(alpha + rho) y f(e) = alpha + rho y d")
    s.equation("(\\alpha+\\rho)\\,y_e f(e)", a + rho * y * d)

with doc.step(
    "The premises make $T = L_{\\text{path}} + \\mu I$ tridiagonal with off-diagonal $-1$; its adjugate is "
    "$\\operatorname{adj}(T)_{ij} = \\theta_{\\min(i,j)-1}\\,\\theta_{n-\\max(i,j)}$ with the continuants "
    "$\\theta_0 = 1$, $\\theta_k = d_k\\theta_{k-1} - \\theta_{k-2}$ (exact for $n = 2, \\dots, 7$ with symbolic $\\mu$)."
) as s:
    mu = sp.Symbol("mu")
    for n in range(2, 8):
        T = sp.zeros(n, n)
        for k in range(n - 1):
            T[k, k] += 1
            T[k + 1, k + 1] += 1
            T[k, k + 1] -= 1
            T[k + 1, k] -= 1
        T += mu * sp.eye(n)
        theta = [sp.Integer(1)]
        for k in range(1, n + 1):
            theta.append(sp.expand(T[k - 1, k - 1] * theta[-1] - (theta[-2] if k >= 2 else 0)))
        adj = T.adjugate()
        s.check(all(sp.expand(adj[i - 1, j - 1] - theta[min(i, j) - 1] * theta[n - max(i, j)]) == 0
                    for i in range(1, n + 1) for j in range(1, n + 1)), f"n = {n}")
        s.check(sp.expand(T.det() - theta[n]) == 0, f"det T = theta_n, n = {n}")
    s.equation("\\operatorname{adj}(T)_{ij}", sp.Symbol("theta_{min(i,j)-1}") * sp.Symbol("theta_{n-max(i,j)}"))

with doc.step(
    "Ridgeless ($m_e = 1$), every trained trial is fit for $\\alpha > 0$, so the solved set is the set where no "
    "test pair is wrong: exactly $(0, (4 - \\sqrt{13})/3)$ for $n = 9$, $\\{4, 6\\}$ "
    "(exact solves at rationals on both sides of the end point)."
) as s:
    star = (4 - sp.sqrt(13)) / 3
    (lo, hi), = solved_region(TASK).intervals
    s.check(lo.value == 0 and abs(sp.N(hi.value - star, 60)) < 1e-55, "region end point is (4 - sqrt 13)/3")
    below, above = sp.Rational(sp.floor(star * 10**12), 10**12), sp.Rational(sp.ceiling(star * 10**12), 10**12)
    s.check(solved_exact(R(1, 1000), 0) and solved_exact(below, 0), "solved just above 0 and just below the end")
    s.check(not solved_exact(above, 0) and not solved_exact(R(1, 2), 0), "not solved above it")
    s.equation("S_{\\rho = 0}", sp.Interval.open(0, star))

with doc.step(
    "With $\\rho = 1/20$ the premises $(4,5)$ and $(5,6)$ inside the cycle have the factor "
    "$2000\\alpha^4 + 1000\\alpha^3 - 8140\\alpha^2 - 1041\\alpha + 7$ in their numerators and are fit only above "
    "its root $\\approx 0.0064$; the test pairs fail above the ridge-shifted threshold "
    "$\\alpha_c(0) - \\rho(1 - \\alpha_c(0))$, the root of $100\\alpha^2 - 270\\alpha + 23$ (derivations/theory.md §4). "
    "The solved set is the open window between them."
) as s:
    r = R(1, 20)
    P = solve_exact(TASK, AlphaKernel(a), r)
    low_poly = sp.Poly(2000 * a**4 + 1000 * a**3 - 8140 * a**2 - 1041 * a + 7, a)
    for key in [(4, 5), (5, 6)]:
        num, _den = sp.fraction(sp.cancel(P[key]))
        s.check(sp.Poly(num, a).rem(low_poly).is_zero, f"the quartic divides the numerator of f{key}")
    (lo, hi), = solved_region(TASK, r).intervals
    s.check(lo.poly == low_poly.primitive()[1], "the lower end is the quartic's root")
    shifted = star - r * (1 - star)
    s.check(abs(sp.N(hi.value - shifted, 60)) < 1e-55, "upper end = alpha_c(0) - rho (1 - alpha_c(0))")
    s.check(hi.poly == sp.Poly(100 * a**2 - 270 * a + 23, a), "its minimal polynomial")
    for q, want in [(R(6, 1000), False), (R(7, 1000), True), (R(88, 1000), True), (R(89, 1000), False)]:
        s.check(solved_exact(q, r) == want, f"exact solve at alpha = {q}")
    s.equation("S_{\\rho = 1/20}", sp.Interval.open(lo.value, hi.value))

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
