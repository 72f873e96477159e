"""``symti thresholds``: the conjunctivity at which each test pair goes wrong."""
from __future__ import annotations

import json

from ..cliargs import UsageError, add_task_args, digits_option, ridge_option, table, task_from_args
from ..threshold_report import thresholds_report

NAME = "thresholds"
HELP = "alpha at which each test pair goes wrong"
ORDER = 30


def add_arguments(p) -> None:
    add_task_args(p)


def run(args) -> str:
    task = task_from_args(args)
    ridge, digits = ridge_option(args.ridge), digits_option(17 if args.digits is None else args.digits)
    if not task.exceptions:
        raise UsageError("--exception: thresholds need a task with at least one exception (TI alone is never wrong)")
    payload = thresholds_report(task, ridge=ridge, digits=digits)
    if args.format == "json":
        return json.dumps(payload, indent=1)
    rows = [
        {**r, "alpha_star": r["alpha_star"] or "never",
         "wrong_set": " U ".join(f"({lo}, {hi})" for lo, hi in r["wrong_set"]) or "-"}
        for r in payload["pairs"]
    ]
    head = (f"n={payload['n']} exceptions={payload['exceptions']} ridge={payload['ridge']} "
            f"critical_alpha={payload['critical_alpha'] or 'never'}")
    return head + "\n" + table(rows, ["i", "j", "category", "alpha_star", "wrong_set"])
