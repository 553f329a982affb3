"""The lint engine: rule declaration, the context rules read, and the run.

`@lint_rule` registers a check function beside its code, with its
documentation taken from the docstring's fixed headings, into the one
registry (`qapidoc.core.registry.RULES`).  `run_lint()` takes a loaded `Schema`
and a `Config`, runs the enabled checks, applies severity overrides,
per-file ignores and in-schema suppressions, and returns the findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from itertools import accumulate
from operator import add

from qapidoc.core.collector import cycles_off
from qapidoc.core.config import Config
from qapidoc.core.lazy import lazy
from qapidoc.core.record import field, record, replace
from qapidoc.core.registry import RULES, Explanation, Rule, find_rules, load_all_rules, rule
from qapidoc.core.source import Diagnostic, Location, Severity, SourceFile
from qapidoc.schema.docs import LINE_LIMIT, long_lines
from qapidoc.schema.model import Definition, DocComment, Schema, Section
from qapidoc.schema.since import release_tuple

# --------------------------------------------------------------------------
# Findings and fixes


@record
class Edit:
    """Replace ``text[start:end]`` of the file at `path` with `text`."""

    path: str
    start: int
    end: int
    text: str


@record
class Finding:
    """What a check yields; the engine adds the rule's code and severity."""

    location: Location
    message: str
    definition: str | None = None
    member: str | None = None
    context: Location | None = None
    fix: tuple[Edit, ...] = ()


Check = Callable[["LintContext"], Iterable[Finding]]


@record(slots=False)
class LintRule:
    """A registered check: its registry entry, function and example setup."""

    rule: Rule
    check: Check
    options: dict[str, str] = field(default_factory=dict)
    against: str | None = None
    history: tuple[tuple[str, str], ...] = ()


CHECKS: dict[str, LintRule] = {}
"""Lint checks by code; their metadata lives in `qapidoc.core.registry.RULES`."""

_HEADINGS = ("What it checks", "Why it matters", "Example", "Use instead")
_HEADING = lazy(
    r"^(What it checks|Why it matters|What QEMU does|Example|Use instead):?:?$")


