r"""From network architecture to conjunctivity: NNGP and NTK (Lippl et al. 2024, PNAS).

A fully connected network receives a trial as :math:`(e_i \oplus e_j)/\sqrt2`.
At the input, two trials that share one item in the same position have
similarity :math:`\kappa_o = 1/2`; trials with no item in the same position
have :math:`\kappa_d = 0` (swapped and crossed trials included).  A layer with
the nonlinearity family whose normalised kernel map is

.. math::
   k(x; r) = x + \frac{r}{\pi}\left(\sqrt{1 - x^2} - x \arccos x\right),
   \qquad k'(x; r) = 1 - \frac{r}{\pi}\arccos x

(:math:`r = 1`: ReLU, :math:`r = 0`: linear, :math:`r = 2`: absolute value;
:math:`0 \le r \le 2` keeps the coefficient :math:`1 - r/2` of :math:`x` in the
Taylor series non-negative, i.e. a valid dot-product kernel) maps, in the
infinite-width limit,

.. math::
   \text{NNGP:}\quad \kappa_d^{(\ell)} = k(\kappa_d^{(\ell-1)}), \qquad
   \kappa_o^{(\ell)} = (1 - \nu)\, k(\kappa_o^{(\ell-1)}) + \nu\, \frac{1 + \kappa_d^{(\ell)}}{2},

with :math:`\nu` the fraction of additive nodes (the additive nodes see the
updated :math:`\kappa_d` of the same layer), and the normalised neural tangent
kernel (the NTK of [JGH18] divided by its diagonal :math:`\ell + 1`)

.. math::
   \theta^{(\ell)} = \frac{\kappa^{(\ell)} + \ell\,\theta^{(\ell-1)}\,k'(\kappa^{(\ell-1)})}{\ell + 1}
   \ (\text{for } o \text{ and } d), \qquad
   \theta_o^{(\ell)} \leftarrow (1-\nu)\,\theta_o^{(\ell)} + \nu\,\frac{1 + \theta_d^{(\ell)}}{2},

exactly the recursions of the authors' R package (``get_kappas``,
``get_kappas_ntk`` and ``get_alphas`` in ``R/coeffs.R`` of
``sflippl/relational-generalization-in-ti``).  Both kernels are exchangeable
with :math:`\kappa_1 = \kappa_2 = \kappa_o` and
:math:`\kappa_s = \kappa_x = \kappa_d`, hence (``derivations/theory.md`` §2) they
predict exactly as :math:`K_\alpha` with

.. math::
   \alpha = \frac{1 + \kappa_d - 2\kappa_o}{1 - \kappa_d}, \qquad \rho' = \frac{\rho}{1 - \kappa_d}.

Values are exact SymPy numbers (:math:`\pi`, radicals, :math:`\arccos`) up to
depth :data:`EXACT_MAX_DEPTH`; beyond it the exact expressions grow
exponentially (depth 5 takes minutes to build), so :class:`NetworkKernel`
switches to mpmath at ``dps`` digits (SymPy ``Float`` values, marked
``exact = False``).

>>> network_alpha(depth=1, r=1)
(-2*(-pi/6 + sqrt(3)/2)/pi + 1/pi)/(1 - 1/pi)
>>> network_alpha(depth=1, r=1, dps=10), network_alpha(depth=1, r=1, nu="1/2", dps=10)
(mpf('0.14715531597452172'), mpf('0.073577657987260858'))
>>> network_alpha(depth=1, r=1, kind="ntk", dps=10)
mpf('0.25786418904764895')
>>> network_alpha(depth=3, r=0)
0

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121;
   code: github.com/sflippl/relational-generalization-in-ti, ``R/coeffs.R``.
.. [CS09] Cho & Saul (2009), "Kernel methods for deep learning", NeurIPS 22
   (the arc-cosine kernels; r = 1 is the normalised first-order one).
.. [LBNSPS18] Lee, Bahri, Novak, Schoenholz, Pennington & Sohl-Dickstein (2018),
   "Deep neural networks as Gaussian processes", ICLR (the NNGP recursion).
.. [JGH18] Jacot, Gabriel & Hongler (2018), "Neural tangent kernel: convergence and
   generalization in neural networks", NeurIPS 31 (the NTK recursion).
.. [Theory] ``derivations/theory.md`` §2, "Networks".
"""
from __future__ import annotations

import numbers

import mpmath
import sympy as sp

from .._validate import as_exact, as_expr
from .exchangeable import to_mpf
from .trial import ExchangeableKernel

__all__ = ["kernel_map", "kernel_map_derivative", "layer_similarities", "ntk_similarities", "conjunctivity",
           "network_alpha", "network_kernel", "NetworkKernel", "EXACT_MAX_DEPTH", "KINDS"]

