r"""Kernels measured from data: a trial similarity matrix, and its exchangeable projection.

A measured representation -- e.g. the cosine similarities of a network's hidden
states on every trial -- is an :math:`N \times N` matrix over the
:math:`N = n(n-1)` ordered pairs.  **Row/column order**: that of
:meth:`symti.task.Task.ordered_pairs`, row-major over distinct items,

.. math::
   (1,2), (1,3), \dots, (1,n), (2,1), (2,3), \dots, (n, n-1),

so trial :math:`(i, j)` is row :math:`(i-1)(n-1) + (j-1) - [j > i]` (0-based).

* :class:`GramKernel` -- the matrix as a kernel (exact entries for the exact solvers, a
  float64 copy for the numeric ones; ``check_psd`` applies as to any kernel);
* :func:`project_exchangeable` -- its orthogonal (Frobenius) projection onto the
  exchangeable family: the average of the entries over each coincidence pattern
  (:func:`symti.kernels.trial.pattern_codes`),

  .. math::
     \bar M_c = \frac{1}{|\{(p,q): \mathrm{code}(p,q) = c\}|} \sum_{\mathrm{code}(p,q)=c} M_{pq},
     \qquad \kappa_c = \bar M_c / \bar M_{\mathrm{same}},

  the fraction of the variance of the entries it explains,
  :math:`1 - \lVert M - \Pi M\rVert_F^2 / \lVert M - \bar m \mathbf{1}\mathbf{1}^\top \rVert_F^2`
  (the constant matrix lies in the family, so this is the usual :math:`R^2`), and its
  :math:`\alpha'` (``derivations/theory.md`` §2, reduction);
* :func:`read_matrix` -- a matrix from ``.csv`` (numbers separated by commas, read exactly
  by the restricted parser; lines starting with ``#`` are comments) or ``.npy``
  (``numpy.load(allow_pickle=False)``; floats read as their shortest decimal).

>>> from symti.kernels.trial import ExchangeableKernel
>>> from symti.task import Task
>>> K = ExchangeableKernel("1/10", "2/5", "3/10", "1/5", "1/20")
>>> proj = project_exchangeable(K.gram(Task(4).ordered_pairs()), 4)
>>> proj.kappas, proj.explained
((1/10, 2/5, 3/10, 1/5, 1/20), 1)

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §2, §5.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Sequence

import numpy as np
import sympy as sp

from .._validate import as_exact, parse_number
from .exchangeable import reduction_applies
from .trial import ExchangeableKernel, ScaledKernel, TrialKernel, pattern_codes

__all__ = ["GramKernel", "ExchangeableProjection", "project_exchangeable", "read_matrix", "trial_index",
           "items_from_size", "MAX_MATRIX_SIDE"]

#: Largest side of a matrix read from a file: 380 rows (a trial matrix of n = 20 items; every
#: entry is parsed exactly, and the exact routes are bounded well below that anyway).
MAX_MATRIX_SIDE = 380


def items_from_size(N: int, name: str = "gram") -> int:
    """``n`` with ``n (n - 1) = N``, or ``ValueError``.

    >>> items_from_size(72)
    9
    """
    n = int((1 + math.isqrt(1 + 4 * N)) // 2)
    if n < 2 or n * (n - 1) != N:
        raise ValueError(f"{name}: a trial matrix has n(n-1) rows for n items (2, 6, 12, 20, ...), got {N}")
    return n


def trial_index(n: int, i: int, j: int) -> int:
    """Row of trial ``(i, j)`` in the order of ``Task(n).ordered_pairs()`` (0-based).

    >>> trial_index(3, 1, 2), trial_index(3, 2, 1), trial_index(3, 3, 2)
    (0, 2, 5)
    """
    if not (1 <= i <= n and 1 <= j <= n and i != j):
        raise ValueError(f"trial: ({i}, {j}) is not a trial of items 1..{n}")
    return (i - 1) * (n - 1) + (j - 1) - int(j > i)


def _exact_matrix(M, name: str):
    """Exact entries (list of lists of SymPy numbers) and a float64 copy of ``M``."""
    if isinstance(M, np.ndarray):
        if M.dtype == object:
            rows = [[as_exact(x, f"{name}[{a}][{b}]") for b, x in enumerate(r)] for a, r in enumerate(M.tolist())]
        else:
            F = np.asarray(M, dtype=float)
            if not np.isfinite(F).all():
                raise ValueError(f"{name}: entries must be finite numbers")
            rows = [[as_exact(float(x), name) for x in r] for r in F.tolist()]
    else:
        src = M.tolist() if hasattr(M, "tolist") else M
        rows = [[as_exact(x, f"{name}[{a}][{b}]") for b, x in enumerate(r)] for a, r in enumerate(src)]
    if not rows or any(len(r) != len(rows) for r in rows):
        raise ValueError(f"{name}: must be a non-empty square matrix")
    for r in rows:
        for x in r:
            if x.free_symbols:
                raise ValueError(f"{name}: entries must be numbers, got {x}")
    F = np.array([[float(x) for x in r] for r in rows])
    if not np.isfinite(F).all():
        raise ValueError(f"{name}: entries must be finite numbers")
    return rows, F


class GramKernel(TrialKernel):
    r"""A kernel given by its Gram matrix on all ordered pairs of ``n`` items (row order of
    :meth:`symti.task.Task.ordered_pairs`; ``n`` from the size).  Exact entries serve the
    exact solvers (``solve_exact``'s generic route), the float64 copy the numeric ones.

    >>> K = GramKernel([[1, "1/2"], ["1/2", 1]])
    >>> K.n, K((1, 2), (2, 1)), K.swap_invariant
    (2, 1/2, True)
    """

    def __init__(self, M, name: str = "gram"):
        rows, F = _exact_matrix(M, name)
        self.n = items_from_size(len(rows), name)
        if any(rows[a][b] != rows[b][a] for a in range(len(rows)) for b in range(a)):
            raise ValueError(f"{name}: a kernel matrix must be symmetric")
        self.M, self.F = rows, F
        n = self.n
        pairs = [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]
        sw = [trial_index(n, j, i) for i, j in pairs]
        self.swap_invariant = all(rows[sw[a]][sw[b]] == rows[a][b] for a in range(len(rows)) for b in range(len(rows)))

    def _index(self, p):
        i, j = p
        if not (1 <= i <= self.n and 1 <= j <= self.n):
            raise ValueError(f"item: trial {p} is outside the items 1..{self.n} of the measured matrix")
        return trial_index(self.n, i, j)

    def __call__(self, p, q):
        return self.M[self._index(p)][self._index(q)]

    def numeric_gram(self, P: Sequence, Q: Sequence | None = None, subs: dict | None = None) -> np.ndarray:
        ip = [self._index(p) for p in P]
        iq = ip if Q is None else [self._index(q) for q in Q]
        return self.F[np.ix_(ip, iq)]

    def __repr__(self):
        return f"GramKernel(n={self.n})"


@dataclass(frozen=True)
class ExchangeableProjection:
    """The exchangeable projection of a trial matrix (see :func:`project_exchangeable`).

    ``means``: the average entry per pattern (``PATTERNS`` order); ``scale``: the ``same``
    average; ``kappas``: ``(kappa_s, kappa_1, kappa_2, kappa_x, kappa_d)`` = means / scale;
    ``kernel``: ``scale * ExchangeableKernel(*kappas)`` (equal to the projection entry by
    entry); ``explained``: the fraction of the variance of the entries explained;
    ``alpha_eff``, ``ridge_factor``: :math:`\\alpha' = 1 - (\\kappa_1 + \\kappa_2 - 2\\kappa_x)/(1-\\kappa_s)`
    (the kernel's eigenvalue on the cycle space over :math:`1 - \\kappa_s`) and
    :math:`\\rho'/\\rho = 1/(\\mathrm{scale}\\,(1-\\kappa_s))`; ``reduces``: whether
    :math:`\\kappa_1 = \\kappa_2`, so that the projection predicts exactly as
    :math:`K_{\\alpha'}` (otherwise :math:`\\alpha'` is that of its position-symmetrised
    version, :math:`\\kappa_1, \\kappa_2 \\to (\\kappa_1 + \\kappa_2)/2`)."""

    n: int
    means: tuple
    scale: sp.Expr
    kappas: tuple
    kernel: TrialKernel
    explained: sp.Expr
    alpha_eff: sp.Expr | None
    ridge_factor: sp.Expr | None
    reduces: bool


def project_exchangeable(M, n: int | None = None) -> ExchangeableProjection:
    r"""Project a trial similarity matrix onto the exchangeable family (module docstring).

    Exact when the entries are exact (SymPy numbers, CSV); ``M`` may also be a
    :class:`GramKernel`.

    >>> proj = project_exchangeable(np.eye(6))
    >>> proj.kappas, proj.explained, proj.alpha_eff
    ((0, 0, 0, 0, 0), 1, 1)
    """
    if isinstance(M, GramKernel):
        rows, n_ = M.M, M.n
    else:
        rows, _ = _exact_matrix(M, "gram")
        n_ = items_from_size(len(rows))
    if n is not None and n != n_:
        raise ValueError(f"n: the matrix has {len(rows)} rows, i.e. n = {n_} items, not {n}")
    n = n_
    trials = [(i, j) for i in range(1, n + 1) for j in range(1, n + 1) if i != j]
    codes = pattern_codes(trials, trials)
    fr = [[Fraction(int(x.p), int(x.q)) if x.is_Rational else None for x in r] for r in rows]
    exact = all(x is not None for r in fr for x in r)
    if exact:
        sums, counts = [Fraction(0)] * 6, [0] * 6
        for a, r in enumerate(fr):
            ca = codes[a]
            for b, x in enumerate(r):
                c = ca[b]
                sums[c] += x
                counts[c] += 1
        means_f = [s / c if c else Fraction(0) for s, c in zip(sums, counts)]
        grand = sum(sums) / sum(counts)
        tot = res = Fraction(0)
        for a, r in enumerate(fr):
            ca = codes[a]
            for b, x in enumerate(r):
                tot += (x - grand) ** 2
                res += (x - means_f[ca[b]]) ** 2
        means = tuple(sp.Rational(m.numerator, m.denominator) for m in means_f)
        explained = sp.Integer(1) if tot == 0 else sp.Rational(*((1 - res / tot).as_integer_ratio()))
    else:
        sums, counts = [sp.Integer(0)] * 6, [0] * 6
        for a, r in enumerate(rows):
            for b, x in enumerate(r):
                sums[codes[a][b]] += x
                counts[codes[a][b]] += 1
        means = tuple(s / c if c else sp.Integer(0) for s, c in zip(sums, counts))
        grand = sum(sums) / sum(counts)
        tot = sum((x - grand) ** 2 for r in rows for x in r)
        res = sum((x - means[codes[a][b]]) ** 2 for a, r in enumerate(rows) for b, x in enumerate(r))
        explained = sp.Integer(1) if tot == 0 else 1 - res / tot
    scale = means[0]
    if not scale > 0:
        raise ValueError(f"gram: the average diagonal entry must be positive, got {scale}")
    kappas = tuple(m / scale for m in means[1:])
    # patterns that do not occur for small n (n = 2: first/second/crossed/disjoint; n = 3: disjoint)
    kernel = ExchangeableKernel(*kappas)
    if scale != 1:
        kernel = ScaledKernel(scale, kernel)
    ks, k1, k2, kx, _ = kappas
    a = rf = None
    if ks != 1:
        a = 1 - (k1 + k2 - 2 * kx) / (1 - ks)
        rf = 1 / (scale * (1 - ks))
    return ExchangeableProjection(n, means, scale, kappas, kernel, explained, a, rf, bool(reduction_applies(kernel)))


def read_matrix(path, name: str = "gram", max_side: int = MAX_MATRIX_SIDE) -> list[list[sp.Expr]]:
    """A square matrix of exact numbers from ``path`` (``.csv`` or ``.npy``).

    CSV: one row per line, numbers separated by commas (integers, decimals such as
    ``0.25`` or ``1e-3``, fractions such as ``1/3``), read exactly; blank lines and lines
    starting with ``#`` are skipped.  ``.npy``: a 2-D numeric array, loaded with
    ``numpy.load(allow_pickle=False)``, floats read as their shortest decimal.
    Any problem is a ``ValueError`` naming ``name`` and the file.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "S.csv")
    >>> _ = open(f, "w").write("1, 1/2\\n0.5, 1\\n")
    >>> read_matrix(f, "similarity")
    [[1, 1/2], [1/2, 1]]
    """
    p = Path(path)
    where = f"{name}: {str(path)!r}"
    if not p.is_file():
        raise ValueError(f"{where} is not a readable file")
    suffix = p.suffix.lower()
    if suffix == ".npy":
        try:
            A = np.load(p, allow_pickle=False)
        except Exception as exc:  # numpy raises ValueError, OSError, EOFError, ... on bad files
            raise ValueError(f"{where} is not a numeric .npy array ({type(exc).__name__}: {exc})") from None
        if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
            raise ValueError(f"{where} must hold a non-empty square 2-D array, got shape {A.shape}")
        if A.shape[0] > max_side:
            raise ValueError(f"{where}: at most {max_side} rows, got {A.shape[0]}")
        if A.dtype.kind not in "iuf":
            raise ValueError(f"{where} must hold real numbers, got dtype {A.dtype}")
        A = A.astype(float)
        if not np.isfinite(A).all():
            raise ValueError(f"{where}: entries must be finite numbers")
        return [[as_exact(float(x), name) for x in r] for r in A.tolist()]
    if suffix != ".csv":
        raise ValueError(f"{where}: expected a .csv or .npy file")
    try:
        text = p.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where} cannot be read as text ({type(exc).__name__})") from None
    rows = []
    for k, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if len(rows) >= max_side:
            raise ValueError(f"{where}: at most {max_side} rows")
        rows.append([parse_number(c, f"{name} line {k}") for c in s.split(",")])
    if not rows or any(len(r) != len(rows) for r in rows):
        raise ValueError(f"{where} must hold a non-empty square matrix, got {len(rows)} rows of lengths "
                         f"{sorted({len(r) for r in rows})}")
    return rows
