r"""Fitting the theory to behaviour: the conjunctivity :math:`\alpha` and a ridge scale.

A linear readout trained with an :math:`L_2` penalty :math:`\lambda` on a
network's fixed hidden states is kernel ridge regression with that network's
kernel and a ridge proportional to the penalty (``derivations/theory.md`` §5,
"The ridge in data").  For behaviour measured along such a sweep we fit

.. math::
   \rho_k = c\,\lambda_k ,

i.e. a conjunctivity :math:`\alpha \in (0, 1)` and one *ridge scale*
:math:`c > 0` shared by every :math:`\lambda_k` of the sweep; without a sweep
(full finetuning, LoRA) only :math:`\alpha` is fitted, ridgeless.

**Criterion.**  The theory's margin in the direction of the ground truth,
:math:`y(i, j)\, f_{\alpha, c\lambda_k}(i, j)`, is compared with the observed
value (accuracy) of every ordered pair with a ground truth at every
:math:`\lambda_k` by the Spearman rank correlation.  The score is a step
function of :math:`(\alpha, c)`, so the search is a bounded grid (``alpha`` on
:math:`k/(g+1)`, ``c`` log-spaced) followed by rounds of local grids around the
best point; nothing is extrapolated beyond the bounds, and the result says
whether the best point lies on a bound.

**The margins in batch.**  With unit weights the rank system of
``derivations/theory.md`` §3 is :math:`(L + \mu I)\,r = b`,
:math:`\mu = 2(\alpha+\rho)/(1-\alpha)`.  With :math:`L = U \operatorname{diag}(\ell) U^\top`
(one eigendecomposition per task),

.. math::
   r = U \operatorname{diag}\!\Big(\frac{1-\alpha}{(1-\alpha)\ell_k + 2(\alpha+\rho)}\Big) U^\top b,

and :math:`f(i,j) = r_i - r_j` untrained, :math:`m\,y_e + (1-m)(r_i - r_j)` trained,
:math:`m = \alpha/(\alpha+\rho)` -- evaluated for thousands of
:math:`(\alpha, \rho)` at once (:func:`alpha_margins`); the tests check it
against the closed form :func:`symti.closed_form.evaluate.margin_matrix` and
the exact solver.

>>> import numpy as np
>>> from symti.task import Task
>>> T = Task(9, exceptions=[(4, 6)])
>>> M = alpha_margins(T, [0.2], [0.0])[0]
>>> round(float(M[2, 5]), 12)                       # f(3, 6) = -6/49
-0.122448979592
>>> pairs = [(i, j) for i, j in T.ordered_pairs() if T.ground_truth(i, j) is not None]
>>> lam = np.repeat([0.1, 1.0, 10.0], len(pairs))
>>> I = np.tile([p[0] for p in pairs], 3); J = np.tile([p[1] for p in pairs], 3)
>>> value = theory_values(T, I, J, 0.3, 0.5 * lam)  # data made by the theory itself
>>> fit = fit_behaviour(T, I, J, value, lam)
>>> fit.score > 0.999, abs(fit.alpha - 0.3) < 0.02, bool(abs(np.log(fit.ridge_scale / 0.5)) < 0.2)
(True, True, True)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §3 (the rank reduction), §5 ("The ridge in data").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from ..solve.rank import assemble_rank_system
from ..task import Task

__all__ = ["alpha_margins", "theory_values", "spearman_rows", "BehaviourFit", "fit_behaviour",
           "ALPHA_BOUNDS", "SCALE_BOUNDS"]

#: The conjunctivities searched: the open interval, bounded away from 0 and 1.
ALPHA_BOUNDS = (1e-3, 1 - 1e-3)
#: The ridge scales searched (log-uniformly).
SCALE_BOUNDS = (1e-4, 1e4)


def _spectrum(task: Task):
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if task.is_weighted:
        raise ValueError("task: alpha_margins needs unit training weights (use margin_matrix for weighted tasks)")
    A, b = assemble_rank_system(task, 0.0, zero=0.0)
    ell, U = np.linalg.eigh(np.array(A, dtype=float))
    return ell, U, U.T @ np.array(b, dtype=float)


def alpha_margins(task: Task, alpha, ridge) -> np.ndarray:
    r"""Margins of :math:`K_\alpha` KRR at many parameter points at once, shape ``(K, n, n)``.

    ``alpha`` and ``ridge`` are arrays broadcast to one length ``K``
    (:math:`0 \le \alpha \le 1`, :math:`\rho \ge 0`, ridge 0 the ridgeless
    limit), ``M[k, i-1, j-1]`` :math:`= f(i, j)` at :math:`(\alpha_k, \rho_k)`;
    unit training weights only.  Formula: the module docstring.

    >>> from symti.task import Task
    >>> alpha_margins(Task(3), [0.5, 1.0], [0.0, 0.0]).round(12)[:, 0].tolist()
    [[0.0, 1.0, 0.666666666667], [0.0, 1.0, 0.0]]
    """
    ell, U, c = _spectrum(task)
    try:
        a, rho = np.broadcast_arrays(np.atleast_1d(np.asarray(alpha, dtype=float)),
                                     np.atleast_1d(np.asarray(ridge, dtype=float)))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"alpha, ridge: expected numbers or arrays of one length ({exc})") from None
    if a.ndim != 1:
        raise ValueError(f"alpha, ridge: expected 1-D arrays, got shape {a.shape}")
    if not (np.all(np.isfinite(a)) and np.all((a >= 0) & (a <= 1))):
        raise ValueError("alpha: every value must lie in [0, 1]")
    if not (np.all(np.isfinite(rho)) and np.all(rho >= 0)):
        raise ValueError("ridge: every value must be finite and >= 0")
    one = 1.0 - a
    den = one[:, None] * ell[None, :] + 2.0 * (a + rho)[:, None]
    null = np.abs(ell) < 1e-9  # the constants: b is orthogonal to them
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.where(null[None, :] | (den == 0), 0.0, one[:, None] * c[None, :] / np.where(den == 0, 1.0, den))
    r = coef @ U.T
    M = r[:, :, None] - r[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(a + rho > 0, a / np.where(a + rho > 0, a + rho, 1.0), 0.0)
    for e in task.trained_pairs:
        i, j = e.i - 1, e.j - 1
        v = m * e.target + (1.0 - m) * M[:, i, j]
        M[:, i, j], M[:, j, i] = v, -v
    return M


def _oriented(task: Task, i, j):
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    if i.shape != j.shape or i.ndim != 1:
        raise ValueError(f"i, j: expected two 1-D arrays of one length, got shapes {i.shape}, {j.shape}")
    y = []
    for a, b in zip(i.tolist(), j.tolist()):
        g = task.ground_truth(a, b)
        if g is None:
            raise ValueError(f"(i, j): ({a}, {b}) has no ground truth (a cycle pair); leave it out")
        y.append(g)
    return i - 1, j - 1, np.array(y, dtype=float)


def theory_values(task: Task, i, j, alpha: float, ridge) -> np.ndarray:
    r""":math:`y(i_k, j_k)\, f_{\alpha, \rho_k}(i_k, j_k)` for arrays of ordered pairs
    (1-based) with ground truth and their ridges ``ridge`` (an array or one number).

    >>> from symti.task import Task
    >>> theory_values(Task(9, [(4, 6)]), [3, 6], [6, 3], 0.2, 0.0).round(6).tolist()
    [-0.122449, -0.122449]
    """
    a, b, y = _oriented(task, i, j)
    rho = np.broadcast_to(np.asarray(ridge, dtype=float), a.shape)
    uniq, inv = np.unique(rho, return_inverse=True)
    M = alpha_margins(task, np.full(len(uniq), float(alpha)), uniq)
    return y * M[inv, a, b]


def spearman_rows(X: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Spearman correlation of every row of ``X`` with ``v`` (average ranks for
    ties; ``nan`` where a row or ``v`` is constant).

    >>> spearman_rows(np.array([[1.0, 2, 3], [3, 2, 1], [1, 1, 1]]), np.array([1.0, 5, 9])).tolist()
    [1.0, -1.0, nan]
    """
    rx = stats.rankdata(X, axis=1)
    rv = stats.rankdata(v)
    rx = rx - rx.mean(axis=1, keepdims=True)
    rv = rv - rv.mean()
    den = np.sqrt((rx**2).sum(axis=1) * (rv**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx @ rv) / np.where(den > 0, den, 1.0), np.nan)


