r"""The exchangeable family: its exact positive-semidefinite region and the reduction to :math:`K_\alpha`.

An exchangeable kernel on the :math:`n(n-1)` ordered pairs of :math:`n` items
(values :math:`1, \kappa_s, \kappa_1, \kappa_2, \kappa_x, \kappa_d`, see
:mod:`symti.kernels.trial`) commutes with the symmetric group :math:`S_n`
relabelling the items, so it lies in the commutant of the permutation module
of ordered pairs,

.. math::
   S^{(n)} \oplus 2\,S^{(n-1,1)} \oplus S^{(n-2,2)} \oplus S^{(n-2,1,1)}
   \;\Longrightarrow\;
   \mathrm{End}_{S_n} \cong \mathbb{C} \oplus M_2(\mathbb{C}) \oplus \mathbb{C} \oplus \mathbb{C}.

Its eigenvalues are therefore closed forms (``derivations/theory.md`` §5,
proved in ``derivations/09_exchangeable.py``):

* constants (multiplicity 1):
  :math:`\lambda_0 = 1 + \kappa_s + (n-2)(\kappa_1 + \kappa_2 + 2\kappa_x) + (n-2)(n-3)\kappa_d`;
* symmetric, zero row sums, :math:`S^{(n-2,2)}` (multiplicity :math:`n(n-3)/2`):
  :math:`\lambda_{\mathrm{sym}} = 1 + \kappa_s - \kappa_1 - \kappa_2 - 2\kappa_x + 2\kappa_d`;
* antisymmetric, zero row sums (the cycle space), :math:`S^{(n-2,1,1)}`
  (multiplicity :math:`(n-1)(n-2)/2`):
  :math:`\lambda_{\mathrm{cyc}} = 1 - \kappa_s - \kappa_1 - \kappa_2 + 2\kappa_x`;
* the two eigenvalues (multiplicity :math:`n-1` each) of the block
  :math:`B = \begin{pmatrix} A & D \\ C & B_{22}\end{pmatrix}` acting on
  :math:`a x_i + b x_j` (:math:`\sum_k x_k = 0`), with
  :math:`A = 1 + (n-2)\kappa_1 - \kappa_2 - \kappa_x - (n-3)\kappa_d`,
  :math:`B_{22} = 1 - \kappa_1 + (n-2)\kappa_2 - \kappa_x - (n-3)\kappa_d`,
  :math:`C = \kappa_s - \kappa_2 + (n-3)(\kappa_x - \kappa_d)`,
  :math:`D = \kappa_s - \kappa_1 + (n-3)(\kappa_x - \kappa_d)`:
  :math:`\tfrac{A + B_{22}}{2} \pm \sqrt{\bigl(\tfrac{A - B_{22}}{2}\bigr)^2 + CD}`.

The kernel is positive semidefinite on all ordered pairs exactly when all of
them are :math:`\ge 0` (:func:`psd_conditions`, :func:`is_psd`).  For
:math:`n = 2` only :math:`1 \pm \kappa_s` remain; for :math:`n = 3`
:math:`S^{(n-2,2)}` is absent and :math:`\kappa_d` never occurs.

**Reduction.** For :math:`\kappa_1 = \kappa_2` and :math:`\kappa_s < 1`, KRR
with ridge :math:`\rho` predicts exactly as :math:`K_{\alpha'}` with ridge
:math:`\rho'` (``ExchangeableKernel.reduced_alpha_ridge``),

.. math::
   \alpha' = 1 - \frac{2(\kappa_1 - \kappa_x)}{1 - \kappa_s}, \qquad \rho' = \frac{\rho}{1-\kappa_s},

and :math:`\lambda_{\mathrm{cyc}} = (1-\kappa_s)\,\alpha'`, while the antisymmetric
combination :math:`x_i - x_j` of the block has eigenvalue
:math:`(1-\kappa_s)\bigl(1 + \tfrac{n-2}{2}(1-\alpha')\bigr)`.  Hence on a PSD
kernel :math:`0 \le \alpha' \le n/(n-2)` (:func:`alpha_eff_range`): the
effective conjunctivity never goes below 0, but may exceed 1 (an
"anti-additive" code: trials sharing an item are anti-correlated in their
antisymmetric part); ``K_alpha`` itself is not PSD there, the reduced system is.

>>> import sympy as sp
>>> from symti.kernels.trial import AlphaKernel
>>> [(name, sp.factor(v), m) for name, v, m in exchangeable_eigenvalues(5, AlphaKernel(sp.Symbol("alpha")))][:3]
[('constant', 4 - 3*alpha, 1), ('symmetric', alpha, 5), ('cycle', alpha, 6)]
>>> is_psd(ExchangeableKernel("0", "-1/4", "-1/4", "1/4", "0"), 4), alpha_eff_range(4)
(True, (0, 2))

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §2 (the reduction), §5 (which exchangeable
   kernels exist); ``derivations/09_exchangeable.py``.
"""
from __future__ import annotations

