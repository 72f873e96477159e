"""``symti compare``: the theory fitted to behavioural data (alpha, and a ridge scale for ridge sweeps).

For a CSV in the schema of ``symti/data/README.md`` (default: the packaged
LoRA / probe data of Cheng & Lippl 2026, arXiv:2605.22972) each hierarchy's
task is inferred from the data, and per condition (hierarchy, task, model,
setting, LoRA rank) the conjunctivity alpha -- and for a probe's ridge sweep a
ridge scale c with rho = c * l2_reg -- is fitted by the Spearman correlation
between the theory's margin in the direction of the ground truth and the
accuracy (``symti.analysis.fit``; derivations/theory.md §5).
"""
from __future__ import annotations

import json

from ...analysis.llm import SETTINGS, compare_behaviour, fit_spread, read_pairs
from ..cliargs import UsageError, table

NAME = "compare"
HELP = "fit the theory (alpha, ridge scale) to behavioural data and compare"
ORDER = 60


def add_arguments(p) -> None:
    p.add_argument("--data", metavar="FILE.csv", default=None,
                   help="behavioural CSV (default: the packaged symti/data/adapted_pairs_n9.csv)")
    p.add_argument("--setting", choices=SETTINGS, default=None, help="keep one setting (default: all)")
    p.add_argument("--hier", action="append", help="keep these hierarchies (repeatable)")
    p.add_argument("--task", action="append", help="keep these tasks (repeatable)")
    p.add_argument("--model", action="append", help="keep these models (repeatable)")
    p.add_argument("--phase", default="post", help="phase to compare (default: post)")
    p.add_argument("--format", choices=["table", "json"], default="table")


def _pairs(ps) -> str:
    return " ".join(f"({i},{j})" for i, j in ps) or "-"


def _num(x, fmt="{:.3g}") -> str:
    return "-" if x is None else fmt.format(x)


def payload(args) -> dict:
    try:
        records = read_pairs(args.data, setting=args.setting, phase=args.phase, hier=args.hier, task=args.task,
                             model=args.model)
    except ValueError as exc:
        raise UsageError("--data: " + str(exc).removeprefix("path: ")) from None
    if not records:
        raise UsageError("--data: no rows match the filters (--setting, --hier, --task, --model, --phase)")
    try:
        rows = compare_behaviour(records)
    except ValueError as exc:
        raise UsageError("--data: " + str(exc).removeprefix("records: ")) from None
    for r in rows:
        for w in r["wrong_sets"]:
            w["models_wrong"] = [list(p) for p in w["models_wrong"]]
            w["theory_wrong"] = [list(p) for p in w["theory_wrong"]]
    return {
        "data": str(args.data) if args.data else "symti/data/adapted_pairs_n9.csv",
        "setting": args.setting, "phase": args.phase,
        "criterion": "spearman(y * f, accuracy) over every ordered pair with ground truth and every l2_reg",
        "conditions": rows,
        "by_model": fit_spread(rows, "model"),
        "by_task": fit_spread(rows, "task"),
        "by_hier": fit_spread(rows, "hier"),
    }


def run(args) -> str:
    data = payload(args)
    if args.format == "json":
        return json.dumps(data, indent=1)
    rows = []
    for r in data["conditions"]:
        first = r["wrong_sets"][0] if r["wrong_sets"] else {}
        rows.append({
            "hier": r["hier"], "task": r["task"], "model": r["model"], "setting": r["setting"],
            "lora_r": _num(r["lora_r"], "{:g}"), "alpha": _num(r["alpha"]), "ridge_scale": _num(r["ridge_scale"]),
            "spearman": _num(r["spearman"]), "wrong_jaccard": _num(r["wrong_jaccard"], "{:.2f}"),
            "models_wrong": _pairs(first.get("models_wrong", [])), "theory_wrong": _pairs(first.get("theory_wrong", [])),
        })
    cols = ["hier", "task", "model", "setting", "lora_r", "alpha", "ridge_scale", "spearman", "wrong_jaccard",
            "models_wrong", "theory_wrong"]
    lines = [f"symti compare: {data['data']}, phase {data['phase']}; {data['criterion']}",
             "rho = ridge_scale * l2_reg; wrong sets at the smallest l2_reg (models: accuracy < 1/2)", "",
             table(rows, cols)]
    for by in ("model", "task", "hier"):
        lines += ["", f"fitted parameters by {by} (min / median / max):"]
        for s in data[f"by_{by}"]:
            parts = [f"{p} {s[p]['min']:.3g} / {s[p]['median']:.3g} / {s[p]['max']:.3g}"
                     for p in ("alpha", "ridge_scale", "spearman") if s[p]]
            lines.append(f"  {s[by]} ({s['conditions']} conditions): " + "; ".join(parts))
    return "\n".join(lines)
