r"""Representational geometry: any kernel in, exact predictions, wrong sets and thresholds out.

* :func:`solve_representation` -- exact KRR with any kernel; an exchangeable kernel with
  :math:`\kappa_1 = \kappa_2`, :math:`\kappa_s < 1` (networks included) goes through its
  reduction to :math:`K_{\alpha'}` with ridge :math:`\rho'` (``derivations/theory.md`` §2),
  so values with :math:`\pi` or :math:`\arccos` are substituted into rational functions,
  never expanded inside a linear solve; :math:`\alpha'` outside :math:`[0, 1]` is solved too.
* :func:`swap_sums` -- :math:`f(i,j) + f(j,i)`, exactly; zero for swap-invariant kernels, in
  general not for position-asymmetric ones (:math:`\kappa_1 \ne \kappa_2`).
* :func:`parameter_thresholds` -- the wrong set of every test pair as exact intervals of
  *one kernel parameter* that enters rationally (:math:`\gamma` of
  :math:`S_{ik} = \gamma^{|i-k|}`, :math:`q = e^{-1/(2\sigma^2)}` of a Gaussian line, a
  :math:`\kappa`), on :math:`(0, 1)`.
* :func:`geometry_effect` -- how item geometry moves the wrong set at fixed conjunctivity.

>>> import sympy as sp
>>> from symti.task import Task
>>> from symti.kernels.networks import network_kernel
>>> P = solve_representation(Task(9, exceptions=[(4, 6)]), network_kernel(1))
>>> P.method, sp.N(P[3, 6], 20)
('reduced', -0.037007271963649981770)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972 (sensitivity of generalization
   with an exception to representational geometry).
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §2, §5; ``derivations/09_exchangeable.py``.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from .._validate import check_ridge
from ..kernels.exchangeable import (exact_sign, exchangeable_eigenvalues, is_psd, reduced_alpha_ridge,
                                    reduction_applies, to_mpf)
from ..kernels.measured import project_exchangeable
from ..kernels.trial import AlphaKernel, ExchangeableKernel, SimilarityKernel, TrialKernel, check_psd
from ..kernels.psd import check_task_psd
from ..solve.exact import (ALPHA_EFF, RHO_EFF, certify_nonzero, reduced_functions as _reduced_functions, solve_exact,
                           solve_reduced)
from ..solve.predictions import Predictions
from ..task import Task
from .thresholds import wrong_set

__all__ = ["solve_representation", "margins_mp", "representation_summary", "swap_sums", "wrong_pairs",
           "parameter_thresholds", "width_intervals", "geometry_effect", "projection_comparison"]

_A, _R = ALPHA_EFF, RHO_EFF


def solve_representation(task: Task, kernel: TrialKernel, ridge=0, check: bool = True) -> Predictions:
    r"""Exact KRR margins with any kernel (``method`` of the result says the route).

    ``"reduced"``: the kernel reduces (:math:`\kappa_1 = \kappa_2`, :math:`\kappa_s < 1`), and
    every margin is that of :math:`K_{\alpha'}` with ridge :math:`\rho'`,

    .. math::
       \alpha' = 1 - \frac{2(\kappa_1 - \kappa_x)}{1 - \kappa_s}, \qquad \rho' = \frac{\rho}{1-\kappa_s};

    rational :math:`\alpha'` is solved directly (for :math:`\alpha' > 1`, possible on PSD
    kernels up to :math:`n/(n-2)`, on the halved antisymmetric system), irrational
    :math:`\alpha'` (networks) by solving in a symbol and substituting (each denominator
    certified nonzero at the point).  Otherwise the result of
    :func:`symti.solve.exact.solve_exact` (``"gram"`` or ``"antisymmetric"``).
    ``check`` rejects kernels that are not PSD on the task's trials.

    >>> from symti.kernels.trial import ExchangeableKernel
    >>> K = ExchangeableKernel(0, "-1/4", "-1/4", "1/4", 0)   # PSD on 4 items, alpha' = 2
    >>> P = solve_representation(Task(4), K); P.method, P[1, 4], P[1, 2]
    ('reduced', -1, 1)
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a symti kernel, got {type(kernel).__name__}")
    ridge = check_ridge(ridge)
    if check:
        check_task_psd(kernel, task)
    if isinstance(kernel, AlphaKernel) or not reduction_applies(kernel):
        return solve_exact(task, kernel, ridge, check=False)
    return solve_reduced(task, kernel, ridge)


