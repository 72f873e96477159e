r"""LaTeX output: margins as equations and tables.

>>> import sympy as sp
>>> from symti import Task, AlphaKernel, solve_exact
>>> a = sp.Symbol("alpha", positive=True)
>>> P = solve_exact(Task(3), AlphaKernel(a))
>>> print(margin_equation(P, 1, 3))
f(1, 3) = \frac{2 - 2 \alpha}{\alpha + 1}
>>> print(margin_tabular(solve_exact(Task(3), AlphaKernel("1/2")), digits=3).splitlines()[3])
1 & \cdot & 1.00 & 0.667 \\

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, §4.
"""
from __future__ import annotations

import sympy as sp

from .._validate import as_expr, check_digits, format_decimal
from ..solve.predictions import Predictions

__all__ = ["margin_equation", "margin_tabular", "latex_expr", "limit_equations", "limit_latex"]


def latex_expr(expr) -> str:
    """LaTeX of a margin, factored where that makes it shorter."""
    e = as_expr(expr, "expr")
    f = sp.factor(e) if e.free_symbols else e
    cand = [sp.latex(e), sp.latex(f)]
    return min(cand, key=len)


def margin_equation(P: Predictions, i: int, j: int) -> str:
    """``f(i, j) = <LaTeX>`` for one margin of an exact solve."""
    if not P.exact:
        raise ValueError("P: LaTeX equations need exact predictions (symti.solve_exact)")
    return f"f({i}, {j}) = {latex_expr(P[i, j])}"


def margin_tabular(P: Predictions, digits: int = 4, subs: dict | None = None) -> str:
    r"""The margin matrix as a LaTeX ``tabular`` (row :math:`i`, column :math:`j`).

    Entries are decimals with ``digits`` significant digits (exact margins are
    evaluated after ``subs``); the diagonal is :math:`\cdot`.
    """
    digits = check_digits(digits)
    n = P.task.n
    vals = P.to_mpmath(subs, dps=digits + 5) if P.exact else dict(P.items())
    lines = [
        "\\begin{tabular}{r" + "r" * n + "}",
        " & " + " & ".join(str(j) for j in range(1, n + 1)) + " \\\\",
        "\\hline",
    ]
    for i in range(1, n + 1):
        cells = ["\\cdot" if i == j else format_decimal(vals[(i, j)], digits) for j in range(1, n + 1)]
        lines.append(f"{i} & " + " & ".join(cells) + " \\\\")
    lines.append("\\end{tabular}")
    return "\n".join(lines)


_LIMIT_POINT = {"alpha->0+": r"\alpha \to 0^+", "alpha->1-": r"\alpha \to 1^-", "rho->0+": r"\rho \to 0^+",
                "n->oo": r"n \to \infty"}


def limit_equations(L) -> list[tuple[str, str, object]]:
    r"""The equations of a :class:`symti.analysis.limits.MarginLimit` as
    ``(lhs, rhs, source)``: the limit, and the series with its remainder
    (``source`` is the SymPy expression the right-hand side prints, without the remainder).

    >>> from symti import Task
    >>> from symti.analysis.limits import margin_limit
    >>> [lhs + " = " + rhs for lhs, rhs, _ in limit_equations(margin_limit(Task(3), 1, 3, "alpha->0+"))]
    ['\\lim_{\\alpha \\to 0^+} f(1, 3) = 2', 'f(1, 3) = 2 - 4 \\alpha + O\\left(\\alpha^{2}\\right)']
    """
    i, j = L.pair
    f = f"f({i}, {j})"
    out = [(rf"\lim_{{{_LIMIT_POINT[L.to]}}} {f}", sp.latex(L.limit), L.limit)]
    if L.to == "n->oo":
        out.append((rf"{f} \xrightarrow{{n \to \infty}}", sp.latex(L.function), L.function))
        return out
    var = sp.latex(L.var)
    rem = (rf"O\left(\left(1 - {var}\right)^{{{L.order}}}\right)" if L.point == 1
           else rf"O\left({var}^{{{L.order}}}\right)")
    series = sp.latex(L.series, order="none") if L.point == 1 else sp.latex(L.series, order="rev-lex")
    out.append((f, f"{series} + {rem}" if L.series != 0 else rem, L.series))
    return out


def limit_latex(L) -> str:
    """The equations of :func:`limit_equations`, one per line (``lhs = rhs``)."""
    return "\n".join(f"{lhs} = {rhs}" for lhs, rhs, _ in limit_equations(L))
