"""Rule texts are written in reStructuredText for the docs site; terminals
and SARIF viewers get them as plain text or Markdown instead.

Only the inline markup rule texts use is converted: literals, roles,
references, emphasis and backslash escapes.
"""

from __future__ import annotations

import re

_LITERAL = re.compile(r"``(.+?)``(?!`)")
"""An inline literal; as in rST, ``a `b``` ends at the last two backquotes."""
_INLINE = re.compile(
    r":[\w-]+(?::[\w-]+)?:`(?P<role>[^`]+)`"
    r"|`(?P<ref>[^`]+)`_{0,2}"
    r"|\*\*(?P<strong>[^*\s](?:[^*]*[^*\s])?)\*\*"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|\\(?P<escaped>.)")
_TARGET = re.compile(r"(.*?)\s*<[^>]*>$")


def _shown(text: str) -> str:
    """The text a role or reference shows: ``title <target>`` → title."""
    m = _TARGET.match(text)
    return (m.group(1) if m else text).lstrip("~!")


def _inline(text: str, literal: str, strong: str, emphasis: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group("role") is not None:
            return literal.format(_shown(m.group("role")))
        if m.group("ref") is not None:
            return _shown(m.group("ref"))
        if m.group("strong") is not None:
            return strong.format(m.group("strong"))
        if m.group("em") is not None:
            return emphasis.format(m.group("em"))
        return m.group("escaped")

    def code(part: str) -> str:
        if "`" in part and literal == "`{}`":  # Markdown: fence with two
            return f"`` {part} ``"
        return literal.format(part)

    parts = _LITERAL.split(text)
    return "".join(code(part) if i % 2 else _INLINE.sub(one, part)
                   for i, part in enumerate(parts))


def to_plain(text: str) -> str:
    """``x`` → 'x'; roles, references and emphasis → their text."""
    return _inline(text, "'{}'", "{}", "{}")


def to_markdown(text: str) -> str:
    """``x`` → `x`; roles → code; emphasis kept as Markdown."""
    return _inline(text, "`{}`", "**{}**", "*{}*")
