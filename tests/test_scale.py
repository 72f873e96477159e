"""Exact at scale: the structured rank solve in mu, lazy margins, thresholds for large n.

Independent routes: the rank system assembled densely (``assemble_rank_system``)
and SymPy's determinant, a trial-Gram KRR solve in numpy written out from
derivations/theory.md §2-§3 (not symti's solvers), exact KRR in fractions on the
trial Gram system, and the float closed form ``margin_matrix``.
"""
from fractions import Fraction

import flint
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from strategies import examples, tasks
from symti import AlphaKernel, Task, solve_exact
from symti.analysis.thresholds import MuSigns, thresholds
from symti.closed_form.evaluate import margin_matrix
from symti.solve.predictions import LazyMargins
from symti.solve.rank import RankNumeratorsMu, assemble_rank_system

R = sp.Rational
A, RHO = sp.symbols("alpha rho", positive=True)


def gram_krr(task, alpha, ridge=0.0):
    """Float margins f(i, j) of every ordered pair by KRR on the trial Gram matrix of
    K_alpha written out from derivations/theory.md §2 (unit weights)."""
    trials = [(i, j) for i, j in task.ordered_pairs() if task.is_trained(i, j)]
    y = np.array([task.target(i, j) for i, j in trials], dtype=float)

    def gram(P, Q):
        P, Q = np.array(P), np.array(Q)
        si = (P[:, None, 0] == Q[None, :, 0]).astype(float)
        sj = (P[:, None, 1] == Q[None, :, 1]).astype(float)
        return (1 - alpha) / 2 * (si + sj) + alpha * si * sj

    c = np.linalg.solve(gram(trials, trials) + ridge * np.eye(len(trials)), y)
    pairs = task.ordered_pairs()
    return dict(zip(pairs, gram(pairs, trials) @ c))


def fraction_krr(task, alpha, ridge):
    """Exact margins by KRR on the trial Gram matrix in Python fractions (Gauss-Jordan)."""
    a, r = Fraction(alpha), Fraction(ridge)
    trials = [(i, j) for i, j in task.ordered_pairs() if task.is_trained(i, j)]

    def k(p, q):
        si, sj = p[0] == q[0], p[1] == q[1]
        return (1 - a) / 2 * (si + sj) + a * (si and sj)

    m = len(trials)
    M = [[k(p, q) + (r if s == t else 0) for t, q in enumerate(trials)] + [Fraction(task.target(*p))]
         for s, p in enumerate(trials)]
    for c in range(m):
        piv = next(s for s in range(c, m) if M[s][c] != 0)
        M[c], M[piv] = M[piv], M[c]
        inv = 1 / M[c][c]
        M[c] = [v * inv for v in M[c]]
        for s in range(m):
            if s != c and M[s][c] != 0:
                f = M[s][c]
                M[s] = [v - f * w for v, w in zip(M[s], M[c])]
    coef = [M[s][m] for s in range(m)]
    return {p: sum(k(p, q) * c for q, c in zip(trials, coef)) for p in task.ordered_pairs()}


@examples(10)
@given(tasks(max_n=8, max_exceptions=3, weighted=False))
def test_structured_solve_satisfies_the_dense_system(task):
    """(L + mu I) x = det b exactly, with L, b assembled densely; lazy x(i) equals the
    recurrence; det is SymPy's determinant of the dense matrix."""
    Rn = RankNumeratorsMu(task)
    lazy = [Rn.x(i) for i in range(1, task.n + 1)]
    rec = RankNumeratorsMu(task).numerators()
    assert lazy == rec
    mu, zero = flint.fmpz_poly([0, 1]), flint.fmpz_poly([0])
    Ad, b = assemble_rank_system(task, mu, zero=zero)
    for i in range(task.n):
        assert sum((Ad[i][k] * rec[k] for k in range(task.n)), zero) == Rn.det * b[i]
    m = sp.Symbol("m")
    to = lambda p: sum(int(c) * m**k for k, c in enumerate(p.coeffs()))  # noqa: E731
    dense = sp.Matrix(task.n, task.n, lambda i, j: to(Ad[i][j]))
    assert sp.Poly(dense.det(method="berkowitz"), m) == sp.Poly(to(Rn.det), m)


@examples(10)
@given(tasks(max_n=9, max_exceptions=3, weighted=False),
       st.fractions(min_value=Fraction(1, 50), max_value=Fraction(49, 50), max_denominator=50),
       st.sampled_from([R(0), R(1, 20), R(3, 2)]))
