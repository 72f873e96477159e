"""The ``symti`` command line.

Each sub-command is a module of :mod:`symti.output.commands` (``symti --help``
lists them): ``report`` (the main job), ``predict``, ``thresholds``,
``bench``, and whatever else lives there.

Numbers (alpha, ridge) are exact rationals ("1/3") or decimals ("0.25",
"1e-3"), parsed without ``eval``.  Bad input prints one line to stderr and
exits with status 2; a command may define other exit statuses (``verify``).

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §1, §4.
"""
from __future__ import annotations

import re
import sys

from .._validate import format_decimal
from .cliargs import MAX_N, CommandExit, Parser, UsageError
from .commands import command_modules
from .commands.predict import MAX_DIGITS_MPMATH, MAX_N_PREDICT, predict_payload, predict_records

__all__ = ["main", "build_parser", "format_decimal", "predict_payload", "predict_records", "MAX_N",
           "MAX_N_PREDICT", "MAX_DIGITS_MPMATH", "UsageError", "CommandExit"]


def build_parser() -> Parser:
    parser = Parser(prog="symti", description="Exact KRR predictions for transitive inference with exceptions.")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for mod in command_modules():
        mod.add_arguments(sub.add_parser(mod.NAME, help=mod.HELP, description=mod.__doc__.strip().splitlines()[0]))
    return parser


def _commands() -> dict:
    return {mod.NAME: mod.run for mod in command_modules()}


#: Library parameter names and the command-line options that set them.
_OPTION_OF = {"alpha": "--alpha", "ridge": "--ridge", "n": "--n", "dps": "--digits", "digits": "--digits",
              "exceptions": "--exception", "method": "--method", "kernel": "--kernel"}
#: A token that is a negative number, not an option (``--alpha -inf``, ``--ridge -1/2``).
_NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d|inf|nan|infinity)", re.IGNORECASE)


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
        if tok.startswith("--") and "=" not in tok and k + 1 < len(argv) and _NEGATIVE_VALUE.match(argv[k + 1]):
            out.append(f"{tok}={argv[k + 1]}")
            k += 2
            continue
        out.append(tok)
        k += 1
    return out


def _emit(out) -> None:
    if isinstance(out, str):
        print(out)
    else:
        for line in out:
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    status = 0
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        try:
            out = _commands()[args.command](args)
        except CommandExit as done:
            out, status = done.output, done.status
    except (UsageError, ValueError, TypeError) as exc:
        print(f"symti: error: {_cli_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symti: interrupted", file=sys.stderr)
        return 130
    try:
        _emit(out)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    except (UsageError, ValueError, TypeError) as exc:
        print(f"symti: error: {_cli_message(exc)}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
