"""Reading files on the user's behalf: regular files only, bounded, in a tree.

Schema files, their includes, configuration files and ``release-file`` all
come from places a patch can name.  `read_bounded` opens without blocking (a
FIFO, device, socket or directory is refused at once, whatever it was a
moment before) and reads at most a fixed size; `decode_text` accepts only
UTF-8 text without control characters, so a binary file is refused before
any of its bytes reach a message; `schema_tree` and `inside` keep included
files inside the directory tree of the root schema.  Reasons are plain
sentences that never quote the file's contents.
"""

from __future__ import annotations

import os
import stat

from qapidoc.core.lazy import lazy

SCHEMA_LIMIT = 16 * 2**20
"""Largest schema file read: QEMU's whole QMP schema is under 1 MiB."""

CONFIG_LIMIT = 2**20
"""Largest configuration file read."""

SMALL_LIMIT = 4096
"""Largest one-line file read, such as QEMU's ``VERSION`` (``release-file``)."""

PROJECT_MARKERS = (".git", ".hg", ".svn", ".bzr", "_darcs", ".jj",
                   ".qapidoc.yaml", ".qapidoc.yml", "pyproject.toml")
"""An ancestor directory holding one of these is the top of the project
(a checkout, or a project configured for qapidoc) that holds a schema."""

_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_CLOEXEC", 0))
"""Opening a FIFO without a writer or a terminal must not wait or adopt it."""

_CONTROL = lazy("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Characters no schema contains: NUL and the other C0 and C1 controls
(tab, newline, carriage return, form feed and vertical tab are text)."""
_CONTROL_BYTES = bytes(range(0x09)) + bytes(range(0x0e, 0x20)) + b"\x7f"
"""The C0 controls of `_CONTROL` and DEL as UTF-8 bytes; its C1 controls
(U+0080 to U+009F) are encoded with the lead byte 0xC2."""


class InputError(Exception):
    """A file that cannot be read as asked; the message says why, in words
    that never quote the file's contents."""


class TooLarge(ValueError):
    """A schema too large or deep for one stage to follow (its wire
    protocol, see `qapidoc.compat.wire.walk`): the message says where; the
    commands report it as unreadable input (exit 2)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "Is a directory"
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    name = next((text for test, text in kinds if test(mode)), "not a plain file")
    return f"Is {name}, not a regular file"


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n} bytes"


def read_bounded(path: str, limit: int) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them.

    Raises `InputError` for anything else: the file is opened non-blocking
    and checked on the open descriptor, so a FIFO or device swapped in after
    a check can neither block nor be read."""
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise InputError("No such file or directory") from None
    except OSError as e:
        try:
            why = _kind(os.stat(path).st_mode)
        except OSError:
            why = e.strerror or type(e).__name__
        raise InputError(why) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(_kind(info.st_mode))
        too_big = InputError(f"file is too large ({_size(max(info.st_size, limit + 1))}; "
                             f"at most {_size(limit)} is read)")
        if info.st_size > limit:
            raise too_big
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise too_big
        return b"".join(chunks)
    except OSError as e:
        raise InputError(e.strerror or type(e).__name__) from None
    finally:
        os.close(fd)


def decode_text(data: bytes) -> str:
    """`data` as text: UTF-8 without control characters, else `InputError`
    saying where (line and column) the first offending byte is."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col = _line_col(data, e.start)
        raise InputError(f"not valid UTF-8: byte 0x{data[e.start]:02x} at "
                         f"line {line}, column {col}") from None
    if len(data.translate(None, _CONTROL_BYTES)) == len(data) and b"\xc2" not in data:
        return text  # the usual case, a byte table instead of a search per character
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - text.rfind("\n", 0, bad.start())
        raise InputError(f"not a text file: control character "
                         f"U+{ord(bad.group()):04X} at line {line}, column {col}")
    return text


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def read_text_file(path: str, limit: int) -> str:
    """`read_bounded` then `decode_text`."""
    return decode_text(read_bounded(path, limit))


def schema_tree(root: str) -> str:
    """The directory tree files included by the schema at `root` must stay in.

    The top of the project that holds it: the nearest ancestor with a
    checkout (``.git``…) or a project file (``.qapidoc.yaml``,
    ``pyproject.toml``).  Outside any project, the home directory when the
    schema is in it, else the top-level directory that holds it (such as
    ``/srv``), so that trees like QEMU's, whose storage daemon schema
    includes ``../../qapi/``, read as they are."""
    real = os.path.realpath(root)
    here = os.path.dirname(real)
    while True:
        if any(os.path.lexists(os.path.join(here, m)) for m in PROJECT_MARKERS):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    home = os.path.realpath(os.path.expanduser("~"))
    if home != os.path.dirname(home) and inside(real, home):
        return home
    parts = real.split(os.sep)
    return os.sep.join(parts[:2]) if len(parts) > 2 else os.path.dirname(real)


def real_path(path: str, real_dirs: dict[str, str]) -> str:
    """`os.path.realpath` of `path`, its directory's resolved once per
    `real_dirs` (the caller's table of them): a file of a directory already
    seen costs one system call (is it a link?) instead of one per
    component of its path."""
    head, tail = os.path.split(path)
    if tail in ("", ".", ".."):
        return os.path.realpath(path)
    real_dir = real_dirs.get(head)
    if real_dir is None:
        real_dir = os.path.realpath(head)
        if not os.path.isdir(real_dir):  # missing, or a loop of links on the way
            return os.path.realpath(path)
        real_dirs[head] = real_dir
    joined = os.path.join(real_dir, tail)
    return os.path.realpath(path) if os.path.islink(joined) else joined


def inside(path: str, tree: str) -> bool:
    """Whether `path`, all symbolic links resolved, is in directory `tree`."""
    return inside_resolved(os.path.realpath(path), os.path.realpath(tree))


def inside_resolved(real: str, top: str) -> bool:
    """`inside` for paths already resolved with `os.path.realpath`."""
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)