@dataclass(frozen=True)
class BehaviourFit:
    r"""The result of :func:`fit_behaviour`.

    ``alpha``, ``ridge_scale`` (``None`` without a sweep: ridgeless) and the
    Spearman ``score`` there (with its two-sided ``pvalue``) over ``points``
    observations; ``at_bound`` names a parameter whose best value lies on its
    search bound (the optimum may lie beyond it); ``alpha_range`` is the
    smallest and largest :math:`\alpha` among the scored points that attain
    the best score (the criterion is a step function: ranks can be the same
    over a whole interval of :math:`\alpha`); ``evaluations`` counts the
    parameter points scored.
    """

    alpha: float
    ridge_scale: float | None
    score: float
    pvalue: float
    points: int
    at_bound: tuple = ()
    alpha_range: tuple = ()
    evaluations: int = 0
    curve: dict = field(default_factory=dict, repr=False, compare=False)


def _quantised(T: np.ndarray) -> np.ndarray:
    """Values rounded to 1e-11 of each row's scale, so that margins equal in exact
    arithmetic (e.g. mirror pairs) tie instead of being ordered by rounding."""
    s = np.max(np.abs(T), axis=1, keepdims=True)
    s = np.where(s > 0, s, 1.0)
    return np.round(T / s, 11)