def _mp_point(kernel, a, r, dps: int) -> dict:
    """The reduction point in mpmath at ``dps`` digits (a network's own recursion when it has one)."""
    with mpmath.workdps(dps + 20):
        if hasattr(kernel, "numeric_kappas"):
            ko, kd = kernel.numeric_kappas(dps + 20)
            am = (1 + kd - 2 * ko) / (1 - kd)
            rm = to_mpf(r * (1 - kernel.kappa_d), dps + 20) / (1 - kd)
        else:
            am, rm = to_mpf(a, dps + 20), to_mpf(r, dps + 20)
    return {_A: am, _R: rm}


def _mp_eval(expr, mp_point: dict, dps: int):
    syms = sorted(expr.free_symbols, key=str)
    with mpmath.workdps(dps + 20):
        return sp.lambdify(syms, expr, modules="mpmath")(*[mp_point[s] for s in syms])


def margins_mp(task: Task, kernel: TrialKernel, ridge=0, dps: int = 30) -> dict:
    r"""Every margin at ``dps`` digits (mpmath), through the reduction when it applies:
    the exact rational functions of :math:`K_\alpha` evaluated at :math:`\alpha', \rho'` --
    the fast numeric path for network kernels (no :math:`\pi` or :math:`\arccos` inside a
    solve).  Other kernels: :func:`symti.solve.numeric.solve_mpmath`.

    >>> from symti.kernels.networks import network_kernel
    >>> M = margins_mp(Task(9, exceptions=[(4, 6)]), network_kernel(8, kind="ntk"), "1/20", dps=20)
    >>> mpmath.nstr(M[3, 6], 12)
    '-0.0891098700508'
    """
    ridge = check_ridge(ridge)
    if isinstance(kernel, AlphaKernel) or not reduction_applies(kernel):
        from ..solve.numeric import solve_mpmath

        P = solve_mpmath(task, kernel, ridge, dps=dps)
        return {k: mpmath.mpf(v) for k, v in P.items()}
    a, r = reduced_alpha_ridge(kernel, ridge)
    fns, _ = _reduced_functions(task, a, r) if not (a.is_Rational and (r.is_Rational)) else (None, None)
    if fns is None:
        P = solve_representation(task, kernel, ridge, check=False)
        with mpmath.workdps(dps + 20):
            return {k: to_mpf(v, dps + 20) for k, v in P.items()}
    mp_point = _mp_point(kernel, a, r, dps)
    out = {}
    for (i, j), (num, den) in fns.items():
        certify_nonzero(den, mp_point)
        with mpmath.workdps(dps + 20):
            v = _mp_eval(num, mp_point, dps) / _mp_eval(den, mp_point, dps)
            out[(i, j)], out[(j, i)] = v, -v  # negated at full precision
    return out


def swap_sums(task: Task, kernel: TrialKernel, ridge=0) -> dict:
    r""":math:`f(i, j) + f(j, i)` for every pair :math:`i < j`, exactly (the generic exact
    route).  It vanishes for every swap-invariant kernel (antisymmetric dual
    coefficients); a position-asymmetric exchangeable kernel (:math:`\kappa_1 \ne \kappa_2`)
    mixes the antisymmetric targets into the symmetric part of the block
    (:mod:`symti.kernels.exchangeable`) and in general does not.

    >>> from symti.kernels.trial import ExchangeableKernel
    >>> swap_sums(Task(4), ExchangeableKernel(0, "1/2", "1/4", 0, 0))[(1, 3)]
    15/44
    """
    P = solve_exact(task, kernel, ridge)
    return {(i, j): sp.cancel(P[i, j] + P[j, i]) for i, j in task.ordered_pairs() if i < j}


def wrong_pairs(task: Task, P) -> list[tuple[int, int]]:
    """The test pairs ``(i, j)``, ``i < j``, whose margin has the wrong sign (ties are not errors;
    signs decided exactly, ``derivations/theory.md`` §4).

    >>> wrong_pairs(Task(9, exceptions=[(4, 6)]), solve_representation(Task(9, exceptions=[(4, 6)]), AlphaKernel("1/5")))
    [(3, 6), (4, 7)]
    """
    return [(i, j) for i, j in task.test_pairs() if exact_sign(P[i, j]) * task.ground_truth(i, j) < 0]


