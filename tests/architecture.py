"""The import rules of the layout, checked on source text (no imports run).

Each package of `qapidoc` is a stage; `ALLOWED` says which stages a stage
may import.  `check_tree(root)` returns every broken rule as a line of text
naming the file and line, so a failing test says exactly what to move.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ALLOWED: dict[str, frozenset[str]] = {
    "qapidoc.core": frozenset({"qapidoc.core"}),
    "qapidoc.schema": frozenset({"qapidoc.core", "qapidoc.schema"}),
    "qapidoc.compat": frozenset({"qapidoc.core", "qapidoc.schema", "qapidoc.compat"}),
    "qapidoc.lint": frozenset({"qapidoc.core", "qapidoc.schema", "qapidoc.compat",
                               "qapidoc.lint"}),
    "qapidoc.cli": frozenset({"qapidoc", "qapidoc.core", "qapidoc.schema", "qapidoc.compat",
                              "qapidoc.lint", "qapidoc.cli"}),
    "qapidoc": frozenset({"qapidoc.core", "qapidoc.schema"}),
    "qapidoc.__main__": frozenset({"qapidoc.cli"}),
    "sphinx_ext": frozenset({"qapidoc", "qapidoc.core", "qapidoc.schema", "qapidoc.compat",
                             "qapidoc.lint", "sphinx_ext"}),
}
"""Stage → the stages its modules may import (the package `qapidoc` itself
is the public API: `load_schema` and the model)."""

SPHINX_RUNNER = "qapidoc.cli.build"
"""The one qapidoc module that may import `sphinx_ext`, inside a function."""

HEAVY = ("sphinx", "docutils")
"""Never imported at module level by qapidoc: ``qapidoc lint`` starts fast."""


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    lazy: bool
    """Inside a function (runs only when called)."""


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(root: Path, path: Path) -> list[Import]:
    """Every import in a file, with relative ones made absolute; imports
    under ``if TYPE_CHECKING:`` are left out (they never run)."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub, lazy)
                continue
            if isinstance(child, ast.Import):
                found.extend(Import(name, a.name, child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{a.name}" for a in child.names]
                found.extend(Import(name, t, child.lineno, lazy) for t in targets)
            visit(child, lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def stage_of(module: str) -> str:
    """The stage a module belongs to (the longest key of `ALLOWED` that is a
    prefix of it)."""
    best = ""
    for stage in ALLOWED:
        if (module == stage or module.startswith(stage + ".")) and len(stage) > len(best):
            best = stage
    return best


def _resolve(imported: str, modules: set[str]) -> str | None:
    """The project module an import names (``pkg.mod.Name`` → ``pkg.mod``)."""
    while imported:
        if imported in modules:
            return imported
        imported = imported.rpartition(".")[0]
    return None


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    return out


def check_tree(root: Path) -> list[str]:
    """Every broken import rule under `root` (which holds `qapidoc/` and
    `sphinx_ext/`), as ``path:line: message`` lines."""
    files = {module_name(root, p): p for pkg in ("qapidoc", "sphinx_ext")
             for p in sorted((root / pkg).rglob("*.py"))}
    modules = set(files)
    problems: list[str] = []
    eager: dict[str, set[str]] = {}
    for module, path in files.items():
        where = path.relative_to(root)
        stage = stage_of(module)
        for imp in imports_of(root, path):
            top = imp.imported.split(".")[0]
            if module.startswith("qapidoc") and top in HEAVY and not imp.lazy:
                problems.append(f"{where}:{imp.line}: imports {imp.imported} at module "
                                "level; the lint path must not load Sphinx or docutils")
            target = _resolve(imp.imported, modules)
            if target is None or target == module:
                continue
            if not imp.lazy:
                eager.setdefault(module, set()).add(target)
            if target.startswith("sphinx_ext") and module.startswith("qapidoc"):
                if module != SPHINX_RUNNER or not imp.lazy:
                    problems.append(f"{where}:{imp.line}: imports {target}; only "
                                    f"{SPHINX_RUNNER} may, inside the function that runs Sphinx")
                continue
            target_stage = stage_of(target)
            if target_stage not in ALLOWED[stage]:
                problems.append(f"{where}:{imp.line}: {stage} must not import "
                                f"{target_stage} ({target})")
    for cycle in _cycles(eager):
        problems.append(f"import cycle: {' -> '.join(cycle)}")
    return problems
