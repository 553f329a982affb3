"""QD110 with --against, as QEMU's releases write their notes: a previous
schema older than the last release leaves a window of releases; options a
command took undescribed, or a type only the command line used, are not
new when a command reaches them; a base type is as new as its members;
policy features are dated elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.cli.app import main
from tests.lint_support import lint_text


def _findings(current: str, previous: str, release: str,
              previous_release: str | None = None) -> list[tuple[str, str, str | None]]:
    return [(d.code, d.definition or "", d.member) for d in
            lint_text(current, against=previous, release=release,
                      against_release=previous_release).diagnostics
            if d.code in ("QD110", "QD111")]


def _doc(name: str, since: str, members: str = "") -> str:
    return f"##\n# @{name}:\n#\n{members}# Since: {since}\n##\n"


PING_72 = _doc("ping", "7.2") + "{ 'command': 'ping' }\n"


def test_previous_schema_two_releases_back_leaves_a_window() -> None:
    """Against 7.2 with 9.2 under development, 8.0 to 9.2 are all new."""
    current = (PING_72
               + _doc("pong", "8.1") + "{ 'command': 'pong' }\n"
               + _doc("peng", "7.1") + "{ 'command': 'peng' }\n"
               + _doc("pung", "7.2", "# @x: an x (since 9.0)\n#\n")
               + "{ 'command': 'pung', 'data': { '*x': 'int' } }\n")
    previous = PING_72 + _doc("pung", "7.2") + "{ 'command': 'pung' }\n"
    found = _findings(current, previous, "9.2", "7.2")
    assert found == [("QD110", "peng", None)]
    msg = next(d.message for d in lint_text(current, against=previous, release="9.2",
                                            against_release="7.2").diagnostics
               if d.code == "QD110")
    assert msg == "command 'peng' is new after 7.2 but says Since: 7.1"
    # Not knowing which release the previous schema is, only 9.2 is new.
    assert len(_findings(current, previous, "9.2")) == 3


def test_the_previous_release_comes_from_its_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "qemu-7.2.0" / "qapi"
    old.mkdir(parents=True)
    (old / "schema.json").write_text(PING_72)
    new = tmp_path / "new.json"
    new.write_text(PING_72 + _doc("pong", "8.1") + "{ 'command': 'pong' }\n"
                   + _doc("peng", "7.1") + "{ 'command': 'peng' }\n")
    rc = main(["lint", "--no-config", "--select", "QD110", "--release", "9.2",
               "--against", str(old / "schema.json"), str(new)])
    out = capsys.readouterr().out
    assert rc == 1 and "command 'peng' is new after 7.2" in out and "pong" not in out


def test_the_last_release_leaves_no_window() -> None:
    current = (_doc("ping", "10.0") + "{ 'command': 'ping' }\n"
               + _doc("pong", "10.0") + "{ 'command': 'pong' }\n")
    previous = _doc("ping", "10.0") + "{ 'command': 'ping' }\n"
    assert _findings(current, previous, "10.1") == [("QD110", "pong", None)]


PING_OLD = _doc("ping", "2.0") + "{ 'command': 'ping' }\n"
PROPS = _doc("RngProperties", "1.3", "# @opened: opened\n#\n# @base: base\n#\n")


def test_options_a_command_took_undescribed_are_not_new() -> None:
    """object-add took any arguments ('gen': false) until 6.0 described
    them: what it describes then existed before."""
    previous = PING_OLD + (_doc("object-add", "2.0", "# @qom-type: type\n#\n")
                          + "{ 'command': 'object-add', 'data': { 'qom-type': 'str' },"
                          " 'gen': false }\n")
    current = (PING_OLD + _doc("RngBase", "1.3", "# @base: base\n#\n")
               + "{ 'struct': 'RngBase', 'data': { '*base': 'str' } }\n"
               + PROPS.replace("# @base: base\n#\n", "")
               + "{ 'struct': 'RngProperties', 'base': 'RngBase',"
               " 'data': { '*opened': 'bool' } }\n"
               + _doc("object-add", "2.0") + "{ 'command': 'object-add',"
               " 'data': 'RngProperties', 'boxed': true }\n")
    assert _findings(current, previous, "6.0") == []


def test_types_the_command_line_used_are_not_new_when_a_command_returns_them() -> None:
    """-audiodev's options were schema before query-audiodevs returned
    them."""
    opts = (_doc("AudioOpts", "4.0", "# @id: id\n#\n")
            + "{ 'struct': 'AudioOpts', 'data': { 'id': 'str' } }\n")
    previous = PING_OLD + opts
    current = (PING_OLD + opts + _doc("query-audiodevs", "8.0")
               + "{ 'command': 'query-audiodevs', 'returns': [ 'AudioOpts' ] }\n")
    assert _findings(current, previous, "8.0") == []


def test_a_new_base_type_is_as_new_as_its_members() -> None:
    """Common members moved into a new base: the base says the release of
    what it carries; a base of new members must say the new release."""
    previous = (PING_72 + _doc("run", "5.0", "# @a: a\n#\n")
                + "{ 'command': 'run', 'data': { 'a': 'int' } }\n")
    current = (PING_72 + _doc("RunBase", "5.0", "# @a: a\n#\n")
               + "{ 'struct': 'RunBase', 'data': { 'a': 'int' } }\n"
               + _doc("RunArgs", "5.0")
               + "{ 'struct': 'RunArgs', 'base': 'RunBase', 'data': {} }\n"
               + _doc("run", "5.0") + "{ 'command': 'run', 'data': 'RunArgs' }\n"
               + _doc("NewBase", "7.1", "# @b: b\n#\n")
               + "{ 'struct': 'NewBase', 'data': { 'b': 'int' } }\n"
               + _doc("NewArgs", "8.0")
               + "{ 'struct': 'NewArgs', 'base': 'NewBase', 'data': {} }\n"
               + _doc("walk", "8.0") + "{ 'command': 'walk', 'data': 'NewArgs' }\n")
    assert _findings(current, previous, "8.0") == [("QD110", "NewBase", None)]


def test_a_new_deprecated_feature_needs_no_since_note() -> None:
    """QEMU dates deprecations in docs/about/deprecated.rst: 16 of the 21
    'deprecated' features in its tree have no since note."""
    previous = _doc("ping", "9.0") + "{ 'command': 'ping' }\n"
    current = (_doc("ping", "9.0").replace(
        "# Since", "# Features:\n#\n# @deprecated: Use pong.\n#\n# @fast: quicker\n#\n#"
        " Since") + "{ 'command': 'ping', 'features': [ 'deprecated', 'fast' ] }\n")
    assert _findings(current, previous, "9.1") == [("QD110", "ping", "fast")]


SEV_72 = """\
##
# @SevInfo:
#
# @enabled: true if SEV is active
#
# @policy: SEV policy value
#
# Since: 2.12
##
{ 'struct': 'SevInfo', 'data': { 'enabled': 'bool', 'policy': 'uint32' } }

