"""A finding's identity that survives edits elsewhere in the schema.

Rule, definition and member (or, outside any definition, the file) and a
hash of the offending source line with its whitespace normalised; never
the line number.  Baselines match findings by it and SARIF carries it as a
partial fingerprint, so code-scanning services track findings the same way.
"""

from __future__ import annotations

import hashlib
import os

from qapidoc.core.source import Diagnostic


def offending_text(d: Diagnostic) -> str:
    """The finding's source line, whitespace normalised."""
    lines = d.location.file.lines
    n = d.location.line
    return " ".join(lines[n - 1].split()) if 0 < n <= len(lines) else ""


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def fingerprint(d: Diagnostic, base: str | None = None) -> str:
    """Rule, definition (or file, relative to `base` when given), member
    and text hash, hashed into one short hex string."""
    if d.definition:
        where = d.definition
    else:
        path = os.path.abspath(d.location.path)
        where = "file:" + (os.path.relpath(path, base) if base else d.location.path)
        where = where.replace(os.sep, "/")
    raw = "\0".join((d.code, where, d.member or "", _digest(offending_text(d), 16)))
    return _digest(raw, 20)
