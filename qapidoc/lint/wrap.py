"""The fix of doc-line-too-long (QA302): rewrap the paragraph.

A patch author should not have to rewrap by hand what the linter measured.
Only plain prose is rewrapped — a paragraph of one indentation, or a
description whose first line starts ``@name:`` or a section tag and whose
other lines share one indentation.  Lists, directives, tables, titles,
literal blocks and lines carrying a suppression are left alone, so the
rewrap never changes what the documentation renders.  Spaces between words
on one line are kept; where two lines are joined after a sentence end, two
spaces separate them, as QEMU writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qapidoc.core.record import replace
from qapidoc.core.source import Diagnostic
from qapidoc.lint.engine import Edit, LintContext
from qapidoc.lint.since import literal_flags
from qapidoc.schema.docs import adornment
from qapidoc.schema.model import DocComment

__all__ = ["rewrap_fix", "rewrap_fixes"]

_LEAD = re.compile(r"(?:(?:@[^:\s]+|Returns|Errors|Features|TODO):(?!:)"
                   r"|(\.\. (?:note|warning|important|tip|caution|hint|attention"
                   r"|danger|error|seealso)::)) +(?=\S)")
"""The start of a description, a section or an admonition whose text may
follow on its line (group 1: an admonition, whose body rST indents by 3)."""
_STRUCTURE = re.compile(
    r"""(?: [-*+•] | \#\. | \d+[.)] | [A-Za-z][.)] | \(\w+\) )(?:\s|\Z)   # list items
    | \.\.(?!\ (?:note|warning|important|tip|caution|hint|attention|danger|error
                   |seealso)::\ +\S)        # directives, comments, targets
    | [|+=>~^] | : [^:\s]                   # tables, line blocks, titles, fields
    | (?:Since|Notes?|Examples?):           # one-line and legacy sections
    """,
    re.VERBOSE,
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\Z")
_SENTENCE_START = re.compile(r"[A-Z0-9(\"'`]")
_NO_END = re.compile(r"(?:e\.g|i\.e)\.\Z")
_WORD = re.compile(r"\S+")
_SINCE_WORD = re.compile(r"(?:^|\()[Ss]ince:?\Z")
"""A since note's first word: its version stays on its line."""
CONTINUATION = "    "
"""How QEMU indents the lines after a description's first line."""
REFORMATTED = (8, 1)
"""The release whose doc comments first used `CONTINUATION` (see QD303)."""


def rewrap_fixes(ctx: LintContext, findings: Sequence[Diagnostic],
                 limit: int) -> list[tuple[Diagnostic, tuple[Edit, ...]]]:
    """Each QA302 finding with the rewrap that fixes it (marked fixable),
    or with none."""
    docs = {(doc.location.path, doc.location.line): doc for doc, _ in ctx.docs}
    out: list[tuple[Diagnostic, tuple[Edit, ...]]] = []
    for d in findings:
        where = d.context
        doc = docs.get((where.path, where.line)) if where is not None else None
        fix = rewrap_fix(ctx, d, doc, limit) if doc is not None else ()
        out.append((replace(d, fixable=True) if fix else d, fix))
    return out


def rewrap_fix(ctx: LintContext, finding: Diagnostic, doc: DocComment,
               limit: int) -> tuple[Edit, ...]:
    """Edits that rewrap the paragraph holding *finding*'s line of *doc*
    to *limit* columns, or () when it is not plain prose."""
    flags = literal_flags(ctx, doc)
    by_line = {ln.line: ln.text for ln in doc.lines}
    line = finding.location.line
    if not _prose(by_line.get(line), flags.get(line, False)):
        return ()
    first, last = _paragraph(by_line, flags, line)
    if _ambiguous(by_line, flags, first, last):
        return ()
    file = doc.location.file
    texts = [by_line[n] for n in range(first, last + 1)]
    raws = [ctx.file_line(file, n) for n in range(first, last + 1)]
    hash_at = raws[0].find("#")
    margin = raws[0][:hash_at] + "# "
    if any(raw.rstrip() != (margin + text).rstrip() or "qapidoc:" in raw
           for raw, text in zip(raws, texts, strict=True)):
        return ()
    indent = _indent(texts[0])
    lead = _LEAD.match(texts[0]) if indent == 0 else None
    head = texts[0][:lead.end()] if lead else texts[0][:indent]
    if lead and _STRUCTURE.match(texts[0], lead.end()):
        return ()  # '@type: - a list': its items' indentation is the list's
    # continuation lines keep theirs; a one-line description gets QEMU's
    rest = (" " * _indent(texts[1]) if len(texts) > 1 else head if not lead
            else "   " if lead.group(1) else _continuation(ctx, head))
    words = _words([texts[0][len(head):], *(t.strip() for t in texts[1:])])
    lines = _fill(words, margin + head, margin + rest, limit + hash_at)
    if lines == [raw.rstrip() for raw in raws]:
        return ()
    nl = ctx.newline(file)
    return (Edit(file.path, ctx.offset(file, first), ctx.offset(file, last + 1),
                 nl.join(lines) + nl),)


def _continuation(ctx: LintContext, head: str) -> str:
    """A one-line description's continuation: QEMU's four spaces, or for a
    release before 8.1 (when they came in) aligned under its text."""
    if ctx.release is not None and ctx.release < REFORMATTED:
        return " " * len(head)
    return CONTINUATION


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _prose(text: str | None, literal: bool) -> bool:
    """Whether a doc line is plain text that may be rewrapped."""
    if not text or literal or not text.strip():
        return False
    body = text.lstrip(" ")
    return not (_STRUCTURE.match(body) or adornment(body) or body.strip() == "::")


def _paragraph(by_line: dict[int, str], flags: dict[int, bool],
               line: int) -> tuple[int, int]:
    """First and last line of the paragraph holding *line*: lines of one
    indentation, under the ``@name:`` (or tag) line that opens them."""
    def prose(n: int) -> bool:
        return _prose(by_line.get(n), flags.get(n, False))

    def opens(n: int) -> bool:
        return _opens(by_line[n])

    first = line
    while not opens(first) and prose(first - 1):
        here, above = _indent(by_line[first]), _indent(by_line[first - 1])
        # a description's indented continuation, or one more line alike
        if not (here > 0 if opens(first - 1) else here == above):
            break
        first -= 1
    if first < line:
        body: int | None = _indent(by_line[first + 1])
    elif opens(first):
        below = first + 1
        body = _indent(by_line[below]) if (prose(below) and not opens(below)
                                           and _indent(by_line[below]) > 0) else None
    else:
        body = _indent(by_line[first])
    last = line
    while body is not None and prose(last + 1) and not opens(last + 1) \
            and _indent(by_line[last + 1]) == body:
        last += 1
    return first, last


def _ambiguous(by_line: dict[int, str], flags: dict[int, bool],
               first: int, last: int) -> bool:
    """Whether text joins the paragraph without sharing its indentation
    (an unindented continuation, as older schemas wrote): what such lines
    mean depends on the reader, so they are not rewrapped."""
    above, below = by_line.get(first - 1), by_line.get(last + 1)
    if _prose(above, flags.get(first - 1, False)) and not _opens(by_line[first]):
        return True
    if not below or _opens(below):
        return False
    # text right after it: a one-line description would gain continuation
    # lines indented unlike what follows (``Since: 2.6`` with no blank line)
    return _prose(below, flags.get(last + 1, False)) or (
        first == last and _opens(by_line[first]))


def _opens(text: str) -> bool:
    return _indent(text) == 0 and _LEAD.match(text) is not None


def _words(parts: Sequence[str]) -> list[tuple[str, str]]:
    """(separator before, word) for the paragraph's words: a line's own
    spacing kept (at most two), two spaces across a line break after a
    sentence end, else one."""
    out: list[tuple[str, str]] = []
    for part in parts:
        previous_end = 0
        for i, m in enumerate(_WORD.finditer(part)):
            word = m.group(0)
            if i:
                gap = part[previous_end:m.start()]
                sep = "  " if len(gap) > 1 else " "
            elif not out:
                sep = ""
            else:
                before = out[-1][1]
                sep = "  " if (_SENTENCE_END.search(before) and not _NO_END.search(before)
                               and _SENTENCE_START.match(word)) else " "
            if out and sep and _SINCE_WORD.search(out[-1][1]) and word[:1].isdigit():
                out[-1] = (out[-1][0], f"{out[-1][1]} {word}")  # one '(since X.Y)'
            else:
                out.append((sep, word))
            previous_end = m.end()
    return out


def _fill(words: Sequence[tuple[str, str]], head: str, rest: str,
          limit: int) -> list[str]:
    """Greedy fill to *limit* columns; a word longer than a line stands alone."""
    lines: list[str] = []
    current = head
    empty = True
    for sep, word in words:
        if not empty and len(current) + len(sep) + len(word) > limit:
            lines.append(current.rstrip())
            current, empty = rest, True
        current += word if empty else sep + word
        empty = False
    lines.append(current.rstrip())
    return lines
