"""Bad input never gives a traceback: a located message and exit 1 or 2.

These run the real console script in a subprocess, as a user meets it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def lint(*args: str, cwd: Path) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "qapidoc.cli", "lint", *args],
                       capture_output=True, text=True, cwd=cwd, timeout=120)
    out = p.stdout + p.stderr
    assert "Traceback" not in out, out
    return p.returncode, out


def test_missing_path(tmp_path: Path) -> None:
    rc, out = lint("nope.json", cwd=tmp_path)
    assert rc == 2
    assert "nope.json:1:1: error[QA002] can't read schema file 'nope.json': No such file" in out


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    rc, out = lint("dir.json", cwd=tmp_path)
    assert rc == 2 and "dir.json:1:1: error[QA002]" in out and "Is a directory" in out


def test_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b"{ 'command': 'ok' }\n# caf\xe9\n")
    rc, out = lint("bad.json", cwd=tmp_path)
    assert rc == 2
    assert "bad.json:2:6: error[QA002]" in out and "not valid UTF-8" in out


def test_non_utf8_include(tmp_path: Path) -> None:
    (tmp_path / "root.json").write_text("{ 'include': 'sub.json' }\n")
    (tmp_path / "sub.json").write_bytes(b"\n\n  \xff\n")
    rc, out = lint("root.json", cwd=tmp_path)
    assert rc == 2  # an unreadable included file is unreadable input
    assert "root.json:1:1: error[QA002]" in out and "sub.json:3:3: error[QA002]" in out


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text("")
    rc, out = lint("empty.json", cwd=tmp_path)
    assert rc == 1 and "empty.json:1:1: warning[QA006]" in out
    # QEMU accepts an empty schema, and so does its preset.
    rc, _ = lint("--preset", "qemu", "empty.json", cwd=tmp_path)
    assert rc == 0


def test_unterminated_string_at_eof(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text("{ 'enum': 'Colour',\n  'data': [ 'red")
    rc, out = lint("s.json", cwd=tmp_path)
    assert rc == 1 and "s.json:2:13: error[QA001] missing terminating \"'\"" in out


def test_unterminated_object_at_eof(tmp_path: Path) -> None:
    (tmp_path / "o.json").write_text("{ 'enum': 'Colour', 'data': [ 'red' ]\n")
    rc, out = lint("o.json", cwd=tmp_path)
    assert rc == 1 and "o.json:1:38: error[QA001] expected ',' or '}'" in out


@pytest.mark.parametrize("shape", ["[", "{ 'a': "])
def test_deep_nesting(tmp_path: Path, shape: str) -> None:
    close = "]" if shape == "[" else "}"
    body = "{ 'struct': 'Sa', 'data': " + shape * 10_000 + "'int'" + close * 10_000 + " }"
    (tmp_path / "deep.json").write_text(body + "\n")
    rc, out = lint("deep.json", cwd=tmp_path)
    assert rc == 1 and "deep.json:1:" in out
    assert "nesting deeper than" in out or "expected" in out


def test_bare_nested_arrays(tmp_path: Path) -> None:
    (tmp_path / "arr.json").write_text("[" * 10_000 + "]" * 10_000 + "\n")
    rc, out = lint("arr.json", cwd=tmp_path)
    assert rc == 1 and ("arr.json:1:1: error[QA001] top-level expression must "
                        "be an object") in out


def test_huge_file(tmp_path: Path) -> None:
    line = "{ 'struct': 'Padding', 'data': { 'member': 'str' } }\n"
    with open(tmp_path / "huge.json", "w") as f:
        f.write(line * (50 * 2**20 // len(line) + 1))
    rc, out = lint("huge.json", cwd=tmp_path)
    assert rc == 2
    assert "huge.json:1:1: error[QA002]" in out and "file is too large (50.0 MiB" in out


def test_unknown_preset_is_usage_error(tmp_path: Path) -> None:
    rc, out = lint("--preset", "nope", "x.json", cwd=tmp_path)
    assert rc == 2 and "invalid choice" in out


def test_binary_garbage(tmp_path: Path) -> None:
    (tmp_path / "g.json").write_bytes(bytes(range(1, 128)) * 3)
    rc, out = lint("g.json", cwd=tmp_path)
    assert rc == 2 and "g.json:1:1: error[QA002]" in out and "not a text file" in out


def test_include_chain_too_deep(tmp_path: Path) -> None:
    """Each file includes the next, 600 deep: a RecursionError traceback
    before; now the 101st include is refused at its line, exit 2 (compat
    and build read schemas the same way)."""
    for i in range(600):
        (tmp_path / f"f{i}.json").write_text(
            f"{{ 'struct': 'S{i}x', 'data': {{}} }}\n{{ 'include': 'f{i + 1}.json' }}\n")
    rc, out = lint("--output-format", "concise", "f0.json", cwd=tmp_path)
    assert rc == 2
    assert ("f99.json:2:1: error[QA002] can't read include file 'f100.json': "
            "includes nested more than 100 files deep") in out


def qapidoc(*args: str, cwd: Path) -> tuple[int, str]:
    p = subprocess.run([sys.executable, "-m", "qapidoc.cli", *args],
                       capture_output=True, text=True, cwd=cwd, timeout=120)
    out = p.stdout + p.stderr
    assert "Traceback" not in out, out
    return p.returncode, out


def test_types_that_reach_each_other_many_ways(tmp_path: Path) -> None:
    """Each struct has two members of the next: 2**30 wire paths from one
    command in a 32-line schema.  history, lint --history and the build's
    wire view listed them all (minutes, then all memory); now the list stops
    at MAX_WIRE_ITEMS with a located error (exit 2), the build without the
    wire view (a warning)."""
    lines = [f"{{ 'struct': 'D{i}x', 'data': {{ 'a': 'D{i + 1}x', 'b': 'D{i + 1}x' }} }}"
             for i in range(30)]
    lines += ["{ 'struct': 'D30x', 'data': { 'leaf': 'int' } }",
              "{ 'command': 'go', 'data': { 'a': 'D0x' } }"]
    (tmp_path / "d.json").write_text("\n".join(lines) + "\n")
    message = "d.json:32:1: the wire protocol has more than 250,000 items by 'go'"
    rc, out = qapidoc("history", "1.0=d.json", "2.0=d.json", cwd=tmp_path)
    assert rc == 2 and message in out
    rc, out = qapidoc("lint", "--history", "1.0=d.json", "d.json", cwd=tmp_path)
    assert rc == 2 and message in out
    rc, out = qapidoc("build", "d.json", "-o", "site", "-q", cwd=tmp_path)
    assert rc == 0 and "no wire view" in out and message in out
    assert (tmp_path / "site" / "index.html").is_file()


def test_types_nested_too_deep(tmp_path: Path) -> None:
    """600 structs each with a member of the next (history: RecursionError)
    and 600 structs each the base of the previous (every command:
    RecursionError while loading)."""
    chain = [f"{{ 'struct': 'M{i}x', 'data': {{ 'next': 'M{i + 1}x' }} }}" for i in range(600)]
    chain += ["{ 'struct': 'M600x', 'data': { 'leaf': 'int' } }",
              "{ 'command': 'go', 'data': { 'a': 'M0x' } }"]
    (tmp_path / "m.json").write_text("\n".join(chain) + "\n")
    rc, out = qapidoc("history", "1.0=m.json", "2.0=m.json", cwd=tmp_path)
    assert rc == 2 and "m.json:602:1: the types 'go' uses nest too deeply" in out
    bases = [f"{{ 'struct': 'B{i}x', 'base': 'B{i + 1}x', 'data': {{ 'm{i}': 'int' }} }}"
             for i in range(600)]
    bases += ["{ 'struct': 'B600x', 'data': {} }", "{ 'command': 'go', 'data': 'B0x' }"]
    (tmp_path / "b.json").write_text("\n".join(bases) + "\n")
    rc, out = lint("--output-format", "concise", "b.json", cwd=tmp_path)
    assert rc == 1 and "error[QA204] 'B100x' is more than 100 bases deep" in out


def test_doc_trees_are_collected_young(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lint runs with the cyclic collector off and collects docutils trees
    itself every 200 parsed docs; a full collection walks the whole model
    each time, so a schema of 20,000 documented definitions spent most of
    52 s collecting.  Only the youngest generation, where the trees are."""
    import gc

    from qapidoc import load_schema
    from qapidoc.lint import rst

    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or 0)
    monkeypatch.setattr(gc, "isenabled", lambda: False)
    text = "".join(f"##\n# @T{i}x:\n#\n# See `T{i}x`.\n#\n# Since: 1.0\n##\n"
                   f"{{ 'struct': 'T{i}x', 'data': {{}} }}\n" for i in range(450))
    schema = load_schema("many.json", text=text)
    for d in schema.definitions:
        assert d.doc is not None
        rst.parse_doc(d.doc)
    assert calls and all(args == (0,) for args in calls)


def test_reference_schema_with_a_syntax_error_is_unreadable(tmp_path: Path) -> None:
    """--against and --history compare with an earlier release: one that
    stops at a syntax error was taken as a smaller release (its later
    definitions 'new'), silently; now it is unreadable input, as compat
    refuses it."""
    (tmp_path / "old.json").write_text("{ 'command': 'a' }\n{ 'command': 'b' \n")
    (tmp_path / "new.json").write_text(
        "##\n# @a:\n#\n# Since: 1.0\n##\n{ 'command': 'a' }\n")
    for option in ("--against", "--history"):
        spec = "old.json" if option == "--against" else "1.0=old.json"
        rc, out = lint("--release", "2.0", option, spec, "new.json", cwd=tmp_path)
        assert rc == 2 and "cannot read" in out and "old.json:2:" in out, out
