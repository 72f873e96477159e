"""``symti limit``: the exact limit, leading term and series of one margin.

    symti limit --pair I,J [--n N] [--exception U,V]... [--ridge R] [--kernel SPEC]
                (--alpha-to 0+|1- | --ridge-to 0+ [--alpha A] | --n-to-infinity [--alpha A])
                [--order K] [--format text|latex|json]

``--alpha-to`` and ``--ridge-to`` expand the exact rational margin of the task
(:func:`symti.analysis.limits.margin_series`); ``--n-to-infinity`` takes the
limit of long lists at fixed alpha (:func:`symti.analysis.limits.large_n_margin`,
a rational function of q = exp(-lambda)).  There the pair is counted from the
top of the order (item 1 first) without ``--exception``, and relative to the
middle of the list with it (``--exception -1,1 --pair -2,1``: labels whose
differences are what matter); ``--counted-from`` overrides.

References
----------
.. [Theory] ``derivations/theory.md`` §3 (the ends of the alpha range), §4 (large n).
"""
from __future__ import annotations

import json
import re

from ...analysis.limits import margin_limit
from ...kernels.trial import AlphaKernel
from ..cliargs import (UsageError, add_kernel_arg, alpha_option, kernel_from_args, parse_exception, ridge_option,
                       task_from_args)
from ..latex import limit_latex

NAME = "limit"
HELP = "exact limit, leading term and series of a margin (alpha -> 0+/1-, rho -> 0+, n -> infinity)"
ORDER = 45
MAX_N_LIMIT = 40


def add_arguments(p) -> None:
    p.add_argument("--pair", required=True, metavar="I,J", help="the trial (I, J)")
    p.add_argument("--n", type=int, default=None, help="number of items (default: n=9 with the exception 4,6)")
    p.add_argument("--exception", action="append", metavar="U,V", help="an exception {U,V}; repeat for several")
    p.add_argument("--ridge", default="0", help="ridge rho >= 0 (0: ridgeless)")
    add_kernel_arg(p)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--alpha-to", choices=["0+", "1-"], help="alpha -> 0+ or alpha -> 1-")
    g.add_argument("--ridge-to", choices=["0+"], help="rho -> 0+ (at --alpha, default symbolic alpha)")
    g.add_argument("--n-to-infinity", action="store_true", help="n -> infinity at fixed alpha (--alpha)")
    p.add_argument("--alpha", default=None, help="alpha for --ridge-to and --n-to-infinity (default symbolic)")
    p.add_argument("--counted-from", choices=["top", "middle"], default=None,
                   help="--n-to-infinity: count items from the top (default without --exception) or relative to "
                        "the middle (default with one)")
    p.add_argument("--order", type=int, default=2, help="terms of the series (1..20, default 2)")
    p.add_argument("--format", choices=["text", "latex", "json"], default="text")


def _ints(text: str, name: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(-?\d+)\s*,\s*(-?\d+)\s*", text)
    if not m:
        raise UsageError(f"{name}: expected two integers 'I,J' such as 3,6, got {text!r}")
    return int(m.group(1)), int(m.group(2))


def _option_error(exc: Exception) -> UsageError:
    msg = " ".join(str(exc).split())
    for lib, opt in (("(i, j)", "--pair"), ("i", "--pair"), ("j", "--pair"), ("order", "--order"),
                     ("alpha", "--alpha"), ("ridge", "--ridge"), ("exception", "--exception"), ("where", "--counted-from")):
        if msg.startswith(lib + ":"):
            return UsageError(opt + msg[len(lib):])
    return UsageError(msg)


def run(args):
    if not 1 <= args.order <= 20:
        raise UsageError(f"--order: must be an integer in [1, 20], got {args.order}")
    ridge = ridge_option(args.ridge)
    alpha = None if args.alpha is None else alpha_option(args.alpha)
    kernel = kernel_from_args(args)
    i, j = _ints(args.pair, "--pair")
    if args.n_to_infinity:
        if args.n is not None:
            raise UsageError("--n: --n-to-infinity has no fixed n; give the pair relative to the top or the middle")
        if len(args.exception or []) > 1:
            raise UsageError("--exception: --n-to-infinity takes at most one exception")
        exception = _ints(args.exception[0], "--exception") if args.exception else None
        if kernel is not None:
            if not isinstance(kernel, AlphaKernel):
                raise UsageError("--kernel: --n-to-infinity takes alpha:A kernels only")
            alpha = kernel.alpha
        to, task = "n->oo", None
    else:
        if args.counted_from is not None:
            raise UsageError("--counted-from: only with --n-to-infinity")
        if args.n is not None and args.n > MAX_N_LIMIT:
            raise UsageError(f"--n: symti limit allows 2 <= n <= {MAX_N_LIMIT}, got {args.n}")
        args.command = NAME
        task = task_from_args(args, limit=MAX_N_LIMIT)
        exception = None
        to = {"0+": "alpha->0+", "1-": "alpha->1-"}.get(args.alpha_to) if args.alpha_to else "rho->0+"
        if to != "rho->0+" and alpha is not None:
            raise UsageError("--alpha: --alpha-to varies alpha; --alpha goes with --ridge-to or --n-to-infinity")
        if kernel is not None:
            if to != "rho->0+" or not isinstance(kernel, AlphaKernel):
                raise UsageError("--kernel: limit takes alpha:A kernels with --ridge-to 0+ only "
                                 "(the alpha limits vary the kernel)")
            alpha = kernel.alpha
        if to == "rho->0+" and ridge != 0:
            raise UsageError("--ridge: --ridge-to 0+ expands in the ridge; leave --ridge out")
    try:
        L = margin_limit(task, i, j, to, order=args.order, alpha=alpha, ridge=ridge, where=args.counted_from,
                         exception=exception)
    except (ValueError, TypeError) as exc:
        raise _option_error(exc) from None
    tex = limit_latex(L)
    if args.format == "latex":
        return tex
    payload = {"pair": [i, j], "to": to, "limit": str(L.limit), "leading_term": str(L.leading),
               "series": str(L.series), "error": L.error_term(), "variable": str(L.var), "order": L.order,
               "how": L.how, "latex": tex}
    if args.format == "json":
        return json.dumps(payload, indent=1)
    return "\n".join([f"f({i}, {j}) as {to}:", f"  limit        {payload['limit']}",
                      f"  leading term {payload['leading_term']}",
                      f"  series       {payload['series']}" + (f" + {payload['error']}" if payload['error'] else ""),
                      f"  how          {L.how}"])
