"""``symti bench``: benchmarks, as ratios against in-process baselines, with their spread."""
from __future__ import annotations

import json

from ..bench import available, run_benchmarks
from ..cliargs import UsageError, table

NAME = "bench"
HELP = "benchmarks as ratios against in-process baselines (median and range over repeats)"
ORDER = 90


def add_arguments(p) -> None:
    p.add_argument("--only", default=None, metavar="NAME", help="run one benchmark")
    p.add_argument("--format", choices=["json", "table", "markdown"], default="table",
                   help="markdown: the README's benchmark table")
    p.add_argument("--list", action="store_true", help="list benchmark names")
    p.add_argument("--quick", action="store_true", help="small sizes (seconds; for tests, not for numbers)")
    p.add_argument("--repeat", default=None, metavar="K",
                   help="timing samples per side (default: each benchmark's own, 2 to 7)")


def _repeat(value):
    if value is None:
        return None
    try:
        k = int(value)
    except ValueError:
        raise UsageError(f"--repeat: expected an integer from 1 to 100, got {value!r}") from None
    if not 1 <= k <= 100:
        raise UsageError(f"--repeat: expected an integer from 1 to 100, got {k}")
    return k


def _secs(r, key) -> str:
    return f"{r[key]:.3g} [{r[key + '_min']:.3g}-{r[key + '_max']:.3g}]"


def _fmt(x: float) -> str:
    """Seconds with a unit that keeps 2-3 significant digits."""
    if x < 1e-3:
        return f"{x * 1e6:.3g} µs"
    if x < 1:
        return f"{x * 1e3:.3g} ms"
    return f"{x:.3g} s"


def markdown(results: list[dict]) -> str:
    """The results as the README's table: times and ratios as median [min-max]."""
    lines = ["| benchmark | fast route | time | baseline | baseline time | ratio | agree |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        rate = f"; {r['margins_per_second']:.2g} margins/s" if "margins_per_second" in r else ""
        lines.append(
            f"| `{r['name']}` | {r['fast']} | {_fmt(r['seconds'])} [{_fmt(r['seconds_min'])}-{_fmt(r['seconds_max'])}]{rate} "
            f"| {r['baseline']} | {_fmt(r['baseline_seconds'])} [{_fmt(r['baseline_seconds_min'])}-"
            f"{_fmt(r['baseline_seconds_max'])}] | {r['ratio']:.3g}x [{r['ratio_min']:.3g}-{r['ratio_max']:.3g}] "
            f"| {'yes' if r['agree'] else 'NO'} |")
    return "\n".join(lines)


def run(args) -> str:
    repeat = _repeat(args.repeat)
    if args.list:
        return "\n".join(available())
    if args.only is not None and args.only not in available():
        raise UsageError(f"--only: unknown benchmark {args.only!r}; choose one of {', '.join(available())}")
    results = run_benchmarks(only=args.only, progress=(args.format == "table"), quick=args.quick, repeat=repeat)
    if args.format == "json":
        return json.dumps(results, indent=1)
    if args.format == "markdown":
        return markdown(results)
    rows = [
        {"name": r["name"], "seconds": _secs(r, "seconds"), "baseline_seconds": _secs(r, "baseline_seconds"),
         "ratio": f"{r['ratio']:.3g}x [{r['ratio_min']:.3g}-{r['ratio_max']:.3g}]", "repeat": r["repeat"],
         "agree": r["agree"]}
        for r in results
    ]
    out = table(rows, ["name", "seconds", "baseline_seconds", "ratio", "repeat", "agree"])
    notes = [f"{r['name']}: {r['fast']}\n  baseline: {r['baseline']}" for r in results]
    legend = ("seconds: median [min-max] per call over the repeats; "
              "ratio: baseline median / fast median [range of the ratios of paired repeats]")
    return out + "\n\n" + legend + "\n" + "\n".join(notes)
