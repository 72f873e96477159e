r"""The main job: what KRR with :math:`K_\alpha` does on a task.

:func:`report` solves the task exactly at a few conjunctivities, lists the
margin matrix, the exception's memorization and the test pairs that go wrong,
and (for tasks with exceptions) the exact conjunctivity thresholds at which
each test pair flips (:mod:`symti.analysis.thresholds`).

>>> from symti import Task
>>> print(report(Task(3), alphas=["1/2"], fmt="table").splitlines()[0])
symti report: n=3, no exceptions, ridge 0 (ridgeless limit)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts".
"""
from __future__ import annotations

import json
import math

import sympy as sp

from .._validate import check_alpha, check_digits, check_ridge, display_number, format_decimal
from ..analysis.accuracy import accuracy_from_margins
from ..solve.exact import solve_exact
from ..kernels.trial import AlphaKernel
from ..task import Task
from ..analysis.thresholds import thresholds
from .threshold_report import thresholds_report

__all__ = ["report", "report_data", "thresholds_report", "write_report", "REPORT_FIGURES"]


def _fmt(x, digits: int) -> str:
    return format_decimal(x, digits)


def report_data(task: Task, alphas=("1/10", "1/5", "1/2"), ridge=0, digits: int = 4) -> dict:
    """The report as a JSON-ready dictionary."""
    ridge = check_ridge(ridge)
    digits = check_digits(digits)
    alphas = [check_alpha(a) for a in alphas]
    out = {
        "n": task.n,
        "exceptions": [list(e) for e in task.exceptions],
        "ridge": display_number(ridge),
        "trained": [{"i": e.i, "j": e.j, "target": e.target, "kind": e.kind} for e in task.trained_pairs],
        "alphas": [],
    }
    for a in alphas:
        P = solve_exact(task, AlphaKernel(a), ridge)
        acc = accuracy_from_margins(task, P, alpha=a, ridge=ridge)
        wrong = [
            {"i": o.i, "j": o.j, "category": o.category, "margin": _fmt(o.margin, digits)}
            for o in acc.pairs if o.status == "wrong"
        ]
        ties = [[o.i, o.j] for o in acc.pairs if o.status == "tie"]
        out["alphas"].append(
            {
                "alpha": str(a),
                "margins": [[None if i == j else _fmt(P[i, j], digits) for j in range(1, task.n + 1)]
                            for i in range(1, task.n + 1)],
                "exceptions_memorized": acc.exceptions_memorized,
                "wrong_pairs": wrong,
                "ties": ties,
                "test_accuracy": str(acc.test_accuracy[2]) if acc.test_accuracy[1] else None,
            }
        )
    if task.exceptions:

        out["thresholds"] = thresholds_report(task, ridge=ridge, digits=digits)
        c = thresholds(task, ridge).critical_alpha
        out["thresholds"]["critical_alpha_exact"] = None if c is None else str(explicit_algebraic(c.value))
    return out


def explicit_algebraic(value) -> sp.Expr:
    """A ``CRootOf`` of degree <= 2 as radicals; anything else unchanged.

    >>> explicit_algebraic(sp.CRootOf(3*sp.Symbol("a")**2 - 8*sp.Symbol("a") + 1, 0))
    4/3 - sqrt(13)/3
    """
    if isinstance(value, sp.CRootOf) and value.poly.degree() <= 2:
        x = value.poly.gens[0]
        roots = sorted(sp.solve(value.poly.as_expr(), x), key=lambda r: float(r))
        return sp.nsimplify(roots[value.index]) if roots[value.index].is_real else value
    return value


