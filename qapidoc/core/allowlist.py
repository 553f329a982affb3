"""What schema doc text may contain in a published site: the allow-list.

Doc text is untrusted (anyone can send a schema patch) and the site built
from it is hosted.  Only the directives, roles and doctree node types that
reference documentation needs are allowed; link targets must use a web
scheme or name a page of the site; ids made from schema text use safe
characters only.  Everything else is dropped, by the same rules in
``qapidoc lint`` (QD307) and in the Sphinx extension.  Data and pure
functions only — no docutils — so that lint starts fast; the doctree walk
that applies these rules is `qapidoc.core.sanitize`.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Sequence
from itertools import repeat

from qapidoc.core.lazy import lazy

SCHEMES = frozenset({"http", "https", "mailto"})
"""URI schemes a link in doc text may use."""

_ANY = None
_TABLE_OPTIONS = frozenset({"header-rows", "stub-columns", "header", "widths", "width",
                            "delim", "quote", "keepspace", "escape", "align", "class",
                            "name"})

DIRECTIVES: dict[str, frozenset[str] | None] = {
    **dict.fromkeys(
        ("admonition", "attention", "caution", "danger", "error", "hint", "important",
         "note", "tip", "warning", "seealso", "todo",
         "versionadded", "versionchanged", "deprecated", "versionremoved",
         "code-block", "code", "sourcecode", "highlight", "qmp-example", "parsed-literal",
         "rubric", "container", "compound", "topic", "sidebar", "epigraph", "highlights",
         "pull-quote", "table", "list-table", "replace", "unicode"),
        _ANY),
    "csv-table": _TABLE_OPTIONS,  # never :file: or :url:
}
"""Directive → the options it may be given (None: all it defines).  None of
these reads a file or a URL or passes markup through unescaped."""

ROLES = frozenset({
    "",  # the default role: `Name` is a QAPI cross-reference
    "emphasis", "strong", "literal", "code", "sub", "subscript", "sup", "superscript",
    "title-reference", "title", "t", "abbreviation", "ab", "acronym", "ac",
    "rfc", "rfc-reference", "pep", "pep-reference",
    "abbr", "command", "dfn", "file", "guilabel", "kbd", "mailheader", "makevar",
    "manpage", "menuselection", "mimetype", "newsgroup", "program", "regexp", "samp",
    "ref", "doc", "any", "term", "option", "envvar", "keyword",
    "std:ref", "std:doc", "std:term", "std:option", "std:envvar", "std:keyword",
})
"""Roles doc text may use, besides the ``qapi`` domain's own (`ROLE_PREFIXES`)."""

ROLE_PREFIXES = ("qapi:",)

NODES = frozenset(
    [f"docutils.nodes.{name}" for name in (
        "Text", "paragraph", "section", "title", "rubric", "transition",
        "emphasis", "strong", "literal", "inline", "subscript", "superscript",
        "title_reference", "abbreviation", "acronym", "reference", "target",
        "footnote", "footnote_reference", "citation", "citation_reference", "label",
        "bullet_list", "enumerated_list", "list_item", "definition_list",
        "definition_list_item", "term", "classifier", "definition", "field_list",
        "field", "field_name", "field_body", "option_list", "option_list_item",
        "option_group", "option", "option_string", "option_argument", "description",
        "literal_block", "doctest_block", "line_block", "line", "block_quote",
        "attribution", "table", "tgroup", "colspec", "thead", "tbody", "row", "entry",
        "caption", "container", "compound", "topic", "sidebar", "comment",
        "substitution_definition", "substitution_reference", "problematic",
        "system_message", "admonition", "attention", "caution", "danger", "error",
        "hint", "important", "note", "tip", "warning")]
    + [f"sphinx.addnodes.{name}" for name in (
        "pending_xref", "literal_emphasis", "literal_strong", "manpage", "seealso",
        "versionmodified", "index", "highlightlang", "compact_paragraph",
        "desc", "desc_signature", "desc_signature_line", "desc_name", "desc_addname",
        "desc_annotation", "desc_content", "desc_inline", "desc_type", "desc_returns",
        "desc_sig_keyword", "desc_sig_keyword_type", "desc_sig_space", "desc_sig_name",
        "desc_sig_punctuation", "desc_sig_operator", "desc_sig_literal_string",
        "desc_sig_literal_number", "desc_sig_literal_char")]
    + ["sphinx.ext.todo.todo_node"]
    + [f"sphinx_ext.domain.layout.{name}" for name in (
        "qapi_group", "qapi_item", "qapi_details", "qapi_summary", "qapi_code",
        "qapi_text", "qapi_ref")]
    + ["sphinx_ext.render.wire_view.qapi_wire"]
    # a definition being written, and one written by an earlier build from
    # a subtree that passed this list (`sphinx_ext.fragments`)
    + [f"sphinx_ext.fragments.{name}" for name in (
        "qapi_capture", "qapi_fragment", "qapi_pending")]
)
"""Doctree node types (``module.Class``) that may come from schema text:
text, lists, tables, literal blocks, admonitions, links and the ``qapi``
domain's descriptions (with their compact layout nodes).  No image, figure,
download, raw, meta, toctree, include, math or pending transform."""