def _dedent(text: str) -> str:
    """Like `inspect.cleandoc` (without importing inspect): the first line
    stripped, the rest dedented, blank lines at both ends dropped."""
    lines = text.expandtabs().split("\n")
    indents = [len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.strip()]
    cut = min(indents, default=0)
    out = [lines[0].strip()] + [ln[cut:].rstrip("\n") for ln in lines[1:]]
    while out and not out[0].strip():
        out.pop(0)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def parse_rule_doc(doc: str) -> dict[str, str]:
    """Split a rule docstring into its four fixed headings."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _dedent(doc).split("\n"):
        m = _HEADING.match(line.strip()) if not line.startswith(" ") else None
        if m:
            current = parts.setdefault(m.group(1), [])
        elif current is not None:
            current.append(line)
    missing = [h for h in _HEADINGS if h not in parts]
    if missing:
        raise ValueError(f"rule docstring lacks {', '.join(missing)}")
    out = {}
    for h, lines in parts.items():
        text = _dedent("\n" + "\n".join(lines))
        out[h] = text
    return out


def _paragraph(text: str) -> str:
    return " ".join(text.split())


def lint_rule(code: str, *, severity: Severity = Severity.WARNING,
              preset: str = "recommended", fixable: bool = False,
              options: dict[str, str] | None = None,
              against: str | None = None,
              history: tuple[tuple[str, str], ...] = (),
              qemu_from: str = "") -> Callable[[Check], Check]:
    """Declare a lint check.  The name is the function's, kebab-cased; the
    docstring's *Example* must trigger it and *Use instead* must not, with
    `options` (config keys), the `against` schema text and the `history`
    (release, schema text) pairs when given."""
    def decorate(fn: Check) -> Check:
        r = rule(code, fn.__name__.replace("_", "-"), lambda: explain(fn),
                 severity=severity, preset=preset, fixable=fixable, qemu_from=qemu_from)
        CHECKS[code] = LintRule(r, fn, dict(options or {}), against, history)
        return fn
    return decorate


def explain(fn: Check) -> Explanation:
    """A lint rule's `Explanation`, from its docstring's headings (read
    when the text is asked for: a lint run never does)."""
    doc = parse_rule_doc(fn.__doc__ or "")
    return Explanation(_paragraph(doc["What it checks"]), _paragraph(doc["Why it matters"]),
                       doc["Example"].strip("\n"), doc["Use instead"].strip("\n"),
                       _paragraph(doc.get("What QEMU does", "")))


# --------------------------------------------------------------------------
# Versions


Version = tuple[int, ...]


@lru_cache(maxsize=512)
def parse_version(text: str) -> Version | None:
    """``10.1`` → (10, 1); ``2.12.0`` → (2, 12); None if not a version."""
    return release_tuple(text)


def show_version(v: Version) -> str:
    return ".".join(str(p) for p in v)


# --------------------------------------------------------------------------
# Context


@record(frozen=False, slots=False)
class LintContext:
    """What checks read: the schema, configuration, release under
    development and the previous release's schema, plus shared lookups."""

    schema: Schema
    config: Config = field(default_factory=Config)
    release: Version | None = None
    against: Schema | None = None
    history: tuple[tuple[str, Schema], ...] = ()
    """Earlier releases' schemas, oldest first, with their versions."""
    against_release: Version | None = None
    """The release `against` is, when its VERSION file, git tag or
    directory says."""

    @cached_property
    def definitions(self) -> list[Definition]:
        return list(self.schema.definitions)

    @cached_property
    def documented(self) -> list[tuple[Definition, DocComment]]:
        return [(d, d.doc) for d in self.schema.definitions if d.doc is not None]

    @cached_property
    def docs(self) -> list[tuple[DocComment, Definition | None]]:
        """Every doc comment with its definition (None if unbound)."""
        out: list[tuple[DocComment, Definition | None]] = [
            (doc, d) for d, doc in self.documented]
        for m in self.schema.modules:
            out.extend((it, None) for it in m.items if isinstance(it, DocComment))
        return out

    @staticmethod
    def line_text(doc: DocComment) -> str:
        """`DocComment.text` after a line break: a pattern for whole lines that
        starts with ``\\n`` is found fast (``^`` under `re.MULTILINE`
        makes the engine try every character)."""
        return "\n" + doc.text

    def doc_file(self, doc: DocComment) -> SourceFile:
        return doc.location.file

    def lines(self, file: SourceFile) -> list[str]:
        return file.lines

    def doc_col(self, file: SourceFile, line: int) -> int:
        """1-based column where a doc line's text (after ``# ``) starts."""
        raw = self.file_line(file, line)
        i = raw.find("#")
        return i + 3 if raw[i + 1:i + 2] == " " else i + 2

    def file_line(self, file: SourceFile, line: int) -> str:
        """The raw text of a 1-based line."""
        lines = self.lines(file)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def at(self, file: SourceFile, line: int, index: int = 0) -> Location:
        """Location of character `index` of a doc line's text."""
        return Location(file, line, self.doc_col(file, line) + index)

    def offset(self, file: SourceFile, line: int, col: int = 1) -> int:
        """Offset in the file text of a 1-based line and column."""
        starts = self._line_starts(file)
        return starts[line - 1] + col - 1

    def _line_starts(self, file: SourceFile) -> list[int]:
        """Where each line starts: the lengths before it, plus a newline
        each (summed in C: a file with a fix has thousands of lines)."""
        cache = self.__dict__.setdefault("_starts", {})
        starts: list[int] | None = cache.get(file.path)
        if starts is None:
            lines = self.lines(file)
            starts = cache[file.path] = list(map(
                add, accumulate(map(len, lines), initial=0), range(len(lines) + 1)))
        return starts

    @staticmethod
    def newline(file: SourceFile) -> str:
        """The file's line ending, for fixes that insert lines."""
        return "\r\n" if "\r\n" in file.text else "\n"

    def edit(self, file: SourceFile, line: int, col: int, end_col: int,
             text: str) -> Edit:
        """Replace columns [col, end_col) of a line."""
        return Edit(file.path, self.offset(file, line, col),
                    self.offset(file, line, end_col), text)

    @staticmethod
    def section_at(doc: DocComment, line: int) -> Section | None:
        """The section a doc line belongs to."""
        found = None
        for s in doc.sections:
            if min(s.location.line, s.body_line) <= line:
                found = s
            else:
                break
        if found is not None and line > max(found.end_line, found.location.line):
            return None
        return found

    def where(self, doc: DocComment, defn: Definition | None,
              line: int) -> tuple[str | None, str | None]:
        """Definition and member names for a finding on a doc line."""
        s = self.section_at(doc, line)
        member = s.name if s is not None and s.name and s.kind.name in (
            "MEMBER", "FEATURE") else None
        return (defn.name if defn else doc.symbol), member


