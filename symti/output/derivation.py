r"""Self-checking derivations that also write their LaTeX.

A derivation in ``derivations/`` is a short script that reads as a document:
each :meth:`Derivation.step` states a claim, derives it with SymPy, asserts it
with :meth:`Step.check`, and records the LaTeX of what it showed with
:meth:`Step.equation` / :meth:`Step.text`.  :meth:`Derivation.write` emits a
LaTeX fragment (``derivations/latex/<slug>.tex``).  A failing check raises
:class:`DerivationError` naming the step.

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> doc = Derivation("Demo", "demo")
>>> with doc.step("The binomial formula") as s:
...     s.check_zero(sp.expand((x + 1)**2) - (x**2 + 2*x + 1), "binomial")
...     s.equation((x + 1)**2, x**2 + 2*x + 1)
>>> print(doc.latex().splitlines()[0])
\section*{Demo}

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md``, the introduction to the derivations (chapters
   01-08 prove its claims).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import sympy as sp

from ..analysis.identities import decide_identity

__all__ = ["Derivation", "Step", "DerivationError", "UndecidedIdentityError", "exp_identity_is_zero"]


def exp_identity_is_zero(expr, **budget) -> bool:
    r"""Yes/no check of an exponential-polynomial identity :math:`E = 0`, for derivations.

    A thin wrapper of the three-valued
    :func:`symti.analysis.identities.decide_identity` (``Piecewise`` split by
    case, hyperbolics as exponentials, expanded numerator; ``budget`` passes
    ``max_terms``, ``max_cases``, ``timeout``, ``points``, ``dps``, ``seed``):

    * ``"proved"`` -> ``True``;
    * ``"disproved"`` (a certified nonzero witness exists) -> ``False``;
    * ``"undecided"`` -> raises :class:`UndecidedIdentityError` (with the
      reason): an identity that could not be decided is never reported false
      (nor true).

    >>> x, y = sp.symbols("x y", positive=True)
    >>> exp_identity_is_zero(sp.sinh(x + y) - sp.sinh(x)*sp.cosh(y) - sp.cosh(x)*sp.sinh(y))
    True
    >>> exp_identity_is_zero(sp.cosh(2*x) - 1)
    False
    >>> exp_identity_is_zero(sp.gamma(x + 1) - x*sp.gamma(x))
    Traceback (most recent call last):
    ...
    symti.output.derivation.UndecidedIdentityError: identity undecided: the numerator does not vanish identically in the expression; no certified nonzero value at 12 random points
    """
    r = decide_identity(expr, **budget)
    if r.status == "proved":
        return True
    if r.status == "disproved":
        return False
    raise UndecidedIdentityError(f"identity undecided: {r.reason}", r)


class DerivationError(AssertionError):
    """A claim of a derivation step did not hold."""


class UndecidedIdentityError(DerivationError):
    """:func:`exp_identity_is_zero` could neither prove nor disprove the identity
    (``.result`` is the :class:`~symti.analysis.identities.IdentityResult`)."""

    def __init__(self, message: str, result=None):
        super().__init__(message)
        self.result = result


class Step:
    def __init__(self, claim: str):
        self.claim = claim
        self.parts: list[str] = []
        self.checks = 0

    def check(self, condition, what: str = "") -> None:
        """Assert ``condition`` (a bool or a SymPy relation that must be True)."""
        ok = bool(condition) if not isinstance(condition, sp.Basic) else condition is sp.true
        if not ok:
            raise DerivationError(f"step {self.claim!r}: check failed: {what}")
        self.checks += 1

    def check_zero(self, expr, what: str = "") -> None:
        """Assert that ``expr`` simplifies to zero."""
        e = sp.simplify(sp.sympify(expr))
        if e != 0:
            raise DerivationError(f"step {self.claim!r}: {what or 'expression'} is not zero: {e}")
        self.checks += 1

    def equation(self, lhs, rhs=None, *, label: str | None = None) -> None:
        """Record ``lhs = rhs`` (or a single expression / LaTeX string) as display math."""
        tex = lhs if isinstance(lhs, str) else sp.latex(lhs)
        if rhs is not None:
            tex += " = " + (rhs if isinstance(rhs, str) else sp.latex(rhs))
        lab = f"\\label{{{label}}}" if label else ""
        self.parts.append(f"\\begin{{equation}}{lab}\n{tex}\n\\end{{equation}}")

    def text(self, s: str) -> None:
        self.parts.append(s)


class Derivation:
    def __init__(self, title: str, slug: str):
        self.title, self.slug = title, slug
        self.steps: list[Step] = []

    @contextlib.contextmanager
    def step(self, claim: str):
        s = Step(claim)
        yield s
        self.steps.append(s)

    def latex(self) -> str:
        out = [f"\\section*{{{self.title}}}"]
        for k, s in enumerate(self.steps, 1):
            out.append(f"\\paragraph{{Step {k}.}} {s.claim}")
            out.extend(s.parts)
        return "\n\n".join(out) + "\n"

    def write(self, outdir: str | os.PathLike | None = None) -> Path:
        """Write the LaTeX fragment; default folder ``$SYMTI_LATEX_DIR`` or ``derivations/latex``."""
        outdir = Path(outdir or os.environ.get("SYMTI_LATEX_DIR") or Path.cwd() / "derivations" / "latex")
        outdir.mkdir(parents=True, exist_ok=True)
        path = outdir / f"{self.slug}.tex"
        path.write_text(self.latex())
        return path

    def summary(self) -> str:
        n = sum(s.checks for s in self.steps)
        return f"{self.title}: {len(self.steps)} steps, {n} checks passed"
