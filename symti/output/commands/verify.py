"""``symti verify``: prove or refute a claim about a margin (proved / disproved / undecided).

    symti verify [--n N | --n-range A:B] [--exception U,V]... [--ridge R] [--kernel SPEC]
                 --pair I,J (--equals EXPR | --positive | --negative) [--alpha-range LO:HI]
                 [--format text|json]

``I``, ``J`` may be expressions in ``n`` (``1,n``); ``EXPR`` is in ``alpha``, ``rho``,
``lambda`` (cosh lambda = (1 + rho)/(1 - alpha)) and ``n``, read by a restricted grammar
(:func:`symti.analysis.verify.parse_expression`, never ``eval``).  Exit status 0 proved,
1 disproved, 3 undecided, 2 bad input.

References
----------
.. [Theory] ``derivations/theory.md`` §3, §4.
"""
from __future__ import annotations

import json
import re

from ...analysis.verify import MAX_N_VERIFY, parse_expression, parse_pair, verify
from ...task import Task
from ..cliargs import CommandExit, UsageError, add_kernel_arg, kernel_from_args, number, parse_exception, ridge_option

NAME = "verify"
HELP = "prove or refute a claim about a margin (exit 0 proved, 1 disproved, 3 undecided)"
ORDER = 40

STATUS_CODE = {"proved": 0, "disproved": 1, "undecided": 3}


def add_arguments(p) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--n", type=int, default=None, help="number of items (default 9, with the exception 4,6 "
                                                        "when no --exception is given)")
    g.add_argument("--n-range", default=None, metavar="A:B", help="every n from A to B (inclusive)")
    p.add_argument("--exception", action="append", metavar="U,V", help="an exception {U,V}; repeat for several")
    p.add_argument("--ridge", default=None, help="ridge rho >= 0 (default 0; symbolic rho if EXPR uses rho)")
    add_kernel_arg(p)
    p.add_argument("--pair", required=True, metavar="I,J", help="the trial (I, J); expressions in n allowed (1,n)")
    c = p.add_mutually_exclusive_group(required=True)
    c.add_argument("--equals", metavar="EXPR", help="claimed margin, in alpha, rho, lambda, n")
    c.add_argument("--positive", action="store_true", help="claim f(I, J) > 0 on the alpha-range")
    c.add_argument("--negative", action="store_true", help="claim f(I, J) < 0 on the alpha-range")
    p.add_argument("--alpha-range", default="0:1", metavar="LO:HI", help="alpha range [LO, HI] (default 0:1)")
    p.add_argument("--format", choices=["text", "json"], default="text")


def _range(text: str, name: str, parse):
    m = re.fullmatch(r"\s*([^:]+?)\s*:\s*([^:]+?)\s*", text)
    if not m:
        raise UsageError(f"{name}: expected LO:HI, got {text!r}")
    return parse(m.group(1)), parse(m.group(2))


def _ns(args) -> list[int]:
    if args.n_range is not None:
        def integer(s):
            if not re.fullmatch(r"\d+", s):
                raise UsageError(f"--n-range: expected integers A:B, got {args.n_range!r}")
            return int(s)
        a, b = _range(args.n_range, "--n-range", integer)
        if a > b:
            raise UsageError(f"--n-range: empty range {a}:{b} (needs A <= B)")
        if b > MAX_N_VERIFY or b - a + 1 > MAX_N_VERIFY:
            raise UsageError(f"--n-range: symti verify allows n <= {MAX_N_VERIFY}, got {args.n_range}")
        return list(range(a, b + 1))
    n = 9 if args.n is None else args.n
    if n > MAX_N_VERIFY:
        raise UsageError(f"--n: symti verify allows 2 <= n <= {MAX_N_VERIFY}, got {n}")
    return [n]


def _tasks(args) -> list[Task]:
    ns = _ns(args)
    if args.n is None and args.n_range is None and not args.exception:
        exceptions = [(4, 6)]
    else:
        exceptions = [parse_exception(e) for e in args.exception or []]
    try:
        return [Task(n, exceptions=exceptions) for n in ns]
    except (ValueError, TypeError) as exc:
        msg = str(exc).replace("exceptions[", "--exception[").replace("exceptions:", "--exception:")
        raise UsageError(msg if not msg.startswith("n:") else "--" + msg) from None


def _option_error(exc: Exception) -> UsageError:
    msg = " ".join(str(exc).split())
    for lib, opt in (("pair", "--pair"), ("equals", "--equals"), ("alpha_range", "--alpha-range"),
                     ("ridge", "--ridge"), ("kernel", "--kernel"), ("n", "--n")):
        if msg.startswith(lib + ":"):
            return UsageError(opt + msg[len(lib):])
    return UsageError(msg)


def _text(v, pair: str, claim: str) -> str:
    head = f"{v.status}: f({pair}) {claim} for n = {', '.join(map(str, v.checked))}"
    lines = [head, f"method: {v.method}"]
    if v.counterexample:
        lines.append("counterexample: " + ", ".join(f"{k} = {x}" for k, x in v.counterexample.items()))
    if v.reason:
        lines.append(f"reason: {v.reason}")
    return "\n".join(lines)


def run(args):
    tasks = _tasks(args)
    ridge = None if args.ridge is None else ridge_option(args.ridge)
    kernel = kernel_from_args(args)
    try:
        pair = parse_pair(args.pair, "pair")
        lo, hi = _range(args.alpha_range, "--alpha-range", lambda s: number(s, "--alpha-range"))
        equals = parse_expression(args.equals, "equals") if args.equals is not None else None
        sign = None if equals is not None else ("positive" if args.positive else "negative")
        v = verify(tasks, pair, equals=equals, sign=sign, alpha_range=(lo, hi), ridge=ridge, kernel=kernel)
    except (ValueError, TypeError) as exc:
        raise _option_error(exc) from None
    claim = f"= {args.equals}" if equals is not None else ("> 0" if sign == "positive" else "< 0")
    if sign is not None:
        claim += f" for alpha in [{lo}, {hi}]"
    out = json.dumps(v.to_json(), indent=1) if args.format == "json" else _text(v, args.pair, claim)
    status = STATUS_CODE[v.status]
    if status:
        raise CommandExit(out, status)
    return out
