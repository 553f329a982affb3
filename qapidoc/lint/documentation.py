"""Documentation rules (QD2xx): what doc comments say, beyond their syntax.

Undocumented definitions, documentation exceptions no longer needed,
descriptions that only give a version, ``@name`` references to nothing,
``Returns:`` that restates the type, ``Errors:`` not written as a list
and deprecations that do not say what to use instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qapidoc.core.source import Location, Severity
from qapidoc.lint.engine import Finding, LintContext, lint_rule
from qapidoc.lint.since import literal_flags
from qapidoc.schema.model import (
    AlternateType,
    Command,
    Definition,
    DocComment,
    EnumType,
    Event,
    Schema,
    SectionKind,
    StructType,
    UnionType,
)
from qapidoc.schema.since import find_notes

# --------------------------------------------------------------------------
# Names a definition's documentation may refer to


def _struct_names(schema: Schema, t: Definition | None, out: set[str],
                  seen: set[str]) -> None:
    """Members (branch members included), values and features of a type."""
    if t is None or t.name in seen:
        return
    seen.add(t.name)
    out.update(f.name for f in t.features)
    if isinstance(t, StructType):
        for m in t.members:
            out.add(m.name)
            out.update(f.name for f in m.features)
        if isinstance(t, UnionType):
            for b in t.branches:
                out.add(b.name)
                _struct_names(schema, schema.resolve(b.type), out, seen)
    elif isinstance(t, EnumType):
        for v in t.values:
            out.add(v.name)
            out.update(f.name for f in v.features)
    elif isinstance(t, AlternateType):
        out.update(b.name for b in t.alternatives)


def referable(schema: Schema, d: Definition) -> set[str]:
    """What ``@name`` may name in `d`'s documentation: its members,
    arguments, values, branches and features (all levels of a union)."""
    out: set[str] = set()
    if isinstance(d, Command | Event):
        for m in d.arguments:
            out.add(m.name)
            out.update(f.name for f in m.features)
        out.update(f.name for f in d.features)
        if d.arg_type is not None:
            _struct_names(schema, schema.resolve(d.arg_type), out, set())
    else:
        _struct_names(schema, d, out, set())
    if d.doc is not None:
        out.update(s.name for s in d.doc.sections if s.kind in (
            SectionKind.MEMBER, SectionKind.FEATURE))
    return out


def undocumented(d: Definition) -> list[tuple[str, str]]:
    """(role, name) of what the definition's own doc leaves undescribed."""
    out: list[tuple[str, str]] = []
    if isinstance(d, EnumType):
        out += [("value", v.name) for v in d.values if v.doc is None]
    elif isinstance(d, AlternateType):
        out += [("branch", b.name) for b in d.alternatives if b.doc is None]
    elif isinstance(d, StructType):
        out += [("member", m.name) for m in d.own_members if m.doc is None]
    elif isinstance(d, Command | Event) and d.arg_type is None:
        role = "argument" if isinstance(d, Command) else "member"
        out += [(role, m.name) for m in d.arguments if m.doc is None]
    return out


# --------------------------------------------------------------------------
# Rules


