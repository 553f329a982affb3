"""documentation-exceptions in a pragma file several schemas include (QEMU's
qapi/pragma.json, included by the storage daemon too) is judged across all
configured roots that include it."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.cli.app import main

PRAGMA = "{ 'pragma': { 'documentation-exceptions': [ 'Apple', 'Berry', 'Gone' ] } }\n"


def _schema(name: str) -> str:
    return (f"{{ 'include': '../common/pragma.json' }}\n##\n# @{name}:\n#\n"
            f"# Since: 9.0\n##\n{{ 'struct': '{name}', 'data': {{ 'x': 'int' }} }}\n")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for d in ("common", "one", "two"):
        (tmp_path / d).mkdir()
    (tmp_path / "common" / "pragma.json").write_text(PRAGMA)
    (tmp_path / "one" / "schema.json").write_text(_schema("Apple"))
    (tmp_path / "two" / "schema.json").write_text(_schema("Berry"))
    return tmp_path


def _qd202(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    main(["lint", "--select", "QD202", *args])
    return [ln for ln in capsys.readouterr().out.splitlines() if "QD202" in ln]


def test_a_shared_pragma_file_is_not_judged_from_one_root(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _qd202(capsys, str(tree / "one" / "schema.json")) == []


def test_judged_across_the_configured_roots(
        tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "pyproject.toml").write_text(
        '[tool.qapidoc]\nroots = ["one/schema.json", "two/schema.json"]\n')
    found = _qd202(capsys, str(tree / "one" / "schema.json"))
    assert len(found) == 1 and "'Gone' names no definition" in found[0]
    (tree / "two" / "schema.json").write_text(
        _schema("Berry").replace("# Since: 9.0", "# @x: across\n#\n# Since: 9.0"))
    found = _qd202(capsys, str(tree / "one" / "schema.json"))
    assert any("'Berry' is no longer needed" in f for f in found)
    assert not any("'Apple'" in f for f in found)
