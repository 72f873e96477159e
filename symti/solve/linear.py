r"""Exact linear algebra over polynomial rings and their fraction fields.

The one place where symti solves a linear system exactly: all entries are put
in one SymPy domain (:math:`\mathbb{Q}`, :math:`\mathbb{Q}[x, \dots]` or
:math:`\mathbb{Q}(x, \dots)`) and solved with ``DomainMatrix`` --
fraction-free (``solve_den``) over polynomial rings, by LU over fields --
never with a symbolic ``Matrix.inv``.  Results come back as reduced
fractions in a canonical form (integer primitive numerator and denominator,
the denominator with positive leading coefficient).

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> linear_solve_map([[x + 1, 1], [1, x + 1]], [1, 0], [[1, -1]])
[1/x]

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import sympy as sp
from sympy.core.add import _addsort
from sympy.polys.constructor import construct_domain
from sympy.polys.matrices import DomainMatrix
from sympy.polys.matrices.exceptions import DMNonInvertibleMatrixError

__all__ = ["SingularSystem", "linear_solve_map", "ridgeless_limit", "canonical_fraction", "ExprBuilder"]


class SingularSystem(ValueError):
    """The exact system is singular (raised internally; the ridgeless limit is then
    taken with a symbolic ridge)."""


def linear_solve_map(A, b, P, field: bool = False):
    """Solve ``A c = b`` exactly and return the entries of ``P c`` cancelled.

    ``A`` (m x m), ``b`` (m), ``P`` (k x m) hold SymPy expressions.  All
    entries are put in one domain (``QQ``, ``QQ[x, ...]`` or
    ``ZZ(x, ...)``).  Polynomial systems are solved fraction-free
    (``solve_den``) and each prediction is cancelled once against the common
    denominator; ``field=True`` forces the fraction-field LU route.
    """
    m, k = len(A), len(P)
    flat = [x for row in A for x in row] + list(b) + [x for row in P for x in row]
    dom, elems = construct_domain(flat, field=field)
    if field and not dom.is_Field:
        dom = dom.get_field()
        elems = [dom.convert(e) for e in elems]
    Ae = [elems[r * m:(r + 1) * m] for r in range(m)]
    be = [[x] for x in elems[m * m:m * m + m]]
    Pe = [elems[m * m + m + r * m:m * m + m + (r + 1) * m] for r in range(k)]
    Am = DomainMatrix(Ae, (m, m), dom)
    bm = DomainMatrix(be, (m, 1), dom)
    Pm = DomainMatrix(Pe, (k, m), dom) if k else None
    try:
        if dom.is_Field:
            c = Am.lu_solve(bm)
            if Pm is None:
                return []
            out = (Pm * c).to_Matrix()
            return [out[r, 0] for r in range(k)]
        xnum, xden = Am.solve_den(bm)
    except (DMNonInvertibleMatrixError, ZeroDivisionError) as exc:
        raise SingularSystem(str(exc)) from None
    if Pm is None:
        return []
    num = Pm * xnum
    den = xden
    res = []
    for r in range(k):
        p = num[r, 0].element
        if not p:
            res.append(sp.Integer(0))
            continue
        if dom.is_Numerical:  # ZZ: exact quotient (``quo`` would floor-divide)
            res.append(sp.Rational(dom.to_sympy(p), dom.to_sympy(den)))
            continue
        pp, qq = p.cancel(den)
        res.append(canonical_fraction(dom, pp, qq))
    return res


def ridgeless_limit(expr: sp.Expr, rho: sp.Symbol) -> sp.Expr:
    """:math:`\\lim_{\\rho\\to0^+}` of a rational function of ``rho``."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    pn, pd = sp.Poly(num, rho), sp.Poly(den, rho)
    # lowest-order terms in rho
    tn = min(m[0] for m in pn.monoms()) if not pn.is_zero else None
    td = min(m[0] for m in pd.monoms())
    if tn is None:
        return sp.Integer(0)
    if tn < td:
        raise ValueError("ridge: the ridgeless limit diverges for this kernel and task")
    if tn > td:
        return sp.Integer(0)
    cn = pn.as_expr().coeff(rho, tn) if tn else pn.as_expr().subs(rho, 0)
    cd = pd.as_expr().coeff(rho, td) if td else pd.as_expr().subs(rho, 0)
    return sp.cancel(cn / cd)


class ExprBuilder:
    """Ring elements to SymPy expressions, reusing monomials and repeated polynomials."""

    def __init__(self, dom):
        self.dom = dom
        self.gens = dom.symbols
        self.monos: dict = {}
        self.polys: dict = {}

    def __call__(self, P) -> sp.Expr:
        key = tuple(sorted(P.items()))
        hit = self.polys.get(key)
        if hit is not None:
            return hit
        K = self.dom.domain
        terms, const = [], None
        for m, c in P.items():
            mono = self.monos.get(m)
            if mono is None:
                mono = self.monos[m] = sp.Mul(*[g**e for g, e in zip(self.gens, m) if e])
            c = K.to_sympy(c)
            if mono == 1:
                const = c
            elif c == 1:
                terms.append(mono)
            else:
                # the canonical Mul of a rational and a monomial: coefficient first
                terms.append(sp.Mul._from_args((c,) + (mono.args if mono.is_Mul else (mono,)), is_commutative=True))
        if not terms:
            out = const if const is not None else sp.Integer(0)
        elif len(terms) == 1 and const is None:
            out = terms[0]
        else:
            # what Add.flatten would build for distinct monomials: terms in canonical
            # order, the constant first -- without its assumption queries
            _addsort(terms)
            if const is not None:
                terms.insert(0, const)
            out = sp.Add._from_args(tuple(terms), is_commutative=True)
        self.polys[key] = out
        return out


def canonical_fraction(dom, N, D, build=None) -> sp.Expr:
    """``N/D`` (coprime ring elements) as ``(p*N')/(q*D')`` with ``N'``, ``D'``
    primitive integer polynomials and ``D'`` of positive leading coefficient."""
    build = build or dom.to_sympy
    K = dom.domain
    cN, N = N.clear_denoms()
    cD, D = D.clear_denoms()
    gN, N = N.primitive()
    gD, D = D.primitive()
    c = sp.Rational(K.to_sympy(cD)) * K.to_sympy(gN) / (sp.Rational(K.to_sympy(cN)) * K.to_sympy(gD))
    if D.LC < 0:
        D, c = -D, -c
    if c.q != 1:
        D = D * dom.convert(c.q)
    if c.p != 1:
        N = N * dom.convert(c.p)
    return build(N) / build(D)
