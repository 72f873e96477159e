r"""A self-contained derivation document for one task: ``symti derive`` and ``symti.derive``.

:func:`derive` assembles, for a task (items, exceptions, weights), a kernel
and a ridge, the derivation a paper's appendix would carry
(``derivations/theory.md`` §1--§5; Cheng & Lippl 2026, Lippl et al. 2024):

1. the task and the category of every pair;
2. the rank system :math:`(L + \mu I)\,r = b` item by item;
3. closed forms kept in :math:`\lambda` (:math:`\cosh\lambda = (1+\rho)/(1-\alpha)`):
   the general one-exception form in symbolic :math:`n, i, j, u, v`, and every
   margin of the instance as a factored rational function of :math:`\alpha`;
4. every threshold exactly -- a radical when its minimal polynomial has degree
   :math:`\le 2`, otherwise the minimal polynomial with a rational isolating
   interval (never a ``CRootOf``);
5. the solved region (computed twice: :func:`symti.analysis.region.solved_region` and the
   sign intervals of every margin);
6. limits :math:`\alpha \to 0^+`, :math:`\alpha \to 1^-`, :math:`\rho \to 0^+` and
   :math:`n \to \infty`.

Each equation is checked exactly before it is written, and the document
says how (the ``check`` of every :class:`Equation`; a failed check raises
:class:`DerivationCheckError`).  :meth:`Document.to_tex` gives a complete
LaTeX document (``pdflatex`` compiles it), :meth:`Document.to_markdown` the
same content for Markdown with ``$...$`` math.

>>> from symti import Task
>>> doc = derive(Task(5, exceptions=[(2, 4)]))
>>> doc.to_tex().startswith(r"\documentclass")
True
>>> all(eq.check for eq in doc.equations())
True

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §1--§5.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from sympy.polys.matrices import DomainMatrix

from .._validate import check_ridge
from ..params import alpha as ALPHA, lam as LAM, mu as MU, rho as RHO
from ..kernels.trial import AlphaKernel, TrialKernel
from ..solve.exact import solve_exact
from ..solve.rank import assemble_rank_system
from ..task import Task
from ..closed_form.forms import exception_rank_difference, ti_rank_difference
from ..closed_form.green import path_resolvent_terms, ti_rank_terms
from ..closed_form.woodbury import woodbury_update
from ..analysis.limits import large_n_margin, large_n_threshold, margin_limit, Q
from ..analysis.thresholds import AlgebraicNumber, point_between, sign_intervals, thresholds
from ..analysis.region import solved_region
from ..analysis.verify import radical
from .latex import limit_equations

__all__ = ["derive", "Document", "Equation", "DerivationCheckError", "MAX_N_DERIVE", "algebraic_latex"]

#: Largest n of a derivation document (every margin is written and checked exactly).
MAX_N_DERIVE = 12



class DerivationCheckError(AssertionError):
    """An equation of the document failed its exact check (a bug, never a user error)."""


@dataclass
class Equation:
    """One displayed equation ``lhs = rhs``; ``rhs_source`` (and ``lhs_source`` when
    the left side is an expression) is the SymPy expression printed; ``check`` says
    how it was verified before it was written."""

    lhs: str
    rhs: str
    rhs_source: object
    check: str
    lhs_source: object = None

    @property
    def tex(self) -> str:
        return f"{self.lhs} = {self.rhs}"


@dataclass
class Document:
    """Sections of blocks: ``("text", str)``, ``("eq", Equation)``, ``("table", header, rows)``.
    Text uses ``$...$`` for math and backticks for code."""

    title: str
    sections: list = field(default_factory=list)

    def section(self, title: str) -> list:
        blocks: list = []
        self.sections.append((title, blocks))
        return blocks

    def equations(self) -> list[Equation]:
        return [b[1] for _, blocks in self.sections for b in blocks if b[0] == "eq"]

    # ----------------------------------------------------------- rendering
    def to_tex(self) -> str:
        out = [r"\documentclass[10pt]{article}", r"\usepackage[margin=2cm]{geometry}",
               r"\usepackage{amsmath,amssymb}", r"\usepackage{graphicx}", r"\allowdisplaybreaks",
               rf"\title{{{_tex_text(self.title)}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
        for title, blocks in self.sections:
            out.append(rf"\section{{{_tex_text(title)}}}")
            for b in blocks:
                if b[0] == "text":
                    out.append(_tex_text(b[1]) + "\n")
                elif b[0] == "eq":
                    out.append(_tex_display(b[1].tex))
                else:
                    out.append(_tex_table(b[1], b[2]))
        out.append(r"\end{document}")
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for title, blocks in self.sections:
            out += [f"## {title}", ""]
            for b in blocks:
                if b[0] == "text":
                    out += [b[1], ""]
                elif b[0] == "eq":
                    out += ["$$", b[1].tex, "$$", ""]
                else:
                    out += ["| " + " | ".join(b[1]) + " |", "|" + "---|" * len(b[1])]
                    out += ["| " + " | ".join(c.replace("|", r"\vert ") for c in row) + " |" for row in b[2]]
                    out.append("")
        return "\n".join(out)


def _tex_text(s: str) -> str:
    """Text with ``$math$`` and ```code``` to LaTeX (code escaped, math kept)."""
    parts = re.split(r"(\$[^$]*\$|`[^`]*`)", s)
    out = []
    for p in parts:
        if p.startswith("$"):
            out.append(p)
        elif p.startswith("`"):
            out.append(r"\texttt{" + re.sub(r"([_#%&{}$])", r"\\\1", p[1:-1]) + "}")
        else:
            out.append(re.sub(r"([_#%&])", r"\\\1", p).replace("§", r"\S{}"))
    return "".join(out)


def _tex_display(tex: str) -> str:
    if len(tex) > 420:  # long closed forms: scaled to the line
        return "\\[\n\\resizebox{\\linewidth}{!}{$\\displaystyle " + tex + "$}\n\\]"
    return "\\[\n" + tex + "\n\\]"


def _tex_table(header, rows) -> str:
    cells = lambda row: " & ".join(_tex_text(c) for c in row) + r" \\"  # noqa: E731
    return "\n".join([r"\begin{center}", r"\begin{tabular}{" + "l" * len(header) + "}", cells(header), r"\hline"]
                     + [cells(r) for r in rows] + [r"\end{tabular}", r"\end{center}"])


# ------------------------------------------------------------------ exact numbers
def algebraic_latex(a: AlgebraicNumber) -> str:
    r"""An exact algebraic number in LaTeX: a rational or radical (minimal polynomial of degree
    :math:`\le 2`), else "the root of :math:`P` in :math:`[lo, hi]`" -- never ``CRootOf``.

    >>> from symti.analysis.thresholds import ALPHA
    >>> algebraic_latex(AlgebraicNumber.root(sp.Poly(ALPHA**2 - 6*ALPHA + 1, ALPHA), 0))
    '3 - 2 \\sqrt{2}'
    """
    r = radical(a)
    if r is not None:
        return sp.latex(r)
    b = a.refine(sp.Rational(1, 10 ** 4)) if a.hi - a.lo > sp.Rational(1, 10 ** 4) else a
    return (rf"\text{{root of }} {sp.latex(a.poly.as_expr())} \text{{ in }} "
            rf"\left[{sp.latex(b.lo)}, {sp.latex(b.hi)}\right]")


def _algebraic_source(a: AlgebraicNumber):
    r = radical(a)
    return r if r is not None else None


def _check_root(a: AlgebraicNumber, num: sp.Poly) -> str:
    """``a`` is a root of ``num`` (exactly), its interval isolates it; returns the check's text."""
    r = radical(a)
    if r is not None:
        if sp.expand(sp.radsimp(num.as_expr().subs(num.gens[0], r))) != 0 and not a.is_rational:
            if sp.simplify(num.as_expr().subs(num.gens[0], r)) != 0:
                raise DerivationCheckError(f"threshold {r}: not a root of {num.as_expr()}")
        if a.is_rational:
            if num.eval(r) != 0:
                raise DerivationCheckError(f"threshold {r}: not a root of {num.as_expr()}")
            return "exact: the numerator vanishes at this rational"
        return "exact: the radical is a root of the margin's numerator (expanded to 0)"
    p = a.poly
    if num.rem(sp.Poly(p.as_expr(), num.gens[0])).is_zero is False or p.count_roots(a.lo, a.hi) != 1:
        raise DerivationCheckError(f"threshold: {p.as_expr()} does not isolate a root of the numerator")
    return "exact: the minimal polynomial divides the numerator; Sturm count 1 on the interval"


