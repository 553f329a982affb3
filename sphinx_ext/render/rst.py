"""Render the schema model into a plan of ``qapi`` domain directives, and to rST.

In: a loaded `Schema` (and optionally which modules to show).  Out: a list of
`Entry` records — `Directive`, `Text`, `Heading`, `Field` — every one tagged
with the schema file and line it comes from, plus located `Problem`s (an
undocumented member).  `to_rst()` turns the
plan into a `StringList` with per-line source/offset; the ``qapi-doc``
directive either parses that or, faster, builds nodes from the plan directly.
Plain Python over the model: testable without a Sphinx build.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from docutils.statemachine import StringList

from qapidoc.core.allowlist import BIDI_CONTROLS, bidi_problem
from qapidoc.core.outputs import page_safe
from qapidoc.schema.docs import headings
from qapidoc.schema.model import (
    AlternateType,
    Branch,
    Command,
    Condition,
    Definition,
    DocComment,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Include,
    Member,
    Module,
    Schema,
    Section,
    SectionKind,
    StructType,
    TypeRef,
    UnionType,
)
from qapidoc.schema.references import AT_REF
from sphinx_ext.render.legacy import legacy_rst
from sphinx_ext.render.since import inline_since, split_since, text_since

__all__ = [
    "Directive",
    "Entry",
    "Field",
    "Heading",
    "Problem",
    "Rendering",
    "Text",
    "definition_directive",
    "member_since",
    "module_slug",
    "module_wanted",
    "render_schema",
    "to_rst",
]

# -- the plan ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """rST text from the schema; ``lines[0]`` is line `line` of `source`.

    `wrap` asks for a container: ``"note"`` (a legacy ``Note:`` section),
    ``"example"`` (a legacy ``Example:`` section, QMP literal text) or
    ``"notice"`` (the deprecated/unstable line a definition opens with).
    """

    lines: tuple[str, ...]
    source: str
    line: int
    wrap: str = ""
    #: per line, its offset from `line` when not consecutive (old markup)
    offsets: tuple[int, ...] = ()

    def line_at(self, index: int) -> int:
        """The schema line of ``lines[index]``."""
        return self.line + (self.offsets[index] if self.offsets else index)


@dataclass(frozen=True, slots=True)
class Heading:
    """A section title in free-form documentation; level 1 is the outermost."""

    title: str
    level: int
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Field:
    """An info field of the enclosing description (``:return T: body``)."""

    name: str
    body: Text | None
    source: str
    line: int


@dataclass(slots=True)
class Directive:
    """A ``qapi:*`` directive: `name` is the domain directive (``command``)."""

    name: str
    argument: str
    source: str
    line: int
    options: dict[str, str | None] = field(default_factory=dict)
    content: list[Entry] = field(default_factory=list)


Entry = Directive | Text | Heading | Field


class Problem(NamedTuple):
    """Something the reader should know about, located in the schema."""

    source: str
    line: int
    subtype: str
    message: str


@dataclass(slots=True)
class Rendering:
    """What `render_schema` produced, and which schema files it consulted."""

    entries: list[Entry]
    problems: list[Problem]
    files: set[str]
    #: the definitions whose source it rendered (its own, inherited members'…)
    used: set[str] = field(default_factory=set)


# -- doc text ------------------------------------------------------------------

_CODE_DIRECTIVE = re.compile(
    r"\.\.\s+(?:qmp-example|code-block|code|sourcecode|parsed-literal)::"
)
_ROLE_END_OK = frozenset(" \t-.,:;!?\\/'\")]}>")
def member_since(text: str) -> str | None:
    """The version dating a member's, value's or feature's description."""
    return text_since(text)


def _at_refs(line: str) -> str:
    """``@name`` → ``:qapi:mem:`name``` outside inline literals."""
    if "@" not in line:
        return line
    parts = line.split("``")
    for i in range(0, len(parts), 2):
        text = parts[i]
        if "@" in text:
            parts[i] = AT_REF.sub(lambda m, text=text: _mem_role(m, text), text)  # type: ignore[misc]
    return "``".join(parts)


