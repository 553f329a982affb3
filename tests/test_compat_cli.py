"""``qapidoc compat``: exit codes, formats, severities, git input, bad input."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qapidoc.cli.app import main
from tests.conftest import need_releases

CASES = Path(__file__).parent / "cases" / "compat"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def pair(name: str) -> tuple[str, str]:
    return str(CASES / f"{name}.old.json"), str(CASES / f"{name}.new.json")


# -- exit status and selection ------------------------------------------------


def test_breaking_change_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compat", "--no-config", *pair("arguments"))
    assert code == 1
    assert "error: argument-removed: `configure` no longer accepts `dropped`." in out
    assert "    at configure.dropped (input)" in out
    assert " argument-added" not in out  # info hidden by default in text
    assert err.strip() == "7 changes: 4 errors, 3 info (3 not shown)."


def test_no_change_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "compat", "--no-config", *pair("refactor"))
    assert (code, out, err) == (0, "", "No wire changes.\n")


def test_fail_on_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair("conditions")  # warnings and info only
    assert run(capsys, "compat", "--no-config", old, new)[0] == 0
    assert run(capsys, "compat", "--no-config", "--fail-on", "warning", old, new)[0] == 1
    code, out, _ = run(capsys, "compat", "--no-config", "--fail-on", "never",
                       "--show", "info", *pair("arguments"))
    assert code == 0 and " argument-added" in out


def test_severity_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "--no-config", "--severity",
                       "argument-removed=info", "--severity",
                       "mandatory-argument-added=warning", "--severity",
                       "argument-made-mandatory = Info", *pair("arguments"))
    assert code == 0
    assert "warning: mandatory-argument-added" in out
    assert "argument-removed" not in out


@pytest.mark.parametrize("bad, message", [
    ("argument-removed", "--severity expects KIND=LEVEL"),
    ("nope=error", "unknown change kind 'nope'"),
    ("argument-removed=fatal", "unknown severity 'fatal'"),
])
def test_bad_severity_option(capsys: pytest.CaptureFixture[str], bad: str,
                             message: str) -> None:
    code, out, err = run(capsys, "compat", "--severity", bad, *pair("arguments"))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_config_file_next_to_new_schema(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("qapidoc.core.config")
    old, new = pair("arguments")
    shutil.copy(old, tmp_path / "old.json")
    shutil.copy(new, tmp_path / "new.json")
    (tmp_path / ".qapidoc.yaml").write_text(
        "compat:\n  argument-removed: warning\n  mandatory-argument-added: info\n")
    args = ["compat", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    code, out, _ = run(capsys, *args)
    assert code == 1  # argument-made-mandatory is still an error
    assert "warning: argument-removed" in out
    assert "mandatory-argument-added" not in out
    # The command line wins over the file.
    code, out, _ = run(capsys, *args, "--severity", "argument-removed=error")
    assert "error: argument-removed" in out
    # --no-config ignores it.
    code, out, _ = run(capsys, *args[:1], "--no-config", *args[1:])
    assert "error: mandatory-argument-added" in out
    (tmp_path / ".qapidoc.yaml").write_text("compat:\n  typo-kind: error\n")
    code, out, err = run(capsys, *args)
    assert code == 2 and "unknown change kind 'typo-kind'" in err


def test_accepted_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair("arguments")
    code, out, err = run(capsys, "compat", "--no-config", "--ignore",
                         "configure.dropped", "--ignore", "nowhere.at-all",
                         "--format", "json", old, new)
    data = {c["wire_path"]: c for c in json.loads(out)}
    accepted = data["configure.dropped"]
    assert (accepted["severity"], accepted["policy"], accepted["reason"]) == (
        "info", "accepted", "--ignore")
    assert data["configure.verbose"]["severity"] == "error"
    assert "no change at accepted wire path 'nowhere.at-all'" in err
    shutil.copy(old, tmp_path / "old.json")
    shutil.copy(new, tmp_path / "new.json")
    (tmp_path / ".qapidoc.yaml").write_text(
        "compat:\n  accept:\n    configure.dropped: unused since 2019\n")
    code, out, _ = run(capsys, "compat", "--format", "markdown",
                       str(tmp_path / "old.json"), str(tmp_path / "new.json"))
    assert "`configure` no longer accepts `dropped` (accepted: unused since 2019)." in out
    (tmp_path / ".qapidoc.yaml").write_text(
        "compat:\n  accept:\n    configure.dropped: ''\n")
    code, _, err = run(capsys, "compat", str(tmp_path / "old.json"),
                       str(tmp_path / "new.json"))
    assert code == 2 and "compat.accept.configure.dropped: give the reason" in err


def test_changelog_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair("arguments")
    for version in ("1.0.0", "1.1.0"):
        (tmp_path / version / "qapi").mkdir(parents=True)
        (tmp_path / version / "VERSION").write_text(version + "\n")
    shutil.copy(old, tmp_path / "1.0.0" / "qapi" / "schema.json")
    shutil.copy(new, tmp_path / "1.1.0" / "qapi" / "schema.json")
    args = ["compat", "--no-config", "--format", "markdown",
            str(tmp_path / "1.0.0" / "qapi" / "schema.json"),
            str(tmp_path / "1.1.0" / "qapi" / "schema.json")]
    _, out, _ = run(capsys, *args)
    assert out.splitlines()[0] == "# QAPI changes from 1.0.0 to 1.1.0"
    _, out, _ = run(capsys, *args, "--old-label", "v1", "--new-label", "v2")
    assert out.splitlines()[0] == "# QAPI changes from v1 to v2"
    (tmp_path / "1.0.0" / "VERSION").unlink()
    _, out, _ = run(capsys, *args)
    # no VERSION file: the release directory names it, as in 'qapidoc history'
    assert out.splitlines()[0] == "# QAPI changes from 1.0.0 to 1.1.0"
    (tmp_path / "1.0.0").rename(tmp_path / "old")
    _, out, _ = run(capsys, *[a.replace("1.0.0", "old") for a in args])
    title = out.splitlines()[0]
    assert title.endswith(" to 1.1.0") and not title.split()[4].startswith("/")


def test_list_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "--list-kinds")
    assert code == 0
    assert any(line.split()[:2] == ["argument-removed", "error"]
               for line in out.splitlines())


# -- formats ------------------------------------------------------------------


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "--no-config", "--format", "json",
                       *pair("branches"))
    assert code == 1
    data = json.loads(out)
    assert len(data) == 9  # json shows info too
    [c] = [c for c in data if c["change"] == "branch-added"]
    assert c == {
        "change": "branch-added", "severity": "info", "direction": "input+output",
        "wire_path": "device-add.driver=ssh",
        "reached_by": ["device-add.driver=ssh", "query-device:returns.driver=ssh"],
        "definition": "DeviceOptions", "member": "ssh",
        "message": "`driver` of `device-add` has the new value `ssh`.",
        "section": "Added", "policy": None, "reason": None,
        "old": {"file": c["old"]["file"], "line": 8, "column": 1},
        "new": {"file": c["new"]["file"], "line": 12, "column": 54},
    }
    assert c["old"]["file"].endswith("branches.old.json")


def test_sarif_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "--no-config", "--format", "sarif",
                       *pair("commands"))
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    rules = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    results = run0["results"]
    assert {r["ruleId"] for r in results} == {"command-removed", "event-removed"}
    for r in results:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] == "error"
        loc = r["locations"][0]["physicalLocation"]
        # A removed command has no NEW location: anchored at the NEW root,
        # relative to the repository top.
        assert loc["artifactLocation"] == {"uri": "tests/cases/compat/commands.new.json",
                                           "uriBaseId": "SRCROOT"}
        assert loc["region"]["startLine"] == 1
        related = r["relatedLocations"][0]["physicalLocation"]
        assert related["artifactLocation"]["uri"] == "tests/cases/compat/commands.old.json"
    assert "SRCROOT" in run0["originalUriBaseIds"]
    assert "/work" not in out and str(Path.cwd()) not in out


def test_github_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "--no-config", "--format", "github",
                       *pair("output"))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 4
    errors = [line for line in lines if line.startswith("::error file=")
              and "STATUS_CHANGED" in line]
    assert len(errors) == 1
    assert ",title=QAPI compat%3A member-removed::`STATUS_CHANGED` no longer " \
        "carries `reason`." in errors[0]
    assert "%0Aat STATUS_CHANGED.reason" in errors[0]
    assert any(line.startswith("::warning ") for line in lines)
    # sorted by file and line, as lint sorts
    where = [(m[1], int(m[2])) for m in (re.search(r"file=([^,]*),line=(\d+)", line)
                                          for line in lines) if m]
    assert len(where) == 4 and where == sorted(where)


def test_markdown_changelog(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "compat", "--no-config", "--format", "markdown",
                    *pair("branches"))
    assert out.startswith("# QAPI changes from ")
    sections = [line for line in out.splitlines() if line.startswith("## ")]
    assert sections == ["## Added", "## Removed"]
    added = out.split("## Added")[1].split("## Removed")[0]
    assert "### `device-add`" in added and "### `draw`" in added
    assert ("- **Breaking:** `device-add` requires the new argument `size` when "
            "`driver` is `null`.") in added
    assert ("- `driver` of `device-add` has the new value `ssh`. Also in "
            "`query-device`.") in added
    removed = out.split("## Removed")[1]
    assert ("- **Review:** `query-device` no longer returns the optional `aio` "
            "when `driver` is `file`.") in removed
    assert "/" not in out.splitlines()[0].replace("tests/cases/compat/", "")


def test_rst_changelog(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "compat", "--no-config", "--format", "rst",
                    *pair("features"))
    lines = out.splitlines()
    assert lines[1] == "=" * len(lines[0])
    assert "Deprecated\n----------" in out
    assert "``migrate``\n~~~~~~~~~~~" in out
    assert "- **Review:** ``policy`` of ``migrate`` is deprecated." in out


# -- bad input ----------------------------------------------------------------


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.json")
    code, out, err = run(capsys, "compat", missing, pair("commands")[1])
    assert code == 2 and out == ""
    assert f"{os.path.relpath(missing)}:1:1: error[QA002] can't read schema file" in err \
        or f"{missing}:1:1: error[QA002] can't read schema file" in err


def test_broken_schema_is_reported_located(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ 'command': 'a', 'data': { 'x': 'Missing' } }\n"
                   "{ 'struct': 'S', 'data': { 'y': 'int' }\n")
    code, out, err = run(capsys, "compat", pair("commands")[0], str(bad))
    assert code == 1 and out == ""  # schema errors are findings, as in lint
    assert ":1:" in err and "error[QA201]" in err  # unknown type, located
    assert ":3:" in err or ":2:" in err  # syntax error, located
    assert f"{bad}: 2 errors in the schema" in err


def test_documentation_errors_do_not_block(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text("##\n# @stays:\n#\n# " + "x" * 100 + "\n##\n"
                   "{ 'command': 'stays' }\n")
    code, _, err = run(capsys, "compat", "--no-config", str(doc), str(doc))
    assert code == 0, err


def test_missing_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compat", pair("commands")[0])
    assert code == 2 and "compat needs two schemas" in err


def test_directory_argument(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compat", str(CASES), pair("commands")[1])
    assert code == 2 and "is a directory" in err


# -- git ----------------------------------------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t",
                    *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    _git(tmp_path, "init", "-q")
    (tmp_path / "qapi").mkdir()
    (tmp_path / "qapi" / "schema.json").write_text(
        "{ 'include': 'sub/types.json' }\n{ 'command': 'go', 'data': 'Args' }\n")
    (tmp_path / "qapi" / "sub").mkdir()
    (tmp_path / "qapi" / "sub" / "types.json").write_text(
        "{ 'struct': 'Args', 'data': { 'speed': 'int', '*x': 'str' } }\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "v1")
    _git(tmp_path, "tag", "v1.0")
    # The working tree drops an argument in the included file.
    (tmp_path / "qapi" / "sub" / "types.json").write_text(
        "{ 'struct': 'Args', 'data': { 'speed': 'int' } }\n")
    monkeypatch.chdir(tmp_path / "qapi")
    return tmp_path


def test_git_old_against_working_tree(repo: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "compat", "--no-config", "git:v1.0:schema.json",
                       "schema.json")
    assert code == 1
    assert "sub/types.json:1:1: error: argument-removed: `go` no longer accepts `x`." in out
    assert "was at v1.0:qapi/sub/types.json:1:47" in out
    code, out, _ = run(capsys, "compat", "--no-config", "--format", "json",
                       "git:v1.0:schema.json", "schema.json")
    [c] = json.loads(out)
    assert c["old"] == {"file": "qapi/sub/types.json", "line": 1, "column": 47,
                        "revision": "v1.0"}


def test_git_both_sides(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _git(repo, "commit", "-qam", "v2")
    code, out, _ = run(capsys, "compat", "--no-config", "git:v1.0:schema.json",
                       "git:HEAD:schema.json")
    assert code == 1 and "argument-removed" in out
    assert run(capsys, "compat", "--no-config", "git:HEAD:schema.json",
               "schema.json")[0] == 0


@pytest.mark.parametrize("spec, message", [
    ("git:nope:schema.json", "OLD: unknown git revision 'nope'"),
    ("git:schema.json", "is not of the form git:REF:PATH"),
    ("git:v1.0:missing.json", "can't read schema file 'qapi/missing.json': "
                              "no such file in v1.0"),
])
def test_bad_git_specs(repo: Path, capsys: pytest.CaptureFixture[str], spec: str,
                       message: str) -> None:
    code, out, err = run(capsys, "compat", spec, "schema.json")
    assert code == 2 and out == "" and message in err
    assert "Traceback" not in err


def test_git_outside_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run(capsys, "compat", "git:HEAD:x.json", pair("commands")[1])
    assert code == 2 and "not inside a git repository" in err


def test_real_process_has_no_traceback(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "qapidoc.cli", "compat",
                          str(tmp_path / "a.json"), str(tmp_path / "b.json")],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 2
    assert "can't read schema file" in res.stderr and "Traceback" not in res.stderr


# -- real releases ---------------------------------------------------------------


def test_release_pair_finds_the_known_break(capsys: pytest.CaptureFixture[str]) -> None:
    releases = need_releases()
    old = releases / "10.0.0" / "qapi" / "qapi-schema.json"
    new = releases / "10.1.0" / "qapi" / "qapi-schema.json"
    code, out, _ = run(capsys, "compat", "--no-config", "--format", "json",
                       str(old), str(new))
    data = json.loads(out)
    errors = [c for c in data if c["severity"] == "error"]
    assert code == 1
    assert [(c["change"], c["wire_path"]) for c in errors] == [
        ("member-made-optional", "query-cpu-model-expansion:returns.deprecated-props")]


def test_git_reader_uses_one_process(repo: Path) -> None:
    from qapidoc.schema.gitsource import GitBlobReader, git_opener

    rel, opener = git_opener("git:v1.0:schema.json")
    assert rel == "qapi/schema.json" and isinstance(opener, GitBlobReader)
    text, why = opener("qapi/schema.json")
    assert text is not None and "include" in text and why == ""
    proc = opener._proc
    assert opener("qapi/sub/types.json")[0] is not None
    assert opener("qapi/nothing.json") == (None, "no such file in v1.0")
    assert opener("qapi") == (None, "is a tree in v1.0, not a file")
    assert opener("../outside.json") == (None, "outside the repository")
    assert opener._proc is proc and proc is not None and proc.poll() is None
    opener.close()
    assert proc.poll() is not None
    # Reading again after close starts a new process.
    assert opener("qapi/schema.json")[0] is not None
    opener.close()


def test_changelog_labels_are_text_never_markup(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A label comes from a VERSION file or a file name: in a Markdown or
    rST changelog it is text (an HTML tag there reached Markdown pages), a
    VERSION file that holds no version is not a label, and --old-label must
    be one line (a newline put a directive into the rST)."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "VERSION").write_text("10.2.0 <script>alert(1)</script>\n")
    (tmp_path / "old" / "s.json").write_text("{ 'command': 'ping' }\n")
    (tmp_path / "new_*x*.json").write_text("{ 'command': 'ping', 'data': { 'a': 'int' } }\n")
    old, new = str(tmp_path / "old" / "s.json"), str(tmp_path / "new_*x*.json")
    _, out, _ = run(capsys, "compat", "--format", "markdown", old, new)
    title = out.splitlines()[0]
    assert "<script>" not in title and "VERSION" not in title and "10.2.0" not in title
    assert title.endswith("new\\_\\*x\\*.json")
    _, out, _ = run(capsys, "compat", "--format", "markdown", "--old-label", "a <b>", old, new)
    assert out.splitlines()[0].startswith("# QAPI changes from a &lt;b&gt; to ")
    _, out, _ = run(capsys, "compat", "--format", "rst", "--old-label", "v_1", old, new)
    assert out.splitlines()[0].startswith("QAPI changes from v\\_1 to ")
    with pytest.raises(SystemExit) as exc:
        main(["compat", "--format", "rst", "--old-label", "a\n.. include:: /etc/passwd",
              old, new])
    assert exc.value.code == 2
