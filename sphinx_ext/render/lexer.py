"""Pygments lexer for QMP transcripts (``.. code-block:: qmp``).

Input is an example exchange as written in QAPI doc comments: ``->`` lines
sent by the client, ``<-`` lines sent by the server, each followed by JSON
that may span several lines, plus ``...`` elisions and plain narration.
Output is a token stream that concatenates back to the input exactly; it
never contains Error tokens, so Sphinx never warns about a transcript.
Whitespace, brackets and the separators ``,`` and ``:`` are plain text:
most styles leave them uncoloured, and as plain text they cost no
``<span>`` (QEMU's examples have about 2,500 brackets: 59 KB of spans).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from pygments.lexer import Lexer
from pygments.token import (
    Comment,
    Generic,
    Keyword,
    Name,
    Number,
    String,
    Text,
    _TokenType,
)

__all__ = ["CLIENT", "ELISION", "SERVER", "QMPLexer"]

CLIENT = Generic.Prompt.Client
SERVER = Generic.Prompt.Server
ELISION = Comment.Elision

_Token = tuple[int, _TokenType, str]

_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_MARKER = re.compile(r"[ \t]*(->|<-)")
_ELISION_LINE = re.compile(r"[ \t]*\.\.\.(?:[^\n]*\.\.\.)?[ \t]*$")
# Inside JSON, "... text ..." must not swallow brackets or strings.
_ELISION_INLINE = re.compile(r"\.\.\.(?:[ \t]+[^\n\"{}\[\],:.]+?[ \t]+\.\.\.)?")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?')
_KEY_FOLLOWS = re.compile(r"[ \t\r\n]*:")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_CONSTANT = re.compile(r"(?:true|false|null)\b")
_WORD = re.compile(r"[^\s\"{}\[\],:]+")


class QMPLexer(Lexer):  # type: ignore[misc]
    """Lexer for QMP example transcripts."""

    name = "QMP"
    aliases = ["qmp"]  # noqa: RUF012
    filenames: list[str] = []  # noqa: RUF012
    mimetypes: list[str] = []  # noqa: RUF012

    def get_tokens_unprocessed(self, text: str) -> Iterator[_Token]:
        depth = 0
        for found in _LINE.finditer(text):
            pos, line = found.start(), found.group()
            body = line.removesuffix("\n")
            newline = line[len(body) :]
            marker = _MARKER.match(body)
            if marker:
                depth = 0
                if marker.start(1) > 0:
                    yield pos, Text, body[: marker.start(1)]
                kind = CLIENT if marker.group(1) == "->" else SERVER
                yield pos + marker.start(1), kind, marker.group(1)
                depth = yield from _json(body, marker.end(), pos, depth)
            elif depth > 0:
                depth = yield from _json(body, 0, pos, depth)
            elif _ELISION_LINE.match(body):
                yield from _elision_line(body, pos)
            elif body:
                yield pos, Text, body
            if newline:
                yield pos + len(body), Text, newline


def _elision_line(body: str, pos: int) -> Iterator[_Token]:
    start = len(body) - len(body.lstrip(" \t"))
    end = len(body.rstrip(" \t"))
    if start:
        yield pos, Text, body[:start]
    yield pos + start, ELISION, body[start:end]
    if end < len(body):
        yield pos + end, Text, body[end:]


def _json(body: str, i: int, pos: int, depth: int) -> Generator[_Token, None, int]:
    """Tokenize JSON from ``body[i:]``; the generator returns the new depth."""
    while i < len(body):
        char = body[i]
        token: _TokenType = Text
        match = None
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth = max(depth - 1, 0)
        elif char in ",:" or (match := _SPACE.match(body, i)):
            token = Text
        elif match := _ELISION_INLINE.match(body, i):
            token = ELISION
        elif match := _STRING.match(body, i):
            is_key = _KEY_FOLLOWS.match(body, match.end()) is not None
            token = Name.Tag if is_key else String.Double
        elif match := _NUMBER.match(body, i):
            token = Number
        elif match := _CONSTANT.match(body, i):
            token = Keyword.Constant
        else:
            match = _WORD.match(body, i)
        end = match.end() if match else i + 1
        yield pos + i, token, body[i:end]
        i = end
    return depth
