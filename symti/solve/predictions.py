r"""The result of a solve: a margin :math:`f(i, j)` for every ordered pair.

:class:`Predictions` maps ``(i, j)`` to a SymPy expression (exact solvers) or
to a number (numeric solvers), and carries the task, the kernel and the ridge
it came from.  Margins are the model's output on the trial "does i beat j?":
:math:`f(i,j) > 0` means it answers "yes".

References
----------
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §1, "The task".
"""
from __future__ import annotations

from collections.abc import Mapping

import mpmath
import numpy as np
import sympy as sp

__all__ = ["pair_matrix", "Predictions", "LazyMargins", "PairKeyError", "PairTypeError"]


class PairKeyError(KeyError, ValueError):
    """A pair that is not a trial of the task (an item out of range, or ``i == j``).

    Both a ``KeyError`` (what a :class:`~collections.abc.Mapping` raises for a
    missing key, so ``get`` and ``in`` work) and a ``ValueError`` (what every
    other symti function raises for an out-of-range item); the message names
    the item and the allowed range.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class PairTypeError(KeyError, TypeError):
    """A key whose items are not integers: both ``KeyError`` and ``TypeError``."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def pair_matrix(task, values) -> np.ndarray:
    r"""Float margins listed over ``task.ordered_pairs()`` (the last axis) as ``n x n``
    matrices, entry ``[..., i-1, j-1] = f(i, j)``, zero diagonal -- the one place where a
    float margin matrix is laid out (a leading axis, e.g. time, is kept).

    >>> from symti import Task
    >>> pair_matrix(Task(2), [0.5, -0.5]).tolist()
    [[0.0, 0.5], [-0.5, 0.0]]
    """
    n = task.n
    v = np.asarray(values, dtype=float)
    I, J = np.array(task.ordered_pairs()).T
    out = np.zeros(v.shape[:-1] + (n, n))
    out[..., I - 1, J - 1] = v
    return out


class LazyMargins(Mapping):
    r"""Antisymmetric margins built one pair at a time, on first use.

    ``build(i, j)`` (``i < j``) returns :math:`f(i, j)`; :math:`f(j, i) = -f(i, j)`
    is stored with it.  The keys are ``keys`` (every ordered pair of a task).
    ``exact_at(values)``, when given, maps ``{symbol: number}`` to a dict of
    exact margins at that point without building any expression (or ``None``
    when it does not apply) -- :meth:`Predictions.subs` and
    :meth:`Predictions.evalf` use it.

    >>> m = LazyMargins([(1, 2), (2, 1)], lambda i, j: sp.Rational(i, j))
    >>> len(m), m.built, m[2, 1], m.built
    (2, 0, -1/2, 2)
    """

    def __init__(self, keys, build, exact_at=None):
        self._keys = list(keys)
        self._index = set(self._keys)
        self._build = build
        self._cache: dict = {}
        self.exact_at = exact_at

    @property
    def built(self) -> int:
        """How many margins have been built so far."""
        return len(self._cache)

    def __getitem__(self, key):
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if key not in self._index:
            raise KeyError(key)
        i, j = key
        a, b = (i, j) if i < j else (j, i)
        v = self._build(a, b)
        self._cache[(a, b)], self._cache[(b, a)] = v, -v
        return self._cache[key]

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)


