r"""The JSON document of ``symti thresholds``: every test pair's wrong set in
:math:`\alpha`, endpoints as decimal strings (:mod:`symti.analysis.thresholds`).

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
from __future__ import annotations

from .._validate import check_digits, check_ridge, display_number
from ..analysis.thresholds import thresholds
from ..task import Task

__all__ = ["thresholds_report"]


def thresholds_report(task: Task, ridge=0, digits: int = 17, kernel=None) -> dict:
    r"""The JSON document of ``symti thresholds``.

    ``{"n", "exceptions", "ridge", "critical_alpha", "pairs": [{"i", "j",
    "category", "alpha_star", "wrong_set"}]}``: every untrained pair with
    ground truth once (``i < j``), ``alpha_star`` the infimum of its wrong
    set (``None`` if never wrong), ``wrong_set`` a list of ``[lo, hi]``
    open intervals; numbers as decimal strings with ``digits`` significant
    digits.

    With ``kernel`` (a kernel with :math:`\kappa_1 = \kappa_2` and no free symbol) the
    thresholds are those of its :math:`K_{\alpha'}` at ridge :math:`\rho' = \rho/(1 - \kappa_s)`
    (``ExchangeableKernel.reduced_alpha_ridge``, derivations/theory.md §2), and the
    document adds ``"kernel"``, ``"alpha_eff"``, ``"ridge_eff"`` and ``"wrong_at_kernel"``
    (the pairs wrong at :math:`\alpha'`).

    >>> r = thresholds_report(Task(9, exceptions=[(4, 6)]), digits=6)
    >>> r["critical_alpha"], r["pairs"][0]
    ('0.131483', {'i': 1, 'j': 3, 'category': 'within', 'alpha_star': None, 'wrong_set': []})
    >>> from symti import ExchangeableKernel
    >>> r = thresholds_report(Task(9, exceptions=[(4, 6)]), "1/10", 6, ExchangeableKernel(0, "1/4", "1/4", 0, 0))
    >>> r["alpha_eff"], r["ridge_eff"], r["wrong_at_kernel"]
    ('1/2', '1/10', [[2, 6], [3, 5], [3, 6], [3, 7], [4, 7], [4, 8], [5, 7]])
    """
    digits = check_digits(digits)
    extra, given = {}, check_ridge(ridge)
    if kernel is not None:
        ridge, extra = _reduce(kernel, given)
    T = thresholds(task, ridge)
    if kernel is not None:
        a = extra.pop("_alpha")
        extra["wrong_at_kernel"] = [list(p) for p in T.wrong_at(a)] if 0 < a < 1 else None
    c = T.critical_alpha
    return {**_head(task, given, c, digits), **extra, "pairs": _pairs(T, digits)}


def _reduce(kernel, ridge):
    """The ridge of the reduced K_alpha and the document's kernel fields."""
    import sympy as sp

    from ..kernels.trial import ExchangeableKernel

    if kernel.free_symbols:
        raise ValueError("kernel: thresholds need a kernel without free symbols (use solved_region for a parameter)")
    if not (isinstance(kernel, ExchangeableKernel) and kernel.swap_invariant and kernel.kappa_s != 1):
        raise ValueError("kernel: thresholds in alpha need a kernel with kappa_1 == kappa_2 and kappa_s < 1 "
                         "(it reduces to K_alpha)")
    a, r = kernel.reduced_alpha_ridge(ridge)
    shown = str(a) if a.is_Rational else str(sp.N(a, 20))
    if not a.is_Rational:  # e.g. a network's alpha with pi and arccos: a 40-digit rational stands in
        a = sp.Rational(str(sp.N(a, 40)))
    if not r.is_Rational:
        r = sp.Rational(str(sp.N(r, 40)))
    return r, {"kernel": str(kernel), "alpha_eff": shown, "ridge_eff": str(r), "_alpha": a}


def _head(task, ridge, c, digits):
    return {
        "n": task.n,
        "exceptions": [list(e) for e in task.exceptions],
        "ridge": display_number(ridge),
        "critical_alpha": None if c is None else c.decimal(digits),
    }


def _pairs(T, digits):
    return [
        {
            "i": p.i,
            "j": p.j,
            "category": p.category,
            "alpha_star": None if p.alpha_star is None else p.alpha_star.decimal(digits),
            "wrong_set": [[lo.decimal(digits), hi.decimal(digits)] for lo, hi in p.wrong_set],
        }
        for p in T.pairs
    ]
