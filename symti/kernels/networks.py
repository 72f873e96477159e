r"""From network architecture to conjunctivity (Lippl et al. 2024, PNAS).

A fully connected network receives a trial as :math:`(e_i \oplus e_j)/\sqrt2`.
At the input, two trials that share one item in the same position have
similarity :math:`\kappa_o = 1/2`; trials with no item in the same position
have :math:`\kappa_d = 0` (swapped and crossed trials included).  A layer with
the nonlinearity family whose normalised kernel map is

.. math::
   k(x; r) = x + \frac{r}{\pi}\left(\sqrt{1 - x^2} - x \arccos x\right)

(:math:`r = 1`: ReLU, :math:`r = 0`: linear) maps, in the infinite-width
limit (NNGP),

.. math::
   \kappa_d \leftarrow k(\kappa_d), \qquad
   \kappa_o \leftarrow (1 - \nu)\, k(\kappa_o) + \nu\, \frac{1 + \kappa_d}{2},

with :math:`\nu` the fraction of additive nodes (the additive nodes see the
updated :math:`\kappa_d` of the same layer, so that more additive nodes mean a
less conjunctive kernel).  The resulting exchangeable
kernel has :math:`\kappa_1 = \kappa_2 = \kappa_o` and
:math:`\kappa_s = \kappa_x = \kappa_d`, hence (derivations/theory.md §2) the conjunctivity

.. math::
   \alpha = \frac{1 + \kappa_d - 2\kappa_o}{1 - \kappa_d}.

Only the NNGP recursion is implemented; the NTK recursion is not.

>>> network_alpha(depth=1, r=1)
(-2*(-pi/6 + sqrt(3)/2)/pi + 1/pi)/(1 - 1/pi)
>>> network_alpha(depth=1, r=1, dps=10), network_alpha(depth=1, r=1, nu="1/2", dps=10)
(mpf('0.14715531597452172'), mpf('0.073577657987260858'))
>>> network_alpha(depth=3, r=0)
0

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CS09] Cho & Saul (2009), "Kernel methods for deep learning", NeurIPS 22
   (the arc-cosine kernels; r = 1 is the normalised first-order one).
.. [LBNSPS18] Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein (2018),
   "Deep neural networks as Gaussian processes", ICLR (the NNGP recursion).
.. [JGH18] Jacot, Gabriel & Hongler (2018), "Neural tangent kernel: convergence and
   generalization in neural networks", NeurIPS 31 (the NTK; not implemented here).
"""
from __future__ import annotations

import numbers

import mpmath
import sympy as sp

from .._validate import as_exact, as_expr
from .trial import ExchangeableKernel

__all__ = ["kernel_map", "layer_similarities", "conjunctivity", "network_alpha", "network_kernel"]


def kernel_map(x, r=1):
    r""":math:`k(x; r) = x + r(\sqrt{1-x^2} - x\arccos x)/\pi` (exact SymPy).

    >>> kernel_map(0, 1)
    1/pi
    >>> kernel_map(1, 1)
    1
    >>> kernel_map("__import__('os').getpid()")
    Traceback (most recent call last):
    ...
    ValueError: x: cannot parse "__import__('os').getpid()" as a number (use an integer, a decimal such as 0.25, 1e-3, or a fraction such as 1/3)
    """
    x, r = as_expr(x, "x"), as_expr(r, "r")
    return x + r * (sp.sqrt(1 - x**2) - x * sp.acos(x)) / sp.pi


def _check(depth, r, nu):
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or depth < 0:
        raise ValueError(f"depth: must be an integer >= 0, got {depth!r}")
    r = as_exact(r, "r")
    nu = as_exact(nu, "nu")
    if r.is_number and not (0 <= r <= 1):
        raise ValueError(f"r: must lie in [0, 1] (0 linear, 1 ReLU), got {r}")
    if nu.is_number and not (0 <= nu <= 1):
        raise ValueError(f"nu: the fraction of additive nodes must lie in [0, 1], got {nu}")
    return int(depth), r, nu


def layer_similarities(depth: int, r=1, nu=0, dps: int | None = None):
    r"""``(kappa_o, kappa_d)`` after ``depth`` hidden layers.

    Exact SymPy numbers by default (nested radicals and arccosines, which grow
    quickly with depth); with ``dps`` the same recursion in mpmath at ``dps``
    digits (fast at any depth).

    >>> layer_similarities(0)
    (1/2, 0)
    >>> layer_similarities(1, dps=15)
    (mpf('0.60899778104422936'), mpf('0.31830988618379067'))
    """
    depth, r, nu = _check(depth, r, nu)
    if dps is not None:
        with mpmath.workdps(dps + 10):
            rr, nn = mpmath.mpf(sp.N(r, dps + 10)), mpmath.mpf(sp.N(nu, dps + 10))
            k = lambda x: x + rr * (mpmath.sqrt(1 - x * x) - x * mpmath.acos(x)) / mpmath.pi  # noqa: E731
            ko, kd = mpmath.mpf(1) / 2, mpmath.mpf(0)
            for _ in range(depth):
                kd = k(kd)
                ko = (1 - nn) * k(ko) + nn * (1 + kd) / 2
        return ko, kd
    ko, kd = sp.Rational(1, 2), sp.Integer(0)
    for _ in range(depth):
        kd = kernel_map(kd, r)
        ko = (1 - nu) * kernel_map(ko, r) + nu * (1 + kd) / 2
    return ko, kd


def conjunctivity(kappa_o, kappa_d) -> sp.Expr:
    r"""The PNAS conjunctivity factor :math:`\alpha = (1 + \kappa_d - 2\kappa_o)/(1 - \kappa_d)`.

    >>> conjunctivity(sp.Rational(1, 2), 0)
    0
    """
    kappa_o, kappa_d = as_exact(kappa_o, "kappa_o"), as_exact(kappa_d, "kappa_d")
    if kappa_d == 1:
        raise ValueError("kappa_d: must be < 1 (distinct trials cannot be identical)")
    return (1 + kappa_d - 2 * kappa_o) / (1 - kappa_d)


def network_alpha(depth: int, r=1, nu=0, dps: int | None = None):
    """Conjunctivity of the NNGP kernel of a ``depth``-layer network
    (exact SymPy, or an mpmath number at ``dps`` digits)."""
    ko, kd = layer_similarities(depth, r, nu, dps)
    if dps is not None:
        with mpmath.workdps(dps + 10):
            return (1 + kd - 2 * ko) / (1 - kd)
    return conjunctivity(ko, kd)


def network_kernel(depth: int, r=1, nu=0) -> ExchangeableKernel:
    r"""The exchangeable NNGP kernel on trials of a ``depth``-layer network:
    :math:`\kappa_1 = \kappa_2 = \kappa_o`, :math:`\kappa_s = \kappa_x = \kappa_d`.

    Its values involve :math:`\pi`, square roots and arccosines, so exact
    solves with it are slower; use ``.reduced_alpha_ridge`` or numeric solvers.
    """
    ko, kd = layer_similarities(depth, r, nu)
    return ExchangeableKernel(kappa_s=kd, kappa_1=ko, kappa_2=ko, kappa_x=kd, kappa_d=kd)
