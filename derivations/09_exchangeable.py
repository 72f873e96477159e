r"""Derivation 9: the exchangeable family -- its reduction to K_alpha, its exact PSD region,
what happens beyond alpha' = 1, and how item geometry moves the wrong set.

Claims (derivations/theory.md §2 "Reduction", §5 "Which exchangeable kernels exist").

1. Reduction.  An exchangeable kernel with kappa_1 = kappa_2 and kappa_s < 1 predicts, on
   any task (swap-closed training set, antisymmetric targets, any weights), exactly as
   K_alpha' with ridge rho', alpha' = 1 - 2(kappa_1 - kappa_x)/(1 - kappa_s),
   rho' = rho/(1 - kappa_s); kappa_d drops out.
2. Spectrum.  On the n(n-1) ordered pairs the kernel has the eigenvalues
   lambda_0 (constants), lambda_sym (symmetric, zero row sums), lambda_cyc (antisymmetric,
   zero row sums: the cycle space) and the two eigenvalues of a 2x2 block on a x_i + b x_j,
   sum x = 0, with multiplicities 1, n(n-3)/2, (n-1)(n-2)/2, n-1, n-1; the block's
   eigenvalues are real.  The kernel is PSD iff all are >= 0.
3. Range of alpha'.  lambda_cyc = (1 - kappa_s) alpha' and the antisymmetric combination
   x_i - x_j has eigenvalue (1 - kappa_s)(1 + (n-2)(1 - alpha')/2): on PSD kernels
   0 <= alpha' <= n/(n-2), both ends attained.
4. Beyond alpha' = 1 (possible on PSD kernels for every n >= 3) the rank system has
   mu = 2(alpha' + rho')/(1 - alpha') <= -n, so L + mu I is negative definite on the path
   and plain TI answers the end pair (1, n) wrongly: such "anti-additive" codes cannot
   solve the task (n >= 4).
5. Geometry at fixed conjunctivity: n = 9, {4, 6}, alpha = 1/10 < alpha_c.  K_alpha makes no
   test pair wrong; the ordinal similarity S_ik = gamma^|i-k| makes (3, 6), (4, 7) wrong
   for gamma above gamma* ~ 0.1330 (an exact algebraic number), although the exchangeable
   projection of the kernel has alpha' < 1/10 and, like K_{alpha'}, gets nothing wrong.

Run: ``python derivations/09_exchangeable.py`` (writes derivations/latex/).
"""
import itertools

import sympy as sp

from symti import AlphaKernel, ExchangeableKernel, Task, solve_exact
from symti.analysis.geometry import geometry_effect, parameter_thresholds
from symti.kernels.exchangeable import KAPPAS, block_matrix, exchangeable_eigenvalues
from symti.kernels.similarity import gaussian_similarity
from symti.kernels.trial import SimilarityKernel, coincidence_pattern, geometric_similarity
from symti.output.derivation import Derivation

R = sp.Rational
ks, k1, k2, kx, kd = KAPPAS
a, rho = sp.symbols("alpha rho", positive=True)
doc = Derivation("The exchangeable family: reduction, PSD region, geometry", "09_exchangeable")

VALUES = {"same": 1, "swap": ks, "first": k1, "second": k2, "crossed": kx, "disjoint": kd}


def K(p, q, vals=VALUES):
    return vals[coincidence_pattern(p, q)]


def pairs(n):
    return [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]


with doc.step(
    "Reduction, the kernel identity: for $\\kappa_1 = \\kappa_2$ and every trial $p$ and training trial $e$ "
    "(with swapped copy $\\bar e$), $K(p, e) - K(p, \\bar e) = (1 - \\kappa_s)\\,[K_{\\alpha'}(p, e) - "
    "K_{\\alpha'}(p, \\bar e)]$ with $\\alpha' = 1 - 2(\\kappa_1 - \\kappa_x)/(1 - \\kappa_s)$; $\\kappa_d$ drops out. "
    "Two trials involve at most four items, so enumerating all pairs $(p, e)$ on five items covers every case."
) as s:
    sym = {**VALUES, "second": k1}
    alpha_p = 1 - 2 * (k1 - kx) / (1 - ks)
    Ka = {"same": 1, "swap": 0, "first": (1 - alpha_p) / 2, "second": (1 - alpha_p) / 2, "crossed": 0, "disjoint": 0}
    for p, e in itertools.product(pairs(5), repeat=2):
        eb = (e[1], e[0])
        lhs = K(p, e, sym) - K(p, eb, sym)
        rhs = (1 - ks) * (K(p, e, Ka) - K(p, eb, Ka))
        s.check(sp.cancel(lhs - rhs) == 0, f"pattern of {p} vs {e}")
    s.equation("K(p,e) - K(p,\\bar e)", "(1-\\kappa_s)\\left[K_{\\alpha'}(p,e) - K_{\\alpha'}(p,\\bar e)\\right]")
    s.equation("\\alpha'", sp.latex(alpha_p))

