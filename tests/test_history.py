"""history: first release of every wire item, renames included."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.cli.app import main
from qapidoc.compat.history import build_history, first_seen, release_key
from qapidoc.schema.model import Schema
from tests.conftest import need_releases

V1 = """\
{ 'enum': 'Mode', 'data': [ 'fast' ] }
{ 'struct': 'Opts', 'data': { 'mode': 'Mode' } }
{ 'command': 'run', 'data': { 'opts': 'Opts' } }
{ 'command': 'stop' }
{ 'struct': 'Unused', 'data': { 'a': 'int' } }
"""
V2 = """\
{ 'enum': 'Mode', 'data': [ 'fast', 'slow' ] }
{ 'struct': 'RunOptions', 'data': { 'mode': 'Mode', '*level': 'int' } }
{ 'command': 'run', 'data': { 'opts': 'RunOptions' },
  'features': [ 'deprecated' ] }
{ 'command': 'stop' }
{ 'struct': 'Unused', 'data': { 'a': 'int', 'b': 'int' } }
"""
V3 = """\
{ 'enum': 'Mode', 'data': [ 'fast', 'slow' ] }
{ 'struct': 'Base', 'data': { 'mode': 'Mode' } }
{ 'struct': 'RunOptions', 'base': 'Base', 'data': { '*level': 'int' } }
{ 'command': 'run', 'data': { 'opts': 'RunOptions' },
  'features': [ 'deprecated' ] }
{ 'event': 'STOPPED' }
{ 'struct': 'Unused', 'data': { 'a': 'int', 'b': 'int' } }
"""


def _load(tmp: Path, name: str, text: str) -> Schema:
    path = tmp / f"{name}.json"
    path.write_text(text)
    return load_schema(str(path))


@pytest.fixture
def releases(tmp_path: Path) -> list[tuple[str, Schema]]:
    return [("1.0", _load(tmp_path, "v1", V1)), ("1.1", _load(tmp_path, "v2", V2)),
            ("2.0", _load(tmp_path, "v3", V3))]


def test_first_seen_by_path(releases: list[tuple[str, Schema]]) -> None:
    seen = first_seen(releases)
    assert seen["run"] == "1.0"
    assert seen["run.opts.mode=fast"] == "1.0"
    assert seen["run.opts.mode=slow"] == "1.1"
    assert seen["run.opts.level"] == "1.1"
    assert seen["run#deprecated"] == "1.1"
    assert seen["STOPPED"] == "2.0"
    assert seen["stop"] == "1.0"  # kept although gone in 2.0


def test_items_of_newest_release(releases: list[tuple[str, Schema]]) -> None:
    h = build_history(releases)
    assert h.versions == ("1.0", "1.1", "2.0")
    # Type renamed (Opts → RunOptions) and member moved to a base: the wire
    # had them since 1.0, so they are as old as that.
    assert h.first("RunOptions") == "1.0"
    assert h.first("Base", "mode") == "1.0"
    assert h.first("Base") == "1.0"
    assert h.first("RunOptions", "level") == "1.1"
    assert h.first("Mode", "slow") == "1.1"
    assert h.first("STOPPED") == "2.0"
    assert h.features[("run", None, "deprecated")] == "1.1"
    # Not on the wire: by name, members too.
    assert h.first("Unused") == "1.0"
    assert h.first("Unused", "b") == "1.1"
    assert h.first("nothing") is None
    assert h.paths["run.opts.level"] == "1.1"
    assert "stop" not in h.paths and h.gone["stop"] == "1.1"


def test_since_agrees(releases: list[tuple[str, Schema]]) -> None:
    h = build_history(releases)
    assert h.since_agrees("1.1", "RunOptions", "level") is True
    assert h.since_agrees("2.0", "RunOptions", "level") is False
    assert h.since_agrees("1.1.0", "Mode", "slow") is True
    # First seen in the oldest release: any earlier Since is fine.
    assert h.since_agrees("0.5", "run") is True
    assert h.since_agrees("1.1", "run") is False
    assert h.since_agrees("soon", "run") is None
    assert h.since_agrees("1.0", "nothing") is None
    # A type new by name (2.0) around members on the wire since 1.0: either.
    assert h.named["Base"] == "2.0"
    assert h.since_agrees("2.0", "Base") and h.since_agrees("1.0", "Base")
    assert h.since_agrees("1.1", "Base") is False
    # Members have no such leeway.
    assert h.since_agrees("2.0", "Base", "mode") is False


def test_release_key() -> None:
    assert release_key("10.1") == (10, 1)
    assert release_key("2.12.0") == (2, 12)
    assert release_key("none") is None
    assert release_key("10.2") > release_key("9.2")  # type: ignore[operator]


def test_releases_are_sorted_by_version(releases: list[tuple[str, Schema]],
                                        capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    shuffled = [releases[2], releases[0], releases[1]]
    h = build_history(shuffled)
    assert h.versions == ("1.0", "1.1", "2.0")
    assert h.first("RunOptions", "level") == "1.1"
    (tmp_path / "a.json").write_text(V1)
    (tmp_path / "b.json").write_text(V2)
    assert main(["history", f"10.0={tmp_path / 'b.json'}",
                 f"9.2={tmp_path / 'a.json'}"]) == 0
    assert "10.0\trun.opts.level" in capsys.readouterr().out
    assert main(["history", f"latest={tmp_path / 'b.json'}",
                 f"9.2={tmp_path / 'a.json'}"]) == 2
    assert "cannot order release 'latest'" in capsys.readouterr().err


MOVED_1 = """\
{ 'struct': 'Info', 'data': { 'on': 'bool', 'handle': 'int' } }
{ 'command': 'query-info', 'returns': 'Info' }
{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }
{ 'struct': 'A', 'data': { 'x': 'int' } }
{ 'union': 'Obj', 'base': { 'kind': 'Kind', 'common': 'str' },
  'discriminator': 'kind', 'data': { 'a': 'A' } }
{ 'command': 'make', 'data': 'Obj', 'boxed': true }
"""
MOVED_2 = """\
{ 'enum': 'InfoType', 'data': [ 'plain', 'secure' ] }
{ 'struct': 'Plain', 'data': { 'handle': 'int' } }
{ 'struct': 'Secure', 'data': { 'key': 'str' } }
{ 'union': 'Info', 'base': { 'on': 'bool', 'type': 'InfoType' },
  'discriminator': 'type', 'data': { 'plain': 'Plain', 'secure': 'Secure' } }
{ 'command': 'query-info', 'returns': 'Info' }
{ 'enum': 'Kind', 'data': [ 'a', 'b' ] }
{ 'struct': 'A', 'data': { 'common': 'str', 'x': 'int' } }
{ 'struct': 'B', 'data': { 'common': 'str', 'y': 'int' } }
{ 'union': 'Obj', 'base': { 'kind': 'Kind' },
  'discriminator': 'kind', 'data': { 'a': 'A', 'b': 'B' } }
{ 'command': 'make', 'data': 'Obj', 'boxed': true }
"""


def test_moved_members_keep_their_first_release(tmp_path: Path) -> None:
    """Into the branches of a new discriminator, or from a union's base
    into every branch: the wire had them all along."""
    h = build_history([("1.0", _load(tmp_path, "m1", MOVED_1)),
                       ("2.0", _load(tmp_path, "m2", MOVED_2))])
    assert h.paths["query-info:returns.type=plain.handle"] == "1.0"
    assert h.paths["query-info:returns.type=secure.key"] == "2.0"
    assert h.paths["query-info:returns.type"] == "2.0"
    assert h.first("Plain", "handle") == "1.0"
    assert h.paths["make.kind=a.common"] == "1.0"
    assert h.paths["make.kind=b.common"] == "1.0"  # value b always had it
    assert h.paths["make.kind=b.y"] == "2.0"
    assert "query-info:returns.handle" not in h.gone
    assert "make.common" not in h.gone


def test_needs_a_release() -> None:
    with pytest.raises(ValueError):
        build_history([])


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, text in (("v1", V1), ("v2", V2), ("v3", V3)):
        (tmp_path / f"{name}.json").write_text(text)
    args = [f"1.0={tmp_path / 'v1.json'}", f"1.1={tmp_path / 'v2.json'}",
            f"2.0={tmp_path / 'v3.json'}"]
    assert main(["history", *args]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "1.1\trun.opts.level" in out
    assert "2.0\tSTOPPED" in out
    assert "gone after 1.1\tstop" in out
    assert not any(line.startswith("1.0\t") for line in out)
    assert main(["history", "--format", "json", *args]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["versions"] == ["1.0", "1.1", "2.0"]
    assert doc["paths"]["run.opts.mode=slow"] == "1.1"
    assert {"definition": "RunOptions", "member": "level", "version": "1.1",
            "after": "1.0"} in doc["items"]
    assert {"definition": "run", "member": None, "version": "1.0",
            "after": None} in doc["items"]


@pytest.mark.parametrize("argv, message", [
    (["history", "v1.json"], "cannot tell the release of 'v1.json'"),
    (["history", "v9.json"], "expected VERSION=SCHEMA, got 'v9.json'"),
    (["history", "1.0=v1.json", "1.0=v1.json"], "version '1.0' given twice"),
    (["history", "1.0=v1.json", "1.0.0=v1.json"], "version '1.0.0' given twice (as '1.0')"),
    (["history", "1.0=missing.json"], "can't read schema file"),
    (["history", "1.0=git:nope"], "is not of the form git:REF:PATH"),
])
def test_cli_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                       capsys: pytest.CaptureFixture[str], argv: list[str],
                       message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "v1.json").write_text(V1)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err




def test_cli_tells_releases_from_version_files_refs_and_directories(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without VERSION=: a VERSION file above the schema (as in QEMU's
    tree), else a git ref or directory named like a release."""
    monkeypatch.chdir(tmp_path)
    for where, text in (("1.0.0/qapi", V1), ("qemu-1.1.0/qapi", V2), ("tree/qapi", V3)):
        (tmp_path / where).mkdir(parents=True)
        (tmp_path / where / "s.json").write_text(text)
    (tmp_path / "tree" / "VERSION").write_text("2.0.50\n")
    paths = ["tree/qapi/s.json", "qemu-1.1.0/qapi/s.json", "1.0.0/qapi/s.json"]
    assert main(["history", "--format", "json", *paths]) == 0
    assert json.loads(capsys.readouterr().out)["versions"] == ["1.0.0", "1.1.0", "2.0.50"]
    git = shutil.which("git")
    if git is None:
        return
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "s.json").write_text(V1)
    for command in (["init", "-q"], ["add", "s.json"],
                    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"],
                    ["tag", "v1.0.0"]):
        subprocess.run([git, *command], cwd=repo, check=True)
    monkeypatch.chdir(repo)
    assert main(["history", "--format", "json", "git:v1.0.0:s.json",
                 str(tmp_path / "qemu-1.1.0" / "qapi" / "s.json")]) == 0
    assert json.loads(capsys.readouterr().out)["versions"] == ["1.0.0", "1.1.0"]


