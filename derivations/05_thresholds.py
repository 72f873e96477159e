r"""Derivation 5: the conjunctivity thresholds of derivations/theory.md §4.

Claim.  Ridgeless KRR with K_alpha on n = 9 items with the exception {4, 6}
gets no test pair wrong at alpha = 0.1, exactly (3,6) and (4,7) wrong at
alpha = 0.2, and additionally (2,6), (3,5), (3,7), (4,8), (5,7) by
alpha = 0.5.  The thresholds are exactly alpha = (4 - sqrt 13)/3 for the first
two pairs and alpha = 1/3 for the other five; every pair stays wrong up to
alpha = 1.  For large n the critical alpha of a middle exception of span s
behaves like 2 arcosh^2((2s+1)/s) / n^2 (local Kirchhoff law + TI slope).

Run: ``python derivations/05_thresholds.py`` (writes derivations/latex/).
"""
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.scaling import critical_alpha, critical_alpha_asymptotic, placed_task
from symti.analysis.thresholds import ALPHA, thresholds
from symti.output.derivation import Derivation

a = ALPHA
R = sp.Rational
doc = Derivation("Conjunctivity thresholds of the $n = 9$, $\\{4, 6\\}$ task", "05_thresholds")
TASK = Task(9, exceptions=[(4, 6)])
P = solve_exact(TASK, AlphaKernel(a), 0)
FIRST = [(3, 6), (4, 7)]
LATER = [(2, 6), (3, 5), (3, 7), (4, 8), (5, 7)]


def wrong_at(alpha):
    Q = solve_exact(TASK, AlphaKernel(alpha), 0)
    return {(i, j) for i, j in TASK.ordered_pairs()
            if i < j and not TASK.is_trained(i, j) and TASK.ground_truth(i, j) is not None
            and TASK.ground_truth(i, j) * Q[i, j] < 0}


with doc.step(
    "derivations/theory.md §4: at $\\alpha = 1/10$ no test pair is wrong, at $\\alpha = 1/5$ exactly "
    "$(3,6)$ and $(4,7)$, and at $\\alpha = 1/2$ also $(2,6), (3,5), (3,7), (4,8), (5,7)$ "
    "(exact solves at rational $\\alpha$)."
) as s:
    s.check(wrong_at(R(1, 10)) == set(), "alpha = 1/10")
    s.check(wrong_at(R(1, 5)) == set(FIRST), "alpha = 1/5")
    s.check(wrong_at(R(1, 2)) == set(FIRST + LATER), "alpha = 1/2")
    s.equation("W(1/10) = \\emptyset,\\quad W(1/5) = \\{(3,6), (4,7)\\}")

with doc.step(
    "The first pairs: $f(3,6) = f(4,7)$ as rational functions; the numerator's factor "
    "$3\\alpha^2 - 8\\alpha + 1$ has the single root $(4 - \\sqrt{13})/3$ in $(0,1)$, "
    "the denominator none, so both pairs are wrong exactly for $\\alpha \\in ((4-\\sqrt{13})/3, 1)$."
) as s:
    f36 = sp.factor(P[3, 6])
    s.check_zero(P[3, 6] - P[4, 7], "f(3,6) = f(4,7) (mirror symmetry of the task)")
    num, den = sp.fraction(sp.cancel(P[3, 6]))
    s.check(sp.rem(sp.Poly(num, a), sp.Poly(3 * a**2 - 8 * a + 1, a)).is_zero, "3a^2 - 8a + 1 divides the numerator")
    s.check(sp.Poly(den, a).count_roots(0, 1) == 0, "no pole in [0, 1]")
    roots = sp.solve(3 * a**2 - 8 * a + 1, a)
    star = (4 - sp.sqrt(13)) / 3
    s.check(any(sp.simplify(r - star) == 0 for r in roots), "(4 - sqrt 13)/3 is a root")
    T = thresholds(TASK)
    for key in FIRST:
        ((lo, hi),) = T.pair(*key).wrong_set
        s.check(sp.simplify(lo.value - star) == 0, f"alpha* of {key}")
        s.check(hi.value == 1, f"wrong up to 1 for {key}")
    s.check(T.critical_alpha == T.pair(3, 6).alpha_star, "critical alpha is (3,6)'s threshold")
    s.check(abs(float(star) - 0.13148290817867) < 1e-13, "numeric value")
    s.equation(sp.Symbol("f(3,6)"), f36)
    s.equation("\\alpha_c", star)