with doc.step(
    "Reduction, the predictions: the training set is swap-closed with antisymmetric targets and swap-symmetric "
    "weights, so the (unique, $\\rho > 0$) dual coefficients are antisymmetric, "
    "$(A + \\rho W^{-1}) c = y$ only sees the differences above, and with $c' = (1-\\kappa_s) c$ it becomes "
    "$(A_{\\alpha'} + \\tfrac{\\rho}{1-\\kappa_s} W^{-1}) c' = y$.  Exact check with symbolic $\\rho$ on $n = 5$ "
    "with the exception $\\{1, 3\\}$ and a weight, for a kernel with all five values nonzero and for one with "
    "$\\alpha' = 5/3 > 1$: the full trial Gram solve equals $K_{\\alpha'}$ at ridge $\\rho'$ identically."
) as s:
    task = Task(5, exceptions=[(1, 3)], weights={(2, 3): 2})
    Q = solve_exact(task, AlphaKernel(a), rho, check=False)
    for vals in ((R(1, 10), R(2, 5), R(2, 5), R(1, 5), R(1, 20)), (0, R(-1, 6), R(-1, 6), R(1, 6), 0)):
        Kfull = ExchangeableKernel(*vals)
        P = solve_exact(task, Kfull, rho, method="gram")
        alpha_p, rho_p = Kfull.reduced_alpha_ridge(rho)
        for p in task.ordered_pairs():
            s.check(sp.cancel(P[p] - Q[p].subs({a: alpha_p, rho: rho_p})) == 0, f"f{p}, kappas {vals}")
    s.equation("\\rho'", "\\frac{\\rho}{1 - \\kappa_s}")

with doc.step(
    "Spectrum: explicit eigenvectors of the Gram matrix on all ordered pairs, with symbolic "
    "$\\kappa$'s, for $n = 4, \\dots, 7$: the constant vector; $w_{ij}$ with "
    "$w = (e_1 - e_2)(e_3 - e_4)^\\top + (e_3 - e_4)(e_1 - e_2)^\\top$ (symmetric, zero row sums); the oriented "
    "triangle $1 \\to 2 \\to 3 \\to 1$ (antisymmetric, zero row sums); and $x_i$, $x_j$ with $x = e_1 - e_2$, on "
    "which the kernel acts by the $2 \\times 2$ block (columns: images of $x_i$ and $x_j$).  The multiplicities "
    "(dimensions of the $S_n$-isotypic components $S^{(n)}, S^{(n-2,2)}, S^{(n-2,1,1)}, 2 S^{(n-1,1)}$) add up to "
    "$n(n-1)$."
) as s:
    for n in range(4, 8):
        T = pairs(n)
        G = sp.Matrix([[K(p, q) for q in T] for p in T])
        eig = {name: v for name, v, _ in exchangeable_eigenvalues(n)}
        ones = sp.ones(len(T), 1)
        s.check(sp.expand(G * ones - eig["constant"] * ones) == sp.zeros(len(T), 1), f"constant, n={n}")
        w = sp.zeros(n, n)
        for (i, j), val in {(1, 3): 1, (1, 4): -1, (2, 3): -1, (2, 4): 1}.items():
            w[i - 1, j - 1] = w[j - 1, i - 1] = val
        v = sp.Matrix([w[i - 1, j - 1] for i, j in T])
        s.check(sp.expand(G * v - eig["symmetric"] * v) == sp.zeros(len(T), 1), f"symmetric, n={n}")
        cyc = {(1, 2): 1, (2, 3): 1, (3, 1): 1}
        v = sp.Matrix([cyc.get((i, j), 0) - cyc.get((j, i), 0) for i, j in T])
        s.check(sp.expand(G * v - eig["cycle"] * v) == sp.zeros(len(T), 1), f"cycle, n={n}")
        x = [1, -1] + [0] * (n - 2)
        vi = sp.Matrix([x[i - 1] for i, j in T])
        vj = sp.Matrix([x[j - 1] for i, j in T])
        B = block_matrix(n)
        s.check(sp.expand(G * vi - (B[0, 0] * vi + B[1, 0] * vj)) == sp.zeros(len(T), 1), f"block x_i, n={n}")
        s.check(sp.expand(G * vj - (B[0, 1] * vi + B[1, 1] * vj)) == sp.zeros(len(T), 1), f"block x_j, n={n}")
        s.check(sum(m for _, _, m in exchangeable_eigenvalues(n)) == n * (n - 1), f"multiplicities, n={n}")
    s.equation("\\lambda_0", "1 + \\kappa_s + (n-2)(\\kappa_1 + \\kappa_2 + 2\\kappa_x) + (n-2)(n-3)\\kappa_d")
    s.equation("\\lambda_{\\mathrm{sym}}", "1 + \\kappa_s - \\kappa_1 - \\kappa_2 - 2\\kappa_x + 2\\kappa_d")
    s.equation("\\lambda_{\\mathrm{cyc}}", "1 - \\kappa_s - \\kappa_1 - \\kappa_2 + 2\\kappa_x")
    s.equation("B", "\\begin{pmatrix} 1 + (n-2)\\kappa_1 - \\kappa_2 - \\kappa_x - (n-3)\\kappa_d & "
               "\\kappa_s - \\kappa_1 + (n-3)(\\kappa_x - \\kappa_d) \\\\ \\kappa_s - \\kappa_2 + (n-3)(\\kappa_x - \\kappa_d) & "
               "1 - \\kappa_1 + (n-2)\\kappa_2 - \\kappa_x - (n-3)\\kappa_d \\end{pmatrix}")