# ------------------------------------------------------------------ the document
def _kernel_setting(kernel, ridge):
    """``(alpha value or None, effective ridge, description)`` of the representation."""
    if kernel is None:
        return None, ridge, r"the family $K_\alpha$ of derivations/theory.md §2, $\alpha$ symbolic"
    if isinstance(kernel, AlphaKernel):
        a = kernel.alpha
        return (None if a.free_symbols else a), ridge, rf"$K_\alpha$ at $\alpha = {sp.latex(a)}$"
    if hasattr(kernel, "reduced_alpha_ridge"):
        try:
            a, r = kernel.reduced_alpha_ridge(ridge)
        except ValueError:
            return "none", ridge, f"`{kernel!r}`"
        return a, r, (f"`{kernel!r}`, which predicts exactly as $K_\\alpha$ at $\\alpha = {sp.latex(a)}$ "
                      f"with ridge $\\rho' = {sp.latex(r)}$ (derivations/theory.md §2)")
    return "none", ridge, f"`{kernel!r}`"


def derive(task: Task | None = None, kernel: TrialKernel | None = None, ridge=0) -> Document:
    r"""The derivation document of ``task`` (default: :math:`n = 9`, exception
    :math:`\{4, 6\}`) for ``kernel`` (default :math:`K_\alpha` with symbolic
    :math:`\alpha`) and ``ridge`` :math:`\rho \ge 0` (exact; 0 ridgeless).

    A kernel that reduces to :math:`K_\alpha` (``ExchangeableKernel`` with
    :math:`\kappa_1 = \kappa_2`, network kernels) gets the document of the family at its
    effective ridge with its own :math:`\alpha` marked; another kernel gets the task and its
    exact margins.  ``n`` is at most :data:`MAX_N_DERIVE`.

    Returns
    -------
    Document
    """
    if task is None:
        task = Task(9, exceptions=[(4, 6)])
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if task.n > MAX_N_DERIVE:
        raise ValueError(f"n: derive writes and checks every margin; n must be <= {MAX_N_DERIVE}, got {task.n}")
    if kernel is not None and not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a symti kernel, got {type(kernel).__name__}")
    ridge = check_ridge(ridge)
    if not ridge.is_Rational:
        raise TypeError(f"ridge: must be an exact number here, got {ridge}")
    alpha_at, rho, kdesc = _kernel_setting(kernel, ridge)
    excs = ", ".join(f"\\{{{u}, {v}\\}}" for u, v in task.exceptions) or r"\text{none}"
    doc = Document(f"Derivation: n = {task.n}, exceptions {', '.join(f'{{{u}, {v}}}' for u, v in task.exceptions) or 'none'}"
                   f", ridge {ridge}")
    _task_section(doc, task, kdesc, excs)
    if alpha_at == "none":
        _margins_at_kernel(doc, task, kernel, ridge)
        return doc
    _rank_section(doc, task, rho)
    P = solve_exact(task, AlphaKernel(ALPHA), rho)
    _closed_form_section(doc, task, rho, P)
    T = _threshold_section(doc, task, rho)
    _solved_section(doc, task, P, rho)
    _limit_section(doc, task, rho, T, P)
    if alpha_at is not None:
        _margins_at_point(doc, task, P, alpha_at, kernel if kernel is not None else AlphaKernel(alpha_at), ridge)
    return doc


