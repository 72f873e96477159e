"""Benchmarks: each times a fast route against a baseline in the same process.

A benchmark is a function registered with :func:`benchmark` that returns
``{"seconds", "baseline", "baseline_seconds", "agree"}``; the runner adds
``name`` and ``ratio = baseline_seconds / seconds``.  Benchmark modules are
listed in :data:`MODULES` and imported on demand, so ``import symti`` stays
cheap.  Run them with ``symti bench`` (``--only NAME``, ``--format json``).

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import importlib
import sys
import time
from typing import Callable

__all__ = ["benchmark", "available", "run_benchmarks", "timed", "MODULES"]

MODULES = ("symti.output.benchmarks.core", "symti.output.benchmarks.closed")

_REGISTRY: dict[str, Callable[[], dict]] = {}


def benchmark(name: str):
    """Register ``fn`` as the benchmark ``name``."""

    def deco(fn):
        _REGISTRY[name] = fn
        return fn

    return deco


def _load() -> None:
    for mod in MODULES:
        importlib.import_module(mod)


def available() -> list[str]:
    _load()
    return list(_REGISTRY)


def timed(fn, *args, repeat: int = 3, **kwargs):
    """``(result, seconds)``: the best of ``repeat`` calls, by ``time.perf_counter``."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - t0)
    return out, best


def run_benchmarks(only: str | None = None, progress: bool = False) -> list[dict]:
    _load()
    names = [only] if only else list(_REGISTRY)
    results = []
    for name in names:
        if progress:
            print(f"running {name} ...", file=sys.stderr, flush=True)
        r = _REGISTRY[name]()
        results.append(
            {
                "name": name,
                "seconds": r["seconds"],
                "baseline": r["baseline"],
                "baseline_seconds": r["baseline_seconds"],
                "ratio": r["baseline_seconds"] / r["seconds"] if r["seconds"] > 0 else float("inf"),
                "agree": bool(r["agree"]),
                **{k: v for k, v in r.items() if k not in {"seconds", "baseline", "baseline_seconds", "agree"}},
            }
        )
    return results
