r"""Positive semidefiniteness of a kernel on all ordered pairs of a task's items.

A kernel a representation can realise is positive semidefinite (PSD) on every set of
trials; every solver refuses one that is not on the :math:`n(n-1)` ordered pairs of
the task.  For an *exchangeable* kernel (its value depends only on the coincidence
pattern of two trials) the Gram matrix of those pairs has the closed-form spectrum of
:func:`~symti.kernels.exchangeable.exchangeable_eigenvalues` (derivations/theory.md §2),
so PSD is decided exactly from a few conditions (:func:`~symti.kernels.exchangeable.psd_conditions`)
at any :math:`n` -- the :math:`n(n-1) \times n(n-1)` matrix (n = 100: 9 900 rows, 0.8 GB
and about 90 s of ``eigvalsh``) is never formed.  Other kernels go through the float64
eigenvalues of :func:`~symti.kernels.trial.check_psd`.

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §2, "Representations and kernels".
"""
from __future__ import annotations

import sympy as sp

from ..task import Task
from .exchangeable import KAPPAS, _values, exact_sign, exchangeable_eigenvalues, psd_conditions, to_mpf
from .trial import ExchangeableKernel, TrialKernel, check_psd

__all__ = ["check_task_psd"]


def check_task_psd(kernel: TrialKernel, task: Task, subs: dict | None = None) -> None:
    r"""Raise ``ValueError`` unless ``kernel`` (after substituting ``subs``) is positive
    semidefinite on every ordered pair :math:`(i, j)`, :math:`i \ne j`, of ``task``'s items.

    Exchangeable kernels: exactly, by the signs of the trace and determinant of the
    :math:`2\times2` block and of the scalar eigenvalues,
    :math:`\lambda_k(n; \kappa_s, \kappa_1, \kappa_2, \kappa_x, \kappa_d) \ge 0`
    (:func:`~symti.kernels.exchangeable.psd_conditions`), in time independent of :math:`n`.
    A kernel whose symbols are not all given values is accepted as given (it cannot be
    decided), as by :func:`~symti.kernels.trial.check_psd`, which handles every other kernel.

    >>> from symti import Task
    >>> check_task_psd(ExchangeableKernel(kappa_1="1/2", kappa_2="1/2"), Task(10_000))
    >>> check_task_psd(ExchangeableKernel(kappa_1="9/10", kappa_2="-9/10"), Task(4))
    Traceback (most recent call last):
    ...
    ValueError: kernel: not positive semidefinite on the task's trials (smallest eigenvalue -1.55); choose kernel values that a representation can realise
    """
    if not isinstance(task, Task):
        raise TypeError(f"task: expected a symti.Task, got {type(task).__name__}")
    if isinstance(kernel, TrialKernel) and kernel.pattern_values() is not None:
        vals = _values(kernel)
        if subs:
            sd = {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in subs.items()}
            vals = tuple(v.subs(sd) for v in vals)
        if not any(v.free_symbols for v in vals) and not all(v.is_Rational for v in vals):
            _check_spectrum_float(kernel, task.n, subs)  # pi, arccos (networks): exact signs would cost minutes
            return
        if not any(v.free_symbols for v in vals):
            try:
                K = ExchangeableKernel(*vals)
                signs = [exact_sign(c) for c in psd_conditions(task.n, K)]
            except ValueError:  # a value outside [-1, 1] or an undecided sign: the float check decides
                signs = None
            if signs is not None:
                if min(signs) < 0:
                    low = min(float(to_mpf(v, 30)) for _name, v, m in exchangeable_eigenvalues(task.n, K) if m)
                    raise ValueError(
                        f"kernel: not positive semidefinite on the task's trials (smallest eigenvalue {low:.3g}); "
                        "choose kernel values that a representation can realise")
                return
    check_psd(kernel, task.ordered_pairs(), subs=subs)


#: One trial per coincidence pattern with ``(1, 2)``: itself, swapped, first item shared in
#: the first position, second item in the second, crossed, disjoint.
_PATTERN_TRIALS = [(1, 2), (2, 1), (1, 3), (3, 2), (2, 3), (3, 4)]


def _check_spectrum_float(kernel: TrialKernel, n: int, subs) -> None:
    r"""The closed-form spectrum at the kernel's float64 pattern values (one row of
    :meth:`~symti.kernels.trial.TrialKernel.numeric_gram`), with
    :func:`~symti.kernels.trial.check_psd`'s tolerance: smallest eigenvalue
    :math:`\ge -10^{-10} \max(1, \lambda_{\max})`."""
    sd = {sp.Symbol(k) if isinstance(k, str) else k: v for k, v in (subs or {}).items()}
    row = kernel.numeric_gram(_PATTERN_TRIALS, subs=sd or None)[0]
    same = float(row[0])
    if not same > 0:
        raise ValueError(f"kernel: K(p, p) must be positive, got {same:.3g}")
    point = dict(zip(KAPPAS, (float(x) / same for x in row[1:])))
    lam = [same * complex(v.xreplace(point).evalf(17)).real for _name, v, m in exchangeable_eigenvalues(n) if m]
    if min(lam) < -1e-10 * max(1.0, max(lam)):
        raise ValueError(
            f"kernel: not positive semidefinite on the task's trials (smallest eigenvalue {min(lam):.3g}); "
            "choose kernel values that a representation can realise")
