"""Where a line of rST text starts a construct other than a paragraph
(a title's adornment line is `qapidoc.schema.docs.adornment`).

Shared by the renderer's fast path (`sphinx_ext.render.nodes`, which parses
a plain paragraph with the inliner alone) and the old-markup converter
(`sphinx_ext.render.legacy`, which escapes such a line to keep it text).
"""

from __future__ import annotations

import re

__all__ = ["BLOCK_START"]

BLOCK_START = re.compile(
    r"""\s                       # indented: definition list or block quote
    | [-*+•|>:#=~^]             # bullets, line blocks, quotes, fields, tables
    | \.\.                       # explicit markup
    | \d+[.)]\s | [A-Za-z#][.)]\s | [ivxlcdmIVXLCDM]+[.)]\s | \(\w+\)\s   # enumerators
    """,
    re.VERBOSE,
)
"""A line that would start a block construct (list, table, directive, ...)."""
