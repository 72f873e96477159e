r"""Fast, overflow-free evaluation of the closed-form KRR margins.

The closed form (:mod:`symti.closed_form`) writes every rank as hyperbolic
functions of :math:`\lambda`, :math:`\cosh\lambda = 1 + \mu/2 =
(1+\rho)/(1-\alpha)`.  For a trained pair set that differs from the unit path
by the modified pairs :math:`a = (p_a, q_a)`, :math:`p_a < q_a` (exceptions
with :math:`\delta_a = \gamma_a`, :math:`y_a = -1`; premises of non-unit
weight with :math:`\delta_a = \gamma_a - 1`, :math:`y_a = +1`), Woodbury gives

.. math::
   r = r^{0} + \sum_a c_a\, G w_a, \qquad
   (I + \Delta C)\, c = \Delta (y - s),

with :math:`w_a = e_{p_a} - e_{q_a}`, :math:`C_{ab} = w_a^\top G w_b`,
:math:`s_a = w_a^\top r^0`, :math:`\Delta = \mathrm{diag}(\delta_a)`, the TI
ranks

.. math::
   r^0_i = \frac{\sinh\big((\tfrac{n+1}{2} - i)\lambda\big)}{2\sinh(\lambda/2)\cosh(n\lambda/2)},

and the Green's function differences (:math:`D = \sinh\lambda\,\sinh n\lambda`)

.. math::
   (G w)_i = \begin{cases}
     2\cosh((i-\tfrac12)\lambda)\sinh(\tfrac{2n-p-q+1}{2}\lambda)\sinh(\tfrac{q-p}{2}\lambda)/D & i \le p\\
     \big[\sinh(\tfrac{2n+p-q}{2}\lambda)\sinh(\tfrac{p+q-2i}{2}\lambda)
        + \sinh(\tfrac{2n-p-q-2i+2}{2}\lambda)\sinh(\tfrac{q-p}{2}\lambda)\big]/D & p < i < q\\
     -2\cosh((n-i+\tfrac12)\lambda)\sinh(\tfrac{p+q-1}{2}\lambda)\sinh(\tfrac{q-p}{2}\lambda)/D & i \ge q.
   \end{cases}

Numerically every factor is kept as a mantissa times :math:`e^{x}`:
:math:`\sinh(a\lambda)/\lambda = a\,h(|a|\lambda)\,e^{|a|\lambda}` with
:math:`h(x) = -\operatorname{expm1}(-2x)/(2x)` (:math:`h(0) = 1`) and
:math:`\cosh(a\lambda) = \tfrac12(1 + e^{-2|a|\lambda})e^{|a|\lambda}`; the
exponents are summed before one ``exp`` of a non-positive number, so nothing
overflows for large :math:`\lambda` and nothing cancels for small
:math:`\lambda` (the powers of :math:`\lambda` cancel analytically;
:math:`\lambda = 2\operatorname{asinh}(\sqrt{\mu}/2)` is accurate for tiny
:math:`\mu`).  :math:`\lambda = 0` (:math:`\alpha = \rho = 0`) is the additive
least-squares limit, :math:`\alpha = 1` gives :math:`r = 0`.

Margins: :math:`f(i,j) = r_i - r_j` untrained, :math:`m_e y_e + (1-m_e)(r_i -
r_j)` trained, :math:`m_e = \alpha w_e/(\alpha w_e + \rho)` (1 ridgeless with
:math:`\alpha > 0`, 0 at :math:`\alpha = \rho = 0`).

>>> from symti.task import Task
>>> M = margin_matrix(Task(3), 0.5)
>>> M[0].round(12).tolist()
[0.0, 1.0, 0.666666666667]
>>> mpmath.nstr(margin_matrix_mp(Task(3), "1/2", 0, 30)[0, 2], 20)
'0.66666666666666666667'

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

import math

import mpmath
import numpy as np
import sympy as sp

from .._validate import check_alpha, check_digits, check_ridge
from ..params import gamma_weight, lambda_numeric, memorization
from ..task import Task
from .green import path_resolvent_terms, ti_rank_terms
from .woodbury import woodbury_update

#: Largest n for :func:`margin_matrix` (an n x n float64 array: 20 000 items take 3.2 GB).
MAX_MATRIX_N = 20_000

__all__ = ["MAX_MATRIX_N", "margin_matrix", "rank_vector_numeric", "margins", "margin_matrix_mp", "rank_vector_mp"]


# ------------------------------------------------------------------ parameters
def _check_task(task) -> Task:
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    return task


def _exact_params(alpha, ridge):
    a = check_alpha(alpha)
    r = check_ridge(ridge)
    for name, x in (("alpha", a), ("ridge", r)):
        if not (isinstance(x, sp.Basic) and x.is_number):
            raise TypeError(f"{name}: the numeric evaluator needs a number, got the expression {x}")
    return a, r


def _float_weight(w, key) -> float:
    if not (isinstance(w, sp.Basic) and w.is_number) and not isinstance(w, (int, float)):
        raise ValueError(f"weights[{key!r}]: the numeric evaluator needs numeric weights, got {w}")
    return float(w)


def _modified_pairs(task: Task, alpha, ridge, num=float):
    """``(mods, unit, special)``: ``mods`` lists ``(p, q, y, delta)`` for every
    trained pair that differs from the unit path (exceptions, weighted
    premises); ``unit = (m, 1 - m)`` for unit-weight premises and ``special``
    maps the other trained pairs to ``(m, 1 - m, y)``.  Only exceptions and
    listed weights are visited, so this is O(k), not O(n)."""

    def coeffs(w):
        if alpha * w + ridge == 0:  # alpha = rho = 0: the additive ridgeless limit
            return w, num(0), num(1)
        m = memorization(alpha, ridge, w)
        return gamma_weight(alpha, ridge, w), m, 1 - m

    conv = _float_weight if num is float else _mp_weight
    _, m1, one_m1 = coeffs(num(1))
    mods, special = [], {}
    keys = set(task.exceptions) | set(task.weights)
    for key in sorted(keys):
        e = task.trained_pair(*key)
        w = conv(e.weight, e.key)
        gamma, m, one_m = coeffs(w)
        special[e.key] = (m, one_m, e.target)
        delta = gamma if e.kind == "exception" else gamma - 1
        if delta != 0:
            mods.append((e.i, e.j, e.target, delta))
    return mods, (m1, one_m1), special


# ------------------------------------------------------------------ float64 core
def _h(x: np.ndarray) -> np.ndarray:
    r""":math:`h(x) = -\mathrm{expm1}(-2x)/(2x)`, :math:`h(0) = 1` (``x >= 0``)."""
    if np.ndim(x) == 0:  # scalar fast path
        x = float(x)
        return -math.expm1(-2 * x) / (2 * x) if x > 0 else 1.0
    x = np.asarray(x, dtype=float)
    out = np.ones_like(x)
    nz = x > 0
    out[nz] = -np.expm1(-2 * x[nz]) / (2 * x[nz])
    return out


class _Scaled:
    r"""Float64 values (scalars or arrays) held as ``m * exp(e)``: products add
    exponents, sums align them to the larger one, so nothing overflows."""

    __slots__ = ("m", "e")

    def __init__(self, m, e):
        self.m, self.e = m, e

    def __mul__(self, other):
        if isinstance(other, _Scaled):
            return _Scaled(self.m * other.m, self.e + other.e)
        return _Scaled(self.m * other, self.e)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return _Scaled(self.m / other.m, self.e - other.e)

    def __add__(self, other):
        e = np.maximum(self.e, other.e)
        return _Scaled(self.m * np.exp(self.e - e) + other.m * np.exp(other.e - e), e)

    def value(self):
        return self.m * np.exp(self.e)


def _float_hyperbolics(lam: float):
    r"""``(S, C)`` of :func:`symti.closed_form.green.path_resolvent_terms` in float64:
    :math:`\sinh(a\lambda/d)/\lambda = (a/d)\,h(x)\,e^{x}` and
    :math:`\cosh(a\lambda/d) = \tfrac12(1 + e^{-2x})e^{x}`, :math:`x = |a|\lambda/d`."""

    def S(a, d=1):
        a = a / d
        x = np.abs(a) * lam
        return _Scaled(a * _h(x), x)

    def C(a, d=1):
        x = np.abs(a / d) * lam
        return _Scaled(0.5 * (1 + np.exp(-2 * x)), x)

    return S, C


def _green_columns(n, mods, S, C, items):
    """:math:`(G w_a)_i` at ``items`` for each modified pair, one branch per region."""
    cols = []
    with np.errstate(over="ignore"):  # each branch overflows only outside its own region
        for p, q, _, _ in mods:
            low, mid, high = (t.value() for t in path_resolvent_terms(n, items, p, q, S, C))
            cols.append(np.where(items <= p, low, np.where(items >= q, high, mid)))
    return cols


def _solve_float(A, b):
    return np.linalg.solve(np.array(A, dtype=float), np.array(b, dtype=float))


def _ranks_float(task: Task, alpha: float, ridge: float):
    mods, unit, special = _modified_pairs(task, alpha, ridge)
    n = task.n
    if alpha == 1:
        return np.zeros(n), unit, special
    S, C = _float_hyperbolics(float(lambda_numeric(alpha, ridge)))
    items = np.arange(1, n + 1, dtype=float)
    r0 = ti_rank_terms(n, items, S, C).value()
    if not mods:
        return r0, unit, special
    g = _green_columns(n, mods, S, C, items)
    ranks = woodbury_update(lambda x: r0[x - 1], lambda a, x: g[a][x - 1], mods, _solve_float)
    return ranks(np.arange(1, n + 1)), unit, special


def _numbers(task, alpha, ridge):
    task = _check_task(task)
    if (type(alpha) is float and type(ridge) is float and 0.0 <= alpha <= 1.0
            and 0.0 <= ridge < float("inf")):
        return task, alpha, ridge  # valid floats: skip the exact validation
    a, r = _exact_params(alpha, ridge)
    return task, float(a), float(r)


def rank_vector_numeric(task: Task, alpha, ridge=0.0) -> np.ndarray:
    r"""The rank vector :math:`r` (float64, length ``n``) from the closed form, in :math:`O(nk)`
    for :math:`k` exceptions (and non-unit premise weights).

    At :math:`\alpha = \rho = 0` it is the minimum-norm (zero-mean) additive
    least-squares solution; at :math:`\alpha = 1` it is 0.

    >>> from symti.task import Task
    >>> rank_vector_numeric(Task(3), 0.0).tolist()
    [1.0, 0.0, -1.0]
    >>> r = rank_vector_numeric(Task(100_000, exceptions=[(40, 60_000)]), 1e-6, 1e-9)
    >>> bool(np.isfinite(r).all())
    True
    """
    task, a, rho = _numbers(task, alpha, ridge)
    return _ranks_float(task, a, rho)[0]



def margin_matrix(task: Task, alpha: float, ridge: float = 0.0) -> np.ndarray:
    r"""All margins as an ``n x n`` float64 array, ``M[i-1, j-1] = f(i, j)``.

    ``alpha`` in :math:`[0, 1]` (endpoints included), ``ridge`` :math:`\rho \ge 0`
    (0: the ridgeless limit), any number of exceptions and numeric weights.
    Accuracy: every entry is finite for every finite ``alpha``, ``ridge``
    (:math:`\lambda` is formed without :math:`\mu`, see
    :func:`symti.params.lambda_numeric`), with an absolute error of about
    :math:`10^{-14}` times the largest rank; a margin far below that scale (a
    near-cancellation, e.g. :math:`10^{-229}` beside ranks of :math:`10^{-200}` at
    :math:`\rho = 10^{200}`) is not resolved -- use :func:`margin_matrix_mp` or
    :func:`symti.solve_exact` for those.
    Memory is :math:`O(n^2)`; for very large ``n`` use :func:`rank_vector_numeric`
    or :func:`margins`.

    >>> from symti.task import Task
    >>> M = margin_matrix(Task(9, exceptions=[(4, 6)]), 0.2)
    >>> bool(M[2, 5] < 0 and M[3, 6] < 0), round(float(M[5, 3]), 12)
    (True, 1.0)
    >>> margin_matrix(Task(4), 1.0)[0].tolist()
    [0.0, 1.0, 0.0, 0.0]
    """
    task, a, rho = _numbers(task, alpha, ridge)
    n = task.n
    if n > MAX_MATRIX_N:
        raise ValueError(f"n: margin_matrix builds an n x n array and allows n <= {MAX_MATRIX_N}, got {n}; "
                         "use rank_vector_numeric or margins for larger n")
    r, (m1, one_m1), special = _ranks_float(task, a, rho)
    M = r[:, None] - r[None, :]
    k = np.arange(n - 1)
    up = m1 + one_m1 * (r[:-1] - r[1:])  # unit-weight premises (i, i+1)
    M[k, k + 1], M[k + 1, k] = up, -up
    for (i, j), (m, one_m, y) in special.items():
        v = m * y + one_m * (r[i - 1] - r[j - 1])
        M[i - 1, j - 1], M[j - 1, i - 1] = v, -v
    np.fill_diagonal(M, 0.0)
    return M


def _items(x, name: str, n: int) -> np.ndarray:
    """Items as an integer array: integer dtypes only (1.7 is not an item), in ``1..n``."""
    a = np.atleast_1d(np.asarray(x))
    if a.dtype.kind not in "iu" and not (a.dtype == object and all(
            isinstance(v, (int, np.integer, sp.Integer)) and not isinstance(v, bool) for v in a.ravel())):
        raise TypeError(f"{name}: items must be integers, got an array of {a.dtype}")
    a = a.astype(np.int64)
    if a.size and (a.min() < 1 or a.max() > n):
        raise ValueError(f"{name}: items must lie in 1..{n}, got values from {a.min()} to {a.max()}")
    return a


def margins(task: Task, i, j, alpha, ridge=0.0) -> np.ndarray:
    r"""Margins :math:`f(i_k, j_k)` for arrays of items (1-based), without the
    ``n x n`` matrix (for very large ``n``).

    >>> from symti.task import Task
    >>> margins(Task(3), [1, 2, 3], [3, 3, 1], 0.5).round(12).tolist()
    [0.666666666667, 1.0, -0.666666666667]
    """
    task, a, rho = _numbers(task, alpha, ridge)
    i, j = _items(i, "i", task.n), _items(j, "j", task.n)
    if i.shape != j.shape:
        raise ValueError(f"i, j: must have the same shape, got {i.shape} and {j.shape}")
    if np.any(i == j):
        k = int(np.argmax(i == j))
        raise ValueError(f"(i, j): a trial needs two different items, got ({i[k]}, {j[k]}) at position {k}")
    r, (m1, one_m1), special = _ranks_float(task, a, rho)
    out = r[i - 1] - r[j - 1]
    sgn = np.sign(j - i)  # (min, max) orientation: value = sgn * out
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    d = sgn * out
    adj = hi - lo == 1
    out[adj] = sgn[adj] * (m1 + one_m1 * d[adj])
    for (p, q), (m, one_m, y) in special.items():
        sel = (lo == p) & (hi == q)
        out[sel] = sgn[sel] * (m * y + one_m * d[sel])
    return out


# ------------------------------------------------------------------ mpmath
def _mp_weight(w, key):
    w = sp.nsimplify(w) if isinstance(w, float) else sp.sympify(w)
    if not w.is_number:
        raise ValueError(f"weights[{key!r}]: the numeric evaluator needs numeric weights, got {w}")
    return _mp_number(w)


def _mp_number(x):
    x = sp.Rational(x) if isinstance(x, (sp.Rational, int)) else x
    if isinstance(x, sp.Rational):
        return mpmath.mpf(int(x.p)) / int(x.q)
    return mpmath.mpf(sp.N(x, mpmath.mp.dps + 10))


def _mp_hyperbolics(lam):
    r"""``(S, C)`` in mpmath: :math:`\sinh(a\lambda/d)/\lambda` (:math:`a/d` at :math:`\lambda = 0`)
    and :math:`\cosh(a\lambda/d)`."""

    def S(a, d=1):
        a = mpmath.mpf(a) / d
        return a if lam == 0 else mpmath.sinh(a * lam) / lam

    def C(a, d=1):
        return mpmath.cosh(mpmath.mpf(a) / d * lam)

    return S, C


def _mp_ranks(task: Task, alpha, ridge):
    """Same closed form as the float core, plain hyperbolics at ``mp.dps``."""
    mods, unit, special = _modified_pairs(task, alpha, ridge, num=mpmath.mpf)
    n = task.n
    if alpha == 1:
        return [mpmath.mpf(0)] * n, unit, special
    S, C = _mp_hyperbolics(lambda_numeric(alpha, ridge, mpmath))
    r0 = [ti_rank_terms(n, i, S, C) for i in range(1, n + 1)]
    g = []
    for p, q, _, _ in mods:
        col = []
        for i in range(1, n + 1):
            low, mid, high = path_resolvent_terms(n, i, p, q, S, C)
            col.append(low if i <= p else high if i >= q else mid)
        g.append(col)
    ranks = woodbury_update(lambda x: r0[x - 1], lambda a, x: g[a][x - 1], mods,
                            lambda A, b: mpmath.lu_solve(mpmath.matrix(A), mpmath.matrix(b)))
    return [ranks(i) for i in range(1, n + 1)], unit, special


def _mp_params(task, alpha, ridge, dps):
    task = _check_task(task)
    dps = check_digits(dps, "dps")
    a, r = _exact_params(alpha, ridge)
    return task, a, r, dps


def rank_vector_mp(task: Task, alpha, ridge=0, dps: int = 50) -> list:
    r"""The closed-form rank vector as ``mpf`` values at ``dps`` digits.

    ``alpha``, ``ridge``: exact numbers, strings such as ``"1/3"``, or floats
    (read through their shortest decimal, as :func:`symti._validate.as_exact`
    does; pass ``fractions.Fraction(x)`` for a float's exact binary value).

    >>> from symti.task import Task
    >>> [float(x) for x in rank_vector_mp(Task(3), 0, 0, 20)]
    [1.0, 0.0, -1.0]
    """
    task, a, r, dps = _mp_params(task, alpha, ridge, dps)
    with mpmath.workdps(dps):
        return _mp_ranks(task, _mp_number(a), _mp_number(r))[0]


def margin_matrix_mp(task: Task, alpha, ridge=0, dps: int = 50) -> mpmath.matrix:
    r"""The closed-form margin matrix as an ``mpmath.matrix`` at ``dps`` digits
    (entry ``[i-1, j-1] = f(i, j)``).

    >>> from symti.task import Task
    >>> M = margin_matrix_mp(Task(5, exceptions=[(1, 3)]), 0, 0, 30)
    >>> mpmath.nstr(M[4, 0], 10)
    '-2.0'
    """
    task, a, r, dps = _mp_params(task, alpha, ridge, dps)
    n = task.n
    with mpmath.workdps(dps):
        ranks, (m1, one_m1), special = _mp_ranks(task, _mp_number(a), _mp_number(r))
        M = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                if i != j:
                    M[i, j] = ranks[i] - ranks[j]
        trained = {(i, i + 1): (m1, one_m1, 1) for i in range(1, n)}
        trained.update(special)
        for (i, j), (m, one_m, y) in trained.items():
            v = m * y + one_m * M[i - 1, j - 1]
            M[i - 1, j - 1], M[j - 1, i - 1] = v, -v
    return M