MAX_NESTING = 32
"""Deepest nesting (lists, block quotes, indented bodies) doc text may use;
real documentation needs a handful, the parser recurses per level."""

MAX_TREE_DEPTH = 160
"""Deepest doctree under one sanitized root (a backstop for nesting the
text estimate does not see, such as tables in tables)."""


def directive_allowed(name: str) -> bool:
    return name.lower() in DIRECTIVES


def role_allowed(name: str) -> bool:
    lowered = name.lower()
    return lowered in ROLES or lowered.startswith(ROLE_PREFIXES)


def node_allowed(qualified_name: str) -> bool:
    return qualified_name in NODES


# -- ids ---------------------------------------------------------------------------

_ID_UNSAFE = lazy(r"[^A-Za-z0-9_.-]")
SAFE_TOKEN = lazy(r"[A-Za-z0-9_.-]+")
"""What every id and class from schema text matches (`safe_id`'s output)."""


def safe_id(text: str) -> str:
    """*text* as a piece of an HTML id, anchor or class: letters, digits,
    ``_``, ``.`` and ``-`` kept (so valid QAPI names are unchanged), any
    other character written as ``_xHH_``."""
    if not text or SAFE_TOKEN.fullmatch(text):
        return text
    return _ID_UNSAFE.sub(lambda m: f"_x{ord(m.group()):x}_", text)


# -- titles ------------------------------------------------------------------------

_TITLE_UNSAFE = lazy(r"[^A-Za-z0-9 .,:;!?()/+_#%*=@\[\]{}|~^$-]")
_SPACES = lazy(r"\s+")


def safe_title(text: str) -> str:
    """*text* (a heading of schema doc) as a site title: its inline markup
    as plain text, then only allow-listed characters — themes put the title
    into HTML without escaping it (furo's sidebar), others escape it, so it
    holds nothing either would read differently (no ``<``, ``&``, quotes or
    backquotes)."""
    from qapidoc.core.rsttext import to_plain

    plain = _TITLE_UNSAFE.sub(" ", to_plain(text).replace("'", ""))
    return _SPACES.sub(" ", plain).strip()


# -- links -------------------------------------------------------------------------

_URL_IGNORED = lazy(r"[\t\n\r]")
_SCHEME = lazy(r"([A-Za-z][A-Za-z0-9+.-]*):")


def link_problem(uri: str, pages: Container[str] | None = None) -> str | None:
    """Why *uri* may not be a link target in published doc text (None: it may).

    Allowed: a scheme of `SCHEMES`, a fragment of the same page, or (when
    *pages* lists the site's pages, relative to the current one) a link to
    a page of the site.  Browsers ignore tabs and newlines in URLs and leading
    control characters and spaces, so the check does too.
    """
    text = _URL_IGNORED.sub("", uri).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
                                              "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
                                              "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    scheme = _SCHEME.match(text)
    if scheme is not None:
        if scheme.group(1).lower() in SCHEMES:
            return None
        return f"link scheme '{scheme.group(1)}:' is not allowed (only http, https, mailto)"
    if text.startswith("#") and "\\" not in text:
        return None
    path = text.split("#", 1)[0]
    if pages is not None and path in pages:
        return None
    return (f"link target {text!r} is not allowed: links to pages of the site are "
            "cross-references (`Name`, :doc:, :ref:)")


