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
exponents of a term are summed before one ``exp`` of a non-positive number, so
nothing overflows for large :math:`\lambda` and nothing cancels for small
:math:`\lambda` (the powers of :math:`\lambda` cancel analytically;
:math:`\lambda = 2\operatorname{asinh}(\sqrt{\mu}/2)` is accurate for tiny
:math:`\mu`).  :math:`\lambda = 0` (:math:`\alpha = \rho = 0`) is the additive
least-squares limit, :math:`\alpha = 1` gives :math:`r = 0`.

Speed.  Every argument is a half-integer multiple of :math:`\lambda`, so the
float64 path *compiles* the closed form once per task (:class:`MarginEvaluator`,
cached by :func:`evaluator`): the branches of
:func:`~symti.closed_form.green.path_resolvent_terms` run on monomials that
record, item by item, which entries of one table of :math:`h`, :math:`\cosh`
mantissas and :math:`e^{-t\lambda/2}` a term multiplies.  An evaluation builds
that table (two transcendental calls on :math:`O(n)` numbers) and gathers from
it: a fixed number of numpy calls for all exceptions at once, and the same
arrays, with a leading axis, for grids of :math:`(\alpha, \rho)`
(:func:`margin_grid`).

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

import functools
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

__all__ = ["MAX_MATRIX_N", "margin_matrix", "margin_grid", "MarginEvaluator", "evaluator", "rank_vector_numeric", "margins", "margin_matrix_mp", "rank_vector_mp"]


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
#
# The float evaluator compiles the closed form once per task: the branches of
# :func:`symti.closed_form.green.path_resolvent_terms` and
# :func:`~symti.closed_form.green.ti_rank_terms` run on *monomials* that record, item
# by item, which tabulated factors a term multiplies and its rational coefficient.
# An evaluation then builds one short table per lambda and gathers from it: a fixed
# number of numpy calls whatever n and the number of exceptions, and the same code
# for one (alpha, rho) and for a grid of them.


class _Mono:
    r"""A term :math:`K \prod_f T_{a_f} / \prod_g T_{b_g} \cdot e^{E\lambda/2}` of the
    table ``T`` of :meth:`_Compiled.table` (``a_f``, ``b_g``: integer index arrays over
    the items, ``E`` an integer array).  ``S(a, d)`` (:math:`\sinh(a\lambda/d)/\lambda`)
    is :math:`(a/d)\,h_t\,e^{t\lambda/2}` and ``C(a, d)`` (:math:`\cosh(a\lambda/d)`) is
    :math:`c_t\,e^{t\lambda/2}`, :math:`t = |2a/d|`."""

    __slots__ = ("k", "num", "den", "e")

    def __init__(self, k, num, den, e):
        self.k, self.num, self.den, self.e = k, num, den, e

    def __mul__(self, other):
        if isinstance(other, _Mono):
            return _Mono(self.k * other.k, self.num + other.num, self.den + other.den, self.e + other.e)
        return _Mono(self.k * other, self.num, self.den, self.e)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return _Mono(self.k / other.k, self.num + other.den, self.den + other.num, self.e - other.e)

    def __add__(self, other):
        return _Sum([self, other])


class _Sum(list):
    """A sum of :class:`_Mono` terms (the middle branch of the Green difference)."""

    def __truediv__(self, other):
        return _Sum([t / other for t in self])


def _terms(x) -> list:
    return list(x) if isinstance(x, _Sum) else [x]


