r"""Verify a claim about a margin: **proved**, **disproved** (with a counterexample) or
**undecided** (with the reason).

A claim is about the margin :math:`f(i, j)` of :math:`K_\alpha` KRR on a task
(or on each task of a range of :math:`n`), as a function of the conjunctivity
:math:`\alpha` at a ridge :math:`\rho` (``derivations/theory.md`` §3):

* an identity :math:`f(i, j) = E`, with :math:`E` in :math:`\alpha`, :math:`\rho`,
  :math:`\lambda` (:math:`\cosh\lambda = (1+\rho)/(1-\alpha)`) and :math:`n`;
* a sign, :math:`f(i, j) > 0` (or :math:`< 0`) for every :math:`\alpha` of a
  range :math:`[\alpha_{lo}, \alpha_{hi}] \cap (0, 1)`.

How each is decided, for each :math:`n` separately:

* a rational :math:`E`: :math:`f` is an exact rational function of
  :math:`\alpha, \rho` (:func:`symti.solve.exact.solve_exact`), so
  :math:`f - E` is put over one denominator and the numerator expanded in
  :math:`\mathbb{Q}[\alpha, \rho]`: zero proves the identity;
* :math:`E` with :math:`\lambda`: :math:`\alpha = 1 - (1+\rho)/\cosh\lambda`
  turns :math:`f - E` into an exponential polynomial in :math:`e^{\lambda/L}`
  (bounded degree) decided by
  :func:`symti.analysis.identities.decide_identity`;
* a sign: the numerator and denominator of :math:`f` are factored and their
  real roots isolated exactly (:func:`symti.analysis.thresholds.sign_intervals`),
  the sign on each gap read at a rational point, the range's own endpoints
  evaluated exactly.

A refuted claim comes with a counterexample: an :math:`n` and an exact
rational :math:`\alpha` (and :math:`\rho`) at which the exact margin and the
claim differ -- exactly, or certified by mpmath at two precisions where
:math:`E` is transcendental there.

>>> from symti import Task
>>> t = Task(9, exceptions=[(4, 6)])
>>> verify(t, (3, 6), equals="(1 - alpha)*(3*alpha^2 - 8*alpha + 1)/(1 + 11*alpha - alpha^2 - 3*alpha^3)").status
'proved'
>>> r = verify(t, (3, 6), sign="positive", alpha_range=("1/5", "1/2"))
>>> r.status, r.counterexample["alpha"]
('disproved', '1/3')
>>> verify(t, (1, 3), equals="1").status
'disproved'

Symbolic-:math:`n` identities of closed forms (``Piecewise`` split by case) go
through :func:`verify_identity`.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3 (the rank system, :math:`\lambda`), §4 (thresholds).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from .._validate import check_alpha, check_ridge, parse_number
from ..params import alpha as ALPHA, lam as LAM, rho as RHO
from ..kernels.trial import AlphaKernel, TrialKernel
from ..solve.exact import solve_exact
from ..task import Task
from .identities import decide_identity
from .thresholds import AlgebraicNumber, point_between, sign_intervals

__all__ = ["N", "Verdict", "parse_expression", "parse_pair", "verify", "verify_identity", "FUNCTIONS",
           "MAX_N_VERIFY", "radical"]

#: The symbol :math:`n` (number of items) of claims and pair expressions.
N = sp.Symbol("n", integer=True, positive=True)
#: Functions a claim may use.
FUNCTIONS = {"sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "exp": sp.exp, "sqrt": sp.sqrt, "log": sp.log}
#: Names a claim may use.
NAMES = {"alpha": ALPHA, "rho": RHO, "lambda": LAM, "n": N}
#: Largest n (and largest number of n) a verification takes: exact margins in symbolic alpha.
MAX_N_VERIFY = 40

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)"
                    r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>\*\*|[-+*/^(),]))")
_MAX_CHARS = 2000
_MAX_DEPTH = 60
_MAX_EXPONENT = 64


# ------------------------------------------------------------------ the parser
class _Parser:
    """Recursive descent over ``expr := term (('+'|'-') term)*``, ``term := unary (('*'|'/') unary)*``,
    ``unary := ('+'|'-') unary | power``, ``power := atom (('^'|'**') unary)?``,
    ``atom := NUMBER | NAME | FUNC '(' expr ')' | '(' expr ')'``."""

    def __init__(self, text: str, name: str, names: dict):
        self.name, self.names, self.text = name, names, text
        self.tokens, pos = [], 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise self.error(f"unexpected character {text[pos:].lstrip()[0]!r}")
            kind = m.lastgroup
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.k, self.depth = 0, 0

    def error(self, what: str) -> ValueError:
        allowed = ", ".join(self.names)
        return ValueError(f"{self.name}: {what} in {self.text!r} (allowed: numbers, {allowed}, + - * / ^ ( ), "
                          f"and {', '.join(FUNCTIONS)})")

    def peek(self):
        return self.tokens[self.k] if self.k < len(self.tokens) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise self.error(f"expected {value or 'more'}" + ("" if tok[0] is None else f", got {tok[1]!r}"))
        self.k += 1
        return tok

    def parse(self):
        if not self.tokens:
            raise self.error("empty expression")
        e = self.expr()
        if self.k != len(self.tokens):
            raise self.error(f"unexpected {self.peek()[1]!r}")
        return e

    def nest(self):
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.error(f"nested deeper than {_MAX_DEPTH}")

    def expr(self):
        e = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            t = self.term()
            e = e + t if op == "+" else e - t
        return e

    def term(self):
        e = self.unary()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            t = self.unary()
            if op == "/":
                if t == 0:
                    raise self.error("division by zero")
                e = e / t
            else:
                e = e * t
        return e

    def unary(self):
        if self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            self.nest()
            u = self.unary()
            self.depth -= 1
            return -u if op == "-" else u
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek()[1] in ("^", "**"):
            self.take()
            self.nest()
            x = self.unary()
            self.depth -= 1
            if not (x.is_Rational and abs(x.p) <= _MAX_EXPONENT and x.q <= _MAX_EXPONENT):
                raise self.error(f"an exponent must be a rational number p/q with |p|, q <= {_MAX_EXPONENT}, got {x}")
            if base == 0 and x < 0:
                raise self.error("division by zero")
            return base ** x
        return base

    def atom(self):
        kind, tok = self.peek()
        if kind == "num":
            self.take()
            return parse_number(tok, self.name)
        if kind == "name":
            self.take()
            if tok in FUNCTIONS:
                self.take("(")
                self.nest()
                arg = self.expr()
                self.depth -= 1
                self.take(")")
                return FUNCTIONS[tok](arg)
            if tok in self.names:
                return self.names[tok]
            raise self.error(f"unknown name {tok!r}")
        if tok == "(":
            self.take()
            self.nest()
            e = self.expr()
            self.depth -= 1
            self.take(")")
            return e
        raise self.error("expected a number, a name or '('" + ("" if tok is None else f", got {tok!r}"))


def parse_expression(text: str, name: str = "expr", names=None) -> sp.Expr:
    r"""A SymPy expression from ``text`` by a restricted grammar, never ``eval`` or ``sympify``:
    numbers (integers, decimals, read exactly), the names ``alpha``, ``rho``, ``lambda``
    (:math:`\cosh\lambda = (1+\rho)/(1-\alpha)`), ``n``, the operators ``+ - * / ^ **``,
    parentheses and the functions ``sinh cosh tanh exp sqrt log``.  Exponents are
    rational numbers (:math:`|p|, q \le 64`).  Anything else is a ``ValueError`` naming ``name``.

    >>> parse_expression("(1 - alpha)^2/(1 + 11*alpha)")
    (1 - alpha)**2/(11*alpha + 1)
    >>> parse_expression("sinh(lambda/2)**2 + 0.5")
    sinh(lambda/2)**2 + 1/2
    >>> parse_expression("__import__(os)")
    Traceback (most recent call last):
    ...
    ValueError: expr: unknown name '__import__' in '__import__(os)' (allowed: numbers, alpha, rho, lambda, n, + - * / ^ ( ), and sinh, cosh, tanh, exp, sqrt, log)
    """
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a string, got {type(text).__name__}")
    if len(text) > _MAX_CHARS:
        raise ValueError(f"{name}: expression too long ({len(text)} characters, at most {_MAX_CHARS})")
    names = NAMES if names is None else {k: NAMES[k] for k in names}
    return _Parser(text, name, names).parse()


def parse_pair(text: str, name: str = "pair") -> tuple[sp.Expr, sp.Expr]:
    """``"I,J"`` with ``I``, ``J`` expressions in ``n`` (:func:`parse_expression`).

    >>> parse_pair("1, n - 1")
    (1, n - 1)
    """
    if not isinstance(text, str):
        raise TypeError(f"{name}: expected a string 'I,J', got {type(text).__name__}")
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError(f"{name}: expected two items 'I,J' such as 3,6 or 1,n, got {text!r}")
    return tuple(parse_expression(p, name, names=("n",)) for p in parts)


# ------------------------------------------------------------------ results
@dataclass
class Verdict:
    r"""The answer to a claim: ``status`` one of ``"proved"``, ``"disproved"``, ``"undecided"``;
    ``method`` how; ``counterexample`` (disproved only) ``{"n", "alpha", "rho", "margin",
    "claim"}`` with exact rational strings for :math:`\alpha` and :math:`\rho`; ``reason``
    (undecided: why); ``checked`` the :math:`n` examined."""

    status: str
    method: str
    counterexample: dict | None = None
    reason: str = ""
    checked: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {"status": self.status, "method": self.method, "counterexample": self.counterexample,
                "reason": self.reason, "n": self.checked}

    def __bool__(self):
        raise TypeError("Verdict is three-valued: test .status, not its truth value")


_RATIONAL_METHOD = "exact rational-function identity: the numerator of f - E over one denominator is 0 in Q[alpha, rho]"
_EXP_METHOD = ("exponential-polynomial identity: alpha = 1 - (1 + rho)/cosh(lambda), the numerator of f - E "
               "expands to 0 in Q[e^(lambda/L)] (analysis.identities.decide_identity)")
_SIGN_METHOD = ("exact real-root isolation of the margin's numerator and denominator on the alpha-range "
                "(analysis.thresholds.sign_intervals), endpoints evaluated exactly")


def _range(alpha_range):
    lo, hi = (check_alpha(parse_number(x, "alpha_range") if isinstance(x, str) else x, "alpha_range")
              for x in alpha_range)
    if not (lo.is_Rational and hi.is_Rational):
        raise TypeError(f"alpha_range: must be two exact numbers, got {alpha_range!r}")
    if lo >= hi:
        raise ValueError(f"alpha_range: empty range [{lo}, {hi}]: needs lo < hi within [0, 1]")
    return lo, hi


def _items(pair, n: int):
    if isinstance(pair, str):
        pair = parse_pair(pair)
    try:
        i, j = pair
    except (TypeError, ValueError):
        raise TypeError(f"pair: expected two items (i, j), got {pair!r}") from None
    out = []
    for x in (i, j):
        v = sp.sympify(x).subs(N, n) if isinstance(x, sp.Basic) else sp.Integer(x)
        if not v.is_Integer or not 1 <= v <= n:
            raise ValueError(f"pair: items must be integers in 1..{n} (n = {n}), got ({i}, {j}) -> {v}")
        out.append(int(v))
    if out[0] == out[1]:
        raise ValueError(f"pair: a trial needs two different items, got ({i}, {j}) at n = {n}")
    return tuple(out)


def _tasks(task):
    tasks = [task] if isinstance(task, Task) else list(task)
    if not tasks or not all(isinstance(t, Task) for t in tasks):
        raise TypeError("task: expected a symti.Task or a non-empty list of them")
    if len(tasks) > MAX_N_VERIFY or max(t.n for t in tasks) > MAX_N_VERIFY:
        raise ValueError(f"n: verify takes n <= {MAX_N_VERIFY} and at most {MAX_N_VERIFY} tasks")
    return tasks


def _claim(equals):
    if isinstance(equals, str):
        return parse_expression(equals, "equals")
    e = sp.sympify(equals) if not isinstance(equals, sp.Basic) else equals
    bad = e.free_symbols - set(NAMES.values())
    if bad:
        raise ValueError(f"equals: unknown symbols {sorted(map(str, bad))}; use symti.params.alpha, rho, lam and "
                         "symti.analysis.verify.N")
    return e


def _alpha_of_lambda(ridge):
    return 1 - (1 + ridge) / sp.cosh(LAM)


def _certified_difference(d, dps: int = 60):
    """``d`` (a constant) as an exact rational, or a certified nonzero mpmath number, or ``None``."""
    d = sp.nsimplify(d) if d.is_Float else d
    if d.is_Rational:
        return d
    if d.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    a, b = sp.N(d, dps), sp.N(d, 2 * dps)
    if not (a.is_real and b.is_real) or a == 0:
        return None
    if abs(a - b) < abs(b) * sp.Float(10) ** (-dps // 2) and abs(b) > sp.Float(10) ** (-dps // 2):
        return b
    return None


def _sample_points(lo, hi, k: int = 9):
    """Rational points inside ``(max(lo, 0), min(hi, 1))``, simple ones first."""
    lo, hi = max(lo, sp.Integer(0)), min(hi, sp.Integer(1))
    pts = [lo + (hi - lo) * sp.Rational(a, k + 1) for a in range(1, k + 1)]
    return sorted(pts, key=lambda x: (x.q, x))


def _margin(task, i, j, kernel, ridge):
    k = AlphaKernel(ALPHA) if kernel is None else kernel
    return sp.sympify(solve_exact(task, k, ridge)[i, j])


def _kernel_values(kernel, ridge):
    """``(alpha, rho)`` of the claim for a fixed kernel (reduced to K_alpha when it reduces)."""
    if isinstance(kernel, AlphaKernel):
        return kernel.alpha, ridge
    if hasattr(kernel, "reduced_alpha_ridge"):
        return tuple(kernel.reduced_alpha_ridge(ridge))
    return None


def _identity(task, i, j, E, kernel, ridge, alpha_range):
    """``(True, method)``, ``(False, counterexample, method)`` or ``(None, reason, method)``."""
    n = task.n
    E = E.subs(N, n)
    f = _margin(task, i, j, kernel, ridge)
    if kernel is not None:
        vals = _kernel_values(kernel, ridge)
        if vals is None and E.free_symbols & {ALPHA, RHO, LAM}:
            raise ValueError("equals: this kernel does not reduce to K_alpha; the claim may not use alpha, rho, lambda")
        if vals is not None:
            a, r = vals
            E = E.subs({LAM: sp.acosh((1 + r) / (1 - a))}) if a != 1 else E
            E = E.subs({ALPHA: a, RHO: r})
        d = _certified_difference(sp.sympify(f - E))
        if d == 0:
            return True, "exact evaluation at the kernel's values"
        if d is not None:
            return False, {"n": n, "margin": str(f), "claim": str(E), "difference": _show(d)}, "exact evaluation"
        return None, "the difference is not certified at 60 and 120 digits", "mpmath"
    if E.has(LAM):
        method = _EXP_METHOD
        res = decide_identity(f.subs(ALPHA, _alpha_of_lambda(ridge)) - E.subs(ALPHA, _alpha_of_lambda(ridge)),
                              timeout=60.0)
        if res.proved:
            return True, method
        why = res.reason
    else:
        method = _RATIONAL_METHOD
        num = sp.expand(sp.together(f - E).as_numer_denom()[0])
        if num == 0:
            return True, method
        why = "the numerator of f - E does not vanish"
    ce = _identity_counterexample(n, f, E, ridge, alpha_range)
    if ce is not None:
        return False, ce, method
    return None, f"{why}; no certified counterexample at rational alpha", method


def _show(x, digits: int = 20) -> str:
    return str(x) if isinstance(x, sp.Rational) else str(sp.N(x, digits))


def _identity_counterexample(n, f, E, ridge, alpha_range):
    r = ridge if not sp.sympify(ridge).free_symbols else sp.Rational(1, 10)
    for a in _sample_points(*alpha_range):
        fa = sp.sympify(f).subs({ALPHA: a, RHO: r})
        Ea = E.subs(LAM, sp.acosh((1 + r) / (1 - a))).subs({ALPHA: a, RHO: r})
        d = _certified_difference(sp.sympify(fa - Ea))
        if d is not None and d != 0:
            return {"n": n, "alpha": str(a), "rho": str(r), "margin": _show(fa), "claim": _show(Ea)}
    return None


def _sign(task, i, j, want: int, kernel, ridge, alpha_range):
    n = task.n
    f = _margin(task, i, j, kernel, ridge)
    if not f.free_symbols:
        s = sp.sign(f)
        if s == want:
            return True, "exact evaluation at the kernel's values"
        return False, {"n": n, "margin": str(f)}, "exact evaluation"
    if f.free_symbols != {ALPHA}:
        raise ValueError("ridge: a sign claim needs a numeric ridge (the margin must be a function of alpha alone)")
    lo, hi = alpha_range
    gaps = sign_intervals(f)
    for a, b, s in gaps:
        # the part of (a, b) inside [lo, hi]: nonempty iff a < hi and b > lo
        if a.compare_rational(hi) >= 0 or b.compare_rational(lo) <= 0 or s == want:
            continue
        left = a if a.compare_rational(lo) > 0 else AlgebraicNumber.rational(lo)
        right = b if b.compare_rational(hi) < 0 else AlgebraicNumber.rational(hi)
        x = _simple_between(left, right)
        return False, {"n": n, "alpha": str(x), "rho": str(ridge), "margin": str(sp.factor(f.subs(ALPHA, x)))}, \
            _SIGN_METHOD
    # every gap has the claimed sign; a cut strictly inside the range is a zero (a tie) of f
    for a, _, _ in gaps[1:]:
        if a.compare_rational(lo) > 0 and a.compare_rational(hi) < 0:
            return False, {"n": n, "alpha": str(_radical(a)), "rho": str(ridge), "margin": "0"}, _SIGN_METHOD
    for x in (lo, hi):  # the range's own endpoints, inside (0, 1)
        if 0 < x < 1:
            v = sp.factor(f.subs(ALPHA, x))
            if sp.sign(v) != want:
                return False, {"n": n, "alpha": str(x), "rho": str(ridge), "margin": str(v)}, _SIGN_METHOD
    return True, _SIGN_METHOD


def _simple_between(a: AlgebraicNumber, b: AlgebraicNumber) -> sp.Rational:
    """A rational strictly between ``a < b`` with a small denominator (a readable counterexample)."""
    x = point_between(a, b)
    for q in range(1, 1001):
        p = sp.floor(x * q)
        for c in (p, p + 1):
            y = sp.Rational(c, q)
            if a.compare_rational(y) < 0 < b.compare_rational(y):
                return y
    return x


def radical(a: AlgebraicNumber):
    r"""An exact algebraic number as a radical when its minimal polynomial has degree
    :math:`\le 2` (:meth:`AlgebraicNumber.radical`), else ``None``.

    >>> from symti.analysis.thresholds import ALPHA
    >>> radical(AlgebraicNumber.root(sp.Poly(ALPHA**2 - 6*ALPHA + 1, ALPHA), 0))
    3 - 2*sqrt(2)
    """
    return a.value if a.is_rational else a.radical()


def _radical(a: AlgebraicNumber):
    r = radical(a)
    return a.value if r is None else r


def verify(task, pair, *, equals=None, sign=None, alpha_range=(0, 1), ridge=None, kernel=None) -> Verdict:
    r"""Decide a claim about the margin :math:`f(i, j)` (module docstring).

    Parameters
    ----------
    task : Task or list of Task
        One task, or several (e.g. a range of :math:`n`): the claim must hold for each.
    pair : (I, J) or str
        The items, integers or expressions in :data:`N` (``"1,n"``; parsed by
        :func:`parse_pair`), evaluated for each task.
    equals : str or sympy.Expr, optional
        The claimed margin :math:`E` (a string goes through :func:`parse_expression`).
    sign : {"positive", "negative"}, optional
        Instead of ``equals``: :math:`f > 0` (``< 0``) for every
        :math:`\alpha \in [\alpha_{lo}, \alpha_{hi}] \cap (0, 1)`.
    alpha_range : (lo, hi)
        Exact numbers in :math:`[0, 1]`, ``lo < hi``; where counterexamples are sought.
    ridge : exact number, optional
        :math:`\rho \ge 0` (``0`` ridgeless).  Default: ``0``, or the symbol :math:`\rho`
        for an identity whose :math:`E` mentions ``rho``.
    kernel : TrialKernel, optional
        A fixed kernel instead of :math:`K_\alpha` with symbolic :math:`\alpha`.

    Returns
    -------
    Verdict

    >>> from symti import Task
    >>> tasks = [Task(n) for n in range(3, 8)]
    >>> verify(tasks, "1,n", equals="sinh(n*lambda/2 - lambda/2)/sinh(lambda/2)/cosh(n*lambda/2)").status
    'proved'
    """
    if (equals is None) == (sign is None):
        raise ValueError("claim: give exactly one of equals= and sign=")
    if sign is not None and sign not in ("positive", "negative"):
        raise ValueError(f"sign: must be 'positive' or 'negative', got {sign!r}")
    if kernel is not None and not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a symti kernel, got {type(kernel).__name__}")
    tasks = _tasks(task)
    rng = _range(alpha_range)
    E = _claim(equals) if equals is not None else None
    if ridge is None:
        ridge = RHO if (E is not None and E.has(RHO) and kernel is None) else sp.Integer(0)
    elif ridge is not RHO:
        ridge = check_ridge(ridge)
    if E is not None and ridge is not RHO:
        E = E.subs(RHO, ridge)
    checked, method = [], ""
    for t in tasks:
        i, j = _items(pair, t.n)
        if E is not None:
            out = _identity(t, i, j, E, kernel, ridge, rng)
        else:
            out = _sign(t, i, j, 1 if sign == "positive" else -1, kernel, ridge, rng)
        method = out[-1]
        checked.append(t.n)
        if out[0] is False:
            return Verdict("disproved", method, out[1], checked=checked)
        if out[0] is None:
            return Verdict("undecided", method, None, reason=f"n = {t.n}: {out[1]}", checked=checked)
    return Verdict("proved", method + (f" (each of n = {checked})" if len(checked) > 1 else ""), checked=checked)


def verify_identity(lhs, rhs=0, **budget) -> Verdict:
    r"""A symbolic identity :math:`\mathrm{lhs} = \mathrm{rhs}` (e.g. a closed form in symbolic
    :math:`n, i, u, v, \lambda`), decided by :func:`symti.analysis.identities.decide_identity`:
    ``Piecewise`` (and ``Min``/``Max``) split by case under each case's condition, hyperbolics
    as exponentials, the numerator expanded.

    >>> x = sp.Symbol("x", positive=True)
    >>> verify_identity(sp.sinh(2*x), 2*sp.sinh(x)*sp.cosh(x)).status
    'proved'
    >>> verify_identity(sp.cosh(x), 1).counterexample
    {'x': '99/32'}
    """
    r = decide_identity(sp.sympify(lhs) - sp.sympify(rhs), **budget)
    ce = None if r.witness is None else {str(k): str(v) for k, v in r.witness.items()}
    return Verdict(r.status, "analysis.identities.decide_identity: " + r.reason.split(";")[0], ce,
                   reason=r.reason if r.undecided else "")
