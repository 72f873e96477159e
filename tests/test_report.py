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
    (["thresholds", "--n", "501", "--exception", "2,4"], "--n"),
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
    proc = subprocess.run([sys.executable, "-m", "symti.output.cli", "bench", "--only", "exact_n9_exception", "--quick", "--repeat", "1", "--format", "json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert {"name", "seconds", "baseline", "baseline_seconds", "ratio", "agree"} <= set(entry)
    assert entry["name"] == "exact_n9_exception" and entry["agree"] is True
    assert entry["ratio"] == pytest.approx(entry["baseline_seconds"] / entry["seconds"])


def test_thresholds_table_when_every_pair_is_in_the_cycle(capsys):
    code, out, _ = _run(capsys, "thresholds", "--n", "5", "--exception", "1,5")
    assert code == 0 and "critical_alpha=never" in out


# ----------------------------------------------------------- the report folder
def test_report_out_writes_markdown_figures_and_tex(tmp_path, capsys):
    """`symti report --out DIR`: report.md links >= 4 PNG figures that exist; stdout starts with the
    text summary, byte for byte; report.pdf where pdflatex exists (CI installs it)."""
    import re
    import shutil
    from pathlib import Path

    code, plain, _ = _run(capsys, "report")
    assert code == 0
    out = tmp_path / "rep"
    code, text, err = _run(capsys, "report", "--out", str(out))
    assert code == 0 and err == ""
    assert text.startswith(plain.rstrip("\n") + "\n\nreport folder:")
    md = (out / "report.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", md)
    assert len(links) >= 4 and len(set(links)) == len(links)
    for link in links:
        assert (out / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("heatmap_1", "categories", "thresholds", "region"):
        assert f"figures/{name}.png" in links
    assert plain.strip() in md  # the summary is in the markdown
    tex = (out / "report.tex").read_text()
    assert all(Path(link).name in tex for link in links) and tex.rstrip().endswith(r"\end{document}")
    if shutil.which("pdflatex"):
        assert (out / "report.pdf").read_bytes()[:4] == b"%PDF"


def test_report_stdout_without_out_is_the_library_report(capsys):
    from symti.output.report import report

    code, out, _ = _run(capsys, "report", "--n", "7", "--exception", "2,5", "--alpha", "1/4")
    assert out == report(Task(7, exceptions=[(2, 5)]), alphas=["1/4"]) + "\n"


def test_report_kernel_is_the_equivalent_alpha(capsys):
    """--kernel exchangeable: the report of K_alpha' at rho' (ExchangeableKernel.reduced_alpha_ridge);
    the equivalence itself is checked here by numeric solves of both kernels."""
    from symti.kernels import ExchangeableKernel

    _, via_kernel, _ = _run(capsys, "report", "--kernel", "exchangeable:1/5,2/5,2/5,1/10,1/20", "--ridge", "1")
    _, via_alpha, _ = _run(capsys, "report", "--alpha", "1/4", "--ridge", "5/4")
    assert via_kernel == via_alpha
    task = Task(9, exceptions=[(4, 6)])
    A = solve_numpy(task, ExchangeableKernel("1/5", "2/5", "2/5", "1/10", "1/20"), 1).to_numpy()
    B = solve_numpy(task, AlphaKernel("1/4"), "5/4").to_numpy()
    assert np.allclose(A, B, atol=1e-9)


@pytest.mark.parametrize("argv,name", [
    (["report", "--kernel", "alpha:1/4", "--alpha", "1/3"], "--alpha"),
    (["report", "--kernel", "nonsense"], "--kernel"),
    (["report", "--out", "x", "--format", "json"], "--format"),
    (["report", "--out", "x", "--n", "31"], "--n"),
])
def test_report_out_and_kernel_bad_input(capsys, argv, name):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and name in err


def test_report_out_onto_a_file_is_refused(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = _run(capsys, "report", "--out", str(f))
    assert code == 2 and "--out" in err
