r"""``symti predict``: the margin of every ordered pair, as a table or streamed JSON.

Methods: ``closed`` (the overflow-free closed form in float64; the default),
``exact`` (the exact rational solve), ``numeric`` (numpy on the trial Gram
matrix) and ``mpmath`` (at ``--digits`` + 10 digits).

``--kernel SPEC`` (grammar: :mod:`symti.kernels.spec`) replaces ``--alpha`` by any
representation.  A kernel that reduces to :math:`K_{\alpha'}` with ridge :math:`\rho'`
(exchangeable, :math:`\kappa_1 = \kappa_2`; networks) is solved through the reduction:
``exact`` (default up to n = 100) gives the exact rational functions of
:math:`K_\alpha` at :math:`\alpha'` (evaluated at --digits + 20 digits when
:math:`\alpha'` is irrational), ``closed`` the closed form at float64
:math:`\alpha', \rho'`.  Other kernels (``kappa_1 != kappa_2``, item similarities,
measured Gram matrices) use the exact full-Gram solve by default up to n = 12
and numpy beyond.  The header's ``route`` says which.
"""
from __future__ import annotations

import json

import numpy as np

from ..._validate import display_number, format_decimal
from ...kernels.trial import AlphaKernel
from ...solve.exact import MAX_N_GENERIC
from ...solve.numeric import MAX_N_MPMATH, MAX_N_NUMPY
from ...task import Task
from ..cliargs import (UsageError, add_kernel_arg, add_task_args, alpha_option, as_float, digits_option,
                       kernel_from_args, ridge_option, table, task_from_args)

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
    p.add_argument("--alpha", default=None, help="conjunctivity in [0, 1] (default 1/5)")
    p.add_argument("--method", choices=["closed", "exact", "numeric", "mpmath"], default=None,
                   help="closed form (default), exact rational solve, numpy, or mpmath at --digits")
    add_kernel_arg(p)


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


#: Largest n of ``predict --kernel`` for kernels that are not exchangeable (item
#: similarities, Gram files), per method: their PSD check and trial Gram matrices go entry
#: by entry over all n(n - 1) trials (n = 15 numeric took 19 s, n = 12 exact 9 s on 2
#: loaded cores).
MAX_N_KERNEL = {"exact": 12, "mpmath": 12, "numeric": 20}
#: The same for exchangeable kernels that do not reduce to K_alpha: the library's own bounds
#: (PSD from the closed-form spectrum).  Measured through ``predict_payload`` with
#: ``exchangeable:0,1/4,1/5,1/10,0``: exact n = 100 4.2 s, 0.27 GB; mpmath n = 60 10 s;
#: numeric n = 200 5.4 s, 0.66 GB.
MAX_N_EXCHANGEABLE = {"exact": MAX_N_GENERIC, "mpmath": MAX_N_MPMATH, "numeric": MAX_N_NUMPY}


def _kernel_margins(task: Task, kernel, ridge, method: str | None, digits: int):
    """``(margin(i, j) -> str, header fields)`` for ``--kernel``."""
    import mpmath

    from ...analysis.geometry import margins_mp, solve_representation
    from ...kernels.exchangeable import reduced_alpha_ridge, reduction_applies, to_mpf

    if getattr(kernel, "n", None) is not None and kernel.n != task.n:
        raise UsageError(f"--kernel: the kernel describes {kernel.n} items, the task has --n {task.n}")
    reducible = reduction_applies(kernel)
    a = r = None
    if reducible:
        a, r = reduced_alpha_ridge(kernel, ridge)
    bounds = MAX_N_EXCHANGEABLE if kernel.pattern_values() is not None else MAX_N_KERNEL
    method = method or ("exact" if reducible or task.n <= bounds["exact"] else "numeric")
    limit = MAX_N_PREDICT[method] if reducible else bounds.get(method, 0)
    if task.n > limit:
        raise UsageError(f"--n: symti predict --kernel with --method {method} allows n <= {limit} for this kernel, "
                         f"got {task.n}")
    fields = {"kernel": str(kernel), "alpha_eff": None, "ridge_eff": None}
    if reducible:
        with mpmath.workdps(30):
            fields.update(alpha_eff=format_decimal(to_mpf(a, 30), 17), ridge_eff=format_decimal(to_mpf(r, 30), 17))
    try:
        if method == "closed":
            if not reducible or not 0 <= a <= 1:
                raise UsageError("--method: closed needs a kernel that reduces to K_alpha with 0 <= alpha_eff <= 1; "
                                 "use --method exact or numeric")
            from ...closed_form.evaluate import margin_matrix

            M = margin_matrix(task, float(to_mpf(a, 30)), float(to_mpf(r, 30)))
            _check_finite(M, method)
            return (lambda i, j: format_decimal(float(M[i - 1, j - 1]), digits)), {
                **fields, "method": method, "route": "closed form of K_alpha at float64 alpha_eff, ridge_eff"}
        if method == "numeric":
            from ...solve.numeric import solve_numpy

            M = solve_numpy(task, kernel, ridge).to_numpy()
            _check_finite(M, method)
            return (lambda i, j: format_decimal(float(M[i - 1, j - 1]), digits)), {
                **fields, "method": method, "route": "numpy on the full trial Gram system"}
        if method == "mpmath" or (method == "exact" and reducible and not (a.is_Rational and r.is_Rational)):
            M = margins_mp(task, kernel, ridge, dps=digits + 20)
            route = ("exact rational functions of K_alpha evaluated at alpha_eff, ridge_eff to --digits + 20 digits"
                     if reducible else "mpmath on the full trial Gram system")
            return (lambda i, j: format_decimal(M[i, j], digits)), {**fields, "method": method, "route": route}
        P = solve_representation(task, kernel, ridge)
        route = ("exact, reduced to K_alpha_eff" if P.method == "reduced"
                 else f"exact, full trial Gram system ({P.method})")
        return (lambda i, j: format_decimal(P[i, j], digits)), {**fields, "method": method, "route": route}
    except ValueError as exc:
        msg = str(exc)
        raise UsageError(msg if msg.startswith("kernel") else f"--kernel: {msg}") from None


