r"""Three-valued decision of exponential-polynomial identities :math:`E = 0`.

:func:`decide_identity` returns an :class:`IdentityResult` whose ``status`` is

``"proved"``
    in every case the expression splits into, the numerator over a common
    denominator expands to 0.  Cases: each branch of a ``Piecewise`` (and of
    ``Min``, ``Max``, ``Abs``, rewritten as ``Piecewise``) is taken *under its
    condition* -- the branch's condition and the negations of the earlier
    ones, in disjunctive normal form; a linear (in)equality is used by
    substitution (``i <= p`` becomes ``p = i + k`` with a new slack
    :math:`k \ge 0`, integer when the relation is), so that the ``Min`` and
    ``Max`` inside the branch resolve.  Numerator: hyperbolic functions are
    rewritten as exponentials, everything is expanded (:math:`e^{a+b} = e^a
    e^b`), each :math:`e^{c\,m}` (rational :math:`c`, monomial :math:`m`)
    becomes an integer power of one new variable :math:`e^{m/L}` per
    :math:`m`, and the terms are put over the product of their denominators.
    A zero numerator proves :math:`E = 0` wherever :math:`E` is defined.
``"disproved"``
    only with a certified *witness*: a random rational point (dyadic, hence
    exact in binary; respecting the symbols' assumptions -- integer, positive,
    ...) at which :math:`E`, evaluated by mpmath from 50 digits on, is
    nonzero -- in interval arithmetic (``mpmath.iv``, the interval excludes
    0) when every function has an interval version, else by the precision
    check that the values at 50, 100 and 200 digits agree to far more than
    their size.
``"undecided"``
    everything else, with a ``reason``: the numerator is not 0 as a
    polynomial in those variables (the identity may still hold for reasons
    this method does not see) but no certified nonzero value turned up; an
    expansion would exceed ``max_terms`` terms; the ``timeout`` passed; a
    case split would exceed ``max_cases``.  An identity that is not decided is
    never reported false.

>>> import sympy as sp
>>> x, y = sp.symbols("x y", positive=True)
>>> decide_identity(sp.sinh(x + y) - sp.sinh(x)*sp.cosh(y) - sp.cosh(x)*sp.sinh(y)).status
'proved'
>>> r = decide_identity(sp.cosh(2*x) - 1)
>>> r.status, r.witness
('disproved', {x: 99/32})
>>> r = decide_identity(sp.gamma(x + 1) - x*sp.gamma(x))     # true, but not an exponential polynomial
>>> r.status, r.reason.split(";")[0]
('undecided', 'the numerator does not vanish identically in the expression')
>>> decide_identity((sp.exp(x) + 1)**30 - sp.expand((sp.exp(x) + 1)**30), max_terms=20).reason
'an expansion would exceed max_terms = 20 terms (case 1); no certified nonzero value at 12 random points'

A ``Piecewise`` identity is decided branch by branch, each under its condition
(here ``Min``/``Max`` resolve only once ``i <= p`` or ``i > p`` is known):

>>> i, p, k = sp.symbols("i p k", integer=True, positive=True)
>>> G = lambda a, b: sp.cosh(sp.Min(a, b)*x) * sp.cosh((9 - sp.Max(a, b))*x)
>>> E = sp.Piecewise((sp.cosh(i*x)*sp.cosh((9 - p)*x), i <= p),
...                  (sp.cosh(p*x)*sp.cosh((9 - i)*x), True)) - G(i, p)
>>> decide_identity(E).status
'proved'
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

import mpmath
import sympy as sp

__all__ = ["IdentityResult", "decide_identity", "STATUSES"]

#: The three outcomes of :func:`decide_identity`.
STATUSES = ("proved", "disproved", "undecided")

_CASE_FUNCS = (sp.Min, sp.Max, sp.Abs, sp.sign, sp.Heaviside)


@dataclass(frozen=True)
class IdentityResult:
    """Outcome of :func:`decide_identity`.

    ``status`` is one of :data:`STATUSES`; ``witness`` (``disproved`` only) maps
    each free symbol to the rational where the expression is certified nonzero,
    ``value`` is that value (an mpmath number); ``reason`` says how the decision
    was reached (and, for ``undecided``, why not); ``cases`` counts the cases
    examined.  Its truth value is deliberately undefined -- test ``status``
    (or :attr:`proved`, :attr:`disproved`).
    """

    status: str
    witness: dict | None = None
    value: object = None
    reason: str = ""
    cases: int = 0

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    @property
    def disproved(self) -> bool:
        return self.status == "disproved"

    @property
    def undecided(self) -> bool:
        return self.status == "undecided"

    def __bool__(self):
        raise TypeError("IdentityResult is three-valued: test .status (or .proved / .disproved), not its truth value")


class _OverBudget(Exception):
    """An expansion, case split or the time would exceed the budget."""


class _State:
    def __init__(self, max_terms: int, max_cases: int, timeout: float):
        self.max_terms, self.max_cases, self.timeout = max_terms, max_cases, timeout
        self.deadline = time.monotonic() + timeout
        self.cases = 0
        self.slacks: set = set()

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _OverBudget(f"the time budget of {self.timeout:g} s ran out")


# ------------------------------------------------------------------ sizes
def _terms(e, cap: int) -> int:
    """An upper bound on the number of terms ``expand(e)`` produces (raises past ``cap``)."""
    if e.is_Add:
        n = 0
        for a in e.args:
            n += _terms(a, cap)
    elif e.is_Mul:
        n = 1
        for a in e.args:
            n *= _terms(a, cap)
            if n > cap:
                break
    elif e.is_Pow:
        b, x = e.args
        m = _terms(b, cap)
        n = math.comb(m + int(x) - 1, int(x)) if (x.is_Integer and x > 0) else 1
    else:
        for a in e.args:
            _terms(a, cap)
        n = 1
    if n > cap:
        raise _OverBudget(f"an expansion would exceed max_terms = {cap} terms")
    return n


# ---------------------------------------------------- the numerator test
def _exp_variables(e):
    """Replace every ``exp(sum_i c_i m_i)`` (``c_i`` rational, ``m_i`` monomials) by
    ``prod_i X_{m_i}**(c_i L_{m_i})``, one new variable ``X_m = exp(m/L_m)`` per monomial
    ``m`` (``L_m`` the lcm of the denominators of its coefficients)."""
    atoms = list(e.atoms(sp.exp))
    if e.has(sp.E):
        atoms.append(sp.E)
    split, groups = {}, {}
    for a in atoms:
        arg = sp.Integer(1) if a is sp.E else sp.expand(a.args[0])
        parts = []
        for t in sp.Add.make_args(arg):
            c, m = t.as_coeff_Mul()
            if not c.is_Rational:
                c, m = sp.Integer(1), t
            parts.append((c, m))
            groups.setdefault(m, []).append(c)
        split[a] = parts
    var = {m: (sp.Dummy("X"), math.lcm(*[int(c.q) for c in cs])) for m, cs in groups.items()}
    return e.xreplace({a: sp.Mul(*[var[m][0] ** int(c * var[m][1]) for c, m in parts])
                       for a, parts in split.items()})


def _numerator_vanishes(e, state: _State) -> bool:
    """Whether the numerator of ``e`` (an expression without case functions), over one
    denominator, expands to 0."""
    cap = state.max_terms
    e = e.rewrite(sp.exp)
    state.tick()
    e = _exp_variables(e)
    _terms(e, cap)
    state.tick()
    num = sp.together(e).as_numer_denom()[0]
    _terms(num, cap)
    state.tick()
    return sp.expand(num) == 0


# ------------------------------------------------------------- the cases
def _clauses(cond, state: _State) -> list:
    """The condition in disjunctive normal form: a list of conjunctions (lists of atoms)."""
    if cond is sp.true:
        return [[]]
    if cond is sp.false:
        return []
    cond = cond.replace(lambda a: isinstance(a, sp.Ne), lambda a: sp.Or(sp.Lt(*a.args), sp.Gt(*a.args)))
    dnf = sp.to_dnf(cond)
    out = []
    for c in sp.Or.make_args(dnf):
        if c is sp.false:
            continue
        out.append([] if c is sp.true else list(sp.And.make_args(c)))
    if len(out) > state.max_cases:
        raise _OverBudget(f"a case split would exceed max_cases = {state.max_cases}")
    return out


def _linear_symbol(d, slacks):
    """A symbol in which ``d`` is linear with a numeric coefficient, and that coefficient."""
    # never a slack variable: eliminating it would drop its sign condition
    for s in sorted(d.free_symbols - slacks, key=lambda s: (not s.is_integer, str(s))):
        c = d.diff(s)
        if c.is_number and c != 0 and not c.has(sp.nan, sp.zoo):
            return s, c
    return None, None


def _under(e, atoms, slacks: set):
    """``e`` with the clause's linear (in)equalities substituted in; ``None`` if the clause is empty."""
    sub: dict = {}
    for atom in atoms:
        a = atom.xreplace(sub) if sub else atom
        if a is sp.true:
            continue
        if a is sp.false:
            return None
        if not isinstance(a, (sp.Eq, sp.Lt, sp.Le, sp.Gt, sp.Ge)):
            continue  # unusable conditions only shrink the region: proving without them suffices
        if isinstance(a, sp.Eq):
            d = a.lhs - a.rhs
        elif isinstance(a, (sp.Le, sp.Lt)):
            d = a.rhs - a.lhs  # d >= 0 (> 0)
        else:
            d = a.lhs - a.rhs
        d = sp.expand(d)
        s, c = _linear_symbol(d, slacks)
        if s is None:
            continue
        if isinstance(a, sp.Eq):
            value = -(d - c * s) / c
        else:
            strict = isinstance(a, (sp.Lt, sp.Gt))
            if d.is_integer:
                k = sp.Dummy("k", integer=True, positive=True) if strict else sp.Dummy("k", integer=True, nonnegative=True)
            else:
                k = sp.Dummy("k", positive=True) if strict else sp.Dummy("k", nonnegative=True)
            slacks.add(k)
            value = (k - (d - c * s)) / c
        value = sp.expand(value)
        sub = {key: v.xreplace({s: value}) for key, v in sub.items()}
        sub[s] = value
    return e.xreplace(sub) if sub else e


