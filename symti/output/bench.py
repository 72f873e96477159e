r"""Benchmarks that hold still: a fast route against a named baseline, timed
alternately in the same process, with the spread over repeats.

A benchmark is a function registered with :func:`benchmark`; called with
``quick`` (small sizes, for tests) it returns a :class:`Case`: the fast
callable and what it computes, the baseline callable and *what a user would
otherwise run*, how many calls make one timing sample, and an ``agree``
function that compares the two results -- or each with an independent route
-- after all timing is done (nothing is asserted or compared inside a timed
region).

:func:`run_case` times the sides alternately (fast, baseline, fast, ...), so
that both see the same load, ``repeat`` samples each (after one untimed warm-up
call per side unless ``warmup=False``), and reports per side the minimum, median
and maximum seconds per call; ``ratio`` is the baseline's median over the fast
route's median, and ``ratio_min``, ``ratio_max`` the range of the ratios
:math:`b_k / f_k` of the paired samples.  BLAS runs on one thread (``blas_threads``)
for both sides: on a shared machine a multi-threaded BLAS made a baseline's time
jump by more than 2x between runs.  ``baseline_spread`` = max/min of the
baseline's samples shows whether the baseline holds still (the criterion: below
2).  Benchmark modules are listed in :data:`MODULES` and imported on demand, so
``import symti`` stays cheap.  Run them with ``symti bench`` (``--only NAME``,
``--format json``, ``--quick``, ``--repeat K``).

>>> case = Case(fast=lambda: sum(range(10)), fast_what="sum of a range",
...             baseline=lambda: sum(list(range(10))), baseline_what="sum of a list",
...             agree=lambda f, b: (f == b, {}), repeat=3, number=10, baseline_number=10)
>>> r = run_case("toy", case)
>>> r["agree"], r["repeat"], r["seconds_min"] <= r["seconds"] <= r["seconds_max"]
(True, 3, True)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import contextlib
import gc
import importlib
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Case", "benchmark", "available", "run_case", "run_benchmarks", "MODULES", "KEYS"]

MODULES = ("symti.output.benchmarks.core", "symti.output.benchmarks.closed", "symti.output.benchmarks.scale")

#: The keys of every result, in order (``symti bench --format json``; benchmarks may add more).
KEYS = ("name", "fast", "seconds", "seconds_min", "seconds_max", "baseline", "baseline_seconds",
        "baseline_seconds_min", "baseline_seconds_max", "baseline_spread", "ratio", "ratio_min", "ratio_max",
        "repeat", "agree")

_REGISTRY: dict[str, Callable[[bool], "Case"]] = {}


@dataclass
class Case:
    """One benchmark, ready to time: see the module docstring.

    ``number`` / ``baseline_number``: calls per timing sample (for sub-millisecond
    routes); ``repeat`` samples per side (``baseline_repeat`` if the baseline needs
    fewer); ``agree(fast_result, baseline_result) -> (bool, details)`` runs after the
    timing, on the results of the last samples; ``extra`` goes into the result as is;
    ``warmup``: one untimed call per side first (imports, per-task caches).
    """

    fast: Callable[[], Any]
    fast_what: str
    baseline: Callable[[], Any]
    baseline_what: str
    agree: Callable[[Any, Any], tuple]
    repeat: int = 3
    number: int = 1
    baseline_number: int = 1
    extra: dict = field(default_factory=dict)
    warmup: bool = True


def benchmark(name: str):
    """Register ``fn(quick: bool) -> Case`` as the benchmark ``name``."""

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


def _sample(fn: Callable[[], Any], number: int) -> tuple[Any, float]:
    """``(last result, seconds per call)`` over ``number`` calls (garbage collected before)."""
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(number):
        out = fn()
    return out, (time.perf_counter() - t0) / number


def _one_blas_thread():
    """A context that limits BLAS/OpenMP pools to one thread (threadpoolctl, installed with
    scikit-learn), and the number of threads it allows (``None``: unlimited, no threadpoolctl).

    On a shared 2-core machine a multi-threaded BLAS oversubscribes the cores: a dense
    sign scan took 37-82 s with the default pools and 1.6-2.2 s with one thread."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings it
        return contextlib.nullcontext(), None
    return threadpool_limits(limits=1), 1


def run_case(name: str, case: Case, repeat: int | None = None) -> dict:
    """Time ``case`` (alternating sides, ``repeat`` samples each, BLAS on one thread), then
    check agreement."""
    ctx, threads = _one_blas_thread()
    with ctx:
        result = _run_case(name, case, repeat)
    result["blas_threads"] = threads
    return result


def _run_case(name: str, case: Case, repeat: int | None) -> dict:
    k = max(1, int(repeat if repeat is not None else case.repeat))
    fast_t, base_t = [], []
    fast_out = base_out = None
    if case.warmup:  # one at a time: neither result is kept
        case.fast()
        case.baseline()
    for _ in range(k):
        fast_out = None  # the previous result is not kept alive while the next is built
        fast_out, t = _sample(case.fast, case.number)
        fast_t.append(t)
        base_out = None
        base_out, t = _sample(case.baseline, case.baseline_number)
        base_t.append(t)
    agree, details = case.agree(fast_out, base_out)  # after the timing, never inside it
    ratios = [b / f if f > 0 else float("inf") for f, b in zip(fast_t, base_t)]
    result = {
        "name": name,
        "fast": case.fast_what,
        "seconds": statistics.median(fast_t),
        "seconds_min": min(fast_t),
        "seconds_max": max(fast_t),
        "baseline": case.baseline_what,
        "baseline_seconds": statistics.median(base_t),
        "baseline_seconds_min": min(base_t),
        "baseline_seconds_max": max(base_t),
        "baseline_spread": max(base_t) / min(base_t) if min(base_t) > 0 else float("inf"),
        "ratio": statistics.median(base_t) / statistics.median(fast_t) if min(fast_t) > 0 else float("inf"),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "repeat": k,
        "agree": bool(agree),
    }
    result.update(case.extra)
    result.update(details)
    if "margins" in result and result["seconds"] > 0:  # throughput of the fast route
        result["margins_per_second"] = result["margins"] / result["seconds"]
    return result


def run_benchmarks(only: str | None = None, progress: bool = False, quick: bool = False,
                   repeat: int | None = None) -> list[dict]:
    """Run every benchmark (or ``only``); ``quick`` uses the small sizes meant for tests.

    Each result also carries ``peak_rss_mb``, the process's peak resident memory so far
    (``resource.getrusage``; a high-water mark over the whole run, not per benchmark)."""
    _load()
    names = [only] if only else list(_REGISTRY)
    results = []
    for name in names:
        if progress:
            print(f"running {name} ...", file=sys.stderr, flush=True)
        r = run_case(name, _REGISTRY[name](quick), repeat)
        r["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        results.append(r)
    return results
