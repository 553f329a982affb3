"""Version notes: the one recogniser of since notes in descriptions.

QEMU dates a member, value, branch or feature added after its definition
with a note in its description, and its maintainers write that note in
several forms, all of which this module accepts (counted in QEMU's tree):

- ``(since 9.1)`` and ``(Since 9.1)``, about as common as each other, with
  or without a colon (``(since: 9.1)``), two- or three-part (the spec
  writes ``x.y.z``; ``(since 2.12.1)`` names a stable release);
- remarks after the version: ``(since 10.0; default: 10)``,
  ``(Since 4.2, not supported for listening sockets until 10.1)``;
- the version as the last item of a parenthetical about defaults:
  ``(default: false, since 3.1)``, ``(default: report; since: 5.0)``;
- a description that is nothing but the version, ``since 2.10`` — how new
  enum values are described;
- broken across lines by wrapping (``(since`` / ``2.11)``);
- in releases before 8.0, a sentence of its own ending a line:
  ``Software Emulator TPM type`` / ``Since: 2.11``, ``...no pending I/O.
  Since 1.3.``, a description opening with ``since 2.10`` on its own line.
  A ``since 4.1.`` that continues a sentence (``supported`` / ``since
  4.1.``) is prose, not a note.

A note is judged only when its version looks like a QEMU release (X.Y or
X.Y.Z right after the word): ``(since Linux 2.5.41)`` dates other software
and is no note.  Lint rules and the Sphinx extension both read notes
through `find_notes()` and `dating_note()`, so they agree on what a note is.
"""

from __future__ import annotations

import re

from qapidoc.core.lazy import lazy
from qapidoc.core.record import record

RELEASE = r"\d+\.\d+(?:\.\d+)?"
"""What a QEMU release looks like: X.Y or X.Y.Z."""

_RELEASE = re.compile(RELEASE)
_PAREN = re.compile(r"\([^()]*\)")
_LEADING = re.compile(
    rf"\(\s*+([Ss]ince)\b(\s*+:?\s*+)({RELEASE})(?![\w.-]*\w)")
_TRAILING = re.compile(
    rf"[;,]\s*+([Ss]ince)\b(\s*+:?\s*+)({RELEASE})\s*+\.?\s*+\)$")
_BARE = re.compile(rf"\s*+([Ss]ince)\b(\s*+:?\s*+)({RELEASE})\s*+\.?\s*+")
_SENTENCE = re.compile(
    rf"(?:^[ \t]*+|(?<=[.!?])[ \t]++)([Ss]ince)\b([ \t]*+:?[ \t]*+)({RELEASE})\.?[ \t]*+$",
    re.MULTILINE)
_SENTENCE_HINT = re.compile(rf"ince\b[ \t]*+:?[ \t]*+{RELEASE}\.?[ \t]*+$", re.MULTILINE)
"""What every `_SENTENCE` match holds, starting with a literal: searched
first, as that is fast, where `_SENTENCE` is tried at every character."""
_SENTENCE_END = frozenset(".!?:")
_PARAGRAPH_BREAK = lazy(r"\n[ \t]*\n")

FORMS = ("leading", "trailing", "bare", "sentence")


@record
class SinceNote:
    """A since note found in a text: offsets of the whole note (the
    parenthetical, or the bare description), of the word ``since`` and of
    the version, and its form: ``leading`` (``(since X.Y…)``),
    ``trailing`` (``(…, since X.Y)``), ``bare`` (``since X.Y``, the whole
    description) or ``sentence`` (``Since X.Y.`` ending a line of a longer
    description)."""

    start: int
    end: int
    word_start: int
    version_start: int
    version_end: int
    text: str
    """The note as written (may span lines)."""
    word: str
    """The word and what separates it from the version, e.g. ``Since: ``."""
    version: str
    form: str

    @property
    def capitalised(self) -> bool:
        return self.word.startswith("S")

    @property
    def has_colon(self) -> bool:
        return ":" in self.word

    @property
    def split(self) -> bool:
        """The word and the version are on different lines."""
        return "\n" in self.word

    @property
    def plain(self) -> bool:
        """Nothing in the parentheses but the word and the version."""
        return self.form == "leading" and not self.text[
            self.version_end - self.start:-1].strip(" .")


