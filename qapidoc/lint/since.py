"""Version notes in doc comments: ``Since:`` sections and ``(since X.Y)``.

Finds every parenthesised since note in member, value, branch and feature
descriptions (with its exact columns and whether it has the conventional
form), outside literal blocks.  The version, documentation and fix rules
read these records instead of each scanning the text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qapidoc.lint.engine import LintContext, Version, parse_version
from qapidoc.schema.docs import literal_lines
from qapidoc.schema.model import DocComment, Section, SectionKind

NOTE = re.compile(r"\((\s*)([Ss]ince)\b(\s*:?\s*)([^()]*?)(\s*)\)")
"""A parenthesised since note; group 4 is what follows the word."""

_LEADING_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?")
_BARE = re.compile(r"([Ss]ince)\b\s*:?\s*(\d+\.\d+(?:\.\d+)?)\s*\.?$")
"""A description that is nothing but ``since X.Y``, without parentheses."""


@dataclass(frozen=True, slots=True)
class SinceNote:
    """A ``(since X.Y)`` note: its doc line, columns in the line's text,
    the section it is in, and the version it names (None if none)."""

    line: int
    start: int
    end: int
    text: str
    section: Section
    version: Version | None
    version_text: str

    @property
    def conventional(self) -> bool:
        """Exactly ``(since X.Y)``."""
        return (self.text == f"(since {self.version_text})"
                and self.version is not None and len(self.version_text.split(".")) == 2)

    @property
    def canonical(self) -> str | None:
        """The conventional form, when only case, colon, spacing or a
        ``.0`` micro differ; None when the note holds more than a version."""
        m = NOTE.fullmatch(self.text)
        bare = _BARE.match(self.text)
        if (m is None and bare is None) or self.version is None:
            return None
        rest = m.group(4) if m else self.version_text
        if _LEADING_VERSION.fullmatch(rest) is None:
            return None
        parts = rest.split(".")
        if len(parts) == 3 and parts[2] != "0":
            return None
        return f"(since {parts[0]}.{parts[1]})"


def literal_flags(ctx: LintContext, doc: DocComment) -> dict[int, bool]:
    """Doc line number → whether it is inside a literal or example block."""
    cache: dict[int, dict[int, bool]] = ctx.__dict__.setdefault("_literal", {})
    flags = cache.get(id(doc))
    if flags is None:
        if any("::" in ln.text for ln in doc.lines):
            flags = {n: lit for n, _, lit in literal_lines(
                [(ln.line, ln.text) for ln in doc.lines]) if lit}
        else:
            flags = {}  # no block opener, no literal lines
        cache[id(doc)] = flags
    return flags


DESCRIPTIONS = (SectionKind.MEMBER, SectionKind.FEATURE)


def section_lines(doc: DocComment, s: Section) -> list[tuple[int, str]]:
    """The raw doc lines of a section (tag line included)."""
    first, last = s.location.line, max(s.end_line, s.location.line)
    return [(ln.line, ln.text) for ln in doc.lines if first <= ln.line <= last]


def since_notes(ctx: LintContext, doc: DocComment) -> list[SinceNote]:
    """Every since note in the doc's descriptions, in line order."""
    cache: dict[int, list[SinceNote]] = ctx.__dict__.setdefault("_notes", {})
    notes = cache.get(id(doc))
    if notes is not None:
        return notes
    notes = []
    flags = literal_flags(ctx, doc)
    for s in doc.sections:
        if s.kind not in DESCRIPTIONS or "ince" not in s.text:
            continue
        for number, text in section_lines(doc, s):
            if flags.get(number) or "ince" not in text:
                continue
            body = s.text.strip()
            bare = _BARE.fullmatch(body) if number == s.location.line else None
            if bare is not None and "\n" not in body and text.endswith(body):
                start = len(text) - len(body)
                notes.append(SinceNote(number, start, len(text), body, s,
                                       parse_version(bare.group(2)),
                                       bare.group(2)))
                continue
            for m in NOTE.finditer(text):
                rest = m.group(4)
                v = _LEADING_VERSION.match(rest)
                vt = v.group(0) if v else ""
                notes.append(SinceNote(number, m.start(), m.end(), m.group(0), s,
                                       parse_version(vt) if vt else None, vt))
    cache[id(doc)] = notes
    return notes


def paragraph_end(doc: DocComment, note: SinceNote) -> int:
    """The last line of the paragraph a note is in."""
    last = note.line
    for ln in doc.lines:
        if ln.line > last:
            if ln.line != last + 1 or not ln.text.strip():
                break
            last = ln.line
    return min(last, max(note.section.end_line, note.section.location.line))


def note_for(ctx: LintContext, doc: DocComment | None,
             section: Section | None) -> SinceNote | None:
    """The note dating a description itself: one in its first paragraph,
    else one that ends it.  A note closing a later paragraph dates only
    that paragraph ("Also works with X.  (since 10.1)")."""
    if doc is None or section is None:
        return None
    notes = [n for n in since_notes(ctx, doc) if n.section is section]
    if not notes:
        return None
    first_end = paragraph_end(doc, notes[0])
    top = section.location.line
    if all(ln.text.strip() for ln in doc.lines if top <= ln.line <= first_end):
        return notes[0]
    last = notes[-1]
    end = max(section.end_line, section.location.line)
    text_of = {ln.line: ln.text for ln in doc.lines}
    if paragraph_end(doc, last) == end and not text_of[last.line][last.end:].strip(" ."):
        return last
    return None


def since_section(doc: DocComment | None) -> tuple[Section, Version | None] | None:
    """The doc's ``Since:`` section and the version it names."""
    if doc is None:
        return None
    s = doc.section(SectionKind.SINCE)
    if s is None:
        return None
    return s, parse_version(s.text.strip())