def _prove(e, depth: int, state: _State, where: str):
    """``True`` if every case's numerator vanishes, else the reason (a string)."""
    state.tick()
    if e.has(sp.Piecewise):
        e = sp.piecewise_fold(e)
    if isinstance(e, sp.Piecewise):
        earlier = []
        for branch, cond in e.args:
            full = sp.And(cond, *[sp.Not(c) for c in earlier])
            earlier.append(cond)
            for atoms in _clauses(full, state):
                sub = _under(branch, atoms, state.slacks)
                if sub is None:
                    continue
                state.cases += 1
                if state.cases > state.max_cases:
                    raise _OverBudget(f"a case split would exceed max_cases = {state.max_cases}")
                r = _prove(sub, depth + 1, state, f"case {state.cases}")
                if r is not True:
                    return r
        return True
    if e.has(*_CASE_FUNCS):
        folded = e.rewrite(sp.Piecewise)
        if depth < 8 and folded.has(sp.Piecewise) and folded != e:
            return _prove(folded, depth + 1, state, where)
        return f"{sorted({type(f).__name__ for f in e.atoms(*_CASE_FUNCS)})} do not resolve in {where}"
    if _numerator_vanishes(e, state):
        return True
    return f"the numerator does not vanish identically in {where}"


# ------------------------------------------------------------- witnesses
def _sample(s: sp.Symbol, rng: random.Random):
    """A dyadic rational (an integer for integer symbols) satisfying ``s``'s assumptions."""
    facts = {k: v for k, v in s.assumptions0.items() if v is not None}
    for _ in range(40):
        if s.is_integer:
            lo = 1 if s.is_positive else 0 if s.is_nonnegative else -9
            hi = -1 if s.is_negative else 0 if s.is_nonpositive else 9
            v = sp.Integer(rng.randint(lo, hi))
        else:
            v = sp.Rational(rng.randint(1, 256), 64)
            if s.is_negative or (not s.is_nonnegative and rng.random() < 0.5):
                v = -v
        if all(getattr(v, "is_" + k, None) in (None, val) for k, val in facts.items()):
            return v
    return None


