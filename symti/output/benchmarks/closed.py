r"""Float benchmarks of the closed-form evaluator (:mod:`symti.closed_form.evaluate`).

* ``closed_vs_sklearn_n99``: all 9 702 ordered-pair margins of n = 99 at one
  :math:`(\alpha, \rho)` by :func:`~symti.closed_form.evaluate.margin_matrix`,
  against scikit-learn's ``KernelRidge(kernel="precomputed")`` on the explicit
  :math:`K_\alpha` trial kernel (kernel matrices built with numpy, in its time) --
  what a user would otherwise run.  Agreement: the two matrices, to :math:`10^{-9}`.
* ``margin_grid_n99``: the test-pair margins of n = 99 on a 100 x 50 grid of
  :math:`(\alpha, \rho)` by :func:`~symti.closed_form.evaluate.margin_grid`,
  against the Python loop of ``margin_matrix`` calls over the grid a user would
  otherwise write; reports the rate in margins per second.  Agreement: the loop's
  values, and at 20 grid points a dense numpy solve of the rank system
  :math:`(\mu I + \sum_e \gamma_e w_e w_e^\top) r = \sum_e \gamma_e y_e w_e`
  (derivations/theory.md §3; no hyperbolic function), to :math:`10^{-9}`.

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §3, "Kernel ridge regression and the rank
   reduction".
"""
from __future__ import annotations

import warnings

import numpy as np

from ..bench import Case, benchmark
from ...closed_form.evaluate import margin_grid, margin_matrix
from ...task import Task


def _kernel_matrices(trials: np.ndarray, tests: np.ndarray, alpha: float):
    r""":math:`K_\alpha` between trial arrays of shape (m, 2), built with numpy."""
    def K(P, Q):
        si = P[:, None, 0] == Q[None, :, 0]
        sj = P[:, None, 1] == Q[None, :, 1]
        return (1 - alpha) / 2 * (si.astype(float) + sj) + alpha * (si & sj)
    return K(trials, trials), K(tests, trials)


def _sklearn_margins(task: Task, alpha: float, ridge: float) -> np.ndarray:
    from sklearn.kernel_ridge import KernelRidge

    n = task.n
    tr = task.training_trials()
    X = np.array([t for t, _, _ in tr])
    y = np.array([float(v) for _, v, _ in tr])
    I, J = np.nonzero(~np.eye(n, dtype=bool))
    T = np.stack([I + 1, J + 1], axis=1)
    Ktr, Kte = _kernel_matrices(X, T, alpha)
    model = KernelRidge(alpha=ridge, kernel="precomputed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(Ktr, y)
        f = model.predict(Kte)
    M = np.zeros((n, n))
    M[I, J] = f
    return M


@benchmark("closed_vs_sklearn_n99")
def closed_vs_sklearn_n99(quick: bool = False) -> Case:
    n = 15 if quick else 99
    task = Task(n, exceptions=[(n * 40 // 99, n * 60 // 99)])
    alpha, ridge = 0.3, 1e-3

    def agree(fast, base):
        err = float(np.abs(fast - base).max())
        return bool(err <= 1e-9), {"n": n, "pairs": n * (n - 1), "max_abs_diff": err}

    return Case(
        fast=lambda: margin_matrix(task, alpha, ridge),
        fast_what=f"all {n * (n - 1)} margins of n = {n}, exception {list(task.exceptions[0])}, alpha = 0.3, "
                  "rho = 1e-3: margin_matrix (closed form, float64)",
        baseline=lambda: _sklearn_margins(task, alpha, ridge),
        baseline_what=f"sklearn KernelRidge(kernel='precomputed') on the {2 * n}-trial K_alpha",
        agree=agree, repeat=7 if not quick else 2, number=200 if not quick else 5, baseline_number=3 if not quick else 1,
    )


def _dense_rank_margins(task: Task, alpha: float, rho: float) -> np.ndarray:
    """Margins from a dense numpy solve of the rank system, unit weights (0 < alpha < 1)."""
    n = task.n
    mu = 2 * (alpha + rho) / (1 - alpha)
    A = mu * np.eye(n)
    b = np.zeros(n)
    for e in task.trained_pairs:
        g = float(e.weight) * (alpha + rho) / (alpha * float(e.weight) + rho)
        p, q = e.i - 1, e.j - 1
        A[[p, q], [p, q]] += g
        A[p, q] -= g
        A[q, p] -= g
        b[p] += g * e.target
        b[q] -= g * e.target
    r = np.linalg.solve(A, b)
    return r[:, None] - r[None, :]


@benchmark("margin_grid_n99")
def margin_grid_n99(quick: bool = False) -> Case:
    n, na, nr = (15, 5, 3) if quick else (99, 100, 50)
    task = Task(n, exceptions=[(n * 40 // 99, n * 60 // 99)])
    alphas = np.linspace(0.0, 1.0, na)
    rhos = np.concatenate([[0.0], np.logspace(-4, 2, nr - 1)])
    pairs = task.test_pairs()
    I, J = np.array(pairs).T - 1

    out = np.empty((na, nr, len(pairs)))  # allocated once: a fresh 190 MB array per repeat made the spread 2.5x

    def loop():
        for a_k, a in enumerate(alphas):
            for r_k, r in enumerate(rhos):
                out[a_k, r_k] = margin_matrix(task, float(a), float(r))[I, J]
        return out

    def agree(fast, base):
        loop_err = float(np.abs(fast - base).max())
        rng = np.random.default_rng(0)
        dense_err = 0.0
        for _ in range(20):  # independent route at interior grid points
            a_k, r_k = int(rng.integers(1, na - 1)), int(rng.integers(0, nr))
            ref = _dense_rank_margins(task, alphas[a_k], rhos[r_k])[I, J]
            dense_err = max(dense_err, float(np.max(np.abs(fast[a_k, r_k] - ref) / np.maximum(1.0, np.abs(ref)))))
        return bool(loop_err <= 1e-12 and dense_err <= 1e-9), {
            "n": n, "grid": [na, nr, len(pairs)], "margins": fast.size,
            "max_abs_diff_loop": loop_err, "max_rel_err_dense_solve": dense_err}

    case = Case(
        fast=lambda: margin_grid(task, alphas, rhos),
        fast_what=f"the {len(pairs)} test-pair margins of n = {n}, exception {list(task.exceptions[0])}, "
                  f"on a {na} x {nr} grid of (alpha, rho): margin_grid",
        baseline=loop,
        baseline_what=f"a Python loop of margin_matrix over the {na * nr} grid points",
        agree=agree, repeat=5 if not quick else 2,
    )
    case.extra["margins"] = na * nr * len(pairs)
    return case