# -- nesting -----------------------------------------------------------------------

_MARKER = lazy(r"(?:[-*+]|\u2022|\u2023|\u2043|\(?(?:\d+|#|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])"
               r"(?:[ \t]+|$)")
"""A list marker and the blanks after it.  The bullets beyond Latin-1 are
alternatives of their own: in a character class they make the compiler
build a map of 65,536 entries (a million instructions at every start).
Compiled at its first use: the tests before it settle every line of QEMU's
QMP docs."""


_MARKER_FIRST = frozenset("-*+\u2022\u2023\u2043(#ivxlcdmIVXLCDM")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
"""A line can start with a `_MARKER` only if it starts with one of
`_MARKER_FIRST`, a digit, or a letter and ``.`` or ``)``: most lines are
ruled out without the regular expression."""


def nesting_depth(lines: Sequence[str]) -> tuple[int, int]:
    """An estimate of the nesting depth of rST *lines* and the index of the
    deepest line: open indentation levels plus list markers on the line."""
    stack = [-1]  # a floor below every indentation: never popped
    top, levels = -1, 0  # stack[-1] and len(stack) - 1, kept as the stack changes
    deepest, where = 0, 0
    for i, line in enumerate(lines):
        if not line:
            continue
        text = line.expandtabs(8) if "\t" in line else line
        stripped = text.lstrip()
        if not stripped:
            continue
        indent = len(text) - len(stripped)
        if top != indent:  # most lines keep the level of the one before
            while top > indent:
                stack.pop()
                top = stack[-1]
            if top < indent:
                stack.append(indent)
                top = indent
            levels = len(stack) - 1
        first = stripped[0]
        if first in _MARKER_FIRST or first.isdecimal() or (
                first in _LETTERS and stripped[1:2] in ".)"):
            depth, pos = levels, 0
            while (marker := _MARKER.match(stripped, pos)) is not None and marker.end() > pos:
                depth += 1
                pos = marker.end()
            if depth > deepest:
                deepest, where = depth, i
        elif levels > deepest:
            deepest, where = levels, i
    return deepest, where


MAX_LINE = 1000
"""Characters in one line of doc text handed to docutils (QEMU's longest is
108): docutils' inline parser takes time quadratic in a line's length on
runs of markup characters (a 9,000-character line of backquotes: 2 s)."""


BIDI_CONTROLS = lazy("[\u202a-\u202e\u2066-\u2069]")
"""Unicode's explicit embedding, override and isolate controls: they make
text display in another order than it is written ("Trojan Source"), so a
published example or sentence could read differently from what a reader
copies.  Reference documentation has no use for them (right-to-left
script displays without them)."""


def has_bidi(text: str) -> bool:
    """Whether *text* holds a `BIDI_CONTROLS` character; ASCII text (nearly
    all doc text, a flag CPython keeps) is not searched."""
    return not text.isascii() and BIDI_CONTROLS.search(text) is not None


def bidi_problem(text: str) -> str | None:
    """Why *text* (schema text) may not be published as it is: it holds a
    `BIDI_CONTROLS` character (None: it does not)."""
    found = None if text.isascii() else BIDI_CONTROLS.search(text)
    if found is None:
        return None
    return (f"bidirectional control character U+{ord(found.group()):04X} "
            "(it makes text display in another order than it is written)")


def parse_problem(lines: Sequence[str]) -> tuple[int, str] | None:
    """(index of the line, message) when *lines* are not to be parsed as
    rST: a line too long, a bidirectional control (`bidi_problem`), or
    nesting too deep (`nesting_problem`)."""
    if max(map(len, lines), default=0) > MAX_LINE:  # no walk for the usual case
        for i, line in enumerate(lines):
            if len(line) > MAX_LINE:
                return i, (f"doc text has a line of {len(line)} characters "
                           f"(at most {MAX_LINE}); not rendered")
    if any(map(has_bidi, lines)):
        for i, line in enumerate(lines):
            problem = bidi_problem(line)
            if problem is not None:
                return i, f"doc text has a {problem}; not rendered"
    return nesting_problem(lines)


