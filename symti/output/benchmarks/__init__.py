"""Benchmark definitions for ``symti bench`` (see :mod:`symti.output.bench`)."""
