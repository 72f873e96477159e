"""``symti plot KIND``: a figure of the task (heatmap, categories, thresholds, region, ridge, dynamics) or of data.

Writes ``--output FILE.png|pdf|svg`` (matplotlib, the ``plot`` extra) and
prints the path.  Figures: :mod:`symti.output.plot`.
"""
from __future__ import annotations

from pathlib import Path

from ..cliargs import (UsageError, add_kernel_arg, add_task_args, alpha_option, as_float, kernel_from_args,
                       parse_exception, ridge_option, task_from_args)

NAME = "plot"
HELP = "draw a figure: heatmap, categories, thresholds, region, ridge, dynamics, data"
ORDER = 50

KINDS = ("heatmap", "categories", "thresholds", "region", "ridge", "dynamics", "data")
FORMATS = (".png", ".pdf", ".svg")
#: Largest n per kind: thresholds isolate roots for every pair, the heatmap draws an outline per
#: cell, the region scores 300 x 120 parameter points.  Measured at n = 60 with three exceptions
#: on 2 loaded cores: thresholds 36 s, region 33 s, heatmap 18 s (n = 200: heatmap 173 s).
MAX_N = {"thresholds": 60}
MAX_N_DEFAULT = 60


def add_arguments(p) -> None:
    p.add_argument("kind", choices=KINDS, help="which figure")
    add_task_args(p, digits=False, formats=())
    add_kernel_arg(p)
    p.add_argument("--alpha", default="1/5", help="conjunctivity in (0, 1] (default 1/5)")
    p.add_argument("--pair", action="append", metavar="I,J", help="a pair to follow (ridge, dynamics; repeatable)")
    p.add_argument("--ridge-max", default="1/4", help="largest ridge of the region plot (default 1/4)")
    p.add_argument("--data", metavar="FILE.csv", default=None, help="kind data: behavioural CSV (default: packaged)")
    p.add_argument("--setting", default="probe", help="kind data: setting (default probe)")
    p.add_argument("--hier", default="exc_mid_n9", help="kind data: hierarchy (default exc_mid_n9)")
    p.add_argument("--task", default="fake", help="kind data: task (default fake)")
    p.add_argument("--model", default="qwen35-2b", help="kind data: model (default qwen35-2b)")
    p.add_argument("--output", required=True, metavar="FILE", help="where to write the figure (.png, .pdf or .svg)")


def _float(x, name: str) -> float:
    """``x`` in float64 (the figures are drawn in float64), or a one-line usage error."""
    if x == 0:
        return 0.0
    try:
        return as_float(x, name, "plot")
    except UsageError as exc:
        raise UsageError(str(exc).split(" of --method")[0] + "; the figures are drawn in float64") from None


def _figure(args):
    try:
        from .. import plot
    except ImportError as exc:  # matplotlib missing
        raise UsageError(f"--output: plotting needs matplotlib ({exc}); install it with pip install -e \".[plot]\"") \
            from None
    kind = args.kind
    if kind == "data":
        from ...analysis.llm import read_pairs

        try:
            recs = read_pairs(args.data, setting=args.setting, hier=args.hier, task=args.task, model=args.model)
        except ValueError as exc:
            raise UsageError("--data: " + str(exc).removeprefix("path: ")) from None
        if not recs:
            raise UsageError("--data: no rows match --setting, --hier, --task, --model")
        if len({r["lora_r"] for r in recs}) > 1:
            raise UsageError("--setting: LoRA rows of several ranks; the data plot shows one condition")
        return plot.theory_vs_data(recs)
    task = task_from_args(args, limit=MAX_N.get(kind, MAX_N_DEFAULT))
    ridge = ridge_option(args.ridge)
    alpha = alpha_option(args.alpha)
    kernel = kernel_from_args(args)
    if kernel is not None and kind != "heatmap":
        raise UsageError(f"--kernel: only the heatmap takes a kernel; {kind} is drawn for K_alpha")
    pairs = None
    if args.pair:
        try:
            pairs = [parse_exception(x) for x in args.pair]
        except UsageError:
            raise UsageError(f"--pair: expected two items 'I,J' such as 3,6, got {args.pair}") from None
        for i, j in pairs:
            if not (1 <= i <= task.n and 1 <= j <= task.n and i != j):
                raise UsageError(f"--pair: ({i},{j}) is not a pair of two different items in 1..{task.n}")
    if kind == "thresholds":  # exact: any ridge >= 0
        return plot.threshold_diagram(task, ridge)
    a, r = _float(alpha, "--alpha"), _float(ridge, "--ridge")
    if kind == "heatmap":
        return plot.margin_heatmap(task, a, r, kernel=kernel)
    if kind == "categories":
        return plot.category_accuracy(task, ridge=r)
    if kind == "region":
        rmax = _float(ridge_option(args.ridge_max, "--ridge-max"), "--ridge-max")
        if rmax <= 0:
            raise UsageError("--ridge-max: must be > 0")
        return plot.solved_region(task, ridge_max=rmax)
    if kind == "ridge":
        return plot.ridge_curves(task, a, pairs)
    if a < plot.MIN_FLOW_ALPHA:
        raise UsageError(f"--alpha: learning curves need alpha >= {plot.MIN_FLOW_ALPHA:g} (the exception is learned "
                         f"at times of order 1/alpha), got {args.alpha}")
    if task.is_weighted:  # pragma: no cover - the CLI builds unit-weight tasks only
        raise UsageError("--exception: learning curves need unit weights")
    return plot.learning_curves(task, a, pairs)


def run(args) -> str:
    out = Path(args.output)
    if out.suffix.lower() not in FORMATS:
        raise UsageError(f"--output: the file must end in {', '.join(FORMATS)}, got {args.output!r}")
    if not out.parent.exists():
        raise UsageError(f"--output: the folder {str(out.parent)!r} does not exist")
    fig = _figure(args)
    try:
        fig.savefig(out, dpi=120)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {args.output!r}: {exc.strerror or exc}") from None
    return str(out)