#: Deepest network whose kernel values are built as exact SymPy expressions by default.
EXACT_MAX_DEPTH = 3
#: The kernels of a network: the hidden layer's NNGP and the normalised NTK.
KINDS = ("nngp", "ntk")
#: Largest depth accepted (the mpmath recursion is O(depth); this only bounds input).
MAX_DEPTH = 10_000


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


def kernel_map_derivative(x, r=1):
    r""":math:`k'(x; r) = 1 - r \arccos(x)/\pi`, the kernel of the derivatives
    (exact SymPy).

    >>> kernel_map_derivative(0, 1), kernel_map_derivative(1, 2)
    (1/2, 1)
    """
    x, r = as_expr(x, "x"), as_expr(r, "r")
    return 1 - r * sp.acos(x) / sp.pi


def _check(depth, r, nu, kind="nngp"):
    if isinstance(depth, bool) or not isinstance(depth, numbers.Integral) or not 0 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth: must be an integer in [0, {MAX_DEPTH}], got {depth!r}")
    r = as_exact(r, "r")
    nu = as_exact(nu, "nu")
    if r.is_number and not (0 <= r <= 2):
        raise ValueError(f"r: must lie in [0, 2] (0 linear, 1 ReLU, 2 absolute value), got {r}")
    if nu.is_number and not (0 <= nu <= 1):
        raise ValueError(f"nu: the fraction of additive nodes must lie in [0, 1], got {nu}")
    if kind not in KINDS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}, got {kind!r}")
    return int(depth), r, nu


def _recursion(depth, r, nu, kind, ops):
    """The NNGP / NTK recursion with arithmetic ``ops = (one, half, k, k')``: ``(kappa_o, kappa_d)``."""
    one, half, k, kp = ops
    ko, kd = half, 0 * one
    to, td = ko, kd
    for ell in range(1, depth + 1):
        ko_prev, kd_prev = ko, kd
        kd = k(kd)
        ko = (1 - nu) * k(ko) + nu * (1 + kd) / 2
        if kind == "ntk":
            to = (ko + ell * to * kp(ko_prev)) / (ell + 1)
            td = (kd + ell * td * kp(kd_prev)) / (ell + 1)
            to = (1 - nu) * to + nu * (1 + td) / 2
    return (to, td) if kind == "ntk" else (ko, kd)


def _mp_similarities(depth, r, nu, kind, dps):
    with mpmath.workdps(dps + 10):
        rr, nn = to_mpf(r, dps + 10), to_mpf(nu, dps + 10)

        def k(x):
            x = min(max(x, -1), 1)  # guard rounding at |x| = 1
            return x + rr * (mpmath.sqrt(1 - x * x) - x * mpmath.acos(x)) / mpmath.pi

        def kp(x):
            return 1 - rr * mpmath.acos(min(max(x, -1), 1)) / mpmath.pi

        ko, kd = _recursion(depth, rr, nn, kind, (mpmath.mpf(1), mpmath.mpf(1) / 2, k, kp))
    return ko, kd