with doc.step(
    "The block's eigenvalues are real for all $\\kappa$ and symbolic $n$: its discriminant is "
    "$((n-1)^2 - 1)\\delta^2 + s^2 \\ge 0$ with $\\delta = (\\kappa_1 - \\kappa_2)/2$, "
    "$s = \\kappa_s + (n-3)(\\kappa_x - \\kappa_d) - (\\kappa_1 + \\kappa_2)/2$.  Hence (the kernel is self-adjoint) "
    "PSD $\\iff$ $\\lambda_0, \\lambda_{\\mathrm{sym}}, \\lambda_{\\mathrm{cyc}} \\ge 0$, $\\operatorname{tr} B \\ge 0$, "
    "$\\det B \\ge 0$ (for $n = 3$ without $\\lambda_{\\mathrm{sym}}$, for $n = 2$ just $1 \\pm \\kappa_s \\ge 0$)."
) as s:
    n = sp.Symbol("n", integer=True, positive=True)
    c = (n - 3) * (kx - kd)
    A = 1 + (n - 2) * k1 - k2 - kx - (n - 3) * kd
    Bq = 1 - k1 + (n - 2) * k2 - kx - (n - 3) * kd
    C, D = ks - k2 + c, ks - k1 + c
    disc = (A - Bq) ** 2 / 4 + C * D
    delta, sm = (k1 - k2) / 2, ks + c - (k1 + k2) / 2
    s.check_zero(sp.expand(disc - (((n - 1) ** 2 - 1) * delta**2 + sm**2)), "discriminant")
    s.equation("\\left(\\tfrac{A - B_{22}}{2}\\right)^2 + CD", "((n-1)^2 - 1)\\,\\delta^2 + s^2")

with doc.step(
    "Range of $\\alpha'$: for $\\kappa_1 = \\kappa_2$, $\\lambda_{\\mathrm{cyc}} = (1-\\kappa_s)\\alpha'$ and the block "
    "maps $x_i - x_j$ to $(1-\\kappa_s)(1 + \\tfrac{n-2}{2}(1-\\alpha'))(x_i - x_j)$ (symbolic $n$); so PSD with "
    "$\\kappa_s < 1$ forces $0 \\le \\alpha' \\le n/(n-2)$.  Both ends are attained: $K_0$, and "
    "$\\kappa_s = \\kappa_d = 0$, $\\kappa_1 = \\kappa_2 = -\\tfrac{1}{2(n-2)}$, $\\kappa_x = \\tfrac{1}{2(n-2)}$, "
    "whose other eigenvalues are $1, 1, 1$ (symbolic $n$)."
) as s:
    n = sp.Symbol("n", integer=True, positive=True)
    ap = 1 - 2 * (k1 - kx) / (1 - ks)
    cyc = 1 - ks - 2 * k1 + 2 * kx
    s.check_zero(sp.cancel(cyc - (1 - ks) * ap), "lambda_cyc")
    c = (n - 3) * (kx - kd)
    A = 1 + (n - 2) * k1 - k1 - kx - (n - 3) * kd
    C = ks - k1 + c
    s.check_zero(sp.cancel((A - C) - (1 - ks) * (1 + (n - 2) * (1 - ap) / 2)), "x_i - x_j")
    s.check(sp.solve(sp.Eq(1 + (n - 2) * (1 - a) / 2, 0), a) == [n / (n - 2)], "upper end n/(n-2)")
    top = {ks: 0, kd: 0, k1: -1 / (2 * (n - 2)), kx: 1 / (2 * (n - 2))}
    s.check_zero(sp.cancel(ap.subs(top) - n / (n - 2)), "alpha' of the top kernel")
    lam0 = 1 + ks + (n - 2) * (2 * k1 + 2 * kx) + (n - 2) * (n - 3) * kd
    lsym = 1 + ks - 2 * k1 - 2 * kx + 2 * kd
    s.check_zero(sp.cancel(lam0.subs(top) - 1), "lambda_0 = 1")
    s.check_zero(sp.cancel(lsym.subs(top) - 1), "lambda_sym = 1")
    s.check_zero(sp.cancel((A + C).subs(top) - 1), "x_i + x_j eigenvalue = 1")
    s.equation("0 \\le \\alpha' \\le \\frac{n}{n-2}")

