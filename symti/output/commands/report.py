"""``symti report``: the main job -- predictions, errors and thresholds for a task."""
from __future__ import annotations

from ..cliargs import add_task_args, alpha_option, digits_option, ridge_option, task_from_args
from ..report import report

NAME = "report"
HELP = "the main job: predictions, errors and thresholds"
ORDER = 10


def add_arguments(p) -> None:
    add_task_args(p)
    p.add_argument("--alpha", action="append", help="conjunctivity values to tabulate (repeatable)")


def run(args) -> str:
    task = task_from_args(args)
    ridge, digits = ridge_option(args.ridge), digits_option(4 if args.digits is None else args.digits)
    alphas = [alpha_option(a) for a in (args.alpha or ["1/10", "1/5", "1/2"])]
    return report(task, alphas=alphas, ridge=ridge, digits=digits, fmt=args.format)
