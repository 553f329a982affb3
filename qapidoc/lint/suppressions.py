"""In-schema suppressions: ``# qapidoc: ignore[CODE, ...]`` comments.

A comment line directly before a definition (or its doc comment), or a
whole line inside its doc comment, silences those codes for the whole
definition; the same comment at the end of a line silences that line.  The
engine hands every raw finding to `apply()`, which drops the silenced ones
and reports suppressions that are malformed or silence nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from qapidoc.core.hints import TYPE_CHECKING
from qapidoc.core.lazy import lazy
from qapidoc.core.record import field, record
from qapidoc.core.registry import RULES, find_rules
from qapidoc.core.source import Diagnostic, Location, SourceFile
from qapidoc.lint.engine import CHECKS, Edit, LintContext, lint_rule
from qapidoc.schema.model import Definition, DocComment

if TYPE_CHECKING:
    from typing import Never

ENGINE_CODES = frozenset({"QD601", "QD602"})
"""Reported by `apply()` rather than by a check of their own."""

_SUPPRESS = lazy(r"#\s*qapidoc:\s*ignore\b(?:\[([^\]]*)\])?")


@record(frozen=False, slots=False)
class Suppression:
    """One ``ignore[...]`` comment and what it covers."""

    location: Location
    codes: dict[str, set[str]]  # selector as written → codes it names
    definition: str | None
    first: int
    last: int
    used: set[str] = field(default_factory=set)

    def covers(self, d: Diagnostic) -> bool:
        if not any(d.code in codes for codes in self.codes.values()):
            return False
        if self.definition is not None and d.definition == self.definition:
            return True
        loc = d.location
        return (loc.file is self.location.file
                and self.first <= loc.line <= self.last)


def _extents(ctx: LintContext) -> dict[str, tuple[dict[int, Definition],
                                                  list[tuple[int, int,
                                                             Definition]]]]:
    """Per file: definitions by the line they (or their doc) start on, and
    their line extents."""
    out: dict[str, tuple[dict[int, Definition],
                         list[tuple[int, int, Definition]]]] = {}
    for m in ctx.schema.modules:
        starts: dict[int, Definition] = {}
        spans: list[tuple[int, int, Definition]] = []
        items = m.items
        firsts = [(it.doc.location.line if isinstance(it, Definition) and it.doc
                   else it.location.line) for it in items]
        for i, it in enumerate(items):
            if not isinstance(it, Definition):
                continue
            end = firsts[i + 1] - 1 if i + 1 < len(items) else len(ctx.lines(m.file))
            starts[firsts[i]] = it
            starts[it.location.line] = it
            spans.append((firsts[i], end, it))
        out[m.file.path] = (starts, spans)
    return out


def _doc_ranges(ctx: LintContext) -> dict[str, list[tuple[DocComment,
                                                          Definition | None]]]:
    out: dict[str, list[tuple[DocComment, Definition | None]]] = {}
    for doc, defn in ctx.docs:
        out.setdefault(doc.location.path, []).append((doc, defn))
    return out


def find_suppressions(ctx: LintContext) -> tuple[list[Suppression],
                                                 list[Diagnostic]]:
    """Suppressions in every schema file, and the malformed ones."""
    sups: list[Suppression] = []
    bad: list[Diagnostic] = []
    files: list[SourceFile] = [m.file for m in ctx.schema.modules]
    if not any("qapidoc:" in f.text for f in files):
        return sups, bad
    extents = _extents(ctx)
    docs = _doc_ranges(ctx)
    malformed = CHECKS["QD602"].rule
    for f in files:
        if "qapidoc:" not in f.text:
            continue
        starts, _ = extents.get(f.path, ({}, []))
        for n, raw in enumerate(ctx.lines(f), 1):
            m = _SUPPRESS.search(raw)
            if m is None:
                continue
            where = Location(f, n, m.start() + 1)
            whole = raw[:m.start()].strip() in ("", "#")
            if m.group(1) is None or not m.group(1).strip():
                bad.append(malformed.at(where, "suppression needs rule codes: "
                                        "'# qapidoc: ignore[QD201]'"))
                continue
            codes: dict[str, set[str]] = {}
            for sel in (s.strip() for s in m.group(1).split(",")):
                found = {r.code for r in find_rules(sel)} if sel else set()
                if not found:
                    from qapidoc.core.suggest import did_you_mean

                    hint = did_you_mean(sel, [*RULES, *(r.name for r in RULES.values())])
                    bad.append(malformed.at(where, f"suppression names unknown "
                                            f"rule '{sel}'{hint}"))
                else:
                    codes[sel] = found
            if not codes:
                continue
            if not whole:
                sups.append(Suppression(where, codes, None, n, n))
                continue
            owner = next(((doc, defn) for doc, defn in docs.get(f.path, [])
                          if doc.location.line < n < doc.end_line), None)
            if owner is not None:
                doc, defn = owner
                sups.append(Suppression(where, codes,
                                        defn.name if defn else None,
                                        doc.location.line, doc.end_line))
                continue
            target = starts.get(n + 1)
            if target is None:
                bad.append(malformed.at(where, "suppression is not on the line "
                                        "before a definition, in a doc comment "
                                        "or at the end of a line"))
                continue
            first = target.doc.location.line if target.doc else target.location.line
            sups.append(Suppression(where, codes, target.name, first,
                                    target.location.line))
    return sups, bad


def apply(ctx: LintContext, found: Iterable[tuple[Diagnostic, tuple[Edit, ...]]],
          codes: set[str]) -> list[tuple[Diagnostic, tuple[Edit, ...]]]:
    """Drop findings a suppression covers; add QD601/QD602 findings."""
    sups, bad = find_suppressions(ctx)
    if not sups and not bad:
        return list(found)
    kept: list[tuple[Diagnostic, tuple[Edit, ...]]] = []
    for d, fix in found:
        hit = next((s for s in sups if s.covers(d)), None)
        if hit is None:
            kept.append((d, fix))
        else:
            hit.used.add(d.code)
    if "QD602" in codes:
        kept.extend((d, ()) for d in bad)
    if "QD601" in codes:
        unused = CHECKS["QD601"].rule
        for s in sups:
            for sel, named in s.codes.items():
                if named & s.used or not named <= codes:
                    continue  # used, or a rule this run did not check
                kept.append((unused.at(
                    s.location, f"suppression of '{sel}' suppresses nothing",
                    definition=s.definition), ()))
    return kept


@lint_rule("QD601", fixable=False)
def unused_suppression(ctx: LintContext) -> Iterable[Never]:
    """
    What it checks:
        A ``# qapidoc: ignore[CODE]`` comment for a rule that ran and found
        nothing there to suppress.

    Why it matters:
        Stale suppressions hide the next real problem of that kind and
        mislead readers about the schema's state.

    What QEMU does:
        (qapidoc's own suppression comments; QEMU has none.)

    Example:
        ##
        # @ping:
        #
        # Since: 9.0
        ##
        # qapidoc: ignore[QD101]
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    return ()


@lint_rule("QD602")
def bad_suppression(ctx: LintContext) -> Iterable[Never]:
    """
    What it checks:
        A suppression comment without rule codes, naming an unknown rule,
        or placed where it applies to nothing.

    Why it matters:
        A code is required so that a suppression silences one known problem
        and not every finding around it.

    What QEMU does:
        (qapidoc's own suppression comments; QEMU has none.)

    Example:
        ##
        # @ping:
        ##
        # qapidoc: ignore
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        ##
        # qapidoc: ignore[QD101]
        { 'command': 'ping' }
    """
    return ()

