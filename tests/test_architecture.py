"""The layout's import rules hold on the source tree (see tests/architecture.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.architecture import ALLOWED, check_tree, imports_of, stage_of

ROOT = Path(__file__).resolve().parents[1]


def test_source_tree_keeps_the_import_rules() -> None:
    assert check_tree(ROOT) == []


def test_every_package_is_a_known_stage() -> None:
    for init in sorted((ROOT / "qapidoc").rglob("__init__.py")):
        module = ".".join(init.relative_to(ROOT).parent.parts)
        assert stage_of(module) in ALLOWED, module


def _copy(tmp_path: Path) -> Path:
    for pkg in ("qapidoc", "sphinx_ext"):
        shutil.copytree(ROOT / pkg, tmp_path / pkg,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_backward_import_between_stages_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _append(root / "qapidoc" / "schema" / "model.py", "\nfrom qapidoc.lint import engine\n")
    problems = check_tree(root)
    assert any("qapidoc/schema/model.py" in p and "must not import qapidoc.lint" in p
               for p in problems), problems


def test_sphinx_at_module_level_in_the_lint_path_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _append(root / "qapidoc" / "lint" / "engine.py", "\nimport docutils.nodes\n")
    assert any("lint/engine.py" in p and "docutils" in p for p in check_tree(root))


def test_sphinx_ext_outside_the_build_runner_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _append(root / "qapidoc" / "cli" / "lint.py",
            "\n\ndef _f() -> None:\n    from sphinx_ext import setup  # noqa\n")
    assert any("cli/lint.py" in p and "sphinx_ext" in p for p in check_tree(root))


def test_a_cycle_between_files_is_reported(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _append(root / "qapidoc" / "core" / "source.py", "\nfrom qapidoc.core import registry\n")
    assert any(p.startswith("import cycle:") and "qapidoc.core.source" in p
               for p in check_tree(root))


def test_type_checking_imports_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "qapidoc" / "lint"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    mod = pkg / "mod.py"
    mod.write_text("from typing import TYPE_CHECKING\nfrom ..schema import model\n"
                   "if TYPE_CHECKING:\n    import sphinx\n"
                   "def f() -> None:\n    import docutils\n")
    found = {(i.imported, i.lazy) for i in imports_of(tmp_path, mod)}
    assert ("qapidoc.schema.model", False) in found
    assert ("docutils", True) in found
    assert not any(name == "sphinx" for name, _ in found)
