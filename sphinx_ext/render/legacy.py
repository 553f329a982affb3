"""QEMU's doc-comment markup from before rST (releases up to 5.1) → rST.

In: doc text of a schema written in the old markup; out: rST lines and the
text line each one comes from.  The old markup ignored indentation and had
few constructs: ``| `` example lines, ``*``/``-`` and ``1.`` lists (one
level, no blank line inside an item), ``*strong*``, ``_emphasis_`` and
``@name``.  Everything else is literal text, so it is escaped here instead
of being left for docutils to misread: a TeX quote ```vnc'`` is not
interpreted text, an indented continuation is not a block quote.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from qapidoc.schema.docs import adornment
from qapidoc.schema.references import AT_REF
from sphinx_ext.render.rst_syntax import BLOCK_START

__all__ = ["legacy_rst", "uses_legacy_markup"]

_EXAMPLE_LINE = re.compile(r"\s*\|(?: |$)")
_ITEM = re.compile(r"\s*(?:([-*])|\d+[.)])\s+(?=\S)")
_ALIGNED = re.compile(r"\S {3,}\S")
_INLINE = re.compile(
    rf"""(?P<strong>(?<![\w*])\*(?P<strong_text>[^\s*](?:[^*]*[^\s*])?)\*(?![\w*]))
    | (?P<emph>(?<![\w_])_(?P<emph_text>[^\s_](?:[^_]*[^\s_])?)_(?![\w_]))
    | (?P<quote>`(?P<quote_text>[^`'\s](?:[^`']*[^`'\s])?)')
    | (?P<ref>{AT_REF.pattern})""",
    re.VERBOSE,
)
_SPECIAL = re.compile(r"([\\`*_|])")
_MARKUP_BEFORE = frozenset(" \t-:/'\"<([{")
_MARKUP_AFTER = frozenset(" \t-.,:;!?\\/'\")]}>")

_RST_EVIDENCE = re.compile(r"#.*(?:::\s*$|``)|#\s*\.\.\s+[\w-]+::")
_LEGACY_EVIDENCE = re.compile(r"#\s*\|(?: |$)|#.*`[^`'\s]+'")


def uses_legacy_markup(comment_lines: Iterable[str]) -> bool:
    """True when a schema's comment lines show the old markup (``| ``
    examples, TeX quotes) and nothing that only rST has (``::``, a
    directive, inline literals).  A schema showing neither is rST."""
    legacy = False
    for line in comment_lines:
        if _RST_EVIDENCE.match(line):
            return False
        legacy = legacy or _LEGACY_EVIDENCE.match(line) is not None
    return legacy


class _Writer:
    """rST lines, each with the index of the text line it comes from."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origin: list[int] = []

    def emit(self, text: str, index: int) -> None:
        self.lines.append(text)
        self.origin.append(index)

    def separate(self, index: int) -> None:
        """A blank line, unless one ends the output already."""
        if self.lines and self.lines[-1]:
            self.emit("", index)

    def literal(self, block: list[tuple[int, str]]) -> None:
        first = block[0][0]
        self.separate(first)
        self.emit(".. code-block:: text", first)
        self.emit("", first)
        for index, text in block:
            self.emit(f"    {text.rstrip()}" if text.strip() else "", index)
        self.emit("", block[-1][0])

    def items(self, lines: Sequence[str], start: int) -> int:
        """The list starting at *start*; returns the index after it."""
        first = _ITEM.match(lines[start])
        assert first is not None
        bullet = "-" if first.group(1) else "#."
        pad = " " * (len(bullet) + 1)
        self.separate(start)
        index = start
        while index < len(lines) and lines[index].strip() \
                and not _EXAMPLE_LINE.match(lines[index]):
            item = _ITEM.match(lines[index])
            if item is not None:
                text = f"{bullet} {_prose(lines[index][item.end():].strip(), first=True)}"
            else:
                text = pad + _prose(lines[index].strip(), first=False)
            self.emit(text, index)
            index += 1
        self.emit("", index - 1)
        return index


def legacy_rst(lines: Sequence[str]) -> tuple[list[str], list[int]]:
    """rST for the old-markup *lines*, and for each rST line the index of
    the line of *lines* it was made from."""
    out = _Writer()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
        elif _EXAMPLE_LINE.match(line):
            end = _run(lines, index, lambda text: _EXAMPLE_LINE.match(text) is not None)
            out.literal([(i, _EXAMPLE_LINE.sub("", lines[i], 1)) for i in range(index, end)])
            index = end
        elif _ITEM.match(line):
            index = out.items(lines, index)
        else:
            end = _run(lines, index, lambda text: not _ITEM.match(text)
                       and not _EXAMPLE_LINE.match(text))
            block = range(index, end)
            if len(block) > 1 and 2 * sum(bool(_ALIGNED.search(lines[i])) for i in block) \
                    >= len(block):
                out.literal([(i, AT_REF.sub(_plain_name, lines[i])) for i in block])
            else:
                out.separate(index)
                for i in block:
                    out.emit(_prose(lines[i].strip(), first=i == index), i)
            index = end
    while out.lines and not out.lines[-1]:
        out.lines.pop()
        out.origin.pop()
    return out.lines, out.origin


def _run(lines: Sequence[str], start: int, keep: Callable[[str], bool]) -> int:
    """End of the run of non-blank lines from *start* that *keep* accepts
    (the first line is always taken)."""
    end = start + 1
    while end < len(lines) and lines[end].strip() and keep(lines[end]):
        end += 1
    return end


def _prose(text: str, *, first: bool) -> str:
    """One line of old-markup prose as rST inline text."""
    parts: list[str] = []
    position = 0
    opens_plain = True
    for match in _INLINE.finditer(text):
        opens_plain = opens_plain and match.start() > 0
        parts.append(_escape(text[position:match.start()]))
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end()] if match.end() < len(text) else " "
        if match.group("strong"):
            markup = f"**{_escape(match.group('strong_text'))}**"
        elif match.group("emph"):
            markup = f"*{_escape(match.group('emph_text'))}*"
        elif match.group("quote"):
            markup = f"``{match.group('quote_text')}``"
        else:
            markup = f":qapi:mem:`{match.group('ref')[1:]}`"
        parts.append(("" if before in _MARKUP_BEFORE else "\\ ") + markup
                     + ("" if after in _MARKUP_AFTER else "\\ "))
        position = match.end()
    parts.append(_escape(text[position:]))
    line = "".join(parts)
    if line.endswith("::"):
        line = line[:-1] + "\\:"
    if opens_plain and ((first and BLOCK_START.match(line)) or adornment(line)):
        line = "\\" + line
    return line


def _plain_name(match: re.Match[str]) -> str:
    """``@name`` in a table laid out with spaces: the name, in as many columns."""
    following = match.string[match.end():match.end() + 1]
    return match.group(1) + (" " if following == " " else "")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)
