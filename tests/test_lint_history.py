"""Since tags and since notes checked against the release history (QD112):
configured releases, the command line, and QEMU's real releases."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.core.config import ConfigError, config_from_mapping
from tests.conftest import RELEASES, need_releases

OLD = """\
##
# @ping:
#
# Since: 9.0
##
{ 'command': 'ping' }
"""
NEW = """\
##
# @ping:
#
# @verbose: say more (since 9.0)
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*verbose': 'bool' } }

##
# @PONG:
#
# Since: 9.0
##
{ 'event': 'PONG' }
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    rc = main(["lint", "--select", "QD112", "--preset", "qemu", *args])
    out = capsys.readouterr()
    return rc, out.out + out.err


def test_new_member_and_event_must_name_the_new_release(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.json").write_text(OLD)
    (tmp_path / "new.json").write_text(NEW)
    rc, out = run(capsys, "--release", "9.1", "--history",
                  f"9.0={tmp_path / 'old.json'}", str(tmp_path / "new.json"))
    assert rc == 1
    assert "new.json:4:1: warning[QD112] member 'verbose' of command 'ping' says 9.0 " \
           "but first appears on the wire in 9.1" in out
    assert "new.json:13:1: warning[QD112] event 'PONG' says 9.0 but first appears" in out
    assert "says 9.0 but" in out and out.count("QD112") == 2


def test_history_release_from_the_directory_name(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "9.0.0").mkdir()
    (tmp_path / "9.0.0" / "qapi-schema.json").write_text(OLD)
    (tmp_path / "new.json").write_text(NEW)
    rc, out = run(capsys, "--release", "9.1", "--history",
                  str(tmp_path / "9.0.0" / "qapi-schema.json"), str(tmp_path / "new.json"))
    assert rc == 1 and out.count("QD112") == 2
    assert "says 9.0 but first appears on the wire in 9.1" in out


def test_history_from_configuration(tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "old.json").write_text(OLD)
    (tmp_path / "new.json").write_text(NEW.replace("(since 9.0)", "(since 9.1)")
                                       .replace("# Since: 9.0\n##\n{ 'event'",
                                                "# Since: 9.1\n##\n{ 'event'"))
    (tmp_path / ".qapidoc.yaml").write_text(
        "release: '9.1'\nhistory:\n  '9.0': old.json\n")
    rc, out = run(capsys, str(tmp_path / "new.json"))
    assert rc == 0, out


def test_bad_history_values() -> None:
    with pytest.raises(ConfigError, match=r"history\.9: expected a release"):
        config_from_mapping({"history": {"9": "x.json"}}, "cfg")
    with pytest.raises(ConfigError, match="expected a table"):
        config_from_mapping({"history": ["x.json"]}, "cfg")


def test_bad_history_option(tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "new.json").write_text(NEW)
    rc, out = run(capsys, "--history", "nonsense", str(tmp_path / "new.json"))
    assert rc == 2 and "expected VERSION=SCHEMA" in out
    rc, out = run(capsys, "--history", f"9.0={tmp_path / 'gone.json'}",
                  str(tmp_path / "new.json"))
    assert rc == 2 and "cannot read the 9.0 schema" in out


def test_qemu_releases(capsys: pytest.CaptureFixture[str]) -> None:
    need_releases()
    schema = lambda v: str(RELEASES / v / "qapi" / "qapi-schema.json")  # noqa: E731
    rc, out = run(capsys, "--release", "10.2",
                  "--history", f"9.2={schema('9.2.0')}",
                  "--history", f"10.0={schema('10.0.0')}",
                  "--history", f"10.1={schema('10.1.0')}", schema("10.2.0"))
    assert rc == 1
    # Tagged 9.2 but absent from 9.2.0: the tag is wrong.
    assert "enum 'VMAppleVirtioBlkVariant' says 9.2 but first appears on the " \
           "wire in 10.0" in out
    # Renamed types (SGXInfo -> SgxInfo, TargetInfo -> QemuTargetInfo) keep
    # their Since and are not reported.
    assert "SgxInfo" not in out and "QemuTargetInfo" not in out
    assert out.count("QD112") <= 3


def test_skipped_releases_leave_a_window(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """History of 3.0 and 5.2 only: an item first seen in 5.2 may date from
    any release after 3.0, so 4.0 agrees; 2.12 (before 3.0, which lacked
    it) does not, and the message says which release lacked it."""
    (tmp_path / "old.json").write_text(OLD)
    (tmp_path / "new.json").write_text(
        NEW.replace("(since 9.0)", "(since 4.0)").replace(
            "# Since: 9.0\n##\n{ 'event'", "# Since: 2.12\n##\n{ 'event'").replace(
            "# Since: 9.0\n##\n{ 'command'", "# Since: 2.0\n##\n{ 'command'"))
    rc, out = run(capsys, "--release", "5.2", "--history",
                  f"3.0.0={tmp_path / 'old.json'}", str(tmp_path / "new.json"))
    assert rc == 1, out
    assert "verbose" not in out
    assert "event 'PONG' says 2.12 but is not in 3.0 and first appears on the " \
           "wire in 5.2" in out
    assert out.count("QD112") == 1


def test_history_takes_release_tags_as_releases() -> None:
    config = config_from_mapping({"history": {"10.1.0": "a.json", "9.2": "b.json"}}, "cfg")
    assert set(config.history) == {"10.1", "9.2"}
    with pytest.raises(ConfigError, match=r"history\.10\.1\.50: expected a release"):
        config_from_mapping({"history": {"10.1.50": "x.json"}}, "cfg")


def test_qemu_releases_with_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    """Every other release as history: a Since between two given releases
    is not reported (207 findings before, all but 8 of them wrong)."""
    need_releases()
    schema = lambda v: str(RELEASES / v / "qapi" / "qapi-schema.json")  # noqa: E731
    rc, out = run(capsys, "--release", "10.2",
                  "--history", schema("7.2.0"), "--history", schema("9.2.0"),
                  "--history", schema("10.1.0"), schema("10.2.0"))
    assert rc == 1
    # Real: not in 7.2.0 although tagged 7.2; in 7.2.0 although tagged 8.0.
    assert "command 'query-migrationthreads' says 7.2 but is not in 7.2" in out
    assert "member 'show-menubar' of struct 'DisplayGTK' says 8.0 but was " \
           "already in 7.2" in out
    # Options of -audiodev were schema (and command line) before
    # query-audiodevs put them on the QMP wire: their tags stand.
    assert "mixing-engine" not in out and "'jack'" not in out
    # Added between 7.2 and 9.2 (8.0, 8.1, 9.0, 9.1): not reported.
    assert "InputMultiTouchEvent" not in out and "zoom-to-fit" not in out
    assert out.count("QD112") <= 8