class _Compiled:
    r"""``rows`` closed-form vectors over the items (row 0: the TI ranks :math:`r^0`,
    row ``a + 1``: :math:`G w_a`) as index arrays into one table per :math:`\lambda`,

    .. math::
       e_t = e^{-t\lambda/2}\ (t < 4n + 8), \qquad
       h_t = \frac{-\operatorname{expm1}(-t\lambda)}{t\lambda}, \qquad
       c_t = \tfrac12(1 + e_{2t})\ (t < 2n + 2),

    all in :math:`(0, 1]`, and :math:`1/h_t`, :math:`1/c_t` for the denominators; a term
    is :math:`K` times the product of its gathered factors, the exponential last.  Every term's exponent is :math:`\le 0` (checked here, once
    per task), so nothing overflows for large :math:`\lambda`; the powers of
    :math:`\lambda` cancel analytically (:math:`h_t \to 1`), so nothing cancels for
    small :math:`\lambda`.  ``e_0 = 1`` pads short factor lists; the slot of
    :math:`h_0` holds :math:`h_1` and multiplies only terms with coefficient 0
    (:math:`\sinh 0 = 0`).  :math:`\lambda = 0` (:math:`\alpha = \rho = 0`) is tabulated
    at :math:`\lambda = 10^{-300}`, where every entry rounds to exactly 1 as at 0."""

    def __init__(self, n: int, mods):
        self.n = n
        self.ne, self.nh = ne, nh = 4 * n + 8, 2 * n + 2

        def S(a, d=1):
            a = np.asarray(a, dtype=np.int64)
            t = np.abs(2 * a) // d
            return _Mono(a / d, [ne + t], [], t)

        def C(a, d=1):
            t = np.abs(2 * np.asarray(a, dtype=np.int64)) // d
            return _Mono(1.0, [ne + nh + t], [], t)

        items = np.arange(1, n + 1, dtype=np.int64)
        rows = [_terms(ti_rank_terms(n, items, S, C))]
        for p, q in mods:
            low, mid, high = (_terms(b) for b in path_resolvent_terms(n, items, p, q, S, C))
            rows.append(self._select([items <= p, items >= q, np.ones(n, bool)], [low, high, mid]))
        nterm = max(len(r) for r in rows)
        nf = max(len(t.num) + len(t.den) for r in rows for t in r) + 1  # + the exponential, last
        self.K = np.zeros((len(rows), nterm, n))
        FN = np.zeros((nf, len(rows), nterm, n), dtype=np.intp)  # index 0 is e_0 = 1
        for r, terms in enumerate(rows):
            for s, t in enumerate(terms):
                e = np.broadcast_to(t.e, (n,))
                if np.any(e > 0) or np.any(-e >= ne):  # the overflow-free form, checked once
                    raise AssertionError("closed form: a term with a growing exponential")
                self.K[r, s] = t.k
                # numerator factors, then the reciprocals of the denominator's (2 nh further
                # on; index 0, the padding e_0 = 1, stays)
                recip = [np.where(np.asarray(d) == 0, 0, np.asarray(d) + 2 * nh) for d in t.den]
                for f, idx in enumerate(list(t.num) + recip):
                    FN[f, r, s] = idx
                FN[nf - 1, r, s] = -e
        self.FN = FN
        # one vector of multipliers of lambda: -t/2 for e_t, -t for h_t and c_t
        self._mult = np.concatenate([-0.5 * np.arange(ne), -np.arange(nh, dtype=float)])
        self._mult[ne] = -1.0  # the h_0 slot (see above)

    @staticmethod
    def _select(masks, branches):
        """The terms whose fields take, item by item, the first branch whose mask holds."""
        nterm = max(len(b) for b in branches)
        zero = _Mono(0.0, [], [], 0)
        branches = [b + [zero] * (nterm - len(b)) for b in branches]
        out = []
        for s in range(nterm):
            ts = [b[s] for b in branches]
            nf = max(len(t.num) for t in ts)
            nd = max(len(t.den) for t in ts)

            def pick(vals):
                n = masks[0].shape
                return np.select(masks, [np.broadcast_to(v, n) for v in vals])

            out.append(_Mono(pick([t.k for t in ts]),
                             [pick([t.num[f] if f < len(t.num) else 0 for t in ts]) for f in range(nf)],
                             [pick([t.den[f] if f < len(t.den) else 0 for t in ts]) for f in range(nd)],
                             pick([t.e for t in ts])))
        return out

    def table(self, lam: np.ndarray) -> np.ndarray:
        r"""``(G, ne + 4 nh)``: :math:`[e_t, h_t, c_t, 1/h_t, 1/c_t]` at each finite
        :math:`\lambda \ge 0` of ``lam``."""
        z = np.maximum(lam, 1e-300)[:, None] * self._mult
        ne = self.ne
        y = np.expm1(z[:, ne:])
        hc = np.concatenate([y / z[:, ne:], 1 + 0.5 * y], axis=1)
        return np.concatenate([np.exp(z[:, :ne]), hc, 1 / hc], axis=1)

    def values(self, lam: np.ndarray) -> np.ndarray:
        """``(G, rows, n)``: every row at each :math:`\\lambda` of ``lam``.  The exponential
        factor multiplies last, so a subnormal result is rounded once (the other factors'
        product is of order 1)."""
        g = self.table(lam)[:, self.FN]  # (G, nf, rows, nterm, n)
        return (self.K * (np.multiply.reduce(g[:, :-1], axis=1) * g[:, -1])).sum(axis=2)

    def point(self, lam: float) -> np.ndarray:
        """``(rows, n)``: :meth:`values` at one :math:`\\lambda` (a float), with 1-D tables."""
        z = max(lam, 1e-300) * self._mult
        ne = self.ne
        y = np.expm1(z[ne:])
        hc = np.concatenate((y / z[ne:], 1 + 0.5 * y))
        T = np.concatenate((np.exp(z[:ne]), hc, 1 / hc))
        if self.n <= _BLOCK:
            g = T[self.FN]
            return (self.K * (np.multiply.reduce(g[:-1], axis=0) * g[-1])).sum(axis=1)
        out = np.empty(self.K.shape[::2])  # large n: items in blocks, temporaries bounded
        for s in range(0, self.n, _BLOCK):
            b = slice(s, s + _BLOCK)
            g = T[self.FN[..., b]]
            out[:, b] = (self.K[..., b] * (np.multiply.reduce(g[:-1], axis=0) * g[-1])).sum(axis=1)
        return out