class _Unsupported(Exception):
    pass


_HYPERBOLIC = {
    sp.sinh: lambda c, a: (c.exp(a) - c.exp(-a)) / 2,
    sp.cosh: lambda c, a: (c.exp(a) + c.exp(-a)) / 2,
    sp.tanh: lambda c, a: (c.exp(a) - c.exp(-a)) / (c.exp(a) + c.exp(-a)),
    sp.coth: lambda c, a: (c.exp(a) + c.exp(-a)) / (c.exp(a) - c.exp(-a)),
    sp.sech: lambda c, a: 2 / (c.exp(a) + c.exp(-a)),
    sp.csch: lambda c, a: 2 / (c.exp(a) - c.exp(-a)),
}
_ELEMENTARY = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos"}


def _evaluate(e, ctx):
    """A constant SymPy expression evaluated in the mpmath context ``ctx`` (``mpmath.mp`` at its
    working precision, or ``mpmath.iv`` for interval arithmetic); :class:`_Unsupported` otherwise."""
    if e.is_Integer:
        return ctx.mpf(int(e))
    if e.is_Rational:
        return ctx.mpf(int(e.p)) / ctx.mpf(int(e.q))
    if e is sp.pi:
        return ctx.pi
    if e is sp.E:
        return ctx.e
    if e.is_Add:
        return ctx.fsum(_evaluate(a, ctx) for a in e.args) if ctx is mpmath.mp else sum(
            (_evaluate(a, ctx) for a in e.args), ctx.mpf(0))
    if e.is_Mul:
        out = ctx.mpf(1)
        for a in e.args:
            out = out * _evaluate(a, ctx)
        return out
    if e.is_Pow:
        b, x = e.args
        if x.is_Integer:
            return _evaluate(b, ctx) ** int(x)
        if x == sp.S.Half:
            return ctx.sqrt(_evaluate(b, ctx))
        return ctx.exp(_evaluate(x, ctx) * ctx.log(_evaluate(b, ctx)))
    f = type(e)
    if f in _HYPERBOLIC:
        return _HYPERBOLIC[f](ctx, _evaluate(e.args[0], ctx))
    if f in _ELEMENTARY and hasattr(ctx, _ELEMENTARY[f]):
        return getattr(ctx, _ELEMENTARY[f])(_evaluate(e.args[0], ctx))
    raise _Unsupported(f.__name__)


