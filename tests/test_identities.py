"""The three-valued identity decider (symti.analysis.identities) and its yes/no wrapper.

Truth is checked by an independent route: SymPy's own evalf at 60 digits at
points chosen here, never the decider's evaluator.
"""
import random

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti.analysis.identities import STATUSES, IdentityResult, decide_identity
from symti.closed_form.forms import exception_q, exception_rank, ti_rank, ti_rank_difference
from symti.closed_form.green import green_difference, green_function
from symti.output.derivation import UndecidedIdentityError, exp_identity_is_zero

x, y = sp.symbols("x y", positive=True)
lam = sp.Symbol("lambda", positive=True)
a, b, c = sp.symbols("a b c", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)


def value_at(expr, point, digits=60):
    """Independent numeric value: SymPy substitution and evalf."""
    return sp.N(expr.subs(point), digits)


def numerically_zero(expr, trials=6, seed=1):
    """The identity holds at random points satisfying the symbols' assumptions (SymPy evalf)."""
    rng = random.Random(seed)
    syms = sorted(expr.free_symbols, key=str)
    for _ in range(trials):
        pt = {s: (sp.Integer(rng.randint(1, 7)) if s.is_integer else sp.Rational(rng.randint(1, 300), 100))
              for s in syms}
        v = value_at(expr, pt)
        if v.is_finite is False or v.has(sp.nan, sp.zoo):
            continue
        if abs(v) > 1e-40:
            return False
    return True


def assert_witness(expr, r):
    assert r.status == "disproved" and r.witness is not None
    assert set(r.witness) == expr.free_symbols
    for s, v in r.witness.items():  # the witness respects the assumptions
        assert v.is_Rational and (v.is_integer or not s.is_integer) and (v > 0 or not s.is_positive)
    v = value_at(expr, r.witness)
    assert abs(v) > 1e-30
    with mpmath.workdps(30):
        assert abs(mpmath.mpf(str(v)) - r.value) <= 1e-20 * abs(r.value)


# --------------------------------------------------------------- outcomes
def test_three_outcomes():
    E = sp.sinh(x + y) - sp.sinh(x) * sp.cosh(y) - sp.cosh(x) * sp.sinh(y)
    r = decide_identity(E)
    assert r.status == "proved" and r.witness is None and numerically_zero(E)
    F = sp.cosh(2 * x) - 1
    assert_witness(F, decide_identity(F))
    U = sp.gamma(x + 1) - x * sp.gamma(x)  # true, but not an exponential polynomial
    r = decide_identity(U)
    assert r.status == "undecided" and r.witness is None and "numerator" in r.reason
    assert numerically_zero(U)
    for res in (decide_identity(E), r):
        assert res.status in STATUSES
        with pytest.raises(TypeError, match="three-valued"):
            bool(res)


def test_budgets_give_undecided_never_false():
    P = (sp.exp(x) + sp.exp(y) + 1) ** 12
    E = P - sp.expand(P)
    r = decide_identity(E, max_terms=50)
    assert r.status == "undecided" and "max_terms = 50" in r.reason
    with pytest.raises(UndecidedIdentityError, match="max_terms"):
        exp_identity_is_zero(E, max_terms=50)
    assert decide_identity(E).status == "proved"
    # but a false identity over the budget is still disproved by a witness
    F = E + sp.exp(-x) / 1000
    assert_witness(F, decide_identity(F, max_terms=50))


def test_eq_input_and_validation():
    assert decide_identity(sp.Eq(sp.cosh(x) ** 2 - sp.sinh(x) ** 2, 1)).status == "proved"
    with pytest.raises(TypeError, match="expr"):
        decide_identity(sp.Symbol("p") & sp.Symbol("q"))
    for kw in ({"max_terms": 0}, {"points": -1}, {"dps": 1.5}, {"timeout": 0}):
        with pytest.raises(ValueError):
            decide_identity(x, **kw)


def test_constants():
    assert decide_identity(sp.exp(1) * sp.exp(sp.Rational(1, 2)) - sp.exp(sp.Rational(3, 2))).status == "proved"
    r = decide_identity(sp.cosh(1) - sp.Rational(154, 100))  # cosh(1) = 1.5430806...
    assert r.status == "disproved" and r.witness == {}
    assert abs(r.value - sp.N(sp.cosh(1) - sp.Rational(154, 100), 40)) < 1e-35


