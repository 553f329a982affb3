"""Output formats of ``qapidoc lint``: text, json, sarif (validated against
a subset of the SARIF 2.1.0 schema written for these tests, see
tests/data), github annotations (escaped), junit, statistics and exit
status options."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from qapidoc.cli.app import main
from qapidoc.core.report import format_github, format_sarif
from qapidoc.core.source import Diagnostic, Location, Severity, SourceFile

SARIF_SUBSET = Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json"

SCHEMA = """\
##
# @ping:
#
# Check it. 'Now'.
#
# @count: how many (Since 9.1)
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { 'count': 'int' } }
"""


@pytest.fixture
def schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text('[tool.qapidoc]\nsince-note-style = "since"\n')
    Path("schema.json").write_text(SCHEMA)
    return "schema.json"


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(["lint", *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_text(schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _lint(capsys, schema, "--output-format", "concise")
    assert rc == 1
    assert out.splitlines() == [
        "schema.json:4:12: warning[QD301] two spaces between sentences",
        "schema.json:6:20: warning[QD105] write '(since 9.1)', not '(Since 9.1)'",
    ]
    assert "\x1b[" not in out
    assert err.startswith("Found 2 findings (2 warnings)")


def test_text_full_shows_source_line_and_caret(
        schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _lint(capsys, schema)
    assert rc == 1
    assert out.splitlines()[:4] == [
        "schema.json:4:12: warning[QD301] two spaces between sentences",
        "  |",
        "4 | # Check it. 'Now'.",
        "  |            ^",
    ]


def test_json(schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _lint(capsys, schema, "--format", "json")
    rows = json.loads(out)
    assert rc == 1 and len(rows) == 2
    assert rows[1] == {
        "path": "schema.json", "line": 6, "column": 20, "code": "QD105",
        "name": "since-note-format", "severity": "warning",
        "message": "write '(since 9.1)', not '(Since 9.1)'",
        "definition": "ping", "member": "count", "fixable": True,
        "fingerprint": rows[1]["fingerprint"]}
    assert rows[0]["member"] is None
    assert len({r["fingerprint"] for r in rows}) == 2


def test_json_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.json"
    path.write_text("##\n# @ping:\n#\n# Since: 9.0\n##\n{ 'command': 'ping' }\n")
    rc, out, _ = _lint(capsys, str(path), "--format", "json")
    assert rc == 0 and json.loads(out) == []


def test_sarif_validates(schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    _rc, out, _ = _lint(capsys, schema, "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SARIF_SUBSET.read_text()))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["QD105", "QD301"]
    assert rules[0]["defaultConfiguration"]["level"] == "warning"
    assert "Use instead" in rules[0]["help"]["markdown"]
    result = run["results"][1]
    assert result["ruleId"] == "QD105" and result["level"] == "warning"
    assert rules[result["ruleIndex"]]["id"] == "QD105"
    loc = result["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "schema.json"
    assert loc["region"] == {"startLine": 6, "startColumn": 20}


def test_sarif_levels_and_outside_paths(tmp_path: Path) -> None:
    src = SourceFile(str(tmp_path.parent / "elsewhere.json"), "x")
    diags = [Diagnostic(Location(src, 1, 1), "QD103", "since-three-part",
                        Severity.INFO, "m"),
             Diagnostic(Location(src, 2, 1), "QA001", "syntax-error",
                        Severity.ERROR, "n")]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        log = json.loads(format_sarif(diags, "1"))
    finally:
        os.chdir(cwd)
    jsonschema.validate(log, json.loads(SARIF_SUBSET.read_text()))
    levels = [r["level"] for r in log["runs"][0]["results"]]
    assert levels == ["note", "error"]
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri.startswith("file:///")


def test_sarif_empty_validates() -> None:
    log = json.loads(format_sarif([], "1"))
    jsonschema.validate(log, json.loads(SARIF_SUBSET.read_text()))
    assert log["runs"][0]["results"] == []


def test_github_escapes() -> None:
    src = SourceFile("dir,with:odd%chars.json", "")
    d = Diagnostic(Location(src, 3, 4), "QD101", "since-missing",
                   Severity.ERROR, "100% broken\nsecond line\r")
    line = format_github([d])
    assert line == ("::error file=dir%2Cwith%3Aodd%25chars.json,line=3,col=4,"
                    "title=QD101 since-missing::100%25 broken%0Asecond line%0D\n")


def test_github_summary(schema: str, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    rc, out, _ = _lint(capsys, schema, "--format", "github")
    assert rc == 1
    assert out.splitlines()[0].startswith("::warning file=schema.json,line=4,")
    text = summary.read_text()
    assert "| QD105 | since-note-format | 1 |" in text


def test_junit(schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _lint(capsys, schema, "--format", "junit")
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    fails = root.findall(".//failure")
    assert {f.get("type") for f in fails} == {"QD105", "QD301"}


def test_junit_is_xml_whatever_the_doc_text(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """QEMU accepts a vertical tab or form feed in a comment, and a message
    may quote the line; XML 1.0 cannot hold them, even escaped."""
    path = tmp_path / "s.json"
    path.write_text("##\n# @Foo:\n#\n# Since\x0b7.1\n##\n"
                    "{ 'struct': 'Foo', 'data': {} }\n")
    rc, out, _ = _lint(capsys, str(path), "--no-config", "--format", "junit")
    assert rc == 1
    fail = ET.fromstring(out).find(".//failure")
    assert fail is not None and fail.get("type") == "QD102"
    assert "'Since\ufffd7.1'" in (fail.get("message") or "")


def test_sarif_uris_are_percent_encoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """SARIF wants URI references; a schema file may be 'sub dir/a`b.json'."""
    (tmp_path / "sub dir").mkdir()
    (tmp_path / "sub dir" / "a`b.json").write_text("{ 'struct': 'Foo', 'data': {} }\n")
    monkeypatch.chdir(tmp_path)
    _, out, _ = _lint(capsys, "sub dir/a`b.json", "--no-config", "--format", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(out)["runs"][0]["results"]}
    assert uris == {"sub%20dir/a%60b.json"}


def test_snippet_of_a_long_line_is_a_window_at_the_column() -> None:
    """A schema on one line of 190 KB with 20,000 findings printed 2 GB:
    the whole line under each finding."""
    from qapidoc.core.report import SNIPPET_WIDTH, format_text

    text = "{ 'enum': 'Big', 'data': [ " + ", ".join(f"'V{i}'" for i in range(3000)) + " ] }"
    file = SourceFile("big.json", text + "\n")
    col = text.index("'V2000'") + 2
    d = Diagnostic(Location(file, 1, col), "QA102", "name-case", Severity.ERROR, "bad")
    _head, _bar, source, caret = format_text([d]).splitlines()[:4]
    shown = source.split(" | ", 1)[1]
    assert len(shown) <= SNIPPET_WIDTH + 6 and shown.startswith("...") and shown.endswith("...")
    assert shown[caret.index("^") - len(caret.split("|", 1)[0]) - 2:].startswith("V2000'")


def test_statistics_alone(schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _lint(capsys, schema, "--statistics")
    assert rc == 1
    assert out.splitlines() == ["     1  QD105  since-note-format",
                                "     1  QD301  sentence-spacing"]
    assert err.startswith("Found 2 findings")
    _, out, err = _lint(capsys, schema, "--statistics", "--format", "json")
    assert json.loads(out) == [
        {"code": "QD105", "name": "since-note-format", "count": 1, "fixable": True},
        {"code": "QD301", "name": "sentence-spacing", "count": 1, "fixable": True}]


def test_exit_options(schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _lint(capsys, schema, "--exit-zero")[0] == 0
    assert _lint(capsys, schema, "--fail-on", "error")[0] == 0
    assert _lint(capsys, schema, "--fail-on", "warning")[0] == 1
    assert _lint(capsys, "missing.json", "--exit-zero")[0] == 2


def test_unreadable_against_is_usage_error(
        schema: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _lint(capsys, schema, "--against", "nope.json")
    assert rc == 2 and "cannot read --against schema nope.json" in err
    rc, _, err = _lint(capsys, schema, "--against", "git:HEAD")
    assert rc == 2 and "git:REF:PATH" in err
    assert "Traceback" not in err
