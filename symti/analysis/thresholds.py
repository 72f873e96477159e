r"""Conjunctivity thresholds: the exact set of :math:`\alpha` at which a test pair is wrong.

For :math:`K_\alpha` with a fixed ridge :math:`\rho \ge 0` (``0`` is the
ridgeless limit) every margin is a rational function of :math:`\alpha`,

.. math::
   f_{ij}(\alpha) = \frac{N_{ij}(\alpha)}{D_{ij}(\alpha)}, \qquad
   N_{ij}, D_{ij} \in \mathbb{Z}[\alpha] \text{ coprime},

computed by :func:`symti.solve.exact.solve_exact` with a symbolic :math:`\alpha`.
An untrained pair with ground truth :math:`g_{ij} = \pm 1` is *wrong* at
:math:`\alpha` when :math:`g_{ij} f_{ij}(\alpha) < 0` (a tie
:math:`f_{ij} = 0` is not counted as wrong).  Its wrong set

.. math::
   W_{ij} = \{\alpha \in (0, 1) : g_{ij} N_{ij}(\alpha) D_{ij}(\alpha) < 0\}

is a finite union of open intervals whose endpoints are :math:`0`,
:math:`1` or real roots of :math:`N_{ij} D_{ij}` in :math:`(0, 1)`.  Here
those roots are isolated exactly: :math:`N_{ij} D_{ij}` is factored over
:math:`\mathbb{Q}`, each irreducible factor's real roots in :math:`(0, 1)`
get rational isolating intervals (SymPy's real-root isolation) and are named
by :class:`sympy.CRootOf` (or a :class:`~sympy.Rational`), and the sign on
each gap between consecutive roots is decided by evaluating :math:`N D` at a
rational point of the gap -- no floating point anywhere.  Endpoints can then
be printed to any number of digits (interval refinement, not floating-point
root finding).

The threshold of a pair is :math:`\alpha^*_{ij} = \inf W_{ij}`, and the
task's critical conjunctivity is :math:`\alpha_c = \min_{ij} \alpha^*_{ij}`.

>>> from symti import Task
>>> T = thresholds(Task(9, exceptions=[(4, 6)]))
>>> T.critical_alpha.value
CRootOf(3*alpha**2 - 8*alpha + 1, 0)
>>> T.critical_alpha.decimal(10), [(p.i, p.j) for p in T.first_pairs]
('0.1314829082', [(3, 6), (4, 7)])

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
from __future__ import annotations

import functools
import math
import multiprocessing
import os
from dataclasses import dataclass, field
from fractions import Fraction
from functools import total_ordering

import sympy as sp

from .._validate import as_expr, check_digits, check_ridge, check_task_size, format_decimal, format_ratio
from ..params import alpha as _CANONICAL_ALPHA, result_symbol
from ..solve.rank import RankNumeratorsMu
from ..task import Task

__all__ = [
    "ALPHA",
    "AlgebraicNumber",
    "PairThreshold",
    "ThresholdAnalysis",
    "margin_functions",
    "sign_intervals",
    "wrong_set",
    "thresholds",
    "point_between",
    "MuSigns",
    "MAX_N_THRESHOLDS",
    "MAX_N_WEIGHTED",
]

#: The symbol :math:`\alpha` in which the margins are rational functions: the
#: canonical :data:`symti.params.alpha` (positive).  :func:`margin_functions` and
#: :func:`thresholds` answer in the caller's own symbol with ``symbol=``.
ALPHA = _CANONICAL_ALPHA


@total_ordering
@dataclass(frozen=True, eq=False)
class AlgebraicNumber:
    r"""An exact real algebraic number, kept with a rational isolating interval.

    ``value`` is a :class:`~sympy.Rational` or a :class:`~sympy.CRootOf`,
    the ``index``-th real root (ascending) of the irreducible, primitive
    integer polynomial ``poly`` in :data:`ALPHA`.  ``lo <= value <= hi``
    with rational ``lo``, ``hi`` (``lo == hi == value`` for rationals).

    The number is kept by a *defining* polynomial (``coeffs``, ascending integer
    coefficients) with exactly one root in ``[lo, hi]``, a simple one: the minimal
    polynomial when built by :meth:`root`, or any such polynomial when built by
    :meth:`isolated` with ``minimal=False`` -- e.g. a margin's numerator of degree
    ~n at large n, where factoring every numerator would cost more than the rest
    of the analysis.  Comparison, refinement and digits never need the minimal
    polynomial (equality of two numbers with different defining polynomials is
    decided by their gcd); :attr:`poly`, :attr:`value`, :attr:`index` and
    ``hash`` factor the defining polynomial once, on demand.

    >>> r = AlgebraicNumber.root(sp.Poly(ALPHA**2 - 2, ALPHA), 1)
    >>> x = r.refine(sp.Rational(1, 10**6))
    >>> r.value, r.decimal(12), x.lo < r.value < x.hi, x.hi - x.lo < 1e-6
    (CRootOf(alpha**2 - 2, 1), '1.41421356237', True, True)
    """

    defining: object  # ascending integer coefficients, or a callable returning the polynomial
    lo: sp.Rational
    hi: sp.Rational
    _cache: dict = field(default_factory=dict, repr=False)  # poly, flint poly, index

    def __reduce__(self):  # picklable (the cache of flint objects is rebuilt on demand)
        return (AlgebraicNumber, (self.coeffs, self.lo, self.hi, {} if self._cache.get("minimal", True)
                                  else {"minimal": False}))

    @property
    def coeffs(self) -> tuple:
        """Ascending integer coefficients of the defining polynomial (primitive, positive
        leading coefficient).  A number built by :meth:`deferred` computes them here, once."""
        d = self.defining
        if not callable(d):
            return d
        c = self._cache.get("coeffs")
        if c is None:
            c = self._cache["coeffs"] = _coeffs(d())
        return c

    # construction ------------------------------------------------------------
    @classmethod
    def rational(cls, q) -> "AlgebraicNumber":
        q = sp.Rational(q)
        return cls((-int(q.p), int(q.q)), q, q, {"index": 0})

    @classmethod
    def root(cls, poly: sp.Poly, index: int, interval=None) -> "AlgebraicNumber":
        """The ``index``-th real root of the irreducible polynomial ``poly``."""
        poly = _normal(poly)
        if poly.degree() == 1:
            c1, c0 = poly.all_coeffs()
            return cls.rational(sp.Rational(-c0, c1))
        if interval is None:
            interval = poly.intervals()[index][0]
        lo, hi = (sp.Rational(x) for x in interval)
        return cls(_coeffs(poly), lo, hi, {"index": index, "poly": poly})

    @classmethod
    def isolated(cls, poly, lo, hi, minimal: bool = True) -> "AlgebraicNumber":
        """The root of ``poly`` (SymPy ``Poly`` in :data:`ALPHA` or python-flint
        ``fmpz_poly``) in the isolating interval ``[lo, hi]``, which must hold exactly
        one root of ``poly``, a simple one.  ``minimal=True`` says ``poly`` is
        irreducible; otherwise the minimal polynomial is found on demand (its index
        among the real roots is computed only when asked for).

        >>> x = AlgebraicNumber.isolated(sp.Poly((ALPHA**2 - 2) * (ALPHA + 3), ALPHA), 1, 2, minimal=False)
        >>> x == AlgebraicNumber.root(sp.Poly(ALPHA**2 - 2, ALPHA), 1), x.value
        (True, CRootOf(alpha**2 - 2, 1))
        """
        c = _coeffs(poly)
        if len(c) == 2:
            return cls.rational(sp.Rational(-c[0], c[1]))
        lo, hi = sp.Rational(lo), sp.Rational(hi)
        if not minimal:
            for q in (lo, hi):  # a rational root at an end point of the interval
                if cls(c, q, q, {"minimal": False})._eval_sign(q) == 0:
                    return cls.rational(q)
        return cls(c, lo, hi, {} if minimal else {"minimal": False})

    @classmethod
    def deferred(cls, source, lo, hi) -> "AlgebraicNumber":
        """The root in ``[lo, hi]`` of the polynomial ``source()`` (a zero-argument callable
        returning a python-flint ``fmpz_poly`` or a SymPy ``Poly`` in :data:`ALPHA`, with
        exactly one root in ``[lo, hi]``, a simple one, and no root at ``lo`` or ``hi``), called
        only when an operation needs it: comparisons of disjoint intervals and digits within
        the interval's width never do.  The thresholds of large tasks are built so -- a margin's
        numerator in :math:`\alpha` costs more than its root.

        >>> x = AlgebraicNumber.deferred(lambda: sp.Poly(ALPHA**2 - 2, ALPHA),
        ...                              sp.Rational(1414213562373095, 10**15), sp.Rational(1414213562373096, 10**15))
        >>> x < 2, x.decimal(6), "coeffs" in x._cache     # the interval is narrow enough: no polynomial
        (True, '1.41421', False)
        >>> x.decimal(20), "coeffs" in x._cache            # refinement needs it
        ('1.4142135623730950488', True)
        """
        return cls(source, sp.Rational(lo), sp.Rational(hi), {"minimal": False})

    def _minimal_form(self) -> "AlgebraicNumber":
        """The same number with its minimal polynomial (factoring the defining one once)."""
        if self._cache.get("minimal", True):
            return self
        hit = self._cache.get("minimal_form")
        if hit is None:
            _c, factors = self._flint().factor()
            hit = None
            for f, _e in factors:
                a = AlgebraicNumber(_coeffs(f), self.lo, self.hi)
                sa, sb = a._eval_sign(self.lo), a._eval_sign(self.hi)
                if sa == 0:
                    hit = AlgebraicNumber.rational(self.lo)
                elif sb == 0:
                    hit = AlgebraicNumber.rational(self.hi)
                elif sa != sb:
                    hit = AlgebraicNumber.isolated(f, self.lo, self.hi)
                if hit is not None:
                    break
            if hit is None:  # pragma: no cover - the defining polynomial changes sign on [lo, hi]
                raise RuntimeError("internal: no factor vanishes in the isolating interval")
            self._cache["minimal_form"] = hit
        return hit

    def radical(self):
        r"""The number as a radical when its minimal polynomial has degree :math:`\le 2`
        (the root in its isolating interval), else ``None``.

        >>> AlgebraicNumber.root(sp.Poly(ALPHA**2 - 6*ALPHA + 1, ALPHA), 0).radical()
        3 - 2*sqrt(2)
        """
        if self.is_rational:
            return self.lo
        if self.poly.degree() > 2:
            return None
        for r in sp.roots(self.poly.as_expr(), self.poly.gens[0]):
            if bool(self.lo <= r) and bool(r <= self.hi):
                return sp.radsimp(r)
        return None  # pragma: no cover -- the interval isolates a root of the quadratic

    def exact_form(self, max_degree: int = 60) -> str:
        """An exact, readable string: a rational, a radical, or ``"root of P in [lo, hi]"``
        with ``P`` the minimal polynomial (the defining one, unfactored, above
        ``max_degree``: factoring a degree-500 polynomial is not needed to name the number).
        Never a ``CRootOf``, whose index costs a full root isolation.

        >>> AlgebraicNumber.root(sp.Poly(3*ALPHA**2 - 8*ALPHA + 1, ALPHA), 0).exact_form()
        '4/3 - sqrt(13)/3'
        >>> AlgebraicNumber.root(sp.Poly(ALPHA**3 - 2, ALPHA), 0).refine(sp.Rational(1, 8)).exact_form()
        'root of alpha**3 - 2 in [5/4, 21/16]'
        """
        if self.is_rational:
            return str(self.lo)
        if len(self.coeffs) - 1 <= max_degree:
            r = self.radical()
            if r is not None:
                return str(r)
            p = self.poly
        else:
            p = sp.Poly(list(reversed(self.coeffs)), ALPHA)
        return f"root of {p.as_expr()} in [{self.lo}, {self.hi}]"

    @property
    def poly(self) -> sp.Poly:
        """The minimal polynomial (primitive, positive leading coefficient) in :data:`ALPHA`."""
        m = self._minimal_form()
        if m is not self:
            return m.poly
        if "poly" not in self._cache:
            self._cache["poly"] = sp.Poly(list(reversed(self.coeffs)), ALPHA)
        return self._cache["poly"]

    def _flint(self):
        import flint

        if "flint" not in self._cache:
            self._cache["flint"] = flint.fmpz_poly(list(self.coeffs))
        return self._cache["flint"]

    def _eval_sign(self, q: sp.Rational) -> int:
        """Exact sign of the minimal polynomial at the rational ``q`` (python-flint)."""
        import flint

        v = self._flint()(flint.fmpq(int(q.p), int(q.q)))
        return (v > 0) - (v < 0)

    @property
    def index(self) -> int:
        """Position among the real roots of :attr:`poly`, ascending (Sturm count)."""
        m = self._minimal_form()
        if m is not self:
            return m.index
        if "index" not in self._cache:
            self._cache["index"] = int(self.poly.count_roots(-sp.oo, self.lo))
        return self._cache["index"]

    @property
    def value(self) -> sp.Expr:
        """The number as a SymPy :class:`~sympy.Rational` or :class:`~sympy.CRootOf`."""
        if self.is_rational:
            return self.lo
        m = self._minimal_form()
        if m.is_rational:
            return m.lo
        return sp.CRootOf(m.poly, m.index)

    # exact comparison ----------------------------------------------------------
    @property
    def is_rational(self) -> bool:
        return self.lo == self.hi

    def refine(self, eps) -> "AlgebraicNumber":
        """The same number with an isolating interval narrower than ``eps`` (exact
        bisection: the root is simple, so the polynomial changes sign across it)."""
        if self.is_rational or self.hi - self.lo < eps:
            return self
        import flint

        f = self._flint()
        q = lambda r: flint.fmpq(int(r.p), int(r.q))  # noqa: E731
        R = lambda x: sp.Rational(int(x.p), int(x.q))  # noqa: E731
        lo, hi, eps = q(self.lo), q(self.hi), q(sp.Rational(eps))
        s_lo = f(lo) > 0
        if len(self.coeffs) > 6:  # high degree: Newton in Arb, then an exact sign check
            got = _newton_bracket(f, lo, hi, eps, s_lo)
            if got is not None:
                if got[0] == got[1]:
                    return AlgebraicNumber.rational(R(got[0]))
                lo, hi = got
        while hi - lo >= eps:
            mid = (lo + hi) / 2
            v = f(mid)
            if v == 0:  # a rational root (only for a defining polynomial that is not minimal)
                return AlgebraicNumber.rational(R(mid))
            if (v > 0) == s_lo:
                lo = mid
            else:
                hi = mid
        return AlgebraicNumber(self.defining, R(lo), R(hi), self._cache)

    def __eq__(self, other) -> bool:
        if other is None:
            return False
        if not isinstance(other, AlgebraicNumber):
            other = AlgebraicNumber.rational(other)
        if self.is_rational and other.is_rational:
            return self.lo == other.lo
        if self.is_rational or other.is_rational:  # a rational root of a defining polynomial?
            x, r = (other, self.lo) if self.is_rational else (self, other.lo)
            return x.lo <= r <= x.hi and x._eval_sign(r) == 0
        if self.coeffs != other.coeffs:
            if self._cache.get("minimal", True) and other._cache.get("minimal", True):
                return False  # different minimal polynomials
            a, b = max(self.lo, other.lo), min(self.hi, other.hi)
            if a > b:
                return False
            g = self._flint().gcd(other._flint())
            if g.degree() < 1:
                return False
            # g divides both: at most one root in each interval; equal iff it has one in the overlap
            qa, qb = (_fmpq(x) for x in (a, b))
            va, vb = g(qa), g(qb)
            return va == 0 or vb == 0 or (va > 0) != (vb > 0)
        # each interval holds exactly one root of the same polynomial: the numbers are
        # equal iff the overlap of the intervals holds a root (a sign change; roots are simple)
        a, b = max(self.lo, other.lo), min(self.hi, other.hi)
        if a > b:
            return False
        fa, fb = self._eval_sign(a), self._eval_sign(b)
        return fa == 0 or fb == 0 or fa != fb

    def __hash__(self) -> int:
        return hash(self._minimal_form().coeffs)

    def __lt__(self, other) -> bool:
        if not isinstance(other, AlgebraicNumber):
            other = AlgebraicNumber.rational(other)
        if self.hi < other.lo or other.hi < self.lo:  # disjoint intervals: no refinement needed
            return self.hi < other.lo
        if self == other:
            return False
        first, _ = _separate(self, other)
        return first == self

    def compare_rational(self, q) -> int:
        """Sign of ``self - q`` for a rational ``q``, decided exactly."""
        q = sp.Rational(q)
        if self.is_rational:
            return int(sp.sign(self.lo - q))
        if q <= self.lo:
            return 1 if q < self.lo or self._eval_sign(q) != 0 else 0
        if q >= self.hi:
            return -1
        # q strictly inside the isolating interval: compare signs of poly
        sq, shi = self._eval_sign(q), self._eval_sign(self.hi)
        if sq == 0:
            return 0
        if shi == 0:  # root is hi itself (cannot happen for irrational roots)
            return -1
        return -1 if sq == shi else 1

    # output ------------------------------------------------------------------
    def evalf(self, digits: int = 17) -> sp.Float:
        """A :class:`~sympy.Float` with ``digits`` correct significant digits
        (from a rigorously refined rational interval)."""
        digits = check_digits(digits)
        x = self
        if not x.is_rational:
            scale = max(abs(x.lo), abs(x.hi), sp.Rational(1, 10**6))
            x = x.refine(scale * sp.Rational(1, 10 ** (digits + 4)))
        return sp.Float((x.lo + x.hi) / 2, digits + 4)

    def decimal(self, digits: int = 17) -> str:
        """Fixed-point decimal string with ``digits`` significant digits (cached per ``digits``)."""
        key = ("decimal", digits)
        if key not in self._cache:
            if self.is_rational:
                self._cache[key] = format_decimal(self.lo, digits)
            else:  # integer arithmetic: at 10^5 thresholds SymPy's Rational costs more than the roots
                lo, hi = Fraction(int(self.lo.p), int(self.lo.q)), Fraction(int(self.hi.p), int(self.hi.q))
                if (hi - lo) * 10 ** (digits + 6) >= max(abs(lo), abs(hi)):
                    x = self.refine(max(abs(self.lo), abs(self.hi)) * sp.Rational(1, 10 ** (digits + 6)))
                    lo, hi = Fraction(int(x.lo.p), int(x.lo.q)), Fraction(int(x.hi.p), int(x.hi.q))
                mid = (lo + hi) / 2
                self._cache[key] = format_ratio(mid.numerator, mid.denominator, digits)
        return self._cache[key]

    def bracket(self, eps) -> tuple[sp.Rational, sp.Rational]:
        """Rationals ``a < value < b`` with ``b - a <= eps`` (for irrational values;
        for rationals ``value -+ eps/2``)."""
        if self.is_rational:
            return self.lo - sp.Rational(eps) / 2, self.hi + sp.Rational(eps) / 2
        x = self.refine(eps)
        return x.lo, x.hi

    def __repr__(self) -> str:
        return f"AlgebraicNumber({self.value})"

    def _sympy_(self):
        return self.value

    def __float__(self) -> float:
        return float(self.evalf(17))


def _fmpq(r):
    import flint

    r = sp.Rational(r)
    return flint.fmpq(int(r.p), int(r.q))


def _newton_bracket(f, lo, hi, eps, s_lo):
    r"""A bracket ``[a, b] ⊂ [lo, hi]`` of width ``< eps`` around the one root of ``f``
    (python-flint ``fmpz_poly``) in ``[lo, hi]`` (``s_lo``: ``f(lo) > 0``): safeguarded
    Newton in Arb balls (a Newton step when it lands inside the current bracket,
    else a bisection step, geometric when the bracket spans orders of magnitude),
    *certified* at the end by exact signs of ``f`` at ``a`` and ``b``; ``None`` when
    that certificate fails (the caller bisects exactly).  ``(r, r)`` for an exact
    rational root ``r`` met on the way."""
    import flint

    prec = flint.ctx.prec
    try:
        bits = max(64, int(-math.log2(float(eps))) + 40)
        flint.ctx.prec = bits + 32 + f.height_bits() + f.degree().bit_length()  # room for cancellation
        F = flint.arb_poly(f)
        dF = F.derivative()
        a, b = flint.arb(lo), flint.arb(hi)
        fmpq_of = lambda x: (lambda m, e: flint.fmpq(int(m) * 2 ** int(e), 1) if int(e) >= 0  # noqa: E731
                             else flint.fmpq(int(m), 2 ** -int(e)))(*x.mid().man_exp())
        x = None
        target = flint.arb(eps) / 16
        for _ in range(4 * bits + 400):
            if (b - a) < target:
                break
            step = None
            if x is not None:
                fx, dfx = F(x), dF(x)
                if not dfx.contains(0):
                    y = flint.arb((x - fx / dfx).mid())
                    if a < y < b:
                        step = y
            if step is None:  # bisect (geometrically across magnitudes)
                if a > 0 and b > 8 * a:
                    step = flint.arb((a * b).sqrt().mid())
                elif a == 0 and b > 0:
                    step = flint.arb((b / 1024).mid())
                else:
                    step = flint.arb(((a + b) / 2).mid())
            v = F(step)
            if v.contains(0):
                q = fmpq_of(step)
                ve = f(q)
                if ve == 0:
                    return q, q
                pos = ve > 0
            else:
                pos = v > 0
            if pos == s_lo:
                a = step
            else:
                b = step
            if x is not None and step is not None and abs(step - x) < target:
                x = step
                break
            x = step
        c = fmpq_of(x if x is not None else (a + b) / 2)
        h = eps / 4
        qa, qb = max(lo, c - h), min(hi, c + h)

        def sign(q):  # an Arb ball around f(q) that excludes 0 certifies the sign; else exactly
            v = F(flint.arb(q))
            if v.contains(0):
                v = f(q)
            return (v > 0) - (v < 0)

        sa, sb = sign(qa), sign(qb)
        if sa == 0:
            return qa, qa
        if sb == 0:
            return qb, qb
        if (sa > 0) == s_lo and (sb > 0) != s_lo and qb - qa < eps:
            return qa, qb
        return None
    finally:
        flint.ctx.prec = prec


def _positive_root(D, bits: int = 80, guess=None):
    r"""A certified bracket of the one positive root of ``D``, a python-flint ``fmpz_poly``
    (or its list of ascending coefficients) with ``D(0) != 0`` whose coefficients change sign exactly once (Descartes: one root in
    :math:`t > 0`, a simple one).

    With :math:`D = \pm(P - M)`, :math:`P` the coefficients of the leading sign and
    :math:`M` the others (both nonnegative, every degree of :math:`P` above every degree of
    :math:`M`), :math:`\psi(s) = \ln P(e^s) - \ln M(e^s)` is increasing with
    :math:`1 \le \psi'(s) \le \deg D`, so Newton in :math:`s = \ln t` converges from any
    start (``guess``, e.g. a neighbouring pair's root, saves steps) -- at 64 bits first, then at
    ``bits`` + 40.  Neither :math:`P` nor :math:`M` cancels, so that precision suffices however
    large the coefficients (a root of :math:`D` itself in Arb would need their full height).
    Returns ``(lo, hi, s)``: ``fmpq`` with :math:`hi/lo - 1 < 2^{2-\text{bits}}` *certified* by
    the signs of :math:`P - M` at ``lo`` and ``hi`` (Arb balls that exclude 0, else exact
    evaluation); ``lo == hi`` for a rational root met on the way; ``None`` if Newton or the
    certificate fails (the caller isolates the root exactly instead).

    >>> import flint
    >>> lo, hi, _s = _positive_root(flint.fmpz_poly([-2, 0, 1]))      # t**2 - 2
    >>> lo**2 < 2 < hi**2, float(hi / lo - 1) < 2**-78
    (True, True)
    """
    import flint

    cs = D if isinstance(D, list) else D.coeffs()
    lead = 1 if cs[-1] > 0 else -1
    pos, neg = [c if c > 0 else 0 for c in cs], [0 if c > 0 else -c for c in cs]
    up, down = (pos, neg) if lead > 0 else (neg, pos)
    prec0 = flint.ctx.prec
    try:
        flint.ctx.prec = bits + 40
        P, M = flint.arb_poly(up), flint.arb_poly(down)
        dP, dM = P.derivative(), M.derivative()
        s = flint.arb(0 if guess is None else guess)
        for prec, tol in ((64, 2.0 ** -24), (bits + 40, 2.0 ** -(bits + 4))):
            flint.ctx.prec = prec
            for _ in range(400):
                t = s.exp()
                p, m = P(t), M(t)
                step = (p.log() - m.log()) / (t * (dP(t) / p - dM(t) / m))
                if not step.is_finite():
                    return None
                s = flint.arb((s - step).mid())
                if abs(float(step.mid())) < tol:
                    break
            else:  # pragma: no cover - Newton on an increasing psi with psi' >= 1 converges
                return None
        t, delta = s.exp(), flint.arb(2) ** -bits
        lo, hi = (flint.fmpq(*_man_exp(x)) for x in (t * (1 - delta), t * (1 + delta)))

        def sign(q):  # sign of P - M at q: an Arb ball that excludes 0, else exactly
            x = flint.arb(q)
            v = P(x) - M(x)
            if v.contains(0):
                v = lead * flint.fmpz_poly(cs)(q)
                if v == 0:
                    return 0
            return 1 if v > 0 else -1

        sl, sh = sign(lo), sign(hi)
        if sl == 0 or sh == 0:
            r = lo if sl == 0 else hi
            return r, r, float(s.mid())
        return (lo, hi, float(s.mid())) if sh > 0 > sl else None
    finally:
        flint.ctx.prec = prec0


def _two_roots(cs: list, bits: int = 80):
    r"""The positive roots of a polynomial (ascending coefficients ``cs``, ``cs[0] != 0``)
    whose coefficients change sign exactly twice: ``()`` when it has none, ``((lo1, hi1),
    (lo2, hi2))`` (``fmpq``, relative width :math:`< 2^{1-\text{bits}}`; ``lo == hi`` for a
    rational root) for two simple ones, ``None`` when undecided (a double root: the caller
    factors).

    With the coefficients in three runs, :math:`D = \pm(P_1 - M + P_2)`, and :math:`e` the
    top degree of :math:`P_1`, :math:`h(t) = t^{-e-1/2} D(t)` has
    :math:`2t^{e+3/2} h'(t) = \sum_j (2j - 2e - 1) a_j t^j`, whose coefficients change sign
    once: :math:`h` falls to one minimum at :math:`t_0` (:func:`_positive_root`) and rises
    after it.  If :math:`D < 0` on an Arb ball around :math:`t_0`, there are two roots, one on
    each side, where :math:`h` is monotone: bisected (geometrically, then arithmetically) with
    signs from :math:`P_1 + P_2` and :math:`M` in 120-bit Arb balls (exact evaluation when a
    ball holds 0); if :math:`D > 0` there, none.

    >>> import flint
    >>> (a, b), (c, d) = _two_roots([flint.fmpz(x) for x in (2, -3, 1)])   # (t - 1)(t - 2)
    >>> a <= 1 <= b < c <= 2 <= d, float(b - a) < 1e-20, float(d - c) < 1e-20
    (True, True, True)
    >>> _two_roots([flint.fmpz(x) for x in (3, -3, 1)])                     # t^2 - 3t + 3 > 0
    ()
    """
    import flint

    lead = 1 if cs[-1] > 0 else -1
    signs = [0 if c == 0 else (1 if c * lead > 0 else -1) for c in cs]
    k1 = signs.index(-1)
    e = max(j for j in range(k1) if signs[j])
    E = [(2 * j - 2 * e - 1) * lead * c for j, c in enumerate(cs)]
    got = _positive_root(E, bits)
    if got is None:
        return None
    lo0, hi0, _s = got
    up = [c * lead if s_ > 0 else 0 for c, s_ in zip(cs, signs)]
    down = [-c * lead if s_ < 0 else 0 for c, s_ in zip(cs, signs)]
    prec0 = flint.ctx.prec
    try:
        flint.ctx.prec = bits + 40
        P, M = flint.arb_poly(up), flint.arb_poly(down)
        D = flint.fmpz_poly(cs)

        def sign(q):  # sign of lead * D at the rational q
            x = flint.arb(q)
            v = P(x) - M(x)
            if v.contains(0):
                v = lead * D(q)
                if v == 0:
                    return 0
            return 1 if v > 0 else -1

        ball = flint.arb(lo0).union(flint.arb(hi0))
        v = P(ball) - M(ball)
        if v > 0:
            return ()
        if not v < 0:
            return None
        two = flint.fmpq(2)
        H = max(1, max(int(abs(c)).bit_length() for c in cs) + len(cs).bit_length() + 1)
        lo_end, hi_end = flint.fmpq(1, 2**H), flint.fmpq(2**H)
        out = []
        for a, b, sa in ((lo_end, lo0, 1), (hi0, hi_end, -1)):  # sign of lead*D at a: + left, - right
            if sign(a) != sa or sign(b) != -sa:  # pragma: no cover - Cauchy bounds hold
                return None
            while a != b and b - a >= a / 2**bits:  # geometric across magnitudes, then halving
                m = (a + b) / two
                if b > 2 * a:
                    g = flint.fmpq(*_man_exp((flint.arb(a) * flint.arb(b)).sqrt()))
                    m = g if a < g < b else m
                sm = sign(m)
                a, b = (m, m) if sm == 0 else (m, b) if sm == sa else (a, m)
            out.append((a, b))
        return tuple(out)
    finally:
        flint.ctx.prec = prec0


def _normal(poly) -> sp.Poly:
    """Primitive, positive leading coefficient, in :data:`ALPHA`."""
    poly = sp.Poly(poly, ALPHA).primitive()[1]
    return -poly if poly.LC() < 0 else poly


def _coeffs(poly) -> tuple:
    """Ascending integer coefficients, primitive with a positive leading coefficient,
    of a SymPy ``Poly`` or a python-flint ``fmpz_poly``."""
    if isinstance(poly, sp.Poly) or isinstance(poly, sp.Expr):
        c = [int(x) for x in reversed(_normal(poly).all_coeffs())]
    else:
        c = [int(x) for x in poly.coeffs()]
        g = 0
        for x in c:
            g = math.gcd(g, x)
        c = [x // g for x in c]
        if c[-1] < 0:
            c = [-x for x in c]
    return tuple(c)


ZERO = AlgebraicNumber.rational(0)
ONE = AlgebraicNumber.rational(1)


def _separate(a: AlgebraicNumber, b: AlgebraicNumber):
    """Refine two different numbers until their isolating intervals are disjoint;
    returned in increasing order."""
    while True:
        if a.hi < b.lo:
            return a, b
        if b.hi < a.lo:
            return b, a
        wa, wb = a.hi - a.lo, b.hi - b.lo
        if wa == 0 and wb == 0:
            raise ValueError("internal: equal numbers cannot be separated")
        if wa >= wb:  # relative steps: thresholds of large tasks can be far below 10^-60
            a = a.refine(wa / 2**16 if wa else 1)
        else:
            b = b.refine(wb / 2**16 if wb else 1)
        if a.hi - a.lo == wa and b.hi - b.lo == wb:  # pragma: no cover - refine stalled
            raise RuntimeError("internal: root refinement made no progress")


def point_between(a, b) -> sp.Rational:
    """A rational strictly between the numbers ``a < b`` (AlgebraicNumber or rational).

    >>> point_between(0, AlgebraicNumber.root(sp.Poly(3*ALPHA**2 - 8*ALPHA + 1, ALPHA), 0)) < 0.1315
    True
    """
    a = a if isinstance(a, AlgebraicNumber) else AlgebraicNumber.rational(a)
    b = b if isinstance(b, AlgebraicNumber) else AlgebraicNumber.rational(b)
    if a == b:
        raise ValueError("point_between: need a < b, got equal numbers")
    x, y = _separate(a, b)
    if not x == a:
        raise ValueError("point_between: need a < b")
    return (x.hi + y.lo) / 2


def _roots_in_unit_interval(poly: sp.Poly) -> list[AlgebraicNumber]:
    """Distinct real roots in (0, 1) of a nonzero polynomial, exact and sorted."""
    if poly.degree() <= 0:
        return []
    roots: list[AlgebraicNumber] = []
    _, factors = sp.factor_list(poly)
    for f, _mult in factors:
        f = sp.Poly(f, ALPHA)
        if f.degree() == 1:
            r = AlgebraicNumber.root(f, 0)
            if 0 < r.lo < 1:
                roots.append(r)
            continue
        for k, (iv, _m) in enumerate(f.intervals()):
            lo, hi = sp.Rational(iv[0]), sp.Rational(iv[1])
            if hi <= 0 or lo >= 1:
                continue
            r = AlgebraicNumber.root(f, k, (lo, hi))
            while r.lo < 0 < r.hi or r.lo < 1 < r.hi:
                r = r.refine((r.hi - r.lo) / 4)
            if r.lo >= 0 and r.hi <= 1:
                roots.append(r)
    roots.sort()
    return roots


def _fraction(expr, symbol=ALPHA) -> tuple[sp.Poly, sp.Poly]:
    """Coprime numerator and denominator polynomials of a rational function of ``symbol``."""
    expr = as_expr(expr, "expr")
    extra = expr.free_symbols - {symbol}
    if extra:
        raise ValueError(f"expr: must be a rational function of {symbol} alone, found {sorted(map(str, extra))}")
    num, den = sp.fraction(expr)
    if not (num.is_polynomial(symbol) and den.is_polynomial(symbol)):  # not already one fraction
        num, den = sp.fraction(sp.cancel(sp.together(expr)))
    pn, pd = sp.Poly(num, symbol), sp.Poly(den, symbol)
    g = pn.gcd(pd)
    if g.degree() > 0:
        pn, pd = pn.quo(g), pd.quo(g)
    return pn, pd


def sign_intervals(expr, symbol=ALPHA) -> list[tuple[AlgebraicNumber, AlgebraicNumber, int]]:
    r"""The sign of a rational function of :math:`\alpha` on :math:`(0, 1)`.

    Returns ``(lo, hi, s)``: on the open interval ``(lo, hi)`` the function
    has constant sign ``s`` (``-1``, ``0`` or ``1``); the ``lo``/``hi`` are
    :math:`0`, :math:`1` or the real roots in :math:`(0, 1)` of numerator and
    denominator, as exact :class:`AlgebraicNumber`.

    >>> [(a.value, b.value, s) for a, b, s in sign_intervals((3*ALPHA - 1)/(ALPHA + 1))]
    [(0, 1/3, -1), (1/3, 1, 1)]
    """
    num, den = _fraction(expr, symbol)
    if num.is_zero:
        return [(ZERO, ONE, 0)]
    if symbol != ALPHA:
        num, den = sp.Poly(num.as_expr().subs(symbol, ALPHA), ALPHA), sp.Poly(den.as_expr().subs(symbol, ALPHA), ALPHA)
    cuts = [ZERO] + _roots_in_unit_interval(sp.Poly(num * den, ALPHA)) + [ONE]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        s = point_between(a, b)
        out.append((a, b, int(sp.sign(num.eval(s)) * sp.sign(den.eval(s)))))
    return out


def wrong_set(expr, truth: int, symbol=ALPHA) -> list[tuple[AlgebraicNumber, AlgebraicNumber]]:
    r"""The open intervals of :math:`(0, 1)` on which ``truth * expr < 0``.

    Adjacent intervals are kept apart: they meet at a point where the margin
    touches zero (a tie, not an error).

    >>> [(a.value, b.value) for a, b in wrong_set((3*ALPHA - 1)*(ALPHA - 1)/(ALPHA + 1), 1)]
    [(1/3, 1)]
    """
    if truth not in (1, -1):
        raise ValueError(f"truth: must be +1 or -1, got {truth!r}")
    return [(a, b) for a, b, s in sign_intervals(expr, symbol) if s * truth < 0]


def margin_functions(task: Task, ridge=0, symbol=None) -> dict:
    r"""Margins :math:`f(i, j) = N_{ij}(\alpha)/D_{ij}(\alpha)`, :math:`i < j`, as exact
    rational functions of :math:`\alpha`.

    Parameters
    ----------
    task : Task
    ridge : exact number
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit.
    symbol : sympy.Symbol, optional
        The symbol for :math:`\alpha` in the result; default the canonical
        :data:`symti.params.alpha` (positive).  Pass your own (e.g.
        ``sp.Symbol("alpha")`` without assumptions) to substitute into the
        result with it.

    Returns
    -------
    dict
        ``{(i, j): f(i, j)}`` for every ``i < j``.

    >>> margin_functions(Task(3))[1, 3]
    (2 - 2*alpha)/(alpha + 1)
    >>> x = sp.Symbol("x")
    >>> margin_functions(Task(3), symbol=x)[1, 3].subs(x, sp.Rational(1, 2))
    2/3
    >>> margin_functions(Task(3), symbol="x")
    Traceback (most recent call last):
    ...
    TypeError: symbol: must be a SymPy Symbol, got 'x'
    """
    from ..solve.exact import solve_exact
    from ..kernels.trial import AlphaKernel

    x = result_symbol(symbol, ALPHA)
    ridge = check_ridge(ridge)
    if sp.sympify(ridge).free_symbols:
        raise TypeError("ridge: must be a number here (thresholds are computed for a fixed ridge)")
    P = solve_exact(task, AlphaKernel(ALPHA), ridge)
    rename = (lambda e: e) if x == ALPHA else (lambda e: sp.sympify(e).xreplace({ALPHA: x}))  # noqa: E731
    return {(i, j): rename(P[i, j]) for i, j in task.ordered_pairs() if i < j}


@dataclass(frozen=True)
class PairThreshold:
    r"""The wrong set of one untrained pair ``(i, j)``, ``i < j``."""

    i: int
    j: int
    category: str
    truth: int
    wrong_set: tuple
    _margin: list = field(repr=False, compare=False)  # [expr] or [builder], built on first use

    @property
    def margin(self) -> sp.Expr:
        r"""The margin :math:`f_{ij}(\alpha)` as an exact rational function (built on first use)."""
        m = self._margin[0]
        if callable(m):
            m = self._margin[0] = m()
        return m

    @property
    def alpha_star(self) -> AlgebraicNumber | None:
        r""":math:`\inf W_{ij}`, or ``None`` when the pair is never wrong."""
        return self.wrong_set[0][0] if self.wrong_set else None

    def is_wrong(self, alpha) -> bool:
        """Whether the pair is wrong at the rational ``alpha`` (from the exact sets)."""
        for lo, hi in self.wrong_set:
            if lo.compare_rational(alpha) < 0 and hi.compare_rational(alpha) > 0:
                return True
        return False

    def endpoints(self) -> list[AlgebraicNumber]:
        return sorted({x for iv in self.wrong_set for x in iv if x not in (ZERO, ONE)})


@dataclass
class ThresholdAnalysis:
    r"""Thresholds of every untrained pair with ground truth of a task."""

    task: Task
    ridge: sp.Expr
    pairs: list = field(default_factory=list)

    @property
    def critical_alpha(self) -> AlgebraicNumber | None:
        r""":math:`\alpha_c = \min \alpha^*_{ij}` (``None`` if no pair ever goes wrong)."""
        stars = [p.alpha_star for p in self.pairs if p.alpha_star is not None]
        return min(stars) if stars else None

    @property
    def first_pairs(self) -> list[PairThreshold]:
        """The pairs that fail first (all pairs with :math:`\\alpha^* = \\alpha_c`)."""
        c = self.critical_alpha
        return [p for p in self.pairs if c is not None and p.alpha_star == c]

    def pair(self, i: int, j: int) -> PairThreshold:
        for p in self.pairs:
            if (p.i, p.j) == (min(i, j), max(i, j)):
                return p
        raise KeyError(f"(i, j): ({i}, {j}) is not an untrained pair with ground truth")

    def wrong_at(self, alpha) -> list[tuple[int, int]]:
        """Pairs ``(i, j)`` that are wrong at the rational ``alpha``."""
        return [(p.i, p.j) for p in self.pairs if p.is_wrong(alpha)]

    def ordered(self) -> list[PairThreshold]:
        """Pairs that ever fail, sorted by threshold."""
        bad = [p for p in self.pairs if p.alpha_star is not None]
        return sorted(bad, key=lambda p: (p.alpha_star, p.i, p.j))

    def threshold_polynomials(self) -> dict:
        """The distinct irreducible polynomials whose roots are the thresholds, with the pairs."""
        out: dict = {}
        for p in self.pairs:
            if p.alpha_star is not None and not p.alpha_star.is_rational:
                out.setdefault(p.alpha_star.poly.as_expr(), []).append((p.i, p.j))
        return out


#: Largest n of :func:`thresholds` (unit weights): n = 500, one exception in the middle,
#: 36 s and 380 MB on 2 cores with every pair's threshold to 17 digits; the time grows
#: like n^3 (pairs near the exception x degree), so n = 1000 would take about 5 minutes.
MAX_N_THRESHOLDS = 500
#: Largest n of :func:`thresholds` for a task with non-unit weights (n = 20: 5.6 s, n = 30:
#: 36 s on 2 cores); unit-weight tasks go through :class:`MuSigns` at any n (n = 500: 36 s).
MAX_N_WEIGHTED = 30


def thresholds(task: Task, ridge=0, symbol=None) -> ThresholdAnalysis:
    r"""Exact wrong sets :math:`W_{ij} \subset (0, 1)` of every untrained pair with ground truth.

    Parameters
    ----------
    task : Task
    ridge : exact number
        :math:`\rho \ge 0`; ``0`` is the ridgeless limit.
    symbol : sympy.Symbol, optional
        The symbol for :math:`\alpha` in each pair's ``margin``; default the
        canonical :data:`symti.params.alpha` (see :func:`margin_functions`).
        Thresholds are numbers, the same for any symbol.

    >>> T = thresholds(Task(5, exceptions=[(2, 4)]))
    >>> [(p.i, p.j, p.category, p.alpha_star and p.alpha_star.decimal(6)) for p in T.pairs]
    [(1, 3, 'boundary', None), (1, 4, 'boundary', None), (1, 5, 'between', None), (2, 5, 'boundary', None), (3, 5, 'boundary', None)]

    In the caller's symbol (here one without assumptions):

    >>> x = sp.Symbol("alpha")
    >>> thresholds(Task(9, exceptions=[(4, 6)]), symbol=x).pair(3, 6).margin.subs(x, sp.Rational(1, 5))
    -6/49
    >>> thresholds(Task(5), ridge=-1)
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    ridge = check_ridge(ridge)
    if ridge.free_symbols:
        raise TypeError("ridge: must be a number here (thresholds are computed for a fixed ridge)")
    x = result_symbol(symbol, ALPHA)
    out = ThresholdAnalysis(task, ridge)
    if not task.is_weighted:
        check_task_size(task.n, MAX_N_THRESHOLDS, "thresholds", "n = 500 takes 36 s; the time grows like n^3")
        out.pairs = _thresholds_in_mu(task, ridge, x)
        return out
    check_task_size(task.n, MAX_N_WEIGHTED, "thresholds of a weighted task",
                    "each margin is a SymPy rational function, factored: n = 30 takes 36 s")
    margins = margin_functions(task, ridge)
    for i, j in task.test_pairs():
        m = margins[i, j]
        shown = m if x == ALPHA else m.xreplace({ALPHA: x})
        out.pairs.append(PairThreshold(i, j, task.category(i, j), task.ground_truth(i, j),
                                       tuple(wrong_set(m, task.ground_truth(i, j))), [shown]))
    return out


# ----------------------------------------------------------- the route in mu
def _mu_to_alpha_poly(f, ridge: sp.Rational):
    r""":math:`g(\alpha) \propto (1-\alpha)^d f\big(2(\alpha+\rho)/(1-\alpha)\big)`, an integer
    polynomial whose roots are the images :math:`\alpha = (\mu - 2\rho)/(\mu + 2)` of the
    roots :math:`\mu` of ``f`` (irreducible when ``f`` is: a Moebius change of variable).

    Computed by Taylor shifts in python-flint: :math:`\mu = -2 + c/(1-\alpha)` with
    :math:`c = 2 + 2\rho`, so with :math:`f(w - 2) = \sum_k a_k w^k`,
    :math:`q^d (1-\alpha)^d f(\mu) = \sum_k a_k (cq)^k q^{d-k} (1-\alpha)^{d-k}`
    (:math:`\rho = p/q`).

    >>> import flint
    >>> str(_mu_to_alpha_poly(flint.fmpz_poly([-1, 1]), sp.Integer(0)))   # mu = 1 <=> alpha = 1/3
    '3*x + (-1)'
    """
    import flint

    d = f.degree()
    if d <= 0:
        return f
    p, q = int(ridge.p), int(ridge.q)
    cq = 2 * q + 2 * p
    a = f(flint.fmpz_poly([-2, 1])).coeffs()
    b = [0] * (d + 1)
    pc, pq = 1, q ** d
    for k in range(d + 1):
        ak = int(a[k]) if k < len(a) else 0
        b[d - k] = ak * pc * pq  # coefficient of z^(d-k), z = 1 - alpha
        pc *= cq
        pq //= q
    return flint.fmpz_poly(b)(flint.fmpz_poly([1, -1]))


_POWERS: dict = {}


def _moebius_powers(p: int, q: int, d: int):
    """Powers ``0..d`` of :math:`P = 2(q\alpha + p)` and :math:`Q = q(1 - \alpha)` (cached per ridge)."""
    import flint

    powP, powQ = _POWERS.setdefault((p, q), ([flint.fmpz_poly([1])], [flint.fmpz_poly([1])]))
    P, Q = flint.fmpz_poly([2 * p, 2 * q]), flint.fmpz_poly([q, -q])
    while len(powP) <= d:
        powP.append(powP[-1] * P)
        powQ.append(powQ[-1] * Q)
    return powP, powQ


def _alpha_roots(f, ridge: sp.Rational, cache: dict) -> list:
    r"""Roots of the irreducible ``f`` (``fmpz_poly`` in :math:`\mu`) with :math:`\alpha \in (0, 1)`,
    i.e. :math:`\mu > 2\rho`, as :class:`AlgebraicNumber` in :math:`\alpha`.

    Real roots come from python-flint's certified complex root isolation (Arb
    balls, each holding exactly one root; real roots have exactly zero
    imaginary part); their rational enclosures map to isolating intervals of
    :math:`g(\alpha)` under the increasing map :math:`\mu \mapsto (\mu - 2\rho)/(\mu + 2)`.
    """
    key = tuple(int(c) for c in f.coeffs())
    if key in cache:
        return cache[key]
    coeffs = f.coeffs()
    two_rho = 2 * ridge
    out = []
    if len(coeffs) == 2:  # linear: the root is rational
        mu = sp.Rational(-int(coeffs[0]), int(coeffs[1]))
        if mu > two_rho:
            out.append(AlgebraicNumber.rational((mu - two_rho) / (mu + 2)))
    elif len(coeffs) > 2:
        g = None
        if _descartes_bound(f, ridge) == 1:  # exactly one root in (0, 1): (0, 1) isolates it
            cache[key] = out = [AlgebraicNumber.isolated(_mu_to_alpha_poly(f, ridge), 0, 1)]
            return out
        for z, _m in f.complex_roots():
            if z.imag != 0:
                continue
            lo, hi = (sp.Rational(*_man_exp(b)) for b in (z.real.lower(), z.real.upper()))
            if hi <= two_rho:
                continue
            if lo <= -1:  # pragma: no cover - Arb enclosures are tight
                raise RuntimeError("internal: root enclosure too wide")
            g = g or _mu_to_alpha_poly(f, ridge)
            r = AlgebraicNumber.isolated(g, (lo - two_rho) / (lo + 2), (hi - two_rho) / (hi + 2))
            while r.lo < 0 < r.hi:  # straddles alpha = 0 (mu = 2 rho, rational: not this root)
                r = r.refine((r.hi - r.lo) / 4)
            if r.lo >= 0:
                out.append(r)
    cache[key] = out
    return out


def _descartes_bound(f, ridge: sp.Rational) -> int:
    r"""Descartes' rule of signs on :math:`f(\mu + 2\rho)`: an upper bound on the number of
    roots with :math:`\mu > 2\rho` (:math:`\alpha \in (0, 1)`), exact when 0 or 1."""
    import flint

    if ridge:
        f = flint.fmpq_poly(f)(flint.fmpq_poly([flint.fmpq(int(2 * ridge.p), int(ridge.q)), 1]))
    signs = [c > 0 for c in f.coeffs() if c != 0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def _man_exp(b) -> tuple[int, int]:
    """An exactly representable Arb endpoint as ``(numerator, denominator)``."""
    m, e = b.mid().man_exp()
    m, e = int(m), int(e)
    return (m * 2**e, 1) if e >= 0 else (m, 2**-e)


class MuSigns:
    r"""The sign of every margin of a unit-weight task on :math:`\alpha \in (0, 1)`, for a
    fixed ridge, from the rank numerators :math:`x_i(\mu)` of
    :class:`symti.solve.rank.RankNumeratorsMu` (derivations/theory.md §3, §4).

    For :math:`\mu > 0`, :math:`\det(L + \mu I) > 0`, so the sign of
    :math:`r_i - r_j` is the sign of :math:`x_i - x_j`, a polynomial in
    :math:`\mu = 2(\alpha+\rho)/(1-\alpha)`, increasing in :math:`\alpha`:
    :math:`\alpha \in (0, 1) \iff \mu > 2\rho`.  With
    :math:`X_i(t) = q^d x_i((t + 2p)/q)` (:math:`2\rho = 2p/q`, :math:`t > 0`),
    Descartes' rule on :math:`X_i - X_j` bounds the roots; 0 sign changes proves one
    sign, 1 proves exactly one simple root (isolated in :math:`(0, 1)` without
    factoring), more goes to factoring and certified root isolation.  Pairs are
    certified positive in bulk by transitivity:
    :math:`r_i > r_a` and :math:`r_a > r_j` for all :math:`\mu > 2\rho` give
    :math:`r_i > r_j`, so only pairs that no chain of certified pairs spans are
    examined (those near an exception).
    """

    def __init__(self, task: Task, ridge):
        import flint

        self.task, self.ridge = task, sp.Rational(ridge)
        self.R = RankNumeratorsMu(task)
        xs = self.x = self.R.numerators()
        d = self.d = max(v.degree() for v in xs if v) if any(xs) else 0
        p, q = int(2 * self.ridge.p), int(self.ridge.q)
        shift = flint.fmpz_poly([p, 1])
        qpow = [1]
        for _ in range(d):
            qpow.append(qpow[-1] * q)

        def X(v):
            c = v.coeffs()
            y = flint.fmpz_poly([int(ck) * qpow[d - k] for k, ck in enumerate(c)]) if q != 1 else v
            return y(shift) if p else y

        self.X = [X(v) for v in xs]
        self._alpha_of_t = p + 2 * q  # alpha = t / (t + 2 rho q + 2 q)
        self._roots: dict = {}
        self._guess = None  # ln t of the last root found (a neighbouring pair's is close)
        self._ranks = None

    def _coefficient_ranks(self):
        """``R[i - 1, k]``: the rank of the ``k``-th coefficient of :math:`X_i` among all
        :math:`X_{i'}` (equal coefficients, equal ranks), so that the sign of the
        ``k``-th coefficient of :math:`X_i - X_j` is the sign of ``R[i-1, k] - R[j-1, k]``:
        Descartes counts of many differences without forming them."""
        import numpy as np

        if self._ranks is None:
            n, d = self.task.n, self.d
            cols = [[int(c) for c in v.coeffs()] for v in self.X]
            R = np.zeros((n, d + 1), dtype=np.int32)
            for k in range(d + 1):
                vals = [c[k] if k < len(c) else 0 for c in cols]
                rank, prev = -1, None
                for idx in sorted(range(n), key=vals.__getitem__):
                    if vals[idx] != prev:
                        rank, prev = rank + 1, vals[idx]
                    R[idx, k] = rank
            self._ranks = R
        return self._ranks

    def _pair_variations(self, i: int, j: int) -> tuple[int, int]:
        """``(sign changes of the coefficients, sign of the leading one)`` of :math:`X_i - X_j`
        (Descartes), from :meth:`_coefficient_ranks`."""
        import numpy as np

        R = self._coefficient_ranks()
        sg = np.sign(R[i - 1] - R[j - 1])
        nz = sg[sg != 0]
        if not nz.size:
            return 0, 0
        return int(np.count_nonzero(nz[1:] != nz[:-1])), int(nz[-1])

    def certified_positive(self, pairs=None) -> tuple[set, dict]:
        r"""``(certified, rest)``: pairs ``i < j`` (every pair, or those listed) proved
        :math:`r_i > r_j` on all of :math:`(0, 1)`, and the others ``{(i, j): (var, sign)}``
        with their Descartes count and leading sign."""
        n = self.task.n
        want = None if pairs is None else set(pairs)
        good = [False] * (n + 1)  # good[k]: gap (k, k+1) certified
        rest: dict = {}
        for k in range(1, n):
            var, s = self._pair_variations(k, k + 1)
            good[k] = var == 0 and s > 0
            if not good[k]:
                rest[(k, k + 1)] = (var, s)
        bad = [0] * (n + 1)  # bad[k] = number of uncertified gaps among 1..k-1
        for k in range(1, n):
            bad[k + 1] = bad[k] + (0 if good[k] else 1)
        chain = lambda i, j: bad[j] == bad[i]  # noqa: E731 - all gaps i..j-1 certified
        cert = set()
        for j in range(2, n + 1):
            anchor = None
            for i in range(j - 1, 0, -1):
                if chain(i, j) or (anchor is not None and chain(i, anchor)):
                    if want is None or (i, j) in want:
                        cert.add((i, j))
                    continue
                if j - i == 1:
                    hit = rest[(i, j)]
                else:
                    hit = self._pair_variations(i, j)
                if hit[0] == 0 and hit[1] > 0:
                    anchor = i
                    if want is None or (i, j) in want:
                        cert.add((i, j))
                elif want is None or (i, j) in want:
                    rest[(i, j)] = hit
        if want is not None:
            rest = {k: v for k, v in rest.items() if k in want}
        return cert, rest

    def structure(self, i: int, j: int, hint=None, narrow: bool = True) -> tuple[list, list, list]:
        r"""``(cuts, signs, odd)`` of :math:`r_i - r_j` on :math:`(0, 1)`: ``cuts`` are
        ``0``, the roots in :math:`(0, 1)` (sorted :class:`AlgebraicNumber`) and ``1``;
        ``signs[k]`` is the sign on ``(cuts[k], cuts[k+1])``; ``odd[k]`` tells whether the
        sign changes at root ``k`` (a root of even multiplicity is a touch point)."""
        return self._wrap(i, j, self._raw_structure(i, j, hint, narrow))

    def _alpha_numerator(self, i: int, j: int):
        r"""The numerator of :math:`r_i - r_j` as an ``fmpz_poly`` in :math:`\alpha`
        (:func:`_mu_to_alpha_poly`), without the factor :math:`\alpha^m` of a root at 0."""
        import flint

        g = _mu_to_alpha_poly(self.x[i - 1] - self.x[j - 1], self.ridge)
        c = g.coeffs()
        m = next(k for k, ck in enumerate(c) if ck)
        return flint.fmpz_poly(c[m:]) if m else g

    def _difference_in_t(self, i: int, j: int) -> list:
        """Ascending coefficients of :math:`X_i - X_j` without its factor :math:`t^m` (the root
        :math:`t = 0` is :math:`\alpha = 0`, no cut)."""
        c = (self.X[i - 1] - self.X[j - 1]).coeffs()
        m = next(k for k, ck in enumerate(c) if ck)
        return c[m:] if m else c

    def _alpha_of(self, brackets) -> tuple:
        """Brackets ``(lo, hi)`` in :math:`t` (``fmpq``) as flat rationals in
        :math:`\alpha = t / (t + 2p + 2q)` (increasing)."""
        C = self._alpha_of_t
        return tuple(sp.Rational(int(a.p), int(a.q)) for lo, hi in brackets for a in (lo / (lo + C), hi / (hi + C)))

    def _one_root(self, i: int, j: int):
        r"""``(lo, hi)``: rationals, relative width :math:`< 2^{-78}`, around the one root in
        :math:`(0, 1)` of a margin whose :math:`X_i - X_j` has one sign change (``lo == hi``
        for a rational root); ``None`` if :func:`_positive_root` cannot certify it.  Found in
        :math:`t = q(\mu - 2\rho)`, :math:`\alpha = t / (t + 2p + 2q)` (:math:`\rho = p/q`)."""
        import flint

        c = self._difference_in_t(i, j)
        if len(c) == 2:
            lo = hi = flint.fmpq(-int(c[0]), int(c[1]))
        else:
            got = _positive_root(c, 80, self._guess)
            if got is None:
                return None
            lo, hi, self._guess = got
        return self._alpha_of([(lo, hi)])

    def _two_roots(self, i: int, j: int):
        r""":func:`_two_roots` of :math:`X_i - X_j` (two sign changes), mapped to :math:`\alpha`:
        ``()``, ``(lo1, hi1, lo2, hi2)`` as rationals, or ``None``."""
        got = _two_roots(self._difference_in_t(i, j), 80)
        return got if not got else self._alpha_of(got)

    def _raw_structure(self, i: int, j: int, hint=None, narrow: bool = True):
        """:meth:`structure` as plain data (sent back from forked workers): ``("one", lead,
        lo, hi)`` for one simple root bracketed by :meth:`_one_root`, ``("two", lead, lo1, hi1,
        lo2, hi2)`` or ``("none", lead)`` from :meth:`_two_roots`, else ``("cuts", cuts, signs,
        odd)``."""
        var, lead = hint if hint is not None else self._pair_variations(i, j)
        N = self.x[i - 1] - self.x[j - 1]
        if not N:
            return "cuts", [ZERO, ONE], [0], []
        if var == 0:
            return "cuts", [ZERO, ONE], [lead], []
        if var == 1:
            got = self._one_root(i, j) if narrow else None
            if got is not None:
                return ("one", lead) + got
            g = self._alpha_numerator(i, j)
            r = AlgebraicNumber.isolated(g, 0, 1, minimal=False)
            if narrow:  # narrow now, relative 2^-85 (17 printed digits need no more): comparisons stay cheap
                r = r.refine(sp.Rational(1, 2**20))
                r = r.refine(max(r.lo, sp.Rational(1, 2**300)) / 2**85)
            return "cuts", [ZERO, r, ONE], [-lead, lead], [True]
        if var == 2 and narrow:
            got = self._two_roots(i, j)
            if got is not None:
                return ("none", lead) if not got else ("two", lead) + got
        g = N.gcd(self.R.det)
        N = N // g
        _c, factors = N.factor()
        events = []
        for f, e in factors:
            if _descartes_bound(f, self.ridge):
                events += [(r, e % 2 == 1) for r in _alpha_roots(f, self.ridge, self._roots)]
        events.sort(key=lambda ev: ev[0])
        cuts = [ZERO] + [r for r, _ in events] + [ONE]
        sign = 1 if N.coeffs()[-1] > 0 else -1       # mu -> oo: alpha -> 1-
        signs = [sign]
        for _r, odd in reversed(events):
            sign = -sign if odd else sign
            signs.append(sign)
        signs.reverse()
        return "cuts", cuts, signs, [odd for _, odd in events]

    def _wrap(self, i: int, j: int, raw) -> tuple[list, list, list]:
        """The ``(cuts, signs, odd)`` of :meth:`structure` from :meth:`_raw_structure`."""
        if raw[0] == "cuts":
            return raw[1], raw[2], raw[3]
        if raw[0] == "none":
            return [ZERO, ONE], [raw[1]], []
        source = functools.partial(self._alpha_numerator, i, j)
        number = lambda lo, hi: AlgebraicNumber.rational(lo) if lo == hi else \
            AlgebraicNumber.deferred(source, lo, hi)  # noqa: E731
        lead, ends = raw[1], raw[2:]
        roots = [number(ends[k], ends[k + 1]) for k in range(0, len(ends), 2)]
        signs = [-lead, lead] if len(roots) == 1 else [lead, -lead, lead]
        return [ZERO, *roots, ONE], signs, [True] * len(roots)


#: Pairs below which the sign structures are computed in this process; above it they are
#: shared among ``PROCESSES`` forked workers (each pair's root isolation is independent).
PARALLEL_PAIRS = 400
#: Worker processes for large threshold analyses (1: never fork).
PROCESSES = max(1, min(4, os.cpu_count() or 1))
_SHARED: list = []


def _structure_job(job):
    (i, j), hint = job
    return (i, j), _SHARED[0]._raw_structure(i, j, hint)


def _structures(S: "MuSigns", jobs: list) -> dict:
    """``MuSigns.structure`` of every ``((i, j), hint)`` in ``jobs``, in forked workers
    when there are many (results are exact and independent of the split)."""
    if len(jobs) < PARALLEL_PAIRS or PROCESSES < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return {k: S.structure(*k, hint) for k, hint in jobs}
    _SHARED[:] = [S]
    try:
        with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
            raw = pool.map(_structure_job, jobs, chunksize=max(1, len(jobs) // (8 * PROCESSES)))
        return {k: S._wrap(*k, r) for k, r in raw}
    finally:
        _SHARED.clear()


def _thresholds_in_mu(task: Task, ridge: sp.Rational, x) -> list:
    r"""Wrong sets of every test pair of a unit-weight task from the margins'
    numerators in :math:`\mu = 2(\alpha+\rho)/(1-\alpha)` (increasing in :math:`\alpha`):
    the sign of an untrained margin is the sign of :math:`N_{ij}(\mu)`
    (:class:`MuSigns`)."""
    pairs = task.test_pairs()
    S = MuSigns(task, ridge)
    cert, rest = S.certified_positive(pairs)
    mu_of_alpha = 2 * (ALPHA + ridge) / (1 - ALPHA)
    structures = _structures(S, [((i, j), rest.get((i, j))) for i, j in pairs if (i, j) not in cert])
    out = []
    for i, j in pairs:
        truth = task.ground_truth(i, j)

        def build(i=i, j=j):
            N, D = S.R.difference(i, j)
            num = sum(int(c) * mu_of_alpha**k for k, c in enumerate(N.coeffs()))
            den = sum(int(c) * mu_of_alpha**k for k, c in enumerate(D.coeffs()))
            m = sp.factor(sp.cancel(num / den)) if N else sp.Integer(0)
            return m if x == ALPHA else m.xreplace({ALPHA: x})

        if (i, j) in cert:
            wrong: list = [] if truth > 0 else [(ZERO, ONE)]
        else:
            cuts, signs, _odd = structures[(i, j)]
            wrong = [(cuts[k], cuts[k + 1]) for k, s_ in enumerate(signs) if s_ * truth < 0]
        out.append(PairThreshold(i, j, task.category(i, j), truth, tuple(wrong), [build]))
    return out
