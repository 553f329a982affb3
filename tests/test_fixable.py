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