##
# @query-sev:
#
# Since: 2.12
##
{ 'command': 'query-sev', 'returns': 'SevInfo' }
"""

SEV_91 = """\
##
# @SevGuestType:
#
# @sev: legacy
#
# @sev-snp: SNP
#
# Since: 9.1
##
{ 'enum': 'SevGuestType', 'data': [ 'sev', 'sev-snp' ] }

##
# @SevGuestInfo:
#
# @policy: SEV policy value
#
# Since: 2.12
##
{ 'struct': 'SevGuestInfo', 'data': { 'policy': 'uint32' } }

##
# @SevSnpGuestInfo:
#
# @snp-policy: SNP policy value
#
# Since: 9.1
##
{ 'struct': 'SevSnpGuestInfo', 'data': { 'snp-policy': 'uint64' } }

##
# @SevInfo:
#
# @enabled: true if SEV is active
#
# @sev-type: the type of guest
#
# Since: 2.12
##
{ 'union': 'SevInfo',
  'base': { 'enabled': 'bool', 'sev-type': 'SevGuestType' },
  'discriminator': 'sev-type',
  'data': { 'sev': 'SevGuestInfo', 'sev-snp': 'SevSnpGuestInfo' } }

##
# @query-sev:
#
# Since: 2.12
##
{ 'command': 'query-sev', 'returns': 'SevInfo' }
"""


def test_members_moved_into_a_branch_keep_their_release() -> None:
    """QEMU 9.1 made SevInfo a union: ``policy``, returned since 2.12, is
    now in the ``sev`` branch's type SevGuestInfo, which keeps Since: 2.12
    (clients saw nothing new); the new discriminator ``sev-type`` is new.
    A member that only another branch had before is new in its branch."""
    found = _findings(SEV_91, SEV_72, "9.1", "9.0")
    assert ("QD110", "SevGuestInfo", None) not in found
    assert ("QD110", "SevInfo", "sev-type") in found
    assert all(d != "SevGuestInfo" for _c, d, _m in found), found


def test_a_window_of_releases_does_not_guess_which_one() -> None:
    """Against 7.2 with 9.2 under development the note to add is one of
    8.0 to 9.2, not necessarily 9.2."""
    current = (_doc("pung", "7.2", "# @x: an x\n#\n")
               + "{ 'command': 'pung', 'data': { '*x': 'int' } }\n")
    previous = _doc("pung", "7.2") + "{ 'command': 'pung' }\n"
    messages = [d.message for d in lint_text(current, against=previous, release="9.2",
                                             against_release="7.2").diagnostics
                if d.code == "QD110"]
    assert messages == ["member 'x' of command 'pung' is new after 7.2 but has no since "
                        "note; add '(since X.Y)' with the release it came in (8.0 to 9.2)"]