def _mem_role(match: re.Match[str], text: str) -> str:
    after = text[match.end() : match.end() + 1]
    tail = "" if not after or after in _ROLE_END_OK else "\\ "
    return f":qapi:mem:`{match.group(1)}`{tail}"


def _rst_lines(lines: Sequence[str]) -> list[str]:
    """Schema doc text → rST: ``@name`` references (not in literal blocks).

    Nothing is filtered here: what doc text may contain is decided on the
    parsed doctree (`sphinx_ext.safety`)."""
    out: list[str] = []
    literal_indent: int | None = None
    for line in lines:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if literal_indent is not None:
            if not stripped or indent > literal_indent:
                out.append(line)
                continue
            literal_indent = None
        if _CODE_DIRECTIVE.match(stripped):
            literal_indent = indent
            out.append(line)
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            literal_indent = indent
        out.append(_at_refs(inline_since(line)))
    return out


def _doc_text(lines: list[str], source: str, first: int, wrap: str = "", *,
              legacy: bool = False) -> Text:
    """Doc text *lines* (line *first* of *source*) as rST; *legacy*: they are
    in QEMU's markup from before rST (`sphinx_ext.render.legacy`)."""
    if legacy and wrap != "example":
        converted, origin = legacy_rst(lines)
        return Text(tuple(inline_since(line) for line in converted), source, first, wrap,
                    tuple(origin))
    return Text(tuple(_rst_lines(lines)), source, first, wrap)


# -- headings ----------------------------------------------------------------------


class _HeadingStyles:
    """Title adornment styles, levelled by first use across the schema (as docutils)."""

    def __init__(self) -> None:
        self.levels: dict[tuple[str, bool], int] = {}

    def level(self, style: tuple[str, bool]) -> int:
        if style not in self.levels:
            self.levels[style] = len(self.levels) + 1
        return self.levels[style]


def _split_headings(
    doc: DocComment, styles: _HeadingStyles, legacy: bool = False
) -> Iterator[Heading | Text]:
    """Free-form doc comment → headings and the text between them."""
    for number, section in enumerate(doc.sections):
        if section.kind is SectionKind.TODO:
            continue
        lines = section.text.split("\n")
        source = section.location.path
        start = 0
        for found in headings(lines, number == 0):
            yield from _chunk(lines[start:found.start], source, section.body_line + start,
                              legacy)
            level = styles.level(found.style) if found.style else found.level
            assert level is not None
            yield Heading(found.text, level, source, section.body_line + found.title)
            start = found.end
        yield from _chunk(lines[start:], source, section.body_line + start, legacy)


def _chunk(lines: list[str], source: str, first: int, legacy: bool) -> Iterator[Text]:
    while lines and not lines[0].strip():
        lines = lines[1:]
        first += 1
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if lines:
        yield _doc_text(lines, source, first, legacy=legacy)


# -- definitions ---------------------------------------------------------------------

_DIRECTIVE_OF: dict[type[Definition], str] = {
    Command: "command",
    Event: "event",
    EnumType: "enum",
    UnionType: "union",
    StructType: "object",
    AlternateType: "alternate",
}


def definition_directive(definition: Definition) -> str:
    """The domain directive (and object type) documenting *definition*."""
    return _DIRECTIVE_OF.get(type(definition), "object")


def _type_text(ref: TypeRef, optional: bool = False, link: bool = True) -> str:
    text = f"[{ref.name}]" if ref.is_array else ref.name
    text = text if link else "!" + text
    return f"{text}?" if optional else text


def _flags(
    options: dict[str, str | None],
    condition: Condition | None,
    features: Iterable[Feature] = (),
) -> None:
    names = {f.name for f in features}
    if "deprecated" in names:
        options["deprecated"] = None
    if "unstable" in names:
        options["unstable"] = None
    if condition is not None:
        options["ifcond"] = str(condition)