def release_tuple(text: str) -> tuple[int, ...] | None:
    """``10.1`` → (10, 1); ``2.12.0`` → (2, 12); ``2.12.1`` → (2, 12, 1);
    None unless `text` is exactly a QEMU release."""
    if not _RELEASE.fullmatch(text):
        return None
    parts = tuple(int(p) for p in text.split("."))
    return parts[:2] if len(parts) == 3 and parts[2] == 0 else parts


def bare_note(text: str) -> SinceNote | None:
    """The note when a whole description is only ``since X.Y``."""
    m = _BARE.fullmatch(text)
    if m is None:
        return None
    start = m.start(1)
    end = len(text.rstrip())
    return SinceNote(start, end, start, m.start(3), m.end(3), text[start:end],
                     m.group(1) + m.group(2), m.group(3), "bare")


def find_notes(text: str) -> list[SinceNote]:
    """Every since note in a description's text, in order.  `text` may
    span lines (``\\n``); offsets are into it."""
    if "ince" not in text:
        return []
    bare = bare_note(text)
    if bare is not None:
        return [bare]
    out: list[SinceNote] = []
    for p in _PAREN.finditer(text):
        inner = p.group(0)
        if "ince" not in inner:
            continue
        m = _LEADING.match(inner)
        form = "leading"
        if m is None:
            m = _TRAILING.search(inner)
            form = "trailing"
            if m is None:
                continue
        base = p.start()
        out.append(SinceNote(base, p.end(), base + m.start(1), base + m.start(3),
                             base + m.end(3), inner, m.group(1) + m.group(2),
                             m.group(3), form))
    sentences = [note for m in _SENTENCE.finditer(text)
                 if (note := _sentence_note(text, m)) is not None
                 ] if _SENTENCE_HINT.search(text) else []
    if sentences:
        out = sorted(out + sentences, key=lambda n: n.start)
    return out


def _sentence_note(text: str, m: re.Match[str]) -> SinceNote | None:
    """The note a `_SENTENCE` match is, unless it continues a sentence:
    after another sentence on its line it is capitalised; at a line start
    it opens the text or a paragraph, follows a line ending a sentence, or
    is capitalised (``TPM type`` / ``Since: 2.11``)."""
    start = m.start(1)
    capital = m.group(1).startswith("S")
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        if not capital:  # "i.e. since 2.4" is prose
            return None
    elif line_start and not capital:
        before = text[:line_start - 1].rstrip(" \t")
        if before and before[-1] != "\n" and before[-1] not in _SENTENCE_END:
            return None
    end = m.end(3)
    if text.startswith(".", end):
        end += 1
    return SinceNote(start, end, start, m.start(3), m.end(3), text[start:end],
                     m.group(1) + m.group(2), m.group(3), "sentence")


def dating_note(text: str, notes: list[SinceNote] | None = None) -> SinceNote | None:
    """The note that dates a description itself: one in its first
    paragraph, else one that ends it.  A note closing a later paragraph
    dates only that paragraph ("Also works with X.  (since 10.1)")."""
    if notes is None:
        notes = find_notes(text)
    if not notes:
        return None
    brk = _PARAGRAPH_BREAK.search(text)
    first_end = brk.start() if brk else len(text)
    if notes[0].start < first_end:
        return notes[0]
    last = notes[-1]
    if not text[last.end:].strip(" .\n"):
        return last
    return None


def restyle(note: SinceNote, word: str) -> str:
    """The note with its word (and colon) written as `word` (``since`` or
    ``Since``), everything else as it was."""
    cut = note.word_start - note.start
    rest = note.version_start - note.start
    return note.text[:cut] + word + " " + note.text[rest:]
