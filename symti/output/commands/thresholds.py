r"""``symti thresholds``: the conjunctivity at which each test pair goes wrong.

Exact wrong sets in :math:`\alpha` (:mod:`symti.analysis.thresholds`); with
``--kernel SPEC`` (a kernel with :math:`\kappa_1 = \kappa_2`) those of its
:math:`K_{\alpha'}` at ridge :math:`\rho'`, with ``alpha_eff``, ``ridge_eff`` and the
pairs wrong at :math:`\alpha'` (``wrong_at_kernel``).
"""
from __future__ import annotations

import json

from ..cliargs import UsageError, add_kernel_arg, add_task_args, digits_option, kernel_from_args, ridge_option, table, task_from_args
from ..threshold_report import thresholds_report

NAME = "thresholds"
HELP = "alpha at which each test pair goes wrong"
ORDER = 30


def add_arguments(p) -> None:
    add_task_args(p)
    add_kernel_arg(p)


def run(args) -> str:
    task = task_from_args(args)
    ridge, digits = ridge_option(args.ridge), digits_option(17 if args.digits is None else args.digits)
    if not task.exceptions:
        raise UsageError("--exception: thresholds need a task with at least one exception (TI alone is never wrong)")
    kernel = kernel_from_args(args)
    try:
        payload = thresholds_report(task, ridge=ridge, digits=digits, kernel=kernel)
    except ValueError as exc:
        msg = str(exc)
        raise UsageError("--" + msg if msg.startswith("kernel") else msg) from None
    if args.format == "json":
        return json.dumps(payload, indent=1)
    rows = [
        {**r, "alpha_star": r["alpha_star"] or "never",
         "wrong_set": " U ".join(f"({lo}, {hi})" for lo, hi in r["wrong_set"]) or "-"}
        for r in payload["pairs"]
    ]
    head = (f"n={payload['n']} exceptions={payload['exceptions']} ridge={payload['ridge']} "
            f"critical_alpha={payload['critical_alpha'] or 'never'}")
    if "kernel" in payload:
        wrong = payload["wrong_at_kernel"]
        head += (f"\nkernel={payload['kernel']} alpha_eff={payload['alpha_eff']} ridge_eff={payload['ridge_eff']} "
                 f"wrong_at_kernel={' '.join(f'({i},{j})' for i, j in wrong) if wrong else '-'}")
    return head + "\n" + table(rows, ["i", "j", "category", "alpha_star", "wrong_set"])
