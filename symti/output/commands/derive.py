"""``symti derive``: a self-contained derivation document for a task (LaTeX, PDF or Markdown).

    symti derive [--n N] [--exception U,V]... [--ridge R] [--kernel SPEC]
                 [--format tex|pdf|md] [--output FILE]

The task and its categories, the rank system, closed forms kept in lambda,
every threshold exactly (radicals, or a minimal polynomial with an isolating
interval), the solved region and the limits; every equation checked exactly
before it is written (:func:`symti.output.derive.derive`).  ``--format pdf``
runs ``pdflatex`` (it must be on PATH) and needs ``--output``.

References
----------
.. [Theory] ``derivations/theory.md`` §1--§5.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ..cliargs import UsageError, add_kernel_arg, kernel_from_args, ridge_option, task_from_args
from ..derive import MAX_N_DERIVE, derive

NAME = "derive"
HELP = "a derivation document for a task (tex, pdf or md), every equation checked exactly"
ORDER = 35


def add_arguments(p) -> None:
    p.add_argument("--n", type=int, default=None, help="number of items (default: n=9 with the exception 4,6)")
    p.add_argument("--exception", action="append", metavar="U,V", help="an exception {U,V}; repeat for several")
    p.add_argument("--ridge", default="0", help="ridge rho >= 0 (0: ridgeless)")
    add_kernel_arg(p)
    p.add_argument("--format", choices=["tex", "pdf", "md"], default="tex")
    p.add_argument("--output", default=None, metavar="FILE", help="write the document here (default: stdout)")


def compile_pdf(tex: str, output: Path) -> None:
    """Compile ``tex`` with pdflatex into ``output`` (one clear error if pdflatex is missing or fails)."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise UsageError("--format: pdf needs pdflatex, which is not on PATH; use --format tex (or md) instead")
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "derivation.tex"
        src.write_text(tex)
        try:
            run = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", src.name], cwd=d,
                                 capture_output=True, timeout=300)
        except subprocess.TimeoutExpired:
            raise UsageError("--format: pdflatex did not finish within 300 s") from None
        pdf = Path(d) / "derivation.pdf"
        if run.returncode != 0 or not pdf.exists():
            log = run.stdout.decode("utf-8", errors="replace")
            last = next((ln for ln in log.splitlines() if ln.startswith("!")), "no PDF written")
            raise UsageError(f"--format: pdflatex failed: {last}")
        shutil.copyfile(pdf, output)


def run(args):
    if args.n is not None and args.n > MAX_N_DERIVE:
        raise UsageError(f"--n: symti derive allows 2 <= n <= {MAX_N_DERIVE}, got {args.n}")
    args.command = NAME
    task = task_from_args(args, limit=MAX_N_DERIVE)
    ridge = ridge_option(args.ridge)
    kernel = kernel_from_args(args)
    if args.format == "pdf" and args.output is None:
        raise UsageError("--output: --format pdf writes a file; give --output FILE")
    if args.output is not None:
        out = Path(args.output)
        if out.is_dir() or not out.parent.is_dir():
            raise UsageError(f"--output: cannot write {args.output!r} (not a file in an existing folder)")
    doc = derive(task, kernel, ridge)
    text = doc.to_markdown() if args.format == "md" else doc.to_tex()
    if args.format == "pdf":
        compile_pdf(text, out)
        return f"wrote {out} ({len(doc.equations())} equations, each checked exactly)"
    if args.output is None:
        return text
    out.write_text(text)
    return f"wrote {out} ({len(doc.equations())} equations, each checked exactly)"
