"""Documentation rules (QD2xx): what doc comments say, beyond their syntax.

Undocumented definitions, documentation exceptions no longer needed,
descriptions that only give a version, ``@name`` references to nothing,
``Returns:`` that restates the type, ``Errors:`` not written as a list
and deprecations that do not say what to use instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from qapidoc.core.source import Location, Severity
from qapidoc.lint.engine import Finding, LintContext, lint_rule
from qapidoc.lint.since import literal_flags
from qapidoc.schema.model import (
    ERRORS_SECTION,
    NAMED_SECTIONS,
    TODO_SECTION,
    AlternateType,
    Command,
    Definition,
    DocComment,
    EnumType,
    Event,
    Schema,
    SectionKind,
    StructType,
)
from qapidoc.schema.references import Kind, Reference, References, Resolution, doc_references
from qapidoc.schema.since import find_notes

# --------------------------------------------------------------------------
# Helpers


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

    What QEMU does:
        QMP requires documentation (pragma ``doc-required``), so its
        checker reports this itself; other schemas may not.

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


_QUOTED = re.compile(r"['\"]([^'\"\n]+)['\"]")


def _pragma_entries(schema: Schema) -> dict[str, Location]:
    """Where each name is listed in a documentation-exceptions pragma."""
    out: dict[str, Location] = {}
    for m in schema.modules:
        text = m.file.text
        at = text.find("documentation-exceptions")
        if at < 0:
            continue
        close = text.find("]", at)
        for hit in _QUOTED.finditer(text, at + len("documentation-exceptions") + 1,
                                    close if close >= 0 else len(text)):
            pos = hit.start()
            line = text.count("\n", 0, pos) + 1
            col = pos - (text.rfind("\n", 0, pos) + 1) + 1
            out.setdefault(hit.group(1), Location(m.file, line, col))
    return out


def _sharing(ctx: LintContext, path: str) -> list[Schema] | None:
    """The other configured roots that include the pragma file at `path`;
    None when the file is shared (outside the root schema's directory) but
    no configured root includes it, so it cannot be judged here."""
    here = os.path.abspath(path)
    cache: dict[str, Schema] = ctx.__dict__.setdefault("_roots", {})
    me = os.path.abspath(ctx.schema.root)
    others = []
    for root in ctx.config.roots:
        full = os.path.abspath(root)
        if full == me or root.startswith("git:"):
            continue
        if full not in cache:
            from qapidoc.schema.builder import load_schema

            cache[full] = load_schema(root)
        if any(os.path.abspath(f.path) == here for f in cache[full].files):
            others.append(cache[full])
    if others:
        return others
    top = os.path.dirname(me) + os.sep
    return [] if here.startswith(top) else None


@lint_rule("QD202")
def unneeded_documentation_exception(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        An entry of pragma ``documentation-exceptions`` whose definition is
        now fully documented, or that names no definition.  A pragma file
        other schemas include too is judged across all configured
        ``roots`` that include it, and not at all when it lies outside the
        root schema's directory and no configured root shares it.

    Why it matters:
        The exception list is meant to shrink; a stale entry lets the next
        undocumented member in without notice.

    What QEMU does:
        Keeps one list in ``qapi/pragma.json``, which the storage daemon's
        schema includes as well: an entry for a definition only the QMP
        schema has is needed there, not stale.

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
    entries = _pragma_entries(ctx.schema)
    sharing: dict[str, list[Schema] | None] = {}
    for name in sorted(ctx.schema.pragmas.documentation_exceptions):
        where = entries.get(name)
        if where is None:
            continue
        if where.path not in sharing:
            sharing[where.path] = _sharing(ctx, where.path)
        others = sharing[where.path]
        if others is None:
            continue
        found = [d for d in (s.get(name) for s in (ctx.schema, *others))
                 if d is not None and d.module]
        if not found:
            yield Finding(where, f"documentation exception '{name}' names no "
                          "definition", definition=None)
        elif all(d.doc is not None and not undocumented(d) for d in found):
            d = found[0]
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


def references(ctx: LintContext) -> Iterator[tuple[Definition, DocComment, Reference,
                                                 Resolution]]:
    """Every ``@name`` in definitions' docs that is not one of their own
    names, with what it resolves to (computed once, read by QD204, QD208
    and QD209)."""
    cached = ctx.__dict__.get("_references")
    if cached is None:
        refs = References(ctx.schema)
        cached = []
        for d, doc in ctx.documented:
            if _tags_only(ctx, doc):
                continue
            # Most docs reference nothing: own names and literal lines are
            # looked up at the first reference.
            own: frozenset[str] | None = None
            literal: dict[int, bool] = {}
            for ref in doc_references(doc, _todo_lines(doc)):
                if own is None:
                    own = refs.own(d)
                    literal = literal_flags(ctx, doc)
                if ref.name not in own and ref.line not in literal:
                    found = refs.resolve(d, ref.name)
                    if found.kind is not Kind.REACHABLE:
                        cached.append((d, doc, ref, found))
        ctx.__dict__["_references"] = cached
    yield from cached


def _tags_only(ctx: LintContext, doc: DocComment) -> bool:
    """Whether every ``@`` of a definition's doc comment starts its
    ``@symbol:`` line or a member or feature tag (one each), so that
    `doc_references` would find nothing: one count instead of a walk."""
    first = doc.lines[0] if doc.lines else None
    if first is None or first.line != doc.location.line + 1 or not (
            first.text.startswith("@") and ":" in first.text):
        return False
    tags = 0
    for s in doc.sections:
        if s.kind in NAMED_SECTIONS:
            tags += 1
    return doc.text.count("@") == tags + 1



@lint_rule("QD204", severity=Severity.ERROR)
def unknown_member_reference(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        ``@name`` in a definition's documentation that names nothing in
        the schema, or that is a near miss of one of the definition's own
        members (``@node`` where the argument is ``node-name``).

    Why it matters:
        ``@name`` promises the reader a member; after a rename or a typo it
        points at nothing, and the rendered reference is dead.

    What QEMU does:
        Writes ``@name`` for the definition's own members and, as prose,
        for members of what it uses — its return type, list elements,
        base, branches, member types, and definitions its text names
        (``The @threads option in `SMPConfiguration```, or before 10.0
        a plain ``SMPConfiguration``; older releases also wrote
        ``@KeyValue.qcode``).  All of those are accepted; a member of an unrelated definition is
        foreign-member-reference (strict), a definition named with ``@``
        is definition-as-member-reference.

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
    for d, doc, ref, found in references(ctx):
        if found.kind is Kind.NEAR_MISS:
            hint = "; did you mean " + " or ".join(f"'@{n}'" for n in found.hints) + "?"
        elif found.kind is Kind.NOWHERE:
            hint = ("; did you mean " + " or ".join(f"`{n}`" for n in found.hints) + "?"
                    if found.hints else "")
        else:
            continue
        _, member = ctx.where(doc, d, ref.line)
        yield Finding(ctx.at(doc.location.file, ref.line, ref.col),
                      f"'@{ref.name}' names nothing in {d.describe()}{hint}",
                      definition=d.name, member=member)


@lint_rule("QD208", severity=Severity.INFO, preset="strict")
def foreign_member_reference(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        ``@name`` naming a member, value, branch or feature of a definition
        unrelated to the one documented: not its own, not of anything it
        uses, not of a definition its text names.

    Why it matters:
        The reader has to guess whose member it is; naming the definition
        (```drive-backup```) tells them and links to it.

    What QEMU does:
        Writes such references often and on purpose (``jobs that have
        @auto-finalize``), so this is advice for the strict preset.

    Example:
        ##
        # @ping:
        #
        # Check the server is alive, whatever its @colour.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
        ##
        # @Paint:
        #
        # @colour: the colour
        #
        # Since: 9.0
        ##
        { 'struct': 'Paint', 'data': { 'colour': 'str' } }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive, whatever the @colour of its `Paint`.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
        ##
        # @Paint:
        #
        # @colour: the colour
        #
        # Since: 9.0
        ##
        { 'struct': 'Paint', 'data': { 'colour': 'str' } }
    """
    for d, doc, ref, found in references(ctx):
        if found.kind is not Kind.FOREIGN:
            continue
        owners = ", ".join(f"`{n}`" for n in found.hints[:3])
        more = f" and {len(found.hints) - 3} more" if len(found.hints) > 3 else ""
        _, member = ctx.where(doc, d, ref.line)
        yield Finding(ctx.at(doc.location.file, ref.line, ref.col),
                      f"'@{ref.name}' is not in {d.describe()} or anything it "
                      f"uses; it is in {owners}{more}: say which",
                      definition=d.name, member=member)


@lint_rule("QD209", fixable=True, qemu_from="10.1")
def definition_as_member_reference(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        ``@Name`` naming a definition (a command, event or type) rather
        than a member.

    Why it matters:
        ``@`` marks members; a definition is referred to as ```Name```,
        which links to it in the reference manual.

    What QEMU does:
        Converted its references to definitions to ```Name``` in 2024;
        the few ``@Name`` left are leftovers (``Returns: @AcceleratorInfo``).

    Example:
        ##
        # @ping:
        #
        # Check the server is alive; see @Pong.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
        ##
        # @Pong:
        #
        # @x: across
        #
        # Since: 9.0
        ##
        { 'struct': 'Pong', 'data': { 'x': 'int' } }

    Use instead:
        ##
        # @ping:
        #
        # Check the server is alive; see `Pong`.
        #
        # Since: 9.0
        ##
        { 'command': 'ping' }
        ##
        # @Pong:
        #
        # @x: across
        #
        # Since: 9.0
        ##
        { 'struct': 'Pong', 'data': { 'x': 'int' } }
    """
    for d, doc, ref, found in references(ctx):
        if found.kind is not Kind.DEFINITION:
            continue
        file = doc.location.file
        col = ctx.doc_col(file, ref.line) + ref.col
        _, member = ctx.where(doc, d, ref.line)
        yield Finding(ctx.at(file, ref.line, ref.col),
                      f"'@{ref.name}' names {ctx.schema[ref.name].describe()}, "
                      f"not a member; write `{ref.name}`",
                      definition=d.name, member=member,
                      fix=(ctx.edit(file, ref.line, col, col + len(ref.name) + 1,
                                    f"`{ref.name}`"),))


def _todo_lines(doc: DocComment) -> set[int]:
    """Lines of TODO sections, which are not rendered."""
    out: set[int] = set()
    for s in doc.sections:
        if s.kind is TODO_SECTION:
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


@lint_rule("QD205", severity=Severity.INFO, qemu_from="10.1")
def returns_restates_type(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A ``Returns:`` section that only names the return type (``Returns:
        @BlockInfo``, ``Returns: a list of BlockInfo``).

    Why it matters:
        The generated manual already shows the type; the section should say
        what the value means — which objects, in what order, when empty.

    What QEMU does:
        Writes ``Returns:`` to say what the value means; the type is
        shown anyway.  One command, ``query-accelerators``, repeats the
        type.  Advice.

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

    What QEMU does:
        Writes every ``Errors:`` section as a list of ``- If …`` items,
        as its specification asks.

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
        s = doc.section(ERRORS_SECTION)
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
    r"\bprefer\b|\b(?:already|is) the default\b|\bbecause\b", re.I)


@lint_rule("QD207", severity=Severity.INFO)
def deprecated_without_replacement(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A description of feature ``deprecated`` that says neither what to
        use instead, nor that nothing replaces it, nor why it goes away.

    Why it matters:
        A deprecation is only actionable when the client knows where to
        go; the deprecation notice is where they look.

    What QEMU does:
        Says what to use (``Use `blockdev-add` instead``) or why the item
        goes without replacement (``because GlusterFS development
        ceased``).

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