import numbers

import mpmath
import sympy as sp

from .trial import ExchangeableKernel, TrialKernel

__all__ = [
    "KAPPAS", "exchangeable_eigenvalues", "block_matrix", "psd_conditions", "is_psd", "alpha_eff_range",
    "reduction_applies", "reduced_alpha_ridge", "exact_sign", "to_mpf",
]

#: The symbols of the five kernel values, in the order ``(kappa_s, kappa_1, kappa_2, kappa_x, kappa_d)``.
KAPPAS = sp.symbols("kappa_s kappa_1 kappa_2 kappa_x kappa_d", real=True)


def _n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n: the number of items must be an integer >= 2, got {n!r}")
    return int(n)


def _values(kernel):
    """``(ks, k1, k2, kx, kd)`` of an exchangeable kernel, or the symbols :data:`KAPPAS`."""
    if kernel is None:
        return KAPPAS
    if not isinstance(kernel, TrialKernel):
        raise TypeError(f"kernel: expected a symti kernel, got {type(kernel).__name__}")
    vals = kernel.pattern_values()
    if vals is None:
        raise ValueError(f"kernel: {kernel!r} is not exchangeable (it depends on the items themselves)")
    same = sp.sympify(vals["same"])
    if same != 1:  # a scaled kernel: normalise (PSD is invariant under positive scaling)
        if same.is_number and same <= 0:
            raise ValueError(f"kernel: K(p, p) must be positive, got {same}")
        return tuple(sp.sympify(vals[k]) / same for k in ("swap", "first", "second", "crossed", "disjoint"))
    return tuple(sp.sympify(vals[k]) for k in ("swap", "first", "second", "crossed", "disjoint"))


def block_matrix(n: int, kernel: TrialKernel | None = None) -> sp.Matrix:
    r"""The :math:`2\times2` block of the kernel on :math:`S^{(n-1,1)} \otimes \mathbb{C}^2`:
    column 1 is the image of :math:`x_i` (first position), column 2 that of :math:`x_j`
    (coefficients of :math:`x_i, x_j`; :math:`\sum_k x_k = 0`).

    >>> block_matrix(4)
    Matrix([
    [2*kappa_1 - kappa_2 - kappa_d - kappa_x + 1,       -kappa_1 - kappa_d + kappa_s + kappa_x],
    [     -kappa_2 - kappa_d + kappa_s + kappa_x, -kappa_1 + 2*kappa_2 - kappa_d - kappa_x + 1]])
    """
    n = _n(n)
    ks, k1, k2, kx, kd = _values(kernel)
    c = (n - 3) * (kx - kd)
    A = 1 + (n - 2) * k1 - k2 - kx - (n - 3) * kd
    B = 1 - k1 + (n - 2) * k2 - kx - (n - 3) * kd
    return sp.Matrix([[A, ks - k1 + c], [ks - k2 + c, B]])


