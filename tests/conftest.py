"""Shared test configuration: hypothesis settings profiles.

Choose one with ``HYPOTHESIS_PROFILE`` (default ``ci``)::

    HYPOTHESIS_PROFILE=large python -m pytest tests

========  ============  ==============  =============================================
profile   max_examples  derandomize     use
========  ============  ==============  =============================================
``ci``    25            ``True``        the default and CI: the same examples on every
                                        run, so a landing is reproducible; bounded time
``dev``   8             ``False``       quick local runs, fresh random examples each run
``large`` 500           ``False``       on demand: many fresh random examples
========  ============  ==============  =============================================

All three have no deadline.  The profile alone decides how many examples a
test draws: no test sets ``max_examples`` itself.  A test that is expensive
per example takes ``@examples(k)`` from ``strategies`` instead, which scales
the profile's count by ``k / 25`` (``k`` examples under ``ci``, ``20 k``
under ``large``, at least one).
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "dev", max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False
)
settings.register_profile(
    "large", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