def parameter_thresholds(task: Task, kernel: TrialKernel, symbol: sp.Symbol, ridge=0) -> dict:
    r"""The wrong set of every test pair as exact open intervals of ``symbol`` in :math:`(0, 1)`.

    ``kernel`` holds ``symbol`` rationally (e.g. ``SimilarityKernel(geometric_similarity(n, g), alpha)``
    or ``gaussian_similarity(n, q)``); the exact solve gives each margin as a rational function
    of it, and :func:`symti.analysis.thresholds.wrong_set` isolates the sign changes
    exactly.  Returns ``{(i, j): [(lo, hi), ...]}`` with exact endpoints (``AlgebraicNumber``).

    >>> from symti.kernels.trial import SimilarityKernel, geometric_similarity
    >>> g = sp.Symbol("gamma", positive=True)
    >>> W = parameter_thresholds(Task(5, exceptions=[(2, 4)]), SimilarityKernel(geometric_similarity(5, g), "1/5"), g)
    >>> {k: [(float(a.value), float(b.value)) for a, b in v] for k, v in W.items() if v}
    {(1, 4): [(0.6277186767309857, 1.0)], (2, 5): [(0.6277186767309857, 1.0)]}
    """
    if not isinstance(symbol, sp.Symbol):
        raise TypeError(f"symbol: expected a SymPy Symbol, got {type(symbol).__name__}")
    if symbol not in kernel.free_symbols:
        raise ValueError(f"symbol: {symbol} does not occur in the kernel {kernel!r}")
    P = solve_exact(task, kernel, ridge, check=False)
    out = {}
    for i, j in task.test_pairs():
        out[(i, j)] = wrong_set(sp.cancel(P[i, j]), task.ground_truth(i, j), symbol)
    return out


def geometry_effect(task: Task, alpha, similarities: dict, ridge=0) -> list[dict]:
    r"""The same conjunctivity :math:`\alpha`, different item geometries: for each named item
    similarity :math:`S` of ``similarities`` (plus ``"identity"``, :math:`S = I`, i.e.
    :math:`K_\alpha`), the exact wrong set of

    .. math::
       K((i,j),(k,l)) = \tfrac{1-\alpha}{2}(S_{ik} + S_{jl}) + \alpha S_{ik} S_{jl},

    the :math:`\alpha'` of the kernel's exchangeable projection on the task's trials
    (:func:`symti.kernels.measured.project_exchangeable`) and the wrong set of that
    projection (which predicts as :math:`K_{\alpha'}`).  Where the two wrong sets differ,
    the geometry itself -- not the effective conjunctivity -- decides.

    On :math:`n = 9`, :math:`\{4, 6\}`, :math:`\alpha = 1/10` (below
    :math:`\alpha_c \approx 0.1315`, nothing wrong), an ordinal similarity
    :math:`\gamma = 1/2` makes (3, 6) and (4, 7) wrong while its projection's
    :math:`\alpha' \approx 0.0746` is even further below :math:`\alpha_c`:

    >>> from symti.kernels.trial import geometric_similarity
    >>> rows = geometry_effect(Task(9, exceptions=[(4, 6)]), "1/10", {"gamma=1/2": geometric_similarity(9, "1/2")})
    >>> [(r["geometry"], r["wrong"], r["wrong_projection"]) for r in rows]
    [('identity', [], []), ('gamma=1/2', [(3, 6), (4, 7)], [])]
    """
    rows = []
    geoms = {"identity": sp.eye(task.n), **similarities}
    for name, S in geoms.items():
        K = SimilarityKernel(S, alpha)
        cmp = projection_comparison(task, K, ridge)
        rows.append({"geometry": name, "alpha": K.alpha, "wrong": cmp["wrong"],
                     "alpha_eff_projection": cmp["projection"].alpha_eff, "wrong_projection": cmp["wrong_projection"],
                     "explained": cmp["projection"].explained})
    return rows


def projection_comparison(task: Task, kernel: TrialKernel, ridge=0) -> dict:
    r"""A kernel (e.g. a measured :class:`~symti.kernels.measured.GramKernel`) beside its
    exchangeable projection: ``{"projection", "predictions", "wrong", "predictions_projection",
    "wrong_projection"}``, all exact (the full Gram system; the projection through its
    reduction to :math:`K_{\alpha'}`).

    >>> from symti.kernels.trial import SimilarityKernel, geometric_similarity
    >>> c = projection_comparison(Task(5, exceptions=[(2, 4)]), SimilarityKernel(geometric_similarity(5, "1/2"), "1/2"))
    >>> c["wrong"], c["wrong_projection"], c["projection"].alpha_eff
    ([(1, 4), (2, 5)], [], 1135/4023)
    """
    G = kernel if hasattr(kernel, "M") else kernel.gram(task.ordered_pairs())
    proj = project_exchangeable(G, task.n)
    P = solve_exact(task, kernel, ridge)
    Q = solve_representation(task, proj.kernel, ridge)
    return {"projection": proj, "predictions": P, "wrong": wrong_pairs(task, P), "predictions_projection": Q,
            "wrong_projection": wrong_pairs(task, Q)}


