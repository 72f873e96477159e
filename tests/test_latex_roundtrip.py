"""Every LaTeX string symti emits parses back to an expression equal to its source.

Two readers: SymPy's own ``parse_latex`` (antlr backend; an independent
parser) wherever it reads the string -- rational functions, radicals,
polynomials -- and :mod:`symti.output.latex_parse` for the hyperbolic
closed forms it misreads (``\\lambda \\left(...\\right)`` as a function call)
and for ``cases`` environments, each case parsed on its own.  Equality is
decided exactly: identical SymPy trees, or a zero difference after
``cancel`` (rational), or, for hyperbolic forms, a zero difference as a
rational function of s = e^(lambda/2).
"""
import re

import pytest
import sympy as sp

from symti import AlphaKernel, Task, solve_exact
from symti.analysis.limits import margin_limit
from symti.closed_form.forms import exception_rank_difference
from symti.output.derive import derive
from symti.output.latex import latex_expr, limit_equations, margin_equation
from symti.output.latex_parse import LatexParseError, parse_cases, parse_latex_expr, split_equation
from symti.params import alpha as A, lam as LAM

S = sp.Symbol("s", positive=True)


def antlr(tex):
    """SymPy's parse_latex (antlr; ``antlr4-python3-runtime==4.11`` from the [test] extra), or None
    where its grammar cannot read the string.  A missing runtime is an error, not a skip."""
    import antlr4  # noqa: F401 -- required: the independent parser of this test
    from sympy.parsing.latex import parse_latex

    try:
        return parse_latex(tex)
    except Exception:  # noqa: BLE001 -- not readable by the antlr grammar
        return None


def by_name(expr, source):
    """Rename the parser's plain symbols to the source's symbols (same names)."""
    names = {str(s): s for s in sp.sympify(source).free_symbols}
    return expr.xreplace({s: names[str(s)] for s in expr.free_symbols if str(s) in names})


def equal(parsed, source) -> bool:
    parsed, source = by_name(sp.sympify(parsed), source), sp.sympify(source)
    if parsed == source or sp.expand(parsed - source) == 0:
        return True
    d = parsed - source
    if not d.has(sp.sinh, sp.cosh, sp.tanh, sp.exp, sp.Min, sp.Max):
        return sp.cancel(sp.radsimp(sp.together(d))) == 0 or sp.simplify(d) == 0
    # hyperbolic: as rational functions of s = e^(lambda/2), other integer symbols at sample values
    subs = {x: v for x, v in zip(sorted(d.free_symbols - {LAM}, key=str), (11, 3, 6, 5, 7, 2, 9))}
    e = d.subs(subs).subs(LAM, 2 * sp.log(S)).rewrite(sp.exp)
    return sp.cancel(sp.together(e)) == 0


def strip_remainder(rhs: str) -> str:
    """A series' remainder O(...) is not an expression: its source is the series without it."""
    return re.sub(r"\s*\+?\s*O\\left\(.*\\right\)$", "", rhs) or "0"


def check_equation(eq):
    got = parse_latex_expr(strip_remainder(eq.rhs), sp.sympify(eq.rhs_source).free_symbols)
    assert equal(got, eq.rhs_source), (eq.tex[:200], got)
    if eq.lhs_source is not None:
        got = parse_latex_expr(eq.lhs, sp.sympify(eq.lhs_source).free_symbols)
        assert equal(got, eq.lhs_source), eq.lhs
    a = antlr(strip_remainder(eq.rhs))
    if a is not None and not sp.sympify(eq.rhs_source).has(sp.sinh, sp.cosh, sp.Min, sp.Max):
        assert equal(a, eq.rhs_source), ("antlr", eq.rhs)


@pytest.fixture(scope="module", params=[(5, [(2, 4)]), (6, []), (6, [(1, 3), (4, 6)])], ids=str)
def document(request):
    n, excs = request.param
    return derive(Task(n, exceptions=excs))


def test_every_equation_of_a_document_parses_back(document):
    eqs = document.equations()
    assert eqs
    for eq in eqs:
        check_equation(eq)


def test_the_readable_general_form_parses_back():
    n, i, j, u, v = sp.symbols("n i j u v", integer=True, positive=True)
    f = exception_rank_difference(n, i, j, u, v, LAM)
    got = parse_latex_expr(sp.latex(f), f.free_symbols)
    assert sp.expand(got - f) == 0  # the same expression up to the order of factors and terms


def test_each_case_of_a_cases_environment_parses_back():
    n, i, j, u, v = sp.symbols("n i j u v", integer=True, positive=True)
    f = exception_rank_difference(n, i, j, u, v, LAM, cases=True)
    pw = [p for p in f.atoms(sp.Piecewise)]
    assert pw
    for p in pw:
        cases = parse_cases(sp.latex(p), p.free_symbols)
        assert len(cases) == len(p.args)
        for (got, cond), (src, _) in zip(cases, p.args):
            assert equal(got, src), cond


def test_margin_and_limit_latex_parse_back():
    P = solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(A))
    for i, j in [(3, 6), (1, 9), (2, 6)]:
        lhs, rhs = split_equation(margin_equation(P, i, j))
        assert lhs == f"f({i}, {j})"
        assert equal(parse_latex_expr(rhs, [A]), P[i, j]) and equal(antlr(rhs), P[i, j])
        assert equal(parse_latex_expr(latex_expr(P[i, j]), [A]), P[i, j])
    for to in ("alpha->0+", "alpha->1-", "rho->0+"):
        L = margin_limit(Task(9, exceptions=[(4, 6)]), 3, 6, to, order=3)
        for lhs, rhs, src in limit_equations(L):
            rhs = strip_remainder(rhs)
            if rhs:
                assert equal(parse_latex_expr(rhs, sp.sympify(src).free_symbols), src), rhs
    L = margin_limit(None, 2, 4, "n->oo")
    for lhs, rhs, src in limit_equations(L):
        assert equal(parse_latex_expr(rhs, sp.sympify(src).free_symbols), src)


def test_radicals_parse_back_with_both_parsers():
    for r in [3 - 2 * sp.sqrt(2), (4 - sp.sqrt(13)) / 3, (27 - sp.sqrt(637)) / 20]:
        tex = sp.latex(r)
        assert equal(parse_latex_expr(tex), r) and equal(antlr(tex), r)


def test_parser_refuses_what_symti_does_not_emit():
    for bad in [r"\int x", r"\frac{1}", r"x +", r"\undefinedmacro{x}"]:
        with pytest.raises(LatexParseError):
            parse_latex_expr(bad)
