r"""Item geometries: similarity matrices :math:`S` of the items, for :class:`SimilarityKernel`.

Mixed additively/conjunctively with weight :math:`\alpha`,

.. math::
   K((i,j),(k,l)) = \tfrac{1-\alpha}{2}(S_{ik} + S_{jl}) + \alpha\, S_{ik} S_{jl},

(:class:`symti.kernels.trial.SimilarityKernel`), which is PSD whenever :math:`S` is
(sums and Schur products of PSD matrices).  :math:`S = I` is :math:`K_\alpha`.  Each
geometry here depends on **one parameter that enters rationally**, so exact
predictions and thresholds in it follow from the exact solver
(:func:`symti.analysis.geometry.parameter_thresholds`):

* ordinal / exponential on a line, :math:`S_{ik} = \gamma^{|i-k|}` with
  :math:`\gamma = e^{-1/\sigma}` (:func:`symti.kernels.trial.geometric_similarity`,
  :func:`exponential_similarity`);
* Gaussian on a line, :math:`S_{ik} = q^{(i-k)^2}` with :math:`q = e^{-1/(2\sigma^2)}`
  (:func:`gaussian_similarity`);
* clusters, :math:`S_{ik} = 1` for :math:`i = k`, :math:`c` within a cluster, 0 across
  (:func:`cluster_similarity`);
* any symmetric PSD matrix (:func:`check_similarity`, e.g. read from a CSV).

>>> gaussian_similarity(3, "1/2")
Matrix([
[   1, 1/2, 1/16],
[ 1/2,   1,  1/2],
[1/16, 1/2,    1]])
>>> cluster_similarity([1, 1, 2], "1/3")
Matrix([
[  1, 1/3, 0],
[1/3,   1, 0],
[  0,   0, 1]])

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [Theory] ``derivations/theory.md`` §2 (item similarity kernels), §5.
"""
from __future__ import annotations

import numbers

import numpy as np
import sympy as sp

from .._validate import as_exact, as_expr
from .trial import geometric_similarity

__all__ = ["gaussian_similarity", "exponential_similarity", "line_parameter", "cluster_similarity",
           "check_similarity"]


def _n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n: the number of items must be an integer >= 2, got {n!r}")
    return int(n)


def gaussian_similarity(n: int, q) -> sp.Matrix:
    r"""Items on a line at :math:`1, \dots, n` with Gaussian similarity of width :math:`\sigma`:
    :math:`S_{ik} = e^{-(i-k)^2/(2\sigma^2)} = q^{(i-k)^2}`, :math:`0 < q < 1` (or a symbol).

    >>> gaussian_similarity(2, sp.Symbol("q"))
    Matrix([
    [1, q],
    [q, 1]])
    """
    n, q = _n(n), as_expr(q, "q")
    if q.is_number and not (0 < q < 1):
        raise ValueError(f"q: must lie in (0, 1) (q = exp(-1/(2 sigma^2))), got {q}")
    return sp.Matrix(n, n, lambda a, b: q ** ((a - b) ** 2))


def exponential_similarity(n: int, gamma) -> sp.Matrix:
    r"""Items on a line with exponential (Laplace) similarity,
    :math:`S_{ik} = e^{-|i-k|/\sigma} = \gamma^{|i-k|}` (the ordinal geometry).

    >>> exponential_similarity(3, "1/2")[0, 2]
    1/4
    """
    g = as_expr(gamma, "gamma")
    if g.is_number and not (0 < g < 1):
        raise ValueError(f"gamma: must lie in (0, 1) (gamma = exp(-1/sigma)), got {g}")
    return geometric_similarity(_n(n), g)


def line_parameter(sigma, kind: str = "gaussian") -> sp.Expr:
    r"""The rational parameter of a width :math:`\sigma > 0`: :math:`q = e^{-1/(2\sigma^2)}`
    (``"gaussian"``) or :math:`\gamma = e^{-1/\sigma}` (``"exponential"``), exact.

    >>> line_parameter(1), line_parameter(2, "exponential")
    (exp(-1/2), exp(-1/2))
    """
    s = as_exact(sigma, "sigma")
    if s.is_number and not s > 0:
        raise ValueError(f"sigma: the width must be > 0, got {s}")
    if kind == "gaussian":
        return sp.exp(-1 / (2 * s**2))
    if kind == "exponential":
        return sp.exp(-1 / s)
    raise ValueError(f"kind: must be 'gaussian' or 'exponential', got {kind!r}")


def cluster_similarity(labels, within) -> sp.Matrix:
    r"""Items in clusters (``labels[i-1]`` is item i's cluster): :math:`S_{ik} = 1` if
    :math:`i = k`, :math:`c` (``within``, :math:`0 \le c \le 1` or a symbol) for two items of
    one cluster, :math:`0` across clusters -- PSD (a block diagonal of
    :math:`(1-c) I + c\,\mathbf{1}\mathbf{1}^\top`).

    >>> cluster_similarity([1, 2], 1)
    Matrix([
    [1, 0],
    [0, 1]])
    """
    labels = list(labels)
    if len(labels) < 2:
        raise ValueError(f"labels: need a cluster label for each of n >= 2 items, got {len(labels)}")
    c = as_expr(within, "within")
    if c.is_number and not (0 <= c <= 1):
        raise ValueError(f"within: the within-cluster similarity must lie in [0, 1], got {c}")
    n = len(labels)
    return sp.Matrix(n, n, lambda a, b: 1 if a == b else (c if labels[a] == labels[b] else 0))


def check_similarity(S, name: str = "similarity", tol: float = 1e-12) -> sp.Matrix:
    """An exact symmetric positive semidefinite item similarity with unit diagonal, or ``ValueError``.

    >>> check_similarity([[1, "1/2"], ["1/2", 1]])
    Matrix([
    [  1, 1/2],
    [1/2,   1]])
    >>> check_similarity([[1, 2], [2, 1]])
    Traceback (most recent call last):
    ...
    ValueError: similarity: must be positive semidefinite (smallest eigenvalue -1)
    """
    rows = [list(r) for r in (S.tolist() if hasattr(S, "tolist") else S)]
    if not rows or any(len(r) != len(rows) for r in rows):
        raise ValueError(f"{name}: must be a non-empty square matrix")
    M = sp.Matrix([[as_exact(x, f"{name}[{a}][{b}]", allow_symbol=False) for b, x in enumerate(r)]
                   for a, r in enumerate(rows)])
    if M != M.T:
        raise ValueError(f"{name}: must be symmetric")
    if any(M[a, a] != 1 for a in range(M.rows)):
        raise ValueError(f"{name}: the diagonal (each item's similarity to itself) must be 1")
    lam = np.linalg.eigvalsh(np.array(M.evalf(), dtype=float))
    if lam[0] < -tol * max(1.0, lam[-1]):
        raise ValueError(f"{name}: must be positive semidefinite (smallest eigenvalue {lam[0]:.3g})")
    return M
