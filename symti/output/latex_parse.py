r"""Read back the LaTeX that symti writes: a small parser for the subset it emits.

SymPy's own ``parse_latex`` (antlr backend) reads rational functions and
radicals but misreads ``\lambda \left(\frac{n}{2} - \frac{5}{2}\right)`` as a
function call and rejects ``cases``.  This parser covers exactly what
``sympy.latex`` produces for symti's expressions: numbers, Greek and Latin
symbols, ``+ - \cdot / ^``, juxtaposition (always a product), ``\frac``,
``\sqrt`` (and ``\sqrt[k]``), ``\left( \right)``, braces, ``e^{x}``, the functions
``\sinh \cosh \tanh \exp \log`` and ``\operatorname{acosh}`` (with powers such as
``\sinh^{2}{\left(x \right)}``), and ``cases`` environments -- each case on its
own (:func:`parse_cases`).  It builds SymPy objects directly; no string is
evaluated.

>>> parse_latex_expr(r"\frac{\sinh{\left(\lambda \left(\frac{n}{2} - \frac{5}{2}\right) \right)}}{2}")
sinh(lambda*(n/2 - 5/2))/2
>>> parse_latex_expr(r"3 - 2 \sqrt{2}")
3 - 2*sqrt(2)
>>> [e for e, _ in parse_cases(r"\begin{cases} 1 & \text{for}\: i < u \\ - \alpha^{2} & \text{otherwise} \end{cases}")]
[1, -alpha**2]

References
----------
.. [Theory] ``derivations/theory.md`` (the equations the derivation documents write).
"""
from __future__ import annotations

import re

import sympy as sp

__all__ = ["LatexParseError", "parse_latex_expr", "parse_cases", "split_equation"]

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "lambda", "mu", "nu", "rho", "sigma",
          "kappa", "theta", "tau", "phi", "omega", "pi", "Delta", "Gamma"}
_FUNCS = {"sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "exp": sp.exp, "log": sp.log, "ln": sp.log,
          "acosh": sp.acosh, "asinh": sp.asinh, "operatorname{acosh}": sp.acosh, "operatorname{asinh}": sp.asinh,
          "sin": sp.sin, "cos": sp.cos}
_SPACING = re.compile(r"\\[,;:! ]|\\quad|\\qquad|~")
_TOKEN = re.compile(r"\s*(\\operatorname\{[a-z]+\}|\\[A-Za-z]+|\d+\.\d+|\d+|[A-Za-z]|[-+*/^_{}()\[\]=&<>,]|\\\\|\\\{|\\\})")


class LatexParseError(ValueError):
    """The LaTeX is outside the subset symti emits."""


