r"""Kernels on trials: representations of ordered pairs of items.

A representation :math:`\phi(i, j)` of trials induces the kernel
:math:`K((i,j),(k,l)) = \langle \phi(i,j), \phi(k,l) \rangle`.  When items are
exchangeable the kernel depends only on how the four indices coincide:

==============================================  =====================
pattern                                          value
==============================================  =====================
same trial :math:`(k,l) = (i,j)`                 1
swapped :math:`(k,l) = (j,i)`                    :math:`\kappa_s`
same first item only (:math:`k=i, l\ne j`)       :math:`\kappa_1`
same second item only (:math:`l=j, k\ne i`)      :math:`\kappa_2`
one crossed item (:math:`k=j, l\ne i` or
:math:`l=i, k\ne j`)                             :math:`\kappa_x`
no item in common                                :math:`\kappa_d`
==============================================  =====================

The additive/conjunctive family of both papers is

.. math::
   K_\alpha((i,j),(k,l)) = \tfrac{1-\alpha}{2}([i=k] + [j=l]) + \alpha [i=k][j=l],

i.e. :math:`\kappa_s = \kappa_x = \kappa_d = 0`, :math:`\kappa_1 = \kappa_2 =
(1-\alpha)/2`.  Kernels compose like neural-tangents' ``stax`` layers:
``a + b`` concatenates the two representations, ``c * k`` scales one by
:math:`\sqrt c`.

>>> import sympy as sp
>>> a = sp.Symbol("alpha")
>>> K = AlphaKernel(a)
>>> K((1, 2), (1, 3)), K((1, 2), (1, 2)), K((1, 2), (2, 1))
(1/2 - alpha/2, 1, 0)
>>> K2 = (1 - a) * ConcatOneHot() + a * TensorOneHot()
>>> sp.simplify(K2((1, 2), (1, 3)) - K((1, 2), (1, 3)))
0

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §2, §5 (exchangeable kernels, reduction, PSD
   region).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import sympy as sp

from .._validate import as_exact, as_expr, check_alpha

__all__ = [
    "TrialKernel",
    "ExchangeableKernel",
    "AlphaKernel",
    "SimilarityKernel",
    "FeatureMapKernel",
    "ConcatOneHot",
    "TensorOneHot",
    "ItemEmbedding",
    "SumKernel",
    "ScaledKernel",
    "geometric_similarity",
    "coincidence_pattern",
    "check_psd",
]


#: The coincidence patterns of two trials, in the order of :func:`pattern_codes`.
PATTERNS = ("same", "swap", "first", "second", "crossed", "disjoint")


def coincidence_pattern(p: tuple[int, int], q: tuple[int, int]) -> str:
    """How the items of trials ``p = (i, j)`` and ``q = (k, l)`` coincide.

    Returns one of ``"same"``, ``"swap"``, ``"first"``, ``"second"``,
    ``"crossed"``, ``"disjoint"``.

    >>> coincidence_pattern((1, 2), (2, 3)), coincidence_pattern((1, 2), (3, 2))
    ('crossed', 'second')
    """
    i, j = p
    k, l = q
    if k == i:
        return "same" if l == j else "first"
    if l == j:
        return "second"
    if k == j:
        return "swap" if l == i else "crossed"
    if l == i:
        return "crossed"
    return "disjoint"


def pattern_codes(P: Sequence, Q: Sequence) -> np.ndarray:
    """Codes of :func:`coincidence_pattern` for all pairs of trials,
    vectorised: 0 same, 1 swap, 2 first, 3 second, 4 crossed, 5 disjoint
    (the order of :data:`PATTERNS`).

    >>> pattern_codes([(1, 2)], [(1, 2), (2, 1), (1, 3), (3, 2), (2, 3), (3, 4)]).tolist()
    [[0, 1, 2, 3, 4, 5]]
    """
    P, Q = np.asarray(P, dtype=int).reshape(-1, 2), np.asarray(Q, dtype=int).reshape(-1, 2)
    i, j = P[:, 0][:, None], P[:, 1][:, None]
    k, l = Q[:, 0][None, :], Q[:, 1][None, :]
    codes = np.full((len(P), len(Q)), 5, dtype=np.int8)
    codes[(k == j) | (l == i)] = 4
    codes[np.broadcast_to(l == j, codes.shape)] = 3
    codes[np.broadcast_to(k == i, codes.shape)] = 2
    codes[(k == j) & (l == i)] = 1
    codes[(k == i) & (l == j)] = 0
    return codes


class TrialKernel:
    """Base class: a symmetric kernel on trials ``(i, j)``.

    Subclasses implement :meth:`__call__` (an exact SymPy value).  The class
    attribute ``swap_invariant`` says whether
    :math:`K((j,i),(l,k)) = K((i,j),(k,l))`, which lets solvers halve the
    system on swap-closed training sets with antisymmetric targets.
    """

    swap_invariant: bool = False
    exchangeable: bool = False

    def __call__(self, p, q) -> sp.Expr:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def free_symbols(self) -> set:
        return set()

    def gram(self, P: Sequence, Q: Sequence | None = None) -> sp.Matrix:
        """The exact Gram matrix :math:`[K(p, q)]_{p \\in P, q \\in Q}`."""
        Q = P if Q is None else Q
        return sp.Matrix([[self(p, q) for q in Q] for p in P])

    def pattern_values(self) -> dict | None:
        """For exchangeable kernels, the value of each coincidence pattern
        (``"same"``, ``"swap"``, ``"first"``, ``"second"``, ``"crossed"``,
        ``"disjoint"``); ``None`` for kernels that depend on the items themselves."""
        return None

    def numeric_gram(self, P: Sequence, Q: Sequence | None = None, subs: dict | None = None) -> np.ndarray:
        """The Gram matrix in float64, after substituting ``subs`` for free symbols."""
        vals = self.pattern_values()
        if vals is not None:
            table = []
            for name in PATTERNS:
                v = sp.sympify(vals[name]).subs(subs or {})
                if v.free_symbols:
                    raise ValueError(f"kernel: free symbols {sorted(map(str, v.free_symbols))} need values "
                                     "for a numeric Gram matrix")
                table.append(float(v))
            return np.array(table)[pattern_codes(P, P if Q is None else Q)]
        G = self.gram(P, Q)
        if subs:
            G = G.subs(subs)
        try:
            return np.array(G.evalf(), dtype=float)
        except TypeError:
            raise ValueError(
                f"kernel: free symbols {sorted(map(str, G.free_symbols))} need values for a numeric Gram matrix"
            ) from None

    def __add__(self, other: "TrialKernel") -> "TrialKernel":
        if not isinstance(other, TrialKernel):
            return NotImplemented
        return SumKernel(self, other)

    def __rmul__(self, c) -> "TrialKernel":
        if isinstance(c, TrialKernel):
            return NotImplemented
        return ScaledKernel(c, self)

    __mul__ = __rmul__


class SumKernel(TrialKernel):
    """Sum of kernels: the concatenation of their representations."""

    def __init__(self, *parts: TrialKernel):
        self.parts = parts
        self.swap_invariant = all(p.swap_invariant for p in parts)
        self.exchangeable = all(p.exchangeable for p in parts)

    def __call__(self, p, q):
        return sp.Add(*[k(p, q) for k in self.parts])

    def pattern_values(self):
        vals = [k.pattern_values() for k in self.parts]
        if any(v is None for v in vals):
            return None
        return {name: sp.Add(*[v[name] for v in vals]) for name in PATTERNS}

    @property
    def free_symbols(self):
        return set().union(*[k.free_symbols for k in self.parts])

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        return np.hstack([k.features(n, trials, subs) for k in self.parts])

    def __repr__(self):
        return " + ".join(map(repr, self.parts))


class ScaledKernel(TrialKernel):
    """``c * K``: the representation scaled by :math:`\\sqrt{c}` (``c >= 0``)."""

    def __init__(self, c, kernel: TrialKernel):
        c = as_exact(c, "scale")
        if c.is_number and c < 0:
            raise ValueError(f"scale: a kernel can only be scaled by c >= 0, got {c}")
        self.c, self.kernel = c, kernel
        self.swap_invariant = kernel.swap_invariant
        self.exchangeable = kernel.exchangeable

    def __call__(self, p, q):
        return self.c * self.kernel(p, q)

    def pattern_values(self):
        vals = self.kernel.pattern_values()
        return None if vals is None else {name: self.c * vals[name] for name in PATTERNS}

    @property
    def free_symbols(self):
        return self.kernel.free_symbols | set(getattr(self.c, "free_symbols", set()))

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        c = float(sp.sympify(self.c).subs(subs or {}))
        return np.sqrt(c) * self.kernel.features(n, trials, subs)

    def __repr__(self):
        return f"({self.c})*{self.kernel!r}"


class ExchangeableKernel(TrialKernel):
    r"""The general exchangeable kernel with values
    :math:`(1, \kappa_s, \kappa_1, \kappa_2, \kappa_x, \kappa_d)`.

    Each value may be an exact number or a SymPy expression.

    >>> K = ExchangeableKernel(kappa_s="1/10", kappa_1="1/2", kappa_2="1/2", kappa_x="1/5", kappa_d="1/20")
    >>> K((1, 2), (2, 1)), K((1, 2), (3, 1)), K.swap_invariant
    (1/10, 1/5, True)
    """

    exchangeable = True

    def __init__(self, kappa_s=0, kappa_1=0, kappa_2=0, kappa_x=0, kappa_d=0):
        self.values = {
            "same": sp.Integer(1),
            "swap": as_exact(kappa_s, "kappa_s"),
            "first": as_exact(kappa_1, "kappa_1"),
            "second": as_exact(kappa_2, "kappa_2"),
            "crossed": as_exact(kappa_x, "kappa_x"),
            "disjoint": as_exact(kappa_d, "kappa_d"),
        }
        names = {"swap": "kappa_s", "first": "kappa_1", "second": "kappa_2", "crossed": "kappa_x", "disjoint": "kappa_d"}
        for k, name in names.items():
            v = self.values[k]
            if v.is_number and not (-1 <= v <= 1):
                raise ValueError(f"{name}: a normalised kernel value must lie in [-1, 1], got {v}")
        self.swap_invariant = sp.simplify(self.values["first"] - self.values["second"]) == 0

    kappa_s = property(lambda self: self.values["swap"])
    kappa_1 = property(lambda self: self.values["first"])
    kappa_2 = property(lambda self: self.values["second"])
    kappa_x = property(lambda self: self.values["crossed"])
    kappa_d = property(lambda self: self.values["disjoint"])

    def __call__(self, p, q):
        return self.values[coincidence_pattern(p, q)]

    def pattern_values(self):
        return dict(self.values)

    @property
    def free_symbols(self):
        return set().union(*[v.free_symbols for v in self.values.values()])

    def reduced_alpha_ridge(self, ridge):
        r"""The equivalent :math:`K_\alpha` of a position-symmetric kernel.

        For :math:`\kappa_1 = \kappa_2` and antisymmetric targets on a
        swap-closed training set, KRR with this kernel and ridge :math:`\rho`
        predicts exactly as :math:`K_{\alpha'}` with ridge :math:`\rho'`:

        .. math::
           \alpha' = 1 - \frac{2(\kappa_1 - \kappa_x)}{1 - \kappa_s},\qquad
           \rho' = \frac{\rho}{1 - \kappa_s}.

        Proved in ``derivations/09_exchangeable.py`` (``derivations/theory.md`` §2).  On PSD
        kernels :math:`0 \le \alpha' \le n/(n-2)`; above 1, :math:`K_{\alpha'}` is not itself a
        kernel but the reduced system is solved exactly by
        :func:`symti.analysis.geometry.solve_representation`.  Scaled and summed exchangeable
        kernels: :func:`symti.kernels.exchangeable.reduced_alpha_ridge`.

        >>> ExchangeableKernel("1/5", "2/5", "2/5", "1/10", "1/20").reduced_alpha_ridge(1)
        (1/4, 5/4)
        """
        if not self.swap_invariant:
            raise ValueError("kernel: the reduction to K_alpha needs kappa_1 == kappa_2")
        ks, k1, kx = self.kappa_s, self.kappa_1, self.kappa_x
        if ks == 1:
            raise ValueError("kappa_s: the reduction needs kappa_s < 1")
        ridge = as_exact(ridge, "ridge")
        return (sp.cancel(1 - 2 * (k1 - kx) / (1 - ks)), sp.cancel(ridge / (1 - ks)))

    def __repr__(self):
        v = self.values
        return (
            f"ExchangeableKernel(kappa_s={v['swap']}, kappa_1={v['first']}, kappa_2={v['second']}, "
            f"kappa_x={v['crossed']}, kappa_d={v['disjoint']})"
        )


class AlphaKernel(ExchangeableKernel):
    r"""The additive/conjunctive mix :math:`K_\alpha`, :math:`0 \le \alpha \le 1`.

    .. math::
       K_\alpha((i,j),(k,l)) = \tfrac{1-\alpha}{2}([i=k] + [j=l]) + \alpha [i=k][j=l]

    :math:`\alpha = 0` is item-wise additive (concatenated one-hot items),
    :math:`\alpha = 1` fully conjunctive (their tensor product).

    >>> AlphaKernel("1/3")((1, 2), (1, 5))
    1/3
    """

    def __init__(self, alpha):
        self.alpha = check_alpha(alpha)
        half = (1 - self.alpha) / 2
        super().__init__(kappa_s=0, kappa_1=half, kappa_2=half, kappa_x=0, kappa_d=0)
        self.swap_invariant = True

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        a = float(sp.sympify(self.alpha).subs(subs or {}))
        return np.hstack(
            [np.sqrt(1 - a) * ConcatOneHot().features(n, trials), np.sqrt(a) * TensorOneHot().features(n, trials)]
        )

    def __repr__(self):
        return f"AlphaKernel({self.alpha})"


class SimilarityKernel(TrialKernel):
    r"""A kernel from an item-similarity matrix :math:`S` (non-exchangeable geometry).

    .. math::
       K((i,j),(k,l)) = \tfrac{1-\alpha}{2}(S_{ik} + S_{jl}) + \alpha S_{ik} S_{jl}

    ``S`` is an ``n x n`` symmetric matrix (SymPy or nested lists, exact
    entries or symbols) or a callable ``S(i, k)`` on 1-based items.
    ``S = I`` gives :math:`K_\alpha`.

    >>> K = SimilarityKernel(geometric_similarity(4, "1/2"), alpha=0)
    >>> K((1, 2), (2, 3))
    1/2
    >>> SimilarityKernel([[1, float("nan")], [0, 1]])
    Traceback (most recent call last):
    ...
    ValueError: S[0][1]: must be a finite number, got nan
    """

    swap_invariant = True

    def __init__(self, S, alpha=0):
        self.alpha = check_alpha(alpha)
        if callable(S) and not isinstance(S, sp.MatrixBase):
            self._S = S
            self.n = None
        else:
            rows = [list(r) for r in (S.tolist() if hasattr(S, "tolist") else S)]
            if not rows or any(len(r) != len(rows) for r in rows):
                raise ValueError(f"S: must be a non-empty square matrix, got {len(rows)} rows of lengths "
                                 f"{sorted({len(r) for r in rows})}")
            M = sp.Matrix([[as_expr(x, f"S[{a}][{b}]") for b, x in enumerate(r)] for a, r in enumerate(rows)])
            if (M - M.T).applyfunc(sp.simplify) != sp.zeros(*M.shape):
                raise ValueError("S: item similarity must be symmetric")
            self.n = M.rows
            self.S = M
            self._S = lambda i, k: M[i - 1, k - 1]

    def __call__(self, p, q):
        (i, j), (k, l) = p, q
        for x in (i, j, k, l):
            if self.n is not None and not 1 <= x <= self.n:
                raise ValueError(f"item: {x} is outside 1..{self.n} of the similarity matrix S")
        sik, sjl = self._S(i, k), self._S(j, l)
        return (1 - self.alpha) / 2 * (sik + sjl) + self.alpha * sik * sjl

    @property
    def free_symbols(self):
        s = set(getattr(self.alpha, "free_symbols", set()))
        if self.n is not None:
            s |= self.S.free_symbols
        return s

    def __repr__(self):
        return f"SimilarityKernel(S, alpha={self.alpha})"


def geometric_similarity(n: int, gamma) -> sp.Matrix:
    r"""The item similarity :math:`S_{ik} = \gamma^{|i-k|}` (PSD for :math:`|\gamma| < 1`).

    >>> geometric_similarity(3, "1/2")
    Matrix([
    [  1, 1/2, 1/4],
    [1/2,   1, 1/2],
    [1/4, 1/2,   1]])
    """
    g = as_exact(gamma, "gamma")
    if g.is_number and not (-1 < g < 1):
        raise ValueError(f"gamma: must lie in (-1, 1) for a positive definite similarity, got {g}")
    return sp.Matrix(n, n, lambda a, b: g ** abs(a - b))


class FeatureMapKernel(TrialKernel):
    """A kernel given by an explicit feature map ``phi(n, trial) -> vector``.

    Its value is the exact inner product of the features (features may hold
    SymPy numbers such as ``sqrt(2)/2``).  :meth:`features` returns the float
    feature matrix for a list of trials, the route used to cross-check the
    kernel solvers with least squares in feature space.
    """

    def __init__(self, phi: Callable, n: int, swap_invariant: bool = False, name: str = "features"):
        self.phi, self.n, self.name = phi, n, name
        self.swap_invariant = swap_invariant

    def __call__(self, p, q):
        a, b = self.phi(self.n, p), self.phi(self.n, q)
        return sp.nsimplify(sum(x * y for x, y in zip(a, b)), rational=False)

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        return np.array([[float(x) for x in self.phi(n, t)] for t in trials])

    def __repr__(self):
        return f"FeatureMapKernel({self.name})"


class ConcatOneHot(TrialKernel):
    r"""Concatenated one-hot items :math:`\phi(i,j) = (e_i \oplus e_j)/\sqrt2`;
    its kernel is :math:`K_0 = ([i=k] + [j=l])/2`.

    >>> ConcatOneHot()((1, 2), (1, 3)), ConcatOneHot().features(3, [(1, 2)]).round(3).tolist()
    (1/2, [[0.707, 0.0, 0.0, 0.0, 0.707, 0.0]])
    """

    swap_invariant = True
    exchangeable = True

    def __call__(self, p, q):
        return sp.Rational(int(p[0] == q[0]) + int(p[1] == q[1]), 2)

    def pattern_values(self):
        h = sp.Rational(1, 2)
        return {"same": sp.Integer(1), "swap": sp.Integer(0), "first": h, "second": h,
                "crossed": sp.Integer(0), "disjoint": sp.Integer(0)}

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        F = np.zeros((len(trials), 2 * n))
        for r, (i, j) in enumerate(trials):
            F[r, i - 1] = F[r, n + j - 1] = np.sqrt(0.5)
        return F

    def __repr__(self):
        return "ConcatOneHot()"


class TensorOneHot(TrialKernel):
    r"""The tensor product of one-hot items :math:`\phi(i,j) = e_i \otimes e_j`;
    its kernel is :math:`K_1 = [i=k][j=l]`."""

    swap_invariant = True
    exchangeable = True

    def __call__(self, p, q):
        return sp.Integer(int(p[0] == q[0] and p[1] == q[1]))

    def pattern_values(self):
        return {name: sp.Integer(int(name == "same")) for name in PATTERNS}

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        F = np.zeros((len(trials), n * n))
        for r, (i, j) in enumerate(trials):
            F[r, (i - 1) * n + (j - 1)] = 1.0
        return F

    def __repr__(self):
        return "TensorOneHot()"


class ItemEmbedding(TrialKernel):
    r"""Items embedded as vectors :math:`x_1, \dots, x_n` (rows of ``X``),
    trials represented as
    :math:`\sqrt{1-\alpha}\,(x_i \oplus x_j)/\sqrt2 \,\oplus\, \sqrt\alpha\, x_i \otimes x_j`.

    Its kernel is :class:`SimilarityKernel` with :math:`S = X X^\top`.
    ``ItemEmbedding.random(n, d, seed)`` draws Gaussian embeddings scaled to
    unit norm, rounded to exact rationals so the exact solver applies.
    """

    swap_invariant = True

    def __init__(self, X, alpha=0):
        self.X = sp.Matrix(X)
        self.alpha = check_alpha(alpha)
        self._sim = SimilarityKernel(self.X * self.X.T, alpha=self.alpha)

    @classmethod
    def random(cls, n: int, d: int, seed: int = 0, alpha=0, digits: int = 4) -> "ItemEmbedding":
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, d))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        scale = 10**digits
        return cls([[sp.Rational(int(round(x * scale)), scale) for x in row] for row in X], alpha=alpha)

    def __call__(self, p, q):
        return self._sim(p, q)

    @property
    def free_symbols(self):
        return self._sim.free_symbols

    def features(self, n: int, trials: Sequence, subs: dict | None = None) -> np.ndarray:
        X = np.array(self.X.evalf(), dtype=float)
        a = float(sp.sympify(self.alpha).subs(subs or {}))
        rows = []
        for i, j in trials:
            xi, xj = X[i - 1], X[j - 1]
            rows.append(np.concatenate([np.sqrt((1 - a) / 2) * np.concatenate([xi, xj]), np.sqrt(a) * np.kron(xi, xj)]))
        return np.array(rows)

    def __repr__(self):
        return f"ItemEmbedding(X with shape {self.X.shape}, alpha={self.alpha})"


def check_psd(kernel: TrialKernel, trials: Sequence, tol: float = 1e-10, subs: dict | None = None) -> None:
    """Raise ``ValueError`` if ``kernel`` is not positive semidefinite on ``trials``.

    The float64 Gram matrix of ``trials`` (after substituting ``subs``, whose
    keys may be symbols or their names) must be symmetric and have no
    eigenvalue below ``-tol * max(1, largest)``.  A kernel whose symbols are
    not all given values cannot be decided numerically and is accepted as
    given; :class:`AlphaKernel` with a number ``alpha`` (in ``[0, 1]`` by
    construction) is PSD and not checked, with a symbol it is checked after
    substitution.

    >>> import sympy as sp
    >>> k1, k2 = sp.symbols("kappa_1 kappa_2")
    >>> check_psd(ExchangeableKernel(kappa_1=k1, kappa_2=k2), [(1, 2), (1, 3)], subs={"kappa_1": 2})  # kappa_2 unknown
    >>> check_psd(ExchangeableKernel(kappa_1=k1, kappa_2=k2), [(1, 2), (1, 3), (3, 2)], subs={k1: 1, k2: -1})
    Traceback (most recent call last):
    ...
    ValueError: kernel: not positive semidefinite on the task's trials (smallest eigenvalue -0.414); choose kernel values that a representation can realise

    >>> from symti.task import Task
    >>> trials = Task(4).ordered_pairs()
    >>> check_psd(ExchangeableKernel(kappa_1="9/10", kappa_2="-9/10"), trials)
    Traceback (most recent call last):
    ...
    ValueError: kernel: not positive semidefinite on the task's trials (smallest eigenvalue ...); choose kernel values that a representation can realise
    >>> check_psd("alpha", trials)
    Traceback (most recent call last):
    ...
    TypeError: kernel: expected a TrialKernel (e.g. AlphaKernel(alpha)), got str
    """
    if not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a TrialKernel (e.g. AlphaKernel(alpha)), got {type(kernel).__name__}")
    if kernel.free_symbols:
        sd = {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in (subs or {}).items()}
        if not sd:
            return
        try:
            G = kernel.numeric_gram(list(trials), subs=sd)
        except (ValueError, TypeError):  # symbols left without values: not decidable here
            return
    elif isinstance(kernel, AlphaKernel):
        return
    else:
        G = kernel.numeric_gram(list(trials))
    if not np.all(np.isfinite(G)):
        raise ValueError("kernel: Gram matrix has non-finite entries")
    if np.abs(G - G.T).max() > tol * max(1.0, np.abs(G).max()):
        raise ValueError("kernel: not symmetric on the task's trials")
    lam = np.linalg.eigvalsh(G)
    if lam[0] < -tol * max(1.0, lam[-1]):
        raise ValueError(
            f"kernel: not positive semidefinite on the task's trials (smallest eigenvalue {lam[0]:.3g}); "
            "choose kernel values that a representation can realise"
        )
