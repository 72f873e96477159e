r"""Analysis at scale: exact thresholds for n = 200.

* ``thresholds_n200``: :func:`symti.analysis.thresholds.thresholds` of
  ``Task(200, exceptions=[(99, 101)])`` (ridgeless): every test pair's exact wrong
  set of :math:`\alpha` and the critical :math:`\alpha`, an algebraic number,
  certified.  Baseline: the dense numeric sign scan a user would otherwise run to
  locate the critical :math:`\alpha` -- ridgeless KRR on the explicit trial Gram
  matrix of :math:`K_\alpha` (numpy ``solve``, the kernel matrices built once) at
  ``SCAN_POINTS`` log-spaced :math:`\alpha \in [10^{-6}, 0.99]`, every test pair's
  sign at each; it only brackets the critical :math:`\alpha` between two grid
  points (about 3 % apart) and certifies nothing.  Agreement (independent): the
  scan's first :math:`\alpha` with a wrong test pair and the grid point before it
  bracket the exact critical :math:`\alpha`, and the float closed form
  (:func:`~symti.closed_form.evaluate.margin_grid`) sees no wrong test pair at
  :math:`(1 - 10^{-6})\alpha_c` and one at :math:`(1 + 10^{-6})\alpha_c`.

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §4, "What the theory predicts" (thresholds, how the
   critical conjunctivity scales).
"""
from __future__ import annotations

import numpy as np

from ..bench import Case, benchmark
from ...analysis.thresholds import thresholds
from ...closed_form.evaluate import margin_grid
from ...task import Task

#: Number of log-spaced alpha values of the baseline's sign scan.
SCAN_POINTS = 400


def _scan_setup(task: Task):
    """The 0/1 structure of the trial Gram matrices, K_alpha = (1-alpha)/2 A + alpha B
    (training x training), and A between test pairs and training trials (a test pair
    is untrained, so its conjunctive part B vanishes)."""
    tr = task.training_trials()
    X = np.array([t for t, _, _ in tr])
    y = np.array([float(v) for _, v, _ in tr])
    T = np.array(task.test_pairs())

    def parts(P, Q):
        si = P[:, None, 0] == Q[None, :, 0]
        sj = P[:, None, 1] == Q[None, :, 1]
        return si.astype(float) + sj, (si & sj).astype(float)

    (Atr, Btr), (Ate, Bte) = parts(X, X), parts(T, X)
    assert not Bte.any()
    return Atr, Btr, Ate, y, np.array([task.ground_truth(i, j) for i, j in T], dtype=float)


def sign_scan(task: Task, alphas: np.ndarray):
    """``wrong[k]``: number of test pairs whose ridgeless KRR margin has the wrong sign at
    ``alphas[k]`` (dense float64: one trial Gram solve per alpha, then all test margins
    by one matrix product; a margin exactly 0 is not wrong)."""
    Atr, Btr, Ate, y, truth = _scan_setup(task)
    C = np.stack([(1 - a) / 2 * np.linalg.solve((1 - a) / 2 * Atr + a * Btr, y) for a in alphas], axis=1)
    F = Ate @ C  # (test pairs, alphas)
    return np.count_nonzero(F * truth[:, None] < 0, axis=0)


@benchmark("thresholds_n200")
def thresholds_n200(quick: bool = False) -> Case:
    n, points = (12, 60) if quick else (200, SCAN_POINTS)
    task = Task(n, exceptions=[(n // 2 - 1, n // 2 + 1)])  # {99, 101} at n = 200
    alphas = np.geomspace(1e-6, 0.99, points)

    def agree(T, wrong):
        ac = T.critical_alpha
        if ac is None:
            return bool(not wrong.any()), {"n": n, "critical_alpha": None}
        x = float(ac.decimal(20))  # refined by bisection; ac.value (a CRootOf) is slow at degree ~n
        first = int(np.argmax(wrong > 0)) if wrong.any() else None
        bracket = first is not None and (first == 0 or alphas[first - 1] < x) and x <= alphas[first] * (1 + 1e-12)
        F = margin_grid(task, [x * (1 - 1e-6), x * (1 + 1e-6)], 0.0)
        truth = np.array([task.ground_truth(i, j) for i, j in task.test_pairs()], dtype=float)
        below, above = (int(np.count_nonzero(F[k, 0] * truth < 0)) for k in (0, 1))
        return bool(bracket and below == 0 and above > 0), {
            "n": n, "critical_alpha": x, "scan_bracket": None if first is None else
            [float(alphas[first - 1]) if first else 0.0, float(alphas[first])],
            "wrong_pairs_just_below": below, "wrong_pairs_just_above": above}

    return Case(
        fast=lambda: thresholds(task),
        fast_what=f"thresholds of n = {n}, exception {list(task.exceptions[0])}, ridgeless: every test pair's "
                  "exact wrong set and the critical alpha (certified Arb brackets; python-flint)",
        baseline=lambda: sign_scan(task, alphas),
        baseline_what=f"a dense float64 sign scan: ridgeless KRR on the trial Gram matrix (numpy solve and one "
                      f"matrix product) at "
                      f"{points} log-spaced alpha in [1e-6, 0.99], brackets the critical alpha to ~3 %",
        agree=agree, repeat=2, warmup=quick,
    )