_ALL = slice(None)

#: Items per block of :meth:`_Compiled.point` for large n (bounds its temporaries to a few MB).
_BLOCK = 1 << 15


def _small_solve(A, b):
    """The ``k x k`` solve of :func:`woodbury_update` at one point (floats)."""
    if len(b) == 1:
        return [b[0] / A[0][0]]
    return list(np.linalg.solve(np.array(A, dtype=float), np.array(b, dtype=float)))


def _stack_solve(A, b):
    """The batched ``k x k`` solve for :func:`woodbury_update`: entries are arrays over
    the grid; returns the coefficients as ``(G, 1)`` columns."""
    if len(b) == 1:
        return [(b[0] / A[0][0])[:, None]]
    M = np.moveaxis(np.array([[np.broadcast_to(x, b[0].shape) for x in row] for row in A]), -1, 0)
    c = np.linalg.solve(M, np.stack(b, axis=-1)[..., None])[..., 0]
    return [c[:, a, None] for a in range(len(b))]


def _grid_params(alphas, rhos):
    """Validated float64 arrays (1-D) of alphas in [0, 1] and rhos in [0, inf)."""
    out = []
    for name, x, hi in (("alphas", alphas, 1.0), ("rhos", rhos, float("inf"))):
        try:
            a = np.asarray(x, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name}: expected real numbers, got {x!r} ({exc})") from None
        if a.ndim > 1:
            raise ValueError(f"{name}: expected a number or a 1-D array, got shape {a.shape}")
        a = np.atleast_1d(a)
        bad = ~((a >= 0) & (a <= hi) & np.isfinite(a))
        if bad.any():
            rng = "[0, 1]" if hi == 1 else "[0, inf) (finite)"
            raise ValueError(f"{name}: every value must lie in {rng}, got {a[bad][0]!r}")
        out.append(a)
    return out


