"""Baselines: today's findings recorded so that only new ones are reported.

A finding is keyed by rule code, definition and member (or, outside any
definition, by file and message) — never by line, so that edits elsewhere
do not invalidate the baseline.  `write_baseline()` stores counts per key
as JSON; `filter_new()` drops as many findings per key as were recorded.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence

from qapidoc.core.config import ConfigError
from qapidoc.core.source import Diagnostic

Key = tuple[str, str, str, str]

FORMAT_VERSION = 1


def _rel(path: str, base: str) -> str:
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def finding_key(d: Diagnostic, base: str) -> Key:
    """Rule, then definition and member; or file and message."""
    if d.definition:
        return d.code, "", d.definition, d.member or ""
    return d.code, _rel(d.location.path, base), "", d.message


def write_baseline(path: str, diags: Sequence[Diagnostic]) -> int:
    """Record `diags` in `path`; returns the number of entries."""
    base = os.path.dirname(os.path.abspath(path))
    counts = Counter(finding_key(d, base) for d in diags)
    entries: list[dict[str, object]] = []
    for (code, file, definition, rest), n in sorted(counts.items()):
        if definition:
            entries.append({"code": code, "definition": definition,
                            "member": rest or None, "count": n})
        else:
            entries.append({"code": code, "path": file, "message": rest,
                            "count": n})
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"qapidoc-baseline": FORMAT_VERSION, "findings": entries},
                  f, indent=1)
        f.write("\n")
    return len(entries)


def read_baseline(path: str) -> Counter[Key]:
    """Counts per key; ConfigError for a missing or malformed file."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read baseline: {e.strerror}") from None
    except ValueError as e:
        raise ConfigError(f"{path}: not a qapidoc baseline: {e}") from None
    if not isinstance(data, dict) or data.get("qapidoc-baseline") != FORMAT_VERSION:
        raise ConfigError(f"{path}: not a qapidoc baseline (version "
                          f"{FORMAT_VERSION})")
    out: Counter[Key] = Counter()
    for entry in data.get("findings", []):
        try:
            if entry.get("definition"):
                key: Key = (entry["code"], "", entry["definition"], entry.get("member") or "")
            else:
                key = (entry["code"], entry["path"], "", entry.get("message") or "")
            out[key] += int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ConfigError(f"{path}: malformed baseline entry {entry!r}") from None
    return out


def filter_new(diags: Sequence[Diagnostic], baseline: Counter[Key],
               path: str) -> list[Diagnostic]:
    """Findings beyond the recorded count of their key, in order."""
    base = os.path.dirname(os.path.abspath(path))
    left = Counter(baseline)
    out = []
    for d in diags:
        key = finding_key(d, base)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(d)
    return out