def _task_section(doc, task, kdesc, excs):
    b = doc.section("The task")
    b.append(("text", f"Items $1, \\dots, {task.n}$ in a hidden order, item 1 on top; the premises "
                      f"$(i, i+1)$ are trained in both orders; exceptions ${excs}$ reverse their outcome "
                      f"(derivations/theory.md §1). Representation: {kdesc}."))
    if task.is_weighted:
        b.append(("text", "Training weights: " + ", ".join(f"$w_{{{e.i},{e.j}}} = {sp.latex(e.weight)}$"
                                                          for e in task.trained_pairs if e.weight != 1) + "."))
    rows = []
    by: dict = {}
    for i in range(1, task.n + 1):
        for j in range(i + 1, task.n + 1):
            by.setdefault(task.category(i, j), []).append(f"({i}, {j})")
    for cat, pairs in by.items():
        rows.append([cat, ", ".join(pairs)])
    b.append(("table", ["category", "pairs (i < j)"], rows))


def _rank_section(doc, task, rho):
    b = doc.section("The rank system")
    b.append(("text", r"Kernel ridge regression with $K_\alpha$ reduces to an $n \times n$ system for item ranks $r$ "
                      r"(derivations/theory.md §3): $(L + \mu I)\, r = b$ with $L$ the weighted Laplacian of the "
                      r"trained pairs, $b$ their targets, and every untrained margin is $f(i, j) = r_i - r_j$. "
                      r"Two parameters carry the dependence on $\alpha$ and $\rho$:"))
    b.append(("eq", Equation(r"\mu", sp.latex(2 * (ALPHA + RHO) / (1 - ALPHA)), 2 * (ALPHA + RHO) / (1 - ALPHA),
                             "definition", MU)))
    b.append(("eq", Equation(r"\cosh{\left(\lambda \right)}", sp.latex((1 + RHO) / (1 - ALPHA)),
                             (1 + RHO) / (1 - ALPHA), "exact: equals 1 + mu/2 (cancelled to 0)", sp.cosh(LAM))))
    if sp.cancel(1 + (2 * (ALPHA + RHO) / (1 - ALPHA)) / 2 - (1 + RHO) / (1 - ALPHA)) != 0:
        raise DerivationCheckError("cosh(lambda) = 1 + mu/2")
    if task.is_weighted:
        b.append(("text", r"With training weights, each trained pair $e$ enters with "
                          r"$\gamma_e = w_e(\alpha + \rho)/(\alpha w_e + \rho)$ (derivations/theory.md §3)."))
        return
    A, rhs = assemble_rank_system(task, MU, zero=sp.Integer(0))
    r = sp.symbols(f"r_1:{task.n + 1}")
    # check: the rank system's solution reproduces the full trial-Gram KRR solve (a different route)
    field_mu = sp.QQ.frac_field(MU)
    M = DomainMatrix([[field_mu.from_sympy(x) for x in row] for row in A], (task.n, task.n), field_mu)
    B = DomainMatrix([[field_mu.from_sympy(x)] for x in rhs], (task.n, 1), field_mu)
    sol = M.lu_solve(B).to_list_flat()
    alpha_of_mu = (MU - 2 * rho) / (MU + 2)  # mu = 2(alpha + rho)/(1 - alpha), solved for alpha
    G = solve_exact(task, AlphaKernel(ALPHA), rho, method="gram")
    how = ("exact: its solution gives r_i - r_j equal to the full trial-Gram KRR solve (solve_exact, "
           "method 'gram') for every test pair")
    for i, j in task.test_pairs():
        g_mu = field_mu.from_sympy(sp.together(sp.sympify(G[i, j]).subs(ALPHA, alpha_of_mu)))
        if sol[i - 1] - sol[j - 1] != g_mu:
            raise DerivationCheckError(f"rank system vs trial-Gram solve at ({i}, {j})")
    b.append(("text", f"For this task, item by item ({how}):"))
    for k in range(task.n):
        lhs = sp.Add(*[A[k][m] * r[m] for m in range(task.n)])
        b.append(("eq", Equation(sp.latex(lhs), sp.latex(rhs[k]), rhs[k], how, lhs)))


