"""Doc comments: raw ``##`` comment lines → `DocComment` with typed sections.

Recognises definition documentation (``@SYMBOL:``), member and feature
descriptions with their continuation indentation, tagged sections
(``Since:``, ``Returns:``, ``Errors:``, ``TODO:``), legacy ``Note:`` and
``Example:`` sections, and free-form text.  The builder binds the result to
definitions; lint rules read both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from operator import itemgetter

from qapidoc.core.hints import NamedTuple
from qapidoc.core.lazy import lazy
from qapidoc.core.registry import rule
from qapidoc.core.source import Diagnostic, Location
from qapidoc.schema.model import (
    MEMBER_SECTION,
    TEXT_SECTION,
    DocComment,
    Section,
    SectionKind,
)
from qapidoc.schema.reader import RawDoc

DOC_STRUCTURE = rule(
    "QA301", "doc-structure",
    "A definition's doc comment is malformed: a bad ``@name:`` line, a "
    "misplaced or duplicated section, a section without text, a wrong "
    "de-indent.",
    rationale="The doc comment is parsed into the reference manual; these "
    "mistakes garble or drop text.",
    bad="##\n# @ping:\n#\n# Since:\n##",
    good="##\n# @ping:\n#\n# Since: 9.0\n##",
)
DOC_LINE_LENGTH = rule(
    "QA302", "doc-line-too-long",
    "A documentation line is longer than 70 columns (literal and example "
    "blocks are exempt).  ``--fix`` rewraps its paragraph when that is plain "
    "prose (a description's continuation indented by 4, a note's by 3, since "
    "notes kept whole); lists, tables and directives are left to the author.",
    rationale="QEMU wraps documentation at 70 columns for legibility.",
    fixable=True,
    bad="# " + "x" * 69,
    good="# " + "x" * 60,
    qemu_from="10.2",
)
LEGACY_SECTION = rule(
    "QA303", "legacy-section",
    "A ``Note:``/``Notes:``/``Example:``/``Examples:`` section, a form "
    "older QEMU releases used.",
    rationale="QEMU no longer accepts these sections: notes are rST "
    "admonitions (``.. note::``) and examples are ``.. qmp-example::`` "
    "blocks, which render properly.",
    bad="# Note: the device must be idle.",
    good="# .. note:: The device must be idle.",
    group="legacy",
    qemu_from="9.2",
)
UNINDENTED_CONTINUATION = rule(
    "QL105", "unindented-continuation",
    "A member description continued on lines that are not indented (or "
    "less than its first continuation line), followed by more member "
    "descriptions.",
    rationale="Older QEMU releases read such lines as part of the "
    "description; today they end the member descriptions, and the next "
    "``@name:`` is an error.  qapidoc reads them as older QEMU did.",
    bad="# @a: the first\n# member\n# @b: the second member",
    good="# @a: the first\n#     member\n# @b: the second member",
    qemu_from="5.2",
)
SPACED_NAME = rule(
    "QL104", "spaced-description-name",
    "A member description written ``@name :``, with a space before the "
    "colon.",
    rationale="Older QEMU releases read such a line as plain text, leaving "
    "the member undocumented; today it names a member 'name ' that does not "
    "exist.  qapidoc reads it as the description of ``name``.",
    bad="# @id : the job identifier",
    good="# @id: the job identifier",
    qemu_from="9.2",
)

SENTENCE_SPACING = rule(
    "QA304", "sentence-single-space",
    "One space between sentences: ``.``, ``!`` or ``?`` followed by a "
    "single space and an upper-case letter, a digit or ``(`` (QEMU 10.2 "
    "rejects it).  Lower-case ``e.g.`` and a one-digit list marker at the "
    "start of a line are exempt, literal blocks too.",
    rationale="QEMU's documentation separates sentences with two spaces; "
    "its checker enforces this exactly, abbreviations included (write "
    "``i.e.,`` or two spaces).",
    bad="# Detach the device. It is gone.",
    good="# Detach the device.  It is gone.",
    qemu_from="10.2",
)

LINE_LIMIT = 70

_AT_NAME = re.compile(r"@([^:]*): *")
_TAG = re.compile(r"(Returns|Errors|Since|Notes?|Examples?|TODO):(?!:) *")
_LEGACY_TAG = lazy(r"(Notes?|Examples?):(?!:)")
"""Old releases started these sections wherever they stood; a de-indent
onto one is the legacy section's consequence (QA303), not a QA301."""
_LEADING = lazy(r" *")
_CODE_DIRECTIVE = re.compile(
    r"\.\. (?:qmp-example|code-block|code|sourcecode|parsed-literal)::")

