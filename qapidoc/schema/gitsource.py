"""Schemas straight from git objects: ``git:REF:PATH`` without a checkout.

`git_opener("git:v10.1.0:qapi/qapi-schema.json")` returns the path inside
the repository and an opener that reads that path (and every include) from
REF through one persistent ``git cat-file --batch`` process.  Used by lint's
``--against``, compat and history; bad specs raise `GitSpecError`.
"""

from __future__ import annotations

import os
import re
import subprocess
import weakref
from typing import IO

from qapidoc.core.inputs import SCHEMA_LIMIT, InputError, decode_text
from qapidoc.schema.reader import FileOpener


class GitSpecError(ValueError):
    """A ``git:REF:PATH`` that cannot be used; the message says why."""


def is_git_spec(spec: str) -> bool:
    return spec.startswith("git:")


def parse_git_spec(spec: str) -> tuple[str, str]:
    """Split ``git:REF:PATH`` into REF and PATH (refs cannot contain ':')."""
    body = spec[4:] if spec.startswith("git:") else spec
    ref, sep, path = body.partition(":")
    if not sep or not ref or not path:
        raise GitSpecError(f"'{spec}' is not of the form git:REF:PATH")
    if "\n" in body:
        raise GitSpecError(f"{spec!r} contains a newline")
    return ref, path


def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True,
                              text=True, check=False)
    except FileNotFoundError:
        raise GitSpecError("cannot run git: not installed or not on PATH") from None
    except OSError as e:
        raise GitSpecError(f"cannot run git in {cwd}: {e.strerror}") from None


def resolve(ref: str, cwd: str) -> tuple[str, str]:
    """The repository top of `cwd` and the commit `ref` names there."""
    if not os.path.isdir(cwd):
        raise GitSpecError(f"no such directory: {cwd}")
    out = _git(["rev-parse", "--show-toplevel", "--verify", "--quiet",
                ref + "^{commit}"], cwd)
    lines = out.stdout.split()
    if out.returncode != 0 and not lines:
        raise GitSpecError(f"not inside a git repository: {cwd}")
    if out.returncode != 0 or len(lines) != 2:
        raise GitSpecError(f"unknown git revision '{ref}'")
    return lines[0], lines[1]


_RELEASE_TAG = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")
"""A release tag as QEMU names them (``v10.2.0``); release candidates are not."""


def previous_release_tag(cwd: str, release: tuple[int, ...]) -> str:
    """The tag of the newest release before *release* (major, minor) in the
    repository holding *cwd*: what a patch for that release is compared with."""
    if not os.path.isdir(cwd):
        raise GitSpecError(f"no such directory: {cwd}")
    out = _git(["tag", "--list"], cwd)
    if out.returncode != 0:
        raise GitSpecError(f"not inside a git repository: {cwd}")
    found: list[tuple[tuple[int, int, int], str]] = []
    for tag in out.stdout.split():
        m = _RELEASE_TAG.fullmatch(tag)
        if m:
            version = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if version[:2] < tuple(release[:2]):
                found.append((version, tag))
    if not found:
        shown = ".".join(map(str, release[:2]))
        raise GitSpecError(f"no release tag before {shown} in the repository of {cwd}")
    return max(found)[1]


class GitBlobReader:
    """Reads files of one commit through a single ``git cat-file --batch``
    process, started on first use and stopped by `close()` (or when the
    reader is garbage-collected)."""

    def __init__(self, top: str, commit: str, ref: str) -> None:
        self.top = top
        self.commit = commit
        self.ref = ref
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[..., GitBlobReader] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._proc = subprocess.Popen(
                ["git", "cat-file", "--batch"], cwd=self.top,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL)
            self._finalizer = weakref.finalize(self, _stop, self._proc)
        return self._proc

    def read(self, path: str) -> bytes | str:
        """The blob at `path` (relative to the repository top), or a reason
        it cannot be read."""
        rel = os.path.normpath(path)
        if rel.startswith("..") or os.path.isabs(rel):
            return "outside the repository"
        if "\n" in rel:
            return "file name contains a newline"
        try:
            proc = self._start()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(f"{self.commit}:{rel}\n".encode())
            proc.stdin.flush()
            return _read_reply(proc.stdout, self.ref)
        except (OSError, ValueError) as e:
            self.close()
            return f"git cat-file failed: {e}"

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._proc = None

    def __call__(self, path: str) -> tuple[str | None, str]:
        data = self.read(path)
        if isinstance(data, str):
            return None, data
        try:
            return decode_text(data), ""
        except InputError as e:
            return None, str(e)


def _read_reply(out: IO[bytes], ref: str) -> bytes | str:
    header = out.readline()
    if not header:
        raise ValueError("git exited")
    fields = header.split()
    if len(fields) == 2 and fields[1] in (b"missing", b"ambiguous"):
        return f"no such file in {ref}"
    if len(fields) != 3:
        raise ValueError(f"unexpected reply {header!r}")
    size = int(fields[2])
    if size > SCHEMA_LIMIT:
        left = size + 1  # the contents, then a newline, unread
        while left > 0:
            chunk = out.read(min(left, 2**20))
            if not chunk:
                raise ValueError("git exited")
            left -= len(chunk)
        return f"file is too large ({size / 2**20:.1f} MiB in {ref})"
    data = out.read(size + 1)[:size]  # contents, then a newline
    if fields[1] != b"blob":
        return f"is a {fields[1].decode()} in {ref}, not a file"
    return data


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
    finally:
        if proc.stdout is not None:
            proc.stdout.close()


def git_opener(spec: str, cwd: str | None = None) -> tuple[str, FileOpener]:
    """The repository-relative path of the root schema, and an opener that
    reads paths (relative to the repository top) from REF.

    PATH is relative to the working directory, like ``git show REF:./PATH``;
    an absolute PATH is looked up in the repository that holds it.
    Raises `GitSpecError` for a malformed spec, no repository, or an unknown
    revision; a missing file is reported by the opener, as for files."""
    ref, path = parse_git_spec(spec)
    if cwd is None and os.path.isabs(path):
        # an absolute PATH names its repository, wherever we run
        cwd = os.path.dirname(path)
        while not os.path.isdir(cwd) and os.path.dirname(cwd) != cwd:
            cwd = os.path.dirname(cwd)
    cwd = os.path.abspath(cwd or os.getcwd())
    top, commit = resolve(ref, cwd)
    real_top = os.path.realpath(top)
    rel = os.path.normpath(os.path.relpath(
        os.path.join(os.path.realpath(cwd), path), real_top))
    return rel, GitBlobReader(top, commit, ref)
