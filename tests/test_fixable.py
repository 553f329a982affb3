"""``fixable`` in machine-readable output is per finding: true only when
``--fix`` rewrites that finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qapidoc.cli.app import main

SCHEMA = """\
##
# @ping:
#
# Check it; see @Pong.
#
# Since 7.1
#
# Since: 9.0
##
{ 'command': 'ping' }

##
# @Pong:
#
# @x: across
#
# Since: 9.0
##
{ 'struct': 'Pong', 'data': { 'x': 'int' } }
"""


def test_fixable_says_what_fix_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.json"
    path.write_text(SCHEMA)
    main(["lint", "--format", "json", str(path)])
    rows = {r["code"]: r["fixable"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {"QD102": False, "QD209": True}  # a Since: already exists
    main(["lint", "--fix", str(path)])
    capsys.readouterr()
    assert "see `Pong`" in path.read_text() and "# Since 7.1" in path.read_text()


def test_a_fix_that_would_overflow_the_line_is_not_offered(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A second space between sentences on a line already at the length
    limit would trade the finding for a too-long line: ``--fix`` leaves it,
    so the finding is not fixable (JSON, summary); the same finding on a
    short line is."""
    full = "# It has an end. Then " + "x" * 48
    assert len(full) == 70
    path = tmp_path / "s.json"
    path.write_text(f"##\n# @ping:\n#\n{full}\n# Short one. Then more.\n#\n"
                    "# Since: 9.0\n##\n{ 'command': 'ping' }\n")
    main(["lint", "--no-config", "--format", "json", str(path)])
    rows = {r["line"]: r["fixable"] for r in json.loads(capsys.readouterr().out)}
    assert rows == {4: False, 5: True}
    main(["lint", "--no-config", "--fix", str(path)])
    capsys.readouterr()
    main(["lint", "--no-config", "--format", "json", str(path)])
    left = json.loads(capsys.readouterr().out)
    assert [(r["line"], r["fixable"]) for r in left] == [(4, False)]
