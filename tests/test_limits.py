"""Symbolic limits against the exact solution evaluated near the limit."""
import mpmath
import pytest
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.limits import (
    ALPHA,
    Q,
    alpha_from_q,
    large_n_margin,
    large_n_ranks,
    large_n_threshold,
    margin_series,
    q_from_alpha,
    series_check,
    threshold_ridge_series,
)
from symti.closed_form import additive_limit_margin, conjunctive_limit_margin

CASES = [
    (Task(9, exceptions=[(4, 6)]), 3, 6),
    (Task(9, exceptions=[(4, 6)]), 2, 8),
    (Task(7, exceptions=[(2, 5)]), 1, 6),
    (Task(6), 1, 4),
]


def _converges(rows, coeff):
    """error / x^order -> next coefficient, with the O(x) rate the series implies."""
    c = mpmath.mpf(sp.N(coeff, 50))
    dev = [abs(r["ratio"] - c) for r in rows]
    xs = [mpmath.mpf(r["x"]) for r in rows]
    # deviation shrinks like x (x drops by 10 per step): at least a factor 5 per step
    for a, b in zip(dev, dev[1:]):
        assert b <= a / 5 or b < mpmath.mpf(10) ** -30
    assert dev[-1] <= 1e3 * xs[-1] * max(1, abs(c))


@pytest.mark.parametrize("task, i, j", CASES)
@pytest.mark.parametrize("limit", ["alpha", "1-alpha"])
@pytest.mark.parametrize("order", [1, 2])
def test_alpha_series_against_mpmath_solve(task, i, j, limit, order):
    s = margin_series(task, i, j, limit, order=order)
    rows = series_check(task, s, ks=(3, 4, 5), dps=50)
    _converges(rows, s.next_coefficient)


@pytest.mark.parametrize("task, i, j", CASES[:3])
def test_rho_series_against_mpmath_solve(task, i, j):
    alpha = sp.Rational(1, 4)
    s = margin_series(task, i, j, "rho", order=2)
    rows = series_check(task, s, ks=(3, 4, 5), dps=50, alpha=alpha)
    _converges(rows, s.next_coefficient.subs(ALPHA, alpha))


@pytest.mark.parametrize("task, i, j", CASES)
def test_leading_terms_match_closed_form_limits(task, i, j):
    """alpha -> 0: the additive least-squares margin; alpha -> 1: untrained margins vanish
    (both from the closed-form module, an independent route)."""
    s0 = margin_series(task, i, j, "alpha", order=1)
    assert sp.simplify(s0.terms[0][1] - additive_limit_margin(task.n, i, j, list(task.exceptions))) == 0
    s1 = margin_series(task, i, j, "1-alpha", order=6)
    assert s1.terms[0][1] == 0 == conjunctive_limit_margin(task.n, i, j, list(task.exceptions))
    assert s1.leading != 0 and sp.degree(s1.leading, s1.var) >= 1


def test_threshold_moves_exactly_with_ridge():
    """alpha*(rho) = 1 - (1 + rho)(1 - alpha*_0): check the sign of the exact margin on both
    sides of the predicted threshold at a positive ridge."""
    task = Task(9, exceptions=[(4, 6)])
    (res,) = threshold_ridge_series(task, 3, 6)
    a0 = res["alpha0"]
    assert sp.simplify(res["slope"] - (a0 - 1)) == 0
    rho = sp.Rational(1, 50)
    pred = 1 - (1 + rho) * (1 - a0)
    for delta, sign in ((sp.Rational(-1, 10 ** 12), 1), (sp.Rational(1, 10 ** 12), -1)):
        a = sp.nsimplify(sp.N(pred, 40), rational=True) + delta
        m = solve_exact(task, AlphaKernel(a), rho)[3, 6]
        assert sp.sign(m) == sign


def test_q_alpha_roundtrip():
    for a in (sp.Rational(1, 7), sp.Rational(1, 2), sp.Rational(9, 10)):
        for r in (0, sp.Rational(1, 3)):
            assert (1 + r) / (1 - a) > 1  # q is defined for every case here
            q = q_from_alpha(a, r)
            assert 0 < sp.N(q) < 1
            assert sp.simplify(alpha_from_q(q, r) - a) == 0


@pytest.mark.parametrize("exc, pairs", [(None, [(1, 3), (2, 6)]), ((4, 6), [(3, 6), (2, 7), (1, 5)]), ((2, 5), [(1, 6), (3, 7)])])
def test_large_n_top_limit(exc, pairs):
    """Exception at a fixed distance from the top: the exact margins approach the
    rational function of q with error ~ C q^n."""
    alpha = sp.Rational(1, 3)
    q = sp.N(q_from_alpha(alpha), 50)
    ns = [14, 18, 22]
    for i, j in pairs:
        lim = sp.N(large_n_margin(i, j, exc).subs(Q, q), 50)
        scaled = []
        for n in ns:
            m = solve_exact(Task(n, exceptions=[exc] if exc else []), AlphaKernel(alpha))[i, j]
            scaled.append((sp.N(m, 50) - lim) / q ** n)
        assert abs(scaled[-1] - scaled[-2]) < 1e-2 * abs(scaled[-1])
        assert abs(scaled[-1]) > 1e-6  # a genuine O(q^n) correction, not noise


def test_large_n_middle_limit():
    alpha = sp.Rational(1, 3)
    q = sp.N(q_from_alpha(alpha), 50)
    lim = sp.N(large_n_margin(-1, 2, (0, 2), "middle").subs(Q, q), 50)
    scaled = []
    for n in (15, 23, 31):
        c = (n + 1) // 2
        m = solve_exact(Task(n, exceptions=[(c - 1, c + 1)]), AlphaKernel(alpha))[c - 2, c + 1]
        scaled.append((sp.N(m, 50) - lim) / q ** sp.Rational(n, 2))
    assert abs(scaled[-1] - scaled[-2]) < 1e-2 * abs(scaled[-1])


def test_middle_exception_threshold_vanishes():
    """The limiting boundary margin in the middle is negative for every q in (0, 1): the
    critical alpha tends to 0; at fixed alpha a long enough list puts the error in."""
    f = large_n_margin(-1, 2, (0, 2), "middle")
    assert large_n_threshold(-1, 2, (0, 2), "middle") == []
    assert f.subs(Q, sp.Rational(1, 2)) < 0
    alpha = sp.Rational(1, 20)
    signs = []
    for n in (9, 41):
        c = (n + 1) // 2
        signs.append(sp.sign(solve_exact(Task(n, exceptions=[(c - 1, c + 1)]), AlphaKernel(alpha))[c - 2, c + 1]))
    assert signs == [1, -1]


def test_top_threshold_is_the_limit_of_finite_thresholds():
    ((qs, a_inf),) = large_n_threshold(3, 6, (4, 6))
    a_inf = sp.N(a_inf, 40)
    prev = None
    for n in (14, 20, 26):
        m = solve_exact(Task(n, exceptions=[(4, 6)]), AlphaKernel(ALPHA))[3, 6]
        num = sp.Poly(sp.fraction(sp.cancel(m))[0], ALPHA)
        roots = [r for r in num.nroots(n=30) if r.is_real and 0 < r < 1]
        gap = min(abs(r - a_inf) for r in roots)
        if prev is not None:
            assert gap < prev / 5  # geometric convergence in n
        prev = gap
    assert prev < 1e-3


def test_large_n_ranks_solve_the_infinite_system():
    """The top limit ranks satisfy the half-infinite rank equations (checked on 30 rows)."""
    q = sp.Rational(2, 5)
    mu = q + 1 / q - 2
    r = large_n_ranks(list(range(1, 32)), exception=(3, 6), q=q)
    for i in range(1, 31):
        deg = (1 if i == 1 else 2) + (1 if i in (3, 6) else 0)
        lhs = (deg + mu) * r[i] - (r[i - 1] if i > 1 else 0) - r[i + 1]
        lhs -= (r[6] if i == 3 else 0) + (r[3] if i == 6 else 0)
        rhs = (1 if i == 1 else 0) + (-1 if i == 3 else 0) + (1 if i == 6 else 0)
        assert sp.simplify(lhs - rhs) == 0


@pytest.mark.parametrize(
    "call, err, name",
    [
        (lambda: margin_series(Task(4), 1, 3, "beta"), ValueError, "limit"),
        (lambda: margin_series(Task(4), 1, 3, "alpha", order=0), ValueError, "order"),
        (lambda: margin_series("t", 1, 3, "alpha"), TypeError, "task"),
        (lambda: margin_series(Task(4), 1, 9, "alpha"), ValueError, "j"),
        (lambda: large_n_margin(1, 3, where="bottom"), ValueError, "where"),
        (lambda: large_n_margin(1, 2), ValueError, "(i, j)"),
        (lambda: threshold_ridge_series(Task(5, exceptions=[(2, 4)]), 2, 3), ValueError, "(i, j)"),
        (lambda: q_from_alpha(2), ValueError, "alpha"),
    ],
)
def test_bad_input(call, err, name):
    with pytest.raises(err) as exc:
        call()
    assert str(exc.value).startswith(name)


def test_margin_series_with_the_function_at_hand_equals_the_solve():
    """``function=`` (derive passes its exact margins) gives the same series as solving again."""
    from symti import AlphaKernel, solve_exact
    from symti.analysis.limits import RHO, margin_limit
    from symti.params import alpha as A

    task = Task(7, exceptions=[(2, 5)])
    P = solve_exact(task, AlphaKernel(A), 0)
    R = solve_exact(task, AlphaKernel(sp.Rational(1, 4)), RHO)
    for i, j in [(1, 7), (1, 5), (5, 2)]:
        for to in ("alpha->0+", "alpha->1-"):
            a, b = margin_limit(task, i, j, to, order=3), margin_limit(task, i, j, to, order=3, function=P[i, j])
            assert sp.expand(a.series - b.series) == 0 and a.limit == b.limit
        a = margin_limit(task, i, j, "rho->0+", order=3, alpha=sp.Rational(1, 4))
        b = margin_limit(task, i, j, "rho->0+", order=3, alpha=sp.Rational(1, 4), function=R[i, j])
        assert sp.expand(a.series - b.series) == 0