# ------------------------------------------------------------ Piecewise
def green_difference_identity(n, i_, p, q):
    return green_difference(n, i_, p, q, lam) - (green_function(n, i_, p, lam) - green_function(n, i_, q, lam))


def test_true_piecewise_identity_is_proved():
    """The old decider returned False here: each branch holds only under its
    condition (i <= p, p < i < q, i >= q), where Min/Max resolve."""
    E = green_difference_identity(a + b + c, i, a, a + b)
    assert numerically_zero(E)
    r = decide_identity(E)
    assert r.status == "proved" and r.cases == 3
    assert exp_identity_is_zero(E) is True


def test_exception_rank_sherman_morrison_is_proved():
    """exception_rank (Piecewise in i) against r0 - coef * G(e_u - e_v) with Min/Max Green
    entries: the old decider did not finish in 10 minutes."""
    u, v, n = a, a + b + 1, a + b + c + 1
    G = lambda p, q: green_function(n, p, q, lam)  # noqa: E731
    coef = (1 + ti_rank_difference(n, u, v, lam)) / (1 + exception_q(n, u, v, lam))
    E = exception_rank(n, i, u, v, lam) - (ti_rank(n, i, lam) - coef * (G(i, u) - G(i, v)))
    assert numerically_zero(E, trials=3)
    assert decide_identity(E, timeout=120).status == "proved"


def test_false_piecewise_identities_are_disproved_with_witness():
    E = green_difference_identity(a + b + c, i, a, a + b) + sp.Piecewise((sp.sinh(lam * i) / 10 ** 6, i > a), (0, True))
    r = decide_identity(E)
    assert_witness(E, r)
    assert r.witness[i] > r.witness[a]  # the perturbed branch
    # with p and q unrelated the Green difference is only valid for p < q: false for p > q
    n_, i_, p_, q_ = sp.symbols("n i p q", integer=True, positive=True)
    F = green_difference_identity(n_, i_, p_, q_)
    r = decide_identity(F)
    assert_witness(F, r)
    assert r.witness[p_] >= r.witness[q_]
    assert exp_identity_is_zero(F) is False


def test_min_max_eq_conditions():
    k = sp.Symbol("k", integer=True, positive=True)
    E = sp.Piecewise((sp.exp(k * x), sp.Eq(k, 3)), (sp.exp(sp.Max(k, 3) * x), True)) - sp.exp(sp.Max(k, 3) * x)
    assert decide_identity(E).status == "proved"
    F = sp.Piecewise((sp.exp(k * x), sp.Ne(k, 3)), (sp.exp(sp.Min(k, 3) * x), True)) - sp.exp(sp.Max(k, 3) * x)
    assert_witness(F, decide_identity(F))  # false for k < 3


# ------------------------------------------------------ random identities
ARGS = st.tuples(st.integers(-3, 3), st.integers(-3, 3)).filter(lambda t: t != (0, 0))


@st.composite
def exp_polys(draw):
    terms = draw(st.lists(st.tuples(st.integers(-3, 3), st.sampled_from([sp.sinh, sp.cosh, sp.exp]), ARGS,
                                    st.sampled_from([sp.sinh, sp.cosh, sp.exp]), ARGS), min_size=1, max_size=3))
    return sum((k * f(p * x + q * y) * g(r * x / 2 + s * y) for k, f, (p, q), g, (r, s) in terms), sp.Integer(0))


@given(exp_polys(), st.integers(-5, 5).filter(bool), st.sampled_from([sp.sinh(x), sp.cosh(y) ** 2, sp.exp(x - y)]))
def test_random_identities(P, k, perturbation):
    """True: P against its multiple-angle expansion (SymPy's expand_trig: polynomials in
    sinh, cosh of x/2 and y, exp of a sum as a product); false: the same plus k/7 * perturbation."""
    Q = sp.expand(sp.expand_trig(P), power_exp=True)
    true = P - Q
    assert numerically_zero(true, trials=2)
    assert decide_identity(true).status == "proved"
    false = true + sp.Rational(k, 7) * perturbation
    r = decide_identity(false)
    assert_witness(false, r)
    assert exp_identity_is_zero(false) is False


def test_result_type():
    r = IdentityResult("undecided", reason="r")
    assert r.undecided and not r.proved and not r.disproved
