"""Execute every notebooks/*.ipynb from a temporary copy; any cell error fails.

The kernel is the running interpreter (``sys.executable``): a ``python3``
kernelspec pointing at it is written to a temporary ``JUPYTER_PATH``
directory, which takes precedence over any user or system ``python3``
kernelspec (that might belong to another environment without symti).
"""
import json
import shutil
import sys
from pathlib import Path

import ipykernel  # noqa: F401  -- the [test] extra installs all three: a missing one fails, never skips
import nbclient
import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.fixture
def python3_kernel(tmp_path, monkeypatch):
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (symti tests)",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return "python3"


EXPECTED = ["01_quickstart.ipynb", "02_llm_comparison.ipynb", "03_closed_forms.ipynb",
            "04_representations.ipynb", "05_dynamics.ipynb"]
#: Notebooks whose stored outputs must include figures (PNG).
WITH_FIGURES = ["01_quickstart.ipynb", "02_llm_comparison.ipynb", "04_representations.ipynb", "05_dynamics.ipynb"]


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert set(EXPECTED) <= set(names)


def _outputs(nb):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_notebooks_are_committed_executed():
    """Stored with outputs (they render where people browse them): every code cell ran, in
    order, without errors, and the figure notebooks carry their PNGs."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), f"{path.name} not executed in order"
        assert not [o for o in _outputs(nb) if o.output_type == "error"], f"{path.name} stores an error"
        pngs = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
        if path.name in WITH_FIGURES:
            assert pngs, f"{path.name} has no stored figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, python3_kernel):
    work = tmp_path / "run"
    work.mkdir()
    copy = work / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=300,
        kernel_name=python3_kernel,
        allow_errors=False,
        resources={"metadata": {"path": str(work)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    assert any(cell.outputs for cell in nb.cells if cell.cell_type == "code")
    if path.name in WITH_FIGURES:  # the figures are produced again, not only stored
        assert any("image/png" in o.get("data", {}) for o in _outputs(nb))
