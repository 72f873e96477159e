r"""``symti region``: the open intervals of the parameter where the task is solved.

A task is solved when every test pair has the sign of its truth and every
trained trial is fit with its target's sign (ties fail;
derivations/theory.md §5, :mod:`symti.analysis.region`).  Without ``--kernel``
the parameter is :math:`\alpha` of :math:`K_\alpha`.  ``--kernel SPEC`` with a
fixed kernel reports ``"solved"`` (a kernel with :math:`\kappa_1 = \kappa_2`
through its :math:`K_{\alpha'}`, ridge :math:`\rho'`, also given as ``alpha_eff``,
``ridge_eff``) and no intervals.

JSON: ``{"n", "exceptions", "ridge", "parameter", "intervals": [[lo, hi], ...],
"intervals_exact": [[lo, hi], ...], "solved"}``; decimals with ``--digits``
significant digits (default 17, correct digits from certified root refinement),
exact forms as rationals, radicals or ``root of P in [lo, hi]`` (never ``CRootOf``).
"""
from __future__ import annotations

import json

import sympy as sp

from ..._validate import display_number, format_decimal

from ...analysis.region import MAX_N_REGION, solved_region
from ..cliargs import UsageError, add_kernel_arg, add_task_args, digits_option, kernel_from_args, ridge_option, table, task_from_args

NAME = "region"
HELP = "the conjunctivities (or kernel parameter) where the task is solved"
ORDER = 35


def add_arguments(p) -> None:
    add_task_args(p)
    add_kernel_arg(p)


def region_payload(task, ridge, kernel, digits: int) -> dict:
    """The JSON document of ``symti region``."""
    try:
        R = solved_region(task, ridge, kernel)
    except ValueError as exc:
        raise UsageError(f"--kernel: {exc}" if kernel is not None else f"--n: {exc}") from None
    doc = {
        "n": task.n,
        "exceptions": [list(e) for e in task.exceptions],
        "ridge": display_number(R.ridge),
        "parameter": None if R.parameter is None else str(R.parameter),
        "intervals": [[a.decimal(digits), b.decimal(digits)] for a, b in R.intervals],
        "intervals_exact": [[a.exact_form(), b.exact_form()] for a, b in R.intervals],
        "solved": R.solved if R.parameter is None else bool(R.intervals),
    }
    if kernel is not None:
        doc["kernel"] = str(kernel)
    if R.reduced is not None:  # exact when rational, else a decimal (a network's alpha' holds pi, arccos)
        doc["alpha_eff"], doc["ridge_eff"] = (str(x) if sp.sympify(x).is_Rational else format_decimal(x, digits)
                                              for x in R.reduced)
    return doc


def run(args) -> str:
    task = task_from_args(args, limit=MAX_N_REGION)
    ridge = ridge_option(args.ridge)
    digits = digits_option(17 if args.digits is None else args.digits)
    kernel = kernel_from_args(args)
    doc = region_payload(task, ridge, kernel, digits)
    if args.format == "json":
        return json.dumps(doc, indent=1)
    head = f"n={doc['n']} exceptions={doc['exceptions']} ridge={doc['ridge']}"
    if doc["parameter"] is None:
        extra = "".join(f" {k}={doc[k]}" for k in ("alpha_eff", "ridge_eff") if k in doc)
        return f"{head} kernel={doc.get('kernel')}{extra}\nsolved: {'yes' if doc['solved'] else 'no'}"
    def short(text: str) -> str:  # long exact forms (high-degree roots) belong to --format json
        return text if len(text) <= 40 else "(exact form: --format json)"

    rows = [{"lo": lo, "hi": hi, "lo_exact": short(el), "hi_exact": short(eh)}
            for (lo, hi), (el, eh) in zip(doc["intervals"], doc["intervals_exact"])]
    body = table(rows, ["lo", "hi", "lo_exact", "hi_exact"]) if rows else "never solved"
    return f"{head} parameter={doc['parameter']}\n{body}"