class _P:
    def __init__(self, tex: str, symbols: dict):
        tex = _SPACING.sub(" ", tex).replace(r"\left", "").replace(r"\right", "").replace(r"\displaystyle", "")
        tex = tex.replace(r"\dfrac", r"\frac").replace(r"\tfrac", r"\frac").replace(r"\cdot", "*").replace(r"\times", "*")
        self.toks, pos = [], 0
        while pos < len(tex):
            if tex[pos:].strip() == "":
                break
            m = _TOKEN.match(tex, pos)
            if not m:
                raise LatexParseError(f"latex: unexpected {tex[pos:pos + 20]!r}")
            self.toks.append(m.group(1))
            pos = m.end()
        self.k, self.symbols = 0, symbols

    def peek(self, d=0):
        return self.toks[self.k + d] if self.k + d < len(self.toks) else None

    def take(self, want=None):
        t = self.peek()
        if t is None or (want is not None and t != want):
            raise LatexParseError(f"latex: expected {want or 'more'}, got {t!r} at token {self.k}")
        self.k += 1
        return t

    def done(self):
        return self.k >= len(self.toks)

    def expr(self):
        e = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            t = self.term()
            e = e + t if op == "+" else e - t
        return e

    def _starts_factor(self, t) -> bool:
        return t is not None and t not in ("+", "-", ")", "}", "]", "=", "&", "\\\\", "^", "_", ",", "<", ">") \
            and not t.startswith(r"\end") and t not in (r"\text",)

    def term(self):
        if self.peek() in ("-", "+"):
            op = self.take()
            t = self.term()
            return -t if op == "-" else t
        e = self.power()
        while True:
            t = self.peek()
            if t == "*":
                self.take()
                e = e * self.signed_power()
            elif t == "/":
                self.take()
                e = e / self.signed_power()
            elif self._starts_factor(t):
                e = e * self.power()
            else:
                return e

    def signed_power(self):
        if self.peek() == "-":
            self.take()
            return -self.power()
        return self.power()

    def group(self):
        """``{...}`` or a single token (``^2``, ``\\frac12``)."""
        if self.peek() == "{":
            self.take("{")
            e = self.expr()
            self.take("}")
            return e
        t = self.take()
        if t.isdigit():  # x^23 is x^2 * 3 in TeX: one digit is the group, the rest stays
            if len(t) > 1:
                self.k -= 1
                self.toks[self.k] = t[1:]
            return sp.Integer(t[0])
        self.k -= 1
        return self.primary()

    def power(self):
        base = self.primary()
        if self.peek() == "^":
            self.take()
            x = self.group()
            return base ** x
        return base

    def function(self, f):
        exponent = None
        if self.peek() == "^":
            self.take()
            exponent = self.group()
        if self.peek() == "{":
            arg = self.group()
        elif self.peek() == "(":
            self.take("(")
            arg = self.expr()
            self.take(")")
        else:
            arg = self.power()
        v = f(arg)
        return v ** exponent if exponent is not None else v

    def primary(self):
        t = self.take()
        if re.fullmatch(r"\d+\.\d+", t):
            return sp.Rational(t)
        if t.isdigit():
            return sp.Integer(t)
        if t == "(":
            e = self.expr()
            self.take(")")
            return e
        if t == "[":
            e = self.expr()
            self.take("]")
            return e
        if t == "{":
            e = self.expr()
            self.take("}")
            return e
        if t == r"\frac":
            return self.group() / self.group()
        if t == r"\sqrt":
            k = 2
            if self.peek() == "[":
                self.take("[")
                k = self.expr()
                self.take("]")
            return self.group() ** (sp.Integer(1) / k)
        if t.startswith("\\"):
            name = t[1:]
            if name in _FUNCS:
                return self.function(_FUNCS[name])
            if name in ("min", "max"):
                self.take("(")
                args = [self.expr()]
                while self.peek() == ",":
                    self.take(",")
                    args.append(self.expr())
                self.take(")")
                return (sp.Min if name == "min" else sp.Max)(*args)
            if name in ("infty",):
                return sp.oo
            if name == "pi":
                return sp.pi
            if name in _GREEK:
                return self.symbol("epsilon" if name == "varepsilon" else name)
            raise LatexParseError(f"latex: unsupported command {t!r}")
        if re.fullmatch(r"[A-Za-z]", t):
            if t == "e" and "e" not in self.symbols:
                return sp.E
            name = t
            if self.peek() == "_":  # a subscripted symbol: x_{k}
                self.take("_")
                sub = self.take()
                if sub == "{":
                    parts = []
                    while self.peek() != "}":
                        parts.append(self.take())
                    self.take("}")
                    sub = "".join(parts)
                name = f"{t}_{sub}"
            return self.symbol(name)
        raise LatexParseError(f"latex: unexpected {t!r}")

    def symbol(self, name):
        return self.symbols.get(name) or sp.Symbol(name)


def _symbols(symbols) -> dict:
    if symbols is None:
        return {}
    if isinstance(symbols, dict):
        return dict(symbols)
    return {str(s): s for s in symbols}


def parse_latex_expr(tex: str, symbols=None) -> sp.Expr:
    r"""The SymPy expression of ``tex`` (one expression, no ``=``).  ``symbols``: the
    symbols to use by name (a dict, or an iterable of SymPy symbols such as
    ``expr.free_symbols``); other letters become plain symbols, ``e`` is Euler's number.

    >>> a = sp.Symbol("alpha", positive=True)
    >>> parse_latex_expr(r"\frac{2 - 2 \alpha}{\alpha + 1}", [a]) == (2 - 2*a)/(a + 1)
    True
    """
    if not isinstance(tex, str):
        raise TypeError(f"latex: expected a string, got {type(tex).__name__}")
    p = _P(tex, _symbols(symbols))
    e = p.expr()
    if not p.done():
        raise LatexParseError(f"latex: unexpected {p.peek()!r} after a complete expression")
    return e


def parse_cases(tex: str, symbols=None) -> list[tuple[sp.Expr, str]]:
    r"""The cases of a ``\begin{cases} ... \end{cases}`` environment, each as
    ``(expression, condition text)``, every expression parsed on its own."""
    m = re.search(r"\\begin\{cases\}(.*)\\end\{cases\}", tex, re.S)
    if not m:
        raise LatexParseError("latex: no cases environment")
    out = []
    for row in filter(None, (r.strip() for r in m.group(1).split(r"\\"))):
        expr, _, cond = row.partition("&")
        out.append((parse_latex_expr(expr, symbols), cond.strip()))
    return out


def split_equation(tex: str) -> tuple[str, str]:
    """``"lhs = rhs"`` split at its last top-level ``=`` (``\\lim_{...} f = 0`` -> ``(lhs, "0")``)."""
    depth, at = 0, -1
    for k, c in enumerate(tex):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "=" and depth == 0:
            at = k
    if at < 0:
        raise LatexParseError(f"latex: no '=' in {tex[:40]!r}")
    return tex[:at].strip(), tex[at + 1:].strip()
