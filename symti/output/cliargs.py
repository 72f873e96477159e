"""Shared pieces of the ``symti`` command line: the one-line usage error, the
parsers of task, number and kernel options, and the plain-text table.

Every sub-command lives in its own module under :mod:`symti.output.commands`
and builds its options from the helpers here, so that ``--n``, ``--exception``,
``--ridge``, ``--alpha``, ``--digits`` and ``--kernel`` mean the same thing in
every command.  Numbers are exact rationals (``1/3``) or decimals (``0.25``,
``1e-3``), parsed without ``eval``.

References
----------
.. [Theory] ``derivations/theory.md`` §1 (the task), §2 (kernels).
"""
from __future__ import annotations

import argparse
import math
import re

import mpmath
import sympy as sp

from .._validate import check_alpha, check_digits, check_ridge, parse_number
from ..analysis.thresholds import MAX_N_THRESHOLDS
from ..task import Task

__all__ = [
    "UsageError", "CommandExit", "Parser", "MAX_N", "parse_exception", "number", "alpha_option", "ridge_option",
    "digits_option", "add_task_args", "task_from_args", "as_float", "table", "add_kernel_arg", "kernel_from_args",
]


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class CommandExit(Exception):
    """Raised by a command that has printed its result and exits with a status other
    than 0 (``symti verify``: 1 disproved, 3 undecided)."""

    def __init__(self, output, status: int):
        super().__init__(status)
        self.output, self.status = output, status


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage dump)."""

    def error(self, message):
        raise UsageError(message)


#: Largest n per command: thresholds and report isolate real roots of degree ~n
#: polynomials for every pair.  Each bound keeps a run under about a minute and 2 GB
#: on 2 cores (README, "Limits").  Commands not listed take their own bound.
MAX_N = {"predict": 1000, "thresholds": MAX_N_THRESHOLDS, "report": 60}


def parse_exception(text: str) -> tuple[int, int]:
    """``"4,6"`` -> ``(4, 6)``."""
    m = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", text)
    if not m:
        raise UsageError(f"--exception: expected two items 'U,V' such as 4,6, got {text!r}")
    return (int(m.group(1)), int(m.group(2)))


def number(text: str, name: str):
    """An exact number from the restricted parser, or a one-line usage error naming ``name``."""
    try:
        return parse_number(text, name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def alpha_option(text: str, name: str = "--alpha"):
    """A conjunctivity in [0, 1]."""
    try:
        return check_alpha(number(text, name), name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def ridge_option(text: str, name: str = "--ridge"):
    """A ridge >= 0."""
    try:
        return check_ridge(number(text, name), name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def digits_option(value: int) -> int:
    try:
        return check_digits(value, "--digits")
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None


def add_task_args(p, *, digits: bool = True, formats=("json", "table")):
    """``--n``, ``--exception`` (repeatable), ``--ridge``, ``--digits``, ``--format``."""
    p.add_argument("--n", type=int, default=None, help="number of items (default: the built-in task n=9, exception 4,6)")
    p.add_argument("--exception", action="append", metavar="U,V", help="an exception {U,V}; repeat for several")
    p.add_argument("--ridge", default="0", help="ridge rho >= 0; 0 (default) is the ridgeless limit")
    if digits:
        p.add_argument("--digits", type=int, default=None,
                       help="significant digits of printed numbers (default 17; 4 for report)")
    if formats:
        p.add_argument("--format", choices=list(formats), default=formats[-1] if "table" not in formats else "table")


def task_from_args(args, limit: int | None = None) -> Task:
    """The task of ``--n``/``--exception`` (default: n = 9 with the exception {4, 6});
    ``limit`` (default ``MAX_N[args.command]``) bounds n."""
    if args.n is None and not args.exception:
        return Task(9, exceptions=[(4, 6)])
    n = 9 if args.n is None else args.n
    limit = MAX_N.get(args.command) if limit is None else limit
    if limit is not None and n > limit:
        raise UsageError(f"--n: symti {args.command} allows 2 <= n <= {limit}, got {n}")
    try:
        return Task(n, exceptions=[parse_exception(e) for e in args.exception or []])
    except (ValueError, TypeError) as exc:
        msg = str(exc).replace("exceptions[", "--exception[").replace("exceptions:", "--exception:")
        raise UsageError(msg if not msg.startswith("n:") else "--" + msg) from None


def as_float(x, name: str, method: str) -> float:
    """``x`` in float64, refusing what float64 cannot hold (overflow, underflow to 0)."""
    v = float(x)
    if not math.isfinite(v) or (v == 0) != (x == 0):
        shown = mpmath.nstr(mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q, 3)
        raise UsageError(f"{name}: {shown} is outside the float64 range (about 2.2e-308 to 1.8e308) of "
                         f"--method {method}; use --method exact or --method mpmath")
    return v


def table(rows: list[dict], cols: list[str]) -> str:
    """Right-aligned plain-text columns."""
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) if rows else len(c) for c in cols}
    lines = ["  ".join(c.rjust(widths[c]) for c in cols)]
    lines += ["  ".join(str(r[c]).rjust(widths[c]) for c in cols) for r in rows]
    return "\n".join(lines)


def add_kernel_arg(p, default: str | None = None) -> None:
    """``--kernel SPEC`` (grammar: :mod:`symti.kernels.spec`)."""
    from ..kernels.spec import KERNEL_SPEC_KINDS

    p.add_argument("--kernel", default=default, metavar="SPEC",
                   help="the representation: " + "; ".join(KERNEL_SPEC_KINDS.values()))


def kernel_from_args(args):
    """The kernel of ``--kernel`` (``None`` when not given), or a one-line usage error."""
    from ..kernels.spec import parse_kernel_spec

    if getattr(args, "kernel", None) is None:
        return None
    try:
        return parse_kernel_spec(args.kernel)
    except (ValueError, TypeError) as exc:
        msg = " ".join(str(exc).split())
        if msg.startswith("kernel:"):
            msg = msg[len("kernel:"):].strip()
        elif msg.startswith("kernel "):
            msg = msg[len("kernel "):]
        raise UsageError(f"--kernel: {msg}") from None
