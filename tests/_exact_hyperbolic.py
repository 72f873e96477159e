"""Test helper: evaluate hyperbolic closed forms *exactly* as rational functions
of s = e^{lambda/2}.

Every hyperbolic term of the closed forms is sinh or cosh of a half-integer
multiple of lambda, i.e. (s^k -+ s^-k)/2 for an integer k.  Lambdifying the
SymPy expression with these functions (rationals printed as ``Fraction``)
turns it into an element of Q(s), held as a pair of flint ``fmpq_poly``; two
closed forms are then compared by cross-multiplication -- a proof of identity
in s, not a sampled check.
"""
from __future__ import annotations

import functools
import types
from fractions import Fraction

import flint
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

S = flint.fmpq_poly([0, 1])
_ONE = flint.fmpq_poly([1])


class RatS:
    """An element num/den of Q(s)."""

    __slots__ = ("num", "den")

    def __init__(self, num, den=None):
        if isinstance(num, RatS):
            num, den = num.num, num.den
        if not isinstance(num, flint.fmpq_poly):
            num = flint.fmpq_poly([flint.fmpq(Fraction(num).numerator, Fraction(num).denominator)])
        if den is None:
            den = _ONE
        self.num, self.den = num, den  # not reduced: equality is by cross-multiplication

    @staticmethod
    def lift(x):
        return x if isinstance(x, RatS) else RatS(x)

    def __add__(self, o):
        o = RatS.lift(o)
        return RatS(self.num * o.den + o.num * self.den, self.den * o.den)

    __radd__ = __add__

    def __neg__(self):
        return RatS(-self.num, self.den)

    def __sub__(self, o):
        return self + (-RatS.lift(o))

    def __rsub__(self, o):
        return RatS.lift(o) - self

    def __mul__(self, o):
        o = RatS.lift(o)
        return RatS(self.num * o.num, self.den * o.den)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = RatS.lift(o)
        if o.num == 0:
            raise ZeroDivisionError("RatS division by zero")
        return RatS(self.num * o.den, self.den * o.num)

    def __rtruediv__(self, o):
        return RatS.lift(o) / self

    def __pow__(self, k: int):
        if k < 0:
            return RatS(1) / (self ** (-k))
        return RatS(self.num ** k, self.den ** k)

    def is_zero(self) -> bool:
        return self.num == 0

    def equals(self, o) -> bool:
        o = RatS.lift(o)
        return self.num * o.den == o.num * self.den

    def __call__(self, x):
        return Fraction(str(self.num(x))) / Fraction(str(self.den(x)))


class Lam:
    """A rational multiple c*lambda (c a half-integer once evaluated)."""

    __slots__ = ("c",)

    def __init__(self, c=Fraction(1)):
        self.c = Fraction(c)

    def __mul__(self, o):
        return Lam(self.c * Fraction(o))

    __rmul__ = __mul__

    def __truediv__(self, o):
        return Lam(self.c / Fraction(o))

    def __add__(self, o):
        if isinstance(o, Lam):
            return Lam(self.c + o.c)
        if o == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def __neg__(self):
        return Lam(-self.c)

    def __sub__(self, o):
        return self + (-o)

    def power(self) -> int:
        k = 2 * self.c  # e^{c lambda} = s^{2c}
        if k.denominator != 1:
            raise ValueError(f"non half-integer multiple of lambda: {self.c}")
        return int(k)


def _spow(k: int) -> RatS:
    return RatS(S ** k) if k >= 0 else RatS(_ONE, S ** (-k))


@functools.lru_cache(maxsize=None)
def _sinh(k: int) -> RatS:
    k = abs(k) if k >= 0 else k
    return RatS(S ** (2 * k) - 1, 2 * S ** k) if k >= 0 else RatS(1 - S ** (-2 * k), 2 * S ** (-k))


@functools.lru_cache(maxsize=None)
def _cosh(k: int) -> RatS:
    k = abs(k)
    return RatS(S ** (2 * k) + 1, 2 * S ** k)


def sinh(x: Lam) -> RatS:
    return _sinh(x.power())


def cosh(x: Lam) -> RatS:
    return _cosh(x.power())


def exp(x: Lam) -> RatS:
    return _spow(x.power())


class _FractionPrinter(PythonCodePrinter):
    def _print_Rational(self, expr):
        return f"Fraction({expr.p}, {expr.q})"

    def _print_Half(self, expr):
        return self._print_Rational(expr)


_NS = types.SimpleNamespace(sinh=sinh, cosh=cosh, exp=exp)
MODULES = [{"sinh": sinh, "cosh": cosh, "exp": exp, "math": _NS, "Fraction": Fraction, "Min": min, "Max": max,
            "min": min, "max": max}]


def exact_lambdify(args, expr):
    """``lambdify`` whose result, called with integers, Fractions, RatS values and
    ``Lam()`` for lambda, evaluates ``expr`` exactly in Q(s)."""
    return sp.lambdify(args, expr, modules=MODULES, printer=_FractionPrinter)


def compose_alpha(expr_num: sp.Expr, expr_den: sp.Expr, var: sp.Symbol, sub: RatS) -> RatS:
    """The rational function num(var)/den(var) at var = sub (exactly)."""
    def ev(e):
        p = sp.Poly(e, var, domain="QQ")
        acc = RatS(0)
        for c in p.all_coeffs():  # Horner
            acc = acc * sub + Fraction(int(c.p), int(c.q)) if isinstance(c, sp.Rational) else None
        return acc
    return ev(expr_num) / ev(expr_den)


def alpha_of_s() -> RatS:
    r"""Ridgeless: :math:`\cosh\lambda = 1/(1-\alpha)`, :math:`e^{\lambda} = s^2` gives
    :math:`\alpha = (s^2-1)^2/(s^4+1)`."""
    return RatS((S ** 2 - 1) ** 2, S ** 4 + 1)