def test_lazy_expressions_vs_fraction_krr(task, a, r):
    """Each lazily built expression in symbolic alpha, rho, at a rational point, equals
    exact KRR on the trial Gram system in fractions."""
    P = solve_exact(task, AlphaKernel(A), RHO)
    assert isinstance(P._values, LazyMargins)
    ref = fraction_krr(task, a, r)
    point = {A: R(a.numerator, a.denominator), RHO: r}
    for (i, j) in list(task.ordered_pairs())[:: max(1, len(ref) // 12)]:
        got = sp.sympify(P[i, j]).subs(point)
        assert got == R(ref[i, j].numerator, ref[i, j].denominator), (i, j)
    # the fast exact evaluation without expressions (subs of every pair)
    Q = P.subs(point)
    assert all(Q[k] == R(v.numerator, v.denominator) for k, v in ref.items())


def test_n100_symbolic_alpha_rho_vs_float_gram():
    """The issue's case: n = 100, exception (49, 51), symbolic alpha and rho; at a rational
    point every margin agrees with the independent trial-Gram solve in numpy."""
    task = Task(100, exceptions=[(49, 51)])
    P = solve_exact(task, AlphaKernel(A), RHO)
    assert P._values.built == 0  # nothing built yet
    a, r = R(1, 5), R(1, 20)
    Q = P.subs({A: a, RHO: r})
    ref = gram_krr(task, 0.2, 0.05)
    err = max(abs(float(Q[k]) - v) for k, v in ref.items())
    assert err < 1e-10
    # one pair as an expression (the ridgeless one: univariate, cheap)
    Pr = solve_exact(task, AlphaKernel(A))
    assert abs(float(Pr[30, 70].subs(A, a)) - gram_krr(task, 0.2)[30, 70]) < 1e-10


def test_n1000_single_pair_rank_difference():
    """One pair of n = 1000 from the lazy structured solve, against the float closed form."""
    task = Task(1000, exceptions=[(499, 501)])
    Rn = RankNumeratorsMu(task)
    N, D = Rn.difference(300, 700)
    a = R(1, 10**4)
    mu = 2 * a / (1 - a)
    q = flint.fmpq(int(mu.p), int(mu.q))
    v = N(q) / D(q)
    ref = margin_matrix(task, 1e-4)[299, 699]
    assert abs(float(R(int(v.p), int(v.q))) - ref) < 1e-7 * max(1.0, abs(ref))
    assert len(Rn._x) == 2  # only the two items asked for were solved


@pytest.mark.parametrize("n, exc", [(40, (19, 21)), (60, (10, 13)), (80, (39, 41))])
def test_critical_alpha_brackets_by_independent_solve(n, exc):
    """Just below the critical alpha no test pair is wrong in the independent trial-Gram
    solve; just above, the first pairs are."""
    task = Task(n, exceptions=[exc])
    T = thresholds(task)
    c = T.critical_alpha
    lo, hi = c.bracket(R(1, 10**30))
    below, above = float(lo) * (1 - 1e-3), float(hi) * (1 + 1e-3)
    tests = task.test_pairs()
    Mb, Ma = gram_krr(task, below), gram_krr(task, above)
    assert not [p for p in tests if Mb[p] < 0]
    wrong_above = sorted(p for p in tests if Ma[p] < 0)
    assert wrong_above == sorted((p.i, p.j) for p in T.first_pairs)


def test_certification_by_chains_agrees_with_descartes_on_every_pair():
    """MuSigns' transitivity certificates agree with Descartes' rule run on every pair."""
    task = Task(30, exceptions=[(10, 13), (20, 22)])
    S = MuSigns(task, R(1, 7))
    cert, rest = S.certified_positive()
    for i in range(1, 31):
        for j in range(i + 1, 31):
            signs = [1 if c > 0 else -1 for c in (S.X[i - 1] - S.X[j - 1]).coeffs() if c]
            var, lead = sum(a != b for a, b in zip(signs, signs[1:])), signs[-1]
            if (i, j) in cert:
                assert var == 0 and lead > 0
            else:
                assert (var, lead) == rest[(i, j)]


def test_parallel_sign_structures_equal_the_serial_ones(monkeypatch):
    """Forked workers (large analyses) give exactly the wrong sets of the serial route."""
    from symti.analysis import thresholds as th

    task = Task(30, exceptions=[(14, 16), (3, 6)])
    monkeypatch.setattr(th, "PROCESSES", 1)
    serial = th.thresholds(task, sp.Rational(1, 50))
    monkeypatch.setattr(th, "PROCESSES", 2)
    monkeypatch.setattr(th, "PARALLEL_PAIRS", 1)
    forked = th.thresholds(task, sp.Rational(1, 50))
    assert [(p.i, p.j, p.wrong_set) for p in serial.pairs] == [(p.i, p.j, p.wrong_set) for p in forked.pairs]
    assert any(p.wrong_set for p in forked.pairs)


_coefficient = st.one_of(st.integers(0, 9), st.integers(0, 10**60))


@given(down=st.lists(_coefficient, min_size=1, max_size=8), up=st.lists(_coefficient, min_size=1, max_size=8),
       gap=st.integers(0, 3))
def test_positive_root_bracket_holds_the_one_root(down, up, gap):
    """``_positive_root`` (Newton in ln t, Arb) against SymPy's exact real-root count: the
    bracket holds exactly one root of a one-sign-change polynomial, and is narrow."""
    from symti.analysis.thresholds import _positive_root

    down[0], up[-1] = down[0] or 1, up[-1] or 1  # D(0) != 0, leading coefficient > 0
    cs = [-c for c in down] + [0] * gap + up
    got = _positive_root(flint.fmpz_poly(cs))
    assert got is not None
    lo, hi, _s = got
    lo, hi = (R(int(v.p), int(v.q)) for v in (lo, hi))
    poly = sp.Poly(list(reversed(cs)), sp.Symbol("t"))
    if lo == hi:
        assert poly.eval(lo) == 0
    else:
        assert poly.eval(lo) < 0 < poly.eval(hi)
        assert poly.count_roots(lo, hi) == 1 and hi / lo - 1 < R(1, 2**77)


@pytest.mark.parametrize("task, ridge", [(Task(40, exceptions=[(19, 21)]), R(1, 7)),
                                         (Task(25, exceptions=[(5, 9), (12, 14)]), R(0)),
                                         (Task(18, exceptions=[(2, 6)]), R(1, 2))])
def test_bracketed_roots_equal_the_exactly_isolated_ones(task, ridge):
    """The fast route for a margin with one root (Newton in Arb on X_i - X_j in t, the
    numerator in alpha deferred) gives the number the exact route (the numerator in alpha,
    isolated and bisected) gives; and the deferred numerator is never built for digits."""
    S = MuSigns(task, ridge)
    _cert, rest = S.certified_positive(task.test_pairs())
    ones = [k for k, (var, _lead) in rest.items() if var == 1]
    assert ones
    for i, j in ones:
        fast, _signs, _odd = S.structure(i, j, rest[(i, j)])
        slow, _signs2, _odd2 = S.structure(i, j, rest[(i, j)], narrow=False)
        assert _signs == _signs2
        a, b = fast[1], slow[1]
        if not a.is_rational:
            assert callable(a.defining)
            a.decimal(17)
            assert "coeffs" not in a._cache
        assert a == b and b == a
        x = b.refine(R(1, 10**30))  # independent: the exact bisection's interval meets the bracket
        assert x.lo <= a.hi and a.lo <= x.hi


def test_deferred_numbers_pickle_as_non_minimal():
    """A pickled threshold keeps 'its defining polynomial is not minimal' (equality then
    goes through the gcd, not 'different polynomials, different numbers')."""
    import pickle

    T = thresholds(Task(30, exceptions=[(14, 16)]))
    c = T.critical_alpha
    c2 = pickle.loads(pickle.dumps(c))
    assert c2._cache.get("minimal", True) is False and c2 == c
    assert c2.decimal(17) == c.decimal(17)


@given(low=st.lists(_coefficient, min_size=1, max_size=5), mid=st.lists(_coefficient, min_size=1, max_size=5),
       high=st.lists(_coefficient, min_size=1, max_size=5))
def test_two_roots_agree_with_the_exact_root_count(low, mid, high):
    """``_two_roots`` (the minimum of t^(-e-1/2) D, then bisection on each side) against
    SymPy's exact real-root count on polynomials whose coefficients change sign twice."""
    from symti.analysis.thresholds import _two_roots

    low[0], mid[0], high[-1] = low[0] or 1, mid[0] or 1, high[-1] or 1
    cs = low + [-c for c in mid] + high
    t = sp.Symbol("t")
    poly = sp.Poly(list(reversed(cs)), t)
    got = _two_roots([flint.fmpz(c) for c in cs])
    positive = poly.count_roots(0, None) - (1 if poly.eval(0) == 0 else 0)
    if got is None:  # only a double root may be left undecided
        assert sp.gcd(poly, poly.diff(t)).count_roots(0, None) >= 1
        return
    assert positive == len(got)
    for lo, hi in got:
        lo, hi = (R(int(v.p), int(v.q)) for v in (lo, hi))
        if lo == hi:
            assert poly.eval(lo) == 0
        else:
            assert poly.count_roots(lo, hi) == 1 and poly.eval(lo) * poly.eval(hi) < 0
            assert hi / lo - 1 < R(1, 2**77)


def test_two_sign_change_margins_equal_the_factored_route():
    """Pairs with two sign changes (two exceptions, a ridge): the bracketed roots equal those
    of the exact route (factoring and certified isolation in alpha), with the same signs."""
    task, ridge = Task(100, exceptions=[(20, 22), (80, 83)]), R(1, 1000)
    S = MuSigns(task, ridge)
    _cert, rest = S.certified_positive(task.test_pairs())
    twos = [k for k, (var, _lead) in rest.items() if var == 2]
    assert twos
    for i, j in twos:
        fast = S.structure(i, j, rest[(i, j)])
        slow = S.structure(i, j, rest[(i, j)], narrow=False)
        assert fast[1] == slow[1] and fast[2] == slow[2]
        assert len(fast[0]) == len(slow[0]) and all(a == b for a, b in zip(fast[0], slow[0]))
