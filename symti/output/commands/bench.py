"""``symti bench``: benchmarks, as ratios against baselines run in the same process."""
from __future__ import annotations

import json

from ..bench import available, run_benchmarks
from ..cliargs import UsageError, table

NAME = "bench"
HELP = "benchmarks as ratios against in-process baselines"
ORDER = 90


def add_arguments(p) -> None:
    p.add_argument("--only", default=None, metavar="NAME", help="run one benchmark")
    p.add_argument("--format", choices=["json", "table"], default="table")
    p.add_argument("--list", action="store_true", help="list benchmark names")


def run(args) -> str:
    if args.list:
        return "\n".join(available())
    if args.only is not None and args.only not in available():
        raise UsageError(f"--only: unknown benchmark {args.only!r}; choose one of {', '.join(available())}")
    results = run_benchmarks(only=args.only, progress=(args.format == "table"))
    if args.format == "json":
        return json.dumps(results, indent=1)
    rows = [
        {"name": r["name"], "seconds": f"{r['seconds']:.4g}", "baseline": r["baseline"],
         "baseline_seconds": f"{r['baseline_seconds']:.4g}", "ratio": f"{r['ratio']:.1f}x", "agree": r["agree"]}
        for r in results
    ]
    return table(rows, ["name", "seconds", "baseline", "baseline_seconds", "ratio", "agree"])
