"""With --against, types no command or event reaches (QEMU's device and
object properties) are still checked for the release: by name, a rename
(same content under a name the previous release had and this one lacks)
is not new."""

from __future__ import annotations

from tests.lint_support import lint_text

PREVIOUS = """\
##
# @ping:
#
# Since: 9.0
##
{ 'command': 'ping' }

##
# @OldProps:
#
# @size: the size
#
# Since: 8.0
##
{ 'struct': 'OldProps', 'data': { 'size': 'int' } }

##
# @Knobs:
#
# @a: first
#
# Since: 8.0
##
{ 'struct': 'Knobs', 'data': { 'a': 'int' } }
"""

CURRENT = """\
##
# @ping:
#
# Since: 9.0
##
{ 'command': 'ping' }

##
# @DeviceProps:
#
# @speed: how fast
#
# Since: 9.0
##
{ 'struct': 'DeviceProps', 'data': { 'speed': 'int' } }

##
# @RenamedProps:
#
# @size: the size
#
# Since: 8.0
##
{ 'struct': 'RenamedProps', 'data': { 'size': 'int' } }

##
# @Knobs:
#
# @a: first
#
# @b: second
#
# Since: 8.0
##
{ 'struct': 'Knobs', 'data': { 'a': 'int', 'b': 'int' } }
"""


def test_new_type_no_command_reaches_must_say_the_release() -> None:
    found = [(d.code, d.definition, d.member) for d in
             lint_text(CURRENT, against=PREVIOUS, release="10.0").diagnostics
             if d.code in ("QD110", "QD111")]
    assert ("QD110", "DeviceProps", None) in found
    assert ("QD110", "Knobs", "b") in found
    assert not any(defn == "RenamedProps" for _, defn, _ in found)
    assert len(found) == 2
