"""Writing output directories without destroying what the user wrote.

`claim_directory` accepts a directory that is new, empty, or marked as
written by qapidoc before (a marker file); anything else needs ``force``.
`install_tree` moves a finished tree into place and `write_file` writes one
file; neither ever writes through a symbolic link (a link in the way is
replaced, its target untouched).  `Manifest` remembers what qapidoc wrote
into a directory, so a file edited since, or one qapidoc did not write, is
kept rather than replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()
"""What `open()` would give a new file (`mkstemp` gives 0600)."""


class OutputError(Exception):
    """An output directory that cannot or may not be written; says why."""


def _entries(directory: Path) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError as e:
        raise OutputError(f"{directory}: cannot list: {e.strerror or e}") from None


def claim_directory(directory: Path, marker: str, force: bool, what: str) -> bool:
    """Make `directory` ours to write: create it (and `marker` in it), or
    accept it when empty or already marked; raise `OutputError` otherwise
    unless `force`.  Returns whether it holds the marker (a forced,
    foreign directory is not marked: the next run needs ``--force`` too)."""
    if os.path.lexists(directory) and not directory.is_dir():
        raise OutputError(f"{directory}: exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{directory}: cannot create: {e.strerror or e}") from None
    names = _entries(directory)
    if marker in names:
        if not stat.S_ISREG(os.lstat(directory / marker).st_mode):
            raise OutputError(f"{directory}: {marker} is not a regular file")
        return True
    if names and not force:
        raise OutputError(
            f"{directory}: not empty and not written by qapidoc before (no "
            f"{marker} file); {what} goes into a new or empty directory, or "
            "pass --force to write into this one")
    if names:
        return False
    write_file(directory / marker, "Written by qapidoc; it may replace files here.\n")
    return True


def write_file(path: Path, text: str) -> None:
    """Write `path` through a temporary file renamed into place: a symbolic
    link at `path` is replaced, never followed."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".qapidoc-")
    try:
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def staging_directory(directory: Path) -> Path:
    """A fresh directory inside `directory` to build into, so that
    `install_tree` can move files into place by renaming."""
    return Path(tempfile.mkdtemp(dir=directory, prefix=".qapidoc-staging-"))


def install_tree(staging: Path, directory: Path) -> None:
    """Move every file of `staging` to the same place under `directory`,
    then remove `staging`.  Links in the way are replaced, not followed;
    a file where a directory must go (or the reverse) is an `OutputError`."""
    try:
        for top, dirs, files in os.walk(staging):
            rel = Path(top).relative_to(staging)
            target = directory / rel
            for name in dirs:
                _make_dir(target / name)
            for name in files:
                dest = target / name
                if os.path.isdir(dest) and not os.path.islink(dest):
                    raise OutputError(f"{dest}: is a directory; cannot write a file there")
                os.replace(Path(top) / name, dest)
    except OSError as e:
        raise OutputError(f"{directory}: cannot write: {e.strerror or e}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_dir(path: Path) -> None:
    if os.path.islink(path) or (os.path.lexists(path) and not path.is_dir()):
        os.unlink(path)
    if not os.path.lexists(path):
        os.mkdir(path)


NAMESPACE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
"""A QAPI namespace (``QMP``) as it may go into generated directives and
anchors, from the command line or ``conf.py`` (`fullmatch`)."""

_PAGE_UNSAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


PAGE_NAME_MAX = 80
"""Longest page name `page_safe` returns: with a directory prefix and
Sphinx's suffixes (``.doctree``) it stays under the file systems' 255."""


def page_safe(name: str) -> str:
    """*name* (a schema file's name) as a page name: characters a toctree
    entry or a directive option reads as markup (space, ``,``, ``<``,
    ``|``, ``:``...) become ``-``; never empty, never a hidden file, never
    longer than `PAGE_NAME_MAX` (a long name keeps its start and a hash of
    the whole)."""
    safe = _PAGE_UNSAFE.sub("-", name).strip("-").lstrip(".")
    if len(safe) > PAGE_NAME_MAX:
        digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
        safe = f"{safe[:PAGE_NAME_MAX - 11]}-{digest}"
    return safe or "module"


def free_name(name: str, used: set[str]) -> str:
    """`name`, else ``name-module``, ``name-module3``…: the first not in
    `used` (casefolded names, as some file systems compare them), which it
    joins.  Generated pages thus never collide with each other or with
    the pages a site has anyway."""
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{name}-module" if n == 2 else f"{name}-module{n}"
    used.add(candidate.casefold())
    return candidate


def through_link(directory: Path, name: str) -> bool:
    """Whether some part of `name` below `directory` is a symbolic link."""
    path = directory
    for part in Path(name).parts:
        path = path / part
        if os.path.islink(path):
            return True
    return False


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Manifest:
    """The files qapidoc wrote into a directory and what they held then,
    kept in the directory's marker file (JSON)."""

    def __init__(self, directory: Path, marker: str) -> None:
        self.path = directory / marker
        self.written: dict[str, str] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        files = data.get("files") if isinstance(data, dict) else None
        if isinstance(files, dict):
            self.written = {str(k): str(v) for k, v in files.items()}

    def write(self, name: str, text: str) -> bool:
        """Write `text` to file `name` unless a file is there that qapidoc
        did not write, or that was edited since; False when kept."""
        path = self.path.parent / name
        if through_link(self.path.parent, name):
            return False
        if os.path.lexists(path):
            try:
                current = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return False
            if current == text:
                self.written[name] = _digest(text)
                return True
            if self.written.get(name) != _digest(current):
                return False
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, text)
        self.written[name] = _digest(text)
        return True

    def save(self) -> None:
        write_file(self.path, json.dumps(
            {"generator": "qapidoc", "files": dict(sorted(self.written.items()))},
            indent=1) + "\n")