class _InS:
    """Exact arithmetic in Q(s), s = e^(lambda/2): an element num/den of python-flint ``fmpq_poly``
    (integers and SymPy rationals mix in)."""

    def __init__(self, num, den=None):
        import flint

        if not isinstance(num, flint.fmpq_poly):
            num = sp.Rational(num)
            num = flint.fmpq_poly([flint.fmpq(int(num.p), int(num.q))])
        self.num = num
        self.den = den if den is not None else flint.fmpq_poly([1])

    @staticmethod
    def lift(o):
        return o if isinstance(o, _InS) else _InS(o)

    def __add__(self, o):
        o = _InS.lift(o)
        return _InS(self.num * o.den + o.num * self.den, self.den * o.den)

    __radd__ = __add__

    def __neg__(self):
        return _InS(-self.num, self.den)

    def __sub__(self, o):
        return self + (-_InS.lift(o))

    def __rsub__(self, o):
        return _InS.lift(o) - self

    def __mul__(self, o):
        o = _InS.lift(o)
        return _InS(self.num * o.num, self.den * o.den)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self * _InS.lift(o).inverse()

    def __rtruediv__(self, o):
        return _InS.lift(o) * self.inverse()

    def reduced(self):
        g = self.num.gcd(self.den)
        return self if g.degree() <= 0 else _InS(self.num.__floordiv__(g), self.den.__floordiv__(g))

    def inverse(self):
        if self.num == 0:
            raise ZeroDivisionError("division by zero in Q(s)")
        return _InS(self.den, self.num)

    def __pow__(self, k: int):
        base = self if k >= 0 else self.inverse()
        return _InS(base.num ** abs(k), base.den ** abs(k))

    def equals(self, o) -> bool:
        o = _InS.lift(o)
        return self.num * o.den == o.num * self.den


def _s_power(k) -> _InS:
    """s^k for an integer k."""
    import flint

    k = int(k)
    mono = flint.fmpq_poly([0] * abs(k) + [1])
    return _InS(mono) if k >= 0 else _InS(flint.fmpq_poly([1]), mono)


def _in_s(e, alpha_of_s: _InS) -> _InS:
    r"""A SymPy expression in :math:`\lambda` (hyperbolics and exponentials of half-integer multiples)
    and :math:`\alpha` as an exact element of :math:`\mathbb{Q}(s)`, :math:`s = e^{\lambda/2}`."""
    if e.is_Rational:
        return _InS(e)
    if e == ALPHA:
        return alpha_of_s
    if e.is_Add or e.is_Mul:
        parts = [_in_s(a, alpha_of_s) for a in e.args]
        out = parts[0]
        for p in parts[1:]:
            out = out + p if e.is_Add else out * p
        return out
    if e.is_Pow and e.exp.is_Integer:
        return _in_s(e.base, alpha_of_s) ** int(e.exp)
    if isinstance(e, (sp.sinh, sp.cosh, sp.exp)):
        c = sp.cancel(e.args[0] / LAM)
        if not (c.is_Rational and (2 * c).is_Integer):
            raise DerivationCheckError(f"closed form: {e} is not in Q(e^(lambda/2))")
        k = int(2 * c)
        if isinstance(e, sp.exp):
            return _s_power(k)
        half = _InS(sp.Rational(1, 2))
        minus = _InS(sp.Integer(-1 if isinstance(e, sp.sinh) else 1))
        return half * (_s_power(k) + minus * _s_power(-k))
    raise DerivationCheckError(f"closed form: cannot evaluate {type(e).__name__} in Q(s)")


