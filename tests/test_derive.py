"""``symti derive`` / ``symti.derive``: the derivation document.

Independent checks: the threshold 3 - 2 sqrt 2 of n = 11, {5, 7} is confirmed
as a sign change of the margin by mpmath solves of the full trial-Gram system
(``solve_mpmath``) on both sides of it; the documents compile with pdflatex
(required under CI, skipped elsewhere when it is missing); the Markdown twin
carries the same equations and paragraphs as the LaTeX.
"""
import os
import re
import shutil
import subprocess

import mpmath
import pytest
import sympy as sp

import symti
from symti import AlphaKernel, Task
from symti.output.cli import main
from symti.output.derive import derive
from symti.solve.numeric import solve_mpmath


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def need_pdflatex():
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is not installed under CI: .ci/run should have installed texlive-latex-base")
        pytest.skip("pdflatex is not installed (outside CI)")


def compiles(tex: str, tmp_path) -> bool:
    (tmp_path / "d.tex").write_text(tex)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                          capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stdout.decode("utf-8", errors="replace")[-3000:]
    return (tmp_path / "d.pdf").stat().st_size > 10_000


@pytest.fixture(scope="module")
def doc11():
    return derive(Task(11, exceptions=[(5, 7)]))


def test_n11_document_has_the_radical_threshold_and_no_rootof(doc11):
    tex = doc11.to_tex()
    assert r"3 - 2 \sqrt{2}" in tex
    assert "RootOf" not in tex and "CRootOf" not in tex and "RootOf" not in doc11.to_markdown()
    # the same threshold by an independent route: the mpmath trial-Gram solve changes sign of f(3, 7) there
    task = Task(11, exceptions=[(5, 7)])
    a0 = 3 - 2 * sp.sqrt(2)
    eps = sp.Rational(1, 10 ** 6)
    lo, hi = sp.nsimplify(sp.N(a0 - eps, 30), rational=True), sp.nsimplify(sp.N(a0 + eps, 30), rational=True)
    assert solve_mpmath(task, AlphaKernel(lo), 0, dps=40)[3, 7] > 0 > solve_mpmath(task, AlphaKernel(hi), 0, dps=40)[3, 7]
    # every equation says how it was checked
    assert all(eq.check for eq in doc11.equations())


def test_n11_document_compiles(doc11, tmp_path):
    need_pdflatex()
    assert compiles(doc11.to_tex(), tmp_path)


def _blocks_tex(tex):
    return [b.strip() for b in re.findall(r"\\\[\n(?:\\resizebox\{\\linewidth\}\{!\}\{\$\\displaystyle )?(.*?)(?:\$\})?\n\\\]",
                                          tex, flags=re.S)]


def _blocks_md(md):
    return [b.strip() for b in re.findall(r"\$\$\n(.*?)\n\$\$", md, flags=re.S)]


def test_markdown_twin_has_the_same_content(doc11):
    tex, md = doc11.to_tex(), doc11.to_markdown()
    eqs = [e.tex for e in doc11.equations()]
    assert _blocks_tex(tex) == eqs and _blocks_md(md) == eqs
    titles = [t for t, _ in doc11.sections]
    assert re.findall(r"\\section\{(.*?)\}", tex) == titles
    assert re.findall(r"^## (.*)$", md, flags=re.M) == titles
    # every table row of the Markdown is a row of the LaTeX (same cells, other markup)
    md_rows = [ln for ln in md.splitlines() if ln.startswith("| ")]  # header and body rows, not |---|
    tex_rows = [ln for ln in tex.splitlines() if ln.endswith(r"\\") and " & " in ln]
    assert len(md_rows) == len(tex_rows)


def test_cli_tex_md_and_pdf(capsys, tmp_path):
    f = tmp_path / "d.tex"
    status, out, err = run(capsys, "derive", "--n", "5", "--exception", "2,4", "--format", "tex", "--output", str(f))
    assert status == 0 and f.read_text() == derive(Task(5, exceptions=[(2, 4)])).to_tex()
    status, out, _ = run(capsys, "derive", "--n", "5", "--exception", "2,4", "--format", "md")
    assert status == 0 and out.startswith("# Derivation") and "$$" in out
    if shutil.which("pdflatex"):
        pdf = tmp_path / "d.pdf"
        status, out, err = run(capsys, "derive", "--n", "5", "--exception", "2,4", "--format", "pdf", "--output",
                               str(pdf))
        assert status == 0, err
        assert pdf.read_bytes().startswith(b"%PDF")


