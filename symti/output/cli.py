"""The ``symti`` command line.

Sub-commands::

    symti report       the main job: predictions, errors and thresholds for a task
    symti predict      every ordered pair's margin, as JSON or a table
    symti thresholds   the conjunctivity at which each test pair goes wrong
    symti bench        benchmarks, as ratios against baselines run in the same process

Numbers (alpha, ridge) are exact rationals ("1/3") or decimals ("0.25",
"1e-3"), parsed without ``eval``.  Bad input prints one line to stderr and
exits with status 2.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §1, §4.
"""
from __future__ import annotations

import argparse
import json
import re
import sys

import mpmath
import sympy as sp

from .._validate import check_alpha, check_digits, check_ridge, format_decimal, parse_number
from ..task import Task

__all__ = ["main", "build_parser", "format_decimal"]


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise UsageError(message)


def _exception(text: str):
    m = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", text)
    if not m:
        raise UsageError(f"--exception: expected two items 'U,V' such as 4,6, got {text!r}")
    return (int(m.group(1)), int(m.group(2)))


#: Largest n per command: predict prints n(n-1) pairs (and the closed form's n x n
#: matrix); thresholds isolate real roots of degree ~n polynomials for every pair.
MAX_N = {"predict": 20_000, "thresholds": 60, "report": 60}


def _task_from_args(args) -> Task:
    if args.n is None and not args.exception:
        return Task(9, exceptions=[(4, 6)])
    n = 9 if args.n is None else args.n
    limit = MAX_N.get(args.command)
    if limit is not None and n > limit:
        raise UsageError(f"--n: symti {args.command} allows 2 <= n <= {limit}, got {n}")
    try:
        return Task(n, exceptions=[_exception(e) for e in args.exception or []])
    except (ValueError, TypeError) as exc:
        msg = str(exc).replace("exceptions[", "--exception[").replace("exceptions:", "--exception:")
        raise UsageError(msg if not msg.startswith("n:") else "--" + msg) from None


def _number(text: str, name: str):
    try:
        return parse_number(text, name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _alpha(text: str):
    try:
        return check_alpha(_number(text, "--alpha"), "--alpha")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _ridge(text: str):
    try:
        return check_ridge(_number(text, "--ridge"), "--ridge")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _digits(value: int) -> int:
    try:
        return check_digits(value, "--digits")
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None


def _add_task_args(p):
    p.add_argument("--n", type=int, default=None, help="number of items (default: the built-in task n=9, exception 4,6)")
    p.add_argument("--exception", action="append", metavar="U,V", help="an exception {U,V}; repeat for several")
    p.add_argument("--ridge", default="0", help="ridge rho >= 0; 0 (default) is the ridgeless limit")
    p.add_argument("--digits", type=int, default=None,
                   help="significant digits of printed numbers (default 17; 4 for report)")
    p.add_argument("--format", choices=["json", "table"], default="table")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symti", description="Exact KRR predictions for transitive inference with exceptions.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("predict", help="margins of every ordered pair")
    _add_task_args(p)
    p.add_argument("--alpha", default="1/5", help="conjunctivity in [0, 1] (default 1/5)")
    p.add_argument("--method", choices=["closed", "exact", "numeric", "mpmath"], default=None,
                   help="closed form (default), exact rational solve, numpy, or mpmath at --digits")

    p = sub.add_parser("thresholds", help="alpha at which each test pair goes wrong")
    _add_task_args(p)

    p = sub.add_parser("report", help="the main job: predictions, errors and thresholds")
    _add_task_args(p)
    p.add_argument("--alpha", action="append", help="conjunctivity values to tabulate (repeatable)")

    p = sub.add_parser("bench", help="benchmarks as ratios against in-process baselines")
    p.add_argument("--only", default=None, metavar="NAME", help="run one benchmark")
    p.add_argument("--format", choices=["json", "table"], default="table")
    p.add_argument("--list", action="store_true", help="list benchmark names")
    return parser


# ------------------------------------------------------------------ commands
def predict_payload(task: Task, alpha, ridge, method: str | None, digits: int) -> dict:
    """The JSON document of ``symti predict``."""
    from ..kernels.trial import AlphaKernel

    method = method or "closed"
    if method == "exact":
        from ..solve.exact import solve_exact

        P = solve_exact(task, AlphaKernel(alpha), ridge)
        margin = {k: format_decimal(v, digits) for k, v in P.items()}
    elif method == "mpmath":
        from ..solve.numeric import solve_mpmath

        P = solve_mpmath(task, AlphaKernel(alpha), ridge, dps=digits + 10)
        margin = {k: format_decimal(v, digits) for k, v in P.items()}
    elif method == "numeric":
        from ..solve.numeric import solve_numpy

        M = solve_numpy(task, AlphaKernel(alpha), ridge).to_numpy()
        margin = {(i, j): format_decimal(float(M[i - 1, j - 1]), digits) for i, j in task.ordered_pairs()}
    else:
        from ..closed_form.evaluate import margin_matrix

        M = margin_matrix(task, float(alpha), float(ridge))
        margin = {(i, j): format_decimal(float(M[i - 1, j - 1]), digits) for i, j in task.ordered_pairs()}
    return {
        "n": task.n,
        "exceptions": [list(e) for e in task.exceptions],
        "alpha": str(alpha),
        "ridge": str(ridge),
        "method": method,
        "pairs": [
            {"i": r["i"], "j": r["j"], "category": r["category"], "target": r["target"], "margin": margin[(r["i"], r["j"])]}
            for r in task.pair_table()
        ],
    }


def _table(rows: list[dict], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in cols}
    lines = ["  ".join(c.rjust(widths[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).rjust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


def _cmd_predict(args) -> str:
    task = _task_from_args(args)
    alpha, ridge, digits = _alpha(args.alpha), _ridge(args.ridge), _digits(17 if args.digits is None else args.digits)
    payload = predict_payload(task, alpha, ridge, args.method, digits)
    if args.format == "json":
        return json.dumps(payload, indent=1)
    head = f"n={payload['n']} exceptions={payload['exceptions']} alpha={payload['alpha']} ridge={payload['ridge']} method={payload['method']}"
    rows = [{**r, "target": "-" if r["target"] is None else r["target"]} for r in payload["pairs"]]
    return head + "\n" + _table(rows, ["i", "j", "category", "target", "margin"])


def _cmd_thresholds(args) -> str:
    from .report import thresholds_report

    task = _task_from_args(args)
    ridge, digits = _ridge(args.ridge), _digits(17 if args.digits is None else args.digits)
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
    return head + "\n" + _table(rows, ["i", "j", "category", "alpha_star", "wrong_set"])


def _cmd_report(args) -> str:
    from .report import report

    task = _task_from_args(args)
    ridge, digits = _ridge(args.ridge), _digits(4 if args.digits is None else args.digits)
    alphas = [_alpha(a) for a in (args.alpha or ["1/10", "1/5", "1/2"])]
    return report(task, alphas=alphas, ridge=ridge, digits=digits, fmt=args.format)


def _cmd_bench(args) -> str:
    from .bench import available, run_benchmarks

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
    return _table(rows, ["name", "seconds", "baseline", "baseline_seconds", "ratio", "agree"])


COMMANDS = {"predict": _cmd_predict, "thresholds": _cmd_thresholds, "report": _cmd_report, "bench": _cmd_bench}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        out = COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"symti: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as exc:
        print(f"symti: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symti: interrupted", file=sys.stderr)
        return 130
    try:
        print(out)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
