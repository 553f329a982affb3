"""Reader: schema files → located JSON-like nodes, raw doc comments, includes.

Scans each file with one compiled regular expression, parses QAPI's JSON
dialect into `Obj`/`Arr`/`Str`/`Bool` nodes with a `Location` each, follows
include directives (each file read once, cycles reported with their chain)
and reads pragma directives.  `qapidoc.schema.expressions` checks what comes out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from itertools import compress, repeat
from operator import itemgetter

from qapidoc.core.hints import TYPE_CHECKING, NamedTuple, cast
from qapidoc.core.inputs import (
    SCHEMA_LIMIT,
    InputError,
    inside_resolved,
    read_text_file,
    real_path,
)
from qapidoc.core.lazy import lazy
from qapidoc.core.record import field, record, replace
from qapidoc.core.registry import rule
from qapidoc.core.source import Diagnostic, Location, Severity, SourceFile
from qapidoc.schema.dialects import (
    OLD_NAMING_PRAGMA,
    OLD_PRAGMA,
    OLD_PRAGMAS,
    whitelist_owner,
)
from qapidoc.schema.model import DocLine

if TYPE_CHECKING:
    from typing import Any

SYNTAX_ERROR = rule(
    "QA001", "syntax-error",
    "The file is not valid QAPI schema syntax.",
    rationale="A schema that does not parse cannot be checked, built or "
    "documented; the error points at the offending character.",
    bad="{ 'enum': 'Status', 'data': [ 'good' ]; }",
    good="{ 'enum': 'Status', 'data': [ 'good' ] }",
)
UNREADABLE = rule(
    "QA002", "unreadable-file",
    "A schema or included file cannot be read: missing, not a regular file "
    "(a directory, FIFO or device), too large, not UTF-8 text, an "
    "include outside the schema's directory tree, or includes nested "
    "more than 100 files deep.",
    rationale="Every file of the schema must be readable text; a schema "
    "must not make qapidoc read other files of the machine it runs on.",
    bad="{ 'include': 'no-such-file.json' }",
    good="{ 'include': 'common.json' }",
)
MAX_INCLUDE_DEPTH = 100
"""Deepest chain of includes read (QEMU's is 3): each level is a nested
call of the reader, and of every stage that follows the include tree."""
INCLUDE_CYCLE = rule(
    "QA003", "include-cycle",
    "A file includes itself, directly or through other files.",
    rationale="A cycle means no include order exists; the message shows "
    "the chain.",
)
BAD_DIRECTIVE = rule(
    "QA004", "bad-directive",
    "An include or pragma directive is malformed, or a pragma is unknown "
    "or has a value of the wrong type.",
    rationale="Directives steer how the whole schema is read and checked.",
    bad="{ 'pragma': { 'doc-required': 'yes' } }",
    good="{ 'pragma': { 'doc-required': true } }",
)
BAD_DOC_SYNTAX = rule(
    "QA005", "doc-comment-syntax",
    "A documentation comment is not delimited by ``##`` lines or a line in "
    "it does not start with ``#`` followed by a space.",
    rationale="Doc comments are the source of the reference manual; one "
    "that is not closed swallows the definitions after it.",
    bad="##\n#An intro\n{ 'command': 'ping' }",
    good="##\n# @ping:\n#\n# Check the server is alive.\n##\n"
    "{ 'command': 'ping' }",
)

EMPTY_FILE = rule(
    "QA006", "empty-schema-file",
    "A schema file defines nothing: no definitions, directives or "
    "documentation.",
    severity=Severity.WARNING,
    preset="recommended",
    rationale="QEMU accepts an empty file, but it is almost always a "
    "mistake: a truncated file or a wrong path.",
    bad="# TODO",
    good="{ 'command': 'ping' }",
)

MAX_DEPTH = 200
"""Deeper nesting than this is reported instead of recursing further."""


# --------------------------------------------------------------------------
# Nodes


# Nodes are named tuples: a schema has tens of thousands of them, and a
# tuple is several times cheaper to create than a frozen dataclass.


class Str(NamedTuple):
    value: str
    loc: Location


class Bool(NamedTuple):
    value: bool
    loc: Location


class Arr(NamedTuple):
    items: list[Node]
    loc: Location


class Obj(NamedTuple):
    """An object; `items` keeps source order, keys are unique."""

    items: list[tuple[Str, Node]]
    loc: Location

    def get(self, key: str) -> Node | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def key(self, key: str) -> Str | None:
        for k, _ in self.items:
            if k.value == key:
                return k
        return None

    def keys(self) -> list[str]:
        return [k.value for k, _ in self.items]


Node = Str | Bool | Arr | Obj


def node_type(node: Node) -> str:
    return {Str: "string", Bool: "boolean", Arr: "array", Obj: "object"}[type(node)]


# --------------------------------------------------------------------------
# What the reader hands on


@record
class RawDoc:
    """A ``##`` doc comment: its raw lines (text after ``#``) with numbers,
    and their texts joined with newlines."""

    loc: Location
    lines: list[DocLine]
    text: str
    end_line: int
    before_broken: bool = False


@record(frozen=False)
class TopExpr:
    """A top-level definition expression and the doc comment before it."""

    expr: Obj
    doc: RawDoc | None
    file: SourceFile
    doc_broken: bool = False  # its doc comment was there but unreadable


@record(frozen=False)
class IncludeItem:
    path: str
    loc: Location
    file: SourceFile | None  # None when already read, missing or a cycle


@record(frozen=False)
class FileItems:
    file: SourceFile
    items: list[TopExpr | RawDoc | IncludeItem] = field(default_factory=list)


@record(frozen=False)
class PragmaValues:
    doc_required: bool = False
    lists: dict[str, list[str]] = field(default_factory=dict)
    old_naming: bool = False  # naming rules before QEMU 6.0 (see dialects)


@record(frozen=False)
class ReadResult:
    files: list[FileItems]
    pragmas: PragmaValues
    diagnostics: list[Diagnostic]
    root: SourceFile | None
    broken_names: set[str] = field(default_factory=set)
    """Names of definitions whose expression did not parse."""


# --------------------------------------------------------------------------
# Scanning

_SKIPPED = r"[^\S\n]*+(?:\#(?!\#)[^\n]*+)?+"
"""What of a line the scanner skips: blanks, then a comment unless it
starts with ``##`` (doc comments open and close with those)."""
_TOKEN = re.compile(
    r"""
    [^\S\n]*+
    (?:
      (?P<punct>[{}\[\]:,])
    | (?P<plain>'[ -&(-\[\]-~]*+')(?:[^\S\n]*+(?P<sep>[:,]))?
    | (?P<str>'[^'\\\n]*(?:\\[^\n][^'\\\n]*)*')
    | (?P<comment>\#[^\n]*+)
    | (?P<bool>true|false)
    | (?P<badstr>'[^\n]*)
    | (?P<other>[^\[\]{}:,\s']++)
    | (?P<break>\n[^\S\n]*+)(?!\s|\#(?!\#))
    | (?P<newline>(?:\n""" + _SKIPPED + r""")++)
    | \Z
    )
    """,
    re.VERBOSE,
)
"""One token and the blanks before it (any white space but a newline, as
in QEMU).  ``true``/``false`` are matched as prefixes, so the tail of
``trueish`` is stray text of its own, and stray text runs up to the next
structural character, blank or quote.  A ``plain`` string (printable
ASCII, no escapes: nearly all of them) is a ``str`` the scanner need not
look into; the ``:`` or ``,`` after it on its line (``sep``), nearly every
one of either, comes in the same match (a match fewer each).  A
``newline`` takes the line break with every comment line and blank line
after it: most of a schema is skipped in C; a ``break`` is such a token
of one line break (the commonest: its line is counted without looking
into it).  The
repetitions are possessive (``*+``, ``++``): what follows each can never
start with what it repeats, so giving characters back could not help, and
the engine keeps no state to give them back (a fifth of the scan)."""
_GROUPS = {i: name for name, i in _TOKEN.groupindex.items()}
assert _GROUPS[1] == "punct" and _GROUPS[2] == "plain" and _GROUPS[3] == "sep"
_NEWLINE = _TOKEN.groupindex["newline"]
_BREAK = _TOKEN.groupindex["break"]
_LEADING = re.compile(_SKIPPED + r"(?:\n" + _SKIPPED + ")*")
"""Comment and blank lines at the start of a file (and the blanks of its
first line of code)."""
_BAD_DOC_LINE = re.compile(r"\n#[^ \n]")
"""A doc comment line (blanks stripped, after a line break) with no space
after its ``#``."""
_AFTER_HASH = itemgetter(slice(2, None))
_ESCAPE = lazy(r"\\(.)")
_PRINTABLE = lazy(r"[ -~]*")
_PUNCTUATION = frozenset("!\"$%&()*+-./;<=>?@\\^`|~")
"""Stray characters a message may show; a word or any other character of
a file that may not be a schema at all (a secret, a terminal escape) is
never echoed."""

# token kinds: "{", "}", "[", "]", ":", ",", "str", "true", "false",
# "comment", "##" (a comment starting with "##"), "junk" (value: the
# message saying what is wrong), "eof"
Token = tuple[str, str, int, int]  # kind, value, line, col


class ParseError(Exception):
    def __init__(self, loc: Location, message: str, index: int = -1) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.index = index


def scan(src: SourceFile) -> list[Token]:
    """Split a file into tokens.

    Lexical errors become ``junk`` tokens carrying their message: the
    parser reports the first one of an expression and skips the rest of it,
    as QEMU stops at its first error.  Plain comment lines, most of a
    schema, produce no tokens at all; a line starting with ``##`` is one
    ``##`` token.  The doc comment reader takes its lines straight from
    `SourceFile.lines`."""
    tokens: list[Token] = []
    append = tokens.append
    text = src.text
    first, line, before = _first_token(text)  # `before`: the offset before the line
    for m in _TOKEN.finditer(text, first):
        group = m.lastindex
        if group == 1:  # punctuation, the commonest token
            val = m[1]
            append((val, val, line, m.start(1) - before))
            continue
        if group == 2:
            append(("str", m[2][1:-1], line, m.start(2) - before))
            continue
        if group == 3:
            append(("str", m[2][1:-1], line, m.start(2) - before))
            val = m[3]
            append((val, val, line, m.start(3) - before))
            continue
        if group == _BREAK:
            line += 1
            before = m.start(group)
            continue
        if group == _NEWLINE:
            val = m[group]
            line += val.count("\n")
            before = m.start(group) + val.rfind("\n")
            continue
        if group is None:  # the end of the text
            continue
        val = m[group]
        col = m.start(group) - before
        kind = _GROUPS[group]
        if kind == "str":
            body_s = val[1:-1]
            if "\\" in body_s:
                bad = _bad_escape(body_s)
                if bad is not None:
                    append(("junk", f"unknown escape \\{bad}", line, col))
                    continue
                body_s = _ESCAPE.sub(r"\1", body_s)
            if _PRINTABLE.fullmatch(body_s) is None:
                append(("junk", "funny character in string (only "
                        "printable ASCII is allowed)", line, col))
                continue
            append(("str", body_s, line, col))
        elif kind == "comment":
            append(("##" if val.startswith("##") else "comment", val,
                    line, col))
        elif kind == "bool":
            append((val, val, line, col))
        elif kind == "badstr":
            append(("junk", "missing terminating \"'\"", line, col))
        else:
            append(("junk", _stray_message(val), line, col))
    # End of file sits at the end of the last line, like an editor's cursor.
    lines = src.lines
    if len(lines) > 1 and lines[-1] == "":
        eof_line, eof_col = len(lines) - 1, len(lines[-2]) + 1
    else:
        eof_line, eof_col = len(lines), len(lines[-1]) + 1
    append(("eof", "", max(eof_line, 1), eof_col))
    return tokens


def _first_token(text: str) -> tuple[int, int, int]:
    """Where the scan of `text` starts, past the comment and blank lines
    that open it: the offset, its line and the offset before that line's
    first character."""
    lead = _LEADING.match(text)
    assert lead is not None  # it matches the empty string
    skipped = lead.group()
    return lead.end(), 1 + skipped.count("\n"), skipped.rfind("\n")


def _stray_message(val: str) -> str:
    """What is wrong with stray text, without echoing it: a file that is
    not a schema may hold a secret.  Punctuation alone is shown."""
    c = val[0]
    if c == '"':
        return "double-quoted string: QAPI strings use single quotes"
    if c.isalpha() or c == "_":
        return "unquoted word (names and values are strings in single quotes)"
    if c.isdigit():
        return "number: QAPI values are strings in single quotes or booleans"
    if c in _PUNCTUATION:
        return f"stray '{c}'"
    return f"stray character U+{ord(c):04X}"


def _bad_escape(body: str) -> str | None:
    for m in _ESCAPE.finditer(body):
        if m.group(1) != "\\":
            return m.group(1)
    return None


# --------------------------------------------------------------------------
# Parsing one file


class _FileParser:
    """Recursive-descent parser over one file's token list."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        self.tokens = scan(src)
        self.diags: list[Diagnostic] = []
        self.pos = 0
        self.broken_names: list[str] = []
        first = next(t for t in self.tokens if t[0] != "comment")
        if first[0] == "junk":
            # Not a schema (a key file, /proc/...): one finding, no echo.
            self.diags = [SYNTAX_ERROR.at(self.loc(first), "not a QAPI schema file: "
                                          "it must start with '{' or a comment")]
            self.tokens = [t for t in self.tokens if t[0] == "eof"]

    def loc(self, tok: Token) -> Location:
        return Location(self.src, tok[2], tok[3])

    def peek(self) -> Token:
        """The next token that is not an in-expression comment.  A ``##``
        comment is a token of its own (kind ``##``), as in QEMU: inside an
        expression it is an error."""
        toks = self.tokens
        while toks[self.pos][0] == "comment":
            self.pos += 1
        return toks[self.pos]

    def next(self) -> Token:
        toks = self.tokens
        pos = self.pos
        tok = toks[pos]
        while tok[0] == "comment":
            pos += 1
            tok = toks[pos]
        self.pos = pos + 1 if tok[0] != "eof" else pos
        return tok

    def fail(self, tok: Token, message: str) -> ParseError:
        """The error at `tok`: a lexical error's own message if it is one."""
        if tok[0] == "junk":
            message = tok[1]
        elif tok[0] == "##":
            message += " (a '##' documentation comment cannot be inside an " \
                "expression)"
        return ParseError(self.loc(tok), message)

    def value(self, depth: int) -> Node:
        tok = self.next()
        kind = tok[0]
        if kind == "str":
            return Str(tok[1], self.loc(tok))
        if kind == "{":
            return self.obj(tok, depth + 1)
        if kind == "[":
            return self.arr(tok, depth + 1)
        if kind in ("true", "false"):
            return Bool(kind == "true", self.loc(tok))
        raise self.fail(tok, "expected value")

    # The parser makes a node and a location per token.  It builds the
    # named tuples with `tuple.__new__`, as their own constructors do, minus
    # a Python-level call each, and takes a string value (most values), a
    # ':', a ',' and the key after it, or a closing bracket straight from
    # the token list when no comment is in the way.

    def obj(self, start: Token, depth: int) -> Obj:
        if depth > MAX_DEPTH:
            raise self.fail(start, f"nesting deeper than {MAX_DEPTH} levels")
        items: list[tuple[Str, Node]] = []
        seen: set[str] = set()
        toks = self.tokens
        src = self.src
        new = tuple.__new__
        tok = self.next()
        if tok[0] == "}":
            return new(Obj, (items, new(Location, (src, start[2], start[3]))))
        while True:
            if tok[0] != "str":
                raise self.fail(tok, "expected string or '}'"
                                if not items else "expected string")
            name = tok[1]
            key = new(Str, (name, new(Location, (src, tok[2], tok[3]))))
            pos = self.pos
            if toks[pos][0] == ":":
                pos += 1
            else:
                colon = self.next()
                if colon[0] != ":":
                    raise self.fail(colon, "expected ':'")
                pos = self.pos
            if name in seen:
                # Where QEMU stops: at the value after the colon.
                self.pos = pos
                raise ParseError(self.loc(self.peek()),
                                 f"duplicate key '{name}'")
            seen.add(name)
            val = toks[pos]
            if val[0] == "str":
                pos += 1
                items.append((key, new(Str, (val[1], new(Location, (src, val[2], val[3]))))))
            else:
                self.pos = pos
                items.append((key, self.value(depth)))
                pos = self.pos
            tok = toks[pos]
            if tok[0] == "}":
                self.pos = pos + 1
                return new(Obj, (items, new(Location, (src, start[2], start[3]))))
            if tok[0] == "," and toks[pos + 1][0] == "str":
                tok = toks[pos + 1]
                self.pos = pos + 2
                continue
            self.pos = pos  # a comment in the way, or an error: as `next` reads
            tok = self.next()
            if tok[0] == "}":
                return new(Obj, (items, new(Location, (src, start[2], start[3]))))
            if tok[0] != ",":
                raise self.fail(tok, "expected ',' or '}'")
            tok = self.next()

    def arr(self, start: Token, depth: int) -> Arr:
        if depth > MAX_DEPTH:
            raise self.fail(start, f"nesting deeper than {MAX_DEPTH} levels")
        items: list[Node] = []
        toks = self.tokens
        src = self.src
        new = tuple.__new__
        tok = self.peek()
        if tok[0] == "]":
            self.next()
            return new(Arr, (items, new(Location, (src, start[2], start[3]))))
        if tok[0] not in ("str", "{", "[", "true", "false"):
            raise self.fail(tok, "expected '{', '[', ']', string, or boolean")
        while True:
            pos = self.pos
            val = toks[pos]
            if val[0] == "str":
                pos += 1
                items.append(new(Str, (val[1], new(Location, (src, val[2], val[3])))))
            else:
                items.append(self.value(depth))
                pos = self.pos
            tok = toks[pos]
            if tok[0] == "]":
                self.pos = pos + 1
                return new(Arr, (items, new(Location, (src, start[2], start[3]))))
            if tok[0] == ",":
                self.pos = pos + 1
                continue
            self.pos = pos  # a comment in the way, or an error: as `next` reads
            tok = self.next()
            if tok[0] == "]":
                return new(Arr, (items, new(Location, (src, start[2], start[3]))))
            if tok[0] != ",":
                raise self.fail(tok, "expected ',' or ']'")

    def recover(self, err: ParseError) -> None:
        """Skip past the error to the next plausible start of a top-level
        expression, a ``{`` or ``##`` in column 1.  What is skipped is not
        reported: QEMU stops at the first error, and later complaints about
        the same expression would only be consequences of it."""
        toks = self.tokens
        after = (err.loc.line, err.loc.col)
        while True:
            tok = toks[self.pos]
            if tok[0] == "eof":
                return
            if tok[3] == 1 and tok[0] in ("{", "##") and (tok[2], 1) > after:
                return
            self.pos += 1

    def report(self, err: ParseError) -> None:
        self.diags.append(SYNTAX_ERROR.at(err.loc, err.message))

    def salvage_name(self, start: int) -> None:
        """The name a broken expression was defining, if it got that far:
        references to it are then not reported as unknown."""
        toks = self.tokens
        if (len(toks) > start + 3 and toks[start + 1][0] == "str"
                and toks[start + 2][0] == ":" and toks[start + 3][0] == "str"):
            self.broken_names.append(toks[start + 3][1])

    def doc_comment(self, first: Token) -> RawDoc | None:
        """Read a doc comment starting at a ``##`` token; None if broken.

        Its lines come from the source lines, not tokens: comment lines
        have none.  Blank lines inside are allowed, as QEMU allows them."""
        start = self.loc(first)
        src_lines = self.src.lines
        number = first[2]
        after_code = bool(src_lines[number - 1][:first[3] - 1].strip())
        if after_code:
            self.diags.append(BAD_DOC_SYNTAX.at(
                start, "a documentation comment must start on a line of its "
                "own"))
        elif first[1].rstrip("\r") != "##":
            self.diags.append(BAD_DOC_SYNTAX.at(
                start, "junk after '##' at start of documentation comment"))
        # The comment runs up to the next line the scanner kept (a "##"
        # line or code): the next token's.  Every line before it is blank
        # or a comment line.
        following = self.tokens[self.pos + 1]
        stop = following[2] - 1 if following[0] != "eof" else len(src_lines)
        clean = _clean_doc_lines(src_lines, number, stop)
        if clean is None:
            lines = self._doc_lines(number, stop)
            clean = lines, "\n".join(text for _, text in lines)
        number = stop
        end = None
        if number < len(src_lines):
            text = src_lines[number]
            number += 1
            stripped = text.lstrip()
            if stripped.startswith("##"):
                if stripped.rstrip("\r") != "##":
                    self.diags.append(BAD_DOC_SYNTAX.at(
                        Location(self.src, number, len(text) - len(stripped) + 1),
                        "junk after '##' at end of documentation comment"))
                end = number
        toks = self.tokens
        self.pos += 1
        if end is None:
            # Interrupted by code, or the file ended: report where.
            tok = toks[self.pos]
            while tok[0] in ("comment", "##") and tok[2] < number:
                self.pos += 1
                tok = toks[self.pos]
            if not after_code:
                self.diags.append(BAD_DOC_SYNTAX.at(
                    self.loc(tok), "documentation comment must end with '##'"))
            return None
        while toks[self.pos][2] <= end and toks[self.pos][0] != "eof":
            self.pos += 1
        return RawDoc(start, clean[0], clean[1], end)

    def _doc_lines(self, number: int, stop: int) -> list[DocLine]:
        """Doc lines from index `number` to `stop` of the source lines
        (blank or comment lines), each bad one reported."""
        lines: list[DocLine] = []
        src_lines = self.src.lines
        while number < stop:
            text = src_lines[number]
            number += 1
            stripped = text.lstrip()
            if not stripped:
                continue
            body = stripped[1:]
            if body and body[0] != " " and body != "\r":
                self.diags.append(BAD_DOC_SYNTAX.at(
                    Location(self.src, number, len(text) - len(stripped) + 2),
                    "missing space after #"))
                body = " " + body
            lines.append(DocLine(number, body[1:].rstrip()))
        return lines

    def top_level(self) -> list[TopExpr | RawDoc | Obj]:
        """All top-level items; directives come back as bare `Obj`s.

        A doc comment before an expression that does not parse is handed
        on marked `before_broken`: it is not "followed by nothing"."""
        out: list[TopExpr | RawDoc | Obj] = []
        toks = self.tokens
        pending: RawDoc | None = None
        broken_doc = False
        while True:
            tok = toks[self.pos]
            kind = tok[0]
            if kind == "eof":
                if pending is not None:
                    out.append(pending)
                return out
            if kind == "##":
                if pending is not None:
                    out.append(pending)
                pending = self.doc_comment(tok)
                broken_doc = pending is None
                continue
            if kind == "comment":
                self.pos += 1
                continue
            if kind != "{":
                if pending is not None:
                    out.append(pending)
                    pending = None
                err = self.fail(tok, "expected '{'" if kind in (
                    "}", "]", ":", ",") else "top-level expression must be "
                    "an object")
                self.report(err)
                self.recover(err)
                continue
            begin = self.pos
            try:
                self.pos += 1
                expr = self.obj(tok, 1)
            except ParseError as err:
                self.report(err)
                self.salvage_name(begin)
                if pending is not None:
                    out.append(replace(pending, before_broken=True))
                    pending = None
                self.recover(err)
                continue
            _file(out, expr, pending, self.src, broken_doc)
            pending = None
            broken_doc = False


def _clean_doc_lines(src_lines: list[str], number: int,
                     stop: int) -> tuple[list[DocLine], str] | None:
    """The doc lines from index `number` to `stop` of the source lines
    (blank or comment lines) when all are well formed, ``#`` or ``# text``:
    numbered DocLines of the text after ``# ``, blank lines left out, made
    in C (doc lines are most lines of a schema; tuple.__new__ as in `obj`),
    and their texts joined.  None when a line needs
    `_FileParser._doc_lines`, which reports it."""
    chunk = list(map(str.lstrip, src_lines[number:stop]))
    if _BAD_DOC_LINE.search("\n" + "\n".join(chunk)):
        return None
    texts = list(map(str.rstrip, map(_AFTER_HASH, compress(chunk, chunk))))
    return list(map(tuple.__new__, repeat(DocLine), zip(
        compress(range(number + 1, stop + 1), chunk), texts, strict=True))), "\n".join(texts)


def quick_items(src: SourceFile) -> list[TopExpr | RawDoc | Obj] | None:
    """What `_FileParser.top_level` makes of a file of well-formed
    expressions and doc comments, read straight from the scanner's matches:
    no token list, no call per token (a schema file is mostly such).  None
    at the first thing the token parser would report, or look at more
    closely (a comment or an escape inside an expression, nesting near
    `MAX_DEPTH`): that parser then reads the file and says what is wrong.

    The object or array being read keeps its items, start and state in
    locals, the enclosing ones on a stack.  States: -1 between expressions;
    in an object 0 after '{', 1 after a key, 2 after ':', 3 after a value,
    4 after ','; in an array 5 after '[', 6 after ',', 7 after a value."""
    text = src.text
    src_lines = src.lines
    new = tuple.__new__
    first, line, before = _first_token(text)
    out: list[TopExpr | RawDoc | Obj] = []
    pending: RawDoc | None = None
    opened: tuple[int, int] | None = None  # line and column of an unread doc comment
    stack: list[tuple[list[Any], int, int, int, Str | None, set[str]]] = []
    items: list[Any] = []
    state, start_line, start_col = -1, 0, 0
    key: Str | None = None
    seen: set[str] = set()
    value: Node
    for m in _TOKEN.finditer(text, first):
        group = m.lastindex
        if group == 3 or group == 2:
            value = new(Str, (m[2][1:-1], new(Location, (src, line, m.start(2) - before))))
            if state == 0 or state == 4:
                if value[0] in seen:
                    return None
                seen.add(value[0])
                key = value
                if group == 2:
                    state = 1
                elif m[3] == ":":
                    state = 2
                else:
                    return None
                continue
        elif group == 1:
            val = m[1]
            if val == ":":
                if state != 1:
                    return None
                state = 2
                continue
            if val == ",":
                if state == 3:
                    state = 4
                elif state == 7:
                    state = 6
                else:
                    return None
                continue
            if val == "{" or val == "[":
                if state == -1 and val == "{" and opened is None:
                    stack.append((items, state, 0, 0, None, seen))
                    items, state, seen = [], 0, set()
                elif (state == 2 or state == 5 or state == 6) and len(stack) < MAX_DEPTH // 2:
                    stack.append((items, state, start_line, start_col, key, seen))
                    items = []
                    state, seen = (0, set()) if val == "{" else (5, seen)
                else:
                    return None
                start_line, start_col = line, m.start(1) - before
                continue
            if val == "}" and (state == 0 or state == 3):
                value = new(Obj, (items, new(Location, (src, start_line, start_col))))
            elif val == "]" and (state == 5 or state == 7):
                value = new(Arr, (items, new(Location, (src, start_line, start_col))))
            else:
                return None
            items, state, start_line, start_col, key, seen = stack.pop()
            if state == -1:  # an expression read
                _file(out, cast(Obj, value), pending, src)
                pending = None
                continue
        elif group == _BREAK:  # as in `scan`
            line += 1
            before = m.start(group)
            continue
        elif group is None:  # the end of the text
            break
        elif group == _NEWLINE:  # as in `scan`
            val = m[group]
            line += val.count("\n")
            before = m.start(group) + val.rfind("\n")
            continue
        elif _GROUPS[group] == "bool":
            at = new(Location, (src, line, m.start(group) - before))
            value = new(Bool, (m[group] == "true", at))
        elif _GROUPS[group] == "comment" and state == -1:
            if opened is not None:
                # The token after '##' ends the comment: its closing '##'
                # when well formed (see `_FileParser.doc_comment`).
                number, column = opened
                if src_lines[number - 1][:column - 1].strip() \
                        or src_lines[line - 1].lstrip().rstrip("\r") != "##":
                    return None
                clean = _clean_doc_lines(src_lines, number, line - 1)
                if clean is None:
                    return None
                pending = RawDoc(new(Location, (src, number, column)), *clean, line)
                opened = None
            elif m[group].startswith("##"):
                if m[group].rstrip("\r") != "##":
                    return None
                if pending is not None:
                    out.append(pending)
                    pending = None
                opened = (line, m.start(group) - before)
            continue  # or the tail of a line of code
        else:
            return None  # junk, a string to unescape, or a comment inside an expression
        if state == 2:
            items.append((key, value))
            state = 3
        elif state == 5 or state == 6:
            items.append(value)
            state = 7
        else:
            return None
        if group == 3:  # the ',' after the value
            if m[3] != ",":
                return None
            state = 4 if state == 3 else 6
    if state != -1 or opened is not None:
        return None
    if pending is not None:
        out.append(pending)
    return out


def _file(out: list[TopExpr | RawDoc | Obj], expr: Obj, doc: RawDoc | None,
          src: SourceFile, broken_doc: bool = False) -> None:
    """Add a top-level expression and the doc comment before it to `out`:
    a definition takes the comment, a directive leaves it on its own."""
    if _is_directive(expr):
        if doc is not None:
            out.append(doc)
        out.append(expr)
    else:
        out.append(TopExpr(expr, doc, src, broken_doc))


def _is_directive(expr: Obj) -> bool:
    """An include or pragma: QEMU looks for these keys among all keys."""
    return any(k.value in ("include", "pragma") for k, _ in expr.items)


# --------------------------------------------------------------------------
# Files, includes, pragmas

PRAGMA_LISTS = (
    "command-name-exceptions",
    "command-returns-exceptions",
    "documentation-exceptions",
    "member-name-exceptions",
)


def read_text(path: str) -> tuple[str | None, str]:
    """File contents, or None and a reason (see `qapidoc.core.inputs`)."""
    try:
        return read_text_file(path, SCHEMA_LIMIT), ""
    except InputError as e:
        return None, str(e)


FileOpener = Callable[[str], tuple[str | None, str]]
"""Reads a path: (text, "") or (None, why not).  `read_text` reads the
file system; `qapidoc.schema.gitsource` reads git objects."""


_AT_LINE = lazy(r"line (\d+), column (\d+)")


def _where(src: SourceFile, why: str) -> Location:
    """Where in an unreadable file the problem is, when the reason says."""
    m = _AT_LINE.search(why)
    return Location(src, int(m.group(1)), int(m.group(2))) if m else Location(src, 1, 1)


class Reader:
    """Reads a root schema and everything it includes."""

    def __init__(self, opener: FileOpener = read_text, tree: str | None = None) -> None:
        self.opener = opener
        self.tree = tree
        self.files: list[FileItems] = []
        self.diags: list[Diagnostic] = []
        self.pragmas = PragmaValues()
        self.seen: dict[str, SourceFile] = {}
        self.stack: list[tuple[str, Location | None]] = []
        self.broken_names: set[str] = set()
        self._real_tree: str | None = None
        self._real_dirs: dict[str, str] = {}

    def read_root(self, path: str, text: str | None = None) -> ReadResult:
        if text is None:
            text, why = self.opener(path)
            if text is None:
                dummy = SourceFile(path, "")
                self.diags.append(UNREADABLE.at(
                    _where(dummy, why),
                    f"can't read schema file '{path}': {why}"))
                return ReadResult([], self.pragmas, self.diags, None)
        root = SourceFile(path, text)
        self._read(root, real_path(path, self._real_dirs))
        return ReadResult(self.files, self.pragmas, self.diags, root,
                          self.broken_names)

    def _read(self, src: SourceFile, key: str) -> None:
        """Read `src`, whose real path is `key`."""
        self.seen[key] = src
        self.stack.append((key, src.included_from))
        items = FileItems(src)
        self.files.append(items)
        top = quick_items(src)
        diags: list[Diagnostic] = []
        if top is None:
            parser = _FileParser(src)
            top = parser.top_level()
            diags = parser.diags
            self.broken_names.update(parser.broken_names)
        if not top and not diags:
            self.diags.append(EMPTY_FILE.at(
                Location(src, 1, 1), f"schema file '{src.path}' defines nothing"))
        for item in top:
            if isinstance(item, Obj):
                if item.get("include") is not None:
                    inc = self._include(item)
                    if inc is not None:
                        items.items.append(inc)
                else:
                    self._pragma(item)
            else:
                items.items.append(item)
        self.diags.extend(diags)
        self.stack.pop()

    def _include(self, expr: Obj) -> IncludeItem | None:
        if len(expr.items) != 1:
            self.diags.append(BAD_DIRECTIVE.at(
                expr.loc, "invalid 'include' directive"))
            return None
        value = expr.items[0][1]
        if not isinstance(value, Str):
            self.diags.append(BAD_DIRECTIVE.at(
                expr.loc, "value of 'include' must be a string"))
            return None
        incl = value.value
        base = os.path.dirname(expr.loc.file.path)
        path = os.path.normpath(os.path.join(base, incl)) if base else incl
        key = real_path(path, self._real_dirs)
        for k, _ in self.stack:
            if k == key:
                chain = [s.path for s in self._stack_files()] + [path]
                self.diags.append(INCLUDE_CYCLE.at(
                    expr.loc, "inclusion loop: " + " -> ".join(chain)))
                return IncludeItem(path, expr.loc, None)
        if key in self.seen:
            return IncludeItem(self.seen[key].path, expr.loc, None)
        if len(self.stack) >= MAX_INCLUDE_DEPTH:
            self.diags.append(UNREADABLE.at(
                expr.loc, f"can't read include file '{incl}': includes nested "
                f"more than {MAX_INCLUDE_DEPTH} files deep"))
            return IncludeItem(path, expr.loc, None)
        if self.tree is not None and not self._inside_tree(key):
            self.diags.append(UNREADABLE.at(
                expr.loc, f"can't read include file '{incl}': outside the "
                f"schema's directory tree {self.tree} (the setting "
                "include-root allows more)"))
            return IncludeItem(path, expr.loc, None)
        text, why = self.opener(path)
        if text is None:
            self.diags.append(UNREADABLE.at(
                expr.loc, f"can't read include file '{incl}': {why}"))
            if why.startswith("not valid UTF-8"):
                self.diags.append(UNREADABLE.at(
                    _where(SourceFile(path, "", expr.loc), why),
                    f"can't read '{path}': {why}"))
            return IncludeItem(path, expr.loc, None)
        src = SourceFile(path, text, expr.loc)
        self._read(src, key)
        return IncludeItem(path, expr.loc, src)

    def _inside_tree(self, real: str) -> bool:
        """`inside(real, self.tree)` for a path already resolved, the
        tree resolved once: a resolution is a system call per component."""
        if self._real_tree is None:
            assert self.tree is not None
            self._real_tree = os.path.realpath(self.tree)
        return inside_resolved(real, self._real_tree)

    def _stack_files(self) -> list[SourceFile]:
        return [self.seen[k] for k, _ in self.stack]

    def _pragma(self, expr: Obj) -> None:
        if len(expr.items) != 1:
            self.diags.append(BAD_DIRECTIVE.at(
                expr.loc, "invalid 'pragma' directive"))
            return
        body = expr.items[0][1]
        if not isinstance(body, Obj):
            self.diags.append(BAD_DIRECTIVE.at(
                expr.loc, "value of 'pragma' must be an object"))
            return
        for key, value in body.items:
            name = key.value
            if name == "doc-required":
                if not isinstance(value, Bool):
                    self.diags.append(BAD_DIRECTIVE.at(
                        expr.loc, "pragma 'doc-required' must be boolean"))
                    continue
                self.pragmas.doc_required = value.value
            elif name in PRAGMA_LISTS or name in OLD_PRAGMAS:
                if not isinstance(value, Arr) or not all(
                        isinstance(v, Str) for v in value.items):
                    self.diags.append(BAD_DIRECTIVE.at(
                        expr.loc, f"pragma {name} must be a list of strings"))
                    continue
                names = [v.value for v in value.items if isinstance(v, Str)]
                if name in OLD_PRAGMAS:
                    name = self._old_pragma(key, names)
                self.pragmas.lists[name] = names  # QEMU: a later one replaces
            else:
                self.diags.append(BAD_DIRECTIVE.at(
                    expr.loc, f"unknown pragma '{name}'"))


    def _old_pragma(self, key: Str, names: list[str]) -> str:
        """Report an old pragma name; the modern one, `names` adjusted."""
        modern = OLD_PRAGMAS[key.value]
        message = f"pragma '{key.value}' is now called '{modern}'"
        if key.value == OLD_NAMING_PRAGMA:
            self.pragmas.old_naming = True
            names[:] = [whitelist_owner(n) for n in names]
            message += ("; names using '_' (allowed before QEMU 6.0) must "
                        "be listed there or in 'command-name-exceptions'")
        self.diags.append(OLD_PRAGMA.at(key.loc, message))
        return modern


def read_schema(path: str, text: str | None = None,
                opener: FileOpener = read_text, tree: str | None = None) -> ReadResult:
    """Read `path` (or `text` as if it were that file) and its includes,
    which must stay inside directory `tree` when one is given."""
    return Reader(opener, tree).read_root(path, text)
