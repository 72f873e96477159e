"""Parsing and validation of user-supplied parameters.

Every public entry point funnels its numeric arguments through these helpers so
that bad input is rejected with one clear message that names the parameter and
the allowed range.  Strings are parsed with a small regular grammar (integers,
decimals, scientific notation and ``p/q`` fractions) -- never with ``eval`` or
``sympify``.

>>> parse_number("1/3", "alpha")
1/3
>>> parse_number("0.25", "alpha")
1/4
>>> parse_number("1e-3", "ridge")
1/1000
>>> parse_number("2**3", "alpha")
Traceback (most recent call last):
...
ValueError: alpha: cannot parse '2**3' as a number (use an integer, a decimal such as 0.25, 1e-3, or a fraction such as 1/3)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §2, §3 (the ranges of alpha, rho and the kernel
   values).
"""
from __future__ import annotations

import math
import numbers
import re
from fractions import Fraction

import mpmath
import sympy as sp

__all__ = [
    "format_ratio",
    "check_task_size",
    "display_number",
    "parse_number",
    "as_exact",
    "check_alpha",
    "check_ridge",
    "check_n",
    "check_weight",
    "check_digits",
    "format_decimal",
    "as_expr",
]

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")
# bounds that keep parsing cheap (10**1e9 would hang) and results printable
_MAX_EXPONENT = 1000
_MAX_CHARS = 1000


def parse_number(text: str, name: str) -> sp.Rational:
    """Parse ``text`` as an exact rational number, naming ``name`` in errors.

    Accepted forms: ``3``, ``-0.25``, ``1e-3``, ``2.5E+2``, ``1/3``.  Decimals
    are read exactly (``0.1`` is ``1/10``, not the binary float nearest it).
    """
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a string, got {type(text).__name__}")
    s = text.strip()
    if len(s) > _MAX_CHARS:
        raise ValueError(f"{name}: number too long ({len(s)} characters, at most {_MAX_CHARS})")
    if s.lower() in {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}:
        raise ValueError(f"{name}: must be a finite number, got {text!r}")
    m = _FRACTION.match(s)
    if m:
        p, q = int(m.group(1)), int(m.group(2))
        if q == 0:
            raise ValueError(f"{name}: division by zero in {text!r}")
        return sp.Rational(p, q)
    m = _DECIMAL.match(s)
    if m:
        if m.group(3) and abs(int(m.group(3)[1:])) > _MAX_EXPONENT:
            raise ValueError(f"{name}: exponent out of range in {text!r} (at most {_MAX_EXPONENT} in absolute value)")
        return sp.Rational(Fraction(s).numerator, Fraction(s).denominator)
    raise ValueError(
        f"{name}: cannot parse {text!r} as a number (use an integer, a decimal such as 0.25, "
        "1e-3, or a fraction such as 1/3)"
    )


def _format_float(x: float, digits: int) -> str:
    """Fixed-point string of a finite nonzero float, correctly rounded to ``digits``
    significant digits (the binary value, as mpmath's ``nstr`` rounds it)."""
    mant, exp = f"{x:.{digits - 1}e}".split("e")
    e = int(exp)
    sign = ""
    if mant[0] == "-":
        sign, mant = "-", mant[1:]
    d = mant.replace(".", "")
    if e >= 0:
        if e + 1 >= len(d):
            return sign + d + "0" * (e + 1 - len(d)) + "."
        return sign + d[:e + 1] + "." + d[e + 1:]
    return sign + "0." + "0" * (-e - 1) + d


def format_ratio(p: int, q: int, digits: int) -> str:
    """The rational ``p/q`` (integers, ``q > 0``) as :func:`format_decimal` prints it: no
    trip through SymPy's ``evalf``.

    >>> format_ratio(-1, 8000, 3), format_ratio(0, 7, 5)
    ('-0.000125', '0')
    """
    if p == 0:
        return "0"
    with mpmath.workdps(digits + 10):
        return mpmath.nstr(mpmath.mpf(p) / q, digits, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf)


