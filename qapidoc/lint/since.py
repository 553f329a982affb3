"""Since notes and ``Since:`` sections, located in doc comments for lint.

`qapidoc.schema.since` decides what a note is; this module runs it over
each member, value, branch and feature description (literal blocks
blanked out) once per doc comment and maps the notes back to doc lines and
columns, so that the version, documentation and fix rules all read the
same records.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from qapidoc.core.record import record
from qapidoc.lint.engine import LintContext, Version, parse_version
from qapidoc.schema.docs import literal_lines
from qapidoc.schema.model import SINCE_SECTION, DocComment, Section, SectionKind
from qapidoc.schema.since import SinceNote, dating_note, find_notes


@record
class LocatedNote:
    """A since note of a description: the doc line it starts on, its
    columns in that line's text (`end` on the line the note ends on), the
    section it is in and the version it names."""

    line: int
    start: int
    end_line: int
    end: int
    note: SinceNote
    section: Section
    version: Version | None

    @property
    def text(self) -> str:
        return self.note.text


def literal_flags(ctx: LintContext, doc: DocComment) -> dict[int, bool]:
    """Doc line number → whether it is inside a literal or example block."""
    cache: dict[int, dict[int, bool]] = ctx.__dict__.setdefault("_literal", {})
    flags = cache.get(id(doc))
    if flags is None:
        if "::" in doc.text:  # the lines joined: a quicker test
            flags = {n: lit for n, _, lit in literal_lines(doc.lines) if lit}
        else:
            flags = {}  # no block opener, no literal lines
        cache[id(doc)] = flags
    return flags


DESCRIPTIONS = (SectionKind.MEMBER, SectionKind.FEATURE)


def section_lines(doc: DocComment, s: Section) -> Sequence[tuple[int, str]]:
    """The raw doc lines of a section (tag line included)."""
    first, last = s.location.line, max(s.end_line, s.location.line)
    lines = doc.lines  # in line order: a slice, not a walk of every line
    return lines[bisect.bisect_left(lines, (first,)):bisect.bisect_left(lines, (last + 1,))]


@record
class Described:
    """A description's raw text (the tag line without its ``@name:``) and
    where each of its lines starts in it."""

    section: Section
    text: str
    starts: list[int]
    lines: list[int]
    cols: list[int]

    def place(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.lines[i], self.cols[i] + offset - self.starts[i]


def describe(ctx: LintContext, doc: DocComment, s: Section) -> Described:
    flags = literal_flags(ctx, doc)
    parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    cols: list[int] = []
    at = 0
    for number, raw in section_lines(doc, s):
        col = 0
        if number == s.location.line:
            colon = raw.find(":")
            col = colon + 1 if raw.startswith("@") and colon > 0 else 0
            while col < len(raw) and raw[col] == " ":
                col += 1
        text = "" if flags.get(number) else raw[col:]
        starts.append(at)
        numbers.append(number)
        cols.append(col)
        parts.append(text)
        at += len(text) + 1
    return Described(s, "\n".join(parts), starts, numbers, cols)


def described_notes(ctx: LintContext, doc: DocComment) -> list[tuple[Described, list[SinceNote]]]:
    """Each description of the doc that has notes, with its notes."""
    cache: dict[int, list[tuple[Described, list[SinceNote]]]] = ctx.__dict__.setdefault(
        "_described", {})
    found = cache.get(id(doc))
    if found is None:
        found = []
        for s in doc.sections:
            if s.kind in DESCRIPTIONS and "ince" in s.text:
                d = describe(ctx, doc, s)
                notes = find_notes(d.text)
                if notes:
                    found.append((d, notes))
        cache[id(doc)] = found
    return found


def _locate(d: Described, n: SinceNote) -> LocatedNote:
    line, start = d.place(n.start)
    end_line, end = d.place(n.end)
    return LocatedNote(line, start, end_line, end, n, d.section,
                       parse_version(n.version))


def since_notes(ctx: LintContext, doc: DocComment) -> list[LocatedNote]:
    """Every since note in the doc's descriptions, in line order."""
    cache: dict[int, list[LocatedNote]] = ctx.__dict__.setdefault("_notes", {})
    notes = cache.get(id(doc))
    if notes is None:
        notes = [_locate(d, n) for d, ns in described_notes(ctx, doc) for n in ns]
        cache[id(doc)] = notes
    return notes


def note_for(ctx: LintContext, doc: DocComment | None,
             section: Section | None) -> LocatedNote | None:
    """The note dating a description itself (see `dating_note`)."""
    if doc is None or section is None:
        return None
    for d, notes in described_notes(ctx, doc):
        if d.section is section:
            n = dating_note(d.text, notes)
            return _locate(d, n) if n is not None else None
    return None


def since_section(doc: DocComment | None) -> tuple[Section, Version | None] | None:
    """The doc's ``Since:`` section and the version it names."""
    if doc is None:
        return None
    s = doc.section(SINCE_SECTION)
    if s is None:
        return None
    return s, parse_version(s.text.strip())
