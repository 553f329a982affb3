"""Hostile and unusual inputs: each ends at once with a clear message and
exit 1 or 2, never blocks, never grows without bound, never echoes a file
that is not a schema.

Every case runs the real command in a subprocess; the subprocess timeout is
a guard against a hang, not a timing assertion."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from qapidoc.core.inputs import InputError, decode_text, inside, read_bounded, schema_tree
from qapidoc.core.source import SourceFile

SECRET = "qapidoc-test-secret-7c1f"
"""In the environment of every command run here: never in its output."""

PING = ("##\n# @ping:\n#\n# Check the server is alive.\n#\n# Since: 1.0\n##\n"
        "{ 'command': 'ping' }\n")

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_proc = pytest.mark.skipif(not Path("/proc/self/environ").exists(),
                                reason="no /proc file system here")


def qapidoc(*args: str, cwd: Path, module: str = "qapidoc.cli") -> tuple[int, str]:
    env = {**os.environ, "QAPIDOC_TEST_SECRET": SECRET}
    p = subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                       text=True, cwd=cwd, timeout=60, env=env)
    out = p.stdout + p.stderr
    assert "Traceback" not in out, out
    assert SECRET not in out, out
    return p.returncode, out


def lint(*args: str, cwd: Path, module: str = "qapidoc.cli") -> tuple[int, str]:
    return qapidoc("lint", "--output-format", "concise", *args, cwd=cwd, module=module)


def has(out: str, where: str, code: str, text: str = "") -> bool:
    """Whether `out` has a finding `code` at `where` (``path:line:col``)
    whose message contains `text`."""
    return any(line.startswith(f"{where}: ") and f"[{code}]" in line and text in line
               for line in out.splitlines())


def project(tmp_path: Path) -> Path:
    """A project directory (a checkout): the tree includes must stay in."""
    top = tmp_path / "proj"
    (top / ".git").mkdir(parents=True)
    return top


# --------------------------------------------------------------------------
# Files that are not regular files


@needs_fifo
def test_fifo_root_and_include(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    rc, out = lint("fifo", cwd=tmp_path)
    assert rc == 2 and has(out, "fifo:1:1", "QA002") and "named pipe (FIFO)" in out
    (tmp_path / "root.json").write_text("{ 'include': 'fifo' }\n" + PING)
    rc, out = lint("root.json", cwd=tmp_path)
    assert rc in (1, 2) and has(out, "root.json:1:1", "QA002") and "named pipe" in out


def test_device_and_directory(tmp_path: Path) -> None:
    rc, out = lint("/dev/zero", cwd=tmp_path)
    assert rc == 2 and "QA002" in out and "character device" in out
    (tmp_path / "sub").mkdir()
    (tmp_path / "root.json").write_text("{ 'include': 'sub' }\n" + PING)
    rc, out = lint("root.json", cwd=tmp_path)
    assert rc in (1, 2) and has(out, "root.json:1:1", "QA002") and "Is a directory" in out


def test_socket_include(tmp_path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.json"))
    except OSError as e:  # pragma: no cover - path too long for a socket
        pytest.skip(f"cannot bind a socket here: {e}")
    with sock:
        (tmp_path / "root.json").write_text("{ 'include': 's.json' }\n" + PING)
        rc, out = lint("root.json", cwd=tmp_path)
    assert rc in (1, 2) and has(out, "root.json:1:1", "QA002") and "socket" in out


def test_read_bounded_refuses_large_and_special(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(InputError, match="too large"):
        read_bounded(str(big), 4096)
    assert read_bounded(str(big), 5000) == b"x" * 5000
    with pytest.raises(InputError, match="character device"):
        read_bounded("/dev/null", 10)


# --------------------------------------------------------------------------
# Files outside the schema's tree, and files that are not schemas


@needs_proc
def test_proc_environ_never_echoed(tmp_path: Path) -> None:
    top = project(tmp_path)
    (top / "root.json").write_text("{ 'include': '/proc/self/environ' }\n" + PING)
    rc, out = lint("root.json", cwd=top)
    assert rc in (1, 2) and has(out, "root.json:1:1", "QA002")
    assert "outside the schema's directory tree" in out
    rc, out = lint("/proc/self/environ", cwd=top)
    assert rc == 2 and "QA002" in out and "not a text file" in out


@needs_proc
def test_proc_file_through_symlink_in_tree(tmp_path: Path) -> None:
    top = project(tmp_path)
    (top / "env.json").symlink_to("/proc/self/environ")
    (top / "root.json").write_text("{ 'include': 'env.json' }\n" + PING)
    rc, out = lint("root.json", cwd=top)
    assert rc in (1, 2) and has(out, "root.json:1:1", "QA002") and "outside" in out


@needs_proc
def test_proc_text_file_as_root_is_not_echoed(tmp_path: Path) -> None:
    rc, out = lint("/proc/self/status", cwd=tmp_path)
    assert rc in (1, 2) and has(out, "/proc/self/status:1:1", "QA001", "not a QAPI schema file")
    assert "Name" not in out and "qapidoc" not in out.split("QA001", 1)[1].split("\n")[0]


def test_include_outside_tree_and_include_root(tmp_path: Path) -> None:
    top = project(tmp_path)
    (tmp_path / "outside.json").write_text(PING.replace("ping", "pong"))
    (top / "root.json").write_text("{ 'include': '../outside.json' }\n" + PING)
    rc, out = lint("root.json", cwd=top)
    assert rc in (1, 2) and has(out, "root.json:1:1", "QA002") and "include-root" in out
    (top / ".qapidoc.yaml").write_text("include-root: ..\n")
    rc, out = lint("root.json", cwd=top)
    assert rc == 0, out


def test_storage_daemon_layout_reads_by_default(tmp_path: Path) -> None:
    """QEMU's storage daemon schema includes ``../../qapi/``: a project
    without any marker file must still read it."""
    (tmp_path / "qemu" / "qapi").mkdir(parents=True)
    (tmp_path / "qemu" / "storage-daemon" / "qapi").mkdir(parents=True)
    (tmp_path / "qemu" / "qapi" / "common.json").write_text(PING)
    root = tmp_path / "qemu" / "storage-daemon" / "qapi" / "qapi-schema.json"
    root.write_text("{ 'include': '../../qapi/common.json' }\n")
    rc, out = lint(str(root), cwd=tmp_path)
    assert rc == 0, out


def test_corpus_storage_daemon(corpus: Path, tmp_path: Path) -> None:
    root = corpus / "storage-daemon" / "qapi" / "qapi-schema.json"
    rc, out = lint("--preset", "qemu", str(root), cwd=tmp_path)
    assert rc == 0, out


def test_schema_tree_and_inside(tmp_path: Path) -> None:
    top = project(tmp_path)
    (top / "a" / "b").mkdir(parents=True)
    assert schema_tree(str(top / "a" / "b" / "x.json")) == str(top.resolve())
    assert inside(str(top / "a" / "x.json"), str(top))
    assert not inside(str(tmp_path / "projx" / "y.json"), str(top))


def test_words_and_binary_never_echoed(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text("# a comment\n{ 'enum': 'E', hunter2: [] }\n")
    rc, out = lint("s.json", cwd=tmp_path)
    assert rc == 1 and has(out, "s.json:2:16", "QA001", "unquoted word") and "hunter2" not in out
    (tmp_path / "b.json").write_bytes(b"# x\n{ 'enum': 'E', 'data': [] }\x1b[31m\n")
    rc, out = lint("b.json", cwd=tmp_path)
    assert rc == 2 and has(out, "b.json:2:28", "QA002") and "U+001B" in out
    assert "\x1b" not in out
    with pytest.raises(InputError, match=r"U\+0000 at line 2, column 3"):
        decode_text(b"\n  \x00")


# --------------------------------------------------------------------------
# Configuration


def test_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("select: *i")
    (tmp_path / ".qapidoc.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "s.json").write_text(PING)
    rc, out = lint("s.json", cwd=tmp_path)
    assert rc == 2 and "aliases (*name) are not allowed" in out
    assert len(out) < 2000


def test_config_values_printed_short(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(PING)
    for text in ("line-length: " + "x" * 100_000, "release: [" + "1," * 50_000 + "1]",
                 "x" * 100_000 + ": 1", "select: " + "[" * 5000 + "]" * 5000):
        (tmp_path / ".qapidoc.yaml").write_text(text + "\n")
        rc, out = lint("s.json", cwd=tmp_path)
        assert rc == 2 and len(out) < 2000, out[:300]


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ", "fifo", "big"])
def test_release_file_bounded(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(tmp_path / "fifo")
    if target == "big":
        (tmp_path / "big").write_text("10.2.50" + " " * 2**20)
    if target.startswith("/") and not Path(target).exists():
        pytest.skip(f"{target} absent")
    (tmp_path / ".qapidoc.yaml").write_text(f"release-file: {target}\n")
    (tmp_path / "s.json").write_text(PING)
    rc, out = lint("s.json", cwd=tmp_path)
    assert rc == 2 and "release-file: cannot read" in out, out


def test_release_file_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "VERSION").write_text(SECRET + "\n")
    (tmp_path / ".qapidoc.yaml").write_text("release-file: VERSION\n")
    (tmp_path / "s.json").write_text(PING)
    rc, out = lint("s.json", cwd=tmp_path)
    assert rc == 2 and "not a version number" in out


# --------------------------------------------------------------------------
# Line endings


BROKEN = ("##\n# @ping:\n#\n# Check the server is alive.  \n#\n# Since: 1.0\n##\n"
          "{ 'command': 'ping', 'data': { 'a': 'int' } }\n")
"""Findings at known places: trailing blanks on line 4, and an undocumented
argument on line 8."""


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_read_like_lf(tmp_path: Path, newline: str) -> None:
    (tmp_path / "ok.json").write_bytes(PING.replace("\n", newline).encode())
    rc, out = lint("ok.json", cwd=tmp_path)
    assert rc == 0, out
    (tmp_path / "bad.json").write_bytes(BROKEN.replace("\n", newline).encode())
    (tmp_path / "lf.json").write_bytes(BROKEN.encode())
    _, crlf = lint("bad.json", cwd=tmp_path)
    _, lf = lint("lf.json", cwd=tmp_path)
    assert crlf.replace("bad.json", "lf.json") == lf
    assert "bad.json:4:" in crlf and "bad.json:8:" in crlf


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_fix_keeps_line_endings(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(BROKEN.replace("\n", newline).encode())
    lint("--fix", "s.json", cwd=tmp_path)
    fixed = path.read_bytes().decode()
    assert fixed == BROKEN.replace("alive.  ", "alive.").replace("\n", newline)


def test_source_file_lines() -> None:
    src = SourceFile("x.json", "a\r\nb\rc\n")
    assert src.lines == ["a", "b", "c", ""] and src.newline == "\r\n"
    assert SourceFile("y.json", "a\nb").newline == "\n"


# --------------------------------------------------------------------------
# python -m


@pytest.mark.parametrize("module", ["qapidoc", "qapidoc.cli"])
def test_python_m_usage_errors(tmp_path: Path, module: str) -> None:
    for args in (["lint", "--no-such-option"], ["frobnicate"], [], ["build", "x.json"]):
        rc, out = qapidoc(*args, cwd=tmp_path, module=module)
        assert rc == 2 and "usage: qapidoc" in out, (args, out)
    (tmp_path / "s.json").write_text(PING)
    rc, out = lint("s.json", cwd=tmp_path, module=module)
    assert rc == 0, out


def test_crlf_schema_builds_like_lf(tmp_path: Path) -> None:
    """The Sphinx extension reads CRLF schemas like LF ones: same pages,
    no warnings."""
    harbor = Path(__file__).resolve().parents[1] / "schemas" / "harbor"
    for name, newline in (("lf", "\n"), ("crlf", "\r\n")):
        for src in harbor.rglob("*.json"):
            dest = tmp_path / name / src.relative_to(harbor)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(src.read_text().replace("\n", newline).encode())
        rc, out = qapidoc("build", "-q", "-W", str(tmp_path / name / "harbor-schema.json"),
                          "-o", str(tmp_path / f"{name}-site"), cwd=tmp_path)
        assert rc == 0 and out == "", out
    lf, crlf = tmp_path / "lf-site", tmp_path / "crlf-site"
    pages = sorted(p.relative_to(lf) for p in lf.rglob("*.html"))
    assert pages == sorted(p.relative_to(crlf) for p in crlf.rglob("*.html"))
    for page in pages:
        assert (lf / page).read_text() == (crlf / page).read_text().replace(
            "crlf/", "lf/"), page


def test_deep_json_and_fifo_side_inputs(tmp_path: Path) -> None:
    """A query-qmp-schema reply nested 100,000 deep and a baseline that is
    deep or a FIFO: exit 2 with a message."""
    (tmp_path / "deep.json").write_text("[" * 100_000 + "\n")
    (tmp_path / "s.json").write_text(PING)
    rc, out = qapidoc("compat", "deep.json", "s.json", cwd=tmp_path)
    assert rc == 2 and "deep.json:1:1: not JSON" in out
    rc, out = lint("--baseline", "deep.json", "s.json", cwd=tmp_path)
    assert rc == 2 and "not a qapidoc baseline" in out
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        rc, out = lint("--baseline", "fifo", "s.json", cwd=tmp_path)
        assert rc == 2 and "named pipe" in out
