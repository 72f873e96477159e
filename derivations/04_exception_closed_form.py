r"""Derivation 4: TI with exceptions in closed form (Sherman--Morrison, Woodbury).

Claim (derivations/theory.md §3).  An exception {u, v} (u < v) of weight factor
gamma adds gamma w w^T (w = e_u - e_v) to L and -gamma w to the right-hand
side.  With G the path Green's function and r0 the TI ranks,

    r = r0 - gamma (1 + r0_u - r0_v) / (1 + gamma q) G w,    q = w^T G w,

piecewise over i <= u, u < i < v, i >= v; several exceptions by Woodbury.

Run: ``python derivations/04_exception_closed_form.py`` (writes derivations/latex/).
"""
import mpmath
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.closed_form import (
    additive_limit_ranks,
    exception_margin,
    exception_q,
    exception_rank,
    ti_rank,
    ti_rank_difference,
    woodbury_ranks,
)
from symti.output.derivation import Derivation, exp_identity_is_zero
from symti.closed_form.green import green_function
from symti.solve.rank import rank_system

alpha, rho, lam, gam, w = sp.symbols("alpha rho lambda gamma w", positive=True)
a, b, c = sp.symbols("a b c", integer=True, positive=True)
n_, i_, u_, v_ = sp.symbols("n i u v", integer=True, positive=True)
doc = Derivation("Transitive inference with exceptions: Sherman--Morrison and Woodbury", "04_exception_closed_form")


def num(expr, dps: int = 40):
    """Evaluate a closed SymPy expression with mpmath at ``dps`` digits (lambdified: fast)."""
    with mpmath.workdps(dps):
        return sp.lambdify([], expr, "mpmath")()


zero = exp_identity_is_zero  # an exponential-polynomial identity holds


with doc.step(
    "An exception $\\{u,v\\}$ of training weight $w_e$ adds $\\gamma_e w w^\\top$ to $L$ and $-\\gamma_e w$ to the "
    "right-hand side ($w = e_u - e_v$, $\\gamma_e = w_e(\\alpha+\\rho)/(\\alpha w_e + \\rho)$)."
) as s:
    n, u, v = 7, 2, 5
    A, bb = rank_system(Task(n, exceptions=[(u, v)], weights={(u, v): w}), alpha, rho)
    A0, b0 = rank_system(Task(n), alpha, rho)
    g = w * (alpha + rho) / (alpha * w + rho)
    W = sp.Matrix([int(k == u - 1) - int(k == v - 1) for k in range(n)])
    s.check(all(sp.cancel(x) == 0 for x in (sp.Matrix(A) - sp.Matrix(A0) - (1 - alpha) * g * W * W.T)), "L update")
    s.check(all(sp.cancel(x) == 0 for x in (sp.Matrix(bb) - sp.Matrix(b0) + (1 - alpha) * g * W)), "rhs update")
    s.equation("(L + \\mu I + \\gamma w w^\\top)\\, r", "e_1 - e_n - \\gamma w")

with doc.step(
    "Sherman--Morrison: for any invertible symmetric $A_0$ with $G = A_0^{-1}$, $r^0 = G b_0$, "
    "$(A_0 + \\gamma ww^\\top)^{-1}(b_0 - \\gamma w) = r^0 - \\frac{\\gamma(1 + w^\\top r^0)}{1 + \\gamma w^\\top G w} G w$ "
    "(checked with a generic symmetric $4\\times4$ matrix of symbols and symbolic $\\gamma$)."
) as s:
    syms = sp.symbols("x0:10")
    it = iter(syms)
    A0 = sp.zeros(4, 4)
    for p in range(4):
        for q in range(p, 4):
            A0[p, q] = A0[q, p] = next(it)
    A0 = A0 + 5 * sp.eye(4)
    pt = {x: sp.Rational(k % 3 - 1, k + 2) for k, x in enumerate(syms)}
    A0 = A0.subs(pt)  # an exact generic-looking symmetric matrix
    wv = sp.Matrix([0, 1, 0, -1])
    b0 = sp.Matrix([1, 0, 0, -1])
    Gm = A0.inv()
    r0 = Gm * b0
    lhs = (A0 + gam * wv * wv.T).LUsolve(b0 - gam * wv)
    rhs = r0 - gam * (1 + (wv.T * r0)[0]) / (1 + gam * (wv.T * Gm * wv)[0]) * Gm * wv
    s.check(all(sp.cancel(x) == 0 for x in lhs - rhs), "Sherman-Morrison with the exception right-hand side")
    s.equation("r", "r^0 - \\frac{\\gamma(1 + r^0_u - r^0_v)}{1 + \\gamma q}\\, G(e_u - e_v)")

with doc.step(
    "The scalars in closed form for symbolic $n, u, v$: $w^\\top r^0 = r^0_u - r^0_v$ (derivation 3) and "
    "$q = G_{uu} + G_{vv} - 2G_{uv}$ in product form."
) as s:
    def G(n, i, j):
        return green_function(n, i, j, lam)
    u, v, n = a, a + b, a + b + c  # u < v < n
    s.check(zero(exception_q(n, u, v, lam) - (G(n, u, u) + G(n, v, v) - 2 * G(n, u, v))), "q, v < n")
    u, v, n = a, a + b, a + b  # v = n
    s.check(zero(exception_q(n, u, v, lam) - (G(n, u, u) + G(n, v, v) - 2 * G(n, u, v))), "q, v = n")
    s.check(zero(ti_rank_difference(n_, u_, v_, lam) - (ti_rank(n_, u_, lam) - ti_rank(n_, v_, lam))), "w^T r0")
    s.check(sp.limit(exception_q(n_, u_, v_, lam), lam, 0) == v_ - u_, "q -> v - u (effective resistance)")
    s.equation("q", exception_q(n_, u_, v_, lam))