with doc.step(
    "The five later pairs all fail at exactly $\\alpha = 1/3$: each margin has the factor "
    "$3\\alpha - 1$ with a sign change there, and no other root or pole in $(0,1)$."
) as s:
    for key in LATER:
        m = P[key]
        num, den = sp.fraction(sp.cancel(m))
        pn = sp.Poly(num, a)
        s.check(pn.rem(sp.Poly(3 * a - 1, a)).is_zero, f"3a - 1 divides the numerator of f{key}")
        s.check(pn.count_roots(0, 1) == 2 and sp.Poly(den, a).count_roots(0, 1) == 0,
                f"roots of f{key} in [0,1]: 1/3 and 1 only")
        s.check(m.subs(a, R(1, 3) - R(1, 10**6)) > 0 > m.subs(a, R(1, 3) + R(1, 10**6)), f"sign change of f{key}")
        s.check(T.pair(*key).alpha_star == R(1, 3), f"threshold set of {key}")
        s.equation(sp.Symbol(f"f{key}"), sp.factor(m))

with doc.step(
    "Local law of the threshold for large $n$: with far-field rank slope $\\sigma$ and residual current "
    "$c = 1 - \\sigma$, Kirchhoff's laws on the cycle of span $s$ give premise steps $-c/(s+1)$ inside it and "
    "$r_v - r_u = cs/(s+1)$, so $f(u-1, v) = \\sigma - (1-\\sigma)s/(s+1)$ vanishes at $\\sigma_c = s/(2s+1)$. "
    "With the TI step $\\cosh((n/2-i)\\lambda)/\\cosh(n\\lambda/2)$ and $\\alpha \\approx \\lambda^2/2$ this gives "
    "$\\alpha_c \\sim 2\\,\\mathrm{arcosh}^2((2s+1)/s)/n^2$ for a middle exception."
) as s:
    sig, sp_, p, q = sp.symbols("sigma s p q", positive=True)
    c = 1 - sig
    sol = sp.solve([sp.Eq(p - c - q, 0), sp.Eq(sp_ * (1 - p) + (1 - q), 0)], [p, q], dict=True)[0]
    step_inside = 1 - sol[p]
    s.check_zero(step_inside + c / (sp_ + 1), "premise step inside the cycle")
    rv_ru = 1 - sol[q]
    s.check_zero(rv_ru - c * sp_ / (sp_ + 1), "r_v - r_u")
    margin = sig - rv_ru
    sig_c = sp.solve(margin, sig)[0]
    s.check_zero(sig_c - sp_ / (2 * sp_ + 1), "sigma_c")
    # TI step at the middle, exact in lambda (derivations/theory.md §3 ranks)
    lam, n, i = sp.symbols("lambda n i", positive=True)
    r = lambda k: sp.sinh(((n + 1) / 2 - k) * lam) / (2 * sp.cosh(n * lam / 2) * sp.sinh(lam / 2))  # noqa: E731
    step = r(i) - r(i + 1)
    check_pt = {n: 9, i: 3, lam: R(3, 10)}
    s.check(abs(sp.N((step - sp.cosh((n / 2 - i) * lam) / sp.cosh(n * lam / 2)).subs(check_pt), 30)) < 1e-25, "TI step")
    # numeric confirmation of the law at finite n (span 2 and 3)
    for span in (2, 3):
        N_ = 401
        ratio = critical_alpha(placed_task(N_, span), method="numeric") / float(critical_alpha_asymptotic(N_, span))
        s.check(abs(ratio - 1) < 0.03, f"n = 401, span {span}: ratio {ratio:.4f}")
    s.equation("\\sigma_c", sp_ / (2 * sp_ + 1))
    s.equation("\\alpha_c \\sim", "\\frac{2\\,\\operatorname{arcosh}^2\\!\\left(\\frac{2s+1}{s}\\right)}{n^2}")

if __name__ == "__main__":
    print(doc.summary())
    print("wrote", doc.write())