_TAG_KINDS = {
    "Returns": SectionKind.RETURNS,
    "Errors": SectionKind.ERRORS,
    "Since": SectionKind.SINCE,
    "TODO": SectionKind.TODO,
    "Note": SectionKind.NOTE,
    "Notes": SectionKind.NOTE,
    "Example": SectionKind.EXAMPLE,
    "Examples": SectionKind.EXAMPLE,
}
_UNIQUE = (SectionKind.SINCE, SectionKind.RETURNS, SectionKind.ERRORS)
_LEGACY = (SectionKind.NOTE, SectionKind.EXAMPLE)
_NEEDS_TEXT = (
    SectionKind.MEMBER, SectionKind.FEATURE, SectionKind.SINCE,
    SectionKind.RETURNS, SectionKind.ERRORS, SectionKind.TODO)
"""Sections QEMU rejects when empty (Note/Example are rejected anyway).
A tuple: a set would hash the enum members in Python, once per section."""


class _DocParser:
    def __init__(self, raw: RawDoc, diags: list[Diagnostic]) -> None:
        self.raw = raw
        self.src = raw.loc.file
        self.lines = raw.lines
        self.i = 0
        self.diags = diags
        self.sections: list[Section] = []
        # The section being filled: kind, name, tag, tag loc, first body
        # line, text lines.
        self.cur: tuple[SectionKind, str, str, Location] | None = None
        self.cur_line = 0
        self.cur_text: list[str] = []
        self.garbled = False

    # -- helpers -----------------------------------------------------------

    # Locations and sections are named tuples made with `tuple.__new__`,
    # as their own constructors do, minus a Python-level call (as the
    # reader makes its nodes).

    def loc(self, idx: int, col: int = 1) -> Location:
        if idx < len(self.lines):
            return tuple.__new__(Location, (self.src, self.lines[idx][0], col))
        return Location(self.src, self.raw.end_line, 1)

    def line(self) -> str | None:
        return self.lines[self.i][1] if self.i < len(self.lines) else None

    def error(self, idx: int, message: str, col: int = 1,
              garbles: bool = False) -> None:
        """Report a structure error; `garbles`: what follows may be misread
        (sections lost or merged), so checks of the member descriptions
        against the definition would only repeat it."""
        self.garbled |= garbles
        self.diags.append(DOC_STRUCTURE.at(self.loc(idx, col), message,
                                           context=self.raw.loc))

    def start(self, kind: SectionKind, idx: int, name: str = "",
              tag: str = "", col: int = 1) -> None:
        self.flush()
        self.cur = (kind, name, tag, self.loc(idx, col))
        self.cur_line = self.lines[idx][0]
        self.cur_text = []

    def append(self, text: str, idx: int) -> None:
        if not self.cur_text:
            self.cur_line = self.lines[idx][0]
        self.cur_text.append(text)

    def flush(self) -> None:
        if self.cur is None:
            return
        kind, name, tag, where = self.cur
        cur_text = self.cur_text
        while cur_text and not cur_text[-1]:
            cur_text.pop()
        text = "\n".join(cur_text)
        if (not text or text.isspace()) and kind in _NEEDS_TEXT and (tag or name):
            self.diags.append(DOC_STRUCTURE.at(
                where, f"text required after '{tag or '@' + name}:'",
                context=self.raw.loc))
        self.sections.append(tuple.__new__(
            Section, (kind, where, text, self.cur_line, name, tag)))
        self.cur = None
        self.cur_text = []

    # -- parsing -------------------------------------------------------------

    def parse(self) -> DocComment:
        first = self.line()
        symbol: str | None = None
        if first is not None and first.startswith("@"):
            if not first.endswith(":"):
                self.error(0, "line should end with ':'")
                symbol = first[1:].split(":")[0].strip()
            else:
                symbol = first[1:-1]
                if not symbol:
                    self.error(0, "name required after '@'", garbles=True)
            self.i = 1
            self.definition()
        else:
            self.freeform()
        self.flush()
        return DocComment(
            self.raw.loc,
            self.raw.end_line,
            tuple(self.lines),
            self.raw.text,
            symbol,
            tuple(self.sections),
        )

    def freeform(self) -> None:
        if not self.lines:
            return
        self.start(SectionKind.TEXT, 0)
        for idx, (_, text) in enumerate(self.lines):
            m = _AT_NAME.match(text) if text[:1] == "@" else None
            if m:
                self.error(idx, f"'@{m.group(1)}:' is not allowed in "
                           "free-form documentation", garbles=True)
            self.append(text, idx)

    def definition(self) -> None:
        no_more_members = False
        seen_features = False
        names: set[str] = set()
        feature_names: set[str] = set()
        tags: list[SectionKind] = []  # not a set: enum members hash in Python
        while True:
            line = self.line()
            while line == "":
                if self.cur is not None and self.cur[0] is TEXT_SECTION:
                    self.append("", self.i)
                self.i += 1
                line = self.line()
            if line is None:
                return
            idx = self.i
            if line == "Features:":
                if seen_features:
                    self.error(idx, "duplicated 'Features:' line")
                seen_features = True
                self.flush()
                self.i += 1
                line = self.line()
                while line == "":
                    self.i += 1
                    line = self.line()
                count = 0
                while line is not None and line[:1] == "@" and (
                        m := _AT_NAME.match(line)):
                    self.description(SectionKind.FEATURE, m, feature_names,
                                     "feature")
                    count += 1
                    line = self.line()
                if not count:
                    self.error(self.i, "feature descriptions expected",
                               garbles=True)
                no_more_members = True
            elif line[0] == "@" and (m := _AT_NAME.match(line)):
                if no_more_members and not self.continued_description(idx, m):
                    self.error(idx, f"description of '@{m.group(1)}:' follows "
                               "a section")
                while line is not None and line[:1] == "@" and (
                        m := _AT_NAME.match(line)):
                    self.description(MEMBER_SECTION, m, names, "parameter")
                    line = self.line()
                no_more_members = True
            elif line[0] in "ENRST" and (m := _TAG.match(line)):  # a tag's initial
                tag = m.group(1)
                kind = _TAG_KINDS[tag]
                if kind in _LEGACY:
                    self.diags.append(LEGACY_SECTION.at(
                        self.loc(idx),
                        f"'{tag}:' sections are no longer supported; use "
                        + ("an rST admonition such as '.. note::'"
                           if kind is SectionKind.NOTE else
                           "a '.. qmp-example::' block"),
                        context=self.raw.loc))
                if kind in _UNIQUE and kind in tags:
                    self.error(idx, f"duplicated '{tag}' section")
                tags.append(kind)
                self.start(kind, idx, tag=tag)
                if kind in _LEGACY:
                    self.legacy_body(line[m.end():], idx)
                else:
                    self.body(line[m.end():], idx)
                no_more_members = True
            else:
                if self.cur is None or self.cur[0] is not TEXT_SECTION:
                    self.start(TEXT_SECTION, idx)
                self.paragraph()

    def continued_description(self, idx: int, m: re.Match[str]) -> bool:
        """Whether the paragraphs before this ``@name:`` line continue the
        description before them, as older QEMU read them: the first starts
        on the next line or is indented, and every line after a blank one
        is indented.  If so, they join that description, and the old form
        is reported here, where today's QEMU reports the description
        following a section."""
        if self.cur is None or self.cur[0] is not SectionKind.TEXT:
            return False
        prev = self.sections[-1] if self.sections else None
        text = self.cur_text
        while text and not text[-1]:
            text.pop()
        if prev is None or prev.kind is not SectionKind.MEMBER or not text:
            return False
        gap = self.cur_line - prev.end_line - 1
        if gap and not text[0].startswith(" "):
            return False
        if any(not text[i + 1].startswith(" ")
               for i in range(len(text) - 1) if not text[i]):
            return False
        lines = [prev.text] if prev.text else []
        lines += [""] * gap + [t.strip() for t in text]
        self.sections[-1] = prev._replace(text="\n".join(lines))
        self.cur = None
        self.cur_text = []
        self.diags.append(UNINDENTED_CONTINUATION.at(
            self.loc(idx), f"the description of '@{prev.name}:' continues on "
            f"lines indented less than its first continuation line before "
            f"'@{m.group(1)}:'; indent them like it",
            context=self.raw.loc))
        return True

    def description(self, kind: SectionKind, m: re.Match[str], seen: set[str],
                    role: str) -> None:
        idx = self.i
        name = m.group(1)
        if name[-1:] == " " and name.rstrip(" ") and name == name.lstrip():
            name = name.rstrip(" ")
            self.diags.append(SPACED_NAME.at(
                self.loc(idx), f"space before the colon of '@{name}:'",
                context=self.raw.loc))
        if not name or name != name.strip():
            self.error(idx, f"invalid {role} name", garbles=True)
        elif name in seen:
            self.error(idx, f"'{name}' {role} name duplicated")
        seen.add(name)
        # `start` and `body`, inlined: there is one description per member.
        if self.cur is not None:
            self.flush()
        number, text = self.lines[idx]
        self.cur = (kind, name, "", tuple.__new__(Location, (self.src, number, 1)))
        self.cur_line = number
        rest = text[m.end():]
        self.cur_text = [rest] if rest else []
        self.i = idx + 1
        self.indented()
        self.flush()

    def body(self, rest: str, idx: int) -> None:
        """A section's text: `rest` of its first line (`idx`, the current
        one), then its continuation lines."""
        if rest:
            self.append(rest, idx)
        self.i += 1
        self.indented()
        self.flush()

    def legacy_body(self, rest: str, idx: int) -> None:
        """A ``Note:`` or ``Example:`` section as older QEMU read it: every
        line up to the next section tag, indented or not."""
        if rest:
            self.append(rest, idx)
        lines = self.lines
        i = idx + 1
        while i < len(lines):
            text = lines[i][1]
            if text == "Features:" or _TAG.match(text) or (
                    text.startswith("@") and _AT_NAME.match(text)):
                break
            self.append(text, i)
            i += 1
        self.i = i
        self.flush()

    def indented(self) -> None:
        """Continuation lines of a description or tagged section.

        The hot loop of doc parsing: works on locals, not helper calls."""
        lines = self.lines
        n = len(lines)
        i = self.i
        blanks = 0
        while i < n and not lines[i][1]:
            blanks += 1
            i += 1
        if i >= n:
            self.i = i
            return
        line = lines[i][1]
        indent = len(line) - len(line.lstrip(" "))
        if not indent:
            self.i = i
            return
        text = self.cur_text
        if not text:
            self.cur_line = lines[i][0] - blanks
        text.extend([""] * blanks)
        text.append(line[indent:])
        prev_blank = False
        match_at = _AT_NAME.match
        second = i + 1
        while True:
            i += 1
            if i >= n:
                break
            line = lines[i][1]
            if line:
                if line[0] == "@" and match_at(line):
                    break
                cur = len(line) - len(line.lstrip(" "))
                if cur < indent:
                    if prev_blank or i != second or (
                            not cur and _LEGACY_TAG.match(line)):
                        break
                    self.i = i
                    self.error(i, "unexpected de-indent (expected at least "
                               f"{indent} spaces)", garbles=True)
                text.append(line[min(cur, indent):])
                prev_blank = False
            else:
                text.append("")
                prev_blank = True
        self.i = i

    def paragraph(self) -> None:
        lines = self.lines
        n = len(lines)
        i = self.i
        text = self.cur_text
        if i < n and lines[i][1] and not text:
            self.cur_line = lines[i][0]
        while i < n and lines[i][1]:
            text.append(lines[i][1])
            i += 1
        self.i = i