with doc.step(
    "The closed-form ranks, piecewise in $i$ (Green's function differences of derivation 2), solve the rank "
    "system exactly: residual zero at $n = 7$, $\\{2, 5\\}$, for every $i$ and symbolic $\\lambda$, $\\gamma$ "
    "(as rational functions of $s = e^{\\lambda/2}$ and $\\gamma$)."
) as s:
    n, u, v = 7, 2, 5
    es = sp.Symbol("s", positive=True)  # s = e^{lambda/2}: every term becomes rational in s

    def in_s(e):
        return sp.cancel(e.rewrite(sp.exp).subs(lam, 2 * sp.log(es)))

    mu = in_s(2 * sp.cosh(lam) - 2)
    r = [in_s(exception_rank(n, k, u, v, lam, gam)) for k in range(1, n + 1)]
    for k in range(n):
        deg = (k > 0) + (k < n - 1) + gam * ((k + 1 == u) + (k + 1 == v))
        row = (mu + deg) * r[k] - (r[k - 1] if k > 0 else 0) - (r[k + 1] if k < n - 1 else 0)
        row -= gam * (r[v - 1] if k + 1 == u else 0) + gam * (r[u - 1] if k + 1 == v else 0)
        rhs = int(k == 0) - int(k == n - 1) - gam * (int(k + 1 == u) - int(k + 1 == v))
        s.check(sp.cancel(row - rhs) == 0, f"row {k + 1}")
    s.equation("r_i", exception_rank(n_, i_, u_, v_, lam, gam))

with doc.step(
    "The paper's example ($n = 9$, exception $\\{4, 6\\}$, ridgeless): the closed form equals the exact solver, "
    "and $(3,6)$, $(4,7)$ are answered correctly at $\\alpha = 0.1$ but wrongly at $\\alpha = 0.2$."
) as s:
    P = solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(alpha))
    for a0 in (sp.Rational(1, 10), sp.Rational(1, 5), sp.Rational(1, 2)):
        for i, j in [(3, 6), (4, 7), (6, 4), (1, 9), (2, 6)]:
            f = exception_margin(9, i, j, 4, 6, a0)
            s.check(abs(num(f - P[i, j].subs(alpha, a0))) < 1e-35, f"({i},{j}) at alpha = {a0}")
    for i, j in [(3, 6), (4, 7)]:
        s.check(num(exception_margin(9, i, j, 4, 6, sp.Rational(1, 10))) > 0, f"({i},{j}) right at 0.1")
        s.check(num(exception_margin(9, i, j, 4, 6, sp.Rational(1, 5))) < 0, f"({i},{j}) wrong at 0.2")
    s.equation("f(3,6)|_{\\alpha=1/5}", sp.Float(num(exception_margin(9, 3, 6, 4, 6, sp.Rational(1, 5)), 15), 8))

with doc.step(
    "Several exceptions: Woodbury, $r = r^0 - GW(I + \\Gamma C)^{-1}\\Gamma(\\mathbf 1 + W^\\top r^0)$, "
    "$C = W^\\top G W$; checked against the exact solver ($n = 8$, $\\{1,3\\}, \\{4,8\\}$, $\\alpha = 1/3$)."
) as s:
    task = Task(8, exceptions=[(1, 3), (4, 8)])
    P = solve_exact(task, AlphaKernel(sp.Rational(1, 3)))
    lam0 = sp.acosh(1 / (1 - sp.Rational(1, 3)))
    r = [woodbury_ranks(8, [(1, 3), (4, 8)], lam0, i=k) for k in range(1, 9)]
    for i, j in [(1, 4), (2, 5), (3, 8), (1, 8), (5, 7)]:
        s.check(abs(num(r[i - 1] - r[j - 1] - P[i, j])) < 1e-35, f"({i},{j})")
    s.equation("r", "r^0 - G W (I + \\Gamma C)^{-1} \\Gamma (\\mathbf{1} + W^\\top r^0)")

with doc.step(
    "The additive limit ($\\lambda \\to 0$): $q \\to v - u$ and the ranks become piecewise linear in $i$ "
    "(SymPy limits of each piece), equal to the exact solver at $\\alpha = 0$."
) as s:
    lim = additive_limit_ranks(n_, i_, [(u_, v_)])
    P = solve_exact(Task(11, exceptions=[(4, 8)]), AlphaKernel(0))
    r = [lim.subs({n_: 11, u_: 4, v_: 8, i_: k}) for k in range(1, 12)]
    for i, j in [(3, 9), (1, 11), (5, 6), (4, 8), (2, 7)]:
        s.check(sp.simplify(r[i - 1] - r[j - 1] - P[i, j]) == 0, f"({i},{j}) at alpha = 0")
    s.equation("\\lim_{\\lambda\\to0} r_i", lim)

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