def _woodbury_in_s(n: int, exceptions) -> list:
    r"""The ranks :math:`r_1, \dots, r_n` with the given (unit-weight) exceptions as exact elements of
    :math:`\mathbb{Q}(s)`: the one Woodbury update (:func:`symti.closed_form.woodbury.woodbury_update`)
    on the path's Green differences (:func:`symti.closed_form.green.path_resolvent_terms`), run in
    :math:`\mathbb{Q}(s)` arithmetic instead of SymPy expressions."""
    def S(a, d=1):
        k = 2 * sp.Rational(a, d)
        return _InS(sp.Rational(1, 2)) * (_s_power(k) - _s_power(-k))

    def C(a, d=1):
        k = 2 * sp.Rational(a, d)
        return _InS(sp.Rational(1, 2)) * (_s_power(k) + _s_power(-k))

    def r0(x):
        return ti_rank_terms(n, x, S, C)

    def green(a, x):
        p, q = exceptions[a]
        low, mid, high = path_resolvent_terms(n, x, p, q, S, C)
        return low if x <= p else high if x >= q else mid

    def solve(A, b):  # Gaussian elimination in Q(s) (k x k, k small)
        k = len(b)
        M = [list(row) + [b[r]] for r, row in enumerate(A)]
        for c in range(k):
            piv = next(r for r in range(c, k) if M[r][c].num != 0)
            M[c], M[piv] = M[piv], M[c]
            for r in range(k):
                if r != c and M[r][c].num != 0:
                    f = M[r][c] / M[c][c]
                    M[r] = [(x - f * y).reduced() for x, y in zip(M[r], M[c])]
        return [(M[r][k] / M[r][r]).reduced() for r in range(k)]

    mods = [(u, v, -1, _InS(sp.Integer(1))) for u, v in exceptions]
    ranks = woodbury_update(r0, green, mods, solve)
    return [ranks(x).reduced() for x in range(1, n + 1)]


def _alpha_of_s(rho) -> _InS:
    """alpha = 1 - 2 (1 + rho) s^2 / (s^4 + 1): cosh(lambda) = (s^2 + s^-2)/2 = (1 + rho)/(1 - alpha)."""
    import flint

    c = sp.Rational(1 + rho)
    num = flint.fmpq_poly([1, 0, -2 * flint.fmpq(int(c.p), int(c.q)), 0, 1])
    return _InS(num, flint.fmpq_poly([1, 0, 0, 0, 1]))


def _closed_form_section(doc, task, rho, P):
    b = doc.section("Closed forms")
    n = task.n
    b.append(("text", r"Every margin is kept in $\lambda$, $\cosh\lambda = (1+\rho)/(1-\alpha)$ "
                      r"(derivations/theory.md §3). Without exceptions the ranks are those of Lippl et al. (2024):"))
    nn, ii, jj, uu, vv = sp.symbols("n i j u v", integer=True, positive=True)
    ti = ti_rank_difference(nn, ii, jj, LAM)
    b.append(("eq", Equation("r_i - r_j", sp.latex(ti), ti,
                             "proved for symbolic n in derivations/03_ti_closed_form.py")))
    single = len(task.exceptions) == 1 and not task.is_weighted
    if single:
        gen = exception_rank_difference(nn, ii, jj, uu, vv, LAM)
        b.append(("text", r"One exception $\{u, v\}$ (Sherman--Morrison on the path's Green's function, "
                          r"derivations/theory.md §3), for every untrained pair, in symbolic $n, i, j, u, v$:"))
        b.append(("eq", Equation("r_i - r_j", sp.latex(gen), gen,
                                 "Sherman-Morrison, proved in derivations/04_exception_closed_form.py; each instance "
                                 "below checked exactly")))
    elif task.exceptions:
        b.append(("text", r"Several exceptions (Woodbury, derivations/theory.md §3): "
                          r"$r = r^0 - G W (I + \Gamma C)^{-1}\Gamma(\mathbf 1 + W^\top r^0)$, $C = W^\top G W$."))
    # the instance: every margin, factored in alpha, checked against the closed form in s = e^{lambda/2}
    (u, v), = task.exceptions if single else [(None, None)]
    ranks = None
    if task.exceptions and not single and not task.is_weighted:
        ranks = _woodbury_in_s(n, list(task.exceptions))
    how = ("exact: equals the closed form in lambda at this (n, u, v, i, j) as rational functions of s = e^(lambda/2) "
           "(alpha = 1 - 2(1 + rho) s^2/(s^4 + 1)), cancelled to 0")
    b.append(("text", r"The margins of this task, $i < j$, as exact rational functions of $\alpha$ "
                      rf"(ridge $\rho = {sp.latex(rho)}$), factored. Each is checked before it is written: " + how
              .replace("e^(lambda/2)", r"$e^{\lambda/2}$").replace("(alpha = 1 - 2(1 + rho) s^2/(s^4 + 1))",
                                                                    r"($\alpha = 1 - 2(1+\rho)s^2/(s^4+1)$)")
              + r"; trained pairs as $m_e y_e + (1 - m_e)(r_i - r_j)$, $m_e = \alpha/(\alpha + \rho)$."))
    a_s = _alpha_of_s(rho)
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            f = sp.factor(P[i, j])
            check = "exact: the exact solver (rank reduction)"
            d = None
            if task.is_weighted:
                check = "exact solver (weighted task: no closed-form cross-check)"
            elif single:
                d = exception_rank_difference(n, i, j, u, v, LAM)
            elif ranks is not None:
                d = ranks[i - 1] - ranks[j - 1]  # already in Q(s)
            elif not task.exceptions:
                d = ti_rank_difference(n, i, j, LAM)
            if d is not None:
                d = d if isinstance(d, _InS) else _in_s(sp.sympify(d), a_s)
                if task.is_trained(i, j):
                    m = _in_s(ALPHA / (ALPHA + rho), a_s) if rho != 0 else _InS(sp.Integer(1))
                    d = m * _InS(sp.Integer(task.target(i, j))) + (_InS(sp.Integer(1)) - m) * d
                if not d.equals(_in_s(sp.sympify(f), a_s)):
                    raise DerivationCheckError(f"closed form vs exact margin at ({i}, {j})")
                check = how
            b.append(("eq", Equation(f"f({i}, {j})", sp.latex(f), f, check)))