def representation_summary(kernel: TrialKernel, n: int, ridge=0) -> dict:
    r"""What a representation is, on the ordered pairs of ``n`` items: exact values.

    Keys: ``exchangeable`` (bool), ``psd`` (exact for exchangeable kernels,
    :func:`symti.kernels.exchangeable.is_psd`; otherwise the float64 check of
    ``check_psd``), ``kappas`` (the kernel's :math:`\kappa` values, or those of its
    exchangeable projection, :func:`symti.kernels.measured.project_exchangeable`),
    ``scale`` (the diagonal value), ``explained`` (the fraction of the variance of the Gram
    matrix the projection explains; 1 for exchangeable kernels), ``alpha_eff``,
    ``ridge_eff`` (:math:`\alpha', \rho'` of the reduction; ``None`` for :math:`\kappa_s = 1`),
    ``reduces`` (the kernel predicts exactly as :math:`K_{\alpha'}`: exchangeable with
    :math:`\kappa_1 = \kappa_2`; otherwise :math:`\alpha'` is that of the position-symmetrised
    kernel or projection, :math:`\alpha' = 1 - (\kappa_1 + \kappa_2 - 2\kappa_x)/(1-\kappa_s)`),
    ``eigenvalues`` (closed forms, exchangeable only).

    >>> s = representation_summary(AlphaKernel("1/5"), 9, "1/10")
    >>> s["psd"], s["alpha_eff"], s["ridge_eff"], s["kappas"]["kappa_1"]
    (True, 1/5, 1/10, 2/5)
    """
    ridge = check_ridge(ridge)
    names = ("kappa_s", "kappa_1", "kappa_2", "kappa_x", "kappa_d")
    vals = kernel.pattern_values()
    if vals is not None:
        same = sp.sympify(vals["same"])
        kap = tuple(sp.sympify(vals[k]) / same for k in ("swap", "first", "second", "crossed", "disjoint"))
        psd, explained, eig = is_psd(kernel, n), sp.Integer(1), exchangeable_eigenvalues(n, kernel)
        reducible = reduction_applies(kernel)
        ks, k1, k2, kx, _ = kap
        if reducible:
            a, r = reduced_alpha_ridge(kernel, ridge)
        elif ks != 1:  # position-asymmetric: the symmetrised kernel's conjunctivity
            a, r = 1 - (k1 + k2 - 2 * kx) / (1 - ks), (ridge / (same * (1 - ks)) if ridge != 0 else sp.Integer(0))
        else:
            a = r = None
    else:
        trials = Task(n).ordered_pairs()
        try:
            check_psd(kernel, trials)
            psd = True
        except ValueError:
            psd = False
        G = kernel.gram(trials) if not hasattr(kernel, "M") else kernel
        proj = project_exchangeable(G, n)
        same, kap, explained, eig = proj.scale, proj.kappas, proj.explained, None
        a, reducible = proj.alpha_eff, False
        r = None if a is None else (proj.ridge_factor * ridge if ridge != 0 else sp.Integer(0))
    return {"exchangeable": vals is not None, "reduces": bool(reducible), "psd": bool(psd), "kappas": dict(zip(names, kap)), "scale": same,
            "explained": explained, "alpha_eff": a, "ridge_eff": r, "eigenvalues": eig}


def width_intervals(intervals, kind: str = "gaussian") -> list[tuple[sp.Expr, sp.Expr]]:
    r"""Intervals of the rational parameter of a line geometry, mapped to its width :math:`\sigma`.

    :math:`\sigma` does not enter the kernel rationally, but :math:`q = e^{-1/(2\sigma^2)}`
    (``"gaussian"``) and :math:`\gamma = e^{-1/\sigma}` (``"exponential"``) do and both increase
    with :math:`\sigma`, so the exact intervals of :func:`parameter_thresholds` map to exact
    intervals in :math:`\sigma`: :math:`\sigma = (-2\ln q)^{-1/2}` resp. :math:`\sigma = -1/\ln\gamma`
    (:math:`0 \mapsto 0`, :math:`1 \mapsto \infty`).

    >>> width_intervals([(sp.Rational(1, 2), 1)], "exponential")
    [(1/log(2), oo)]
    """
    def width(x):
        x = getattr(x, "value", x)
        if x == 0:
            return sp.Integer(0)
        if x == 1:
            return sp.oo
        if kind == "gaussian":
            return 1 / sp.sqrt(-2 * sp.log(x))
        if kind == "exponential":
            return -1 / sp.log(x)
        raise ValueError(f"kind: must be 'gaussian' or 'exponential', got {kind!r}")

    return [(width(lo), width(hi)) for lo, hi in intervals]