def layer_similarities(depth: int, r=1, nu=0, dps: int | None = None):
    r"""``(kappa_o, kappa_d)`` of the NNGP after ``depth`` hidden layers.

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
        return _mp_similarities(depth, r, nu, "nngp", dps)
    return _recursion(depth, r, nu, "nngp", (sp.Integer(1), sp.Rational(1, 2),
                                             lambda x: kernel_map(x, r), lambda x: kernel_map_derivative(x, r)))


def ntk_similarities(depth: int, r=1, nu=0, dps: int | None = None):
    r"""``(theta_o, theta_d)`` of the normalised NTK of a network with ``depth`` hidden
    layers (all layers trained, linear read-out), exact or at ``dps`` digits.

    >>> ntk_similarities(1, r=1)
    ((-pi/6 + sqrt(3)/2)/(2*pi) + 5/12, 1/(2*pi))
    """
    depth, r, nu = _check(depth, r, nu, "ntk")
    if dps is not None:
        return _mp_similarities(depth, r, nu, "ntk", dps)
    return _recursion(depth, r, nu, "ntk", (sp.Integer(1), sp.Rational(1, 2),
                                            lambda x: kernel_map(x, r), lambda x: kernel_map_derivative(x, r)))


def conjunctivity(kappa_o, kappa_d) -> sp.Expr:
    r"""The PNAS conjunctivity factor :math:`\alpha = (1 + \kappa_d - 2\kappa_o)/(1 - \kappa_d)`.

    >>> conjunctivity(sp.Rational(1, 2), 0)
    0
    """
    kappa_o, kappa_d = as_exact(kappa_o, "kappa_o"), as_exact(kappa_d, "kappa_d")
    if kappa_d == 1:
        raise ValueError("kappa_d: must be < 1 (distinct trials cannot be identical)")
    return (1 + kappa_d - 2 * kappa_o) / (1 - kappa_d)


def network_alpha(depth: int, r=1, nu=0, dps: int | None = None, kind: str = "nngp"):
    """Conjunctivity of the NNGP (``kind="nngp"``) or NTK (``"ntk"``) kernel of a
    ``depth``-layer network (exact SymPy, or an mpmath number at ``dps`` digits)."""
    depth, r, nu = _check(depth, r, nu, kind)
    ko, kd = (layer_similarities if kind == "nngp" else ntk_similarities)(depth, r, nu, dps)
    if dps is not None:
        with mpmath.workdps(dps + 10):
            return (1 + kd - 2 * ko) / (1 - kd)
    return conjunctivity(ko, kd)


class NetworkKernel(ExchangeableKernel):
    r"""The exchangeable kernel on trials of a fully connected network:
    :math:`\kappa_1 = \kappa_2 = \kappa_o`, :math:`\kappa_s = \kappa_x = \kappa_d`.

    ``dps=None`` gives exact values for ``depth <= EXACT_MAX_DEPTH`` and values at
    50 digits beyond; an explicit ``dps`` always gives SymPy ``Float`` values at
    ``dps`` digits (``exact`` says which).  It always reduces to :math:`K_\alpha`
    (``reduced_alpha_ridge``), the route :func:`symti.analysis.geometry.solve_representation`
    takes so that no exact solve expands :math:`\pi` or :math:`\arccos`.

    >>> K = NetworkKernel(2, r=1, kind="ntk")
    >>> K.exact, K.kappa_1 == K.kappa_2, K.kappa_s == K.kappa_x == K.kappa_d
    (True, True, True)
    >>> K = NetworkKernel(6, dps=20); K.exact, K.kappa_d
    (False, 0.77722869919143623657)
    """

    def __init__(self, depth: int, r=1, nu=0, kind: str = "nngp", dps: int | None = None):
        depth, r, nu = _check(depth, r, nu, kind)
        if dps is not None and (isinstance(dps, bool) or not isinstance(dps, numbers.Integral) or not 15 <= dps <= 10_000):
            raise ValueError(f"dps: must be an integer in [15, 10000], got {dps!r}")
        if dps is None and depth > EXACT_MAX_DEPTH:
            dps = 50
        self.depth, self.r, self.nu, self.kind, self.dps = depth, r, nu, kind, dps
        self.exact = dps is None
        if self.exact:
            ko, kd = (layer_similarities if kind == "nngp" else ntk_similarities)(depth, r, nu)
        else:
            mo, md = _mp_similarities(depth, r, nu, kind, dps)
            ko, kd = sp.Float(mo, dps), sp.Float(md, dps)
        one = sp.Integer(1)
        # set directly: ExchangeableKernel's parser would round a Float to a float64 rational
        self.values = {"same": one, "swap": kd, "first": ko, "second": ko, "crossed": kd, "disjoint": kd}
        self.swap_invariant = True

    def numeric_kappas(self, dps: int):
        """``(kappa_o, kappa_d)`` as mpmath numbers at ``dps`` digits (the recursion itself)."""
        return _mp_similarities(self.depth, self.r, self.nu, self.kind, dps)

    def reduced_alpha_ridge(self, ridge):
        r""":math:`(\alpha, \rho/(1 - \kappa_d))` with :math:`\alpha = (1 + \kappa_d - 2\kappa_o)/(1-\kappa_d)`.

        >>> a, r = NetworkKernel(1).reduced_alpha_ridge(0); float(a), r
        (0.14715531597452..., 0)
        """
        ko, kd = self.kappa_1, self.kappa_d
        ridge = as_exact(ridge, "ridge")
        return ((1 + kd - 2 * ko) / (1 - kd), ridge / (1 - kd) if ridge != 0 else sp.Integer(0))

    def __repr__(self):
        digits = "" if self.exact else f", dps={self.dps}"
        return f"NetworkKernel(depth={self.depth}, r={self.r}, nu={self.nu}, kind={self.kind!r}{digits})"


def network_kernel(depth: int, r=1, nu=0, kind: str = "nngp", dps: int | None = None) -> NetworkKernel:
    r"""The exchangeable NNGP or NTK kernel on trials of a ``depth``-layer network
    (:class:`NetworkKernel`)."""
    return NetworkKernel(depth, r=r, nu=nu, kind=kind, dps=dps)
