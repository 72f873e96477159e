r"""Derivation 8: gradient flow of KRR with K_alpha, and its TI Fourier closed form.

Claims.  (i) With unit weights, on the antisymmetric subspace the flow
f_t(X) = (I - e^{-Kt}) y reduces to ranks r_t = (1-alpha)/2 phi_t(M) b with
M = alpha I + (1-alpha)/2 L, phi_t(x) = (1 - e^{-xt})/x; trained pairs get
y_e - (B e^{-Mt} z)_e - e^{-alpha t} (y_c)_e with y = Bz + y_c.
(ii) For TI this is a finite Fourier sum over 2 - 2cos(k pi/n), odd k only.
(iii) t -> oo gives the ridgeless rank system (L + mu I) r = b, mu = 2 alpha/(1-alpha).

Run: ``python derivations/08_dynamics.py``.
"""
import mpmath
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.output.derivation import Derivation
from symti.solve.dynamics import cycle_split, flow_exact, phi, ti_flow_margin

alpha, t, x = sp.symbols("alpha t x", positive=True)
doc = Derivation("Learning dynamics: gradient flow from zero", "08_dynamics")


def expm_flow(K, y, t0):
    """Independent reference: (I - expm(-K t)) y with mpmath at 50 digits, as SymPy Floats."""
    with mpmath.workdps(50):
        Km = mpmath.matrix([[mpmath.mpf(sp.N(v, 60)) for v in K.row(r)] for r in range(K.rows)])
        E = mpmath.expm(-Km * mpmath.mpf(sp.N(t0, 60)))
        out = [mpmath.mpf(int(y[a])) - mpmath.fsum(E[a, b] * int(y[b]) for b in range(K.rows)) for a in range(K.rows)]
        return [sp.Float(mpmath.nstr(v, 50), 50) for v in out]


def incidence(task):
    E = task.trained_pairs
    B = sp.Matrix(len(E), task.n, lambda a, k: int(k + 1 == E[a].i) - int(k + 1 == E[a].j))
    return B, sp.Matrix([e.target for e in E])


with doc.step(
    "On the training set, gradient flow of the squared loss from $f_0 = 0$ solves "
    "$\\dot f = K(y - f)$, so $f_t(X) = (I - e^{-Kt})y$ and the dual coefficients are "
    "$c_t = \\varphi_t(K) y$ with $\\varphi_t(x) = (1 - e^{-xt})/x$; predictions are $K(p, X)c_t$."
) as s:
    s.check_zero(sp.diff(phi(x, t), t) - sp.exp(-x * t), "d/dt phi_t(x) = e^{-xt}")
    s.check_zero(x * phi(x, t) - (1 - sp.exp(-x * t)), "x phi_t(x) = 1 - e^{-xt}")
    s.check(sp.limit(phi(x, t), t, sp.oo) == 1 / x, "phi_oo(x) = 1/x (pseudo-inverse)")
    s.check(sp.limit(phi(x, t), x, 0) == t, "phi_t(0) = t")
    s.equation("f_t(p)", "K(p, X)\\,\\varphi_t(K)\\,y")
    s.equation("\\varphi_t(x)", phi(x, t))

with doc.step(
    "Rank form. With $K_r = \\tfrac{1-\\alpha}{2}BB^\\top + \\alpha I$, $B^\\top\\varphi(K_r) = \\varphi(M)B^\\top$ "
    "for $M = \\alpha I + \\tfrac{1-\\alpha}{2}L$, $L = B^\\top B$. Hence $r_t = \\tfrac{1-\\alpha}{2}\\varphi_t(M)\\,b$, "
    "$b = B^\\top y$, and untrained margins are $r_{t,i} - r_{t,j}$. Splitting $y = Bz + y_c$ ($B^\\top y_c = 0$, "
    "so $K_r y_c = \\alpha y_c$), trained pairs are $y_e - (Be^{-Mt}z)_e - e^{-\\alpha t}(y_c)_e$: the cycle part is "
    "learned at the single rate $\\alpha$."
) as s:
    for task in [Task(4, exceptions=[(1, 3)]), Task(5, exceptions=[(2, 4)])]:
        B, y = incidence(task)
        L = B.T * B
        M = alpha * sp.eye(task.n) + (1 - alpha) / 2 * L
        Kr = (1 - alpha) / 2 * B * B.T + alpha * sp.eye(B.rows)
        # intertwining: B^T Kr^k = M^k B^T for every k, hence for every power series
        s.check_zero((B.T * Kr - M * B.T).norm(), f"B^T K_r = M B^T ({task})")
        b, z, yc = cycle_split(task)
        s.check((B.T * yc).is_zero_matrix, "y_c is a circulation")
        s.check_zero((Kr * yc - alpha * yc).norm(), "K_r y_c = alpha y_c")
        # compare with the explicit matrix exponential of the full trial system at a rational point
        a0, t0 = sp.Rational(1, 3), sp.Rational(1, 2)
        P = flow_exact(task, a0, t)
        X = [p for p, _, _ in task.training_trials()]
        K = AlphaKernel(a0).gram(X)
        yy = sp.Matrix([v for _, v, _ in task.training_trials()])
        ref = expm_flow(K, yy, t0)
        got = [P[p].subs(t, t0) for p in X]
        s.check(max(abs(sp.N(g, 40) - r) for g, r in zip(got, ref)) < 1e-30, f"rank form = (I - e^(-Kt))y on {task}")
    s.equation("r_t", "\\tfrac{1-\\alpha}{2}\\,\\varphi_t\\big(\\alpha I + \\tfrac{1-\\alpha}{2}L\\big)\\,b")
    s.equation("f_t(e)", "y_e - (B e^{-Mt} z)_e - e^{-\\alpha t} (y_c)_e")

