"""Shared test configuration: hypothesis settings profiles.

``HYPOTHESIS_PROFILE=ci`` (default) keeps the suite bounded; ``dev`` is
quicker still; ``large`` runs many more examples on demand::

    HYPOTHESIS_PROFILE=large python -m pytest tests
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "large", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