# --------------------------------------------------------------------------
# Selection


def enabled_codes(config: Config) -> set[str]:
    """Codes the configuration runs, as ruff chooses: `select` (or else
    the preset's), plus `extend_select`, minus `ignore`."""
    if config.preset != "qemu" or config.select or config.extend_select:
        load_rules()
    if config.select:
        codes = {r.code for sel in config.select for r in find_rules(sel)}
    else:
        codes = {c for c, r in RULES.items() if r.in_preset(config.preset)}
    for sel in config.extend_select:
        codes.update(r.code for r in find_rules(sel))
    for sel in config.ignore:
        codes.difference_update(r.code for r in find_rules(sel))
    return codes


def newer_than_release(config: Config, release: Version | None) -> list[str]:
    """Enabled checks that QEMU's checker gained after *release*
    (`Rule.qemu_from`), unless `select` or `extend_select` names them: a
    schema of an older release is held to its own release's rules."""
    if release is None:
        return []
    explicit = {r.code for sel in (*config.select, *config.extend_select)
                for r in find_rules(sel)}
    return sorted(code for code in enabled_codes(config)
                  if RULES[code].newer_than(release) and code not in explicit)


def _severity_overrides(config: Config) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for sel, sev in config.severity.items():
        for r in find_rules(sel):
            out[r.code] = Severity.parse(sev)
    return out


def _file_ignores(config: Config, path: str) -> set[str]:
    """Codes per-file-ignores switches off for `path`."""
    out: set[str] = set()
    if not config.per_file_ignores:
        return out
    import fnmatch

    base = os.path.dirname(os.path.abspath(config.source)) if config.source else ""
    full = os.path.abspath(path)
    rel = os.path.relpath(full, base) if base else path
    for pattern, sels in config.per_file_ignores.items():
        if (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path, pattern)
                or fnmatch.fnmatch(os.path.basename(path), pattern)):
            for sel in sels:
                out.update(r.code for r in find_rules(sel))
    return out


# --------------------------------------------------------------------------
# Running


@record(slots=False)
class LintResult:
    """Findings (sorted) and the fixes the fixable ones carry."""

    diagnostics: list[Diagnostic]
    fixes: list[tuple[Diagnostic, tuple[Edit, ...]]]


def _line_length_findings(ctx: LintContext) -> Iterator[Diagnostic]:
    limit = ctx.config.line_length
    for doc, _ in ctx.docs:
        yield from long_lines(doc.location,
                              [(ln.line, ln.text) for ln in doc.lines], limit)


def line_growth(fix: Sequence[Edit], texts: dict[str, str],
                grown: dict[tuple[str, int], int], limit: int) -> dict[tuple[str, int], int] | None:
    """How much *fix* lengthens each line it edits within (key: file and
    line start, value: total growth with the fixes taken before), or None
    when a comment line that fits *limit* would no longer fit: such a fix is
    not offered (the finding is not fixable) and not applied by ``--fix``."""
    out: dict[tuple[str, int], int] = {}
    for e in fix:
        text = texts.get(e.path)
        if text is None or "\n" in e.text or "\n" in text[e.start:e.end]:
            continue
        start = text.rfind("\n", 0, e.start) + 1
        end = text.find("\n", e.start)
        line = text[start:end if end >= 0 else len(text)]
        key = (e.path, start)
        total = out.get(key, grown.get(key, 0)) + len(e.text) - (e.end - e.start)
        if line.lstrip().startswith("#") and len(line) <= limit < len(line) + total:
            return None
        out[key] = total
    return out