class _Renderer:
    """One rendering pass; collects problems and the files it consulted."""

    MAX_DEPTH = 4

    def __init__(self, schema: Schema, warn_undocumented: bool, legacy: bool = False) -> None:
        self.schema = schema
        self.legacy = legacy
        self.implicit = {d.name for d in schema.implicit}  # undocumented
        self.problems: list[Problem] = []
        self.files: set[str] = set()
        self.used: set[str] = set()
        self.warn_undocumented = warn_undocumented
        self.exempt = schema.pragmas.documentation_exceptions
        self._uses: dict[str, int] | None = None

    def text(self, section: Section, *, dated: list[str] | None = None,
             wrap: str = "") -> Text | None:
        """The section as rST; with *dated*, its dating since note is taken out
        and its version appended to *dated*."""
        lines = section.text.split("\n")
        while lines and not lines[-1].strip():
            lines.pop()
        if dated is not None:
            version, lines = split_since(lines)
            if version:
                dated.append(version)
        if not lines or not any(line.strip() for line in lines):
            return None
        return _doc_text(lines, section.location.path, section.body_line, wrap,
                         legacy=self.legacy)

    def note(self, definition: Definition | None) -> None:
        if definition is not None and definition.location.path:
            self.files.add(definition.location.path)
            self.used.add(definition.name)

    def definition(self, defn: Definition) -> Directive:
        self.note(defn)
        where = defn.location
        block = Directive(definition_directive(defn), defn.name, where.path, where.line)
        doc = defn.doc
        if doc is not None and doc.since:
            block.options["since"] = self.plain(doc.since, doc.section(SectionKind.SINCE)
                                                or doc)
        _flags(block.options, defn.condition, defn.features)
        if doc is None:
            block.options["undocumented"] = None
            self.undocumented(where.path, where.line, defn.describe())
        sections = list(doc.sections) if doc else []
        first_tagged = next(
            (i for i, s in enumerate(sections) if s.kind is not SectionKind.TEXT), len(sections)
        )
        content = block.content
        content.extend(self.notice(f) for f in defn.features
                       if f.name in ("deprecated", "unstable"))
        for section in sections[:first_tagged]:
            text = self.text(section)
            if text:
                content.append(text)
        content.extend(self.body(defn))
        content.extend(self.features(defn.features, defn))
        content.extend(self.fields(defn))
        if isinstance(defn, Command | Event):
            # the stub of its wire view (sphinx_ext.render.wire_view)
            content.append(Directive("wire", "", where.path, where.line))
        for section in sections[first_tagged:]:
            if section.kind is SectionKind.TEXT:
                text = self.text(section)
            elif section.kind is SectionKind.NOTE:
                text = self.text(section, wrap="note")
            elif section.kind is SectionKind.EXAMPLE:
                text = self.text(section, wrap="example")
            else:
                continue
            if text:
                content.append(text)
        return block

    def notice(self, feature: Feature) -> Text:
        """The line a deprecated or unstable definition opens with: what its
        feature's description says first (typically what to use instead)."""
        label = "Deprecated" if feature.name == "deprecated" else "Unstable"
        said: list[str] = []
        text = self.text(feature.doc) if feature.doc is not None else None
        for line in text.lines if text else ():
            if not line.strip():
                break
            said.append(line.strip())
        where = feature.location
        line = f"**{label}.** {' '.join(said)}".rstrip()
        return Text((line,), where.path, where.line, wrap="notice")

    def plain(self, text: str, where: Section | DocComment) -> str:
        """Schema text shown outside doc text (the Since badge, the QAPI
        index): without bidirectional controls, each removal an unsafe
        problem as in doc text."""
        problem = bidi_problem(text)
        if problem is None:
            return text
        self.problems.append(Problem(where.location.path, where.location.line, "unsafe",
                                     f"schema text has a {problem}; removed"))
        return BIDI_CONTROLS.sub("", text)

    def undocumented(self, source: str, line: int, what: str, owner: str = "") -> None:
        if self.warn_undocumented and owner not in self.exempt:
            self.problems.append(Problem(source, line, "undocumented", f"{what} is not documented"))

    def describe(self, block: Directive, doc: Section | None, what: str | None,
                 owner: str = "", *, documentable: bool = True) -> None:
        """The description of a member, value, alternative or feature as the
        block's content, its dating since note as the block's badge; without
        one, the block is marked undocumented (unless the schema cannot
        document it: a simple union's tag and wrapper members) and, when
        `what` is given, that is a warning at the block's line."""
        if doc is None:
            if documentable:
                block.options["undocumented"] = None
            if what is not None:
                self.undocumented(block.source, block.line, what, owner)
            return
        dated: list[str] = []
        text = self.text(doc, dated=dated)
        if dated:
            block.options["since"] = dated[0]
        if text:
            block.content.append(text)

    def body(self, defn: Definition) -> list[Entry]:
        if isinstance(defn, EnumType):
            return [self.value(defn, v) for v in defn.values]
        if isinstance(defn, AlternateType):
            return [self.alternative(defn, b) for b in defn.alternatives]
        if isinstance(defn, StructType):
            return self.members(defn, defn.members, defn.name, 0, warn=True)
        if isinstance(defn, Command | Event):
            arg_type = self.schema.resolve(defn.arg_type) if defn.arg_type else None
            self.note(arg_type)
            entries = self.members(defn, defn.arguments, defn.name, 0, warn=arg_type is None)
            if isinstance(arg_type, UnionType):
                # the union's own entry opens its branches; copying them
                # here doubled object-add, blockdev-add and netdev_add
                # (180 KB of QEMU's one-page reference)
                entries += self.branches(arg_type, 0, expand=False)
            return entries
        return []

    def members(
        self,
        owner: Definition,
        members: Sequence[Member],
        local: str,
        depth: int,
        *,
        warn: bool,
        inlined: bool = False,
    ) -> list[Entry]:
        """Member directives; *local* is the type whose own members need no origin."""
        entries: list[Entry] = []
        for member in members:
            where = member.location
            self.files.add(where.path)
            self.used.add(member.defined_in)
            block = Directive("member", member.name, where.path, where.line)
            block.options["type"] = _type_text(member.type, member.optional,
                                               member.type.name not in self.implicit)
            _flags(block.options, member.condition, member.features)
            if member.defined_in != local:
                block.options["inherited-from"] = member.defined_in
            # members are in objects.inv and the QAPI index pages, but not in
            # genindex: thousands of entries there drown the definitions
            block.options["no-index-entry"] = None
            documentable = (member.type.name not in self.implicit
                            and member.defined_in not in self.implicit)
            own = warn and member.defined_in == owner.name and documentable
            self.describe(block, member.doc,
                          f"member '{member.name}' of {owner.describe()}" if own else None,
                          owner.name, documentable=documentable)
            block.content.extend(self.features(member.features, None))
            if isinstance(owner, UnionType) and member.name == owner.discriminator:
                block.options.setdefault("discriminator", None)
            entries.append(block)
        if isinstance(owner, UnionType) and owner.name == local and depth == 0:
            entries += self.branches(owner, depth)
        return entries

    def branches(self, union: UnionType, depth: int, *, expand: bool = True) -> list[Entry]:
        """One row per branch: value, type, condition, since (of the
        discriminator's value); the row opens onto the description and the
        members specific to the branch: those its type declares, when only
        this branch uses the type.  A shared type and the bases a type
        inherits from are documented once, where the row links.  Without
        *expand* (a command whose arguments are the union) every row links."""
        entries: list[Entry] = []
        values = self.discriminator_values(union)
        for branch in union.branches:
            where = branch.location
            block = Directive("branch", branch.name, where.path, where.line)
            if branch.type.name not in self.implicit:
                block.options["type"] = _type_text(branch.type)
            value = values.get(branch.name)
            since = member_since(value.doc.text) if value is not None and value.doc else None
            if since:
                block.options["since"] = since
            if branch.condition is not None:
                block.options["ifcond"] = str(branch.condition)
            block.options["no-index-entry"] = None
            if branch.doc is not None:
                text = self.text(branch.doc)
                if text:
                    block.content.append(text)
            target = self.schema.resolve(branch.type)
            self.note(target)
            if expand and isinstance(target, StructType) and depth < self.MAX_DEPTH \
                    and self.uses().get(target.name, 0) <= 1:
                own = [m for m in target.members if m.defined_in == target.name]
                block.content += self.members(target, own, target.name, depth + 1,
                                              warn=False, inlined=True)
                bases = list(dict.fromkeys(m.defined_in for m in target.members
                                           if m.defined_in != target.name))
                refs = ", ".join(f":qapi:type:`{name}`" for name in bases)
                if refs:
                    block.content.append(Text((f"Also the members of {refs}.",),
                                              where.path, where.line))
                if isinstance(target, UnionType):
                    block.content.append(Text(
                        (f"Its branches are those of :qapi:type:`{target.name}`.",),
                        where.path, where.line))
            entries.append(block)
        return entries

    def uses(self) -> dict[str, int]:
        """How many places of the schema name each type (bases, members,
        branches, alternatives, arguments, returns)."""
        if self._uses is None:
            counts: dict[str, int] = {}

            def count(ref: TypeRef | None) -> None:
                if ref is not None:
                    counts[ref.name] = counts.get(ref.name, 0) + 1

            for d in self.schema.definitions:
                if isinstance(d, StructType):
                    count(d.base)
                    for m in d.members:
                        if m.defined_in == d.name:
                            count(m.type)
                    if isinstance(d, UnionType):
                        for b in d.branches:
                            count(b.type)
                elif isinstance(d, AlternateType):
                    for b in d.alternatives:
                        count(b.type)
                elif isinstance(d, Command | Event):
                    count(d.arg_type)
                    for m in d.arguments:
                        count(m.type)
                    if isinstance(d, Command):
                        count(d.returns)
            self._uses = counts
        return self._uses

    def discriminator_values(self, union: UnionType) -> dict[str, EnumValue]:
        tag = next((m for m in union.members if m.name == union.discriminator), None)
        enum = self.schema.resolve(tag.type) if tag is not None else None
        if not isinstance(enum, EnumType):
            return {}
        return {v.name: v for v in enum.values}

    def alternative(self, alternate: AlternateType, branch: Branch) -> Directive:
        where = branch.location
        block = Directive("branch", branch.name, where.path, where.line)
        block.options["type"] = _type_text(branch.type)
        if branch.condition is not None:
            block.options["ifcond"] = str(branch.condition)
        self.describe(block, branch.doc,
                      f"alternative '{branch.name}' of {alternate.describe()}",
                      alternate.name)
        return block

    def value(self, enum: EnumType, value: object) -> Directive:
        assert isinstance(value, EnumValue)
        where = value.location
        block = Directive("value", value.name, where.path, where.line)
        block.options["no-index-entry"] = None
        _flags(block.options, value.condition, value.features)
        self.describe(block, value.doc, f"value '{value.name}' of {enum.describe()}",
                      enum.name)
        block.content.extend(self.features(value.features, None))
        return block

    def features(self, features: Sequence[Feature], owner: Definition | None) -> list[Entry]:
        entries: list[Entry] = []
        for feature in features:
            where = feature.location
            block = Directive("feature", feature.name, where.path, where.line)
            block.options["no-index-entry"] = None
            if feature.condition is not None:
                block.options["ifcond"] = str(feature.condition)
            if feature.name == "unstable":
                block.options["unstable"] = None
            elif feature.name == "deprecated":
                block.options["deprecated"] = None
            self.describe(block, feature.doc,
                          None if owner is None
                          else f"feature '{feature.name}' of {owner.describe()}",
                          owner.name if owner is not None else "")
            entries.append(block)
        return entries

    def fields(self, defn: Definition) -> list[Entry]:
        doc = defn.doc
        entries: list[Entry] = []
        if isinstance(defn, Command):
            section = doc.section(SectionKind.RETURNS) if doc else None
            body = self.text(section) if section else None
            where = section.location if section else defn.location
            if defn.returns is not None:
                type_text = _type_text(defn.returns)
                if body is not None:
                    entries.append(Field(f"return {type_text}", body, where.path, where.line))
                else:
                    entries.append(Field("return-nodesc", Text((type_text,), where.path,
                                                                 where.line), where.path,
                                         where.line))
            elif body is not None:
                # older releases document a command's outcome without
                # 'returns' ("Returns: nothing on success"): still labelled
                entries.append(Field("return", body, where.path, where.line))
        if doc is not None:
            section = doc.section(SectionKind.ERRORS)
            body = self.text(section) if section else None
            if section is not None and body is not None:
                entries.append(Field("error", body, section.location.path, section.location.line))
        return entries


