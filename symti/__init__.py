"""symti: exact and closed-form kernel ridge regression on transitive inference.

>>> from symti import Task, AlphaKernel, solve_exact
>>> solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel("1/10"))[3, 6] > 0
True
"""
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
from .predictions import Predictions
from .exact import solve_exact
from .rank import rank_vector

__version__ = "0.1.0"

_SUBMODULES = (
    "analysis", "bench", "cli", "closed_form", "derivation", "dynamics", "evaluate", "exact", "green",
    "kernels", "latex", "llm", "networks", "numeric", "rank", "report",
)


def __getattr__(name):
    """Import submodules on first use: ``symti.closed_form``, ``symti.llm``, ..."""
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
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