def _interval(value, dps: int):
    """``value`` in mpmath interval arithmetic at ``dps`` digits: ``(lower, upper, midpoint)``
    as mpmath numbers (``None`` if some function has no interval version)."""
    saved = mpmath.iv.prec
    try:
        mpmath.iv.dps = dps
        v = _evaluate(value, mpmath.iv)
        if not isinstance(v, mpmath.iv.mpf):
            return None
        with mpmath.workdps(dps):
            return mpmath.mpf(v.a), mpmath.mpf(v.b), mpmath.mpf(v.mid)
    except Exception:  # noqa: BLE001 -- no interval certificate
        return None
    finally:
        mpmath.iv.prec = saved


def _point_value(value, dps: int):
    with mpmath.workdps(dps):
        try:
            return +_evaluate(value, mpmath.mp)
        except _Unsupported:
            return sp.lambdify([], value, modules="mpmath")()


def _certify(value, dps: int):
    """The certified nonzero value of a constant expression and how it was certified, or ``None``."""
    for d in (dps, 2 * dps, 4 * dps):
        v = _interval(value, d)
        if v is None:
            break
        lo, hi, mid = v
        if lo > 0 or hi < 0:
            return mid, f"interval arithmetic at {d} digits"
    try:
        vals = [_point_value(value, d) for d in (dps, 2 * dps, 4 * dps)]
    except Exception:  # noqa: BLE001 -- undefined at this point
        return None
    with mpmath.workdps(4 * dps):
        if not all(mpmath.isfinite(v) for v in vals):
            return None
        a, b, c = vals
        size = abs(c)
        if size > 0 and abs(b - a) * 10 ** 6 < size and abs(c - b) * 10 ** 6 < size:
            return +c, f"mpmath at {dps}, {2 * dps} and {4 * dps} digits"
    return None


