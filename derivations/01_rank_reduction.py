r"""Derivation 1: KRR with K_alpha reduces to an n x n rank system.

Claim (derivations/theory.md §3).  For 0 < alpha < 1, ridge rho >= 0 and training
weights w_e, every KRR margin is r_i - r_j on untrained pairs and
m_e y_e + (1 - m_e)(r_i - r_j) on trained ones, with
(L + mu I) r = sum_e gamma_e y_e (e_i - e_j).

Run: ``python derivations/01_rank_reduction.py`` (writes derivations/latex/).
"""
import sympy as sp

from symti import AlphaKernel, Task
from symti.output.derivation import Derivation
from symti.solve.exact import _solve_gram
from symti.params import gamma_weight, memorization, mu_parameter

alpha, rho = sp.symbols("alpha rho", positive=True)
doc = Derivation("The rank reduction of $K_\\alpha$ kernel ridge regression", "01_rank_reduction")

TASKS = [Task(4), Task(5, exceptions=[(2, 4)]), Task(6, exceptions=[(1, 3), (3, 6)])]

with doc.step(
    "On oriented trained pairs the reduced kernel $K_\\alpha(e,e') - K_\\alpha(e,\\bar e')$ "
    "equals $\\frac{1-\\alpha}{2}(BB^\\top)_{ee'} + \\alpha\\,\\delta_{ee'}$, with $B$ the signed incidence matrix."
) as s:
    K = AlphaKernel(alpha)
    for task in TASKS:
        E = task.trained_pairs
        n = task.n
        B = sp.Matrix(len(E), n, lambda a, k: int(k + 1 == E[a].i) - int(k + 1 == E[a].j))
        red = sp.Matrix(len(E), len(E), lambda a, b: K((E[a].i, E[a].j), (E[b].i, E[b].j)) - K((E[a].i, E[a].j), (E[b].j, E[b].i)))
        s.check_zero((red - ((1 - alpha) / 2 * B * B.T + alpha * sp.eye(len(E)))).norm(), f"reduced kernel of {task}")
    s.equation("K_\\alpha(e,e') - K_\\alpha(e,\\bar e')", "\\tfrac{1-\\alpha}{2}(BB^\\top)_{ee'} + \\alpha\\,\\delta_{ee'}")

with doc.step(
    "Antisymmetric dual coefficients $c$ solve $(\\tfrac{1-\\alpha}{2}BB^\\top + D)c = y$ with "
    "$D = \\mathrm{diag}(\\alpha + \\rho/w_e)$. Writing $r = \\tfrac{1-\\alpha}{2}B^\\top c$ and eliminating "
    "$c = D^{-1}(y - Br)$ gives $(B^\\top D^{-1} B + \\tfrac{2}{1-\\alpha} I)r = B^\\top D^{-1} y$; "
    "multiplying by $\\alpha+\\rho$ yields the rank system."
) as s:
    for task in TASKS:
        E = task.trained_pairs
        m, n = len(E), task.n
        ws = sp.symbols(f"w1:{m + 1}", positive=True)
        B = sp.Matrix(m, n, lambda a, k: int(k + 1 == E[a].i) - int(k + 1 == E[a].j))
        y = sp.Matrix([e.target for e in E])
        D = sp.diag(*[alpha + rho / w for w in ws])
        G = sp.diag(*[gamma_weight(alpha, rho, w) for w in ws])
        # Elimination identity: (alpha+rho) D^{-1} = Gamma.
        s.check_zero(((alpha + rho) * D.inv() - G).norm(), "(alpha+rho) D^-1 = Gamma")
        L = B.T * G * B
        mu = mu_parameter(alpha, rho)
        # Solve both systems at a random exact point to confirm the elimination for this task.
        pt = {alpha: sp.Rational(2, 7), rho: sp.Rational(3, 11), **{w: sp.Rational(k + 2, k + 1) for k, w in enumerate(ws)}}
        c = ((1 - alpha) / 2 * B * B.T + D).subs(pt).LUsolve(y)
        r_from_c = ((1 - alpha) / 2 * B.T * c).subs(pt)
        r = (L + mu * sp.eye(n)).subs(pt).LUsolve((B.T * G * y).subs(pt))
        s.check_zero((r - r_from_c).norm(), f"rank system of {task}")
    s.equation("(L + \\mu I)\\, r", "\\sum_e \\gamma_e y_e (e_i - e_j)")
    s.equation("\\mu", mu_parameter(alpha, rho))
    s.equation("\\gamma_e", sp.Symbol("w_e") * (alpha + rho) / (alpha * sp.Symbol("w_e") + rho))

with doc.step(
    "The margins are $r_i - r_j$ on untrained pairs and $m_e y_e + (1-m_e)(r_i - r_j)$ on trained pairs, "
    "$m_e = \\alpha w_e/(\\alpha w_e + \\rho)$: identical rational functions to the full trial-Gram solve."
) as s:
    for task in TASKS[:2]:
        gram = _solve_gram(task, AlphaKernel(alpha), rho)
        from symti.solve.exact import _solve_rank
        rank = _solve_rank(task, AlphaKernel(alpha), rho)
        for key in gram:
            s.check_zero(sp.cancel(gram[key] - rank[key]), f"margin {key} of {task}")
    w = sp.Symbol("w_e", positive=True)
    s.check_zero(memorization(alpha, rho, w) - alpha * w / (alpha * w + rho), "m_e")
    s.equation("f(e)", "m_e y_e + (1 - m_e)(r_i - r_j)")

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
