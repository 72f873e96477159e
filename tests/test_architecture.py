"""The package's architecture: layers that import downwards only, no import
cycles (imports inside functions included), no file citing anything outside
the repository.  See README, "Architecture"."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "symti"
LAYERS = ["output", "analysis", "closed_form", "solve", "kernels", "task", "params", "_validate"]


def _module(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(pkg: Path = PKG) -> dict[str, set[str]]:
    """Every import of a ``symti`` module by a ``symti`` module, wherever it stands
    (module level, inside functions, under ``if TYPE_CHECKING``)."""
    mods = {_module(p, pkg.parent): p for p in pkg.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in mods}

    def owner(name: str) -> str | None:
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    for m, p in mods.items():
        pkg = m if p.name == "__init__.py" else m.rpartition(".")[0]
        for node in ast.walk(ast.parse(p.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                # ``from .. import params`` depends on symti.params (a package's parents are
                # always imported; the dependency that matters is the named module)
                targets = ([mod] if node.module else []) + [f"{mod}.{a.name}" for a in node.names]
            for t in targets:
                if t.split(".")[0] == "symti" and (o := owner(t)) and o != m:
                    graph[m].add(o)
    return graph


def _layer(mod: str) -> int | None:
    parts = mod.split(".")
    if len(parts) < 2:
        return None
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def test_imports_point_down_only():
    bad = []
    for m, deps in _import_graph().items():
        lm = _layer(m)
        if lm is None:
            continue
        for d in deps:
            ld = _layer(d)
            if ld is None:  # the root package re-exports everything: nothing may import it
                bad.append((m, d))
            elif ld < lm:
                bad.append((m, d))
    assert bad == []


def test_no_import_cycles():
    graph = _import_graph()
    index, low, stack, on, sccs = {}, {}, [], set(), []

    def visit(v):  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert sccs == []


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    """A cycle hidden in a function body is still a cycle for the checker."""
    pkg = tmp_path / "symti"
    (pkg / "low").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "low" / "__init__.py").write_text("")
    (pkg / "high.py").write_text("from .low.mod import f\n")
    (pkg / "low" / "mod.py").write_text("def f():\n    from ..high import g\n    return g\n")
    graph = _import_graph(pkg)
    assert "symti.high" in graph["symti.low.mod"] and "symti.low.mod" in graph["symti.high"]


def test_import_linter_contract():
    """The ``[tool.importlinter]`` layers contract of pyproject.toml is kept."""
    pytest.importorskip("importlinter")
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "importlinter.cli"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 kept, 0 broken" in out.stdout


def test_no_file_cites_outside_the_repository():
    pattern = re.compile(r"THEORY\.md|\.\./shared|shared/data|shared/tools")
    offenders = []
    for p in ROOT.rglob("*"):
        if not p.is_file() or any(part in {".git", ".venv", "__pycache__", "build"} or part.endswith(".egg-info")
                                  for part in p.relative_to(ROOT).parts):
            continue
        if p.suffix not in {".py", ".md", ".ipynb", ".tex", ".toml", ".txt", ".cfg", ""} and p.name != "run":
            continue
        if p == Path(__file__):
            continue
        if pattern.search(p.read_text(errors="ignore")):
            offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []
