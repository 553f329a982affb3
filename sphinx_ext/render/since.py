"""Since notes in doc text, shown once: as a badge.

Notes are found by lint's recogniser (`qapidoc.schema.since`), so the
pages and lint agree on what a note is.  A description's dating note
becomes the badge of its member, value or feature and is taken out of the
text (only the ``since X.Y`` part of a parenthetical that says more, such
as ``(default: off; since 5.0)``; a sentence note with its line when it
had one to itself); every other note stays where it is, as
an inline badge (``:qapi:since:``).  Notes in literal text stay text.
Versions are normalised (``10.2.0`` is ``10.2``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from qapidoc.schema.docs import literal_lines
from qapidoc.schema.since import SinceNote, dating_note, find_notes
from sphinx_ext.domain.names import normal_version

__all__ = ["Dated", "inline_since", "split_since", "text_since"]

_SEPARATOR_AFTER = re.compile(r"\s*[;,]\s*")


class Dated(NamedTuple):
    """A description without its dating note, and the note's version."""

    version: str | None
    lines: list[str]


def _live_notes(text: str, lines: Sequence[str]) -> list[SinceNote]:
    """The notes outside literal blocks and inline literals."""
    notes = find_notes(text)
    if not notes:
        return notes
    literal: set[int] = set()
    if "::" in text:
        literal = {n for n, _text, flag in literal_lines(list(enumerate(lines))) if flag}
    return [note for note in notes
            if text.count("\n", 0, note.start) not in literal
            and text.count("``", text.rfind("\n", 0, note.start) + 1, note.start) % 2 == 0]


def _cut(text: str, note: SinceNote) -> str:
    """*text* without *note*: the whole parenthetical when it says nothing
    else, else just its ``since X.Y`` item and one separator."""
    if note.plain:
        start = note.start
        while start > 0 and text[start - 1] == " ":
            start -= 1
        end = note.end
        if start == 0 or text[start - 1] == "\n":
            end += len(text[end:]) - len(text[end:].lstrip(" "))
        return text[:start] + text[end:]
    if note.form == "sentence":
        return _cut_sentence(text, note)
    if note.form == "leading":
        after = _SEPARATOR_AFTER.match(text, note.version_end)
        end = after.end() if after else note.version_end
        return text[:note.word_start] + text[end:]
    sep = max(text.rfind(";", note.start, note.word_start),
              text.rfind(",", note.start, note.word_start))
    start = sep if sep >= 0 else note.word_start
    return text[:start] + text[note.version_end:]


def _cut_sentence(text: str, note: SinceNote) -> str:
    """*text* without a sentence note; a line that was only the note goes."""
    start, end = note.start, note.end
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    while end < len(text) and text[end] in " \t":
        end += 1
    if start == 0 or text[start - 1] == "\n":
        if end < len(text):
            end += 1  # its newline
        elif start > 0:
            start -= 1
    return text[:start] + text[end:]


def split_since(lines: Sequence[str]) -> Dated:
    """The version dating a description, and its lines without that note."""
    text = "\n".join(lines)
    note = dating_note(text, _live_notes(text, lines))
    if note is None:
        return Dated(None, list(lines))
    if note.form == "bare":
        return Dated(normal_version(note.version), [])
    out = [line.rstrip() for line in _cut(text, note).split("\n")]
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return Dated(normal_version(note.version), out)


def text_since(text: str) -> str | None:
    """The version dating a description given as one string."""
    return split_since(text.split("\n")).version


def inline_since(line: str) -> str:
    """Notes left in a line of rST text → inline badges (``:qapi:since:``)."""
    if "ince" not in line:
        return line
    notes = _live_notes(line, [line])
    for note in reversed(notes):
        if note.form == "bare":
            continue
        role = f":qapi:since:`{normal_version(note.version)}`"
        if note.plain:
            line = line[:note.start] + role + line[note.end:]
        else:
            line = line[:note.word_start] + role + line[note.version_end:]
    return line