def format_decimal(value, digits: int) -> str:
    """``value`` as a fixed-point decimal string with ``digits`` significant digits.

    Exact values (SymPy numbers, strings such as ``"1/3"``) are rounded from
    their exact value; floats from their binary value.

    >>> format_decimal(sp.Rational(2, 3), 5), format_decimal(sp.Rational(-1, 8000), 3), format_decimal(0, 4)
    ('0.66667', '-0.000125', '0')
    >>> format_decimal(2 / 3, 5), format_decimal("1/3", 3)
    ('0.66667', '0.333')
    >>> format_decimal("1/0", 18)
    Traceback (most recent call last):
    ...
    ValueError: value: division by zero in '1/0'
    >>> format_decimal(float("nan"), 5)
    Traceback (most recent call last):
    ...
    ValueError: value: must be a finite number, got nan
    """
    digits = check_digits(digits)
    if isinstance(value, float) and math.isfinite(value) and value != 0:
        return _format_float(value, digits)
    if isinstance(value, sp.Rational) or (isinstance(value, int) and not isinstance(value, bool)):
        p, q = (int(value.p), int(value.q)) if isinstance(value, sp.Rational) else (value, 1)
        return format_ratio(p, q, digits)
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"value: must be a finite number, got {value}")
        x = value
    else:
        value = as_exact(value, "value", allow_symbol=False)
        if value == 0:
            return "0"
        with mpmath.workdps(digits + 10):
            x = mpmath.mpf(sp.N(value, digits + 10))
    if x == 0:
        return "0"
    with mpmath.workdps(digits + 10):
        return mpmath.nstr(x, digits, strip_zeros=False, min_fixed=-mpmath.inf, max_fixed=mpmath.inf)


def as_exact(value, name: str, allow_symbol: bool = True) -> sp.Expr:
    """Convert ``value`` to an exact SymPy number (or keep a SymPy expression).

    Python ``float`` values are converted through their shortest decimal
    representation (``0.1`` becomes ``1/10``), so that what a user typed is what
    the exact solver sees.  NaN and infinities are rejected.

    >>> as_exact(0.1, "alpha")
    1/10
    >>> as_exact(float("nan"), "alpha")
    Traceback (most recent call last):
    ...
    ValueError: alpha: must be a finite number, got nan
    """
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected a number, got bool")
    if isinstance(value, str):
        return parse_number(value, name)
    if isinstance(value, sp.Basic):
        if value.is_number:
            if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise ValueError(f"{name}: must be a finite number, got {value}")
            if isinstance(value, sp.Float):
                return parse_number(repr(float(value)), name)
            return value
        if not allow_symbol:
            raise TypeError(f"{name}: must be a number here, got the expression {value}")
        return value
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            raise ValueError(f"{name}: must be a finite number, got {x}")
        return parse_number(repr(x), name)
    raise TypeError(f"{name}: expected a number or a SymPy expression, got {type(value).__name__}")


def as_expr(value, name: str) -> sp.Expr:
    """A SymPy expression from ``value`` without evaluating code: SymPy objects pass,
    numbers become exact (:func:`as_exact`), strings must be numbers
    (:func:`parse_number`).  Anything else is a ``TypeError`` naming ``name``.

    >>> as_expr("1/4", "x"), as_expr(sp.Symbol("t"), "t")
    (1/4, t)
    >>> as_expr("__import__('os').getpid()", "x")
    Traceback (most recent call last):
    ...
    ValueError: x: cannot parse "__import__('os').getpid()" as a number (use an integer, a decimal such as 0.25, 1e-3, or a fraction such as 1/3)
    """
    return as_exact(value, name)


def _real_value(value: sp.Expr):
    """Return a SymPy number's real value, or ``None`` if it is symbolic."""
    if isinstance(value, sp.Basic) and value.is_number:
        if value.is_real is False:
            return "complex"
        return value
    return None


def check_alpha(alpha, name: str = "alpha") -> sp.Expr:
    """Validate a conjunctivity ``0 <= alpha <= 1`` (exact or symbolic).

    >>> check_alpha("1/2")
    1/2
    >>> check_alpha(1.5)
    Traceback (most recent call last):
    ...
    ValueError: alpha: must lie in [0, 1], got 3/2
    """
    a = as_exact(alpha, name)
    v = _real_value(a)
    if v == "complex":
        raise ValueError(f"{name}: must be real, got {a}")
    if v is not None and not (0 <= v <= 1):
        raise ValueError(f"{name}: must lie in [0, 1], got {a}")
    return a