def _threshold_section(doc, task, rho):
    b = doc.section("Thresholds")
    T = thresholds(task, rho)
    b.append(("text", r"A test pair is wrong where its margin has the wrong sign (a tie is not an error). The "
                      r"wrong sets below are exact: numerator and denominator are factored over $\mathbb{Q}$ and "
                      r"their roots in $(0, 1)$ isolated (derivations/theory.md §4, `symti.analysis.thresholds`). "
                      r"Endpoints are radicals where the minimal polynomial has degree at most 2, otherwise "
                      r"the minimal polynomial with a rational isolating interval."))
    rows = []
    for p in T.ordered():
        ws = " $\\cup$ ".join(f"$({algebraic_latex(a)}, {algebraic_latex(c)})$" for a, c in p.wrong_set)
        rows.append([f"({p.i}, {p.j})", p.category, ws or "never"])
    b.append(("table", ["pair", "category", r"wrong for $\alpha$ in"], rows))
    seen = set()
    for p in T.ordered():
        if not p.wrong_set:
            continue
        num = sp.Poly(sp.fraction(sp.cancel(p.margin))[0], ALPHA)
        for a in p.endpoints():
            if a.compare_rational(1) == 0 or a.compare_rational(0) == 0:
                continue
            check = _check_root(a, num)
            key = (a.coeffs, a.lo, a.hi)
            if key in seen:
                continue
            seen.add(key)
            r = radical(a)
            lhs = rf"\alpha^{{*}}_{{({p.i}, {p.j})}}"
            if r is not None:
                b.append(("eq", Equation(lhs, sp.latex(r), r, check)))
            else:
                poly = a.poly.as_expr()
                fine = a.refine(sp.Rational(1, 10 ** 4)) if a.hi - a.lo > sp.Rational(1, 10 ** 4) else a
                b.append(("text", rf"${lhs}$ is the root in $\left[{sp.latex(fine.lo)}, {sp.latex(fine.hi)}\right]$ "
                                  rf"(about {a.decimal(10)}) of the irreducible polynomial"))
                b.append(("eq", Equation(sp.latex(poly), "0", sp.Integer(0), check, poly)))
    if T.critical_alpha is not None:
        b.append(("text", rf"The critical conjunctivity is $\alpha_c = {algebraic_latex(T.critical_alpha)}$ "
                          rf"(about {T.critical_alpha.decimal(8)}); the first pairs to fail are "
                          + ", ".join(f"({p.i}, {p.j})" for p in T.first_pairs) + "."))
    else:
        b.append(("text", r"No test pair is ever wrong for $0 < \alpha < 1$."))
    return T