def test_pdf_without_pdflatex_is_one_clear_line(capsys, tmp_path, monkeypatch):
    import symti.output.commands.derive as cmd

    monkeypatch.setattr(cmd.shutil, "which", lambda name: None)
    status, out, err = run(capsys, "derive", "--n", "4", "--exception", "1,3", "--format", "pdf", "--output",
                           str(tmp_path / "x.pdf"))
    assert status == 2 and err.count("\n") == 1 and "pdflatex" in err and err.startswith("symti: error: --format")


@pytest.mark.parametrize("argv,option", [
    (["--n", "13"], "--n"),
    (["--format", "pdf"], "--output"),
    (["--n", "5", "--exception", "2,3"], "--exception"),
    (["--ridge", "-1"], "--ridge"),
    (["--kernel", "alpha:2"], "--kernel"),
    (["--output", "/nonexistent/folder/x.tex"], "--output"),
])
def test_bad_input(capsys, argv, option):
    status, out, err = run(capsys, "derive", *argv)
    assert status == 2 and out == "" and err.count("\n") == 1 and err.startswith(f"symti: error: {option}"), err


def test_top_level_derive_and_kernels():
    d = symti.derive(Task(4), AlphaKernel("1/3"))
    assert d.to_tex().count(r"\section") >= 5
    assert "Margins at the given kernel" in [t for t, _ in d.sections]
    # a network kernel reduces to K_alpha at an irrational alpha (theory.md §2): the family, and its
    # margins there as decimals, each checked against the mpmath solve with the network kernel itself
    from symti.kernels.spec import parse_kernel_spec

    d = derive(Task(5, exceptions=[(2, 4)]), parse_kernel_spec("network:depth=1"))
    assert [t for t, _ in d.sections][-1] == "Margins at the given kernel"
    # a kernel that does not reduce to K_alpha: the task and its exact margins only
    from symti.kernels import SimilarityKernel, geometric_similarity

    d = derive(Task(4), SimilarityKernel(geometric_similarity(4, sp.Rational(1, 2)), sp.Rational(1, 2)))
    assert [t for t, _ in d.sections] == ["The task", "Margins at the given kernel"]
    # a ridge: the margins are those of the ridge (theory.md §3: unit weights, untrained margins through mu)
    d = derive(Task(5, exceptions=[(2, 4)]), ridge=sp.Rational(1, 10))
    eq = next(e for e in d.equations() if e.lhs == "f(1, 5)")
    a = sp.Rational(1, 4)
    got = eq.rhs_source.subs(symti.params.alpha, a)
    with mpmath.workdps(30):
        assert abs(solve_mpmath(Task(5, exceptions=[(2, 4)]), AlphaKernel(a), sp.Rational(1, 10), dps=30)[1, 5]
                   - mpmath.mpf(got.p) / got.q) < 1e-25


def test_a_wrong_closed_form_is_caught_before_it_is_written(monkeypatch):
    """The checks can fail: a closed form off by a factor is refused (DerivationCheckError)."""
    import symti.output.derive as D

    real = D.exception_rank_difference
    monkeypatch.setattr(D, "exception_rank_difference", lambda *a, **k: real(*a, **k) * (1 + sp.Rational(1, 10 ** 9)))
    with pytest.raises(D.DerivationCheckError):
        derive(Task(5, exceptions=[(2, 4)]))


def test_a_wrong_woodbury_form_is_caught(monkeypatch):
    """Several exceptions: the Woodbury ranks (in Q(e^(lambda/2))) are compared with every margin;
    a perturbed rank is refused."""
    import symti.output.derive as D

    real = D._woodbury_in_s

    def wrong(n, excs):
        r = real(n, excs)
        return [r[0] * D._InS(sp.Rational(1001, 1000))] + r[1:]

    monkeypatch.setattr(D, "_woodbury_in_s", wrong)
    with pytest.raises(D.DerivationCheckError):
        derive(Task(6, exceptions=[(1, 3), (4, 6)]))
    monkeypatch.setattr(D, "_woodbury_in_s", real)
    assert derive(Task(6, exceptions=[(1, 3), (4, 6)])).equations()
