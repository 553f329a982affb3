"""Since notes in doc text, shown once: as a badge.

A description's dating note — ``(since X.Y)`` in any spelling lint accepts,
a ``since X.Y`` part of a parenthesised list such as ``(default: off; since
5.0)``, or a description that is nothing but ``Since X.Y`` — becomes the
badge of its member, value or feature and is taken out of the text.  It is
the note in the first paragraph, else one that ends the description (a
note closing a later paragraph dates only that paragraph, as lint reads
it).  Every other note stays where it is, as an inline badge
(``:qapi:since:``).  Versions are normalised (``10.2.0`` is ``10.2``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from qapidoc.schema.docs import literal_lines
from sphinx_ext.domain.names import normal_version

__all__ = ["Dated", "inline_since", "split_since", "text_since"]

_VERSION = r"(\d+\.\d+(?:\.\d+)?)"
_WORD = r"[Ss]ince\b\s*:?\s*(?:version\s+)?"
#: ``(since X.Y)``, the whole parenthesis
_NOTE = re.compile(r"\(\s*" + _WORD + _VERSION + r"\s*\)")
#: ``since X.Y`` as one item of a parenthesised list (``(default: off; since 5.0)``)
_PART = re.compile(r"([,;]\s*)" + _WORD + _VERSION + r"\s*(?=\))"
                   r"|(?<=\()\s*" + _WORD + _VERSION + r"\s*([,;]\s*)(?=[^()]*\))")
_BARE = re.compile(r"\s*" + _WORD + _VERSION + r"\s*\.?\s*")


class Dated(NamedTuple):
    """A description without its dating note, and the note's version."""

    version: str | None
    lines: list[str]


class _Note(NamedTuple):
    line: int
    start: int
    end: int
    version: str


def _notes(lines: Sequence[str]) -> list[_Note]:
    numbered = list(enumerate(lines))
    flags = (literal_lines(numbered) if any("::" in text for text in lines)
             else [(n, t, False) for n, t in numbered])
    found: list[_Note] = []
    for number, text, literal in flags:
        if literal or "ince" not in text:
            continue
        spans = [(m.start(), m.end(), m.group(1)) for m in _NOTE.finditer(text)]
        for m in _PART.finditer(text):
            spans.append((m.start(), m.end(), m.group(2) or m.group(3)))
        found += [_Note(number, s, e, v) for s, e, v in sorted(spans)
                  if not _in_literal(text, s)]
    return found


def _in_literal(text: str, column: int) -> bool:
    return text.count("``", 0, column) % 2 == 1


def split_since(lines: Sequence[str]) -> Dated:
    """The version dating a description, and its lines without that note."""
    body = "\n".join(lines)
    bare = _BARE.fullmatch(body)
    if bare is not None:
        return Dated(normal_version(bare.group(1)), [])
    notes = _notes(lines)
    if not notes:
        return Dated(None, list(lines))
    first_blank = next((i for i, text in enumerate(lines) if not text.strip()), len(lines))
    note = notes[0] if notes[0].line < first_blank else None
    last = notes[-1]
    if note is None and not "".join(lines[last.line:])[len(lines[last.line][:last.end]):] \
            .strip(" .\n"):
        note = last
    if note is None:
        return Dated(None, list(lines))
    out = list(lines)
    text = out[note.line]
    cut = text[note.start:note.end]
    if cut.startswith("("):  # the whole parenthesis; and the space before it
        start = note.start
        while start > 0 and text[start - 1] == " ":
            start -= 1
        rest = text[note.end:]
        if start == 0:
            rest = rest.lstrip(" ")
        text = text[:start] + rest
    else:
        text = text[:note.start] + text[note.end:]
    out[note.line] = text.rstrip()
    if not out[note.line].strip():
        del out[note.line]
    while out and not out[-1].strip():
        out.pop()
    return Dated(normal_version(note.version), out)


def text_since(text: str) -> str | None:
    """The version dating a description given as one string."""
    return split_since(text.split("\n")).version


def inline_since(text: str) -> str:
    """Notes left in a line of rST text → inline badges (``:qapi:since:``)."""
    if "ince" not in text:
        return text
    parts = text.split("``")
    for i in range(0, len(parts), 2):  # outside inline literals
        if "ince" in parts[i]:
            part = _NOTE.sub(lambda m: f":qapi:since:`{normal_version(m.group(1))}`", parts[i])
            parts[i] = _PART.sub(_part_badge, part)
    return "``".join(parts)


def _part_badge(m: re.Match[str]) -> str:
    if m.group(2):
        return f"{m.group(1)}:qapi:since:`{normal_version(m.group(2))}`"
    return f":qapi:since:`{normal_version(m.group(3))}`{m.group(4)}"