def _solved_section(doc, task, P, rho):
    b = doc.section("The solved region")
    b.append(("text", r"The task is solved at $\alpha$ when every test pair has the sign of its truth and every "
                      r"trained trial the sign of its target, ties counting as not solved (derivations/theory.md §5). "
                      r"Computed twice, exactly: by `symti.analysis.region.solved_region` (rank numerators in $\mu$) "
                      r"and here as the intersection of the exact sign intervals "
                      r"(`symti.analysis.thresholds.sign_intervals`) of all these margins; the two must agree."))
    need = [(i, j, task.ground_truth(i, j)) for i in range(1, task.n + 1) for j in range(i + 1, task.n + 1)
            if task.ground_truth(i, j) is not None]
    cuts: set = set()
    signs = {}
    for i, j, g in need:
        f = P[i, j]
        if not sp.sympify(f).free_symbols:
            continue
        signs[(i, j)] = (f, g)
        for a, c, _ in sign_intervals(f):
            cuts.add(a)
            cuts.add(c)
    pts = sorted(cuts)
    solved = []
    for a, c in zip(pts, pts[1:]):
        x = point_between(a, c)
        ok = all(g * sp.sympify(f).subs(ALPHA, x) > 0 for f, g in signs.values()) and all(
            g * P[i, j] > 0 for i, j, g in need if (i, j) not in signs)
        if solved and ok and solved[-1][1] == a and _nonzero_at(signs, a):
            solved[-1] = (solved[-1][0], c)
        elif ok:
            solved.append((a, c))
    cross = "the two routes agree"
    if not task.is_weighted:
        try:
            theirs = solved_region(task, rho).intervals
        except Exception as exc:  # noqa: BLE001 -- a failure of the other route is reported, not hidden
            theirs, cross = None, f"`symti.analysis.region` raised {type(exc).__name__}; only the sign intervals were used"
        if theirs is not None and [(a, c) for a, c in theirs] != solved:
            raise DerivationCheckError(f"solved region: {theirs} (analysis.region) != {solved} (sign intervals)")
    else:
        cross = "weighted task: only the sign intervals were used"
    if solved:
        text = " $\\cup$ ".join(f"$({algebraic_latex(a)}, {algebraic_latex(c)})$" for a, c in solved)
        b.append(("text", f"Solved for $\\alpha$ in {text} (checked exactly at a rational point of each gap "
                          f"between consecutive sign changes of any margin; {cross})."))
    else:
        b.append(("text", r"The task is solved for no $\alpha \in (0, 1)$ (checked exactly at a rational point of "
                          rf"each gap between consecutive sign changes; {cross})."))


def _nonzero_at(signs, a: AlgebraicNumber) -> bool:
    """No margin vanishes at the cut ``a`` (then two solved gaps join through it)."""
    for f, _ in signs.values():
        num = sp.Poly(sp.fraction(sp.cancel(f))[0], ALPHA)
        if a.is_rational:
            if num.eval(a.value) == 0:
                return False
        elif num.rem(sp.Poly(a.poly.as_expr(), ALPHA)).is_zero:
            return False
    return True


def _limit_section(doc, task, rho, T, P):
    b = doc.section("Limits")
    b.append(("text", r"Exact series of the rational margins (`symti.analysis.limits`, derivations/theory.md §3--§4); "
                      r"each series is checked by re-expanding the exact margin minus the truncated series, whose "
                      r"first terms must vanish."))
    rows = []
    for i, j in task.test_pairs():
        lo = margin_limit(task, i, j, "alpha->0+", order=2, ridge=rho, function=P[i, j])
        hi = margin_limit(task, i, j, "alpha->1-", order=2, ridge=rho, function=P[i, j])
        rows.append([f"({i}, {j})", f"${sp.latex(lo.limit)}$", f"${sp.latex(lo.leading)}$",
                     f"${sp.latex(hi.leading)}$"])
    b.append(("table", ["pair", r"$\alpha \to 0^+$", r"leading term at $0^+$", r"leading term at $1^-$"], rows))
    first = [(p.i, p.j) for p in T.first_pairs] if T.critical_alpha is not None else task.test_pairs()[:1]
    for i, j in first[:2]:
        for to in ("alpha->0+", "alpha->1-"):
            L = margin_limit(task, i, j, to, order=3, ridge=rho, function=P[i, j])
            _check_series(L)
            for lhs, rhs, src in limit_equations(L):
                b.append(("eq", Equation(lhs, rhs, src, "exact: the remainder f - series has valuation >= order")))
        if rho == 0:
            L = margin_limit(task, i, j, "rho->0+", order=2)
            _check_series(L)
            b.append(("text", rf"As $\rho \to 0^+$ at symbolic $\alpha$, $f({i}, {j})$ tends to the ridgeless "
                              r"margin above; its first-order term in $\rho$:"))
            coeff = sp.factor(L.series.coeff(RHO, 1))
            b.append(("eq", Equation(rf"\partial_\rho f({i}, {j}) \big|_{{\rho = 0}}", sp.latex(coeff), coeff,
                                     "exact: coefficient of the Taylor series in rho")))
    if T.critical_alpha is not None and not task.is_weighted:
        a0 = radical(T.critical_alpha)
        if a0 is not None:
            shifted = 1 - (1 + RHO) * (1 - a0)
            b.append(("text", r"With unit weights the untrained margins depend on $(\alpha, \rho)$ only through "
                              r"$\mu$, so the critical conjunctivity moves exactly as (derivations/theory.md §4)"))
            b.append(("eq", Equation(r"\alpha_c(\rho)", sp.latex(sp.expand(shifted) if rho == 0 else shifted),
                                     sp.expand(shifted) if rho == 0 else shifted,
                                     "exact: mu(alpha_c(rho), rho) = mu(alpha_c, 0) expanded to 0")))
            if rho == 0 and sp.cancel((2 * (shifted + RHO) / (1 - shifted)) - 2 * a0 / (1 - a0)) != 0:
                raise DerivationCheckError("ridge shift of the critical alpha")
    # n -> infinity: the exception and the first pairs kept at fixed offsets in the middle of a long list
    if len(task.exceptions) == 1 and T.critical_alpha is not None:
        (u, v), = task.exceptions
        b.append(("text", r"Large $n$: with $q = e^{-\lambda}$ and the exception and pair kept at fixed offsets in "
                          r"the middle of the list (labels relative to $u$), the margin tends to a rational "
                          r"function of $q$ (`symti.analysis.limits.large_n_margin`, the infinite path's Green's "
                          r"function; derivations/theory.md §4):"))
        for i, j in first[:2]:
            f_inf = large_n_margin(i - u, j - u, (0, v - u), where="middle")
            thr = large_n_threshold(i - u, j - u, (0, v - u), where="middle")
            b.append(("eq", Equation(rf"\lim_{{n \to \infty}} f({i}, {j})", sp.latex(f_inf), f_inf,
                                     "exact: Sherman-Morrison on the infinite path (rational in q); "
                                     "proved in derivations/06_limits.py")))
            if not thr:
                b.append(("text", rf"It has no sign change for $0 < q < 1$: in the middle of a long list "
                                  rf"$({i}, {j})$ is wrong for every $\alpha$ of that sign."))


