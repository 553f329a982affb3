"""Regular expressions compiled at their first use.

``qapidoc lint`` imports the front end and every rule module, and
compiling a pattern costs about as much as checking a few dozen
definitions.  Patterns that a usual run does not need (old dialects, error
messages, the documentation build, rules off by default) are declared with
`lazy`, where they belong, and compiled when first used.
"""

from __future__ import annotations

import re

from qapidoc.core.hints import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from typing import Any


class _Lazy:
    """Stands for a compiled pattern: the first attribute asked for compiles
    it, and each attribute is then kept here, so that a later use costs what
    one of the pattern's own does."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:
        value = getattr(re.compile(*self._args), name)
        setattr(self, name, value)
        return value


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """*pattern*, compiled at its first use.  It has the methods and
    attributes of `re.Pattern`; it is not one for `isinstance` or for the
    functions of `re`."""
    return cast("re.Pattern[str]", _Lazy(pattern, flags))
