r"""Representations of trials and their kernels (the representation layer).

Each representation knows its kernel on trials :math:`(i, j)` and, where it
exists, its feature map and its reduction to :math:`K_\alpha` with an
effective ridge (``derivations/theory.md``, "Kernels").  They compose like
the layers of neural-tangents' ``stax``: ``a + b`` concatenates two
representations (kernels add), ``c * k`` scales one.

>>> from symti.kernels import AlphaKernel, ExchangeableKernel
>>> AlphaKernel("1/2")((1, 2), (1, 3))
1/4
>>> (AlphaKernel("1/2") + ExchangeableKernel(kappa_s=1))((1, 2), (1, 2))
2

References
----------
.. [LKJFA24] Lippl, Kay, Jensen, Ferrera & Abbott (2024), "A mathematical theory
   of relational generalization in transitive inference", PNAS 121(28) e2314511121.
.. [CL26] Cheng & Lippl (2026), "A mathematical theory of balancing relational
   generalization and memorization", arXiv:2605.22972.
.. [Theory] ``derivations/theory.md`` §2, "Representations and kernels".
"""
from .trial import (
    PATTERNS,
    AlphaKernel,
    ConcatOneHot,
    ExchangeableKernel,
    FeatureMapKernel,
    ItemEmbedding,
    SimilarityKernel,
    TensorOneHot,
    TrialKernel,
    check_psd,
    coincidence_pattern,
    geometric_similarity,
    pattern_codes,
)
from .networks import (NetworkKernel, conjunctivity, kernel_map, layer_similarities, network_alpha, network_kernel,
                       ntk_similarities)
from .exchangeable import exchangeable_eigenvalues, is_psd, psd_conditions, reduced_alpha_ridge
from .psd import check_task_psd
from .measured import GramKernel, project_exchangeable, read_matrix
from .similarity import check_similarity, cluster_similarity, exponential_similarity, gaussian_similarity

__all__ = [
    "PATTERNS", "TrialKernel", "ExchangeableKernel", "AlphaKernel", "SimilarityKernel", "FeatureMapKernel",
    "ConcatOneHot", "TensorOneHot", "ItemEmbedding", "geometric_similarity", "check_psd", "check_task_psd",
    "coincidence_pattern", "pattern_codes",
    "kernel_map", "layer_similarities", "conjunctivity", "network_alpha", "network_kernel",
    "NetworkKernel", "ntk_similarities", "exchangeable_eigenvalues", "is_psd", "psd_conditions", "reduced_alpha_ridge",
    "GramKernel", "project_exchangeable", "read_matrix", "gaussian_similarity", "exponential_similarity",
    "cluster_similarity", "check_similarity",
]
