"""Baselines: today's findings recorded so that only new ones are reported.

A finding is keyed by a fingerprint: its rule, definition and member (or,
outside any definition, its file) and a hash of the offending source line
with its whitespace normalised — never its line number, so that edits
elsewhere do not invalidate the baseline, and a second instance of the
same rule in the same definition is new because its text differs.
`write_baseline()` stores counts per fingerprint as JSON; `filter_new()`
drops as many findings per fingerprint as were recorded.  Version 1 files
(keyed without the text) still load and match the old way.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from qapidoc.core.config import ConfigError, clip
from qapidoc.core.fingerprint import fingerprint
from qapidoc.core.inputs import SCHEMA_LIMIT, InputError, read_text_file
from qapidoc.core.source import Diagnostic

FORMAT_VERSION = 2

LegacyKey = tuple[str, str, str, str]
"""Version 1: (code, file, definition, member or message)."""


def _rel(path: str, base: str) -> str:
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def _legacy_key(d: Diagnostic, base: str) -> LegacyKey:
    """Version 1: rule, definition and member; or file and message."""
    if d.definition:
        return d.code, "", d.definition, d.member or ""
    return d.code, _rel(d.location.path, base), "", d.message


def write_baseline(path: str, diags: Sequence[Diagnostic]) -> int:
    """Record `diags` in `path`; returns the number of entries."""
    base = os.path.dirname(os.path.abspath(path))
    counts: Counter[str] = Counter()
    first: dict[str, Diagnostic] = {}
    for d in diags:
        fp = fingerprint(d, base)
        counts[fp] += 1
        first.setdefault(fp, d)
    entries: list[dict[str, object]] = []
    for fp, n in counts.items():
        d = first[fp]
        entries.append({"fingerprint": fp, "code": d.code,
                        "definition": d.definition, "member": d.member,
                        "path": _rel(d.location.path, base),
                        "message": d.message, "count": n})
    entries.sort(key=lambda e: (str(e["path"]), str(e["code"]),
                                str(e["definition"]), str(e["fingerprint"])))
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"qapidoc-baseline": FORMAT_VERSION, "findings": entries},
                  f, indent=1)
        f.write("\n")
    return len(entries)


@dataclass
class Baseline:
    """Recorded counts by fingerprint (version 2) or legacy key (1)."""

    version: int
    counts: Counter[object]


def _count(entry: dict[str, object]) -> int:
    """An entry's count: a whole number of at least 1 (ValueError else; JSON
    may say 1e999, -5 or true)."""
    count = entry.get("count", 1)
    if type(count) is not int or count < 1:
        raise ValueError(count)
    return count


def read_baseline(path: str) -> Baseline:
    """The recorded counts; ConfigError for a missing or malformed file."""
    try:
        data = json.loads(read_text_file(path, SCHEMA_LIMIT))
    except InputError as e:
        raise ConfigError(f"{path}: cannot read baseline: {e}") from None
    except (ValueError, RecursionError) as e:
        raise ConfigError(f"{path}: not a qapidoc baseline: {e}") from None
    version = data.get("qapidoc-baseline") if isinstance(data, dict) else None
    if type(version) is not int or version not in (1, FORMAT_VERSION) \
            or not isinstance(data.get("findings", []), list):
        raise ConfigError(f"{path}: not a qapidoc baseline (expected version "
                          f"{FORMAT_VERSION}); write a new one with "
                          f"--write-baseline {path}")
    counts: Counter[object] = Counter()
    for entry in data.get("findings", []):
        try:
            if version == FORMAT_VERSION:
                if not isinstance(entry["fingerprint"], str):
                    raise TypeError
                counts[entry["fingerprint"]] += _count(entry)
            elif entry.get("definition"):
                counts[(entry["code"], "", entry["definition"],
                        entry.get("member") or "")] += _count(entry)
            else:
                counts[(entry["code"], entry["path"], "",
                        entry.get("message") or "")] += _count(entry)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ConfigError(f"{path}: malformed baseline entry {clip(repr(entry))}; "
                              f"write a new one with --write-baseline") from None
    return Baseline(version, counts)


def filter_new(diags: Sequence[Diagnostic], baseline: Baseline,
               path: str) -> list[Diagnostic]:
    """Findings beyond the recorded count of their fingerprint, in order."""
    base = os.path.dirname(os.path.abspath(path))
    left: Counter[object] = Counter(baseline.counts)
    out = []
    for d in diags:
        key: object = (fingerprint(d, base) if baseline.version == FORMAT_VERSION
                       else _legacy_key(d, base))
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(d)
    return out
