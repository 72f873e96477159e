"""The main job (`symti report`) and `symti bench`, checked against independent solves."""
import json
import subprocess
import sys

import numpy as np
import pytest

from symti import AlphaKernel, Task
from symti.output.cli import main
from symti.solve.numeric import solve_numpy
from symti.output.report import report_data


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_report_default_task_matches_numpy_signs(capsys):
    code, out, err = _run(capsys, "report", "--format", "json", "--alpha", "1/10", "--alpha", "0.2", "--alpha", "1/2")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["n"] == 9 and data["exceptions"] == [[4, 6]]
    task = Task(9, exceptions=[(4, 6)])
    for block in data["alphas"]:
        M = solve_numpy(task, AlphaKernel(block["alpha"])).to_numpy()
        expected = sorted(
            (i, j) for i in range(1, 10) for j in range(i + 1, 10)
            if not task.is_trained(i, j) and task.ground_truth(i, j) is not None
            and np.sign(M[i - 1, j - 1]) == -task.ground_truth(i, j)
        )
        assert sorted((w["i"], w["j"]) for w in block["wrong_pairs"]) == expected
        assert block["exceptions_memorized"] == [bool(M[5, 3] > 0)]
        got = np.array([[0.0 if x is None else float(x) for x in row] for row in block["margins"]])
        assert np.allclose(got, M, rtol=1e-3, atol=1e-3)  # 4 significant digits
    crit = float(data["thresholds"]["critical_alpha"])
    # the first pairs flip at the critical alpha: check by numeric solves just below and above it
    for a, wrong in ((crit * 0.999, False), (crit * 1.001, True)):
        M = solve_numpy(task, AlphaKernel(f"{a:.12f}")).to_numpy()
        assert (M[2, 5] < 0) == wrong
    assert data["thresholds"]["critical_alpha_exact"] == "4/3 - sqrt(13)/3"


def test_report_table_and_ti_task(capsys):
    code, out, _ = _run(capsys, "report", "--n", "5", "--alpha", "1/3")
    assert code == 0
    assert "no exceptions" in out and "wrong test pairs: none" in out and "thresholds" not in out


def test_report_alpha_one_has_ties_not_errors():
    data = report_data(Task(5, exceptions=[(2, 4)]), alphas=["1"])
    block = data["alphas"][0]
    assert block["wrong_pairs"] == [] and len(block["ties"]) == 5


@pytest.mark.parametrize("argv,name", [
    (["predict", "--n", "99999999999"], "--n"),
    (["thresholds", "--n", "61", "--exception", "2,4"], "--n"),
    (["report", "--alpha", "3/2"], "--alpha"),
    (["report", "--digits", "0"], "--digits"),
    (["report", "--exception", "4;6"], "--exception"),
    (["bench", "--only", "nope"], "--only"),
])
def test_bad_input_is_one_line(capsys, argv, name):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and name in err


def test_bench_json_shape():
    proc = subprocess.run([sys.executable, "-m", "symti.output.cli", "bench", "--only", "exact_n9_exception", "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert {"name", "seconds", "baseline", "baseline_seconds", "ratio", "agree"} <= set(entry)
    assert entry["name"] == "exact_n9_exception" and entry["agree"] is True
    assert entry["ratio"] == pytest.approx(entry["baseline_seconds"] / entry["seconds"])


def test_thresholds_table_when_every_pair_is_in_the_cycle(capsys):
    code, out, _ = _run(capsys, "thresholds", "--n", "5", "--exception", "1,5")
    assert code == 0 and "critical_alpha=never" in out
