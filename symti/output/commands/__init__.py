"""The sub-commands of ``symti``, one module each.

A command module defines ``NAME``, ``HELP``, ``ORDER`` (its place in
``symti --help``), ``add_arguments(parser)`` and ``run(args)``; ``run``
returns a string or an iterator of lines.  :mod:`symti.output.cli` finds
them all here, so adding a command means adding a module.
"""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["command_modules"]


def command_modules() -> list:
    """Every command module, in ``ORDER``."""
    mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)
            if not m.name.startswith("_")]
    return sorted((m for m in mods if hasattr(m, "NAME")), key=lambda m: (getattr(m, "ORDER", 100), m.NAME))