def test_real_releases_against_since_tags() -> None:
    releases = need_releases()
    versions = ["9.2.0", "10.0.0", "10.1.0", "10.2.0"]
    h = build_history([(v, load_schema(str(releases / v / "qapi" / "qapi-schema.json")))
                       for v in versions])
    # Checked by hand against both the schemas and their Since tags.
    assert h.first("query-accelerators") == "10.2.0"  # Since: 10.2
    assert h.first("blockdev-set-active") == "10.0.0"  # Since: 10.0
    assert h.first("qom-list-get") == "10.1.0"  # Since: 10.1
    assert h.first("BlockLimitsInfo") == "10.2.0"  # Since: 10.2
    assert h.first("MigrationStatus", "postcopy-device") == "10.2.0"
    assert h.first("BlockdevOptions", "active") == "10.0.0"
    assert h.first("query-status") == "9.2.0"  # Since 0.14: older than 9.2
    assert h.since_agrees("0.14", "query-status")
    assert h.since_agrees("10.2", "query-accelerators")


def test_types_date_from_the_schema_before_a_command_reaches_them(
        tmp_path: Path) -> None:
    """Options only the command line took (-audiodev) are interface before
    a command returns them: their members keep the release that added them."""
    old = "{ 'struct': 'AudioOpts', 'data': { 'a': 'int' } }\n{ 'command': 'stop' }\n"
    new = ("{ 'struct': 'AudioOpts', 'data': { 'a': 'int', '*b': 'int' } }\n"
           "{ 'command': 'query-audio', 'returns': [ 'AudioOpts' ] }\n"
           "{ 'command': 'stop' }\n")
    h = build_history([("1.0", _load(tmp_path, "old", old)),
                       ("1.1", _load(tmp_path, "new", new))])
    assert h.first("AudioOpts") == "1.0"
    assert h.first("AudioOpts", "a") == "1.0"
    assert h.first("AudioOpts", "b") == "1.1"
    assert h.first("query-audio") == "1.1"
    assert h.paths["query-audio:returns[].a"] == "1.1"  # the wire is the wire


