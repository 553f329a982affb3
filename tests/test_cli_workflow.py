"""Everyday workflow: output people read, baselines by fingerprint, module
files linted in their root's context, ruff-like options, one exit-code
contract for every command, and tests that say what they skip."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.core.report import want_colour
from tests.conftest import REPO, need_qemu

DOC = """\
##
# @ping:
#
# Check the server.  See @cancelled.
#
# @count: how many
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*count': 'int' } }
"""

CLEAN = """\
##
# @ping:
#
# Check the server.
#
# Since: 9.0
##
{ 'command': 'ping' }
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


# --------------------------------------------------------------------------
# Output


def test_full_output_has_severity_source_line_and_include_chain_once(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("root.json").write_text("{ 'include': 'sub.json' }\n")
    Path("sub.json").write_text(DOC.replace("how many", "see @bogus"))
    rc, out, _ = run(capsys, "lint", "root.json")
    assert rc == 1
    lines = out.splitlines()
    assert lines[0] == "In file included from root.json:1:1:"
    assert out.count("In file included from") == 1
    assert lines[1] == ("sub.json:4:26: error[QD204] '@cancelled' names nothing "
                        "in command 'ping'")
    assert lines[2:5] == ["  |", "4 | # Check the server.  See @cancelled.",
                          "  |                          ^"]
    assert "sub.json:6:15: error[QD204] '@bogus'" in out


def test_include_chain_once_per_file_nested_and_note_after_the_snippet(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("root.json").write_text("{ 'include': 'a.json' }\n")
    Path("a.json").write_text("{ 'include': 'b.json' }\n"
                              + DOC.replace("how many", "see @bogus"))
    Path("b.json").write_text(DOC.replace("ping", "pong").replace(
        "how many", "see @bogus").replace("# Since: 9.0\n", ""))
    _, out, _ = run(capsys, "lint", "root.json")
    chains = [line for line in out.splitlines() if line.startswith("In file")]
    assert chains == ["In file included from root.json:1:1:",
                      "In file included from a.json:1:1,"]
    assert "                 from root.json:1:1:" in out
    # every finding of a file comes after its one chain line
    a, b = out.index("In file included from root.json"), out.index("In file included from a.json")
    assert a < out.index("a.json:5:26: error[QD204]") < out.index("a.json:7:15") < b
    assert b < out.index("b.json:6:15: error[QD204]")
    # the missing Since of pong is reported at the doc comment, with a note
    # naming the definition after the caret
    block = out[out.index("b.json:1:1: warning[QD101]"):].split("\n\n")[0].splitlines()
    assert block[1:] == ["  |", "1 | ##", "  | ^", "b.json:9:1: note: in 'pong'"]


def test_unreadable_schema_is_one_located_line_and_counts_as_a_file(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("dir.json").mkdir()
    rc, out, err = run(capsys, "lint", "dir.json", "missing.json")
    assert rc == 2
    assert out.splitlines() == [
        "dir.json:1:1: error[QA002] can't read schema file 'dir.json': Is a directory", "",
        "missing.json:1:1: error[QA002] can't read schema file 'missing.json': "
        "No such file or directory"]
    assert err.startswith("Found 2 findings (2 errors) in 2 files.")


def test_concise_output_is_one_line_per_finding(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("root.json").write_text("{ 'include': 'sub.json' }\n")
    Path("sub.json").write_text(DOC.replace("how many", "see @bogus"))
    _, out, _ = run(capsys, "lint", "--output-format", "concise", "root.json")
    assert out.splitlines() == [
        "sub.json:4:26: error[QD204] '@cancelled' names nothing in command 'ping'",
        "sub.json:6:15: error[QD204] '@bogus' names nothing in command 'ping'"]


def test_colour_only_on_a_terminal_without_no_color(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert want_colour(Tty()) and not want_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not want_colour(Tty())


def _on_a_terminal(argv: list[str], cwd: Path, **env: str) -> str:
    """What `argv` writes (stdout and stderr) when both are a terminal."""
    import pty

    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    main_fd, sub_fd = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "qapidoc.cli", *argv], cwd=cwd,
                         stdout=sub_fd, stderr=sub_fd, env={**environ, **env})
    os.close(sub_fd)
    out = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # the terminal closes when the child exits
            break
        if not chunk:
            break
        out += chunk
    os.close(main_fd)
    p.wait(timeout=60)
    return out.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_colour_on_a_real_terminal_none_when_piped_or_no_color(here: Path) -> None:
    Path("s.json").write_text(DOC)
    Path("old.json").write_text(OLD)
    Path("new.json").write_text(NEW)
    for argv, painted, rc in (
            (["lint", "s.json"], "\x1b[1;31merror\x1b[0m[QD204]", 1),
            (["compat", "old.json", "new.json"], "\x1b[1;31merror\x1b[0m: command-removed", 1),
            (["build", "--lint", "recommended", "s.json", "-o", "site", "--force"],
             "\x1b[91m", 0)):  # Sphinx's own colour for its warnings
        assert painted in _on_a_terminal(argv, here), argv
        assert "\x1b[" not in _on_a_terminal(argv, here, NO_COLOR="1"), argv
        piped = subprocess.run([sys.executable, "-m", "qapidoc.cli", *argv], cwd=here,
                               capture_output=True, text=True, timeout=60,
                               env={k: v for k, v in os.environ.items()
                                    if k not in ("NO_COLOR", "FORCE_COLOR")})
        said = piped.stdout + piped.stderr
        assert piped.returncode == rc and ("QD204" in said or "command-removed" in said)
        assert "\x1b[" not in said, argv


def test_colour_in_text_output(here: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    Path("s.json").write_text(DOC)
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, out, _ = run(capsys, "lint", "s.json")
    assert "\x1b[1;31merror\x1b[0m[QD204]" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, "lint", "s.json")
    assert "\x1b[" not in out


def _heads(text: str) -> list[tuple[str, int]]:
    """(path, line) of every ``path:line:col: ...`` line."""
    import re

    return [(m[1], int(m[2])) for m in re.finditer(r"^([^\s:]+):(\d+):\d+: ", text, re.M)]


def test_every_command_sorts_by_path_and_line(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("z.json").write_text("{ 'include': 'b.json' }\n" + DOC)
    Path("b.json").write_text(DOC.replace("ping", "pong").replace("how many", "see @x"))
    Path("a.json").write_text(DOC.replace("ping", "pang"))
    _, out, _ = run(capsys, "lint", "--format", "json", "z.json", "a.json")
    where = [(r["path"], r["line"]) for r in json.loads(out)]
    assert where == sorted(where) and {p for p, _ in where} == {"a.json", "b.json", "z.json"}
    _, out, _ = run(capsys, "lint", "--output-format", "concise", "z.json", "a.json")
    assert _heads(out) == where
    # compat: worst first would put the removed argument (an error, line 9)
    # before the added command (info, line 1); by location it is after.
    others = "".join(f"{{ 'command': 'c{i}' }}\n" for i in range(7))
    Path("old.json").write_text("{ 'command': 'c9' }\n" + others
                                + "{ 'command': 'ping', 'data': { 'a': 'int' } }\n")
    Path("new.json").write_text("{ 'command': 'aa' }\n" + others
                                + "{ 'command': 'ping' }\n")
    rc, out, _ = run(capsys, "compat", "--show", "info", "old.json", "new.json")
    heads = [(p, line) for p, line in _heads(out)]
    assert rc == 1 and heads == [("new.json", 1), ("new.json", 9), ("old.json", 1)], out
    assert "command-added" in out.splitlines()[0] and "command-removed" in out
    assert "was at old.json:1:1" not in out  # its headline already says so
    # build: the schema's errors, sorted, on stderr
    Path("broken.json").write_text("{ 'include': 'b2.json' }\n"
                                   "{ 'command': 'ping', 'data': 'Nope' }\n")
    Path("b2.json").write_text("{ 'command': 'pong', 'data': 'Nope' }\n"
                               "{ 'command': 'pang', 'returns': 'Nope' }\n")
    rc, _, err = run(capsys, "build", "broken.json", "-o", "site")
    assert rc == 1 and _heads(err) == [("b2.json", 1), ("b2.json", 2), ("broken.json", 2)]


def test_rule_texts_are_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "rules")
    assert rc == 0 and "``" not in out and "QD601" in out
    _, out, _ = run(capsys, "rules", "QD6")
    assert "``" not in out and "'# qapidoc: ignore[CODE]'" in out
    # a literal holding a backquote ends, as in rST, at the last two
    from qapidoc.core.rsttext import to_markdown, to_plain

    text = "(``The @threads option in `SMPConfiguration```) and ``x``"
    assert to_plain(text) == "('The @threads option in `SMPConfiguration`') and 'x'"
    assert to_markdown(text) == "(`` The @threads option in `SMPConfiguration` ``) and `x`"
    _, out, _ = run(capsys, "rules", "QD204")
    assert "'The @threads option in `SMPConfiguration`'" in " ".join(out.split())


def test_sarif_rule_texts_plain_with_markdown(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text("##\n# @ping:\n#\n# Since: 9.0\n##\n"
                              "{ 'command': 'ping' }\n{ 'command': 'pong' }\n")
    _, out, _ = run(capsys, "lint", "--format", "sarif", "s.json")
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    for r in rules:
        assert "``" not in json.dumps([r["shortDescription"], r["help"]["text"],
                                       r["fullDescription"]["text"]])
        assert "markdown" in r["help"] and "markdown" in r["fullDescription"]


# --------------------------------------------------------------------------
# Baselines


def test_baseline_by_fingerprint_moves_and_second_instance(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = Path("s.json")
    schema.write_text(DOC)
    assert main(["lint", "s.json", "--write-baseline", "base.json"]) == 0
    capsys.readouterr()
    # Lines move (a new definition above) and the definition that already
    # had a baselined QD204 gets a second one: only that one is new.
    schema.write_text(CLEAN.replace("ping", "hello") + "\n"
                      + DOC.replace("# @count: how many",
                                    "# @count: how many; See @bogus."))
    rc, out, err = run(capsys, "lint", "s.json", "--baseline", "base.json",
                       "--output-format", "concise")
    assert rc == 1
    assert out.splitlines() == [
        "s.json:15:25: error[QD204] '@bogus' names nothing in command 'ping'"]
    assert err.startswith("Found 1 finding (1 error) in 1 file.")


def test_baseline_reports_only_the_new_instance_after_lines_move(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The acceptance case: lines move, and a baselined finding gets a
    second instance, both with identical text and with the same rule in
    the same definition and member: only the new ones are reported."""
    schema = Path("s.json")
    schema.write_text(DOC)
    assert main(["lint", "s.json", "--write-baseline", "base.json"]) == 0
    capsys.readouterr()
    moved = DOC.replace("# Check the server.  See @cancelled.\n",
                        "# Check the server.  See @cancelled.\n"
                        "# Check the server.  See @cancelled.\n"
                        "# Or see @bogus.\n")
    schema.write_text("\n" + CLEAN.replace("ping", "hello") + "\n" + moved)
    rc, out, err = run(capsys, "lint", "s.json", "--baseline", "base.json",
                       "--format", "json")
    assert rc == 1
    new = [(r["line"], r["code"], r["definition"], r["member"], r["message"])
           for r in json.loads(out)]
    assert new == [
        (15, "QD204", "ping", None, "'@cancelled' names nothing in command 'ping'"),
        (16, "QD204", "ping", None, "'@bogus' names nothing in command 'ping'")]
    assert err.startswith("Found 2 findings (2 errors) in 1 file.")
    # the old one alone, moved, stays silent
    schema.write_text("\n" + CLEAN.replace("ping", "hello") + "\n" + DOC)
    rc, out, err = run(capsys, "lint", "s.json", "--baseline", "base.json")
    assert rc == 0 and out == "" and err.startswith("No findings in 1 file.")


def test_old_baseline_still_loads(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(DOC)
    Path("v1.json").write_text(json.dumps({"qapidoc-baseline": 1, "findings": [
        {"code": "QD204", "definition": "ping", "member": None, "count": 1}]}))
    assert run(capsys, "lint", "s.json", "--baseline", "v1.json")[0] == 0
    Path("v9.json").write_text(json.dumps({"qapidoc-baseline": 9, "findings": []}))
    rc, _, err = run(capsys, "lint", "s.json", "--baseline", "v9.json")
    assert rc == 2 and "--write-baseline v9.json" in err


# --------------------------------------------------------------------------
# Roots

MODULE_A = """\
##
# @Colour:
#
# A colour.
#
# @red: red
#
# Since: 9.0
##
{ 'enum': 'Colour', 'data': [ 'red' ] }
"""

MODULE_B = """\
##
# @paint:
#
# Paint it.  See @nothing.
#
# @colour: which
#
# Since: 9.0
##
{ 'command': 'paint', 'data': { 'colour': 'Colour' } }
"""


def _tree(root: Path) -> None:
    qapi = root / "qapi"
    qapi.mkdir()
    (qapi / "qapi-schema.json").write_text(
        "{ 'pragma': { 'doc-required': true } }\n"
        "{ 'include': 'a.json' }\n{ 'include': 'b.json' }\n")
    (qapi / "a.json").write_text(MODULE_A.replace("#\n# Since: 9.0\n", ""))
    (qapi / "b.json").write_text(MODULE_B)


def test_module_file_is_linted_in_its_roots_context(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(here)
    rc, out, err = run(capsys, "lint", "--output-format", "concise", "qapi/b.json")
    assert rc == 1
    # b.json alone would not know the type Colour; in its root it does, and
    # only its own finding is shown.
    assert out.splitlines() == [
        "qapi/b.json:4:18: error[QD204] '@nothing' names nothing in command 'paint'"]
    assert err.startswith("Found 1 finding (1 error) in 1 file.")


def test_module_files_together_equal_the_root(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(here)
    _, whole, _ = run(capsys, "lint", "--format", "json", "qapi/qapi-schema.json")
    _, parts, _ = run(capsys, "lint", "--format", "json", "qapi/b.json",
                      "qapi/a.json", "qapi/qapi-schema.json")
    assert json.loads(whole) == json.loads(parts) and len(json.loads(whole)) == 2


def test_pre_commit_picks_roots_from_the_given_files(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(here)
    rc, out, err = run(capsys, "lint", "--pre-commit", "--output-format",
                       "concise", "qapi/a.json")
    assert rc == 1 and out.startswith("qapi/a.json:1:1: warning[QD101]")
    assert "b.json" not in out and "in 1 file." in err


def test_fix_and_diff_of_a_module_touch_only_that_module(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(here)
    a, b = Path("qapi/a.json"), Path("qapi/b.json")
    a.write_text(a.read_text().replace("A colour.", "A colour. Red."))
    b.write_text(b.read_text().replace("Paint it.", "Paint it. Now."))
    before_a = a.read_text()
    for flags in (["--diff"], ["--pre-commit", "--diff"]):
        rc, out, err = run(capsys, "lint", *flags, "qapi/b.json")
        assert rc == 1 and [line for line in out.splitlines() if line.startswith("+++")] \
            == ["+++ b/qapi/b.json"], flags
        assert "Would fix 1 finding in 1 file." in err
    run(capsys, "lint", "--fix", "qapi/b.json")
    assert a.read_text() == before_a and "Paint it.  Now." in b.read_text()


def test_findings_deduplicated_across_roots(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("one.json").write_text("{ 'include': 'common.json' }\n")
    Path("two.json").write_text("{ 'include': 'common.json' }\n")
    Path("common.json").write_text(DOC)
    Path(".qapidoc.yaml").write_text("roots: [one.json, two.json]\n")
    rc, out, err = run(capsys, "lint", "--output-format", "concise")
    assert rc == 1 and out.count("QD204") == 1
    assert err.startswith("Found 1 finding (1 error) in 3 files.")
    rc, out, err = run(capsys, "lint", "--pre-commit", "common.json")
    assert out.count("QD204") == 1 and "in 1 file." in err


def test_qemu_module_glob_equals_the_root(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`qapidoc lint qapi/*.json` inside a copy of QEMU's tree."""
    shutil.copytree(need_qemu("qapi"), tmp_path / "qapi",
                    ignore=shutil.ignore_patterns("*.c", "*.h"))
    monkeypatch.chdir(tmp_path)
    _, whole, _ = run(capsys, "lint", "--format", "json", "qapi/qapi-schema.json")
    modules = sorted(str(p.relative_to(tmp_path)) for p in (tmp_path / "qapi").glob("*.json"))
    assert len(modules) > 40
    _, parts, _ = run(capsys, "lint", "--format", "json", *modules)
    assert json.loads(parts) == json.loads(whole)
    assert len({r["path"] for r in json.loads(whole)}) > 5
    _, one, _ = run(capsys, "lint", "--format", "json", "qapi/block-core.json")
    assert {r["path"] for r in json.loads(one)} == {"qapi/block-core.json"}
    assert [r for r in json.loads(whole) if r["path"] == "qapi/block-core.json"] \
        == json.loads(one)


# --------------------------------------------------------------------------
# Options


def test_select_replaces_extend_select_adds(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(DOC.replace("# Since: 9.0\n", "").replace(
        "server.  See", "server. See"))
    _, out, _ = run(capsys, "lint", "--format", "json", "s.json")
    assert {r["code"] for r in json.loads(out)} >= {"QD101", "QD204", "QA304"}
    _, out, _ = run(capsys, "lint", "--format", "json", "--select", "QD204", "s.json")
    assert {r["code"] for r in json.loads(out)} == {"QD204"}
    _, out, _ = run(capsys, "lint", "--format", "json", "--preset", "qemu",
                    "--extend-select", "QD204,QD101", "s.json")
    assert {r["code"] for r in json.loads(out)} == {"QD204", "QD101", "QA304"}
    Path(".qapidoc.yaml").write_text("select: [QD101]\nextend-select: [QA304]\n")
    _, out, _ = run(capsys, "lint", "--format", "json", "s.json")
    assert {r["code"] for r in json.loads(out)} == {"QD101", "QA304"}
    _, out, _ = run(capsys, "lint", "--format", "json", "--select", "QD204", "s.json")
    assert {r["code"] for r in json.loads(out)} == {"QD204"}


def test_diff_shows_fixes_and_changes_nothing(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CLEAN.replace("the server.", "the server. Now.")
    Path("s.json").write_text(text)
    rc, out, err = run(capsys, "lint", "--diff", "s.json")
    assert rc == 1
    assert out.splitlines()[:2] == ["--- a/s.json", "+++ b/s.json"]
    assert "-# Check the server. Now." in out and "+# Check the server.  Now." in out
    assert "Would fix 1 finding in 1 file." in err
    assert Path("s.json").read_text() == text
    assert run(capsys, "lint", "--fix", "s.json")[0] == 0
    rc, out, err = run(capsys, "lint", "--diff", "s.json")
    assert rc == 0 and out == "" and "No fixes" in err


def test_summary_says_how_many_are_fixable(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(DOC.replace("the server.  See", "the server. See"))
    _, _, err = run(capsys, "lint", "s.json")
    assert err.startswith("Found 2 findings (2 errors) in 1 file. 1 fixable "
                          "with --fix (--diff shows the changes).")
    # QEMU's own check (QA304) reports the single space, with lint's fix
    _, out, _ = run(capsys, "lint", "--format", "json", "s.json")
    assert [(r["code"], r["fixable"]) for r in json.loads(out)] == [
        ("QA304", True), ("QD204", False)]
    _, _, err = run(capsys, "lint", "--statistics", "s.json")
    assert " 1 fixable with --fix" in err
    _, _, err = run(capsys, "lint", "--fix", "s.json")
    assert "fixable" not in err and "Fixed 1." in err


def test_same_line_suppression(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(DOC.replace(
        "See @cancelled.", "See @cancelled.  # qapidoc: ignore[QD204]").replace(
        "how many", "see @bogus"))
    _, out, _ = run(capsys, "lint", "--output-format", "concise", "s.json")
    assert out.splitlines() == [
        "s.json:6:15: error[QD204] '@bogus' names nothing in command 'ping'"]


def test_suppression_with_a_misspelled_code_says_which_was_meant(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(DOC.replace(
        "See @cancelled.", "See @cancelled.  # qapidoc: ignore[QD2O4]"))
    _, out, _ = run(capsys, "lint", "--output-format", "concise", "s.json")
    assert "warning[QD602] suppression names unknown rule 'QD2O4' (did you mean " \
        "'QD204'?)" in out and "error[QD204]" in out


def test_fail_on_defaults_to_warning(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(DOC.replace("  See @cancelled.", "").replace(
        "how many", "(since 9.1)"))
    rc, out, _ = run(capsys, "lint", "--preset", "strict", "--output-format",
                     "concise", "s.json")
    assert "info[QD203]" in out and rc == 0
    assert run(capsys, "lint", "--preset", "strict", "--fail-on", "info",
               "s.json")[0] == 1


@pytest.mark.parametrize("argv, hint", [
    (["lnt", "x.json"], "unknown command 'lnt' (did you mean 'lint'?)"),
    (["--verison"], "unrecognized arguments: --verison (did you mean '--version'?)"),
    (["lint", "--output-format", "consise", "x.json"], "(did you mean 'concise'?)"),
    (["compat", "--formt", "json", "x.json", "x.json"], "(did you mean '--format'?)"),
    (["lint", "--selct", "QD204"], "unrecognized arguments: --selct (did you mean '--select'?)"),
    (["lint", "--preset", "recomended"], "(did you mean 'recommended'?)"),
    (["lint", "--select", "QD2O4", "x.json"], "unknown rule 'QD2O4' (did you mean 'QD204'?)"),
    (["lint", "--ignore", "since-mising", "x.json"], "(did you mean 'since-missing'?)"),
    (["rules", "QD2O4"], "unknown rule 'QD2O4' (did you mean 'QD204'?)"),
    (["compat", "--fail-on", "warn", "a", "b"], "(did you mean 'warning'?)"),
])
def test_did_you_mean(here: Path, capsys: pytest.CaptureFixture[str],
                      argv: list[str], hint: str) -> None:
    Path("x.json").write_text(CLEAN)
    assert exit_code(argv) == 2
    assert hint in capsys.readouterr().err


def exit_code(argv: list[str]) -> int:
    """main()'s status, whether returned or raised by argparse."""
    try:
        return main(argv)
    except SystemExit as e:
        return int(e.code or 0)


@pytest.mark.parametrize("argv, message", [
    (["compat", "--nope"], "qapidoc compat: error: unrecognized arguments: --nope"),
    (["compat", "x.json"], "qapidoc compat: error: compat needs two schemas: OLD NEW"),
    (["compat", "--severity", "nope", "x.json", "x.json"],
     "qapidoc compat: error: --severity expects KIND=LEVEL, got 'nope'"),
    (["lint", "--select", "QD2O4", "x.json"],
     "qapidoc lint: error: --select: unknown rule 'QD2O4' (did you mean 'QD204'?)"),
    (["lint", "--release", "ten", "x.json"], "qapidoc lint: error: --release: expected"),
    (["history", "nonsense"], "qapidoc history: error: expected VERSION=SCHEMA, got 'nonsense'"),
    (["build", "x.json"], "qapidoc build: error: the following arguments are required"),
    (["rules", "--format", "yaml"], "qapidoc rules: error: argument --format: invalid choice"),
])
def test_subcommand_error_prints_subcommand_usage(
        here: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    Path("x.json").write_text(CLEAN)
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: qapidoc {argv[0]} ") and message in err, err


def test_config_key_did_you_mean_and_yaml_errors_name_the_file(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(CLEAN)
    rc, _, err = run(capsys, "lint", "--release", "ten", "s.json")
    assert "--release: expected a release" in err and "release: release" not in err
    Path(".qapidoc.yaml").write_text("line_lenght: 80\n")
    rc, _, err = run(capsys, "lint", "s.json")
    assert rc == 2 and "unknown key 'line_lenght' (did you mean 'line-length'?)" in err
    Path(".qapidoc.yaml").write_text("severity: {QD204: warn}\n")
    rc, _, err = run(capsys, "lint", "s.json")
    assert rc == 2 and "unknown severity 'warn' (did you mean 'warning'?)" in err
    Path(".qapidoc.yaml").write_text("preset: [strict\nroots: x\n")
    rc, _, err = run(capsys, "lint", "s.json")
    assert rc == 2 and ".qapidoc.yaml:2:" in err and "not valid YAML" in err
    assert "<unicode string>" not in err


def test_config_and_no_config_on_every_command_reading_config(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("s.json").write_text(CLEAN)
    Path(".qapidoc.yaml").write_text("prest: strict\n")
    Path("good.yaml").write_text("preset: strict\n")
    for argv in (["lint", "s.json"], ["compat", "s.json", "s.json"],
                 ["build", "s.json", "--lint", "strict", "-o", "site"]):
        rc, _, err = run(capsys, *argv)
        assert rc == 2 and "unknown key 'prest' (did you mean 'preset'?)" in err, argv
        if argv[0] != "build":  # building the site is tested elsewhere
            assert run(capsys, *argv[:1], "--no-config", *argv[1:3])[0] == 0, argv
            assert run(capsys, *argv[:1], "--config", "good.yaml", *argv[1:3])[0] == 0
        assert exit_code([*argv[:1], "--config", "good.yaml", "--no-config",
                          *argv[1:3]]) == 2
    assert not Path("site").exists()


def test_build_lint_uses_the_lint_configuration(tmp_path: Path) -> None:
    from qapidoc.cli.build import SiteOptions, conf_py
    from sphinx_ext.schemas import get_schema, lint_findings

    schema = tmp_path / "s.json"
    schema.write_text(DOC)
    config = tmp_path / ".qapidoc.yaml"
    config.write_text("ignore: [QD204]\n")
    conf = conf_py(str(schema), "T", SiteOptions(lint="recommended",
                                                 lint_config=str(config)))
    assert f"qapidoc_lint_config = {str(config)!r}" in conf
    loaded = get_schema(str(schema))
    assert not [d for d in lint_findings(loaded, "recommended", str(config))
                if d.code == "QD204"]
    assert [d for d in lint_findings(loaded, "recommended", "") if d.code == "QD204"]


def test_build_lint_reads_tool_qapidoc_and_rejects_a_broken_one(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The real command: lint findings become build warnings per the
    [tool.qapidoc] table found above the schema, as `qapidoc lint` reads it."""
    Path("s.json").write_text(DOC.replace("how many", "(Since 9.1) how many"))
    argv = ["build", "-q", "--lint", "recommended", "s.json", "-o", "site"]
    rc, _, err = run(capsys, *argv)
    assert rc == 0 and "QD204" in err and "QD105" not in err
    Path("pyproject.toml").write_text('[tool.qapidoc]\nignore = ["QD204"]\n'
                                      'since-note-style = "since"\n')
    rc, _, err = run(capsys, *argv)
    assert rc == 0 and "QD204" not in err and "QD105" in err, err
    assert "QD204" in run(capsys, "build", "-q", "--no-config", *argv[2:], "--force")[2]
    Path("pyproject.toml").write_text('[tool.qapidoc]\nignore = ["QD2O4"]\n')
    rc, _, err = run(capsys, *argv)
    assert rc == 2 and "pyproject.toml: ignore: unknown rule 'QD2O4' (did you mean " \
        "'QD204'?)" in err
    Path("pyproject.toml").write_text('[tool.qapidoc]\nignore = ["QD204"\n')
    rc, _, err = run(capsys, *argv)
    assert rc == 2 and "pyproject.toml: not valid TOML" in err


# --------------------------------------------------------------------------
# Exit codes: one contract for every command

OLD = "{ 'command': 'ping' }\n{ 'command': 'pong' }\n"
NEW = "{ 'command': 'ping' }\n"


@pytest.mark.parametrize("argv, want", [
    (["lint", "clean.json"], 0),
    (["lint", "findings.json"], 1),
    (["lint", "broken.json"], 1),
    (["lint", "--no-such-option"], 2),
    (["lint", "missing.json"], 2),
    (["lint", "includes-missing.json"], 2),
    (["lint", "--config", "bad.yaml", "clean.json"], 2),
    (["lint", "--diff", "includes-missing.json"], 2),
    (["lint", "--fix", "includes-missing.json"], 2),
    (["lint", "--pre-commit", "includes-missing.json"], 2),
    (["lint", "--statistics", "includes-missing.json"], 2),
    (["lint", "--exit-zero", "includes-missing.json"], 2),
    (["lint", "--write-baseline", "b.json", "includes-missing.json"], 2),
    (["lint", "--against", "includes-missing.json", "clean.json"], 2),
    (["lint", "--history", "1.0=includes-missing.json", "clean.json"], 2),
    (["lint", "--write-baseline", "no/such/dir/b.json", "findings.json"], 2),
    (["lint", "--diff", "clean.json"], 0),
    (["lint", "--diff", "fixable.json"], 1),
    (["compat", "old.json", "old.json"], 0),
    (["compat", "old.json", "new.json"], 1),
    (["compat", "old.json", "broken.json"], 1),
    (["compat", "old.json"], 2),
    (["compat", "old.json", "missing.json"], 2),
    (["compat", "old.json", "includes-missing.json"], 2),
    (["compat", "includes-missing.json", "old.json"], 2),
    (["compat", "--config", "bad.yaml", "old.json", "new.json"], 2),
    (["history", "1.0=old.json", "2.0=new.json"], 0),
    (["history", "1.0=old.json", "2.0=broken.json"], 1),
    (["history", "1.0=old.json", "2.0=includes-missing.json"], 2),
    (["history", "nonsense"], 2),
    (["history", "1.0=old.json", "2.0=missing.json"], 2),
    (["build", "broken.json", "-o", "site"], 1),
    (["build", "includes-missing.json", "-o", "site"], 2),
    (["build", "missing.json", "-o", "site"], 2),
    (["build", "--lint", "recommended", "includes-missing.json", "-o", "site"], 2),
    (["build", "--lint", "strict", "--config", "bad.yaml", "clean.json", "-o", "site"], 2),
    (["rules"], 0),
    (["rules", "QX999"], 2),
    (["nonsense"], 2),
])
def test_exit_codes(here: Path, argv: list[str], want: int) -> None:
    Path("clean.json").write_text(CLEAN)
    Path("findings.json").write_text(DOC)
    Path("broken.json").write_text("{ 'command': 'ping', 'data': 'Nope' }\n")
    Path("includes-missing.json").write_text("{ 'include': 'gone.json' }\n" + NEW)
    Path("old.json").write_text(OLD)
    Path("new.json").write_text(NEW)
    Path("bad.yaml").write_text("preset: nope\n")
    Path("fixable.json").write_text(CLEAN.replace("the server.", "the server. Now."))
    before = {p.name: p.read_bytes() for p in here.iterdir()}
    p = subprocess.run([sys.executable, "-m", "qapidoc.cli", *argv], cwd=here,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == want, p.stderr
    assert "Traceback" not in p.stderr
    if want == 2:  # nothing written from unreadable input or a bad command line
        assert {p.name: p.read_bytes() for p in here.iterdir()} == before


def test_build_clean_schema_exits_0(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("clean.json").write_text(CLEAN)
    assert run(capsys, "build", "-q", "clean.json", "-o", "site")[0] == 0


@pytest.mark.parametrize("command", ["lint", "compat", "history"])
def test_readme_synopsis_lists_every_option(command: str) -> None:
    import re

    from qapidoc.cli.app import build_parser

    readme = (REPO / "README.md").read_text()
    block = re.search(rf"```\nqapidoc {command} (.*?)```", readme, re.S)
    assert block is not None, command
    listed = set(re.findall(r"--[a-z][a-z-]*", block.group(1)))
    sub = build_parser([command])._subparsers._group_actions[0].choices[command]
    options = {o for a in sub._actions for o in a.option_strings
               if o.startswith("--") and o != "--help"}
    assert listed == options, (command, sorted(options ^ listed))


@pytest.mark.parametrize("command", ["lint", "compat", "history", "build", "rules"])
def test_help_states_the_exit_codes(capsys: pytest.CaptureFixture[str],
                                    command: str) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Exit status (the same for every command): 0 clean; 1 findings" in out


# --------------------------------------------------------------------------
# Tests that need QEMU's tree say so


def test_fresh_clone_without_shared_says_how_to_point_at_qemu(tmp_path: Path) -> None:
    """A clone with no ../shared beside it and no variables set: the tests
    that need QEMU skip, and -rs (in the pytest configuration) shows why."""
    import tomllib

    addopts = tomllib.loads((REPO / "pyproject.toml").read_text())[
        "tool"]["pytest"]["ini_options"]["addopts"]
    assert "-rs" in addopts.split()
    clone = tmp_path / "clone"
    (clone / "tests").mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", clone)
    for name in ("__init__.py", "conftest.py", "test_corpus.py"):
        shutil.copy(REPO / "tests" / name, clone / "tests")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPIDOC_")}
    p = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                        "tests/test_corpus.py"], cwd=clone, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout
    skipped = [line for line in p.stdout.splitlines() if line.startswith("SKIPPED")]
    missing = tmp_path / "shared" / "corpus" / "qemu"
    assert f"needs QEMU's source tree: set QAPIDOC_QEMU_SRC to a QEMU checkout " \
        f"({missing} not found)" in p.stdout
    assert all("set QAPIDOC_" in line for line in skipped) and len(skipped) >= 2
    assert "passed" not in p.stdout.splitlines()[-1]


def test_ci_points_the_tests_at_shared(tmp_path: Path) -> None:
    """.ci/run exports the three variables (defaulting to ../shared beside
    the checkout) before it runs the README's test command."""
    script = (REPO / ".ci" / "run").read_text()
    before_tests = script.split("\npython -m pytest\n")[0]
    assert before_tests != script
    probe = tmp_path / "probe.sh"
    # run the script's variable set-up alone, from a checkout beside ../shared
    setup = before_tests.split("# The browser test")[0]
    probe.write_text(setup + '\necho "$QAPIDOC_QEMU_SRC|$QAPIDOC_QEMU_RELEASES|'
                     '$QAPIDOC_CONFORMANCE"\n')
    (tmp_path / "repo" / ".ci").mkdir(parents=True)
    shutil.copy(probe, tmp_path / "repo" / ".ci" / "run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPIDOC_")}
    p = subprocess.run(["bash", str(tmp_path / "repo" / ".ci" / "run")], env=env,
                       capture_output=True, text=True, timeout=60)
    shared = tmp_path / "shared"
    assert p.stdout.strip() == (f"{shared}/corpus/qemu|{shared}/corpus/qemu-releases|"
                                f"{shared}/conformance")
    assert f"warning: {shared}/corpus/qemu not found; the tests that need it will " \
        "be skipped" in p.stderr


def test_skips_name_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "QAPIDOC_QEMU_SRC": str(tmp_path / "no-qemu"),
           "QAPIDOC_QEMU_RELEASES": str(tmp_path / "no-releases"),
           "QAPIDOC_CONFORMANCE": str(tmp_path / "no-cases")}
    p = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                        "tests/test_corpus.py"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout
    assert "SKIPPED" in p.stdout and "set QAPIDOC_QEMU_SRC" in p.stdout
    assert "set QAPIDOC_QEMU_RELEASES" in p.stdout