def text_problem(text: str) -> tuple[int, str] | None:
    """``parse_problem(text.split("\\n"))``, without splitting or walking
    doc text that plainly nests too little.  A line's depth is its level
    plus its list markers; only a line starting as a marker may have any,
    at most one more than its spaces (all but the last marker are followed
    by blanks).  The level is at most the number of different indentations,
    and at most the deepest indentation plus one where lines are indented
    by spaces only (found by substring searches: no walk over the lines)."""
    if "\t" not in text and not has_bidi(text) and (
            len(text) <= MAX_LINE or max(map(len, text.split("\n"))) <= MAX_LINE):
        padded = "\n" + text
        starts = _MARKER_STARTS.findall(padded)
        room = MAX_NESTING - (1 + max(map(str.count, starts, repeat(" "))) if starts else 0)
        if room > 0 and text.isascii() and not any(map(text.__contains__, _ODD_BLANKS)) \
                and "\n" + " " * room not in padded:
            return None
        if len(set(_INDENTS.findall(padded))) <= room:
            return None
    return parse_problem(text.split("\n"))


_ODD_BLANKS = ("\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
"""The white space of ASCII other than spaces, tabs and line breaks."""
_INDENTS = re.compile(r"\n([^\S\n]*+)\S")
"""The indentation of each non-blank line (after a line break)."""
_MARKER_STARTS = re.compile(
    r"\n[^\S\n]*+((?:[-*+(#ivxlcdmIVXLCDM\d]|\u2022|\u2023|\u2043|[A-Za-z](?![^\n.)]))[^\n]*+)")
"""The lines (after a line break, without their indentation) that
`nesting_depth` matches `_MARKER` on (its bullets as in `_MARKER`)."""


def nesting_problem(lines: Sequence[str]) -> tuple[int, str] | None:
    """(index of the line, message) when *lines* nest deeper than allowed."""
    depth, where = nesting_depth(lines)
    if depth <= MAX_NESTING:
        return None
    return where, (f"doc text nests about {depth} levels deep (at most {MAX_NESTING}); "
                   "not rendered")


# -- what lint must parse ------------------------------------------------------------

_SIMPLENAME = r"(?:(?!_)\w)+(?:[-._+:](?:(?!_)\w)+)*"
_EXPLICIT = lazy(r"(?:^|(?<=[\s|]))\.\.(?=\s|$)", re.MULTILINE)
_ALLOWED_DIRECTIVE_AT = re.compile(rf"\.\.[ ]+({_SIMPLENAME})[ ]?::(?=\s|$)")
_ROLE = re.compile(rf":({_SIMPLENAME}):`|`:({_SIMPLENAME}):")
_EMBEDDED_OR_ANONYMOUS = lazy(r">`__?|(?:^|[\s|])__(?:\s|$)", re.MULTILINE)


_DOTS = re.compile(r"\.\.(?=\s|$)", re.MULTILINE)


def _explicit_starts(text: str) -> Iterator[int]:
    """Where `_EXPLICIT` matches, found the fast way: its leading
    alternation of anchors keeps the regular expression engine from
    skipping ahead to a ``..``, which made it a scan of every character.
    Two dots cannot follow a match's first dot as the start of another, so
    the scans agree."""
    for found in _DOTS.finditer(text):
        at = found.start()
        if at == 0 or text[at - 1].isspace() or text[at - 1] == "|":
            yield at


def may_drop(text: str) -> bool:
    """Whether parsing *text* could drop anything: False only when every
    directive and role it names is allowed (without option limits) and it
    defines no link target.  Lets lint skip docutils for ordinary text.

    Each search runs only when the text holds the characters a match
    must contain (``..``; ``:`` beside a backquote; ``__`` or ``>`_``);
    the pairs with a backquote or an underscore are looked for only in
    text holding one (a search for one character is the quick one, and
    most doc comments have neither)."""
    if ".." in text:
        for at in _explicit_starts(text):
            directive = _ALLOWED_DIRECTIVE_AT.match(text, at)
            if directive is None or DIRECTIVES.get(directive.group(1).lower(), ()) is not None:
                return True
    if "`" in text and (":`" in text or "`:" in text):
        for found in _ROLE.finditer(text):
            if not role_allowed(found.group(1) or found.group(2)):
                return True
    if "_" not in text or ("__" not in text and ">`_" not in text):
        return False
    return _EMBEDDED_OR_ANONYMOUS.search(text) is not None
