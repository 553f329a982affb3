"""The lint engine end to end: selection, baselines, the pre-commit mode,
checks against a previous release (type renames are not new), and the
QEMU corpus (no findings under --preset qemu, no crash under strict)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.core.config import Config
from qapidoc.lint import run_lint
from qapidoc.lint.engine import enabled_codes
from qapidoc.lint.versions import infer_release
from qapidoc.schema.builder import load_schema
from tests.conftest import need_qemu, need_releases
from tests.lint_support import codes, lint_text

PING = """\
##
# @ping:
#
# Check it. 'Now'.
#
# @count: how many
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*count': 'int' } }
"""


def test_selection_by_code_prefix_and_name() -> None:
    base = enabled_codes(Config())
    assert "QD101" in base and "QD308" not in base and "QA001" in base
    assert "QD308" in enabled_codes(Config(select=("rst-syntax",)))
    assert not {c for c in enabled_codes(Config(ignore=("QD1",)))
                if c.startswith("QD1")}
    assert enabled_codes(Config(preset="qemu")) == {
        c for c in enabled_codes(Config(preset="qemu")) if c.startswith(("QA", "QL"))}
    assert not {c for c in enabled_codes(Config(ignore=("legacy",)))
                if c.startswith("QL")}
    strict = enabled_codes(Config(preset="strict"))
    assert base < strict


def test_preset_qemu_runs_no_lint_rule() -> None:
    result = lint_text(PING.replace("# Since: 9.0\n", ""), preset="qemu")
    assert codes(result.diagnostics) == []


def test_severity_override() -> None:
    result = lint_text(PING, severity={"QD301": "error"})  # type: ignore[arg-type]
    (d,) = result.diagnostics
    assert d.code == "QD301" and str(d.severity) == "error"


# --------------------------------------------------------------------------
# Baselines


def test_baseline_reports_only_new(tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(PING)
    baseline = tmp_path / "baseline.json"
    assert main(["lint", str(schema), "--write-baseline", str(baseline)]) == 0
    data = json.loads(baseline.read_text())
    [entry] = data["findings"]
    assert data["qapidoc-baseline"] == 2
    assert {k: entry[k] for k in ("code", "definition", "member", "count")} == {
        "code": "QD301", "definition": "ping", "member": None, "count": 1}
    capsys.readouterr()
    assert main(["lint", str(schema), "--baseline", str(baseline)]) == 0
    # Moving the definition down keeps the baseline valid; a new finding
    # of the same kind elsewhere is reported.
    schema.write_text("\n\n" + PING.replace("@count: how many",
                                            "@count: how. 'Many'"))
    assert main(["lint", str(schema), "--baseline", str(baseline)]) == 1
    out = capsys.readouterr().out
    assert out.count("QD301") == 1 and ":8:" in out


def test_bad_baseline_is_usage_error(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    schema = tmp_path / "s.json"
    schema.write_text(PING)
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]")
    assert main(["lint", str(schema), "--baseline", str(bad)]) == 2
    assert "not a qapidoc baseline" in capsys.readouterr().err


@pytest.mark.parametrize("entry", ['{"fingerprint": "x", "count": 1e999}',
                                   '{"fingerprint": "x", "count": -5}',
                                   '{"fingerprint": "x", "count": true}',
                                   '{"fingerprint": 5}'])
def test_malformed_baseline_entry_is_usage_error(tmp_path: Path, entry: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """JSON numbers are not all counts: 1e999 was an OverflowError traceback,
    a negative or boolean count or a number as fingerprint was taken."""
    schema = tmp_path / "s.json"
    schema.write_text(PING)
    bad = tmp_path / "b.json"
    bad.write_text('{"qapidoc-baseline": 2, "findings": [' + entry + "]}")
    assert main(["lint", str(schema), "--baseline", str(bad)]) == 2
    assert "malformed baseline entry" in capsys.readouterr().err


def test_malformed_baseline_entry_is_shown_short(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The whole entry was echoed: a megabyte of it made a megabyte of message."""
    schema = tmp_path / "s.json"
    schema.write_text(PING)
    bad = tmp_path / "b.json"
    bad.write_text('{"qapidoc-baseline": 2, "findings": [{"fingerprint": 5, "x": "'
                   + "y" * 100_000 + '"}]}')
    assert main(["lint", str(schema), "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "malformed baseline entry {'fingerprint': 5" in err and len(err) < 300


# --------------------------------------------------------------------------
# pre-commit


def test_pre_commit_lints_roots_reports_given_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    qapi = tmp_path / "qapi"
    qapi.mkdir()
    (tmp_path / ".qapidoc.yaml").write_text("roots: [qapi/root.json]\n")
    (qapi / "root.json").write_text("{ 'include': 'a.json' }\n"
                                    "{ 'include': 'b.json' }\n")
    (qapi / "a.json").write_text(PING)
    # b.json alone would not load: it uses a type defined in a.json's file.
    (qapi / "b.json").write_text(PING.replace("ping", "pong"))
    (qapi / "stray.json").write_text(PING)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--pre-commit", "qapi/b.json", "qapi/stray.json"]) == 1
    out, err = capsys.readouterr()
    assert "qapi/b.json:4:" in out and "a.json" not in out
    assert "stray.json is not part of the configured root schemas" in err
    # Without files to report on, the roots are linted as a whole.
    assert main(["lint"]) == 1
    out = capsys.readouterr().out
    assert "a.json" in out and "b.json" in out


def test_pre_commit_without_roots(tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--pre-commit", "x.json"]) == 2
    assert "x.json:1:1: error[QA002]" in capsys.readouterr().out
    assert main(["lint"]) == 2
    assert "no 'roots' configured" in capsys.readouterr().err


def test_hook_definition() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[1] /
                            ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "qapidoc-lint"
    assert hook["entry"] == "qapidoc lint --pre-commit"
    assert hook["files"] == r"\.json$" and "json" not in hook["types"]


# --------------------------------------------------------------------------
# Against the previous release


OLD = """\
##
# @HashAlgorithm:
#
# @md5: MD5
#
# Since: 2.6
##
{ 'enum': 'HashAlgorithm', 'data': [ 'md5' ] }

##
# @hash:
#
# @alg: the algorithm
#
# Since: 2.6
##
{ 'command': 'hash', 'data': { 'alg': 'HashAlgorithm' } }
"""

NEW = """\
##
# @HashAlgo:
#
# @md5: MD5
#
# @sha1: SHA-1
#
# Since: 2.6
##
{ 'enum': 'HashAlgo', 'data': [ 'md5', 'sha1' ] }

##
# @Extra:
#
# @level: how hard
#
# Since: 10.0
##
{ 'struct': 'Extra', 'data': { 'level': 'int' } }

##
# @hash:
#
# @alg: the algorithm (since 10.0)
#
# @extra: more (since 10.0)
#
# Since: 2.6
##
{ 'command': 'hash', 'data': { 'alg': 'HashAlgo', '*extra': 'Extra' } }

##
# @unhash:
#
# Since: 9.2
##
{ 'command': 'unhash' }
"""


def test_against_previous_release() -> None:
    result = lint_text(NEW, against=OLD, release="10.0")
    got = sorted((d.code, d.definition, d.member, d.message)
                 for d in result.diagnostics if d.code in ("QD110", "QD111"))
    assert got == [
        ("QD110", "HashAlgo", "sha1", "value 'sha1' of enum 'HashAlgo' is new "
         "in 10.0 but has no since note; add '(since 10.0)'"),
        ("QD110", "unhash", None, "command 'unhash' is new in 10.0 but says "
         "Since: 9.2"),
        ("QD111", "hash", "alg", "member 'alg' of command 'hash' was already "
         "in the previous release but says 10.0"),
    ]
    # The renamed enum keeps "Since: 2.6" and is not reported; the new
    # type Extra is new as a whole and its member needs no note of its own.


def test_infer_release() -> None:
    assert infer_release(load_schema("o.json", text=OLD)) == (2, 7)


def test_against_git_revision(tmp_path: Path,
                              capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    git("init", "-q")
    (tmp_path / "s.json").write_text(OLD)
    git("add", "s.json")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "old")
    (tmp_path / "s.json").write_text(NEW)
    monkeypatch.chdir(tmp_path)
    rc = main(["lint", "s.json", "--release", "10.0", "--against",
               "git:HEAD:s.json", "--select", "QD110", "--preset", "qemu"])
    out = capsys.readouterr().out
    assert rc == 1 and "value 'sha1'" in out


# --------------------------------------------------------------------------
# The QEMU corpus


def _corpus_roots() -> list[Path]:
    corpus = need_qemu()
    return [corpus / "qapi" / "qapi-schema.json",
            corpus / "qga" / "qapi-schema.json",
            corpus / "storage-daemon" / "qapi" / "qapi-schema.json"]


def test_corpus_qemu_preset_clean() -> None:
    for root in _corpus_roots():
        result = run_lint(load_schema(str(root)), Config(preset="qemu"))
        assert result.diagnostics == [], root


def test_corpus_strict_runs() -> None:
    for root in _corpus_roots():
        result = run_lint(load_schema(str(root)), Config(preset="strict"))
        assert all(d.location.line >= 1 for d in result.diagnostics)


def test_corpus_release_10_0_against_9_2() -> None:
    releases = need_releases()
    new = load_schema(str(releases / "10.0.0/qapi/qapi-schema.json"))
    old = load_schema(str(releases / "9.2.0/qapi/qapi-schema.json"))
    result = run_lint(new, Config(select=("QD110", "QD111"), preset="qemu",
                                  ignore=("QA",)),
                      release=(10, 0), against=old)
    got = [(d.code, d.definition, d.member) for d in result.diagnostics]
    # The real omissions: enum value 'cpr' was added in 10.0 without a
    # note, and VMAppleVirtioBlkVariant — a device property type no command
    # reaches, new in 10.0 — says Since: 9.2.  AudiodevDBusOptions (Since:
    # 10.0, members moved from a generic type) and the new ChardevHub are
    # not reported.
    assert got == [("QD110", "MigrationChannelType", "cpr"),
                   ("QD110", "VMAppleVirtioBlkVariant", None)]


def test_corpus_type_renames_are_not_new() -> None:
    releases = need_releases()
    new = load_schema(str(releases / "10.1.0/qapi/qapi-schema.json"))
    old = load_schema(str(releases / "10.0.0/qapi/qapi-schema.json"))
    assert "TargetInfo" in old and "TargetInfo" not in new  # renamed
    result = run_lint(new, Config(select=("QD110", "QD111"), preset="qemu",
                                  ignore=("QA",)),
                      release=(10, 1), against=old)
    assert not [d for d in result.diagnostics
                if d.definition in ("QemuTargetInfo", "SgxInfo", "SgxEpcSection")]


def test_strict_leaves_docutils_tables_alone() -> None:
    from docutils.parsers.rst import directives, roles

    before = (dict(directives._directives), dict(roles._roles))  # type: ignore[attr-defined]
    result = lint_text("##\n# @ping:\n#\n# Check **this.\n#\n# Since: 9.0\n##\n"
                       "{ 'command': 'ping' }\n", preset="strict")
    assert codes(result.diagnostics) == ["QD308"]
    after = (dict(directives._directives), dict(roles._roles))  # type: ignore[attr-defined]
    assert after == before