def predict_records(task: Task, alpha, ridge, method: str | None, digits: int, kernel=None):
    """``(header, records)`` of ``symti predict``: the header dictionary and an iterator
    over ``{"i", "j", "category", "target", "margin"}`` for every ordered pair.
    With ``kernel`` (not K_alpha) ``alpha`` is ignored and the header names the route."""
    if kernel is not None and not isinstance(kernel, AlphaKernel):
        margin, fields = _kernel_margins(task, kernel, ridge, method, digits)
        header = {"n": task.n, "exceptions": [list(e) for e in task.exceptions], "alpha": None,
                  "ridge": display_number(ridge), **fields}
    else:
        if kernel is not None:
            alpha = kernel.alpha
        method = method or "closed"
        limit = MAX_N_PREDICT[method]
        if task.n > limit:
            raise UsageError(f"--n: symti predict --method {method} allows n <= {limit} (about a minute and "
                             f"2 GB on 2 cores), got {task.n}")
        margin = _margins(task, alpha, ridge, method, digits)
        header = {"n": task.n, "exceptions": [list(e) for e in task.exceptions], "alpha": str(alpha),
                  "ridge": display_number(ridge), "method": method}

    def records():
        for i, j in task.ordered_pairs():
            cat = task.category(i, j)
            yield {"i": i, "j": j, "category": cat, "target": None if cat == "cycle" else task.target(i, j),
                   "margin": margin(i, j)}

    return header, records()


def predict_payload(task: Task, alpha, ridge, method: str | None, digits: int, kernel=None) -> dict:
    """The JSON document of ``symti predict`` as one dictionary."""
    header, records = predict_records(task, alpha, ridge, method, digits, kernel=kernel)
    return {**header, "pairs": list(records)}


def run(args):
    task = task_from_args(args)
    kernel = kernel_from_args(args)
    if kernel is not None and args.alpha is not None:
        raise UsageError("--alpha: give either --alpha or --kernel, not both")
    alpha, ridge = alpha_option("1/5" if args.alpha is None else args.alpha), ridge_option(args.ridge)
    digits = digits_option(17 if args.digits is None else args.digits)
    method = args.method or ("closed" if kernel is None or isinstance(kernel, AlphaKernel) else "exact")
    if method == "mpmath" and digits > MAX_DIGITS_MPMATH:
        raise UsageError(f"--digits: --method mpmath works at --digits + 10 digits and allows --digits <= "
                         f"{MAX_DIGITS_MPMATH}, got {digits}")
    if method in ("closed", "numeric") and digits > 17:
        raise UsageError(f"--digits: --method {method} computes in float64 (about 16 significant digits) and "
                         f"allows --digits <= 17, got {digits}; use --method exact or --method mpmath")
    header, records = predict_records(task, alpha, ridge, args.method, digits, kernel=kernel)
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
    if "route" in header:
        head += (f" kernel={header['kernel']} alpha_eff={header['alpha_eff']} ridge_eff={header['ridge_eff']}"
                 f"\nroute: {header['route']}")
    rows = [{**r, "target": "-" if r["target"] is None else r["target"]} for r in records]
    return head + "\n" + table(rows, ["i", "j", "category", "target", "margin"])