@lint_rule("QD201")
def undocumented_definition(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A definition without a doc comment, in a schema that does not
        require documentation (pragma ``doc-required``; with it, QEMU's own
        check reports the same).

    Why it matters:
        The reference manual is generated from doc comments; an
        undocumented command or type appears without any explanation.

    Example:
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
    """
    if ctx.schema.pragmas.doc_required:
        return
    for d in ctx.definitions:
        if d.doc is None:
            yield Finding(d.location, f"{d.describe()} has no documentation",
                          definition=d.name)


def _pragma_entry(ctx: LintContext, name: str) -> Location | None:
    """Where ``'name'`` is listed in a documentation-exceptions pragma."""
    for m in ctx.schema.modules:
        text = m.file.text
        at = text.find("documentation-exceptions")
        if at < 0:
            continue
        close = text.find("]", at)
        hit = re.search(r"['\"]" + re.escape(name) + r"['\"]", text[at:close])
        if hit:
            pos = at + hit.start()
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
            return Location(m.file, line, col)
    return None


@lint_rule("QD202")
def unneeded_documentation_exception(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An entry of pragma ``documentation-exceptions`` whose definition is
        now fully documented, or that names no definition.

    Why it matters:
        The exception list is meant to shrink; a stale entry lets the next
        undocumented member in without notice.

    Example:
        { 'pragma': { 'documentation-exceptions': [ 'Point' ] } }
        ##
        # @Point:
        #
        # @x: across
        #
        # Since: 9.0
        ##
        { 'struct': 'Point', 'data': { 'x': 'int' } }

    Use instead:
        ##
        # @Point:
        #
        # @x: across
        #
        # Since: 9.0
        ##
        { 'struct': 'Point', 'data': { 'x': 'int' } }
    """
    for name in sorted(ctx.schema.pragmas.documentation_exceptions):
        d = ctx.schema.get(name)
        where = _pragma_entry(ctx, name)
        if where is None:
            continue
        if d is None or not d.module:
            yield Finding(where, f"documentation exception '{name}' names no "
                          "definition", definition=None)
        elif d.doc is not None and not undocumented(d):
            yield Finding(where, f"documentation exception '{name}' is no "
                          f"longer needed: {d.describe()} is fully documented",
                          definition=name)


@lint_rule("QD203", severity=Severity.INFO, preset="strict")
def version_only_description(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A member, value, branch or feature description that says nothing
        but a version, such as ``@foo: (since 9.1)`` or ``@foo: since 9.1``.

    Why it matters:
        QEMU's checker counts it as documented, yet the reader learns
        nothing about what the member does.

    What QEMU does:
        Describes new enum values exactly so, ``@luks: Since 2.7``, when
        the value's name says what it is (key codes, drivers, formats):
        about 80 such values in the QMP schema.  Advice for the strict
        preset only; the form itself is an accepted since note.

    Example:
        ##
        # @ping:
        #
        # @verbose: (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: report progress while waiting (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    for d, doc in ctx.documented:
        for s in doc.sections:
            if s.kind not in (SectionKind.MEMBER, SectionKind.FEATURE):
                continue
            text = s.text.strip()
            if "ince" not in text:
                continue
            notes = find_notes(text)
            if len(notes) == 1 and (notes[0].form == "bare" or (
                    notes[0].plain and len(notes[0].text) == len(text.rstrip(".")))):
                yield Finding(s.location, f"the description of '{s.name}' gives "
                              "only a version; say what it is",
                              definition=d.name, member=s.name)


_REF = re.compile(r"(?<![\w@`.'\"])@([A-Za-z_][\w.-]*[\w])")
_INLINE_LITERAL = re.compile(r"``.*?``")


@lint_rule("QD204", severity=Severity.ERROR)
def unknown_member_reference(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        ``@name`` in a definition's documentation that names none of its
        members, arguments, values, branches or features.

    Why it matters:
        ``@name`` promises the reader a member of this very definition;
        after a rename or a copy-paste it points at nothing.  Refer to
        other definitions with ```Name```.

    Example:
        ##
        # @ping:
        #
        # Check the server is alive.  With @verbos, say more.
        #
        # @verbose: say more
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive.  With @verbose, say more.
        #
        # @verbose: say more
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    for d, doc in ctx.documented:
        tags = {s.location.line for s in doc.sections
                if s.kind in (SectionKind.MEMBER, SectionKind.FEATURE)}
        tags.add(doc.location.line + 1)  # the "@symbol:" line

        def mentions(number: int, text: str, tags: set[int] = tags) -> bool:
            return text.find("@", 1) >= 0 or (text.startswith("@")
                                              and number not in tags)

        if not any(mentions(ln.line, ln.text) for ln in doc.lines):
            continue
        names = referable(ctx.schema, d)
        flags = literal_flags(ctx, doc)
        in_todo = _todo_lines(doc)
        for ln in doc.lines:
            if (not mentions(ln.line, ln.text) or flags.get(ln.line)
                    or ln.line in in_todo):
                continue
            text = _INLINE_LITERAL.sub(lambda m: " " * len(m.group(0)), ln.text)
            if ln.line in tags:
                colon = text.find(":")
                text = " " * (colon + 1) + text[colon + 1:]
            for m in _REF.finditer(text):
                name = m.group(1)
                if name in names:
                    continue
                _, member = ctx.where(doc, d, ln.line)
                hint = (f"; refer to {ctx.schema[name].describe()} as `{name}`"
                        if name in ctx.schema else "")
                yield Finding(ctx.at(doc.location.file, ln.line, m.start()),
                              f"'@{name}' names nothing in {d.describe()}{hint}",
                              definition=d.name, member=member)


def _todo_lines(doc: DocComment) -> set[int]:
    """Lines of TODO sections, which are not rendered."""
    out: set[int] = set()
    for s in doc.sections:
        if s.kind is SectionKind.TODO:
            out.update(range(s.location.line, s.end_line + 1))
    return out


_ARTICLES = re.compile(r"^(?:a|an|the)\s+", re.I)
_LIST_OF = re.compile(r"^(?:list|array)\s+of\s+", re.I)


def _bare_type(text: str) -> str:
    """``a list of @Foo.`` → ``Foo``: the words left after markup,
    articles and "list of"."""
    t = text.strip().rstrip(".").strip()
    t = _ARTICLES.sub("", t)
    t = _LIST_OF.sub("", t)
    t = _ARTICLES.sub("", t)
    t = t.strip("@`'\" ").rstrip("s") if t.endswith("`s") else t.strip("@`'\" ")
    return t


@lint_rule("QD205")
def returns_restates_type(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A ``Returns:`` section that only names the return type (``Returns:
        @BlockInfo``, ``Returns: a list of BlockInfo``).

    Why it matters:
        The generated manual already shows the type; the section should say
        what the value means — which objects, in what order, when empty.

    Example:
        ##
        # @query-points:
        #
        # Since: 9.0
        #
        # Returns: a list of @Point
        ##
        { 'command': 'query-points', 'returns': [ 'Point' ] }
        ##
        # @Point:
        #
        # @x: across
        #
        # Since: 9.0
        ##
        { 'struct': 'Point', 'data': { 'x': 'int' } }

    Use instead:
        ##
        # @query-points:
        #
        # Since: 9.0
        #
        # Returns: every point of the current drawing, oldest first
        ##
        { 'command': 'query-points', 'returns': [ 'Point' ] }
        ##
        # @Point:
        #
        # @x: across
        #
        # Since: 9.0
        ##
        { 'struct': 'Point', 'data': { 'x': 'int' } }
    """
    for d, doc in ctx.documented:
        if not isinstance(d, Command) or d.returns is None:
            continue
        s = doc.section(SectionKind.RETURNS)
        if s is None:
            continue
        if _bare_type(s.text).lower() == d.returns.name.lower():
            yield Finding(s.location, f"'Returns:' only repeats the type "
                          f"'{d.returns}'; say what the value means",
                          definition=d.name)


_ERROR_ITEM = re.compile(r"- +(?:If|When|Any|Otherwise|On)\b", re.I)


@lint_rule("QD206")
def errors_not_a_list(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An ``Errors:`` section that is not an rST list of ``- If …``
        items, each naming a condition and the error class.

    Why it matters:
        Error conditions are looked up one at a time; a list, one condition
        per item, renders as one and is easy to extend.

    Example:
        ##
        # @eject:
        #
        # @device: the block device
        #
        # Errors: DeviceNotFound when @device does not exist.
        #
        # Since: 9.0
        ##
        { 'command': 'eject', 'data': { 'device': 'str' } }

    Use instead:
        ##
        # @eject:
        #
        # @device: the block device
        #
        # Errors:
        #     - If @device does not exist, DeviceNotFound
        #
        # Since: 9.0
        ##
        { 'command': 'eject', 'data': { 'device': 'str' } }
    """
    for d, doc in ctx.documented:
        s = doc.section(SectionKind.ERRORS)
        if s is None:
            continue
        items = [ln for ln in s.lines if ln.startswith("-")]
        prose = [ln for ln in s.lines if ln and not ln.startswith((" ", "-"))]
        if not items or prose:
            yield Finding(s.location, "write 'Errors:' as a list of "
                          "'- If <condition>, <ErrorClass>' items",
                          definition=d.name)
            continue
        for ln in items:
            if not _ERROR_ITEM.match(ln):
                yield Finding(s.location, f"error item '{ln[:40]}' should say "
                              "when: '- If <condition>, <ErrorClass>'",
                              definition=d.name)
                break


_REPLACEMENT = re.compile(
    r"\binstead\b|\buse\b|\bUse\b|\breplace|\bsupersed|\bin favou?r of\b|"
    r"\bno longer\b|\bobsolete\b|\bredundant\b|\bwithout replacement\b|"
    r"\bnot needed\b|\bunnecessary\b|\bhas no effect\b|\bmigrate to\b|"
    r"\bprefer\b|\b(?:already|is) the default\b", re.I)


@lint_rule("QD207")
def deprecated_without_replacement(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A description of feature ``deprecated`` that does not say what to
        use instead (or that there is no replacement).

    Why it matters:
        A deprecation is only actionable when the client knows where to
        go; the deprecation notice is where they look.

    Example:
        ##
        # @eject:
        #
        # @device: the block device
        #
        # Features:
        #
        # @deprecated: This command is deprecated.
        #
        # Since: 9.0
        ##
        { 'command': 'eject', 'data': { 'device': 'str' },
          'features': [ 'deprecated' ] }

    Use instead:
        ##
        # @eject:
        #
        # @device: the block device
        #
        # Features:
        #
        # @deprecated: This command is deprecated.  Use `blockdev-eject`
        #     instead.
        #
        # Since: 9.0
        ##
        { 'command': 'eject', 'data': { 'device': 'str' },
          'features': [ 'deprecated' ] }
    """
    for d, doc in ctx.documented:
        s = doc.feature("deprecated")
        if s is None:
            continue
        if not _REPLACEMENT.search(s.text):
            yield Finding(s.location, "say what to use instead of what is "
                          "deprecated (or that nothing replaces it)",
                          definition=d.name, member="deprecated")

