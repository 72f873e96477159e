"""Item geometry: exact thresholds in one kernel parameter, and how geometry moves the
wrong set at fixed conjunctivity.

Independent routes: every exact interval endpoint is checked by exact solves at rational
parameter values just inside and just outside it (no root isolation involved) and by
numpy solves (float64, a different algorithm); wrong sets by numpy; S = I against K_alpha.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symti.analysis.geometry import geometry_effect, parameter_thresholds, solve_representation, wrong_pairs
from symti.kernels.similarity import (check_similarity, cluster_similarity, exponential_similarity,
                                      gaussian_similarity, line_parameter)
from symti.kernels.trial import AlphaKernel, SimilarityKernel, check_psd, geometric_similarity
from symti.solve.exact import solve_exact
from symti.solve.numeric import solve_numpy
from symti.task import Task

R = sp.Rational
TASK = Task(9, exceptions=[(4, 6)])


def numpy_wrong(task, kernel, ridge=0):
    M = solve_numpy(task, kernel, ridge).to_numpy()
    return [(i, j) for i, j in task.test_pairs() if M[i - 1, j - 1] * task.ground_truth(i, j) < -1e-9]


def _rational_near(x, side, eps=R(1, 10**6)):
    v = R(int(round(float(sp.N(x, 20)) * 10**9)), 10**9)  # within 1e-9 of the endpoint
    return v + side * eps


@pytest.mark.parametrize("make,name", [(geometric_similarity, "gamma"), (gaussian_similarity, "q")])
def test_thresholds_in_one_geometry_parameter(make, name):
    """n = 7, exception {3, 5}, alpha = 1/10: each pair's wrong set in the geometry
    parameter, checked at rational points 1e-6 inside and outside every endpoint."""
    task = Task(7, exceptions=[(3, 5)])
    p = sp.Symbol(name, positive=True)
    W = parameter_thresholds(task, SimilarityKernel(make(7, p), R(1, 10)), p)
    found = 0
    for (i, j), ivs in W.items():
        truth = task.ground_truth(i, j)
        for lo, hi in ivs:
            found += 1
            for end, inside in ((lo.value, 1), (hi.value, -1)):
                if end in (0, 1):
                    continue
                for side in (inside, -inside):
                    x = _rational_near(end, side)
                    P = solve_exact(task, SimilarityKernel(make(7, x), R(1, 10)))
                    assert (P[i, j] * truth < 0) == (side == inside), ((i, j), end, side)
    assert found > 0  # the geometry does make pairs wrong here
    # and the whole pattern at a few points, against numpy
    for x in (R(1, 10), R(3, 10), R(1, 2), R(4, 5)):
        K = SimilarityKernel(make(7, x), R(1, 10))
        want = sorted(k for k, ivs in W.items() if any(lo.value < x < hi.value for lo, hi in ivs))
        assert want == numpy_wrong(task, K)


def test_identity_geometry_is_k_alpha():
    for a in (R(1, 10), R(1, 5), R(1, 2)):
        P = solve_exact(TASK, SimilarityKernel(sp.eye(9), a))
        Q = solve_exact(TASK, AlphaKernel(a))
        assert all(P[p] == Q[p] for p in TASK.ordered_pairs())


def test_geometry_moves_the_wrong_set_at_fixed_alpha():
    """derivations/09_exchangeable.py, last step: at alpha = 1/10 (below alpha_c) K_alpha gets
    nothing wrong; ordinal similarity gamma = 1/2 makes (3,6), (4,7) wrong, a Gaussian line
    q = 1/2 also (2,6), (3,7), (4,8) -- while their exchangeable projections (alpha' below
    1/10) get nothing wrong.  Checked with numpy."""
    rows = geometry_effect(TASK, R(1, 10), {"gamma=1/2": geometric_similarity(9, R(1, 2)),
                                            "q=1/2": gaussian_similarity(9, R(1, 2))})
    got = {r["geometry"]: r for r in rows}
    assert got["identity"]["wrong"] == [] and got["identity"]["alpha_eff_projection"] == R(1, 10)
    assert got["gamma=1/2"]["wrong"] == [(3, 6), (4, 7)]
    assert got["q=1/2"]["wrong"] == [(2, 6), (3, 6), (3, 7), (4, 7), (4, 8)]
    for r in rows:
        assert r["wrong_projection"] == []
        assert r["alpha_eff_projection"] <= R(1, 10)
        S = {"identity": sp.eye(9), "gamma=1/2": geometric_similarity(9, R(1, 2)),
             "q=1/2": gaussian_similarity(9, R(1, 2))}[r["geometry"]]
        assert numpy_wrong(TASK, SimilarityKernel(S, R(1, 10))) == r["wrong"]
    # the gamma threshold at alpha = 1/10: (3, 6) goes wrong above gamma* ~ 0.1330
    g = sp.Symbol("gamma", positive=True)
    W = parameter_thresholds(TASK, SimilarityKernel(geometric_similarity(9, g), R(1, 10)), g)
    ((lo, hi),) = W[(3, 6)]
    assert abs(float(lo.value) - 0.13304540271699408) < 1e-12 and hi.value == 1
    for x, wrong in ((R(133, 1000), False), (R(134, 1000), True)):
        assert ((3, 6) in numpy_wrong(TASK, SimilarityKernel(geometric_similarity(9, x), R(1, 10)))) == wrong


def test_similarity_constructors():
    assert exponential_similarity(4, R(1, 3)) == geometric_similarity(4, R(1, 3))
    assert line_parameter(1) == sp.exp(-R(1, 2)) and line_parameter(1, "exponential") == sp.exp(-1)
    S = gaussian_similarity(5, R(1, 3))
    assert all(S[a, b] == R(1, 3) ** ((a - b) ** 2) for a in range(5) for b in range(5))
    C = cluster_similarity([1, 1, 2, 2, 2], R(1, 2))
    assert np.linalg.eigvalsh(np.array(C, dtype=float))[0] >= 0
    check_psd(SimilarityKernel(C, R(1, 3)), Task(5).ordered_pairs())
    P = solve_representation(Task(5, exceptions=[(2, 4)]), SimilarityKernel(C, R(1, 3)))
    assert wrong_pairs(Task(5, exceptions=[(2, 4)]), P) == numpy_wrong(Task(5, exceptions=[(2, 4)]),
                                                                         SimilarityKernel(C, R(1, 3)))
    with pytest.raises(ValueError, match="q:"):
        gaussian_similarity(3, 2)
    with pytest.raises(ValueError, match="within"):
        cluster_similarity([1, 2], 2)
    with pytest.raises(ValueError, match="diagonal"):
        check_similarity([[2, 0], [0, 1]])
    with pytest.raises(ValueError, match="symbol"):
        parameter_thresholds(TASK, AlphaKernel(R(1, 5)), sp.Symbol("gamma"))


def test_gaussian_width_thresholds_against_float_kernels():
    """Thresholds in sigma (not rational in the kernel) from the exact ones in q: numpy solves
    with S_ik = exp(-(i-k)^2 / (2 sigma^2)) built directly in float64 flip exactly there."""
    from symti.analysis.geometry import width_intervals
    from symti.kernels.measured import GramKernel

    task = Task(7, exceptions=[(3, 5)])
    q = sp.Symbol("q", positive=True)
    W = parameter_thresholds(task, SimilarityKernel(gaussian_similarity(7, q), R(1, 10)), q)
    (i, j), ivs = next((k, v) for k, v in W.items() if v and 0 < v[0][0].value < 1)
    ((s_lo, s_hi),) = width_intervals(ivs[:1], "gaussian")
    sigma = float(s_lo)
    T = Task(7).ordered_pairs()
    for sg, wrong in ((sigma * (1 - 1e-4), False), (sigma * (1 + 1e-4), True)):
        S = np.exp(-np.subtract.outer(np.arange(7), np.arange(7)) ** 2 / (2 * sg**2))
        G = np.array([[0.45 * (S[a - 1, c - 1] + S[b - 1, d - 1]) + 0.1 * S[a - 1, c - 1] * S[b - 1, d - 1]
                       for c, d in T] for a, b in T])
        M = solve_numpy(task, GramKernel(G)).to_numpy()
        assert (M[i - 1, j - 1] * task.ground_truth(i, j) < 0) == wrong, (sg, M[i - 1, j - 1])
