"""``--fix``: apply the edits that mechanical rules attach to findings.

Edits are offsets into the text the schema was read from; overlapping edits
are deferred to the next round, and rounds repeat (re-reading the schema)
until no fixable finding is left, so a second ``--fix`` changes nothing.
Only files on disk are written; fixes never touch example or literal
blocks because the rules that offer them skip those blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from qapidoc.core.source import Diagnostic
from qapidoc.lint.engine import Edit, LintResult, line_growth

MAX_ROUNDS = 10


def apply_edits(fixes: Sequence[tuple[Diagnostic, tuple[Edit, ...]]],
                texts: dict[str, str],
                limit: int | None = None) -> tuple[dict[str, str], list[Diagnostic]]:
    """New texts of the changed files, and the findings whose edits were
    applied (a finding whose fix is another's, the same edits, with it).
    A finding's edits go in together or not at all; with a
    *limit*, not when they would make a comment line that fits longer than
    that (QA302): such a finding stays, to be fixed by rewording."""
    taken: dict[str, list[tuple[int, int]]] = {}
    grown: dict[tuple[str, int], int] = {}
    chosen: list[tuple[Diagnostic, tuple[Edit, ...]]] = []
    shared: list[Diagnostic] = []  # fixed by a fix another finding brings
    for d, fix in fixes:
        if any(e.path not in texts for e in fix):
            continue
        if fix and any(fix == other for _, other in chosen):
            shared.append(d)  # two long lines of one paragraph: one rewrap
            continue
        spans = [(e.path, e.start, e.end) for e in fix]
        if any(_overlaps(taken.get(p, []), s, t) for p, s, t in spans):
            continue
        growth = line_growth(fix, texts, grown, limit) if limit is not None else {}
        if growth is None:
            continue
        grown.update(growth)
        for p, s, t in spans:
            taken.setdefault(p, []).append((s, t))
        chosen.append((d, fix))
    by_file: dict[str, list[Edit]] = {}
    for _, edits in chosen:
        for e in edits:
            by_file.setdefault(e.path, []).append(e)
    out: dict[str, str] = {}
    for path, file_edits in by_file.items():
        text = texts[path]
        for e in sorted(file_edits, key=lambda e: (e.start, e.end), reverse=True):
            text = text[:e.start] + e.text + text[e.end:]
        if text != texts[path]:
            out[path] = text
    return out, [d for d, _ in chosen] + shared


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Touching insertions at one point count as overlapping, so that
    their order cannot matter."""
    return any((start < t and s < end) or start == s or (start == end and s <= start <= t)
               or (s == t and start <= s <= end) for s, t in spans)


def fix_until_stable(lint_once: Callable[[], tuple[LintResult, dict[str, str]]],
                     write: Callable[[str, str], None],
                     limit: int | None = None) -> list[Diagnostic]:
    """Lint, apply fixes, write, repeat; returns every finding fixed.
    `lint_once` returns the result and the texts of the files it read;
    *limit*: the documentation line length fixes must keep (`apply_edits`)."""
    fixed: list[Diagnostic] = []
    for _ in range(MAX_ROUNDS):
        result, texts = lint_once()
        new, applied = apply_edits(result.fixes, texts, limit)
        if not new:
            break
        for path, text in new.items():
            write(path, text)
        fixed.extend(applied)
    return fixed
