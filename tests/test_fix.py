"""``--fix``: mechanical fixes only, never inside literal or example
blocks, idempotent, and the fixed schema loads to the same model."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.schema.builder import load_schema
from qapidoc.schema.model import (
    AlternateType,
    Command,
    EnumType,
    Event,
    Schema,
    Section,
    SectionKind,
    StructType,
    UnionType,
)
from tests.conftest import need_qemu

BEFORE = """\
##
# @ping:
#
# Check the server is alive. It answers.
#
# Example::
#
#   one. "Two"
#
# .. qmp-example::
#
#     -> { "execute": "ping" }
#     <- { "return": {} }
#
# @count: how many (Since: 9.1)
# @verbose: more. Really.
#
#
# Since 9.0
##
{ 'command': 'ping', 'data': { '*count': 'int', '*verbose': 'bool' } }
"""

AFTER = """\
##
# @ping:
#
# Check the server is alive.  It answers.
#
# Example::
#
#   one. "Two"
#
# .. qmp-example::
#
#     -> { "execute": "ping" }
#     <- { "return": {} }
#
# @count: how many (since 9.1)
#
# @verbose: more.  Really.
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*count': 'int', '*verbose': 'bool' } }
"""


STYLE = '[tool.qapidoc]\nsince-note-style = "since"\n'
"""The since-note form is converted only when a style is configured."""


def test_fix_rewrites_and_reports(tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(STYLE)
    path = tmp_path / "s.json"
    path.write_text(BEFORE)
    rc = main(["lint", "--fix", str(path)])
    out = capsys.readouterr()
    assert path.read_text() == AFTER
    assert rc == 0, out.out
    # QEMU's own check finds the single spaces too: one finding each,
    # QEMU's, fixed by the lint rule's fix.
    assert "fixed QA304" in out.err and "fixed QD102" in out.err
    assert "Fixed" in out.err
    main(["lint", "--fix", str(path)])
    assert path.read_text() == AFTER
    assert "fixed" not in capsys.readouterr().err


def test_fix_keeps_crlf(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(STYLE)
    path = tmp_path / "s.json"
    path.write_bytes(BEFORE.replace("\n", "\r\n").encode())
    main(["lint", "--fix", str(path)])
    assert path.read_bytes() == AFTER.replace("\n", "\r\n").encode()


def test_fix_does_not_push_a_line_past_the_limit(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A second space after a sentence, or `Name` for @Name, lengthens the
    line: on a line at the 70-column limit the fix would trade QA304 for
    QA302 (as on QEMU 3.0-7.2), so it is left for rewording."""
    full = "# It has an end. Then " + "x" * 48  # 70 columns, a single space
    short = "# Short one. Then more."
    assert len(full) == 70
    path = tmp_path / "s.json"
    path.write_text(f"##\n# @ping:\n#\n{full}\n{short}\n#\n# Since: 9.0\n##\n"
                    "{ 'command': 'ping' }\n")
    main(["lint", "--no-config", "--fix", str(path)])
    out = capsys.readouterr().out
    lines = path.read_text().splitlines()
    assert lines[3] == full and lines[4] == "# Short one.  Then more."
    assert "s.json:4:" in out and "QA302" not in out
    main(["lint", "--no-config", "--fix", str(path)])
    assert path.read_text().splitlines() == lines


def test_fix_refuses_git_specs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--fix", "git:HEAD:x.json"]) == 2
    assert "--fix needs schema files" in capsys.readouterr().err


def _is_since(s: Section) -> bool:
    """A Since: section, or the malformed paragraph --fix turns into one."""
    return s.kind is SectionKind.SINCE or (
        s.kind is SectionKind.TEXT
        and re.fullmatch(r"[Ss]ince\s*:?\s*[\d.]+", s.text.strip()) is not None)


