"""symti: exact and closed-form kernel ridge regression on transitive inference.

>>> from symti import Task, AlphaKernel, solve_exact
>>> solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel("1/10"))[3, 6] > 0
True

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md``, the introduction to the derivations (§1-§5).
"""
import importlib

from .kernels import (
    AlphaKernel,
    ConcatOneHot,
    ExchangeableKernel,
    FeatureMapKernel,
    ItemEmbedding,
    SimilarityKernel,
    TensorOneHot,
    TrialKernel,
    check_psd,
    geometric_similarity,
)
from .task import CATEGORIES, Task, default_task
from .solve import Predictions, rank_vector, solve_exact

__version__ = "0.1.0"

#: Layers and modules reachable as attributes (``symti.closed_form``, ``symti.llm``, ...).
_SUBMODULES = {
    "params": "symti.params", "task": "symti.task", "kernels": "symti.kernels", "solve": "symti.solve",
    "closed_form": "symti.closed_form", "analysis": "symti.analysis", "output": "symti.output",
    "llm": "symti.analysis.llm", "plot": "symti.output.plot",
}


#: Functions reachable at the top, imported on first use: ``symti.derive(task, kernel)``
#: (the derivation document) and ``symti.verify(task, pair, ...)`` (prove or refute a claim).
_FUNCTIONS = {"derive": "symti.output.derive", "verify": "symti.analysis.verify"}


def __getattr__(name):
    """Import layers on first use: ``symti.closed_form``, ``symti.analysis``, ``symti.llm``, ...;
    and the functions of ``_FUNCTIONS`` (``symti.derive``, ``symti.verify``)."""
    if name in _SUBMODULES:
        return importlib.import_module(_SUBMODULES[name])
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name]), name)
    raise AttributeError(f"module 'symti' has no attribute {name!r}")

__all__ = [
    "Task",
    "default_task",
    "CATEGORIES",
    "TrialKernel",
    "ExchangeableKernel",
    "AlphaKernel",
    "SimilarityKernel",
    "FeatureMapKernel",
    "ConcatOneHot",
    "TensorOneHot",
    "ItemEmbedding",
    "geometric_similarity",
    "check_psd",
    "Predictions",
    "solve_exact",
    "rank_vector",
]