SAME_PROBLEM = {"QD301": "QA304"}
"""Lint rules that, where they find something at the very place a QEMU
check (the value) does, find the same problem: one finding is reported,
QEMU's, carrying the lint rule's fix."""

Raw = list[tuple[Diagnostic, tuple[Edit, ...]]]


def _merge_same_problem(raw: Raw) -> Raw:
    targets = set(SAME_PROBLEM.values())
    places: dict[tuple[str, str, int, int], int] = {}
    for i, (d, _) in enumerate(raw):
        if d.code in targets:
            loc = d.location
            places[(d.code, loc.file.path, loc.line, loc.col)] = i
    if not places:
        return raw
    lent: dict[int, tuple[Edit, ...]] = {}
    dropped: set[int] = set()
    for i, (d, fix) in enumerate(raw):
        target = SAME_PROBLEM.get(d.code)
        if target is None:
            continue
        loc = d.location
        j = places.get((target, loc.file.path, loc.line, loc.col))
        if j is not None:
            dropped.add(i)
            if fix:
                lent[j] = fix
    # the finding that carries a lent fix is fixable (JSON, SARIF, summary)
    return [(replace(d, fixable=True), lent[i]) if i in lent else (d, fix)
            for i, (d, fix) in enumerate(raw) if i not in dropped]


def load_rules() -> None:
    """Import every rule family, registering its rules."""
    load_all_rules()


def run_lint(schema: Schema, config: Config | None = None, *,
             release: Version | None = None,
             against: Schema | None = None,
             history: Sequence[tuple[str, Schema]] = (),
             against_release: Version | None = None) -> LintResult:
    """Every finding the configuration asks for, front end included
    (with the cyclic collector off: `qapidoc.core.collector`)."""
    return _run(schema, config, release, against, history, against_release)


@cycles_off
def _run(schema: Schema, config: Config | None, release: Version | None,
         against: Schema | None, history: Sequence[tuple[str, Schema]],
         against_release: Version | None) -> LintResult:
    from qapidoc.lint import suppressions

    config = config or Config()
    codes = enabled_codes(config).difference(newer_than_release(config, release))
    ctx = LintContext(schema, config, release, against, tuple(history), against_release)
    raw: list[tuple[Diagnostic, tuple[Edit, ...]]] = []
    retune = config.line_length != LINE_LIMIT
    texts: dict[str, str] | None = None  # files' texts, once a fix is offered
    long: list[Diagnostic] = []
    for d in schema.diagnostics:
        if d.code in codes and not (retune and d.code == "QA302"):
            if d.code == "QA302":
                long.append(d)
            else:
                raw.append((d, ()))
    if retune and "QA302" in codes:
        long.extend(_line_length_findings(ctx))
    if long:
        from qapidoc.lint.wrap import rewrap_fixes

        raw.extend(rewrap_fixes(ctx, long, config.line_length))
    for code in sorted(codes):
        lr = CHECKS.get(code)
        if lr is None or code in suppressions.ENGINE_CODES:
            continue
        r = lr.rule
        for f in lr.check(ctx):
            fix = f.fix
            if fix:
                if texts is None:
                    texts = {m.path: m.file.text for m in schema.modules}
                if line_growth(fix, texts, {}, config.line_length) is None:
                    fix = ()
            raw.append((r.at(f.location, f.message, context=f.context,
                             definition=f.definition, member=f.member,
                             fixable=bool(fix)), fix))
    kept = suppressions.apply(ctx, _merge_same_problem(raw), codes)
    overrides = _severity_overrides(config)
    ignores: dict[str, set[str]] = {}
    out: list[tuple[Diagnostic, tuple[Edit, ...]]] = []
    for d, fix in kept:
        path = d.location.path
        if path not in ignores:
            ignores[path] = _file_ignores(config, path)
        if d.code in ignores[path]:
            continue
        sev = overrides.get(d.code)
        if sev is not None and sev is not d.severity:
            d = replace(d, severity=sev)
        out.append((d, fix))
    out.sort(key=lambda p: _sort_key(p[0]))
    return LintResult([d for d, _ in out], [(d, f) for d, f in out if f])


def _sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    loc = d.location
    return (loc.file.path, loc.line, loc.col, d.code, d.message)
