"""Where a line of rST text starts a construct other than a paragraph.

Shared by the renderer's fast path (`sphinx_ext.render.nodes`, which parses
a plain paragraph with the inliner alone) and the old-markup converter
(`sphinx_ext.render.legacy`, which escapes such a line to keep it text).
"""

from __future__ import annotations

import re

__all__ = ["ADORNMENT", "BLOCK_START"]

BLOCK_START = re.compile(
    r"""\s                       # indented: definition list or block quote
    | [-*+•|>:#=~^]             # bullets, line blocks, quotes, fields, tables
    | \.\.                       # explicit markup
    | \d+[.)]\s | [A-Za-z#][.)]\s | [ivxlcdmIVXLCDM]+[.)]\s | \(\w+\)\s   # enumerators
    """,
    re.VERBOSE,
)
"""A line that would start a block construct (list, table, directive, ...)."""
ADORNMENT = re.compile(r"([^\w\s])\1+\s*$")
"""A line of one punctuation character repeated: a section title's underline."""