def report(task: Task, alphas=("1/10", "1/5", "1/2"), ridge=0, digits: int = 4, fmt: str = "table") -> str:
    """The report as text (``fmt="table"``) or JSON (``fmt="json"``)."""
    data = report_data(task, alphas, ridge, digits)
    if fmt == "json":
        return json.dumps(data, indent=1)
    n = task.n
    exc = ", ".join(f"{{{u},{v}}}" for u, v in task.exceptions) or "no exceptions"
    rid = "0 (ridgeless limit)" if data["ridge"] == "0" else data["ridge"]
    lines = [f"symti report: n={n}, {'exceptions ' + exc if task.exceptions else exc}, ridge {rid}"]
    lines.append("f(i,j) > 0 means the model answers 'i beats j'; item 1 is the top of the hidden order.")
    for block in data["alphas"]:
        lines.append("")
        lines.append(f"alpha = {block['alpha']}: margins f(i, j) (row i, column j)")
        width = max(len(x) for row in block["margins"] for x in row if x is not None) + 1
        lines.append("   " + "".join(str(j).rjust(width + 1) for j in range(1, n + 1)))
        for i, row in enumerate(block["margins"], 1):
            lines.append(str(i).rjust(3) + "".join(("." if x is None else x).rjust(width + 1) for x in row))
        for (u, v), mem in zip(task.exceptions, block["exceptions_memorized"]):
            lines.append(f"  exception {{{u},{v}}}: {'memorized' if mem else 'NOT memorized'} (f({v},{u}) {'>' if mem else '<='} 0)")
        if block["wrong_pairs"]:
            ws = ", ".join(f"({w['i']},{w['j']}) {w['category']}" for w in block["wrong_pairs"])
            lines.append(f"  wrong test pairs: {ws}")
        else:
            lines.append("  wrong test pairs: none")
        if block["ties"]:
            lines.append("  ties (margin exactly 0): " + ", ".join(f"({i},{j})" for i, j in block["ties"]))
    if "thresholds" in data:
        th = data["thresholds"]
        lines.append("")
        crit = th["critical_alpha"] or "never"
        if th.get("critical_alpha_exact") and th["critical_alpha_exact"] != th["critical_alpha"]:
            crit += f" = {th['critical_alpha_exact']}"
        lines.append(f"Conjunctivity thresholds, ridgeless: critical alpha = {crit}" if data["ridge"] == "0"
                     else f"Conjunctivity thresholds at ridge {data['ridge']}: critical alpha = {crit}")
        for r in th["pairs"]:
            if r["alpha_star"] is not None:
                ws = " U ".join(f"({lo}, {hi})" for lo, hi in r["wrong_set"])
                lines.append(f"  ({r['i']},{r['j']}) {r['category']}: wrong for alpha in {ws}")
        never = [f"({r['i']},{r['j']})" for r in th["pairs"] if r["alpha_star"] is None]
        if never:
            lines.append(f"  never wrong: {' '.join(never)}")
    return "\n".join(lines)



# ------------------------------------------------------------- the report folder
#: The figures of the report folder (besides one margin heatmap per alpha), with captions.
REPORT_FIGURES = {
    "categories": "Accuracy per pair category against the conjunctivity alpha (and the exception's memorization).",
    "thresholds": "Each test pair's exact wrong set in alpha; the dashed line is the critical alpha.",
    "region": "The solved region in (alpha, rho): every trained trial and test pair right (green); the dashed "
              "line is alpha_c(rho) = alpha_c(0) - rho (1 - alpha_c(0)) (derivations/theory.md §4).",
    "ridge": "Margins of the exception and its neighbouring pairs against the ridge rho, at the first alpha.",
    "dynamics": "Learning curves of gradient flow from zero at the first alpha; dotted: the ridgeless limits.",
}

_TEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%", "&": r"\&",
                 "#": r"\#", "$": r"\$", "^": r"\^{}", "~": r"\~{}"}


def _tex(text: str) -> str:
    return "".join(_TEX_SPECIALS.get(c, c) for c in text)


def _float(x, name: str) -> float:
    v = float(x)
    if not math.isfinite(v) or (v == 0) != (x == 0):
        raise ValueError(f"{name}: the figures are drawn in float64, which cannot hold {sp.N(x, 3)}")
    return v


