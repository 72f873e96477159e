"""margin_grid (symti.closed_form.evaluate): margins over grids of (alpha, rho, pairs),
vectorised, against

* margin_matrix at each grid point (the one-point path of the evaluator: its own
  tables, Woodbury on floats and the n x n layout -- a different code path over the
  same compiled closed form);
* an independent dense solve of the rank system in numpy,
  (mu I + sum_e gamma_e w_e w_e^T) r = sum_e gamma_e y_e w_e (derivations/theory.md §3),
  no hyperbolic function involved;
* the trial-Gram KRR solve symti.solve.numeric.solve_numpy (the kernel itself, no rank
  reduction) at random points of small tasks.

No test times anything (speed: ``symti bench``, entry ``margin_grid``).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategies import examples
from symti import AlphaKernel, Task
from symti.closed_form.evaluate import evaluator, margin_grid, margin_matrix
from symti.solve.numeric import solve_numpy


@st.composite
def grid_tasks(draw, max_n=60, weights=True):
    n = draw(st.integers(min_value=3, max_value=max_n))
    excs = set()
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        u = draw(st.integers(min_value=1, max_value=n - 2))
        excs.add((u, draw(st.integers(min_value=u + 2, max_value=n))))
    w = {}
    if weights and draw(st.booleans()):
        trained = [(i, i + 1) for i in range(1, n)] + sorted(excs)
        for key in draw(st.lists(st.sampled_from(trained), max_size=3, unique=True)):
            w[key] = draw(st.sampled_from([0.25, 0.5, 2.0, 3.0]))
    return Task(n, exceptions=sorted(excs), weights=w)


ALPHA = st.one_of(st.sampled_from([0.0, 1e-9, 0.5, 1 - 1e-9, 1.0]), st.floats(0.0, 1.0))
RHO = st.one_of(st.sampled_from([0.0, 1e-12, 1e-3, 1.0, 1e6]), st.floats(0.0, 100.0))


def _pairs(draw, n):
    k = draw(st.integers(min_value=1, max_value=40))
    P = draw(st.lists(st.tuples(st.integers(1, n), st.integers(1, n)).filter(lambda p: p[0] != p[1]),
                      min_size=k, max_size=k))
    return P + [(1, 2), (2, 1)]  # a premise in both orders


def _close(x, ref, scale, rtol=1e-9, floor=1e-12):
    return np.abs(x - ref) <= rtol * np.abs(ref) + floor * scale


@given(data=st.data(), task=grid_tasks())
def test_grid_matches_margin_matrix_pointwise(data, task):
    """Every grid entry equals margin_matrix's entry at that point (both paths of the
    evaluator, any task, alpha and rho including the endpoints 0 and 1)."""
    alphas = data.draw(st.lists(ALPHA, min_size=1, max_size=4))
    rhos = data.draw(st.lists(RHO, min_size=1, max_size=3))
    P = _pairs(data.draw, task.n)
    F = margin_grid(task, alphas, rhos, P)
    assert F.shape == (len(alphas), len(rhos), len(P))
    assert np.isfinite(F).all()
    I, J = np.array(P).T - 1
    for a_k, a in enumerate(alphas):
        for r_k, r in enumerate(rhos):
            M = margin_matrix(task, a, r)
            scale = max(1.0, np.abs(M).max())
            assert _close(F[a_k, r_k], M[I, J], scale, rtol=1e-11, floor=1e-14).all(), (a, r)


def _dense_margins(task: Task, alpha: float, rho: float) -> np.ndarray:
    """Margins from a dense numpy solve of the rank system (0 <= alpha < 1, alpha + rho > 0)."""
    n = task.n
    mu = 2 * (alpha + rho) / (1 - alpha)
    A = mu * np.eye(n)
    b = np.zeros(n)
    coef = {}
    for e in task.trained_pairs:
        w = float(e.weight)
        g = w * (alpha + rho) / (alpha * w + rho)
        p, q = e.i - 1, e.j - 1
        A[p, p] += g
        A[q, q] += g
        A[p, q] -= g
        A[q, p] -= g
        b[p] += g * e.target
        b[q] -= g * e.target
        coef[(e.i, e.j)] = (alpha * w / (alpha * w + rho), e.target)
    r = np.linalg.solve(A, b)
    M = r[:, None] - r[None, :]
    for (i, j), (m, y) in coef.items():
        M[i - 1, j - 1] = m * y + (1 - m) * M[i - 1, j - 1]
        M[j - 1, i - 1] = -M[i - 1, j - 1]
    return M


@given(data=st.data(), task=grid_tasks(max_n=120))
def test_grid_matches_dense_rank_system(data, task):
    """Random interior grid points: the grid against the dense rank-system solve (an
    independent route), to 1e-8 relative plus 1e-11 of the largest margin."""
    alphas = data.draw(st.lists(st.floats(1e-3, 0.99), min_size=1, max_size=3))
    rhos = data.draw(st.lists(st.one_of(st.just(0.0), st.floats(1e-4, 10.0)), min_size=1, max_size=3))
    P = _pairs(data.draw, task.n)
    F = margin_grid(task, alphas, rhos, P)
    I, J = np.array(P).T - 1
    for a_k, a in enumerate(alphas):
        for r_k, r in enumerate(rhos):
            ref = _dense_margins(task, a, r)
            scale = np.abs(ref).max()
            ok = _close(F[a_k, r_k], ref[I, J], scale, rtol=1e-8, floor=1e-11)
            assert ok.all(), (a, r, F[a_k, r_k][~ok], ref[I, J][~ok])


@examples(8)
@given(data=st.data(), task=grid_tasks(max_n=10))
def test_grid_matches_trial_gram_krr(data, task):
    """Small tasks: the grid against solve_numpy, KRR on the full trial Gram matrix of
    K_alpha (no rank reduction, no closed form), every ordered pair."""
    alpha = data.draw(st.floats(0.05, 0.95))
    rho = data.draw(st.one_of(st.just(0.0), st.floats(1e-3, 10.0)))
    P = task.ordered_pairs()
    F = margin_grid(task, [alpha], [rho], P)[0, 0]
    ref = solve_numpy(task, AlphaKernel(alpha), rho).to_numpy()
    I, J = np.array(P).T - 1
    assert _close(F, ref[I, J], np.abs(ref).max(), rtol=1e-7, floor=1e-10).all()


def test_default_pairs_are_the_test_pairs_and_shapes():
    task = Task(9, exceptions=[(4, 6)])
    F = margin_grid(task, np.linspace(0, 1, 5), [0.0, 0.1])
    assert F.shape == (5, 2, len(task.test_pairs()))
    tp = task.test_pairs()
    M = margin_matrix(task, 0.25, 0.1)
    assert np.allclose(F[1, 1], [M[i - 1, j - 1] for i, j in tp], rtol=1e-12, atol=1e-15)
    # scalars are axes of length 1
    assert margin_grid(task, 0.3, 0.0).shape == (1, 1, len(tp))
    # alpha = 1: ranks vanish, test pairs 0; trained pairs keep m y
    assert (margin_grid(task, 1.0, 0.5) == 0).all()
    assert margin_grid(task, 1.0, 0.5, [(1, 2), (6, 4)]).tolist() == [[[1 / 1.5, 1 / 1.5]]]


def test_chunks_do_not_change_the_result():
    task = Task(30, exceptions=[(5, 12), (14, 20)], weights={(3, 4): 2.0})
    ev = evaluator(task)
    a, r = np.linspace(0, 1, 7), [0.0, 1e-3, 5.0]
    assert np.array_equal(ev.margin_grid(a, r, chunk=2), ev.margin_grid(a, r))


def test_grid_input_validation():
    task = Task(5, exceptions=[(1, 3)])
    with pytest.raises(ValueError, match="^alphas"):
        margin_grid(task, [0.5, 1.5], [0.0])
    with pytest.raises(ValueError, match="^alphas"):
        margin_grid(task, [float("nan")], [0.0])
    with pytest.raises(ValueError, match="^rhos"):
        margin_grid(task, [0.5], [-1e-3])
    with pytest.raises(ValueError, match="^rhos"):
        margin_grid(task, [0.5], [float("inf")])
    with pytest.raises(TypeError, match="^alphas"):
        margin_grid(task, ["x"], [0.0])
    with pytest.raises(ValueError, match="^alphas"):
        margin_grid(task, [[0.5]], [0.0])
    with pytest.raises(ValueError, match="^pairs"):
        margin_grid(task, [0.5], [0.0], pairs=[1, 2])
    with pytest.raises(ValueError, match="^pairs"):
        margin_grid(task, [0.5], [0.0], pairs=[(1, 6)])
    with pytest.raises(TypeError, match="^pairs"):
        margin_grid(task, [0.5], [0.0], pairs=[(1.5, 2)])
    with pytest.raises(ValueError, match=r"^\(i, j\)"):
        margin_grid(task, [0.5], [0.0], pairs=[(2, 2)])
    with pytest.raises(TypeError, match="^task"):
        margin_grid("task", [0.5], [0.0])