with doc.step(
    "Beyond $\\alpha' = 1$: ridgeless, $\\mu = 2\\alpha'/(1-\\alpha') = -2\\alpha'/(\\alpha' - 1)$ decreases in "
    "magnitude on $(1, n/(n-2)]$ to $-n$ (a ridge only makes it more negative), while the path Laplacian's "
    "eigenvalues $2 - 2\\cos(k\\pi/n) < 4$.  For $n \\ge 4$, $L + \\mu I \\prec 0$ and the TI end pair has "
    "$f(1, n) = (e_1 - e_n)^\\top (L + \\mu I)^{-1}(e_1 - e_n) < 0$: wrong.  Exact check on the top kernel for "
    "$n = 4, \\dots, 8$ (full Gram solve, ridge $1/10$): $f(1, n) < 0$, and with an exception the task is not "
    "solved either."
) as s:
    n = sp.Symbol("n", positive=True)
    mu_top = sp.cancel((2 * a / (1 - a)).subs(a, n / (n - 2)))
    s.check_zero(mu_top + n, "mu at alpha' = n/(n-2) is -n")
    for nn in range(4, 9):
        Ktop = ExchangeableKernel(0, R(-1, 2 * (nn - 2)), R(-1, 2 * (nn - 2)), R(1, 2 * (nn - 2)), 0)
        P = solve_exact(Task(nn), Ktop, R(1, 10), method="gram")
        s.check(P[1, nn] < 0, f"f(1,{nn}) < 0")
        T2 = Task(nn, exceptions=[(2, 4)])
        P2 = solve_exact(T2, Ktop, R(1, 10), method="gram")
        s.check(any(P2[i, j] * T2.ground_truth(i, j) <= 0 for i, j in T2.test_pairs()), f"exception task, n={nn}")
    s.equation("\\mu\\big|_{\\alpha' = n/(n-2)}", "-n")

with doc.step(
    "Geometry at fixed conjunctivity ($n = 9$, $\\{4, 6\\}$, $\\alpha = 1/10 < \\alpha_c$): $K_\\alpha$ gets no test "
    "pair wrong; $S_{ik} = \\gamma^{|i-k|}$ with $\\gamma = 1/2$ makes $(3,6)$ and $(4,7)$ wrong, the Gaussian line "
    "$S_{ik} = q^{(i-k)^2}$, $q = 1/2$, also $(2,6), (3,7), (4,8)$.  Their exchangeable projections have $\\alpha' "
    "< 1/10$ (exact rationals) and get nothing wrong: the sensitivity to representational geometry of [CL26] is "
    "not captured by the effective conjunctivity.  In $\\gamma$, $(3, 6)$ is wrong exactly above the root "
    "$\\gamma^* \\approx 0.13305$ of a degree-8 polynomial."
) as s:
    rows = geometry_effect(Task(9, exceptions=[(4, 6)]), R(1, 10),
                           {"gamma": geometric_similarity(9, R(1, 2)), "q": gaussian_similarity(9, R(1, 2))})
    got = {r["geometry"]: r for r in rows}
    s.check(got["identity"]["wrong"] == [], "K_alpha: nothing wrong")
    s.check(got["gamma"]["wrong"] == [(3, 6), (4, 7)], "gamma = 1/2")
    s.check(got["q"]["wrong"] == [(2, 6), (3, 6), (3, 7), (4, 7), (4, 8)], "q = 1/2")
    s.check(all(r["wrong_projection"] == [] and r["alpha_eff_projection"] <= R(1, 10) for r in rows), "projections")
    g = sp.Symbol("gamma", positive=True)
    W = parameter_thresholds(Task(9, exceptions=[(4, 6)]), SimilarityKernel(geometric_similarity(9, g), R(1, 10)), g)
    ((lo, hi),) = W[(3, 6)]
    s.check(abs(float(lo.value) - 0.133045402717) < 1e-11 and hi.value == 1, "gamma* of (3, 6)")
    s.equation("\\alpha'_{\\gamma = 1/2}", got["gamma"]["alpha_eff_projection"])
    s.equation("\\alpha'_{q = 1/2}", sp.Float(got["q"]["alpha_eff_projection"], 12))
    s.equation("\\gamma^*", sp.Float(lo.value.evalf(15), 12))

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
