r"""Derivation 6: limits of margins and thresholds (rho -> 0+, alpha -> 0+, alpha -> 1-, n -> oo).

Claims.  (i) Fixed n: margins are rational in alpha and rho; their Taylor
series at alpha = 0, at alpha = 1 (in epsilon = 1 - alpha) and at rho = 0
agree with the full trial-Gram KRR solve at x = 10^-k to the claimed order.
(ii) With unit weights the untrained margins depend on (alpha, rho) only via
mu, so every threshold moves exactly as alpha*(rho) = 1 - (1+rho)(1-alpha*_0).
(iii) n -> oo: margins tend to rational functions of q = e^{-lambda}; near the
top end TI margins tend to (q^i - q^j)/(1-q); in the middle the TI signal
vanishes and a boundary pair's limit is negative for every q, so the critical
alpha of a middle exception tends to 0.

Run: ``python derivations/06_limits.py``.
"""
import mpmath
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.limits import (
    ALPHA,
    EPS,
    Q,
    RHO,
    alpha_from_q,
    large_n_margin,
    large_n_ranks,
    large_n_threshold,
    margin_series,
    q_from_alpha,
    series_check,
    threshold_ridge_series,
)
from symti.output.derivation import Derivation

doc = Derivation("Limits of margins and thresholds", "06_limits")
TASK = Task(9, exceptions=[(4, 6)])


def converged(rows, coeff, what, s):
    c = mpmath.mpf(sp.N(coeff, 50))
    dev = [abs(r["ratio"] - c) for r in rows]
    s.check(all(b <= a / 5 for a, b in zip(dev, dev[1:])), f"{what}: error/x^order -> next coefficient at rate O(x)")


with doc.step(
    "$\\alpha \\to 0^+$ (ridgeless, $n = 9$, exception $\\{4,6\\}$): the boundary pairs start at their additive "
    "least-squares margins and lose margin linearly in $\\alpha$; the series agrees with the mpmath KRR solve at "
    "$\\alpha = 10^{-3}, 10^{-4}, 10^{-5}$ with error $\\approx c_2\\alpha^2$."
) as s:
    for (i, j) in [(3, 6), (4, 7), (2, 6)]:
        ser = margin_series(TASK, i, j, "alpha", order=2)
        converged(series_check(TASK, ser, ks=(3, 4, 5), dps=40), ser.next_coefficient, f"({i},{j})", s)
        s.check(ser.terms[0][1] > 0 and ser.terms[1][1] < 0, f"({i},{j}) right at alpha = 0 and decreasing")
        s.equation(f"f({i},{j})", ser.truncated + sp.O(ALPHA ** 2))

with doc.step(
    "$\\alpha \\to 1^-$: every untrained margin vanishes, at a pair-dependent order in $\\varepsilon = 1-\\alpha$ "
    "(pairs spanning the whole cycle vanish faster); checked at $\\varepsilon = 10^{-3..5}$."
) as s:
    for (i, j) in [(3, 6), (2, 8), (1, 3)]:
        ser = margin_series(TASK, i, j, "1-alpha", order=3)
        s.check(ser.terms[0][1] == 0, f"({i},{j}) -> 0")
        converged(series_check(TASK, ser, ks=(3, 4, 5), dps=40), ser.next_coefficient, f"({i},{j})", s)
        s.equation(f"f({i},{j})", ser.truncated + sp.O(EPS ** 3))

with doc.step(
    "$\\rho \\to 0^+$: $f = f_0(\\alpha) + f_1(\\alpha)\\rho + O(\\rho^2)$ with coefficients rational in $\\alpha$; "
    "checked at $\\alpha = 1/4$, $\\rho = 10^{-3..5}$."
) as s:
    ser = margin_series(TASK, 3, 6, "rho", order=2)
    a0 = sp.Rational(1, 4)
    converged(series_check(TASK, ser, ks=(3, 4, 5), dps=40, alpha=a0), ser.next_coefficient.subs(ALPHA, a0), "(3,6)", s)
    s.equation("f(3,6)", ser.truncated + sp.O(RHO ** 2))