class MarginEvaluator:
    r"""The float64 closed-form evaluator of one task, with everything that does not
    depend on :math:`(\alpha, \rho)` done once: the task is validated, weights
    converted, the closed form compiled into index arrays (:class:`_Compiled`) and
    the trained pairs located.  Obtain it with :func:`evaluator` (cached per task).

    Ranks (derivations/theory.md §3; Lippl et al. 2024 for :math:`r^0`, Cheng & Lippl
    2026 for exceptions as low-rank updates):

    .. math::
       r = r^0 + \sum_a c_a\, G w_a, \qquad (I + \Delta C)\,c = \Delta(y - W^\top r^0),

    margins :math:`f(i, j) = r_i - r_j` untrained and :math:`m_e y_e + (1 - m_e)(r_i - r_j)`
    trained, :math:`m_e = \alpha w_e/(\alpha w_e + \rho)`.

    >>> from symti.task import Task
    >>> ev = evaluator(Task(5, exceptions=[(2, 4)]))
    >>> ev.ranks([0.0, 0.5], 0.0).shape
    (2, 1, 5)
    >>> float(ev.ranks([0.0], [0.0])[0, 0, 0]), float(ev.ranks([1.0], [0.0])[0, 0, 0])
    (1.0, 0.0)
    """

    def __init__(self, task: Task):
        task = _check_task(task)
        self.task, self.n = task, task.n
        # the trained pairs that differ from a unit premise: exceptions and listed weights
        special = []
        for key in sorted(set(task.exceptions) | set(task.weights)):
            e = task.trained_pair(*key)
            special.append((e.i, e.j, e.target, _float_weight(e.weight, e.key), e.kind == "exception"))
        self.special = special
        self.mods = [(p, q) for p, q, _, _, _ in special]
        self.compiled = _Compiled(self.n, self.mods)
        # weight classes of trained pairs: 0 = unit premise, s + 1 = special[s]
        self.w = np.array([1.0] + [w for _, _, _, w, _ in special])
        self.y = np.array([1.0] + [y for _, _, y, _, _ in special])
        self.wlist = self.w.tolist()
        k = np.arange(self.n - 1)
        self._up, self._down = k * (self.n + 1) + 1, k * (self.n + 1) + self.n  # flat (i, i+1), (i+1, i)
        self._pairs_cache: dict = {}

    # ---------------------------------------------------------- parameters
    def _params(self, alpha: np.ndarray, ridge: np.ndarray):
        r"""``(lam, one, gamma, m, one_m)`` at validated flat arrays ``alpha``, ``ridge``:
        :math:`\lambda` (0 where :math:`\alpha = 1`, flagged by ``one``) and per grid point
        and weight class :math:`\gamma_e`, :math:`m_e`, :math:`1 - m_e`
        (:math:`\alpha = \rho = 0`: :math:`\gamma = w`, :math:`m = 0`, the additive limit)."""
        one = alpha == 1
        a, r, w = alpha[:, None], ridge[:, None], self.w[None, :]
        limit = (a * w + r) == 0
        with np.errstate(invalid="ignore", divide="ignore"):
            lam = np.where(one, 0.0, lambda_numeric(alpha, ridge))
            gamma = np.where(limit, w, gamma_weight(a, r, w))
            m = np.where(limit, 0.0, memorization(a, r, w))
        return lam, one, gamma, m, 1 - m

    def _point(self, alpha: float, ridge: float):
        """:meth:`_params` at one point, in Python floats (no array set-up on the hot path)."""
        lam = 0.0 if alpha == 1 else lambda_numeric(alpha, ridge, math)
        gamma, m = [], []
        for w in self.wlist:
            if alpha * w + ridge == 0:
                gamma.append(w), m.append(0.0)
            else:
                gamma.append(gamma_weight(alpha, ridge, w)), m.append(memorization(alpha, ridge, w))
        return lam, alpha == 1, gamma, m, [1 - x for x in m]

    def _rank_point(self, point) -> np.ndarray:
        """The ``(n,)`` ranks at one :meth:`_point`."""
        lam, one, gamma = point[:3]
        if one:
            return np.zeros(self.n)
        V = self.compiled.point(lam)
        if not self.mods:
            return V[0]
        mods = [(p, q, y, gamma[s + 1] if exc else gamma[s + 1] - 1) for s, (p, q, y, _, exc) in enumerate(self.special)]
        ranks = woodbury_update(lambda x: V[0] if x is _ALL else float(V[0, x - 1]),
                                lambda b, x: V[b + 1] if x is _ALL else float(V[b + 1, x - 1]), mods, _small_solve)
        return ranks(_ALL)

    def ranks(self, alphas, rhos):
        r"""Rank vectors ``(len(alphas), len(rhos), n)`` (arrays broadcast as a grid).

        :math:`\lambda = 2\operatorname{asinh}\sqrt{(\alpha+\rho)/(2(1-\alpha))}`
        (:func:`symti.params.lambda_numeric`); :math:`\alpha = 1` gives :math:`r = 0`,
        :math:`\alpha = \rho = 0` the minimum-norm additive least-squares ranks.
        """
        a, r = _grid_params(alphas, rhos)
        A, R = np.meshgrid(a, r, indexing="ij")
        return self._ranks(self._params(A.ravel(), R.ravel())).reshape(len(a), len(r), self.n)

    def _ranks(self, params) -> np.ndarray:
        """``(G, n)`` ranks from :meth:`_params` / :meth:`_point`."""
        lam, one, gamma = params[:3]
        V = self.compiled.values(lam)
        r0 = V[:, 0]
        if self.mods:
            mods = [(p, q, y, gamma[:, s + 1] if exc else gamma[:, s + 1] - 1)
                    for s, (p, q, y, _, exc) in enumerate(self.special)]
            # items are 1-based; _ALL (a slice) stands for every item at once
            ranks = woodbury_update(lambda x: r0[:, x if x is _ALL else x - 1],
                                    lambda b, x: V[:, b + 1, x if x is _ALL else x - 1], mods, _stack_solve)
            r0 = ranks(_ALL)
        if one.any():
            r0 = np.where(one[:, None], 0.0, r0)
        return r0

    # ---------------------------------------------------------- pairs
    def pair_index(self, pairs=None):
        """Validated pairs as ``(i, j, trained, cls, sgn)`` index arrays (cached for ``None``):
        ``trained`` the positions of trained pairs, ``cls`` their weight class and
        ``sgn`` = +1 for ``i < j``, -1 otherwise."""
        if pairs is None:
            if None not in self._pairs_cache:
                tp = self.task.test_pairs()
                P = np.array(tp, dtype=np.int64).reshape(-1, 2)
                self._pairs_cache[None] = self._index(P[:, 0], P[:, 1])
            return self._pairs_cache[None]
        P = np.asarray(pairs)
        if P.ndim != 2 or P.shape[1] != 2:
            raise ValueError(f"pairs: expected a sequence of (i, j) item pairs, got shape {P.shape}")
        return self._index(_items(P[:, 0], "pairs", self.n), _items(P[:, 1], "pairs", self.n))

    def _index(self, i, j):
        if np.any(i == j):
            k = int(np.argmax(i == j))
            raise ValueError(f"(i, j): a trial needs two different items, got ({i[k]}, {j[k]}) at position {k}")
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        cls = np.where(hi - lo == 1, 0, -1)
        for s, (p, q, _, _, _) in enumerate(self.special):
            cls[(lo == p) & (hi == q)] = s + 1
        trained = np.flatnonzero(cls >= 0)
        return i - 1, j - 1, trained, cls[trained], np.where(i < j, 1.0, -1.0)[trained]

    def _margins(self, r, params, index, out):
        """Margins of the indexed pairs into ``out`` (``(G, P)``) from ranks ``r`` (``(G, n)``)."""
        i, j, trained, cls, sgn = index
        np.subtract(np.take(r, i, axis=1), np.take(r, j, axis=1), out=out)
        if trained.size:
            m, one_m = params[3:]
            d = out[:, trained]
            out[:, trained] = sgn * (m[:, cls] * self.y[cls]) + one_m[:, cls] * d
        return out

    def margin_grid(self, alphas, rhos=0.0, pairs=None, chunk: int | None = None) -> np.ndarray:
        """See :func:`margin_grid`."""
        a, r = _grid_params(alphas, rhos)
        index = self.pair_index(pairs)
        A, R = (x.ravel() for x in np.meshgrid(a, r, indexing="ij"))
        out = np.empty((A.size, index[0].size))
        if chunk is None:  # bound the temporaries to a few MB
            per_point = self.compiled.FN.size + index[0].size + self.n
            chunk = max(1, 2_000_000 // max(1, per_point))
        for s in range(0, A.size, chunk):
            sl = slice(s, s + chunk)
            params = self._params(A[sl], R[sl])
            self._margins(self._ranks(params), params, index, out[sl])
        return out.reshape(a.size, r.size, -1)

    def matrix(self, alpha: float, ridge: float) -> np.ndarray:
        """The ``n x n`` margin matrix at one validated float point."""
        point = self._point(alpha, ridge)
        _, _, _, m, one_m = point
        r = self._rank_point(point)
        M = np.subtract.outer(r, r)
        up = (r[:-1] - r[1:]) * one_m[0] + m[0]  # unit-weight premises (i, i+1)
        flat = M.reshape(-1)
        flat[self._up], flat[self._down] = up, -up
        for s, (p, q, y, _, _) in enumerate(self.special):
            v = m[s + 1] * y + one_m[s + 1] * (r[p - 1] - r[q - 1])
            M[p - 1, q - 1], M[q - 1, p - 1] = v, -v
        return M


def evaluator(task: Task) -> MarginEvaluator:
    """The :class:`MarginEvaluator` of ``task``, built once and cached (equal tasks share it;
    the 64 most recent tasks with ``n <= MAX_MATRIX_N``; larger tasks, whose index arrays
    take O(n k) memory, are compiled per call).

    >>> from symti.task import Task
    >>> evaluator(Task(9, exceptions=[(4, 6)])) is evaluator(Task(9, exceptions=[(4, 6)]))
    True
    """
    task = _check_task(task)
    return _cached_evaluator(task) if task.n <= MAX_MATRIX_N else MarginEvaluator(task)


@functools.lru_cache(maxsize=64)
def _cached_evaluator(task: Task) -> MarginEvaluator:
    return MarginEvaluator(task)


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
    ev = evaluator(task)
    return ev._rank_point(ev._point(a, rho))



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
    return evaluator(task).matrix(a, rho)


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
    ev = evaluator(task)
    index = ev._index(i.ravel(), j.ravel())
    out = np.empty((1, i.size))
    point = ev._point(a, rho)
    ev._margins(ev._rank_point(point)[None], (None, None, None, np.array([point[3]]), np.array([point[4]])), index, out)
    return out.reshape(i.shape)


def margin_grid(task: Task, alphas, rhos=0.0, pairs=None) -> np.ndarray:
    r"""Margins over a grid: ``out[a, r, k]`` :math:`= f(i_k, j_k)` at
    :math:`\alpha` = ``alphas[a]``, :math:`\rho` = ``rhos[r]``, shape
    ``(len(alphas), len(rhos), len(pairs))``, vectorised over all three axes (no
    Python loop over grid points or pairs).

    Parameters
    ----------
    task : Task
        Any number of exceptions, numeric weights.
    alphas : float or 1-D array-like
        Conjunctivities in :math:`[0, 1]` (a scalar is an axis of length 1).
    rhos : float or 1-D array-like
        Ridges :math:`\rho \ge 0`, finite (0: the ridgeless limit :math:`\rho \to 0^+`).
    pairs : ``None`` or array-like of shape ``(P, 2)``
        Ordered item pairs ``(i, j)`` (1-based, ``i != j``; trained pairs allowed and
        given their fitted margins).  ``None``: the task's test pairs
        ``task.test_pairs()`` (untrained pairs with a ground truth, ``i < j``, in that
        order), the pairs whose signs decide the error pattern.

    Each grid point is the closed form of :func:`margin_matrix` (same accuracy, finite
    at every finite :math:`\rho` and at :math:`\alpha \in \{0, 1\}`):
    :math:`r = r^0 + \sum_a c_a G w_a` (derivations/theory.md §3; Lippl et al. 2024,
    Cheng & Lippl 2026) with :math:`\cosh\lambda = (1+\rho)/(1-\alpha)`, then

    .. math::
       f(i, j) = r_i - r_j \ \text{(untrained)}, \qquad
       f(i, j) = m_e y_{ij} + (1 - m_e)(r_i - r_j), \ m_e = \frac{\alpha w_e}{\alpha w_e + \rho}
       \ \text{(trained)}.

    The name and signature are stable (region maps and figures call it);
    ``evaluator(task).ranks(alphas, rhos)`` gives the rank vectors of the same grid.
    Cost: :math:`O(G(kn + P))` for :math:`G` grid points, :math:`k` exceptions, in
    chunks whose temporaries stay within a few MB (the output itself is
    :math:`8 G P` bytes).

    >>> from symti.task import Task
    >>> task = Task(9, exceptions=[(4, 6)])
    >>> F = margin_grid(task, [0.1, 0.2, 0.5], [0.0, 0.01], pairs=[(3, 6), (6, 3), (4, 6)])
    >>> F.shape
    (3, 2, 3)
    >>> F[1, 0].round(12).tolist()                  # f(3, 6) = -6/49 at alpha = 1/5
    [-0.122448979592, 0.122448979592, -1.0]
    >>> G = margin_grid(task, 0.2)                 # the test pairs, ridgeless
    >>> G.shape == (1, 1, len(task.test_pairs())), int((G < 0).sum())
    (True, 2)
    """
    return evaluator(task).margin_grid(alphas, rhos, pairs)


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