def _check_series(L) -> None:
    """The truncated series agrees with the exact function to the order (exact, by re-expansion)."""
    from ..analysis.limits import rational_series

    var = L.var
    fn = L.function
    series = L.series
    if L.point == 1:
        eps = sp.Dummy("eps", positive=True)
        fn, series, var = fn.subs(ALPHA, 1 - eps), sp.sympify(series).subs(ALPHA, 1 - eps), eps
    rest = rational_series(sp.cancel(fn - series), var, L.order)
    if any(c != 0 for c in rest):
        raise DerivationCheckError(f"series of f{L.pair} as {L.to}")


def _margins_at_point(doc, task, P, a, kernel, ridge):
    """The family's margins at the kernel's own alpha: exact for a rational alpha, else decimals; both
    checked against an independent mpmath solve of the full trial-Gram system with the kernel itself."""
    from ..solve.numeric import solve_mpmath

    b = doc.section("Margins at the given kernel")
    b.append(("text", rf"The margins of the family above at the kernel's $\alpha = {sp.latex(a)}$, each checked "
                      "against an mpmath solve (40 digits) of the full trial-Gram system with the kernel itself."))
    M = solve_mpmath(task, kernel, ridge, dps=40)
    rows = []
    for i, j in task.test_pairs():
        v = sp.sympify(P[i, j]).subs(ALPHA, a)
        val = sp.N(v, 40)
        if abs(val - sp.Float(mpmath.nstr(M[i, j], 40), 40)) > sp.Float(10) ** -25 * (1 + abs(val)):
            raise DerivationCheckError(f"margin ({i}, {j}) at the kernel: {val} vs mpmath {M[i, j]}")
        if a.is_Rational:
            v = sp.factor(v)
            b.append(("eq", Equation(f"f({i}, {j})", sp.latex(v), v,
                                     "exact: the family's margin at this alpha; mpmath trial-Gram solve agrees")))
        else:
            rows.append([f"({i}, {j})", f"${sp.N(v, 15)}$"])
    if rows:
        b.append(("table", ["pair", "margin (15 digits)"], rows))


def _margins_at_kernel(doc, task, kernel, ridge):
    b = doc.section("Margins at the given kernel")
    P = solve_exact(task, kernel, ridge)
    b.append(("text", "Exact margins (`symti.solve_exact`) of every test pair at this kernel and ridge, checked "
                      "against the independent trial-Gram route where the rank route was used."))
    G = solve_exact(task, kernel, ridge, method="gram") if task.n <= 10 else None
    for i, j in task.test_pairs():
        f = sp.factor(P[i, j])
        if G is not None and sp.cancel(G[i, j] - P[i, j]) != 0:
            raise DerivationCheckError(f"margin ({i}, {j}) at the kernel")
        b.append(("eq", Equation(f"f({i}, {j})", sp.latex(f), f,
                                 "exact: equal to the full trial-Gram solve" if G is not None else "exact solver")))
