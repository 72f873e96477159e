"""The float64 / mpmath closed-form evaluators (symti.closed_form.evaluate) against
independent routes: the exact solver, and an mpmath solve of the rank system
(Thomas algorithm on the tridiagonal path part, exceptions by a small dense
system) -- no hyperbolic function involved."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from symti import AlphaKernel, Task, solve_exact
from symti.closed_form.evaluate import margin_matrix, margin_matrix_mp, margins, rank_vector_mp, rank_vector_numeric
from symti.params import gamma_weight, memorization
from symti.solve.rank import rank_system


# ----------------------------------------------------------- independent mp route
def _thomas(n, diag, rhs):
    """Solve the tridiagonal system with off-diagonals -1 and diagonal ``diag`` (mp)."""
    c = [mpmath.mpf(0)] * n
    d = [mpmath.mpf(0)] * n
    c[0] = -1 / diag[0]
    d[0] = rhs[0] / diag[0]
    for k in range(1, n):
        den = diag[k] + c[k - 1]  # diag - (-1) * c
        c[k] = -1 / den if k < n - 1 else mpmath.mpf(0)
        d[k] = (rhs[k] + d[k - 1]) / den
    x = [mpmath.mpf(0)] * n
    x[-1] = d[-1]
    for k in range(n - 2, -1, -1):
        x[k] = d[k] - c[k] * x[k + 1]
    return x


def mp_rank_system_ranks(task: Task, alpha: Fraction, ridge: Fraction, dps: int = 50):
    """Ranks from the rank system (L + mu I) r = b at ``dps`` digits, for 0 < alpha < 1:
    the unit path part is tridiagonal (Thomas), exceptions enter as
    (T + U Gamma U^T) r = b solved by block elimination with T^{-1} U."""
    with mpmath.workdps(dps):
        a = mpmath.mpf(alpha.numerator) / alpha.denominator
        rho = mpmath.mpf(ridge.numerator) / ridge.denominator
        n = task.n
        mu = 2 * (a + rho) / (1 - a)
        diag = [mu + (k > 0) + (k < n - 1) for k in range(n)]
        b = [mpmath.mpf(0)] * n
        extra = []
        for e in task.trained_pairs:
            if e.kind == "exception":
                g = gamma_weight(sp.Rational(alpha.numerator, alpha.denominator),
                                 sp.Rational(ridge.numerator, ridge.denominator), e.weight)
                extra.append((e.i - 1, e.j - 1, mpmath.mpf(g.p) / g.q if g.is_Rational else mpmath.mpf(str(g))))
            b[e.i - 1] += e.target if e.kind == "premise" else 0
            b[e.j - 1] -= e.target if e.kind == "premise" else 0
        for p, q, g in extra:  # exception targets are -1 on (u, v)
            b[p] -= g
            b[q] += g
        z = _thomas(n, diag, b)
        if not extra:
            return z
        k = len(extra)
        Z = [_thomas(n, diag, [mpmath.mpf(int(t == p) - int(t == q)) for t in range(n)]) for p, q, _ in extra]
        # (I + Gamma U^T T^{-1} U) c = Gamma U^T z ; r = z - T^{-1} U c
        M = mpmath.matrix(k, k)
        rhs = mpmath.matrix(k, 1)
        for a_, (p, q, g) in enumerate(extra):
            for b_ in range(k):
                M[a_, b_] = int(a_ == b_) + g * (Z[b_][p] - Z[b_][q])
            rhs[a_] = g * (z[p] - z[q])
        c = mpmath.lu_solve(M, rhs)
        return [z[t] - sum(c[a_] * Z[a_][t] for a_ in range(k)) for t in range(n)]


def _mp_margins_from_ranks(task, r, alpha, ridge, i, j):
    a = sp.Rational(alpha.numerator, alpha.denominator)
    rh = sp.Rational(ridge.numerator, ridge.denominator)
    d = r[i - 1] - r[j - 1]
    e = task.trained_pair(i, j)
    if e is None:
        return d
    m = memorization(a, rh, e.weight)
    m = mpmath.mpf(m.p) / m.q
    y = e.target if i < j else -e.target
    return m * y + (1 - m) * d


def test_mp_rank_route_matches_dense_rank_system():
    """The Thomas + block route used below agrees with a dense mpmath LU solve of
    symti.solve.rank.rank_system on exact rationals."""
    task = Task(12, exceptions=[(2, 7), (5, 11)], weights={(2, 7): 3})
    alpha, ridge = Fraction(2, 7), Fraction(1, 9)
    A, b = rank_system(task, sp.Rational(2, 7), sp.Rational(1, 9))
    with mpmath.workdps(40):
        Am = mpmath.matrix([[mpmath.mpf(x.p) / x.q for x in row] for row in A])
        bm = mpmath.matrix([mpmath.mpf(x.p) / x.q for x in b])
        dense = mpmath.lu_solve(Am, bm)
        route = mp_rank_system_ranks(task, alpha, ridge, 40)
        assert max(abs(dense[k] - route[k]) for k in range(12)) < mpmath.mpf(10) ** -30


# --------------------------------------------------------------------- hypothesis
def _near_ends():
    return st.sampled_from([1e-12, 3e-12, 1e-9, 1e-6, 0.001, 0.5, 0.999, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12, 1 - 3e-12])


ALPHAS = st.one_of(_near_ends(), st.floats(min_value=1e-12, max_value=1 - 1e-12))
RIDGES = st.one_of(st.just(0.0), st.sampled_from([1e-15, 1e-9, 1e-3, 1.0, 1e3, 1e6]),
                   st.floats(min_value=-15, max_value=6).map(lambda x: 10.0 ** x))


@st.composite
def tasks(draw, max_n=200):
    n = draw(st.integers(min_value=3, max_value=max_n))
    k = draw(st.integers(min_value=0, max_value=3))
    excs = set()
    for _ in range(k):
        u = draw(st.integers(min_value=1, max_value=n - 2))
        v = draw(st.integers(min_value=u + 2, max_value=n))
        excs.add((u, v))
    return Task(n, exceptions=sorted(excs))


def _close(x, ref, scale, rtol=1e-9, floor=1e-11):
    """``x`` matches the high-precision ``ref`` to ``rtol`` relative and in sign.

    A float64 evaluation cannot resolve values far below the magnitude of the
    terms it combines, so the only absolute allowance is ``floor * scale``,
    where ``scale`` is that magnitude (the largest margin of the task, or of
    plain TI at the same alpha, ridge -- the evaluator's first term), never a
    fixed number: a margin of 1e-12 at scale 1 must be right to 1e-9 relative
    unless it is below 1e-11, and at ridge 1e6 (all margins ~1e-6) a zero
    matrix fails."""
    ref = float(ref)
    atol = floor * scale
    if abs(ref) > 2 * atol and np.sign(x) != np.sign(ref):
        return False
    return abs(x - ref) <= rtol * abs(ref) + atol


def _ti_scale(n, a, r):
    """Largest |margin| of plain TI with n items (mpmath): the scale of the terms."""
    ranks = rank_vector_mp(Task(n), a, r, 30)
    return float(max(ranks) - min(ranks))


@given(task=tasks(), alpha=ALPHAS, ridge=RIDGES)
def test_float_evaluator_matches_mp_closed_form_and_rank_system(task, alpha, ridge):
    """n up to 200, up to 3 random exceptions, alpha within 1e-12 of the ends,
    rho from 1e-15 to 1e6 (and 0): float64 margins agree with (a) the same closed
    form in mpmath at 50 digits and (b) the mpmath rank-system solve, to 1e-9
    relative and in sign, except below 1e-11 of the scale of the computation
    (see ``_close``)."""
    a, r = Fraction(alpha), Fraction(ridge)  # the exact binary values
    M = margin_matrix(task, alpha, ridge)
    assert np.isfinite(M).all()
    Mp = margin_matrix_mp(task, a, r, 50)
    n = task.n
    scale = max(_ti_scale(n, a, r), max(abs(float(x)) for x in Mp))
    assert scale > 0
    for i in range(n):
        for j in range(n):
            assert _close(M[i, j], Mp[i, j], scale), (i + 1, j + 1, M[i, j], Mp[i, j], scale)
    ranks = mp_rank_system_ranks(task, a, r, 50)
    rng = np.random.default_rng(n)
    sample = [(e.i, e.j) for e in task.trained_pairs[:5]] + [(e.j, e.i) for e in task.trained_pairs if e.kind == "exception"]
    sample += [tuple(int(x) for x in rng.choice(np.arange(1, n + 1), 2, replace=False)) for _ in range(40)]
    with mpmath.workdps(50):
        for i, j in sample:
            ref = _mp_margins_from_ranks(task, ranks, a, r, i, j)
            assert _close(M[i - 1, j - 1], ref, scale), (i, j, M[i - 1, j - 1], ref)
            assert abs(Mp[i - 1, j - 1] - ref) <= mpmath.mpf(10) ** -35 * (1 + abs(ref))


# ------------------------------------------------------------- exact endpoints
@pytest.mark.parametrize("alpha", [0, 1, sp.Rational(1, 3)])
@pytest.mark.parametrize("ridge", [0, sp.Rational(1, 4)])
@pytest.mark.parametrize(
    "task",
    [Task(6), Task(9, exceptions=[(4, 6)]), Task(8, exceptions=[(1, 8), (3, 6)]),
     Task(7, exceptions=[(2, 5)], weights={(2, 5): 3, (5, 6): sp.Rational(1, 2)})],
    ids=["ti", "n9", "two", "weighted"],
)
def test_evaluators_match_exact_solver_including_endpoints(task, alpha, ridge):
    """alpha = 0 (ridgeless: the additive least-squares limit), alpha = 1 and an interior
    alpha, with and without ridge, exceptions and weights: float and mpmath evaluators
    against solve_exact's exact values."""
    P = solve_exact(task, AlphaKernel(alpha), ridge)
    exact = np.array(P.matrix().evalf(30).tolist(), dtype=float)
    M = margin_matrix(task, float(alpha), float(ridge))
    for (i, j), v in P.items():  # relative error and sign; exact zeros (alpha = 1) within 1e-15
        assert _close(M[i - 1, j - 1], v, 1.0, rtol=1e-12, floor=1e-15), (i, j, M[i - 1, j - 1], v)
    Mp = margin_matrix_mp(task, alpha, ridge, 40)
    for (i, j), v in P.items():
        assert abs(Mp[i - 1, j - 1] - sp.N(v, 40)) < 1e-35
    I, J = np.nonzero(~np.eye(task.n, dtype=bool))
    f = margins(task, I + 1, J + 1, float(alpha), float(ridge))
    assert all(_close(x, e, 1.0, rtol=1e-12, floor=1e-15) for x, e in zip(f, exact[I, J]))


EXTREMES = [  # (task, alpha, ridge, rtol): every margin, down to 1e-234, by relative error and sign
    (Task(6), 1 - 1e-12, 0.0, 1e-12), (Task(6), 1 - 1e-12, 1e6, 1e-12), (Task(40), 1 - 1e-12, 0.0, 1e-12),
    (Task(9, exceptions=[(4, 6)]), 1e-12, 1e6, 1e-7), (Task(9, exceptions=[(4, 6)]), 1 - 1e-9, 0.0, 1e-5),
    (Task(9, exceptions=[(4, 6)]), 1 - 1e-12, 1e-15, 0.1),  # margins to 4e-37 from O(1) terms: sign, 1 digit
    (Task(12, exceptions=[(2, 7), (5, 11)]), 1e-12, 1e6, 1e-7),
    (Task(12, exceptions=[(2, 7), (5, 11)]), 1 - 1e-9, 1e-15, 1e-3),
]


@pytest.mark.parametrize("task,alpha,ridge,rtol", EXTREMES)
def test_float_evaluator_extremes_relative_and_sign(task, alpha, ridge, rtol):
    """Near alpha = 0 and 1 and at huge ridge the margins are ~1e-6 .. 1e-234: the
    float64 evaluator must get each one's sign and leading digits right, against
    the exact solver at the float's exact binary value (no absolute allowance)."""
    a, r = Fraction(alpha), Fraction(ridge)
    P = solve_exact(task, AlphaKernel(sp.Rational(a.numerator, a.denominator)),
                    sp.Rational(r.numerator, r.denominator))
    M = margin_matrix(task, alpha, ridge)
    assert min(abs(sp.Rational(v)) for v in P.values()) < sp.Rational(1, 10**12)  # really tiny margins
    for (i, j), v in P.items():
        v, x = sp.Rational(v), M[i - 1, j - 1]
        assert v != 0 and int(np.sign(x)) == int(sp.sign(v)), (i, j, x, v)
        assert abs(sp.Rational(x) - v) <= rtol * abs(v), (i, j, x, v)


def test_cli_predict_closed_at_endpoints():
    from symti.output.cli import predict_payload

    for alpha in (sp.Integer(0), sp.Integer(1), sp.Rational(1, 5)):
        out = predict_payload(Task(9, exceptions=[(4, 6)]), alpha, sp.Integer(0), "closed", 6)
        assert len(out["pairs"]) == 72


# ------------------------------------------------------------------- large n
def test_n_100000_finite_and_matches_mp_rank_system():
    n = 100_000
    task = Task(n, exceptions=[(17, 62_000)])
    alpha, ridge = Fraction(1, 1000), Fraction(1, 10 ** 6)
    r = rank_vector_numeric(task, alpha, ridge)
    assert r.shape == (n,) and np.isfinite(r).all()
    ref = mp_rank_system_ranks(task, alpha, ridge, 30)
    idx = [1, 2, 16, 17, 18, 500, 31_000, 61_999, 62_000, 62_001, 99_999, 100_000]
    scale = float(max(ref) - min(ref))  # ~40: (500, 31000) differ by 1.8e-9, (61999, 62001) by exactly 0
    for i in idx:
        for j in idx:
            if i < j:
                d_ref = float(ref[i - 1] - ref[j - 1])
                assert _close(r[i - 1] - r[j - 1], d_ref, scale, floor=1e-13), (i, j, r[i - 1] - r[j - 1], d_ref)
    f = margins(task, [1, 62_000, 300], [100_000, 17, 301], alpha, ridge)
    assert np.isfinite(f).all()


# ----------------------------------------------------------------- validation
def test_input_validation():
    t = Task(5, exceptions=[(1, 3)])
    with pytest.raises(ValueError, match="^alpha"):
        margin_matrix(t, 1.5)
    with pytest.raises(ValueError, match="^alpha"):
        margin_matrix(t, float("nan"))
    with pytest.raises(ValueError, match="^ridge"):
        margin_matrix(t, 0.5, -1e-3)
    with pytest.raises(TypeError, match="^task"):
        margin_matrix("task", 0.5)
    with pytest.raises(TypeError, match="^alpha"):
        margin_matrix(t, sp.Symbol("alpha"))
    with pytest.raises(ValueError, match="^weights"):
        margin_matrix(Task(5, weights={(1, 2): sp.Symbol("w", positive=True)}), 0.5)
    with pytest.raises(ValueError, match="^dps"):
        margin_matrix_mp(t, 0.5, 0, 0)
    with pytest.raises(ValueError, match="^i"):
        margins(t, [0], [2], 0.5)
    assert rank_vector_mp(t, 1, 0, 20) == [0] * 5
    with pytest.raises(ValueError, match="^n: margin_matrix"):
        margin_matrix(Task(30_000), 0.5)


# ------------------------------------------------- the compiled evaluator (issue 11)
@pytest.mark.parametrize("task,alpha,ridge", [
    (Task(9, exceptions=[(4, 6)]), 0.5, 1e308), (Task(9, exceptions=[(4, 6)]), 0.5, 1e306),
    (Task(30, exceptions=[(4, 16), (20, 28)]), 0.3, 1e307), (Task(30, exceptions=[(4, 16), (20, 28)]), 0.3, 1e200),
])
def test_tiny_and_subnormal_ranks_keep_their_digits(task, alpha, ridge):
    """Ranks down to the subnormal range (2.5e-309 at rho = 1e308) to 1e-12 relative against
    the mpmath closed form at 40 digits: the factor e^{-t lambda/2} multiplies last, so a
    subnormal rank is rounded once (it lost 9 digits when it multiplied first)."""
    r = rank_vector_numeric(task, alpha, ridge)
    ref = rank_vector_mp(task, Fraction(alpha), Fraction(ridge), 40)
    checked = 0
    for x, y in zip(r, ref):
        if abs(y) > 1e-320:  # representable in float64
            assert abs(mpmath.mpf(x) - y) <= 1e-12 * abs(y), (x, y)
            checked += 1
    assert checked >= 4


def test_evaluator_is_cached_per_task_and_validates():
    from symti.closed_form.evaluate import MarginEvaluator, evaluator

    t = Task(9, exceptions=[(4, 6)])
    ev = evaluator(t)
    assert isinstance(ev, MarginEvaluator) and evaluator(Task(9, exceptions=[(4, 6)])) is ev
    assert evaluator(Task(9, exceptions=[(3, 6)])) is not ev
    with pytest.raises(TypeError, match="^task"):
        evaluator([9])
    with pytest.raises(ValueError, match="^weights"):
        evaluator(Task(5, weights={(1, 2): sp.Symbol("w", positive=True)}))


def test_margins_keep_the_shape_of_the_item_arrays():
    t = Task(12, exceptions=[(3, 9)], weights={(3, 9): 2})
    i = np.array([[1, 3, 12], [9, 4, 5]])
    j = np.array([[12, 9, 1], [3, 5, 4]])
    f = margins(t, i, j, 0.2, 0.05)
    M = margin_matrix(t, 0.2, 0.05)
    assert f.shape == (2, 3)
    assert np.allclose(f, M[i - 1, j - 1], rtol=1e-14, atol=1e-15)