def exchangeable_eigenvalues(n: int, kernel: TrialKernel | None = None) -> list[tuple[str, sp.Expr, int]]:
    r"""The eigenvalues of an exchangeable kernel's Gram matrix on all :math:`n(n-1)` ordered
    pairs, in closed form: ``[(name, value, multiplicity), ...]`` (multiplicities sum to
    :math:`n(n-1)`; zero multiplicities are left out).  ``kernel=None`` gives them in the
    symbols :data:`KAPPAS`.  Names: ``constant``, ``symmetric`` (:math:`S^{(n-2,2)}`),
    ``cycle`` (:math:`S^{(n-2,1,1)}`), ``block+`` and ``block-`` (the 2x2 block,
    :math:`\tfrac{t}{2} \pm \sqrt{t^2/4 - d}` with its trace :math:`t` and determinant
    :math:`d`); for :math:`n = 2`, ``constant`` and ``antisymmetric``.

    .. math::
       \lambda_0 = 1 + \kappa_s + (n-2)(\kappa_1 + \kappa_2 + 2\kappa_x) + (n-2)(n-3)\kappa_d

    >>> [(name, v, m) for name, v, m in exchangeable_eigenvalues(2)]
    [('constant', kappa_s + 1, 1), ('antisymmetric', 1 - kappa_s, 1)]
    >>> sum(m for _, _, m in exchangeable_eigenvalues(7))
    42
    """
    n = _n(n)
    ks, k1, k2, kx, kd = _values(kernel)
    if n == 2:
        return [("constant", 1 + ks, 1), ("antisymmetric", 1 - ks, 1)]
    out = [("constant", 1 + ks + (n - 2) * (k1 + k2 + 2 * kx) + (n - 2) * (n - 3) * kd, 1)]
    if n >= 4:
        out.append(("symmetric", 1 + ks - k1 - k2 - 2 * kx + 2 * kd, n * (n - 3) // 2))
    out.append(("cycle", 1 - ks - k1 - k2 + 2 * kx, (n - 1) * (n - 2) // 2))
    M = block_matrix(n, kernel)
    t, d = M.trace(), M.det()
    root = sp.sqrt(t**2 / 4 - d)
    out += [("block+", t / 2 + root, n - 1), ("block-", t / 2 - root, n - 1)]
    return out


def psd_conditions(n: int, kernel: TrialKernel | None = None) -> list[sp.Expr]:
    r"""Expressions :math:`e_k` (polynomials in :data:`KAPPAS` for ``kernel=None``) with:
    the kernel is PSD on all ordered pairs of :math:`n` items iff every :math:`e_k \ge 0`.

    The linear forms :math:`\lambda_0, \lambda_{\mathrm{sym}}, \lambda_{\mathrm{cyc}}` and, for
    the 2x2 block (whose eigenvalues are real: its discriminant is
    :math:`((n-1)^2 - 1)\delta^2 + s^2` with :math:`\delta = (\kappa_1-\kappa_2)/2`),
    its trace and determinant.

    >>> psd_conditions(3)[1]
    -kappa_1 - kappa_2 - kappa_s + 2*kappa_x + 1
    """
    n = _n(n)
    eig = exchangeable_eigenvalues(n, kernel)
    out = [v for name, v, _ in eig if not name.startswith("block")]
    if n >= 3:
        M = block_matrix(n, kernel)
        out += [sp.expand(M.trace()), sp.expand(M.det())]
    return out


def exact_sign(expr, max_dps: int = 400) -> int:
    """The sign of a real constant expression, exactly: rationals directly, anything else
    (``pi``, square roots, ``acos``) by mpmath at rising precision until the value is
    certified away from 0, then by ``sympy.simplify`` to 0; ``ValueError`` when undecided.

    >>> exact_sign(sp.pi - sp.Rational(355, 113)), exact_sign(sp.sqrt(2)**2 - 2)
    (-1, 0)
    """
    e = sp.sympify(expr)
    if e.free_symbols:
        raise ValueError(f"kernel: the sign of {e} depends on the symbols {sorted(map(str, e.free_symbols))}")
    if e.is_Rational:
        return int(sp.sign(e))
    dps = 30
    while dps <= max_dps:
        v = sp.N(e, dps)
        if v.is_real is False and not v.is_zero:
            raise ValueError(f"kernel: {e} is not real")
        with mpmath.workdps(dps):
            x = mpmath.mpf(sp.re(v))
            if x != 0 and abs(x) > mpmath.mpf(10) ** (-(dps - 10)):
                return 1 if x > 0 else -1
        dps *= 2
    if sp.simplify(e) == 0:
        return 0
    raise ValueError(f"kernel: cannot decide the sign of {e} (|value| < 1e-{max_dps // 2})")


def to_mpf(expr, dps: int):
    """A real constant SymPy expression as an mpmath number at ``dps`` digits (never through
    a float64: ``mpmath.mpf(sympy.Float)`` would round to 53 bits).

    >>> import mpmath
    >>> with mpmath.workdps(30): print(to_mpf(sp.Rational(1, 10), 30))
    0.1
    """
    e = sp.sympify(expr)
    with mpmath.workdps(dps):
        if e.is_Rational:
            return mpmath.mpf(int(e.p)) / int(e.q)
        return mpmath.mpf(sp.re(sp.N(e, dps))._to_mpmath(mpmath.mp.prec))


def is_psd(kernel: TrialKernel, n: int) -> bool:
    """Is the exchangeable ``kernel`` positive semidefinite on all ordered pairs of ``n`` items?
    Exact (:func:`psd_conditions` signed by :func:`exact_sign`); symbols raise ``ValueError``.

    >>> is_psd(ExchangeableKernel(kappa_1="9/10", kappa_2="-9/10"), 4)
    False
    >>> is_psd(ExchangeableKernel(kappa_1="1/2", kappa_2="1/2"), 40)
    True
    """
    return all(exact_sign(c) >= 0 for c in psd_conditions(n, kernel))


def reduction_applies(kernel: TrialKernel) -> bool:
    r"""Does :math:`\kappa_1 = \kappa_2`, :math:`\kappa_s < 1` hold (exactly), so that the kernel
    predicts as :math:`K_{\alpha'}` with ridge :math:`\rho'` (``reduced_alpha_ridge``)?

    >>> reduction_applies(ExchangeableKernel("1/5", "2/5", "2/5")), reduction_applies(ExchangeableKernel(0, "1/2", 0))
    (True, False)
    """
    try:
        ks, k1, k2, _, _ = _values(kernel)
    except ValueError:
        return False
    if (ks.free_symbols or k1.free_symbols or k2.free_symbols):
        return sp.simplify(k1 - k2) == 0 and bool(sp.simplify(ks - 1) != 0)
    return exact_sign(k1 - k2) == 0 and exact_sign(1 - ks) > 0


def alpha_eff_range(n: int) -> tuple[sp.Rational, sp.Rational]:
    r"""The range of :math:`\alpha'` over PSD exchangeable kernels with :math:`\kappa_1 = \kappa_2`,
    :math:`\kappa_s < 1` on :math:`n \ge 3` items: :math:`[0, n/(n-2)]` (both ends attained;
    ``derivations/09_exchangeable.py``).

    >>> alpha_eff_range(3), alpha_eff_range(9)
    ((0, 3), (0, 9/7))
    """
    n = _n(n)
    if n < 3:
        raise ValueError(f"n: alpha_eff is only constrained for n >= 3 (n = 2 has no pairs sharing one item), got {n}")
    return (sp.Integer(0), sp.Rational(n, n - 2))


def reduced_alpha_ridge(kernel: TrialKernel, ridge=0):
    r"""The :math:`(\alpha', \rho')` of any exchangeable kernel with :math:`\kappa_1 = \kappa_2`,
    :math:`\kappa_s < 1`, also a scaled or summed one (:math:`K = c\,\hat K`,
    :math:`\hat K(p, p) = 1`):

    .. math::
       \alpha' = 1 - \frac{2(\hat\kappa_1 - \hat\kappa_x)}{1 - \hat\kappa_s}, \qquad
       \rho' = \frac{\rho}{c\,(1 - \hat\kappa_s)}.

    >>> from symti.kernels.trial import AlphaKernel
    >>> reduced_alpha_ridge(2 * AlphaKernel("1/3") + ExchangeableKernel(1, 1, 1, 1, 1), 1)  # + a constant feature
    (1/3, 1/2)
    """
    if not reduction_applies(kernel):
        raise ValueError("kernel: the reduction to K_alpha needs an exchangeable kernel with kappa_1 == kappa_2 "
                         "and kappa_s < 1")
    vals = kernel.pattern_values()
    c = sp.sympify(vals["same"])
    ks, k1, _, kx, _ = _values(kernel)
    ridge = sp.sympify(ridge)
    a = 1 - 2 * (k1 - kx) / (1 - ks)
    r = ridge / (c * (1 - ks)) if ridge != 0 else sp.Integer(0)
    if a.is_Rational or a.free_symbols:
        a = sp.cancel(a)
    if r.is_Rational or r.free_symbols:
        r = sp.cancel(r)
    return a, r