def parse_doc(raw: RawDoc, diags: list[Diagnostic],
              garbled: list[DocComment] | None = None) -> DocComment:
    """Parse a raw doc comment, appending problems to `diags`, and the doc
    to `garbled` if a structure error may have made it misread."""
    parser = _DocParser(raw, diags)
    doc = parser.parse()
    if parser.garbled and garbled is not None:
        garbled.append(doc)
    diags.extend(text_findings(raw.loc, raw.lines, text=raw.text))
    return doc


_SINGLE_SPACE = re.compile(r"[.!?] [A-Z0-9(]")


def by_first_char(chars: str, rest: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The pattern ``[chars]rest`` as one pattern per character: one that
    starts with a literal is searched for several times faster than one
    that starts with a character class (see `search_any`)."""
    return tuple((c, re.compile(re.escape(c) + rest)) for c in chars)


def search_any(text: str, split: tuple[tuple[str, re.Pattern[str]], ...]) -> bool:
    """Whether the pattern `by_first_char` split occurs in `text`."""
    for c, rx in split:  # noqa: SIM110 - any() over a generator costs more, per doc comment
        if c in text and rx.search(text) is not None:
            return True
    return False


LINE_TEXT = itemgetter(1)
"""The text of a `DocLine` (or of a (number, text) pair), for `map`."""


_SINGLE_SPACE_BY_MARK = by_first_char(".!?", r" [A-Z0-9(]")
_EG_END = re.compile(r"(?<![A-Za-z0-9_])e\.g\.\Z")
_LIST_MARKER = re.compile(r" *[0-9]\. ")
_URL_ONLY = re.compile(r"\s*(?:https?|ftp)://\S+\Z")
_LITERAL_ON = re.compile(r"\s*::\Z|\.\. +qmp-example *::")


_OLD_HEADING = lazy(r"(=+) +(\S.*?) *\Z")


def old_heading(line: str) -> tuple[int, str] | None:
    """``= Title`` / ``== Subtitle`` as the first line of a free-form block
    → (level, title): QEMU's only heading form before 10.0, still read (and
    used by ``acpi-hest.json``) beside rST section titles."""
    found = _OLD_HEADING.match(line)
    if found is None:
        return None
    return len(found.group(1)), found.group(2)


def adornment(line: str) -> str | None:
    """The character of an rST title adornment line (``=====``), else None."""
    stripped = line.rstrip()
    if len(stripped) >= 2 and not stripped[0].isalnum() and not stripped[0].isspace() \
            and stripped == stripped[0] * len(stripped):
        return stripped[0]
    return None


def rst_title_at(lines: Sequence[str], i: int) -> tuple[int, str, bool] | None:
    """The rST section title starting at ``lines[i]`` of free-form doc text,
    as the documentation build takes it out before parsing the text around
    it: (index of the title's text, adornment character, overlined), or None.
    Overlined: between two equal adornments.  Underlined: a line that is no
    adornment itself, after a blank line (or first), over an adornment at
    least as long."""
    over = adornment(lines[i])
    if over and i + 2 < len(lines) and adornment(lines[i + 2]) == over \
            and lines[i + 1].strip():
        return i + 1, over, True
    if i + 1 < len(lines) and lines[i].strip() and not lines[i][0].isspace() \
            and (i == 0 or not lines[i - 1].strip()) and over is None:
        under = adornment(lines[i + 1])
        if under is not None and len(lines[i + 1].rstrip()) >= len(lines[i].rstrip()):
            return i, under, False
    return None


class Heading(NamedTuple):
    """A heading of free-form doc text (`headings`): lines ``start`` to
    ``end`` (exclusive) of its block, the title's text on line ``title``;
    ``level`` for QEMU's ``= Title`` form, ``style`` (adornment, overlined)
    for an rST section title."""

    start: int
    title: int
    end: int
    text: str
    level: int | None
    style: tuple[str, bool] | None


def headings(lines: Sequence[str], first_block: bool) -> Iterator[Heading]:
    """The headings of one block of free-form doc text, as the documentation
    build takes them out before parsing the text around them (and lint reads
    them alike): ``= Title`` on a line before any other text of the comment's
    first block (*first_block*), and rST section titles (`rst_title_at`)."""
    i = 0
    text_before = not first_block
    while i < len(lines):
        legacy = None if text_before else old_heading(lines[i])
        if legacy is not None:
            yield Heading(i, i, i + 1, legacy[1], legacy[0], None)
            i += 1
            text_before = True
            continue
        found = rst_title_at(lines, i)
        if found is None:
            text_before = text_before or bool(lines[i].strip())
            i += 1
            continue
        title, char, overlined = found
        yield Heading(i, title, title + 2, lines[title].strip(), None, (char, overlined))
        i = title + 2
        text_before = True


def text_findings(where: Location, lines: Sequence[tuple[int, str]],
                  limit: int = LINE_LIMIT, spacing: bool = True,
                  text: str | None = None) -> list[Diagnostic]:
    """QEMU's text rules over doc lines (text after ``# ``) outside
    literal mode: lines over `limit` columns unless just a URL (QA302), and
    one space between sentences (QA304); `where` is the comment's start,
    `text` the lines' texts joined, when the caller has it."""
    width = limit - 2
    # A match cannot span a line break: one search of the joined lines
    # tells whether any line has one.
    if max(map(len, map(LINE_TEXT, lines)), default=0) <= width and not (
            spacing and search_any("\n".join(map(LINE_TEXT, lines)) if text is None else text,
                                   _SINGLE_SPACE_BY_MARK)):
        return []
    out: list[Diagnostic] = []
    file = where.file
    for number, text in qemu_prose(lines):
        if len(text) > width and not _URL_ONLY.match(text):
            out.append(DOC_LINE_LENGTH.at(
                Location(file, number, 1),
                f"documentation line longer than {limit} characters",
                context=where))
        if not spacing:
            continue
        marker = _LIST_MARKER.match(text)
        for m in _SINGLE_SPACE.finditer(text):
            dot = m.start()
            if _EG_END.search(text, 0, dot + 1) or (
                    marker is not None and marker.end() == dot + 2):
                continue
            line = file.lines[number - 1]
            hash_col = len(line) - len(line.lstrip())  # 0-based, of '#'
            out.append(SENTENCE_SPACING.at(
                Location(file, number, hash_col + dot + 4),
                "one space between sentences; QEMU wants two",
                context=where))
    return out


def long_lines(where: Location, lines: Sequence[tuple[int, str]],
               limit: int = LINE_LIMIT) -> list[Diagnostic]:
    """QA302 alone, for a line length other than QEMU's."""
    return text_findings(where, lines, limit, spacing=False)


def qemu_prose(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    """The doc lines QEMU's text rules look at: all but those in literal
    mode.  A line that is just ``::``, or an unindented ``.. qmp-example::``
    turns it on; the first later non-blank line indented less than the
    first indented one after it turns it off (and is checked)."""
    out: list[tuple[int, str]] = []
    literal = False
    ref = 0  # indentation of the first indented line in literal mode
    for number, text in lines:
        if literal:
            if not text:
                continue
            indent = len(text) - len(text.lstrip(" "))
            if not ref:
                ref = indent
                continue
            if indent >= ref:
                continue
            literal = False
        out.append((number, text))
        if text and (text[0] in " :." and _LITERAL_ON.match(text)):
            literal = True
            ref = 0
    return out


def literal_lines(lines: Sequence[tuple[int, str]]) -> list[tuple[int, str, bool]]:
    """Each doc line with whether it is inside a literal block: the
    indented body after a paragraph ending in ``::`` or after a directive
    such as ``.. qmp-example::`` (a directive's options included)."""
    out: list[tuple[int, str, bool]] = []
    block_indent = -1  # indentation of the line that opened the block
    pending = False  # saw an opener; block starts at the next indented line
    opener_indent = 0
    for number, text in lines:
        if not text:
            out.append((number, text, block_indent >= 0))
            continue
        indent = len(text) - len(text.lstrip(" "))
        if block_indent >= 0:
            if indent > block_indent:
                out.append((number, text, True))
                continue
            block_indent = -1
        if pending:
            pending = False
            if indent > opener_indent:
                block_indent = opener_indent
                out.append((number, text, True))
                continue
        stripped = text.strip()
        if _CODE_DIRECTIVE.match(stripped):
            # A code directive's body (options included) is its block.
            block_indent = indent
        elif stripped.endswith("::"):
            pending = True
            opener_indent = indent
        out.append((number, text, False))
    return out
