"""Version rules (QD1xx): ``Since:`` sections and ``(since X.Y)`` notes.

Checks that every definition says when it appeared, in the one form the
doc generator recognises; that member notes are conventional, placed last,
not older than their definition and not in the future; and, given the
previous release's schema, that what is new on the wire says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qapidoc.core.config import in_window, next_release, skips_releases
from qapidoc.core.hints import TYPE_CHECKING
from qapidoc.core.source import Location, Severity
from qapidoc.lint.engine import (
    Edit,
    Finding,
    LintContext,
    Version,
    lint_rule,
    parse_version,
    show_version,
)
from qapidoc.lint.since import (
    described_notes,
    literal_flags,
    note_for,
    since_notes,
    since_section,
)
from qapidoc.schema.model import (
    SINCE_SECTION,
    AlternateType,
    Command,
    Definition,
    DocComment,
    EnumType,
    Event,
    Member,
    Schema,
    Section,
    SectionKind,
    StructType,
    UnionType,
)
from qapidoc.schema.since import restyle

if TYPE_CHECKING:  # the wire and history modules load when --against or history asks
    from qapidoc.compat.history import History
    from qapidoc.lint.wire_index import ElementKey

_MALFORMED = re.compile(
    r"([Ss]ince)(\s*+:?\s*+)(\d+\.\d+(?:\.\d+)?)\s*+\.?\s*+$")
_MALFORMED_ANYWHERE = re.compile(
    r"\n[Ss]ince\s*+:?\s*+\d+\.\d+(?:\.\d+)?[ \t]*+\.?\s*$", re.M)
"""A line `_MALFORMED` may match, searched in `LintContext.line_text`."""


@lint_rule("QD101", fixable=True)
def since_missing(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A definition's documentation has no ``Since:`` section.  With
        ``--against`` the previous release's schema, a definition new on
        the wire is told the release under development, and ``--fix``
        adds ``Since:`` with it.

    Why it matters:
        Clients and distributors need to know which QEMU release introduced
        a command, event or type; the reference manual shows it.

    What QEMU does:
        Every definition has a ``Since:`` section; the few without one
        (``RunState``, ``MigMode``, base types such as
        ``NbdServerOptionsBase``) are oversights the manual shows
        without a version.

    Example:
        ##
        # @ping:
        #
        # Check the server is alive.
        ##
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
    new: set[str] | None = None
    for d, doc in ctx.documented:
        if doc.section(SINCE_SECTION) is not None:
            continue
        if _MALFORMED_ANYWHERE.search(ctx.line_text(doc)):
            continue  # since-malformed says what is wrong
        if new is None:
            new = _new_definitions(ctx)
        if d.name in new and ctx.release is not None:
            rel = show_version(ctx.release)
            yield Finding(doc.location, f"{d.describe()} has no 'Since:' section; "
                          f"it is new in {rel}: add 'Since: {rel}'",
                          definition=d.name, context=d.location,
                          fix=_add_since(ctx, doc, rel))
            continue
        yield Finding(doc.location, f"{d.describe()} has no 'Since:' section",
                      definition=d.name, context=d.location)


def _new_definitions(ctx: LintContext) -> set[str]:
    """Definitions new on the wire since ``--against`` (none without it,
    or without a release under development to name)."""
    if ctx.against is None or ctx.release is None:
        return set()
    return {key[1] for key, is_new, _covered in _against(ctx)
            if is_new and key[0] == "definition"}


def _add_since(ctx: LintContext, doc: DocComment, release: str) -> tuple[Edit, ...]:
    """A ``Since:`` section before the comment's closing ``##`` (after a
    blank comment line), when that line is a plain ``##``."""
    file = doc.location.file
    if ctx.file_line(file, doc.end_line).rstrip() != "##":
        return ()
    nl = ctx.newline(file)
    blank = ctx.file_line(file, doc.end_line - 1).strip() == "#"
    text = ("" if blank else f"#{nl}") + f"# Since: {release}{nl}"
    at = ctx.offset(file, doc.end_line)
    return (Edit(file.path, at, at, text),)