def fit_behaviour(task: Task, i, j, value, lambdas=None, *, alpha_bounds=ALPHA_BOUNDS,
                  scale_bounds=SCALE_BOUNDS, grid: tuple = (49, 33), rounds: int = 4) -> BehaviourFit:
    r"""Fit :math:`\alpha` (and, given ``lambdas``, the ridge scale :math:`c`,
    :math:`\rho = c\lambda`) by the Spearman correlation of :math:`y f` with ``value``.

    Parameters
    ----------
    task : Task
        The task the observations come from (unit weights).
    i, j : arrays of int
        Ordered pairs (1-based) with a ground truth, one per observation.
    value : array of float
        The observed value per observation (e.g. accuracy): larger means more correct.
    lambdas : array of float, optional
        The penalty :math:`\lambda \ge 0` of each observation (a ridge sweep);
        ``None``: one ridgeless condition, only :math:`\alpha` is fitted.
    alpha_bounds, scale_bounds : (float, float)
        The search box; :math:`0 < \alpha < 1`, :math:`0 < c`.
    grid : (int, int)
        Coarse grid points in :math:`\alpha` and :math:`\log c` (the default
        (49, 33) with 4 rounds reaches the scores of (99, 49) with 3 rounds
        within 0.001 on the 24 probe conditions of the packaged data, in half
        the time; the fitted parameters then differ by up to about 0.05 in
        :math:`\alpha` and 30 % in :math:`c` -- the score is that flat).
    rounds : int
        Local refinements: each searches an 11-point grid per parameter of
        half-width two current spacings around the best point, the spacing
        shrinking fivefold per round.

    Returns
    -------
    BehaviourFit

    Examples: the module docstring (a fit to data made by the theory).
    """
    a_idx, b_idx, y = _oriented(task, i, j)
    v = np.asarray(value, dtype=float)
    if v.shape != a_idx.shape or not np.all(np.isfinite(v)):
        raise ValueError(f"value: expected {a_idx.size} finite numbers, one per pair")
    if a_idx.size < 3 or np.ptp(v) == 0:
        raise ValueError("value: need at least 3 observations that are not all equal (Spearman is undefined)")
    lo_a, hi_a = map(float, alpha_bounds)
    if not 0 < lo_a < hi_a < 1:
        raise ValueError(f"alpha_bounds: need 0 < low < high < 1, got {alpha_bounds}")
    try:
        ga, gc = grid
    except (TypeError, ValueError):
        raise ValueError(f"grid: two integers in [3, 2000], got {grid!r}") from None
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 0 <= rounds <= 10:
        raise ValueError(f"rounds: must be an integer in [0, 10], got {rounds!r}")
    if not (isinstance(ga, int) and isinstance(gc, int) and 3 <= ga <= 2000 and 3 <= gc <= 2000):
        raise ValueError(f"grid: two integers in [3, 2000], got {grid!r}")
    sweep = lambdas is not None
    if sweep:
        lam = np.asarray(lambdas, dtype=float)
        if lam.shape != a_idx.shape or not (np.all(np.isfinite(lam)) and np.all(lam >= 0)):
            raise ValueError("lambdas: expected one finite penalty >= 0 per observation")
        lo_c, hi_c = map(float, scale_bounds)
        if not 0 < lo_c < hi_c < math.inf:
            raise ValueError(f"scale_bounds: need 0 < low < high, got {scale_bounds}")
        ulam, lam_inv = np.unique(lam, return_inverse=True)
    else:
        ulam, lam_inv = np.zeros(1), np.zeros(a_idx.size, dtype=np.int64)
        lo_c = hi_c = 1.0

    evaluated: dict = {}

    L = ulam.size
    chunk = max(1, int(2e7 // (L * task.n * task.n)))  # margin matrices held at once: about 160 MB

    def score(A: np.ndarray, C: np.ndarray) -> np.ndarray:
        T = np.empty((A.size, a_idx.size))
        for k in range(0, A.size, chunk):
            Ak, Ck = A[k:k + chunk], C[k:k + chunk]
            M = alpha_margins(task, np.repeat(Ak, L), np.outer(Ck, ulam).ravel() if sweep else np.zeros(Ak.size * L))
            M = M.reshape(Ak.size, L, task.n, task.n)
            T[k:k + chunk] = y[None, :] * M[:, lam_inv, a_idx, b_idx]
        s = spearman_rows(_quantised(T), v)
        for a, c, val in zip(A.tolist(), C.tolist(), s.tolist()):
            evaluated[(a, c)] = val
        return s

    la, lc = math.log(lo_c), math.log(hi_c)
    A0 = lo_a + (hi_a - lo_a) * np.arange(1, ga + 1) / (ga + 1)
    A0 = np.concatenate([[lo_a], A0, [hi_a]])
    C0 = np.exp(np.linspace(la, lc, gc)) if sweep else np.ones(1)
    AA, CC = np.meshgrid(A0, C0, indexing="ij")
    s = score(AA.ravel(), CC.ravel())
    k = int(np.nanargmax(s)) if np.any(np.isfinite(s)) else 0
    best = (float(s[k]), float(AA.ravel()[k]), float(CC.ravel()[k]))
    ha = (hi_a - lo_a) / (ga + 1)
    hc = (lc - la) / (gc - 1) if sweep else 0.0
    for _ in range(rounds):
        _, a0, c0 = best
        A = np.clip(np.linspace(a0 - 2 * ha, a0 + 2 * ha, 11), lo_a, hi_a)
        C = np.exp(np.clip(np.linspace(math.log(c0) - 2 * hc, math.log(c0) + 2 * hc, 11), la, lc)) if sweep \
            else np.ones(1)
        AA, CC = np.meshgrid(np.unique(A), np.unique(C), indexing="ij")
        s = score(AA.ravel(), CC.ravel())
        if np.any(np.isfinite(s)):
            k = int(np.nanargmax(s))
            if s[k] > best[0] + 1e-12:
                best = (float(s[k]), float(AA.ravel()[k]), float(CC.ravel()[k]))
        ha, hc = ha / 5, hc / 5
    sc, a, c = best
    # the p-value of the reported point, from scipy's own Spearman (an independent check of the score)
    T = y * alpha_margins(task, np.full(ulam.size, a), c * ulam if sweep else np.zeros(1))[lam_inv, a_idx, b_idx]
    res = stats.spearmanr(_quantised(T[None, :])[0], v)
    if not math.isnan(sc) and abs(float(res.statistic) - sc) > 1e-9:
        raise AssertionError(f"internal: Spearman {sc} differs from scipy's {float(res.statistic)}")
    at_bound = tuple(name for name, x, lo, hi in (("alpha", a, lo_a, hi_a), ("ridge_scale", c, lo_c, hi_c))
                     if (name == "alpha" or sweep) and (x <= lo * (1 + 1e-12) or x >= hi * (1 - 1e-12)))
    tied = [x for (x, _), val in evaluated.items() if val is not None and val >= sc - 1e-12]
    return BehaviourFit(alpha=a, ridge_scale=c if sweep else None, score=sc, pvalue=float(res.pvalue),
                        points=int(a_idx.size), at_bound=at_bound, alpha_range=(min(tied), max(tied)),
                        evaluations=len(evaluated), curve=evaluated)
