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
