"""Markup rules (QD3xx): how doc comments are written, line by line.

Sentence spacing, trailing whitespace, continuation indentation, blank
lines around lists, between descriptions and at the ends of a comment,
markup the published documentation drops (the allow-list of
`qapidoc.core.allowlist`), and (strict preset only) rST that docutils
cannot parse.  Literal and example blocks are exempt.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from qapidoc.core.allowlist import may_drop, text_problem
from qapidoc.core.hints import TYPE_CHECKING
from qapidoc.core.source import Location, Severity, SourceFile
from qapidoc.lint.engine import Edit, Finding, LintContext, lint_rule
from qapidoc.lint.since import literal_flags
from qapidoc.schema.docs import by_first_char, search_any
from qapidoc.schema.model import DocComment, SectionKind

if TYPE_CHECKING:
    from qapidoc.lint.rst import ParsedDoc

_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "vs", "cf", "approx", "resp", "incl", "no", "nr",
    "Mr", "Mrs", "Ms", "Dr", "St", "Inc", "Ltd", "Corp", "Jr", "Sr", "al",
    "Fig", "fig", "Vol", "vol", "ca", "max", "min", "sec", "Ver", "ver", "esp",
})
"""Words whose trailing period does not end a sentence."""

_SENTENCE = re.compile(r"(?<!\S)(\S+)([.?!])(['\")\]]?) (?=[A-Z(\"'`@])")
_CANDIDATE = re.compile(r"[.?!]['\")\]]? [A-Z(\"'`@]")
"""Quick test for a possible single-spaced sentence end."""
_CANDIDATE_BY_MARK = by_first_char(".?!", r"['\")\]]? [A-Z(\"'`@]")
"""`_CANDIDATE`, for a whole doc comment (see `search_any`)."""
_INLINE_LITERAL = re.compile(r"``.*?``|`[^`]*`")


def _blank_out(text: str) -> str:
    """Inline literals and references masked with ``x`` (same columns), so
    that nothing inside them looks like a sentence end."""
    if "`" not in text:
        return text
    return _INLINE_LITERAL.sub(lambda m: "x" * len(m.group(0)), text)


@lint_rule("QD301", fixable=True, qemu_from="8.1")
def sentence_spacing(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        One space after a sentence's full stop, question or exclamation
        mark where QEMU's documentation uses two.  Abbreviations such as
        ``e.g.``, ``i.e.`` and ``etc.``, initials and list numbers are
        exempt; the finding points at the space.  QEMU's own check (QA304)
        finds the single spaces before an upper-case letter, a digit or
        ``(``; where both find the same space, one finding is reported,
        QA304, with this rule's fix.

    Why it matters:
        Two spaces keep sentence ends visible in monospaced source and let
        editors reflow text correctly; reviewers ask for it every time.

    What QEMU does:
        Separates sentences with two spaces in doc comments.

    Example:
        ##
        # @ping:
        #
        # Check the server is alive. "pong" comes back at once.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive.  "pong" comes back at once.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        if not search_any(doc.text, _CANDIDATE_BY_MARK):
            continue
        flags = literal_flags(ctx, doc)
        file = doc.location.file
        for ln in doc.lines:
            text = ln.text
            if not _CANDIDATE.search(text):
                continue
            if flags.get(ln.line):
                continue
            plain = _blank_out(text)
            for m in _SENTENCE.finditer(plain):
                word = m.group(1)
                if m.group(2) == "." and _not_sentence_end(word, plain, m.start()):
                    continue
                space = m.end() - 1
                _, member = ctx.where(doc, d, ln.line)
                col = ctx.doc_col(file, ln.line) + space
                yield Finding(ctx.at(file, ln.line, space),
                              "two spaces between sentences",
                              definition=d.name if d else doc.symbol,
                              member=member,
                              fix=(ctx.edit(file, ln.line, col, col, " "),))


def _not_sentence_end(word: str, line: str, start: int) -> bool:
    bare = word.lstrip("(\"'`*")
    if bare in _ABBREVIATIONS or bare.rstrip(".") in _ABBREVIATIONS:
        return True
    if "." in bare or ":" in bare or "/" in bare or "x" * 3 in bare:
        return True  # e.g. an abbreviation with inner dots, a URL, a literal
    if len(bare) == 1 and bare.isupper():
        return True  # an initial
    if bare.isdigit() and not line[:start].strip():
        return True  # "1. First item"
    return bare in ("#", "*", "-") or not bare


@lint_rule("QD302", fixable=True)
def trailing_whitespace(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        Spaces or tabs at the end of a line of a schema file.

    Why it matters:
        They are invisible, make diffs noisy and QEMU's checkpatch rejects
        them.

    What QEMU does:
        Has none; its checkpatch rejects them.

    Example:
        { 'command': 'ping' }   

    Use instead:
        { 'command': 'ping' }
    """  # noqa: W291
    for m in ctx.schema.modules:
        f = m.file
        if not _trailing_anywhere(f.text):
            continue
        for n, raw in enumerate(ctx.lines(f), 1):
            body = raw[:-1] if raw.endswith("\r") else raw
            stripped = body.rstrip(" \t")
            if len(stripped) != len(body):
                yield Finding(Location(f, n, len(stripped) + 1),
                              "trailing whitespace",
                              fix=(ctx.edit(f, n, len(stripped) + 1,
                                            len(body) + 1, ""),))


