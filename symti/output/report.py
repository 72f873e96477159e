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

import sympy as sp

from .._validate import check_alpha, check_digits, check_ridge, format_decimal
from ..analysis.accuracy import accuracy_from_margins
from ..solve.exact import solve_exact
from ..kernels.trial import AlphaKernel
from ..task import Task
from ..analysis.thresholds import thresholds
from .threshold_report import thresholds_report

__all__ = ["report", "report_data", "thresholds_report"]


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
        "ridge": str(ridge),
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