def _witness(expr, points: int, dps: int, seed: int, state: _State):
    syms = sorted(expr.free_symbols, key=str)
    rng = random.Random(seed)
    tried = 0
    for _ in range(4 * points if syms else 1):
        if tried >= (points if syms else 1) or time.monotonic() > state.deadline:
            break
        pt = {s: _sample(s, rng) for s in syms}
        if any(v is None for v in pt.values()):
            return None, tried
        value = expr.xreplace(pt)
        if value.free_symbols or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo, sp.Piecewise):
            continue
        tried += 1
        got = _certify(value, dps)
        if got is not None:
            return (pt, got), tried
    return None, tried


# ------------------------------------------------------------ the decider
def decide_identity(expr, *, max_terms: int = 20000, max_cases: int = 64, timeout: float = 60.0,
                    points: int = 12, dps: int = 50, seed: int = 0) -> IdentityResult:
    r"""Decide :math:`E = 0` (``expr`` an expression, or an ``Eq(lhs, rhs)``): proved, disproved
    with a certified witness, or undecided (module docstring).

    Budgets: ``max_terms`` bounds every expansion (estimated before it is
    done), ``max_cases`` the case split, ``timeout`` (seconds) the whole proof
    attempt (checked between steps); ``points`` random points are tried for a
    witness, evaluated from ``dps`` digits on; ``seed`` makes the points
    reproducible.
    """
    e = sp.sympify(expr)
    if isinstance(e, sp.Equality):
        e = e.lhs - e.rhs
    if not isinstance(e, sp.Expr):
        raise TypeError(f"expr: expected a SymPy expression or Eq, got {type(e).__name__}")
    for name, v in (("max_terms", max_terms), ("max_cases", max_cases), ("points", points), ("dps", dps)):
        if not (isinstance(v, int) and v >= 1):
            raise ValueError(f"{name}: must be a positive integer, got {v!r}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout: must be a positive number of seconds, got {timeout!r}")
    state = _State(max_terms, max_cases, float(timeout))
    # a cheap look for a witness first (a false identity then costs no proof attempt) ...
    found, tried = _witness(e, min(3, points), dps, seed, state)
    if found is not None:
        return _disproved(found, 0)
    try:
        why = _prove(e, 0, state, "the expression")
    except _OverBudget as exc:
        why = f"{exc} (case {max(state.cases, 1)})"
    except RecursionError:
        why = "the expression is too deeply nested"
    if why is True:
        return IdentityResult("proved", reason=f"the numerator vanishes in every case ({max(state.cases, 1)})",
                              cases=max(state.cases, 1))
    # ... and after a failed proof, more points (with their own time)
    state.deadline = max(state.deadline, time.monotonic() + max(5.0, timeout / 4))
    found, more = _witness(e, points - tried, dps, seed + 1, state) if points > tried else (None, 0)
    if found is not None:
        return _disproved(found, state.cases)
    return IdentityResult("undecided", reason=f"{why}; no certified nonzero value at {tried + more} random points",
                          cases=state.cases)


def _disproved(found, cases: int) -> IdentityResult:
    pt, (value, how) = found
    return IdentityResult("disproved", witness=pt, value=value,
                          reason=f"nonzero at the witness ({how}): {mpmath.nstr(value, 15)}", cases=cases)
