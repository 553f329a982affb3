"""The release under development comes from the tree when not given: a
VERSION file next to or above the root schema (QEMU's 10.2.50 → 11.0),
and the summary says which release was used or that QD104 is off."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.core.config import find_version_file

FUTURE = """\
##
# @ping:
#
# Since: 99.1
##
{ 'command': 'ping' }
"""


def _tree(tmp_path: Path, version: str | None) -> Path:
    (tmp_path / "qapi").mkdir()
    schema = tmp_path / "qapi" / "schema.json"
    schema.write_text(FUTURE)
    if version is not None:
        (tmp_path / "VERSION").write_text(version + "\n")
    return schema


def test_since_from_the_future_is_found_with_a_version_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, "10.2.50")
    assert main(["lint", str(schema)]) == 1
    out = capsys.readouterr()
    assert "error[QD104] Since: 99.1 is later than the release under development, 11.0" in out.out
    assert "Release under development: 11.0 (from " in out.err
    assert "VERSION)" in out.err


def test_release_option_wins_over_the_version_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, "10.2.50")
    main(["lint", "--release", "99.1", str(schema)])
    out = capsys.readouterr()
    assert "QD104" not in out.out
    assert "Release under development: 99.1 (from --release)" in out.err


def test_without_a_release_the_summary_says_the_rule_is_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()  # the search stops at the repository's top
    schema = _tree(tmp_path, None)
    assert main(["lint", str(schema)]) == 0
    err = capsys.readouterr().err
    assert "No release under development known" in err and "QD104 off" in err


def test_version_file_search(tmp_path: Path) -> None:
    schema = _tree(tmp_path, "10.1.0")
    assert find_version_file(str(schema)) == ("10.1", str(tmp_path / "VERSION"))
    (tmp_path / "VERSION").write_text("not a version\n")
    (tmp_path / ".git").mkdir()
    assert find_version_file(str(schema)) is None
