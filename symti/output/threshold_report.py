r"""The JSON document of ``symti thresholds``: every test pair's wrong set in
:math:`\alpha`, endpoints as decimal strings (:mod:`symti.analysis.thresholds`).

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
from __future__ import annotations

from .._validate import check_digits
from ..analysis.thresholds import thresholds
from ..task import Task

__all__ = ["thresholds_report"]


def thresholds_report(task: Task, ridge=0, digits: int = 17) -> dict:
    r"""The JSON document of ``symti thresholds``.

    ``{"n", "exceptions", "ridge", "critical_alpha", "pairs": [{"i", "j",
    "category", "alpha_star", "wrong_set"}]}``: every untrained pair with
    ground truth once (``i < j``), ``alpha_star`` the infimum of its wrong
    set (``None`` if never wrong), ``wrong_set`` a list of ``[lo, hi]``
    open intervals; numbers as decimal strings with ``digits`` significant
    digits.

    >>> r = thresholds_report(Task(9, exceptions=[(4, 6)]), digits=6)
    >>> r["critical_alpha"], r["pairs"][0]
    ('0.131483', {'i': 1, 'j': 3, 'category': 'within', 'alpha_star': None, 'wrong_set': []})
    """
    digits = check_digits(digits)
    T = thresholds(task, ridge)
    c = T.critical_alpha
    return {
        "n": task.n,
        "exceptions": [list(e) for e in task.exceptions],
        "ridge": str(T.ridge),
        "critical_alpha": None if c is None else c.decimal(digits),
        "pairs": [
            {
                "i": p.i,
                "j": p.j,
                "category": p.category,
                "alpha_star": None if p.alpha_star is None else p.alpha_star.decimal(digits),
                "wrong_set": [[lo.decimal(digits), hi.decimal(digits)] for lo, hi in p.wrong_set],
            }
            for p in T.pairs
        ],
    }