def _trailing_anywhere(text: str) -> bool:
    """Whether a line of a file's text ends in a space or tab: two
    substring searches, as the text has LF line endings only (`SourceFile`
    makes them so), the second only in text with a tab (a search for one
    character is the quick one)."""
    return " \n" in text or ("\t" in text and "\t\n" in text) or text.endswith((" ", "\t"))

_CONTINUED = (SectionKind.MEMBER, SectionKind.FEATURE, SectionKind.RETURNS,
              SectionKind.ERRORS, SectionKind.TODO, SectionKind.SINCE)


@lint_rule("QD303", qemu_from="8.1")
def continuation_indent(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        The lines after the first of a member description or tagged
        section not indented by exactly four spaces.

    Why it matters:
        QEMU indents continuation lines by four so that descriptions line
        up; other amounts work but read as a different structure.

    What QEMU does:
        Indents continuation lines by four spaces, as its specification
        asks, since its doc comments were reformatted for 8.1 (7.2.0 has
        almost a thousand aligned with the description's text; the rule
        is off for an older release); its parser accepts any indentation,
        so a slip goes unnoticed but renders the same.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more about what the server is doing while
        #           it waits
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more about what the server is doing while
        #     it waits
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    for doc, d in ctx.docs:
        if d is None:
            continue
        lines = doc.lines
        for s in doc.sections:
            if "\n" not in s.text and s.body_line <= s.location.line:
                continue  # most descriptions fit on their tag line
            end = s.end_line
            if end <= s.location.line or s.kind not in _CONTINUED:
                continue
            i = bisect.bisect_left(lines, (s.location.line + 1,))
            while i < len(lines) and lines[i].line <= end:
                n, t = lines[i]
                i += 1
                if not t:
                    continue
                indent = len(t) - len(t.lstrip(" "))
                if indent != 4:
                    yield Finding(ctx.at(doc.location.file, n, 0),
                                  f"indent continuation lines by 4 spaces, not "
                                  f"{indent}", definition=d.name,
                                  member=s.name or None)
                break


_BARE_TAG = re.compile(r"(@[^:]*|Returns|Errors|Since|TODO|Notes?|Examples?):\s*$")
"""A section tag with its text on the following lines (``Note(s):`` and
``Example(s):`` start the legacy sections of QEMU up to 9.0)."""
_TEXT_TAG = re.compile(r"(?:Returns|Errors|TODO|Notes?): ")
"""A section tag with its text after it (``Returns: - nothing``: the
list is the section's body, as QEMU 5.2 to 8.2 wrote it)."""
_ITEM = re.compile(r"( *)([-*+]|\d+\.|#\.) +\S")
_ITEM_ANYWHERE = re.compile(r"\n *+(?:[-*+]|\d++\.|#\.) ++\S")
"""A line `_ITEM` matches, searched in `LintContext.line_text`; possessive
repetitions, as nothing after them can start with what they repeat (the
indentation of every continuation line is not given back space by space)."""


def _line_text(doc: DocComment, line: int) -> str:
    """The text of a doc line ("" if blank), found by bisection: the
    lines are in order."""
    lines = doc.lines
    i = bisect.bisect_left(lines, (line,))
    return lines[i].text if i < len(lines) and lines[i].line == line else ""


def _blank_before(ctx: LintContext, file: SourceFile, line: int) -> Edit:
    """Insert an empty doc line before `line`."""
    raw = ctx.file_line(file, line)
    prefix = raw[:raw.find("#") + 1]
    return ctx.edit(file, line, 1, 1, prefix + ctx.newline(file))


@lint_rule("QD304", fixable=True, severity=Severity.ERROR, qemu_from="5.2")
def blank_line_around_list(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A list not preceded or not followed by a blank line.

    Why it matters:
        rST only recognises a list after a blank line; without one the
        items run together into a single garbled paragraph.

    What QEMU does:
        Puts a blank line before and after every list; its specification
        warns that otherwise the output is garbled, and its Sphinx build
        (``-W``) fails.  Before 5.2 its doc comments were not rST: a line
        starting with a dash was a list item wherever it stood.

    Example:
        ##
        # @ping:
        #
        # The server answers:
        # - at once, or
        # - after a timeout.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # The server answers:
        #
        # - at once, or
        # - after a timeout.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        if not _ITEM_ANYWHERE.search(ctx.line_text(doc)):
            continue
        flags = literal_flags(ctx, doc)
        file = doc.location.file
        name = d.name if d else doc.symbol
        prev = prev_raw = ""
        text_indent = -1  # indentation of the current list item's text
        item_indent = -1
        examples = {n for sec in doc.sections if sec.kind is SectionKind.EXAMPLE
                    for n in range(sec.location.line, sec.end_line + 1)}
        for ln in doc.lines:
            text = ln.text
            if flags.get(ln.line) or ln.line in examples:
                prev, text_indent = text, -1
                continue
            tagged = text.startswith("@") or _TEXT_TAG.match(text) is not None
            if tagged:
                colon = text.find(":")
                text = " " * (colon + 2) + text[colon + 1:].lstrip() if colon > 0 else text
                text_indent = -1  # a new description ends any list
            m = _ITEM.match(text)
            indent = len(text) - len(text.lstrip(" "))
            if not text.strip():
                pass
            elif m:
                same_list = text_indent >= 0 and (
                    indent == item_indent or indent >= text_indent)
                if (prev.strip() and not same_list and not tagged
                        and not _BARE_TAG.match(prev_raw)):
                    _, member = ctx.where(doc, d, ln.line)
                    yield Finding(ctx.at(file, ln.line, indent),
                                  "put a blank line before the list",
                                  definition=name, member=member,
                                  fix=(_blank_before(ctx, file, ln.line),))
                item_indent = indent
                text_indent = indent + len(m.group(2)) + 1
            elif text_indent >= 0 and indent < text_indent and prev.strip():
                if not tagged:
                    _, member = ctx.where(doc, d, ln.line)
                    yield Finding(ctx.at(file, ln.line, indent),
                                  "put a blank line after the list",
                                  definition=name, member=member,
                                  fix=(_blank_before(ctx, file, ln.line),))
                text_indent = -1
            elif indent < text_indent:
                text_indent = -1
            prev, prev_raw = text, ln.text


@lint_rule("QD305", fixable=True, severity=Severity.INFO, qemu_from="8.1")
def blank_line_between_descriptions(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A member, value or feature description that starts on the line
        right after the previous description.

    Why it matters:
        QEMU separates descriptions by a blank line, so that each stands out
        and long ones do not blur together.

    What QEMU does:
        Separates descriptions with a blank line, since the reformatting
        for 8.1 (off for an older release).  It renders the same either
        way: advice.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more
        # @count: how many times
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool', '*count': 'int' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more
        #
        # @count: how many times
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool', '*count': 'int' } }
    """
    described = (SectionKind.MEMBER, SectionKind.FEATURE)
    for d, doc in ctx.documented:
        previous = None
        for s in doc.sections:
            kind = s.kind
            if (kind in described and previous in described
                    and _line_text(doc, s.location.line - 1).strip()):
                file = s.location.file
                yield Finding(s.location, f"put a blank line before the "
                              f"description of '{s.name}'", definition=d.name,
                              member=s.name,
                              fix=(_blank_before(ctx, file, s.location.line),))
            previous = kind


@lint_rule("QD306", fixable=True, severity=Severity.INFO, qemu_from="8.1")
def extra_blank_lines(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        Two or more blank lines in a row in a doc comment, or a blank line
        right after the opening ``##`` or before the closing ``##``.

    Why it matters:
        One blank line separates paragraphs; more carry no meaning and
        make comments uneven.

    What QEMU does:
        Uses single blank lines.  It renders the same either way:
        advice.

    Example:
        ##
        # @ping:
        #
        # Check the server is alive.
        #
        #
        # Since: 9.0
        #
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        lines = doc.lines
        if not lines or not (lines[0].text == "" or lines[-1].text == ""
                             or "\n\n\n" in doc.text):
            continue
        file = doc.location.file
        flags = literal_flags(ctx, doc)
        name = d.name if d else doc.symbol
        for i, ln in enumerate(lines):
            if ln.text or (flags.get(ln.line) and 0 < i < len(lines) - 1):
                continue
            if ctx.file_line(file, ln.line).strip() != "#":
                continue
            first = i == 0 and ln.line == doc.location.line + 1
            last = i == len(lines) - 1 and ln.line == doc.end_line - 1
            double = i > 0 and not lines[i - 1].text.strip() and (
                lines[i - 1].line == ln.line - 1)
            if first or last or double:
                where = ("after '##'" if first else "before '##'" if last
                         else "in a row")
                yield Finding(Location(file, ln.line, 1),
                              f"remove the extra blank line {where}",
                              definition=name,
                              fix=(Edit(file.path, ctx.offset(file, ln.line),
                                        ctx.offset(file, ln.line + 1), ""),))


@lint_rule("QD307", severity=Severity.ERROR)
def unsafe_markup(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        Doc text the documentation build drops because it is not on the
        allow-list of safe markup (the Security page lists it): directives
        and roles outside it (``image``, ``figure``, ``include``, ``raw``,
        ``meta``, ``toctree``, ``:download:``, unknown ones …) in any
        spelling, also inside lists, tables and substitution definitions;
        link targets whose scheme is not http, https or mailto; nesting
        deeper than 32 levels; a line longer than 1,000 characters (the
        parser would take seconds per line); text the parser cannot handle.  The finding
        says what is dropped and why, at the line where it is written.

    Why it matters:
        Documentation built from a schema is published, and anyone can send
        a schema patch: these constructs could copy files of the build
        machine into the site or put script and redirects into its pages.
        The build drops them and fails; lint says so first.

    What QEMU does:
        Uses only plain rST markup and its own directives in doc
        comments.

    Example:
        ##
        # @ping:
        #
        # .. raw:: html
        #
        #    <script>alert(1)</script>
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        text = doc.text
        if not may_drop(text) and text_problem(text) is None:
            continue
        for line, message in _parsed(ctx, doc).dropped:
            yield Finding(ctx.at(doc.location.file, line, 0), message,
                          definition=d.name if d else doc.symbol)


def _parsed(ctx: LintContext, doc: DocComment) -> ParsedDoc:
    """The doc comment parsed through the allow-list, once per lint run."""
    from qapidoc.lint.rst import parse_doc

    cache: dict[int, ParsedDoc] = ctx.__dict__.setdefault("_parsed_docs", {})
    found = cache.get(id(doc))
    if found is None:
        found = cache[id(doc)] = parse_doc(doc)
    return found


@lint_rule("QD308", severity=Severity.ERROR, preset="strict")
def rst_syntax(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        Documentation text that docutils reports as malformed rST
        (unterminated inline markup, bad indentation, broken tables,
        unknown directives), reported at the schema line.  Only in the
        strict preset, which loads docutils.

    Why it matters:
        The manual is built from this text; what docutils cannot parse
        comes out garbled or breaks the documentation build.

    What QEMU does:
        Builds its manual with ``sphinx-build -W``, so malformed markup
        fails its build.

    Example:
        ##
        # @ping:
        #
        # Check the server is **alive.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is **alive**.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        for line, col, message in _parsed(ctx, doc).problems:
            yield Finding(ctx.at(doc.location.file, line, col), message,
                          definition=d.name if d else doc.symbol)