def wire_model(schema: Schema) -> list[object]:
    """What clients see and how docs are structured, not the doc text."""
    out: list[object] = []
    for d in schema.definitions:
        row: list[object] = [d.kind, d.name, str(d.condition),
                             [f.name for f in d.features]]
        if isinstance(d, EnumType):
            row.append([v.name for v in d.values])
        if isinstance(d, StructType):
            row.append([(m.name, str(m.type), m.optional, m.defined_in)
                        for m in d.members])
        if isinstance(d, UnionType):
            row.append([(b.name, str(b.type)) for b in d.branches])
        if isinstance(d, AlternateType):
            row.append([(b.name, str(b.type)) for b in d.alternatives])
        if isinstance(d, Command | Event):
            row.append([(m.name, str(m.type), m.optional) for m in d.arguments])
        if d.doc is not None:
            row.append([(s.kind, s.name) for s in d.doc.sections
                        if not _is_since(s)])
        out.append(row)
    return out


def test_fix_on_qemu_corpus(tmp_path: Path) -> None:
    corpus = need_qemu("qapi")
    work = tmp_path / "qapi"
    shutil.copytree(corpus, work)
    root = str(work / "qapi-schema.json")
    before = load_schema(root)
    main(["lint", "--fix", "--exit-zero", root])
    once = {p.name: p.read_text() for p in work.glob("*.json")}
    original = {p.name: p.read_text() for p in corpus.glob("*.json")}
    assert once != original  # the corpus has fixable findings
    main(["lint", "--fix", "--exit-zero", root])
    twice = {p.name: p.read_text() for p in work.glob("*.json")}
    assert twice == once
    after = load_schema(root)
    assert not after.diagnostics
    assert wire_model(after) == wire_model(before)
    # Example blocks are untouched.
    for name, text in original.items():
        blocks_before = [ln for ln in text.splitlines() if ln.startswith("#     ->")]
        blocks_after = [ln for ln in once[name].splitlines()
                        if ln.startswith("#     ->")]
        assert blocks_before == blocks_after, name


def test_fix_of_a_file_it_cannot_write_is_an_error_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """An unwritable file (read-only, immutable, on a read-only mount)
    raised PermissionError out of ``lint --fix``."""
    import builtins

    schema = tmp_path / "s.json"
    schema.write_text("##\n# @Foo:\n#\n# Since: 1.0\n##\n{ 'struct': 'Foo', 'data': {} }  \n")
    real_open = builtins.open

    def refusing_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and str(file).endswith("s.json"):
            raise PermissionError(1, "Operation not permitted")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refusing_open)
    status = main(["lint", str(schema), "--no-config", "--preset", "strict", "--fix"])
    assert status == 2
    assert "s.json: cannot write the fixes: Operation not permitted" in capsys.readouterr().err