with doc.step(
    "Thresholds under a ridge: untrained margins depend on $(\\alpha,\\rho)$ only through "
    "$\\mu = 2(\\alpha+\\rho)/(1-\\alpha)$ (unit weights), so a threshold $\\alpha^*_0$ becomes exactly "
    "$\\alpha^*(\\rho) = 1 - (1+\\rho)(1-\\alpha^*_0)$: the implicit-function slope is $\\alpha^*_0 - 1$ and the "
    "expansion terminates."
) as s:
    mu = 2 * (ALPHA + RHO) / (1 - ALPHA)
    a_of = sp.solve(sp.Eq(mu, sp.Symbol("m")), ALPHA)[0]
    a00 = sp.Symbol("a0", positive=True)
    m0 = mu.subs({ALPHA: a00, RHO: 0})
    s.check_zero(sp.simplify(a_of.subs(sp.Symbol("m"), m0) - (1 - (1 + RHO) * (1 - a00))), "level set of mu")
    (res,) = threshold_ridge_series(TASK, 3, 6)
    s.check_zero(sp.simplify(res["slope"] - (res["alpha0"] - 1)), "implicit-function slope = alpha*_0 - 1")
    r0 = sp.Rational(1, 20)
    pred = sp.nsimplify(sp.N(1 - (1 + r0) * (1 - res["alpha0"]), 40), rational=True)
    for delta, sign in ((sp.Rational(-1, 10 ** 15), 1), (sp.Rational(1, 10 ** 15), -1)):
        s.check(sp.sign(solve_exact(TASK, AlphaKernel(pred + delta), r0)[3, 6]) == sign, "sign change at the predicted alpha*")
    s.equation("\\alpha^*(\\rho)", 1 - (1 + RHO) * (1 - sp.Symbol("\\alpha^*_0")))

with doc.step(
    "$n\\to\\infty$ near the top: the half-infinite rank equations $(L+\\mu I)r = e_1$ are solved by "
    "$r_i = q^i/(1-q)$, $q + 1/q = 2 + \\mu$; with the exception (Sherman--Morrison on the half-infinite Green's function) "
    "the limits are rational in $q$ and the finite-$n$ margins approach them with error $\\sim C q^n$."
) as s:
    mu_q = Q + 1 / Q - 2
    r = large_n_ranks([1, 2, 3], q=Q)
    s.check_zero(sp.simplify((1 + mu_q) * r[1] - r[2] - 1), "row 1")
    s.check_zero(sp.simplify((2 + mu_q) * r[2] - r[1] - r[3]), "interior row")
    s.check_zero(sp.simplify(alpha_from_q(q_from_alpha(sp.Rational(1, 3))) - sp.Rational(1, 3)), "q <-> alpha")
    a0 = sp.Rational(1, 3)
    q0 = sp.N(q_from_alpha(a0), 50)
    lim = sp.N(large_n_margin(3, 6, (4, 6)).subs(Q, q0), 50)
    sc = [(sp.N(solve_exact(Task(nn, exceptions=[(4, 6)]), AlphaKernel(a0))[3, 6], 50) - lim) / q0 ** nn for nn in (14, 18, 22)]
    s.check(abs(sc[2] - sc[1]) < 1e-2 * abs(sc[2]), "error / q^n converges")
    s.equation("\\lim_{n\\to\\infty} f(3,6)", large_n_margin(3, 6, (4, 6)))
    ((qs, a_inf),) = large_n_threshold(3, 6, (4, 6))
    s.check(0 < sp.N(a_inf) < sp.N(sp.CRootOf(3 * ALPHA ** 2 - 8 * ALPHA + 1, 0)), "limit threshold below the n = 9 one")
    s.equation("\\alpha^*_\\infty(3,6)", sp.Float(sp.N(a_inf, 12), 12))

with doc.step(
    "$n\\to\\infty$ with the exception in the middle: the TI ranks are $O(q^{n/2})$, so the limit is the pure exception "
    "response; for the boundary pair $(u-1, v)$ of a span-2 exception it is $-q(1+q)/(1+2q) < 0$ for all $q \\in (0,1)$: "
    "the critical $\\alpha$ tends to 0."
) as s:
    f = large_n_margin(-1, 2, (0, 2), "middle")
    s.check_zero(sp.simplify(f + Q * (1 + Q) / (1 + 2 * Q)), "closed form")
    s.check(sp.solveset(sp.numer(sp.together(f)), Q, sp.Interval.open(0, 1)) == sp.EmptySet, "no sign change in (0, 1)")
    a0 = sp.Rational(1, 20)
    signs = []
    for nn in (9, 41):
        cc = (nn + 1) // 2
        signs.append(sp.sign(solve_exact(Task(nn, exceptions=[(cc - 1, cc + 1)]), AlphaKernel(a0))[cc - 2, cc + 1]))
    s.check(signs == [1, -1], "alpha = 1/20: right at n = 9, wrong at n = 41")
    s.equation("\\lim_{n\\to\\infty} f(u-1, v)", f)

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
