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
