"""``symti represent``: what a representation is -- PSD or not, its kappas, its effective
conjunctivity and ridge (``derivations/theory.md`` §2, §5).

JSON keys: ``kernel`` (the SPEC), ``n``, ``exchangeable``, ``reduces`` (predicts exactly as
K_alpha_eff), ``psd``, ``alpha_eff``, ``ridge_eff`` (for kernels that do not reduce: those of
the position-symmetrised kernel or of the exchangeable projection; ``null`` when
kappa_s = 1), ``kappas``
(``kappa_s`` ... ``kappa_d``; a measured or item-similarity kernel gives those of its
exchangeable projection), ``scale``, ``explained`` (fraction of the Gram matrix's variance
the projection explains) and ``eigenvalues`` (exchangeable kernels: closed-form eigenvalues
on all ordered pairs with multiplicities).  Numbers are decimal strings with ``--digits``
significant digits.
"""
from __future__ import annotations

import json

import mpmath

from ..._validate import format_decimal
from ...analysis.geometry import representation_summary
from ...kernels.exchangeable import to_mpf
from ...kernels.measured import GramKernel
from ..cliargs import UsageError, add_kernel_arg, digits_option, kernel_from_args, ridge_option, table

NAME = "represent"
HELP = "a representation's PSD status, kappas, alpha_eff and ridge_eff"
ORDER = 25
#: Largest n: exchangeable kernels need only closed forms; an item-similarity kernel's
#: projection builds its exact trial Gram matrix (n = 12: about 15 s on 2 loaded cores);
#: a measured matrix brings its own n (files hold at most 380 rows, n = 20).
MAX_N_REPRESENT = {"exchangeable": 1_000_000, "other": 12}


def add_arguments(p) -> None:
    add_kernel_arg(p)
    p.add_argument("--n", type=int, default=None,
                   help="number of items (default: the kernel's own n for similarity/gram files, else 9)")
    p.add_argument("--ridge", default="0", help="ridge rho >= 0 for ridge_eff (default 0)")
    p.add_argument("--digits", type=int, default=None, help="significant digits of printed numbers (default 17)")
    p.add_argument("--format", choices=["table", "json"], default="table")


def _dec(x, digits):
    if x is None:
        return None
    with mpmath.workdps(digits + 20):
        return format_decimal(to_mpf(x, digits + 20), digits)


def run(args):
    if args.kernel is None:
        raise UsageError("--kernel: required, e.g. --kernel network:depth=2,type=ntk")
    kernel = kernel_from_args(args)
    ridge = ridge_option(args.ridge)
    digits = digits_option(17 if args.digits is None else args.digits)
    own = getattr(kernel, "n", None)
    n = args.n if args.n is not None else (own or 9)
    if own is not None and n != own:
        raise UsageError(f"--n: the kernel's file describes {own} items, got --n {n}")
    limit = MAX_N_REPRESENT["exchangeable" if kernel.pattern_values() is not None else "other"]
    if not isinstance(kernel, GramKernel) and not 2 <= n <= limit:
        opt = "--n" if args.n is not None else "--kernel"
        raise UsageError(f"{opt}: symti represent allows 2 <= n <= {limit} items for this kernel, got {n}")
    s = representation_summary(kernel, n, ridge)
    doc = {
        "kernel": args.kernel, "n": n, "exchangeable": s["exchangeable"], "reduces": s["reduces"], "psd": s["psd"],
        "alpha_eff": _dec(s["alpha_eff"], digits), "ridge_eff": _dec(s["ridge_eff"], digits),
        "kappas": {k: _dec(v, digits) for k, v in s["kappas"].items()},
        "scale": _dec(s["scale"], digits), "explained": _dec(s["explained"], digits),
        "eigenvalues": None if s["eigenvalues"] is None else
        [{"name": name, "value": _dec(v, digits), "multiplicity": m} for name, v, m in s["eigenvalues"]],
    }
    if args.format == "json":
        return json.dumps(doc, indent=1)
    rows = [{"quantity": k, "value": v} for k, v in
            [("psd", doc["psd"]), ("exchangeable", doc["exchangeable"]), ("reduces", doc["reduces"]),
             ("alpha_eff", doc["alpha_eff"]),
             ("ridge_eff", doc["ridge_eff"]), ("explained", doc["explained"]), ("scale", doc["scale"])]
            + list(doc["kappas"].items())]
    return f"kernel={args.kernel} n={n}\n" + table([{k: ("-" if v is None else v) for k, v in r.items()} for r in rows],
                                                  ["quantity", "value"])