@lint_rule("QD102", fixable=True, severity=Severity.ERROR)
def since_malformed(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A line meant as a ``Since:`` section that the doc parser reads as an
        ordinary paragraph (``Since 7.1``, ``since: 7.1``, ``Since : 7.1``,
        or ``Since: 7.1`` not after a blank line), and ``Since:`` sections
        that do not name a release.

    Why it matters:
        Section tags are case-sensitive, need the colon right after the
        word and must start a paragraph; otherwise the version silently
        becomes body text and the definition has no Since.

    What QEMU does:
        Fixed such paragraphs when found (``Since 7.1`` lines in 2024);
        a handful remain in ``qom.json`` and ``machine-common.json``,
        whose definitions therefore render without a Since.

    Example:
        ##
        # @ping:
        #
        # Since 7.1
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Since: 7.1
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        if d is None:
            continue
        name = d.name
        s = doc.section(SINCE_SECTION)
        has_since = s is not None
        if s is not None and parse_version(s.text.strip()) is None and not (
                re.match(r"\d+\.\d+", s.text.strip())):
            yield Finding(s.location, f"'Since:' should name a release such as "
                          f"10.1, not '{s.text.strip()[:30]}'", definition=name)
        joined = ctx.line_text(doc)
        found = [joined.count("\n", 0, m.start())
                 for m in _MALFORMED_ANYWHERE.finditer(joined)]
        if not found:
            continue
        file = doc.location.file
        lines = doc.lines
        for i in found:  # the lines that may match: a walk of all is slower
            number, text = lines[i].line, lines[i].text
            before = lines[i - 1].text if i else ""
            m = _MALFORMED.match(text)
            if m is None:
                continue
            proper = m.group(1) == "Since" and m.group(2) == ": "
            if proper and (before == "" or i == 0):
                continue  # a real Since: section
            if s is not None and s.location.line == number:
                continue  # the parser took it as the section ('Since:  2.1', after '@a: x')
            if literal_flags(ctx, doc).get(number):
                continue
            if proper:
                yield Finding(ctx.at(file, number), "'Since:' must start a "
                              "paragraph: put a blank line before it",
                              definition=name,
                              fix=() if has_since else (ctx.edit(
                                  file, number, 1, 1, "#" + ctx.newline(file)),))
                continue
            fix = () if has_since else (ctx.edit(
                file, number, ctx.doc_col(file, number),
                ctx.doc_col(file, number) + m.end(2), "Since: "),)
            yield Finding(ctx.at(file, number),
                          f"'{text.strip()}' is not a Since section; write "
                          f"'Since: {m.group(3)}'", definition=name, fix=fix)


@lint_rule("QD103", fixable=True, severity=Severity.INFO, preset="strict")
def since_three_part(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A ``Since:`` section with a three-part version ending in ``.0``,
        such as ``10.2.0``, where two parts say the same.

    Why it matters:
        Features appear in major releases, so the micro part is always 0 and
        only adds noise; one form makes versions easy to search.

    What QEMU does:
        Mostly two parts, but the QAPI specification itself writes
        ``Since: x.y.z`` and new code still adds ``10.2.0`` (the guest
        agent's oldest commands say ``0.15.0``).  Advice only, in the
        strict preset.

    Example:
        ##
        # @ping:
        #
        # Since: 10.2.0
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Since: 10.2
        ##
        { 'command': 'ping' }
    """
    for doc, d in ctx.docs:
        s = doc.section(SectionKind.SINCE)
        if s is None:
            continue
        text = s.text.strip()
        m = re.fullmatch(r"(\d+\.\d+)\.0", text)
        if m is None:
            continue
        file = s.location.file
        line = ctx.file_line(file, s.location.line)
        col = line.find(text) + 1
        yield Finding(Location(file, s.location.line, max(col, 1)),
                      f"write 'Since: {m.group(1)}', not '{text}'",
                      definition=d.name if d else doc.symbol,
                      fix=(ctx.edit(file, s.location.line, col, col + len(text),
                                    m.group(1)),) if col > 0 else ())


@lint_rule("QD104", severity=Severity.ERROR, options={"release": "10.0"})
def since_future(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A ``Since:`` section or since note naming a release later than the
        one under development (``release`` or ``release-file``).

    Why it matters:
        A version from the future is a typo or a stale copy; clients would
        be told the interface does not exist yet.

    What QEMU does:
        Dates new items with the release under development, which
        ``VERSION`` gives (10.2.50 means 11.0); a later version is a
        typo.

    Example:
        ##
        # @ping:
        #
        # Since: 10.1
        ##
        { 'command': 'ping' }

    Use instead:
        ##
        # @ping:
        #
        # Since: 10.0
        ##
        { 'command': 'ping' }
    """
    rel = ctx.release
    if rel is None:
        return
    for doc, d in ctx.docs:
        name = d.name if d else doc.symbol
        found = since_section(doc)
        if found is not None and found[1] is not None and found[1] > rel:
            yield Finding(found[0].location,
                          f"Since: {show_version(found[1])} is later than the "
                          f"release under development, {show_version(rel)}",
                          definition=name)
        for n in since_notes(ctx, doc):
            if n.version is not None and n.version > rel:
                yield Finding(ctx.at(doc.location.file, n.line, n.start),
                              f"'{n.text}' is later than the release under "
                              f"development, {show_version(rel)}",
                              definition=name, member=n.section.name)


@lint_rule("QD105", fixable=True, options={"since-note-style": "since"})
def since_note_format(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        With ``since-note-style`` set to ``since`` or ``Since``: a since
        note written with the other word, or with a colon after it.  With
        the default style ``any`` every form of note is accepted.

    Why it matters:
        A project that settles on one form keeps notes easy to grep for;
        ``--fix`` converts the rest.

    What QEMU does:
        Both ``(since X.Y)`` and ``(Since X.Y)`` — in about equal numbers
        with no trend between releases; the QAPI specification's own
        example writes ``(Since 2.3)`` — and ``(since: X.Y)`` in about 60
        notes, still being added.  Notes also carry remarks (``(since
        10.0; default: 10)``) or end a parenthetical about defaults
        (``(default: false, since 3.1)``).  So the default accepts them
        all; an enum value described only as ``since 2.10`` is left to
        version-only-description (strict), and ``(since Linux 2.5.41)``
        is not a QEMU version note at all.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more (Since: 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    style = ctx.config.since_note_style
    if style == "any":
        return
    for doc, d in ctx.docs:
        file = doc.location.file
        for n in since_notes(ctx, doc):
            note = n.note
            if note.form in ("bare", "sentence") or note.word == style + " ":
                continue
            good = restyle(note, style)
            fix: tuple[Edit, ...] = ()
            if n.end_line == n.line:
                col = ctx.doc_col(file, n.line)
                fix = (ctx.edit(file, n.line, col + n.start, col + n.end, good),)
            yield Finding(ctx.at(file, n.line, n.start),
                          f"write '{good}', not '{note.text}'",
                          definition=d.name if d else doc.symbol,
                          member=n.section.name, fix=fix)


_PARENTHETICAL_TAIL = re.compile(r"(?:\s*\([^()]*\))*[\s.]*")


@lint_rule("QD106", severity=Severity.INFO)
def since_note_position(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A since note followed by more prose in the same paragraph of a
        description.  Other parenthetical remarks after it, such as
        ``(default: off)``, are fine, and so is a note ending a later
        paragraph (it dates only that paragraph).

    Why it matters:
        Readers look for the version at the end of a description; a note in
        the middle interrupts the sentence it sits in.

    What QEMU does:
        Ends descriptions with the note, often followed by the default in
        its own parentheses: ``(Since 2.1) (default: off)``.

    Example:
        ##
        # @ping:
        #
        # @verbose: (since 9.1) say more
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    for doc, d in ctx.docs:
        for desc, notes in described_notes(ctx, doc):
            for note in notes:
                if note.form == "bare":
                    continue
                brk = desc.text.find("\n\n", note.end)
                rest = desc.text[note.end:brk if brk >= 0 else len(desc.text)]
                if _PARENTHETICAL_TAIL.fullmatch(rest.replace("\n", " ")):
                    continue
                line, start = desc.place(note.start)
                yield Finding(ctx.at(doc.location.file, line, start),
                              f"put '{' '.join(note.text.split())}' at the end of "
                              "the description",  # a note split across lines: one line
                              definition=d.name if d else doc.symbol,
                              member=desc.section.name)


@lint_rule("QD107")
def since_note_older(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A since note naming a release older than the ``Since:`` of the
        command or event it is in.  Types are exempt: their names are not
        on the wire, and a type split out of an older one rightly keeps
        its members' original notes.

    Why it matters:
        A member cannot predate its definition; the note is a copy-paste
        slip and tells clients the wrong thing.

    What QEMU does:
        Dates a member with a note only when it came after its command
        or event, so a note older than the definition is a slip; types
        are exempt because QEMU splits and renames them keeping the
        members' notes.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more (since 8.0)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    for d, doc in ctx.documented:
        if d.kind.is_type:
            continue
        found = since_section(doc)
        if found is None or found[1] is None:
            continue
        since = found[1]
        for n in since_notes(ctx, doc):
            if n.version is not None and n.version < since:
                yield Finding(ctx.at(doc.location.file, n.line, n.start),
                              f"'{n.text}' is older than {d.describe()}, "
                              f"Since: {show_version(since)}",
                              definition=d.name, member=n.section.name)


@lint_rule("QD108", severity=Severity.INFO, qemu_from="10.1")
def since_note_split(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A since note broken across two lines: ``(since`` at the end of one
        line and the version on the next.

    Why it matters:
        Searches for ``(since 9.1)`` miss it.

    What QEMU does:
        Keeps notes on one line; the one split note in the guest agent is
        an accident of rewrapping.  It renders the same, so this is advice.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more about what the server is doing (since
        #     9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more about what the server is doing
        #     (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    for doc, d in ctx.docs:
        for n in since_notes(ctx, doc):
            if n.note.split:
                yield Finding(ctx.at(doc.location.file, n.line, n.start),
                              "since note split across lines; keep "
                              "'(since X.Y)' on one line",
                              definition=d.name if d else doc.symbol,
                              member=n.section.name)


# --------------------------------------------------------------------------
# Against the previous release


def infer_release(previous: Schema) -> Version | None:
    """The release after the newest version the previous schema names."""
    newest: Version | None = None
    for d in previous.definitions:
        v = parse_version(d.since or "")
        if v is not None and (newest is None or v > newest):
            newest = v
    if newest is None:
        return None
    return next_release(newest[0], newest[1])


def _element_docs(schema: Schema) -> dict[ElementKey, tuple[
        Definition, DocComment | None, Section | None, str]]:
    """Each element's definition, doc comment, description section and
    how messages name it."""
    out: dict[ElementKey, tuple[Definition, DocComment | None,
                                Section | None, str]] = {}
    for d in schema.definitions:
        doc = d.doc
        out[("definition", d.name)] = (d, doc, None, d.describe())
        for f in d.features:
            out[("feature", d.name, f.name)] = (
                d, doc, f.doc, f"feature '{f.name}' of {d.describe()}")
        members: tuple[Member, ...] = ()
        if isinstance(d, StructType):
            members = d.members
        elif isinstance(d, Command | Event):
            members = d.arguments
        for m in members:
            if m.defined_in != d.name:
                continue
            out[("member", d.name, m.name)] = (
                d, doc, m.doc, f"member '{m.name}' of {d.describe()}")
            for f in m.features:
                out[("feature", d.name, m.name, f.name)] = (
                    d, doc, f.doc, f"feature '{f.name}' of member '{m.name}'")
        for v in d.values if isinstance(d, EnumType) else ():
            out[("value", d.name, v.name)] = (
                d, doc, v.doc, f"value '{v.name}' of {d.describe()}")
            for f in v.features:
                out[("feature", d.name, v.name, f.name)] = (
                    d, doc, f.doc, f"feature '{f.name}' of value '{v.name}'")
        for b in d.branches if isinstance(d, UnionType) else ():
            out[("branch", d.name, b.name)] = (
                d, doc, b.doc, f"branch '{b.name}' of {d.describe()}")
    return out


def _owner_key(key: ElementKey) -> ElementKey:
    """What an element belongs to: a definition, or a member/value for a
    feature of one."""
    if key[0] == "feature" and len(key) == 4:
        return ("member", key[1], key[2])
    return ("definition", key[1])


def _against(ctx: LintContext) -> Iterator[tuple[ElementKey, bool, bool]]:
    """(element, new?, covered?) for every element on the wire; covered
    when what it belongs to is new itself or says the release."""
    cache = ctx.__dict__.get("_against")
    if cache is None:
        from qapidoc.lint.wire_index import new_and_old, wire_index

        assert ctx.against is not None
        index = wire_index(ctx.schema)
        before = wire_index(ctx.against)
        fresh = dict(new_and_old(index, before))
        for key in list(_known_before(ctx.against, index.elements, before.elements,
                                      fresh)):
            fresh[key] = False
        fresh.update(_off_wire(ctx.schema, ctx.against, index.elements, fresh))
        rel = ctx.release
        cache = []
        for key, is_new in fresh.items():
            owner = _owner_key(key)
            if key[0] == "feature" and len(key) == 4 and owner not in fresh:
                owner = ("value", key[1], key[2])
            said = ctx.schema.get(key[1])
            covered = fresh.get(owner, False) or (
                owner[0] == "definition" and said is not None
                and parse_version(said.since or "") == rel)
            cache.append((key, is_new, key[0] != "definition" and covered))
        ctx.__dict__["_against"] = cache
    yield from cache


def _shape(d: Definition) -> tuple[object, ...]:
    """What a type carries, to recognise it under another name."""
    if isinstance(d, EnumType):
        return ("enum", frozenset(v.name for v in d.values))
    if isinstance(d, UnionType):
        return ("union", d.discriminator, frozenset(b.name for b in d.branches),
                frozenset(m.name for m in d.members))
    if isinstance(d, StructType):
        return ("struct", frozenset(m.name for m in d.members))
    if isinstance(d, AlternateType):
        return ("alternate", frozenset(b.name for b in d.alternatives))
    return (d.kind.value,)


def _elements(d: Definition) -> Iterator[ElementKey]:
    yield ("definition", d.name)
    if isinstance(d, StructType):
        for m in d.own_members:
            yield ("member", d.name, m.name)
    if isinstance(d, UnionType):
        for b in d.branches:
            yield ("branch", d.name, b.name)
    if isinstance(d, EnumType):
        for v in d.values:
            yield ("value", d.name, v.name)


def _off_wire(schema: Schema, previous: Schema, on_wire: dict[ElementKey, set[str]],
              fresh: dict[ElementKey, bool]) -> Iterator[tuple[ElementKey, bool]]:
    """(element, new?) for types no command or event reaches (QEMU's
    device and object properties, used only by C code), compared by name:
    new when the previous release had no such type — unless a type it had
    and this one has not carries the same (a rename) — or no such member,
    value or branch.  A base type is not reached by name but through its
    members: it is as new as they are (`fresh`)."""
    removed = {_shape(d) for d in previous.definitions
               if d.kind.is_type and d.module and d.name not in schema}
    for d in schema.definitions:
        if not d.kind.is_type or not d.module or ("definition", d.name) in on_wire:
            continue
        old = previous.get(d.name)
        renamed = old is None and _shape(d) in removed
        old_keys = set(_elements(old)) if old is not None else set()
        keys = list(_elements(d))
        wired = [k for k in keys if k in on_wire]
        for key in keys:
            if key in on_wire:
                continue
            if key[0] == "definition" and wired:
                yield key, all(fresh.get(k, False) for k in wired)
            else:
                yield key, not renamed and key not in old_keys


def _known_before(previous: Schema, on_wire: dict[ElementKey, set[str]],
                  was_on_wire: dict[ElementKey, set[str]],
                  fresh: dict[ElementKey, bool]) -> Iterator[ElementKey]:
    """Elements new on the wire that the previous release had all the same:
    in a type no command reached then (-audiodev's options before
    query-audiodevs), or in arguments a command took undescribed ('gen':
    false, as object-add until 6.0)."""
    from qapidoc.compat.wire import arguments_of, unchecked_commands

    unchecked = unchecked_commands(previous)
    for key, is_new in fresh.items():
        if not is_new:
            continue
        old = previous.get(key[1])
        if old is not None and ("definition", old.name) not in was_on_wire and (
                key[0] == "definition" or key in _elements(old)):
            yield key
            continue
        paths = on_wire.get(key)
        if paths and unchecked and all(arguments_of(p) in unchecked for p in paths):
            yield key


def _stated(ctx: LintContext, key: ElementKey, doc: DocComment | None,
            section: Section | None) -> tuple[Version | None, Section | None,
                                              object | None]:
    """The version an element's documentation claims, where it says so."""
    if key[0] == "definition":
        found = since_section(doc)
        return (found[1], found[0], None) if found else (None, None, None)
    if doc is None or section is None:
        return None, None, None
    n = note_for(ctx, doc, section)
    return (n.version if n else None), section, n


_PREVIOUS = """\
##
# @ping:
#
# Since: 9.0
##
{ 'command': 'ping' }
"""


@lint_rule("QD110", options={"release": "10.0"}, against=_PREVIOUS)
def since_new_element(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        With ``--against`` the previous release's schema: something new on
        the wire — a command, event, member, argument, enum value, branch or
        feature that no client of the previous release could see — whose
        documentation does not name the release under development.  Types
        are compared by what they carry, not by name, so renaming a type or
        moving members into a base is not new.  Types no command or event
        reaches are compared by name: new when the previous release had no
        such type and none it had (and this one lacks) carries the same.

    Why it matters:
        The version notes are how clients learn what they may use against
        which QEMU; a missing or wrong one is a bug report waiting to happen.

    What QEMU does:
        Every item added in a release says so, the definition with
        ``Since:`` and members, values, branches and features with a
        since note; a type's name is not on the wire, so a renamed type
        keeps its version.  What a command returns that the command line
        took before (-audiodev's options), and what object-add took
        undescribed until 6.0, keeps the release it was added in; a new
        base type dates what it carries.  Most ``deprecated`` and
        ``unstable`` features have no note (the release is in
        docs/about/deprecated.rst).  Against a schema older than the last
        release, any release after it agrees.

    Example:
        ##
        # @ping:
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
        # @verbose: say more (since 10.0)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    if ctx.against is None or ctx.release is None:
        return
    rel = ctx.release
    # --against an older release than the last (7.2 when 9.2 is under
    # development): anything from 8.0 on may be new.
    floor = ctx.against_release
    if floor is not None and not skips_releases(floor, rel):
        floor = None
    new_in = (f"new after {show_version(floor)}" if floor
              else f"new in {show_version(rel)}")
    # with releases skipped, which of them brought it is not known here
    add = (f"add '(since X.Y)' with the release it came in "
           f"({show_version(next_release(floor[0], floor[1]))} to {show_version(rel)})"
           if floor else f"add '(since {show_version(rel)})'")

    def agrees(version: Version | None) -> bool:
        return version is not None and in_window(version, floor, rel)

    docs = _element_docs(ctx.schema)
    for key, is_new, owner_new in _against(ctx):
        if not is_new or owner_new or key not in docs:
            continue
        d, doc, section, what = docs[key]
        if doc is None:
            continue  # undocumented: other rules report that
        if key[0] == "definition":
            version, where, _ = _stated(ctx, key, doc, None)
            if version is not None and not agrees(version) and where is not None:
                yield Finding(where.location, f"{what} is {new_in} but says "
                              f"Since: {show_version(version)}", definition=d.name)
            continue
        if section is None:
            continue  # undocumented member: other rules report that
        version, _, _ = _stated(ctx, key, doc, section)
        if agrees(version):
            continue
        if key[0] == "feature" and (show_version(rel) in section.text or (
                version is None and key[-1] in _POLICY_FEATURES)):
            # "deprecated since 10.0" says it in words; QEMU dates most
            # deprecations in docs/about/deprecated.rst, not here.
            continue
        member = key[-1] if key[0] != "feature" or len(key) == 3 else key[2]
        said = (f"says (since {show_version(version)})" if version
                else "has no since note")
        yield Finding(section.location, f"{what} is {new_in} but {said}; {add}",
                      definition=d.name, member=member)


_POLICY_FEATURES = frozenset({"deprecated", "unstable"})


@lint_rule("QD111", severity=Severity.ERROR, options={"release": "10.0"},
           against=_PREVIOUS.replace("'ping' }", "'ping',\n  'data': "
                                     "{ '*verbose': 'bool' } }").replace(
               "# Since: 9.0", "# @verbose: say more\n#\n# Since: 9.0"))
def since_too_late(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        With ``--against``: something the previous release already had on
        the wire (a command, event, member, value, branch or feature) whose
        documentation claims the release under development or later.  A
        type's own ``Since:`` is not checked: type names are not on the
        wire, and a renamed type rightly keeps its original version.

    Why it matters:
        Clients would needlessly avoid an interface that older QEMUs offer.

    What QEMU does:
        Never dates an item the previous release already had with the
        new release.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more (since 10.0)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    if ctx.against is None or ctx.release is None:
        return
    rel = ctx.release
    docs = _element_docs(ctx.schema)
    for key, is_new, _ in _against(ctx):
        if is_new or key not in docs:
            continue
        d, doc, section, what = docs[key]
        if key[0] == "definition" and d.kind.is_type:
            continue
        version, where, _ = _stated(ctx, key, doc, section)
        if version is None or version < rel or where is None:
            continue
        member = None if key[0] == "definition" else key[-1]
        yield Finding(where.location, f"{what} was already in the previous "
                      f"release but says {show_version(version)}",
                      definition=d.name, member=member)


# --------------------------------------------------------------------------
# Against the release history

_HISTORY = (("9.0", """\
##
# @ping:
#
# Since: 9.0
##
{ 'command': 'ping' }
"""), ("9.1", """\
##
# @ping:
#
# @verbose: say more (since 9.1)
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*verbose': 'bool' } }
"""))


def release_history(ctx: LintContext) -> History | None:
    """The history of the linted schema on top of the configured earlier
    releases; items it adds first appear in the release under
    development."""
    if not ctx.history:
        return None
    from qapidoc.compat.history import History, build_history

    cached = ctx.__dict__.get("_history")
    if cached is None:
        label = show_version(ctx.release) if ctx.release else "development"
        cached = build_history([*ctx.history, (label, ctx.schema)])
        ctx.__dict__["_history"] = cached
    assert isinstance(cached, History)
    return cached


_HISTORY_KEYS = {"definition", "member", "value", "branch"}


@lint_rule("QD112", options={"release": "9.1"}, history=_HISTORY)
def since_disagrees_with_history(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        With the earlier releases' schemas configured (``history`` in the
        configuration, or ``--history VERSION=SCHEMA``): a ``Since:`` tag or
        a ``(since X.Y)`` note that does not name the first release whose
        wire protocol has the definition, member, value or branch.  Type
        names are not on the wire: a type may date its name or its
        content, so renaming one keeps its Since.  With releases skipped
        (3.0, then 5.2), any release in between agrees.

    What QEMU does:
        Dates every item with the first release that has it in the schema
        (command-line options such as -audiodev's count before a command
        returns them), a stabilised item (x-foo → foo) with the release
        that made it stable, and options a command took undescribed
        (object-add before 6.0) with the release that added them to QEMU.

    Why it matters:
        Management applications read these versions to decide what they
        may send to which QEMU; only the releases themselves know the truth.

    Example:
        ##
        # @ping:
        #
        # @verbose: say more (since 9.0)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }

    Use instead:
        ##
        # @ping:
        #
        # @verbose: say more (since 9.1)
        #
        # Since: 9.0
        ##
        { 'command': 'ping', 'data': { '*verbose': 'bool' } }
    """
    history = release_history(ctx)
    if history is None:
        return
    from qapidoc.compat.history import release_key

    docs = _element_docs(ctx.schema)
    for key, (d, doc, section, what) in docs.items():
        if key[0] not in _HISTORY_KEYS or doc is None:
            continue
        member = None if key[0] == "definition" else key[2]
        first = history.first(d.name, member)
        known = release_key(first) if first is not None else None
        if first is None or known is None:
            continue  # not on the wire, or new under an unknown release
        version, where, _ = _stated(ctx, key, doc, section)
        if version is None or where is None:
            continue
        said = show_version(version)
        if history.since_agrees(said, d.name, member) is not False:
            continue
        before = history.previous(first)
        floor = release_key(before) if before else None
        if before is None:
            why = f"was already in {first}, the oldest release given"
        elif floor is None or not skips_releases(floor, known):
            why = f"first appears on the wire in {first}"
        else:
            why = f"is not in {before} and first appears on the wire in {first}"
        yield Finding(where.location, f"{what} says {said} but {why}",
                      definition=d.name, member=member)