def module_slug(schema: Schema, module: Module) -> str:
    """A page name for *module*, unique within *schema*: its file name if
    possible, made `page_safe` (a schema may include ``a <b>.json``), else
    prefixed by its directory's name."""
    own = page_safe(module.name)
    names = [m.name for m in schema.modules] if own == module.name else \
        [page_safe(m.name) for m in schema.modules]
    if names.count(own) == 1 or "/" not in module.path:
        return own
    return page_safe(module.path.rsplit("/", 2)[-2]) + "-" + own


def module_wanted(schema: Schema, module: Module, wanted: Container[str]) -> bool:
    """Whether *wanted* names *module*: by path, `module_slug`, or file name
    when no other module has that name."""
    if module.path in wanted or module_slug(schema, module) in wanted:
        return True
    return module.name in wanted and [m.name for m in schema.modules].count(module.name) == 1


def opens_with_heading(module: Module) -> bool:
    """Whether *module*'s own text starts with a section title (before any
    definition).  A module that does not is, in the one-page layout, part of
    the section before it (QEMU's ``misc-arm`` under "Miscellanea")."""
    for item in module.items:
        if isinstance(item, Definition):
            return False
        if isinstance(item, DocComment) and item.is_freeform:
            for entry in _split_headings(item, _HeadingStyles()):
                if isinstance(entry, Heading):
                    return entry.level == 1  # "== Sub" stays under the section before
                if any(line.strip() for line in entry.lines):
                    return False
    return False


