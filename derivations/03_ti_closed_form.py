r"""Derivation 3: TI without exceptions in closed form -- the PNAS formula.

Claim (derivations/theory.md §3, Lippl et al. 2024).  Without exceptions the rank
system's right-hand side is e_1 - e_n, so r = G(e_1 - e_n) and

    r_i = sinh(((n+1)/2 - i) lambda) / (2 cosh(n lambda/2) sinh(lambda/2)),

untrained margins are r_i - r_j, adjacent (trained) pairs m + (1 - m)(r_i - r_{i+1})
with m = alpha/(alpha + rho).

Run: ``python derivations/03_ti_closed_form.py`` (writes derivations/latex/).
"""
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.closed_form import ti_margin, ti_rank, ti_rank_difference, ti_trained_margin
from symti.output.derivation import Derivation, exp_identity_is_zero
from symti.closed_form.green import green_function
from symti.solve.rank import rank_system

alpha, rho, lam = sp.symbols("alpha rho lambda", positive=True)
a, k = sp.symbols("a k", integer=True, positive=True)
n_, i_, j_ = sp.symbols("n i j", integer=True, positive=True)
doc = Derivation("Transitive inference without exceptions: the PNAS closed form", "03_ti_closed_form")


zero = exp_identity_is_zero  # an exponential-polynomial identity holds


def pnas(n, i, lam):
    return sp.sinh(((n + 1) / sp.Integer(2) - i) * lam) / (2 * sp.cosh(n * lam / 2) * sp.sinh(lam / 2))


with doc.step("The premise-only right-hand side is $e_1 - e_n$ (unit weights, every $\\alpha, \\rho$).") as s:
    for n in (3, 6, 9):
        A, b = rank_system(Task(n), alpha, rho)
        target = [1 - alpha] + [0] * (n - 2) + [-(1 - alpha)]  # the system is scaled by 1 - alpha
        s.check(all(sp.cancel(x - y) == 0 for x, y in zip(b, target)), f"b for n = {n}")
    s.equation("b", "e_1 - e_n")

with doc.step("Hence $r_i = G_{i1} - G_{in}$, which equals the PNAS ranks for symbolic $n$ and $1 \\le i \\le n$.") as s:
    n = a + k  # i = a, n = a + k >= i
    s.check(zero(green_function(n, a, 1, lam) - green_function(n, a, n, lam) - pnas(n, a, lam)), "1 <= i < n")
    s.check(zero(green_function(a, a, 1, lam) - green_function(a, a, a, lam) - pnas(a, a, lam)), "i = n")
    s.check(zero(ti_rank(n_, i_, lam) - pnas(n_, i_, lam)), "symti.closed_form.forms.ti_rank")
    s.equation("r_i", ti_rank(n_, i_, lam))

with doc.step("Untrained margins in product form (sum-to-product): no cancellation as $\\lambda \\to 0$.") as s:
    s.check(zero(ti_rank_difference(n_, i_, j_, lam) - (pnas(n_, i_, lam) - pnas(n_, j_, lam))), "r_i - r_j")
    s.equation("r_i - r_j", ti_rank_difference(n_, i_, j_, lam))

with doc.step(
    "Adjacent (trained) pairs carry the memorization correction $m + (1-m)(r_i - r_{i+1})$, "
    "$m = \\alpha/(\\alpha+\\rho)$; it and the untrained margins equal the exact solver's rational functions "
    "(checked at an exact point where $e^{\\lambda/2} = 2$: $\\alpha = 1/3$, $\\rho = 5/12$)."
) as s:
    a0, r0 = sp.Rational(1, 3), sp.Rational(5, 12)
    s.check(sp.simplify(sp.exp(sp.acosh((1 + r0) / (1 - a0))) - 4) == 0, "e^lambda = 4")
    n = 7
    P = solve_exact(Task(n), AlphaKernel(alpha), rho)
    for i in range(1, n):
        f = ti_trained_margin(n, i, a0, r0)
        s.check(abs(sp.N(f - P[i, i + 1].subs({alpha: a0, rho: r0}), 50)) < 1e-45, f"premise ({i},{i + 1})")
    for i, j in [(1, 3), (2, 6), (1, 7), (5, 3)]:
        f = ti_margin(n, i, j, a0, r0)
        s.check(abs(sp.N(f - P[i, j].subs({alpha: a0, rho: r0}), 50)) < 1e-45, f"test pair ({i},{j})")
    m = alpha / (alpha + rho)
    s.equation("f(i, i+1)", m + (1 - m) * sp.Symbol("(r_i - r_{i+1})"))

with doc.step("Limits: $\\lambda \\to 0$ (ridgeless $\\alpha \\to 0^+$) gives linear ranks and margin $j - i$; "
              "$\\lambda \\to \\infty$ ($\\alpha \\to 1^-$) gives 0.") as s:
    s.check(sp.simplify(sp.limit(ti_rank(n_, i_, lam), lam, 0) - ((n_ + 1) / sp.Integer(2) - i_)) == 0, "linear ranks")
    s.check(sp.simplify(sp.limit(ti_rank_difference(n_, i_, j_, lam), lam, 0) - (j_ - i_)) == 0, "margin j - i")
    for n, i, j in [(5, 1, 3), (9, 2, 8)]:
        s.check(sp.limit(ti_rank_difference(n, i, j, lam), lam, sp.oo) == 0, f"alpha -> 1: ({i},{j}) of n={n}")
    s.equation("\\lim_{\\lambda\\to0} r_i", (n_ + 1) / sp.Integer(2) - i_)

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