def test_arguments_taken_undescribed_have_no_lower_bound(tmp_path: Path) -> None:
    """object-add took any arguments ('gen': false) until its options were
    described: what they describe may be as old as its Since says."""
    old = "{ 'command': 'object-add', 'data': { 'qom-type': 'str' }, 'gen': false }\n"
    new = ("{ 'struct': 'RngProperties', 'data': { '*opened': 'bool' } }\n"
           "{ 'command': 'object-add', 'data': 'RngProperties' }\n"
           "{ 'command': 'query-rng', 'returns': 'RngProperties' }\n")
    h = build_history([("5.2", _load(tmp_path, "old", old)),
                       ("6.0", _load(tmp_path, "new", new))])
    assert h.first("RngProperties", "opened") == "6.0"
    assert h.since_agrees("1.3", "RngProperties", "opened")
    assert h.since_agrees("1.3", "RngProperties")
    assert not h.since_agrees("6.1", "RngProperties")
    assert h.after(("RngProperties", "opened")) is None
    assert h.since_agrees("1.3", "query-rng") is False  # a command is bounded


def test_stabilised_items_date_from_their_stable_release(tmp_path: Path) -> None:
    """x-merge in 3.0, merge from 4.0 (3.0 and 5.2 given): QEMU tags the
    type 4.0, when it became stable, though the wire had it before."""
    old = ("{ 'struct': 'Merge', 'data': { 'node': 'str' } }\n"
           "{ 'command': 'x-merge', 'data': 'Merge' }\n")
    new = ("{ 'struct': 'Merge', 'data': { 'node': 'str' } }\n"
           "{ 'command': 'merge', 'data': 'Merge' }\n")
    h = build_history([("3.0", _load(tmp_path, "old", old)),
                       ("5.2", _load(tmp_path, "new", new))])
    assert h.first("Merge") == "3.0" and h.stable[("Merge", None)] == "5.2"
    assert h.since_agrees("4.0", "Merge") and h.since_agrees("2.12", "Merge")
    assert h.since_agrees("4.0", "Merge", "node")
    assert h.since_agrees("5.2", "merge") and not h.since_agrees("3.0", "merge")