def _modules_by_include(schema: Schema) -> dict[tuple[str, int], Module]:
    by_include: dict[tuple[str, int], Module] = {}
    for module in schema.modules:
        where = module.file.included_from
        if where is not None:
            by_include[(where.path, where.line)] = module
    return by_include


def render_schema(
    schema: Schema,
    *,
    namespace: str = "",
    modules: Iterable[str] | None = None,
    warn_undocumented: bool = True,
    ensure_title: bool = False,
    legacy: bool = False,
) -> Rendering:
    """The plan for *schema* (or only the named *modules*, by name, slug or path);
    *legacy*: its doc comments are in QEMU's markup from before rST.

    Modules are documented where they are first included, as QEMU's generator
    does; heading levels follow the first use of each title style across the
    whole schema, so per-module pages agree with the one-page layout.
    """
    wanted = set(modules) if modules is not None else None
    renderer = _Renderer(schema, warn_undocumented, legacy)
    styles = _HeadingStyles()
    by_include = _modules_by_include(schema)
    names = [m.name for m in schema.modules]
    seen: set[str] = set()
    entries: list[Entry] = []
    titled: list[bool] = []
    if namespace:
        entries.append(Directive("namespace", namespace, schema.root, 1))

    def shown(module: Module) -> bool:
        return wanted is None or module_wanted(schema, module, wanted)

    def emit(module: Module) -> None:
        seen.add(module.path)
        visible = shown(module)
        chunk: list[Entry] = []
        started = False
        for item in module.items:
            if isinstance(item, Include):
                child = by_include.get((item.location.path, item.location.line))
                if child is None or child.path in seen:
                    continue
                flush(module, chunk, visible, started)
                started = started or (visible and bool(chunk))
                chunk = []
                emit(child)
            elif isinstance(item, DocComment):
                if item.is_freeform:
                    chunk.extend(_split_headings(item, styles, legacy))
            elif isinstance(item, Definition) and visible:
                chunk.append(renderer.definition(item))
        flush(module, chunk, visible, started, last=True)

    def flush(module: Module, chunk: list[Entry], visible: bool, started: bool,
              last: bool = False) -> None:
        if not visible or (not chunk and (started or not last)):
            return
        renderer.files.add(module.path)
        # two files of one name (x.json, sub/x.json) are two modules
        name = module.name if names.count(module.name) == 1 else module_slug(schema, module)
        top = Directive("module", name, module.path, 1)
        if started:  # back from an include: same module, no second target
            top.options["no-index"] = None
        elif ensure_title and not titled and not (chunk and isinstance(chunk[0], Heading)):
            levels = [e.level for e in chunk if isinstance(e, Heading)]
            chunk.insert(0, Heading(module.name, min(levels, default=1), module.path, 1))
        titled.append(True)
        if chunk and isinstance(chunk[0], Heading):
            entries.extend([chunk[0], top, *chunk[1:]])
        else:
            entries.extend([top, *chunk])

    for module in schema.modules:
        if module.path not in seen:
            emit(module)
    if ensure_title:
        entries = _under_title(entries)
    return Rendering(entries, renderer.problems, renderer.files, renderer.used)


