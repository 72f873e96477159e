"""``symti report``: the main job -- predictions, errors and thresholds for a task.

With ``--out DIR`` it also writes the report folder: ``report.md`` linking its
PNG figures (margin heatmaps, accuracy by category, thresholds, the solved
region, ridge and learning curves), ``report.tex`` and, where pdflatex exists,
``report.pdf``; stdout keeps the text summary.  ``--kernel SPEC`` reports the
K_alpha equivalent to an exchangeable (or network) kernel with kappa_1 =
kappa_2: alpha' = 1 - 2(kappa_1 - kappa_x)/(1 - kappa_s), rho' = rho/(1 - kappa_s).
"""
from __future__ import annotations

from pathlib import Path

import sympy as sp

from ..._validate import check_alpha, check_ridge

from ..cliargs import (UsageError, add_kernel_arg, add_task_args, alpha_option, digits_option, kernel_from_args,
                       ridge_option, task_from_args)
from ..report import report

#: Largest n of ``--out``: measured at n = 30 with three exceptions, 39 s and 236 MB on 2 cores
#: under a load of 8 (n = 60: 163-243 s).
MAX_N_OUT = 30

NAME = "report"
HELP = "the main job: predictions, errors and thresholds (--out DIR: a folder with figures)"
ORDER = 10


def add_arguments(p) -> None:
    add_task_args(p)
    p.add_argument("--alpha", action="append", help="conjunctivity values to tabulate (repeatable)")
    add_kernel_arg(p)
    p.add_argument("--out", metavar="DIR", default=None,
                   help="also write DIR/report.md with PNG figures, report.tex and (with pdflatex) report.pdf")


def _kernel_alpha_ridge(args, ridge):
    kernel = kernel_from_args(args)
    if kernel is None:
        return None
    if args.alpha:
        raise UsageError("--alpha: give either --alpha or --kernel (the kernel fixes alpha)")
    reduce = getattr(kernel, "reduced_alpha_ridge", None)
    if reduce is None:
        raise UsageError("--kernel: the report needs a kernel with an equivalent K_alpha (alpha, exchangeable, network)")
    try:
        a, r = reduce(ridge)
        # an irrational alpha' (network kernels: arccosines of pi) is reported at 15 significant digits
        a, r = (x if x.is_Rational else sp.Rational(str(sp.N(x, 15))) for x in (sp.sympify(a), sp.sympify(r)))
        return check_alpha(a, "--kernel"), check_ridge(r, "--kernel")
    except ValueError as exc:
        msg = str(exc)
        raise UsageError(msg if msg.startswith("--") else f"--kernel: {msg}") from None


def run(args) -> str:
    task = task_from_args(args)
    ridge, digits = ridge_option(args.ridge), digits_option(4 if args.digits is None else args.digits)
    reduced = _kernel_alpha_ridge(args, ridge)
    if reduced is not None:
        alphas, ridge = [reduced[0]], reduced[1]
    else:
        alphas = [alpha_option(a) for a in (args.alpha or ["1/10", "1/5", "1/2"])]
    if args.out is None:
        return report(task, alphas=alphas, ridge=ridge, digits=digits, fmt=args.format)
    if args.format != "table":
        raise UsageError("--format: --out writes the table report; drop --format json or --out")
    if task.n > MAX_N_OUT:
        raise UsageError(f"--n: symti report --out allows 2 <= n <= {MAX_N_OUT} (its figures recompute every "
                         f"threshold and draw n x n cells); without --out up to 60, got {task.n}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {args.out!r} exists and is not a folder")
    try:
        from ..report import write_report

        done = write_report(task, out, alphas=alphas, ridge=ridge, digits=digits)
    except ImportError as exc:
        raise UsageError(f"--out: the figures need matplotlib ({exc}); install it with pip install -e \".[plot]\"") \
            from None
    except OSError as exc:
        raise UsageError(f"--out: cannot write {args.out!r}: {exc.strerror or exc}") from None
    written = [done["markdown"], done["tex"]] + ([done["pdf"]] if done["pdf"] else [])
    return done["text"] + f"\n\nreport folder: {', '.join(written)} and {len(done['figures'])} PNG figures"