def check_ridge(ridge, name: str = "ridge") -> sp.Expr:
    """Validate a ridge ``rho >= 0`` (0 means the ridgeless limit rho -> 0+).

    >>> check_ridge(-1)
    Traceback (most recent call last):
    ...
    ValueError: ridge: must be >= 0 (0 means the ridgeless limit), got -1
    """
    r = as_exact(ridge, name)
    v = _real_value(r)
    if v == "complex":
        raise ValueError(f"{name}: must be real, got {r}")
    if v is not None and v < 0:
        raise ValueError(f"{name}: must be >= 0 (0 means the ridgeless limit), got {r}")
    return r


def check_weight(weight, name: str = "weight") -> sp.Expr:
    """Validate a training weight ``w > 0`` (exact or symbolic).

    >>> check_weight(sp.Symbol("w", negative=True))
    Traceback (most recent call last):
    ...
    ValueError: weight: must be > 0, got w (known to be non-positive or not real)
    """
    w = as_exact(weight, name)
    v = _real_value(w)
    if v == "complex":
        raise ValueError(f"{name}: must be real, got {w}")
    if v is not None and not v > 0:
        raise ValueError(f"{name}: must be > 0, got {w}")
    if v is None and (w.is_positive is False or w.is_real is False):
        raise ValueError(f"{name}: must be > 0, got {w} (known to be non-positive or not real)")
    return w


def check_n(n, name: str = "n", minimum: int = 2) -> int:
    """Validate the number of items, an integer ``n >= 2``.

    >>> check_n(1)
    Traceback (most recent call last):
    ...
    ValueError: n: must be an integer >= 2, got 1
    >>> check_n(2.5)
    Traceback (most recent call last):
    ...
    TypeError: n: must be an integer, got 2.5
    """
    if isinstance(n, bool):
        raise TypeError(f"{name}: must be an integer, got bool")
    if isinstance(n, numbers.Integral):
        n = int(n)
    elif isinstance(n, sp.Integer):
        n = int(n)
    elif isinstance(n, float) and n.is_integer():
        n = int(n)
    else:
        raise TypeError(f"{name}: must be an integer, got {n!r}")
    if n < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}, got {n}")
    return n


def display_number(x, width: int = 40) -> str:
    """An exact number as a string for headers: ``str(x)`` when it has at most ``width``
    characters; else 17 significant digits in scientific notation, exact (``1e+1000``) or
    marked approximate with ``~``.

    >>> display_number(sp.Rational(1, 3)), display_number(sp.Integer(10)**1000), display_number(sp.Rational(1, 3**90))
    ('1/3', '1e+1000', '~1.1457426376713199e-43')
    """
    x = sp.sympify(x)
    text = str(x)
    if len(text) <= width or not x.is_Rational:
        return text
    with mpmath.workdps(40):
        short = mpmath.nstr(mpmath.mpf(int(x.p)) / int(x.q), 17, strip_zeros=True)
    mant, _, exp = short.partition("e")
    if mant.endswith(".0"):
        mant = mant[:-2]
    short = mant + ("e" + exp if exp else "")
    return short if parse_number(short, "x") == x else "~" + short


def check_task_size(n: int, limit: int, route: str, why: str) -> None:
    """Refuse a task with more than ``limit`` items for a route whose time or memory grows
    with the :math:`n(n-1)` trials: ``ValueError`` naming the route, the limit and what it
    would cost (``why``, measured), so that nothing runs for minutes or exhausts memory.

    >>> check_task_size(300, 200, "solve_numpy", "the trial Gram matrix of n = 300 needs 1.8 GB")
    Traceback (most recent call last):
    ...
    ValueError: task: solve_numpy handles n <= 200 (the trial Gram matrix of n = 300 needs 1.8 GB), got n = 300
    """
    if n > limit:
        raise ValueError(f"task: {route} handles n <= {limit} ({why}), got n = {n}")


def check_digits(digits, name: str = "digits") -> int:
    """Validate a number of significant digits, an integer in [1, 10000]."""
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral):
        raise TypeError(f"{name}: must be an integer, got {digits!r}")
    if not 1 <= int(digits) <= 10000:
        raise ValueError(f"{name}: must be an integer in [1, 10000], got {digits}")
    return int(digits)