def _under_title(entries: list[Entry]) -> list[Entry]:
    """A page has one title: a later heading as high as the first (QEMU's
    ``ui.json`` opens "Remote desktop" and later "Input") goes one level
    below it, with everything under it, instead of becoming a second
    top-level entry of the page in tables of contents."""
    title = next((e.level for e in entries if isinstance(e, Heading)), None)
    if title is None:
        return entries
    result: list[Entry] = []
    first = True
    shift = 0
    for entry in entries:
        if isinstance(entry, Heading):
            if not first and entry.level + shift <= title:
                shift = title + 1 - entry.level
            first = False
            if shift:
                entry = Heading(entry.title, entry.level + shift, entry.source, entry.line)
        result.append(entry)
    return result


# -- rST -------------------------------------------------------------------------------

_HEADING_CHARS = "=-~^\"'`+#<>"


def to_rst(entries: Sequence[Entry]) -> StringList:
    """The plan as rST, each line tagged with its schema file and (0-based) line."""
    out = StringList()
    levels = sorted({e.level for e in _walk(entries) if isinstance(e, Heading)})
    rank = {level: i for i, level in enumerate(levels)}
    _emit(out, entries, "", rank)
    return out


def _walk(entries: Iterable[Entry]) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        if isinstance(entry, Directive):
            yield from _walk(entry.content)


