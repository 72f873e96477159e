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
import math
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


#: Largest n per command: thresholds and report isolate real roots of degree ~n
#: polynomials for every pair.  Each bound keeps a run under about a minute and 2 GB
#: on 2 cores (README, "Limits").
MAX_N = {"predict": 1000, "thresholds": 60, "report": 60}
#: Largest n of ``symti predict`` per method: it prints n(n - 1) pairs; ``numeric``
#: builds the trial Gram matrix of all pairs, ``exact`` and ``mpmath`` solve exactly
#: or at --digits + 10 digits.
MAX_N_PREDICT = {"closed": 1000, "exact": 100, "mpmath": 60, "numeric": 200}
#: Largest --digits of ``predict --method mpmath`` (the others only format: up to 10 000).
MAX_DIGITS_MPMATH = 1000


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
def _float_margins(task: Task, M, method: str) -> None:
    """Refuse a float result that is not finite (never print NaN as a success)."""
    import numpy as np

    if not np.isfinite(M).all():
        raise UsageError(f"--method {method}: the float64 result is not finite for these parameters; "
                         "use --method exact or --method mpmath")


def _margins(task: Task, alpha, ridge, method: str, digits: int):
    """Margins of every ordered pair as decimal strings: a function ``(i, j) -> str``."""
    from ..kernels.trial import AlphaKernel

    if method == "exact":
        from ..solve.exact import solve_exact

        P = solve_exact(task, AlphaKernel(alpha), ridge)
        return lambda i, j: format_decimal(P[i, j], digits)
    if method == "mpmath":
        from ..solve.numeric import solve_mpmath

        P = solve_mpmath(task, AlphaKernel(alpha), ridge, dps=digits + 10)
        return lambda i, j: format_decimal(P[i, j], digits)
    a, r = _as_float(alpha, "--alpha", method), _as_float(ridge, "--ridge", method)
    if method == "numeric":
        from ..solve.numeric import solve_numpy

        M = solve_numpy(task, AlphaKernel(alpha), ridge).to_numpy()
    else:
        from ..closed_form.evaluate import margin_matrix

        M = margin_matrix(task, a, r)
    _float_margins(task, M, method)
    return lambda i, j: format_decimal(float(M[i - 1, j - 1]), digits)


def _as_float(x, name: str, method: str) -> float:
    """``x`` in float64, refusing what float64 cannot hold (overflow, underflow to 0)."""
    v = float(x)
    if not math.isfinite(v) or (v == 0) != (x == 0):
        shown = mpmath.nstr(mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q, 3)
        raise UsageError(f"{name}: {shown} is outside the float64 range (about 2.2e-308 to 1.8e308) of "
                         f"--method {method}; use --method exact or --method mpmath")
    return v


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


def _table(rows: list[dict], cols: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in cols}
    lines = ["  ".join(c.rjust(widths[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).rjust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


def _cmd_predict(args):
    task = _task_from_args(args)
    alpha, ridge, digits = _alpha(args.alpha), _ridge(args.ridge), _digits(17 if args.digits is None else args.digits)
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
    head = f"n={header['n']} exceptions={header['exceptions']} alpha={header['alpha']} ridge={header['ridge']} method={header['method']}"
    rows = [{**r, "target": "-" if r["target"] is None else r["target"]} for r in records]
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


#: Library parameter names and the command-line options that set them.
_OPTION_OF = {"alpha": "--alpha", "ridge": "--ridge", "n": "--n", "dps": "--digits", "digits": "--digits",
              "exceptions": "--exception", "method": "--method"}
#: Options that take a value (so that ``--alpha -inf`` reads -inf as the value).
_VALUE_OPTIONS = ("--alpha", "--ridge", "--n", "--digits", "--exception", "--method", "--format", "--only")


def _cli_message(exc: Exception) -> str:
    """One line naming the option: library errors say ``alpha: ...``, the CLI ``--alpha: ...``."""
    msg = " ".join(str(exc).split())
    m = re.match(r"^([A-Za-z_]+)(\[\d+\])?:", msg)
    if m and m.group(1) in _OPTION_OF:
        msg = _OPTION_OF[m.group(1)] + msg[len(m.group(1)):]
    return msg


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--alpha -inf`` -> ``--alpha=-inf``: argparse would read ``-inf`` as an option."""
    out, k = [], 0
    while k < len(argv):
        tok = argv[k]
        if tok in _VALUE_OPTIONS and k + 1 < len(argv) and argv[k + 1].startswith("-") and not argv[k + 1].startswith("--"):
            out.append(f"{tok}={argv[k + 1]}")
            k += 2
            continue
        out.append(tok)
        k += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        out = COMMANDS[args.command](args)
    except (UsageError, ValueError, TypeError) as exc:
        print(f"symti: error: {_cli_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symti: interrupted", file=sys.stderr)
        return 130
    try:
        if isinstance(out, str):
            print(out)
        else:
            for line in out:
                print(line)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    except (UsageError, ValueError, TypeError) as exc:
        print(f"symti: error: {_cli_message(exc)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
