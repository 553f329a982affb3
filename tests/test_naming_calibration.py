"""QD503 advises only names that can still change: type names, and wire
names new since the --against release (released ones would break clients)."""

from __future__ import annotations

from tests.lint_support import lint_text

SCHEMA = """\
##
# @BufCfg:
#
# @len: the length
#
# Since: 9.0
##
{ 'struct': 'BufCfg', 'data': { 'len': 'int' } }

##
# @set-len:
#
# @len: the length
#
# Since: 9.0
##
{ 'command': 'set-len', 'data': { 'len': 'int' } }
"""

PREVIOUS = SCHEMA.replace("'set-len'", "'set-length'").replace("@set-len:", "@set-length:")


def _qd503(**kw: str) -> list[str]:
    return [d.message for d in lint_text(SCHEMA, preset="strict", **kw).diagnostics
            if d.code == "QD503"]


def test_released_wire_names_are_left_alone() -> None:
    found = _qd503()
    assert found == ["struct 'BufCfg': write 'buffer' rather than 'buf'"]


def test_new_wire_names_are_advised_with_against() -> None:
    found = _qd503(against=PREVIOUS)
    assert any("command 'set-len'" in m for m in found)
    assert any("member 'len'" in m for m in found)
    assert sum("member 'len'" in m for m in found) == 1  # BufCfg.len is old