def _emit(out: StringList, entries: Sequence[Entry], indent: str, rank: dict[int, int]) -> None:
    previous: Entry | None = None
    for entry in entries:
        if isinstance(entry, Field):
            if not isinstance(previous, Field):
                out.append("", entry.source, entry.line - 1)
            lines = entry.body.lines if entry.body else ("",)
            offset = entry.body.line if entry.body else entry.line
            out.append(f"{indent}:{entry.name}: {lines[0]}", entry.source, offset - 1)
            for n, line in enumerate(lines[1:], 1):
                at = entry.body.line_at(n) if entry.body else offset + n
                out.append(f"{indent}   {line}" if line else "", entry.source, at - 1)
        elif isinstance(entry, Heading):
            char = _HEADING_CHARS[min(rank[entry.level], len(_HEADING_CHARS) - 1)]
            out.append("", entry.source, entry.line - 1)
            out.append(entry.title, entry.source, entry.line - 1)
            out.append(char * max(len(entry.title), 4), entry.source, entry.line - 1)
        elif isinstance(entry, Text):
            out.append("", entry.source, entry.line - 1)
            inner = indent
            if entry.wrap == "note":
                out.append(f"{indent}.. note::", entry.source, entry.line - 1)
                out.append("", entry.source, entry.line - 1)
                inner = indent + "   "
            elif entry.wrap == "example":
                out.append(f"{indent}.. qmp-example::", entry.source, entry.line - 1)
                out.append("", entry.source, entry.line - 1)
                inner = indent + "   "
            for n, line in enumerate(entry.lines):
                out.append(f"{inner}{line}" if line else "", entry.source, entry.line_at(n) - 1)
        else:
            out.append("", entry.source, entry.line - 1)
            out.append(f"{indent}.. qapi:{entry.name}:: {entry.argument}", entry.source,
                       entry.line - 1)
            for key, value in entry.options.items():
                text = f"{indent}   :{key}:" + (f" {value}" if value is not None else "")
                out.append(text, entry.source, entry.line - 1)
            _emit(out, entry.content, indent + "   ", rank)
        previous = entry
    if entries:
        last = entries[-1]
        out.append("", last.source, last.line - 1)
