r"""Kernel specifications: one short string names a representation.

The command line's ``--kernel SPEC`` and the library's :func:`parse_kernel_spec`
read the same grammar (numbers through the restricted parser, never ``eval``)::

    alpha:A                               K_alpha with conjunctivity A
    exchangeable:KS,K1,K2,KX,KD           the exchangeable kernel with these values
    network:depth=L,nonlinearity=R,additive=NU,type=nngp|ntk
                                          a fully connected network's NNGP or NTK
                                          (0 <= R <= 2, 0 <= NU <= 1, 1 <= L <= 10000)
    similarity:FILE.csv[,alpha=A]         SimilarityKernel(S, A) with the n x n item
                                          similarity S in FILE (.csv or .npy; default A = 0)
    gram:FILE                             a measured trial similarity matrix (.csv or .npy),
                                          rows in the order of Task(n).ordered_pairs()

Files are read with :func:`symti.kernels.measured.read_matrix` (exact CSV numbers,
``numpy.load(allow_pickle=False)``).

>>> parse_kernel_spec("alpha:1/4")
AlphaKernel(1/4)
>>> parse_kernel_spec("exchangeable:0,1/2,1/2,0,0").kappa_1
1/2
>>> parse_kernel_spec("network:depth=2,type=ntk")
NetworkKernel(depth=2, r=1, nu=0, kind='ntk')

References
----------
.. [Theory] ``derivations/theory.md`` §2, "Representations and kernels".
"""
from __future__ import annotations

import re

from .._validate import check_alpha, parse_number
from .measured import GramKernel, read_matrix
from .networks import MAX_DEPTH, network_kernel
from .similarity import check_similarity
from .trial import AlphaKernel, ExchangeableKernel, SimilarityKernel, TrialKernel

__all__ = ["parse_kernel_spec", "KERNEL_SPEC_KINDS"]

#: The kinds of specification and their grammar (for error messages and --help).
KERNEL_SPEC_KINDS = {
    "alpha": "alpha:A",
    "exchangeable": "exchangeable:KS,K1,K2,KX,KD",
    "network": "network:depth=L,nonlinearity=R,additive=NU,type=nngp|ntk",
    "similarity": "similarity:FILE.csv[,alpha=A]",
    "gram": "gram:FILE",
}


def _usage() -> str:
    return "; ".join(KERNEL_SPEC_KINDS.values())


def _keywords(body: str, allowed: dict) -> dict:
    out = dict(allowed)
    for part in filter(None, (p.strip() for p in body.split(","))):
        m = re.fullmatch(r"([a-z_]+)\s*=\s*(\S+)", part)
        if not m or m.group(1) not in allowed:
            raise ValueError(f"kernel: unknown or malformed setting {part!r}; allowed: {', '.join(allowed)}")
        out[m.group(1)] = m.group(2)
    return out


def parse_kernel_spec(spec: str) -> TrialKernel:
    """The kernel named by ``spec`` (grammar in the module docstring).

    Raises ``ValueError`` naming ``kernel`` and the grammar for anything else.
    """
    if not isinstance(spec, str):
        raise TypeError(f"kernel: expected a specification string, got {type(spec).__name__}")
    kind, sep, body = spec.strip().partition(":")
    if not sep or kind not in KERNEL_SPEC_KINDS:
        raise ValueError(f"kernel: unknown specification {spec!r}; expected one of: {_usage()}")
    if kind == "alpha":
        return AlphaKernel(parse_number(body, "kernel alpha"))
    if kind == "exchangeable":
        values = [v.strip() for v in body.split(",")]
        if len(values) != 5:
            raise ValueError(f"kernel: exchangeable needs five values KS,K1,K2,KX,KD, got {len(values)}")
        names = ("kappa_s", "kappa_1", "kappa_2", "kappa_x", "kappa_d")
        return ExchangeableKernel(**{nm: parse_number(v, nm) for nm, v in zip(names, values)})
    if kind == "similarity":
        path, alpha = body, "0"
        head, sep2, tail = body.rpartition(",")
        if sep2 and tail.strip().startswith("alpha"):
            path, alpha = head, _keywords(tail, {"alpha": "0"})["alpha"]
        S = check_similarity(read_matrix(path.strip(), "kernel similarity"), "kernel similarity")
        try:
            a = check_alpha(parse_number(alpha, "kernel alpha"), "kernel alpha")
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return SimilarityKernel(S, a)
    if kind == "gram":
        return GramKernel(read_matrix(body.strip(), "kernel gram"), name="kernel gram")
    kw = _keywords(body, {"depth": "1", "nonlinearity": "1", "additive": "0", "type": "nngp"})
    if kw["type"] not in ("nngp", "ntk"):
        raise ValueError(f"kernel: network type must be nngp or ntk, got {kw['type']!r}")
    depth = parse_number(kw["depth"], "kernel depth")
    if not (depth.is_Integer and 1 <= depth <= MAX_DEPTH):
        raise ValueError(f"kernel: network depth must be an integer in [1, {MAX_DEPTH}], got {kw['depth']}")
    r = parse_number(kw["nonlinearity"], "kernel nonlinearity")
    if not 0 <= r <= 2:
        raise ValueError(f"kernel nonlinearity: must lie in [0, 2] (0 linear, 1 ReLU, 2 absolute value), got {r}")
    nu = parse_number(kw["additive"], "kernel additive")
    if not 0 <= nu <= 1:
        raise ValueError(f"kernel additive: the fraction of additive nodes must lie in [0, 1], got {nu}")
    return network_kernel(int(depth), r=r, nu=nu, kind=kw["type"])