def write_report(task: Task, out_dir, alphas=("1/10", "1/5", "1/2"), ridge=0, digits: int = 4,
                 pdf: bool | None = None) -> dict:
    r"""Write the report folder: ``report.md`` (the text summary of :func:`report`
    and every figure, linked), ``figures/*.png`` (one margin heatmap per alpha,
    accuracy by category, thresholds, the solved region, ridge and learning
    curves; :mod:`symti.output.plot`), ``report.tex`` and, where ``pdflatex`` is
    on the PATH (``pdf=None``; ``True`` requires it), ``report.pdf``.

    Returns ``{"markdown", "tex", "pdf" (or None), "figures": [paths], "text"}``.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = write_report(Task(5, exceptions=[(2, 4)]), d, alphas=["1/5"], pdf=False)
    ...     md = pathlib.Path(out["markdown"]).read_text()
    ...     len(out["figures"]), all(f"figures/{pathlib.Path(f).name}" in md for f in out["figures"])
    (6, True)
    """
    import shutil
    import subprocess
    from pathlib import Path

    from . import plot

    text = report(task, alphas=alphas, ridge=ridge, digits=digits, fmt="table")
    alphas = [check_alpha(a) for a in alphas]
    ridge = check_ridge(ridge)
    r = _float(ridge, "ridge")
    out = Path(out_dir)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    figures = []  # (file name, caption)

    def save(fig, name, caption):
        fig.savefig(figdir / f"{name}.png", dpi=110)
        figures.append((f"{name}.png", caption))

    for k, a in enumerate(alphas, 1):
        save(plot.margin_heatmap(task, _float(a, "alpha"), r), f"heatmap_{k}",
             f"Margins f(i, j) at alpha = {a}, ridge {ridge}: trained pairs outlined black, the exception's cycle "
             "orange, within-section pairs green, cross-section pairs purple.")
    a0 = _float(alphas[0], "alpha")
    a0 = a0 if a0 >= plot.MIN_FLOW_ALPHA else 0.2  # the curves need a time axis of order 1/alpha
    save(plot.category_accuracy(task, ridge=r), "categories", REPORT_FIGURES["categories"])
    T = thresholds(task, ridge)
    save(plot.threshold_diagram(task, ridge, analysis=T), "thresholds", REPORT_FIGURES["thresholds"])
    c0 = (T if ridge == 0 else thresholds(task, 0)).critical_alpha if task.exceptions else None
    save(plot.solved_region(task, critical_alpha=c0), "region", REPORT_FIGURES["region"])
    save(plot.ridge_curves(task, a0), "ridge", REPORT_FIGURES["ridge"].replace("the first alpha", f"alpha = {a0:g}"))
    save(plot.learning_curves(task, a0), "dynamics",
         REPORT_FIGURES["dynamics"].replace("the first alpha", f"alpha = {a0:g}"))

    exc = ", ".join(f"{{{u}, {v}}}" for u, v in task.exceptions) or "none"
    md = [f"# symti report: n = {task.n}, exceptions {exc}", "",
          "Kernel ridge regression with the kernel K_alpha on transitive inference "
          "(derivations/theory.md §1-§5; Cheng & Lippl 2026, arXiv:2605.22972; "
          "Lippl et al. 2024, PNAS 121(28) e2314511121).", "",
          "## Summary", "", "```text", text, "```", "", "## Figures", ""]
    for name, caption in figures:
        md += [f"![{caption}](figures/{name})", "", f"*{caption}*", ""]
    md_path = out / "report.md"
    md_path.write_text("\n".join(md), encoding="utf-8")

    tex = [r"\documentclass[11pt]{article}", r"\usepackage[margin=2cm]{geometry}", r"\usepackage{graphicx}",
           r"\begin{document}", rf"\section*{{symti report: $n = {task.n}$, exceptions {_tex(exc)}}}",
           "Kernel ridge regression with $K_\\alpha$ on transitive inference (Cheng \\& Lippl 2026, "
           "arXiv:2605.22972; Lippl et al. 2024, PNAS).", r"\subsection*{Summary}", r"{\scriptsize",
           r"\begin{verbatim}", text, r"\end{verbatim}", "}", r"\subsection*{Figures}"]
    for name, caption in figures:
        tex += [r"\begin{figure}[htbp]\centering", rf"\includegraphics[width=0.8\linewidth]{{figures/{name}}}",
                rf"\caption{{{_tex(caption)}}}", r"\end{figure}"]
    tex += [r"\end{document}", ""]
    tex_path = out / "report.tex"
    tex_path.write_text("\n".join(tex), encoding="utf-8")

    pdf_path = None
    exe = shutil.which("pdflatex")
    if pdf and exe is None:
        raise ValueError("pdf: pdflatex is not on the PATH")
    if exe is not None and pdf is not False:
        proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", "report.tex"], cwd=out,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0 or not (out / "report.pdf").is_file():
            raise ValueError(f"pdf: pdflatex failed on {tex_path}: {proc.stdout[-300:]}")
        pdf_path = str(out / "report.pdf")
        for ext in (".aux", ".log"):
            (out / f"report{ext}").unlink(missing_ok=True)
    return {"markdown": str(md_path), "tex": str(tex_path), "pdf": pdf_path,
            "figures": [str(figdir / name) for name, _ in figures], "text": text}
