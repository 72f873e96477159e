"""Benchmark definitions for ``symti bench`` (see :mod:`symti.bench`)."""