with doc.step(
    "TI: the path Laplacian has eigenpairs $\\ell_k = 2 - 2\\cos\\frac{k\\pi}{n}$, "
    "$u_k(i) = \\cos\\frac{k\\pi(2i-1)}{2n}$, and $b = e_1 - e_n$ has "
    "$u_k^\\top b = (1 - (-1)^k)\\cos\\frac{k\\pi}{2n}$: only odd $k$ contribute, giving the finite Fourier sum."
) as s:
    k, i, n = sp.symbols("k i n", positive=True, integer=True)
    u = lambda ii: sp.cos(k * sp.pi * (2 * ii - 1) / (2 * n))  # noqa: E731
    # interior rows of (L u)_i = l_k u_i
    interior = 2 * u(i) - u(i - 1) - u(i + 1) - (2 - 2 * sp.cos(k * sp.pi / n)) * u(i)
    s.check_zero(sp.expand_trig(sp.expand(interior.rewrite(sp.exp))), "interior eigen-equation")
    first = u(1) - u(2) - (2 - 2 * sp.cos(k * sp.pi / n)) * u(1)
    s.check_zero(sp.simplify(first.rewrite(sp.exp)), "boundary row i = 1")
    for nn in range(2, 7):
        for kk in range(1, nn):
            ub = sp.cos(sp.pi * kk / (2 * nn)) - sp.cos(sp.pi * kk * (2 * nn - 1) / (2 * nn))
            s.check_zero(sp.nsimplify(ub - (1 - (-1) ** kk) * sp.cos(kk * sp.pi / (2 * nn))), f"u_k^T b, n={nn}, k={kk}")
    s.equation("r_{t,i}", "\\frac{2(1-\\alpha)}{n}\\sum_{k\\ \\mathrm{odd}} \\varphi_t(x_k)\\cos\\frac{k\\pi}{2n}\\cos\\frac{k\\pi(2i-1)}{2n},"
               "\\quad x_k = \\alpha + (1-\\alpha)\\big(1 - \\cos\\tfrac{k\\pi}{n}\\big)")

with doc.step(
    "The Fourier form agrees with the time convention of derivations/theory.md §3: at several $t$ it equals the "
    "matrix exponential of the full trial Gram matrix, $f_t(X) = (I - e^{-Kt})y$, and its "
    "$t\\to\\infty$ limit is the ridgeless KRR margin."
) as s:
    a0 = sp.Rational(2, 5)
    for nn in (3, 4, 5):
        task = Task(nn)
        X = [p for p, _, _ in task.training_trials()]
        K = AlphaKernel(a0).gram(X)
        yy = sp.Matrix([v for _, v, _ in task.training_trials()])
        for t0 in (sp.Rational(1, 4), sp.Integer(2), sp.Integer(9)):
            ref = expm_flow(K, yy, t0)
            for a, p in enumerate(X):
                if p[0] < p[1]:
                    s.check(abs(sp.N(ti_flow_margin(nn, p[0], p[1], a0, t0), 40) - ref[a]) < 1e-30, f"trained {p}, n={nn}, t={t0}")
        exact = solve_exact(task, AlphaKernel(a0))
        s.check(abs(sp.N(ti_flow_margin(nn, 1, nn, a0, sp.oo) - exact[1, nn], 40)) < 1e-35, f"t -> oo, n={nn}")
    s.equation("\\lim_{t\\to\\infty} r_t", "\\tfrac{1-\\alpha}{2}M^{-1}b = (L + \\mu I)^{-1}b,\\quad \\mu = \\frac{2\\alpha}{1-\\alpha}")

with doc.step(
    "As $t\\to\\infty$ the rank form gives $(L + \\mu I)^{-1}b$ with $\\mu = 2\\alpha/(1-\\alpha)$: the ridgeless rank "
    "system of derivation 1, so the flow converges to ridgeless KRR; with an exception the slowest rate is $\\alpha$ "
    "(the cycle part), so memorizing the exception takes time of order $1/\\alpha$."
) as s:
    s.check_zero(((1 - alpha) / 2) / (alpha + (1 - alpha) / 2 * x) - 1 / (x + 2 * alpha / (1 - alpha)), "(1-a)/2 (a + (1-a)x/2)^-1 = (x + mu)^-1")
    task = Task(5, exceptions=[(2, 4)])
    a0 = sp.Rational(1, 4)
    P = flow_exact(task, a0, t)
    exact = solve_exact(task, AlphaKernel(a0))
    for p in [(4, 2), (1, 5), (1, 4), (2, 5)]:
        s.check_zero(sp.limit(P[p], t, sp.oo) - exact[p], f"lim f_t{p} = ridgeless KRR")
    # the exception's approach: 1 - f_t(4, 2) is dominated by e^{-alpha t}
    lead = sp.limit((1 - P[4, 2]) * sp.exp(a0 * t), t, sp.oo)
    b, z, yc = cycle_split(task)
    s.check(lead == -yc[-1], "1 - f_t(v,u) ~ (y_c)_{(v,u)} e^{-alpha t}")
    s.equation("1 - f_t(v, u)", "(y_c)_{(v,u)}\\, e^{-\\alpha t} + o(e^{-\\alpha t})")

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