def test_a_new_definition_is_told_its_release_and_fixed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With --against, a definition new on the wire and without ``Since:``
    is told the release under development; --fix adds the section (a blank
    comment line before it only when there is none)."""
    old = ("##\n# @ping:\n#\n# Since: 9.0\n##\n{ 'command': 'ping' }\n\n"
           "##\n# @Old:\n#\n# @x: a number\n##\n{ 'struct': 'Old', 'data': { 'x': 'int' } }\n")
    new = old + ("\n##\n# @pong:\n#\n# Answer.\n##\n{ 'command': 'pong' }\n"
                 "\n##\n# @PONG:\n#\n# Answered.\n#\n##\n{ 'event': 'PONG' }\n")
    (tmp_path / "old.json").write_text(old)
    path = tmp_path / "new.json"
    path.write_text(new)
    args = ["lint", "--select", "QD101", "--release", "10.0",
            "--against", str(tmp_path / "old.json"), str(path)]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "command 'pong' has no 'Since:' section; it is new in 10.0: add 'Since: 10.0'" \
        in out
    assert "event 'PONG' has no 'Since:' section; it is new in 10.0" in out
    assert "struct 'Old' has no 'Since:' section\n" in out  # not new: no version to offer
    main([*args, "--fix"])
    capsys.readouterr()
    text = path.read_text()
    assert "# Answer.\n#\n# Since: 10.0\n##\n{ 'command': 'pong' }" in text
    assert "# Answered.\n#\n# Since: 10.0\n##\n{ 'event': 'PONG' }" in text
    assert main(args) == 1  # only Old is left
    out = capsys.readouterr().out
    assert out.count("QD101") == 1 and "'Old'" in out


LONG = """\
##
# @ping:
#
# Check that the monitor answers, and say so in a line that runs too long. Then
# stop.
#
# @verbose: Whether to say more about the answer than anyone would ever want (since 9.1)
#
# @level: How much to say; this description is already wrapped but its second
#     line is far longer than the seventy columns QEMU allows in doc comments.
#
# .. note:: A note whose text runs past the seventy columns QEMU allows for it.
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*verbose': 'bool', '*level': 'int' } }
"""

WRAPPED = """\
##
# @ping:
#
# Check that the monitor answers, and say so in a line that runs too
# long. Then stop.
#
# @verbose: Whether to say more about the answer than anyone would
#     ever want (since 9.1)
#
# @level: How much to say; this description is already wrapped but its
#     second line is far longer than the seventy columns QEMU allows
#     in doc comments.
#
# .. note:: A note whose text runs past the seventy columns QEMU
#    allows for it.
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*verbose': 'bool', '*level': 'int' } }
"""


def test_fix_rewraps_long_doc_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--fix rewraps the paragraph of a line over 70 columns the way QEMU's
    doc comments are wrapped: a description's continuation indented by 4,
    a note's by 3, a since note kept on one line, a line's own spacing
    kept, two spaces where lines are joined after a sentence."""
    path = tmp_path / "s.json"
    path.write_text(LONG)
    assert main(["lint", "--select", "QA302", "--fix", str(path)]) == 0
    assert "Fixed 5" in capsys.readouterr().err
    assert path.read_text() == WRAPPED
    assert main(["lint", "--select", "QA302", "--fix", str(path)]) == 0
    assert path.read_text() == WRAPPED


@pytest.mark.parametrize("doc", [
    "# Items:\n#\n# - a list item that is long enough to go past the seventy columns limit\n",
    "# :field: a field list line that is long enough to go past the seventy columns\n",
    "# +------------------------------+---------------------------------------+\n",
    "# A line that is long enough to go past the seventy columns limit # qapidoc: "
    "ignore[QD301]\n",
    "# @a: - 'one' a list in a description that is long enough to go past it\n"
    "#      - 'two' the second item\n",
    "# @a: a description long enough to go past the seventy columns limit, and\n"
    "# an unindented line that older releases read as its continuation\n",
    "# @a: a one-line description long enough to go past the seventy columns\n"
    "# Since: 2.6\n",
    "# | an old-style example line that is long enough to go past the seventy columns\n",
])
def test_rewrap_leaves_what_is_not_plain_prose(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: str) -> None:
    text = f"##\n# @Thing:\n#\n{doc}##\n{{ 'struct': 'Thing', 'data': {{ 'a': 'int' }} }}\n"
    path = tmp_path / "s.json"
    path.write_text(text)
    main(["lint", "--select", "QA302", "--fix", str(path)])
    capsys.readouterr()
    assert path.read_text() == text


@pytest.mark.parametrize("release", ["7.2.0", "10.1.0"])
def test_rewrap_of_released_schemas_keeps_every_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], release: str) -> None:
    """QEMU's own long lines rewrapped: the documentation reads the same,
    word for word, and no doc comment breaks."""
    from tests.conftest import need_releases

    tree = tmp_path / "qapi"
    shutil.copytree(need_releases(f"{release}/qapi"), tree)
    root = str(tree / "qapi-schema.json")

    def texts() -> dict[str, list[tuple[str, str | None, str]]]:
        schema = load_schema(root)
        return {d.name: [(s.kind.name, s.name, " ".join(s.text.split()))
                         for s in d.doc.sections] for d in schema.definitions if d.doc}

    def count(code: str) -> int:
        main(["lint", "--no-config", "--exit-zero", "--select", code,
              "--output-format", "concise", root])
        return capsys.readouterr().out.count(f"[{code}]")

    before, long_before = texts(), count("QA302")
    main(["lint", "--no-config", "--exit-zero", "--select", "QA302", "--fix", root])
    capsys.readouterr()
    assert texts() == before
    assert count("QA302") < long_before / 3
    assert count("QA301") == 0