class Predictions(Mapping):
    """Margins of every ordered pair of a task.

    >>> from symti import Task, AlphaKernel, solve_exact
    >>> P = solve_exact(Task(3), AlphaKernel("1/2"))
    >>> P[1, 3], P[3, 1]
    (2/3, -2/3)
    >>> P.matrix()
    Matrix([
    [   0,  1, 2/3],
    [  -1,  0,   1],
    [-2/3, -1,   0]])

    It is a read-only :class:`collections.abc.Mapping` from ``(i, j)`` to
    :math:`f(i, j)`: ``keys()``, ``values()``, ``items()``, ``get`` and
    ``in`` work as for a ``dict``, and asking for a pair that is not a trial
    names the bad item.

    >>> sorted(P.values())
    [-1, -1, -2/3, 2/3, 1, 1]
    >>> P.get((1, 4)), (1, 4) in P
    (None, False)
    >>> P[1, 4]
    Traceback (most recent call last):
    ...
    symti.solve.predictions.PairKeyError: j: must lie in 1..3, got 4

    Parameters
    ----------
    task : Task
    values : mapping
        ``(i, j) -> f(i, j)`` for every ordered pair of ``task``.
    kernel, ridge, method
        Where the margins came from (kept by :meth:`subs` and :meth:`evalf`).
    exact : bool
        ``True`` for SymPy expressions, ``False`` for floating-point numbers
        (numeric solvers, :meth:`evalf`).
    """

    def __init__(self, task, values: dict, *, kernel=None, ridge=None, method: str = "", exact: bool = True):
        self.task = task
        # a LazyMargins stays lazy: each margin is built when it is first asked for
        self._values = values if isinstance(values, LazyMargins) else dict(values)
        self.kernel = kernel
        self.ridge = ridge
        self.method = method
        self.exact = exact

    # Mapping protocol -------------------------------------------------------
    def __getitem__(self, key):
        try:
            return self._values[key]
        except (KeyError, TypeError):
            pass
        try:
            i, j = key
            self.task._check_pair(i, j)
        except ValueError as exc:
            raise PairKeyError(str(exc)) from None
        except TypeError as exc:
            raise PairTypeError(str(exc)) from None
        return self._values[(i, j)]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)

    def __repr__(self):
        return f"Predictions({self.task!r}, method={self.method!r}, {len(self)} pairs)"

    # Views -------------------------------------------------------------------
    def margin(self, i: int, j: int):
        """The margin :math:`f(i, j)`."""
        return self[i, j]

    @property
    def free_symbols(self) -> set:
        if not self.exact:
            return set()
        return set().union(*[sp.sympify(v).free_symbols for v in self._values.values()])

    def matrix(self) -> sp.Matrix:
        """The ``n x n`` margin matrix (zero diagonal), entry ``[i-1, j-1] = f(i, j)``."""
        n = self.task.n
        return sp.Matrix(n, n, lambda a, b: 0 if a == b else self._values[(a + 1, b + 1)])

    def _like(self, values: dict, *, ridge=None, exact=None) -> "Predictions":
        """A :class:`Predictions` of the same task, kernel and method with new values."""
        return Predictions(self.task, values, kernel=self.kernel, ridge=self.ridge if ridge is None else ridge,
                           method=self.method, exact=self.exact if exact is None else exact)

    def _subs_ridge(self, *args, **kwargs):
        return None if self.ridge is None else sp.sympify(self.ridge).subs(*args, **kwargs)

    def subs(self, *args, **kwargs) -> "Predictions":
        r"""Substitute into every margin (SymPy ``subs`` semantics) and into the ridge.

        The result keeps ``exact``, ``kernel`` and ``method``.

        >>> import sympy as sp
        >>> from symti import Task, AlphaKernel, solve_exact
        >>> a = sp.Symbol("alpha", positive=True)
        >>> P = solve_exact(Task(3), AlphaKernel(a)).subs(a, sp.Rational(1, 2))
        >>> P[1, 3], P.exact, P.method
        (2/3, True, 'rank')
        """
        fast = self._exact_at(*args, **kwargs)
        if fast is not None:
            return self._like(fast, ridge=self._subs_ridge(*args, **kwargs))
        vals = {k: sp.sympify(v).subs(*args, **kwargs) for k, v in self._values.items()}
        return self._like(vals, ridge=self._subs_ridge(*args, **kwargs))

    def _exact_at(self, *args, **kwargs):
        """Exact margins at a point straight from lazy data (``None`` if that does not apply)."""
        hook = getattr(self._values, "exact_at", None)
        if hook is None or kwargs:
            return None
        if len(args) == 1 and isinstance(args[0], dict):
            point = args[0]
        elif len(args) == 2:
            point = {args[0]: args[1]}
        else:
            return None
        try:
            point = {sp.sympify(k): sp.sympify(v) for k, v in point.items()}
        except (sp.SympifyError, TypeError):
            return None
        return hook(point)

    def evalf(self, n: int = 15, subs: dict | None = None) -> "Predictions":
        r"""Every margin as a :class:`~sympy.Float` of ``n`` significant digits.

        ``subs`` (a dict ``{symbol: value}``) is substituted exactly first; the
        result is a :class:`Predictions` with ``exact=False`` (same task,
        kernel and method).  Symbols left without a value raise ``ValueError``.

        >>> import sympy as sp
        >>> from symti import Task, AlphaKernel, solve_exact
        >>> a = sp.Symbol("alpha", positive=True)
        >>> P = solve_exact(Task(9, exceptions=[(4, 6)]), AlphaKernel(a))
        >>> F = P.evalf(12, subs={a: sp.Rational(1, 5)})
        >>> F[3, 6], F.exact
        (-0.122448979592, False)
        >>> P.evalf()
        Traceback (most recent call last):
        ...
        ValueError: subs: values needed for ['alpha']
        """
        from .._validate import check_digits

        n = check_digits(n, "n")
        vals = {}
        fast = self._exact_at(subs) if subs else None
        if fast is not None:
            ridge = self._subs_ridge(subs)
            return self._like({k: sp.Float(v.evalf(n), n) for k, v in fast.items()}, ridge=ridge, exact=False)
        for k, v in self._values.items():
            v = sp.Float(v, n) if isinstance(v, mpmath.mpf) else sp.sympify(v)  # keep an mpf's digits
            if subs:
                v = v.subs(subs)
            if v.free_symbols:
                raise ValueError(f"subs: values needed for {sorted(map(str, v.free_symbols))}")
            vals[k] = sp.Float(v.evalf(n), n)
        ridge = self._subs_ridge(subs) if subs else self.ridge
        return self._like(vals, ridge=ridge, exact=False)

    def _repr_latex_(self) -> str:
        r"""The margin matrix (:meth:`matrix`) as LaTeX in ``$...$`` (Jupyter's rich display).

        >>> from symti import Task, AlphaKernel, solve_exact
        >>> print(solve_exact(Task(3), AlphaKernel("1/2"))._repr_latex_())
        $\left[\begin{matrix}0 & 1 & \frac{2}{3}\\-1 & 0 & 1\\- \frac{2}{3} & -1 & 0\end{matrix}\right]$
        """
        return f"${sp.latex(self.matrix())}$"

    def to_numpy(self, subs: dict | None = None) -> np.ndarray:
        """Float64 ``n x n`` margin matrix (after ``subs`` for any free symbols)."""
        n = self.task.n
        M = np.zeros((n, n))
        fast = self._exact_at(subs) if subs and self.exact else None
        for (i, j), v in (fast or self._values).items():
            if self.exact:
                v = sp.sympify(v)
                if subs:
                    v = v.subs(subs)
                if v.free_symbols:
                    raise ValueError(f"subs: values needed for {sorted(map(str, v.free_symbols))}")
                v = float(v)
            M[i - 1, j - 1] = float(v)
        return M

    def to_mpmath(self, subs: dict | None = None, dps: int = 30) -> dict:
        """Margins as ``mpmath.mpf`` at ``dps`` digits."""
        out = {}
        with mpmath.workdps(dps):
            for k, v in self._values.items():
                if self.exact:
                    v = sp.sympify(v)
                    if subs:
                        v = v.subs(subs)
                    out[k] = mpmath.mpf(sp.N(v, dps + 5)) if v.is_number else v
                else:
                    out[k] = mpmath.mpf(v)
        return out

    def rows(self, subs: dict | None = None) -> list[dict]:
        """One record per ordered pair: ``i, j, category, target, margin``."""
        rows = []
        for rec in self.task.pair_table():
            v = self._values[(rec["i"], rec["j"])]
            if subs and self.exact:
                v = sp.sympify(v).subs(subs)
            rows.append({**rec, "margin": v})
        return rows
