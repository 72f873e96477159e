"""Every derivation in derivations/ runs, passes its own checks and writes LaTeX."""
import runpy
from pathlib import Path

import pytest

DERIVATIONS = sorted((Path(__file__).resolve().parent.parent / "derivations").glob("[0-9][0-9]_*.py"))


def test_there_are_derivations():
    assert DERIVATIONS, "derivations/ holds no NN_*.py steps"


@pytest.mark.parametrize("path", DERIVATIONS, ids=[p.stem for p in DERIVATIONS])
def test_derivation_runs_and_writes_latex(path, tmp_path, monkeypatch):
    monkeypatch.setenv("SYMTI_LATEX_DIR", str(tmp_path))
    ns = runpy.run_path(str(path), run_name="__main__")
    doc = ns["doc"]
    assert doc.steps and all(s.checks > 0 for s in doc.steps), "every step must assert something"
    tex = (tmp_path / f"{doc.slug}.tex").read_text()
    assert "\\begin{equation}" in tex
