r"""The result of a solve: a margin :math:`f(i, j)` for every ordered pair.

:class:`Predictions` maps ``(i, j)`` to a SymPy expression (exact solvers) or
to a number (numeric solvers), and carries the task, the kernel and the ridge
it came from.  Margins are the model's output on the trial "does i beat j?":
:math:`f(i,j) > 0` means it answers "yes".
"""
from __future__ import annotations

from collections.abc import Mapping

import mpmath
import numpy as np
import sympy as sp

__all__ = ["Predictions"]


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
    """

    def __init__(self, task, values: dict, *, kernel=None, ridge=None, method: str = "", exact: bool = True):
        self.task = task
        self.values = dict(values)
        self.kernel = kernel
        self.ridge = ridge
        self.method = method
        self.exact = exact

    # Mapping protocol -------------------------------------------------------
    def __getitem__(self, key):
        i, j = key
        try:
            return self.values[(i, j)]
        except KeyError:
            self.task._check_pair(i, j)
            raise

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)

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
        return set().union(*[sp.sympify(v).free_symbols for v in self.values.values()])

    def matrix(self) -> sp.Matrix:
        """The ``n x n`` margin matrix (zero diagonal), entry ``[i-1, j-1] = f(i, j)``."""
        n = self.task.n
        return sp.Matrix(n, n, lambda a, b: 0 if a == b else self.values[(a + 1, b + 1)])

    def subs(self, *args, **kwargs) -> "Predictions":
        """Substitute into every margin (SymPy ``subs`` semantics)."""
        vals = {k: sp.sympify(v).subs(*args, **kwargs) for k, v in self.values.items()}
        return Predictions(self.task, vals, kernel=self.kernel, ridge=self.ridge, method=self.method)

    def to_numpy(self, subs: dict | None = None) -> np.ndarray:
        """Float64 ``n x n`` margin matrix (after ``subs`` for any free symbols)."""
        n = self.task.n
        M = np.zeros((n, n))
        for (i, j), v in self.values.items():
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
            for k, v in self.values.items():
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
            v = self.values[(rec["i"], rec["j"])]
            if subs and self.exact:
                v = sp.sympify(v).subs(subs)
            rows.append({**rec, "margin": v})
        return rows
