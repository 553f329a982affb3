"""Did-you-mean hints for misspelled commands, options, rule codes and keys.

One helper so that every message that rejects a name offers the closest
valid one the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word` (case-insensitively), if any is close."""
    pool = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(word.lower(), list(pool), n=1, cutoff=0.6)
    return pool[found[0]] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` or the empty string."""
    best = closest(word, candidates)
    return f" (did you mean '{best}'?)" if best is not None else ""
