"""Re-execute the notebooks in place, so that their stored outputs and figures
match the current code (the test suite re-runs them from a copy but never
writes them back).

    .venv/bin/python notebooks/execute.py                  # all notebooks
    .venv/bin/python notebooks/execute.py 04_representations.ipynb

The kernel is this interpreter (a temporary ``python3`` kernelspec, as in
``tests/test_notebooks.py``); figures are rendered with the Agg backend.
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

HERE = Path(__file__).resolve().parent


def _kernelspec() -> None:
    spec = Path(tempfile.mkdtemp()) / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps(
        {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "Python 3", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(spec.parent.parent)
    os.environ["MPLBACKEND"] = "Agg"


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata = {}
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    _kernelspec()
    names = sys.argv[1:] or sorted(p.name for p in HERE.glob("*.ipynb"))
    for name in names:
        print(f"{name}: executed in {execute(HERE / name):.1f} s")
