"""``symti predict``: the margin of every ordered pair, as a table or streamed JSON.

Methods: ``closed`` (the overflow-free closed form in float64; the default),
``exact`` (the exact rational solve), ``numeric`` (numpy on the trial Gram
matrix) and ``mpmath`` (at ``--digits`` + 10 digits).
"""
from __future__ import annotations

import json

import numpy as np

from ..._validate import format_decimal
from ...kernels.trial import AlphaKernel
from ...task import Task
from ..cliargs import (UsageError, add_task_args, alpha_option, as_float, digits_option, ridge_option, table,
                       task_from_args)

NAME = "predict"
HELP = "margins of every ordered pair"
ORDER = 20

#: Largest n of ``symti predict`` per method: it prints n(n - 1) pairs; ``numeric``
#: builds the trial Gram matrix of all pairs, ``exact`` and ``mpmath`` solve exactly
#: or at --digits + 10 digits.
MAX_N_PREDICT = {"closed": 1000, "exact": 100, "mpmath": 60, "numeric": 200}
#: Largest --digits of ``predict --method mpmath`` (the others only format: up to 10 000).
MAX_DIGITS_MPMATH = 1000


def add_arguments(p) -> None:
    add_task_args(p)
    p.add_argument("--alpha", default="1/5", help="conjunctivity in [0, 1] (default 1/5)")
    p.add_argument("--method", choices=["closed", "exact", "numeric", "mpmath"], default=None,
                   help="closed form (default), exact rational solve, numpy, or mpmath at --digits")


def _check_finite(M, method: str) -> None:
    """Refuse a float result that is not finite (never print NaN as a success)."""
    if not np.isfinite(M).all():
        raise UsageError(f"--method {method}: the float64 result is not finite for these parameters; "
                         "use --method exact or --method mpmath")


def _margins(task: Task, alpha, ridge, method: str, digits: int):
    """Margins of every ordered pair as decimal strings: a function ``(i, j) -> str``."""
    if method == "exact":
        from ...solve.exact import solve_exact

        P = solve_exact(task, AlphaKernel(alpha), ridge)
        return lambda i, j: format_decimal(P[i, j], digits)
    if method == "mpmath":
        from ...solve.numeric import solve_mpmath

        P = solve_mpmath(task, AlphaKernel(alpha), ridge, dps=digits + 10)
        return lambda i, j: format_decimal(P[i, j], digits)
    a, r = as_float(alpha, "--alpha", method), as_float(ridge, "--ridge", method)
    if method == "numeric":
        from ...solve.numeric import solve_numpy

        M = solve_numpy(task, AlphaKernel(alpha), ridge).to_numpy()
    else:
        from ...closed_form.evaluate import margin_matrix

        M = margin_matrix(task, a, r)
    _check_finite(M, method)
    return lambda i, j: format_decimal(float(M[i - 1, j - 1]), digits)


def predict_records(task: Task, alpha, ridge, method: str | None, digits: int):
    """``(header, records)`` of ``symti predict``: the header dictionary and an iterator
    over ``{"i", "j", "category", "target", "margin"}`` for every ordered pair."""
    method = method or "closed"
    limit = MAX_N_PREDICT[method]
    if task.n > limit:
        raise UsageError(f"--n: symti predict --method {method} allows n <= {limit} (about a minute and "
                         f"2 GB on 2 cores), got {task.n}")
    margin = _margins(task, alpha, ridge, method, digits)
    header = {"n": task.n, "exceptions": [list(e) for e in task.exceptions], "alpha": str(alpha),
              "ridge": str(ridge), "method": method}

    def records():
        for i, j in task.ordered_pairs():
            cat = task.category(i, j)
            yield {"i": i, "j": j, "category": cat, "target": None if cat == "cycle" else task.target(i, j),
                   "margin": margin(i, j)}

    return header, records()


def predict_payload(task: Task, alpha, ridge, method: str | None, digits: int) -> dict:
    """The JSON document of ``symti predict`` as one dictionary."""
    header, records = predict_records(task, alpha, ridge, method, digits)
    return {**header, "pairs": list(records)}


def run(args):
    task = task_from_args(args)
    alpha, ridge = alpha_option(args.alpha), ridge_option(args.ridge)
    digits = digits_option(17 if args.digits is None else args.digits)
    method = args.method or "closed"
    if method == "mpmath" and digits > MAX_DIGITS_MPMATH:
        raise UsageError(f"--digits: --method mpmath works at --digits + 10 digits and allows --digits <= "
                         f"{MAX_DIGITS_MPMATH}, got {digits}")
    if method in ("closed", "numeric") and digits > 17:
        raise UsageError(f"--digits: --method {method} computes in float64 (about 16 significant digits) and "
                         f"allows --digits <= 17, got {digits}; use --method exact or --method mpmath")
    header, records = predict_records(task, alpha, ridge, args.method, digits)
    if args.format == "json":  # streamed: n(n - 1) records never sit in memory as one document
        def lines():
            yield "{" + json.dumps(header)[1:-1] + ', "pairs": ['
            first = True
            for r in records:
                target = "null" if r["target"] is None else r["target"]
                yield (f'{"  " if first else ", "}{{"i": {r["i"]}, "j": {r["j"]}, "category": "{r["category"]}", '
                       f'"target": {target}, "margin": "{r["margin"]}"}}')
                first = False
            yield "]}"
        return lines()
    head = (f"n={header['n']} exceptions={header['exceptions']} alpha={header['alpha']} "
            f"ridge={header['ridge']} method={header['method']}")
    rows = [{**r, "target": "-" if r["target"] is None else r["target"]} for r in records]
    return head + "\n" + table(rows, ["i", "j", "category", "target", "margin"])
