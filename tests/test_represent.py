"""``symti represent`` and ``symti predict --kernel``: the JSON documents, their numbers
against independent routes, files, and one-line errors.

References for the numbers: the network recursion ported from the authors' R code in
``tests/test_networks.py`` (float64), the exact PSD check by numpy eigenvalues of the
explicit Gram matrix, solve_numpy for predicted margins.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from symti.kernels.trial import ExchangeableKernel, SimilarityKernel, geometric_similarity
from symti.output.cli import main
from symti.solve.numeric import solve_numpy
from symti.task import Task

from test_networks import r_get_alphas, r_get_kappas_ntk

R = sp.Rational


def run(capsys, *args, status=0):
    rc = main(list(args))
    out = capsys.readouterr()
    assert rc == status, out.err
    return out


def represent(capsys, *args):
    return json.loads(run(capsys, "represent", "--format", "json", *args).out)


def test_represent_network_matches_the_published_recursion(capsys):
    doc = represent(capsys, "--kernel", "network:depth=2,nonlinearity=1,additive=0,type=ntk")
    assert {"kernel", "psd", "alpha_eff", "ridge_eff", "kappas"} <= set(doc)
    assert doc["psd"] is True and doc["reduces"] is True
    assert abs(float(doc["alpha_eff"]) - r_get_alphas(1.0, 2, 0.0, "ntk")[2]) < 1e-13
    ko, kd = (v[2] for v in r_get_kappas_ntk(1.0, 2))
    assert abs(float(doc["kappas"]["kappa_1"]) - ko) < 1e-13 and abs(float(doc["kappas"]["kappa_d"]) - kd) < 1e-13
    doc = represent(capsys, "--kernel", "network:depth=9,nonlinearity=3/2,additive=1/4", "--ridge", "1/10")
    assert abs(float(doc["alpha_eff"]) - r_get_alphas(1.5, 9, 0.25)[9]) < 1e-12
    kd = float(doc["kappas"]["kappa_d"])
    assert abs(float(doc["ridge_eff"]) - 0.1 / (1 - kd)) < 1e-13


@pytest.mark.parametrize("values", ["0.2,0.6,0.6,0.2,0.2", "0,-1/4,-1/4,1/4,0", "0,9/10,-9/10,0,0", "1/10,1/2,1/5,1/10,1/20"])
def test_represent_psd_agrees_with_numpy_eigenvalues(capsys, values):
    n = 4
    doc = represent(capsys, "--kernel", f"exchangeable:{values}", "--n", str(n))
    K = ExchangeableKernel(*values.split(","))
    lam = np.linalg.eigvalsh(np.array(K.gram(Task(n).ordered_pairs()), dtype=float))
    assert doc["psd"] == bool(lam[0] > -1e-12)
    got = sorted(float(e["value"]) for e in doc["eigenvalues"] for _ in range(e["multiplicity"]))
    assert np.allclose(got, lam, atol=1e-12)


def test_represent_gram_and_similarity_files(capsys, tmp_path):
    S = geometric_similarity(5, R(1, 2))
    f = tmp_path / "S.csv"
    f.write_text("\n".join(",".join(str(x) for x in S.row(a)) for a in range(5)))
    doc = represent(capsys, "--kernel", f"similarity:{f},alpha=1/5")
    assert doc["n"] == 5 and doc["exchangeable"] is False and doc["psd"] is True
    assert 0 < float(doc["explained"]) < 1
    G = SimilarityKernel(S, R(1, 5)).gram(Task(5).ordered_pairs())
    g = tmp_path / "G.npy"
    np.save(g, np.array(G, dtype=float))
    doc2 = represent(capsys, "--kernel", f"gram:{g}")
    assert doc2["n"] == 5 and abs(float(doc2["alpha_eff"]) - float(doc["alpha_eff"])) < 1e-12
    # predict with the measured matrix: margins against numpy on the same kernel
    out = json.loads(run(capsys, "predict", "--n", "5", "--exception", "2,4", "--kernel", f"gram:{g}",
                         "--format", "json").out)
    assert out["method"] == "exact" and "full trial Gram" in out["route"]
    M = solve_numpy(Task(5, exceptions=[(2, 4)]), SimilarityKernel(S, R(1, 5))).to_numpy()
    for r in out["pairs"]:
        assert abs(float(r["margin"]) - M[r["i"] - 1, r["j"] - 1]) < 1e-9


def test_predict_kernel_routes(capsys):
    doc = json.loads(run(capsys, "predict", "--n", "8", "--exception", "3,6", "--kernel",
                         "exchangeable:0.2,0.6,0.6,0.2,0.2", "--format", "json").out)
    assert {"n", "exceptions", "ridge", "method", "pairs"} <= set(doc) and doc["alpha_eff"] == "0"
    doc = json.loads(run(capsys, "predict", "--kernel", "network:depth=3,type=ntk", "--ridge", "1/20",
                         "--format", "json", "--digits", "25").out)
    assert "evaluated at alpha_eff" in doc["route"]
    from symti.kernels.networks import network_kernel
    M = solve_numpy(Task(9, exceptions=[(4, 6)]), network_kernel(3, kind="ntk", dps=30), R(1, 20)).to_numpy()
    for r in doc["pairs"]:
        assert abs(float(r["margin"]) - M[r["i"] - 1, r["j"] - 1]) < 1e-10


@pytest.mark.parametrize("args,needle", [
    (["represent"], "--kernel"),
    (["represent", "--kernel", "gram:/nonexistent.npy"], "readable"),
    (["represent", "--kernel", "network:depth=0"], "depth"),
    (["represent", "--kernel", "network:depth=2,type=gp"], "nngp or ntk"),
    (["represent", "--kernel", "network:nonlinearity=3"], "nonlinearity"),
    (["predict", "--kernel", "alpha:1/4", "--alpha", "1/5"], "--alpha"),
    (["predict", "--n", "5", "--kernel", "exchangeable:0,9/10,-9/10,0,0"], "positive semidefinite"),
])
def test_bad_input_is_one_line_exit_2(capsys, args, needle):
    err = run(capsys, *args, status=2).err
    assert err.startswith("symti: error: ") and needle in err and err.count("\n") == 1


def test_pickled_npy_is_refused(capsys, tmp_path):
    o = tmp_path / "evil.npy"
    np.save(o, np.array([[object()]], dtype=object), allow_pickle=True)
    err = run(capsys, "represent", "--kernel", f"gram:{o}", status=2).err
    assert "not a numeric .npy array" in err and err.count("\n") == 1
