"""The schema model: one frozen, typed class per QAPI kind, with its docs.

Built by `qapidoc.schema.builder` from checked expressions; read by lint rules,
compat and the Sphinx extension.  Every piece carries a `Location`.  Type
references are `TypeRef`s resolved through `Schema.resolve()`; members of
structs and unions are already flattened (inherited members first, each
marked with the definition that declares it).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

from qapidoc.core.hints import TYPE_CHECKING, NamedTuple
from qapidoc.core.record import field, record
from qapidoc.core.source import Diagnostic, Location, SourceFile

# --------------------------------------------------------------------------
# Conditions and features


@record
class Condition:
    """An `if` condition: a config symbol, or all/any/not of conditions.

    Op "text" holds, in `name`, a C expression from an old schema that
    could not be parsed, kept as written."""

    op: str  # "name" | "all" | "any" | "not" | "text"
    name: str = ""
    operands: tuple[Condition, ...] = ()

    def __str__(self) -> str:
        return self.render()

    def render(self, nested: bool = False) -> str:
        """Human form: ``CONFIG_A and not (B or C)``."""
        if self.op == "name":
            return self.name
        if self.op == "text":
            return f"({self.name})" if nested else self.name
        if self.op == "not":
            return "not " + self.operands[0].render(True)
        joiner = " and " if self.op == "all" else " or "
        text = joiner.join(o.render(True) for o in self.operands)
        return f"({text})" if nested and len(self.operands) > 1 else text

    def symbols(self) -> Iterator[str]:
        if self.op == "name":
            yield self.name
        for o in self.operands:
            yield from o.symbols()


@record
class Feature:
    name: str
    location: Location
    condition: Condition | None = None
    doc: Section | None = None

    @property
    def is_special(self) -> bool:
        return self.name in ("deprecated", "unstable")


if TYPE_CHECKING:
    from typing import Protocol, TypeVar

    class _Named(Protocol):
        @property
        def name(self) -> str: ...

    _N = TypeVar("_N", bound=_Named)


def _named(items: tuple[_N, ...], name: str) -> _N | None:
    """The first item called `name`: definitions are small, a scan is
    cheaper than keeping a dict per definition."""
    for item in items:
        if item.name == name:
            return item
    return None


class Featured:
    """Mixin for things that carry features: the special ones as flags."""

    __slots__ = ()
    features: tuple[Feature, ...]

    def has_feature(self, name: str) -> bool:
        return any(f.name == name for f in self.features)

    @property
    def deprecated(self) -> bool:
        return self.has_feature("deprecated")

    @property
    def unstable(self) -> bool:
        return self.has_feature("unstable")


# --------------------------------------------------------------------------
# Documentation


class SectionKind(enum.Enum):
    """What a part of a doc comment is."""

    TEXT = "text"  # untagged body text (intro or trailing paragraphs)
    MEMBER = "member"  # @name: description of a member/argument/value/branch
    FEATURE = "feature"  # @name: description under Features:
    SINCE = "Since"
    RETURNS = "Returns"
    ERRORS = "Errors"
    TODO = "TODO"
    NOTE = "Note"  # legacy Note:/Notes: section
    EXAMPLE = "Example"  # legacy Example:/Examples: section

    @property
    def is_tagged(self) -> bool:
        return self not in (TEXT_SECTION, MEMBER_SECTION, FEATURE_SECTION)


TEXT_SECTION, MEMBER_SECTION, FEATURE_SECTION = (
    SectionKind.TEXT, SectionKind.MEMBER, SectionKind.FEATURE)
SINCE_SECTION, ERRORS_SECTION, TODO_SECTION = (
    SectionKind.SINCE, SectionKind.ERRORS, SectionKind.TODO)
NAMED_SECTIONS = (MEMBER_SECTION, FEATURE_SECTION)
"""Sections whose tag names a member or feature.

The kinds the parser and the rules test for in loops over every section,
as module globals: `enum.EnumType` defines ``__getattr__``, which takes
each read of an attribute of an enum class (``SectionKind.MEMBER``) off
the interpreter's fast path, about four times the cost of a plain class
attribute and ten times a global's."""


class Section(NamedTuple):
    """A part of a doc comment.

    `location` is the line of the tag (or the first line of an untagged
    section, column of its text); `text` is the body with the doc comment's
    ``# `` prefix and the section's indentation removed, one entry per source
    line starting at `body_line` (a blank body line is "").  A named tuple:
    schemas have tens of thousands of sections.
    """

    kind: SectionKind
    location: Location
    text: str
    body_line: int
    name: str = ""  # member/feature name, or the legacy tag as written
    tag: str = ""  # the tag exactly as written, e.g. "Since" or "Notes"

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def end_line(self) -> int:
        return self.body_line + self.text.count("\n")


class DocLine(NamedTuple):
    """One raw line of a doc comment: `text` is what follows ``# ``.

    A named tuple: there is one per doc line, tens of thousands per schema."""

    line: int
    text: str


@record
class DocComment:
    """A ``##`` comment.  `symbol` is set for definition documentation."""

    location: Location
    end_line: int
    lines: tuple[DocLine, ...]
    text: str = field(repr=False, compare=False)
    """The lines' texts joined with newlines, as the reader had them: what
    lint searches a whole comment in."""
    symbol: str | None
    sections: tuple[Section, ...]

    @property
    def is_freeform(self) -> bool:
        return self.symbol is None

    def members(self) -> list[Section]:
        return self.of_kind(MEMBER_SECTION)

    def features(self) -> list[Section]:
        return self.of_kind(FEATURE_SECTION)

    def of_kind(self, kind: SectionKind) -> list[Section]:
        """The sections of one kind, in order."""
        return [s for s in self.sections if s.kind is kind]

    def member(self, name: str) -> Section | None:
        return self._named(MEMBER_SECTION, name)

    def feature(self, name: str) -> Section | None:
        return self._named(FEATURE_SECTION, name)

    def _named(self, kind: SectionKind, name: str) -> Section | None:
        for s in self.sections:
            if s.kind is kind and s.name == name:
                return s
        return None

    def section(self, kind: SectionKind) -> Section | None:
        for s in self.sections:
            if s.kind is kind:
                return s
        return None

    def body(self) -> list[Section]:
        """Untagged text sections, in order."""
        return self.of_kind(TEXT_SECTION)

    @property
    def since(self) -> str | None:
        s = self.section(SINCE_SECTION)
        return s.text.strip() if s else None


# --------------------------------------------------------------------------
# Types and definitions


class Kind(enum.Enum):
    BUILTIN = "built-in"
    ENUM = "enum"
    STRUCT = "struct"
    UNION = "union"
    ALTERNATE = "alternate"
    COMMAND = "command"
    EVENT = "event"

    @property
    def is_type(self) -> bool:
        return self not in _CALL_KINDS


_CALL_KINDS = (Kind.COMMAND, Kind.EVENT)
"""As a global, for the reason `NAMED_SECTIONS` gives."""

JSON_TYPES: dict[str, str] = {
    "str": "string",
    "number": "number",
    "int": "int",
    "int8": "int",
    "int16": "int",
    "int32": "int",
    "int64": "int",
    "uint8": "int",
    "uint16": "int",
    "uint32": "int",
    "uint64": "int",
    "size": "int",
    "bool": "boolean",
    "null": "null",
    "any": "value",
    "QType": "string",
}
"""Built-in types and the JSON type each is on the wire."""


class TypeRef(NamedTuple):
    """A reference to a type as written: ``'name'`` or ``['name']``."""

    name: str
    location: Location
    is_array: bool = False

    def __str__(self) -> str:
        return f"[{self.name}]" if self.is_array else self.name


@record
class Member(Featured):
    """A member of a struct/union, an argument, or event data.

    `defined_in` names the definition whose source declares it (a base type
    for inherited members; the command/event for implicit argument types).
    """

    name: str
    type: TypeRef
    location: Location
    defined_in: str
    optional: bool = False
    condition: Condition | None = None
    features: tuple[Feature, ...] = ()
    doc: Section | None = None



@record
class EnumValue(Featured):
    name: str
    location: Location
    condition: Condition | None = None
    features: tuple[Feature, ...] = ()
    doc: Section | None = None



@record
class Branch:
    """A union branch (named by a discriminator value) or an alternative."""

    name: str
    type: TypeRef
    location: Location
    condition: Condition | None = None
    doc: Section | None = None


@record
class Module:
    """A schema file, with its own items in source order."""

    path: str
    file: SourceFile = field(repr=False)
    items: tuple[ModuleItem, ...] = ()

    @property
    def name(self) -> str:
        base = self.path.rsplit("/", 1)[-1]
        return base[:-5] if base.endswith(".json") else base


@record
class Include:
    """An include directive, as an item of the including module."""

    path: str
    location: Location


@record(eq=False)
class Definition(Featured):
    """Common to every definition: name, kind, where, if, features, doc."""

    name: str
    location: Location
    module: str
    condition: Condition | None
    features: tuple[Feature, ...]
    doc: DocComment | None

    kind: Kind = field(init=False, default=Kind.BUILTIN)

    def describe(self) -> str:
        """How messages name this definition: ``struct 'Foo'``."""
        return f"{self.kind.value} '{self.name}'"


    @property
    def since(self) -> str | None:
        return self.doc.since if self.doc else None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


@record(eq=False, repr=False)
class BuiltinType(Definition):
    json_type: str = "value"
    kind: Kind = field(init=False, default=Kind.BUILTIN)


@record(eq=False, repr=False)
class EnumType(Definition):
    values: tuple[EnumValue, ...] = ()
    prefix: str | None = None
    kind: Kind = field(init=False, default=Kind.ENUM)

    def value(self, name: str) -> EnumValue | None:
        return _named(self.values, name)


@record(eq=False, repr=False)
class StructType(Definition):
    """`members` are all wire members, inherited first; `base` a name."""

    members: tuple[Member, ...] = ()
    base: TypeRef | None = None
    kind: Kind = field(init=False, default=Kind.STRUCT)

    def member(self, name: str) -> Member | None:
        return _named(self.members, name)

    @property
    def own_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.defined_in == self.name)


@record(eq=False, repr=False)
class UnionType(StructType):
    """`members` are the common members; `base` is None for an inline base."""

    discriminator: str = ""
    branches: tuple[Branch, ...] = ()
    kind: Kind = field(init=False, default=Kind.UNION)

    def branch(self, name: str) -> Branch | None:
        return _named(self.branches, name)


@record(eq=False, repr=False)
class AlternateType(Definition):
    alternatives: tuple[Branch, ...] = ()
    kind: Kind = field(init=False, default=Kind.ALTERNATE)


@record(eq=False, repr=False)
class Command(Definition):
    """`arguments` are the wire arguments (common members if `arg_type`
    names a union); `arg_type` is None when 'data' is an inline object."""

    arguments: tuple[Member, ...] = ()
    arg_type: TypeRef | None = None
    boxed: bool = False
    returns: TypeRef | None = None
    success_response: bool = True
    gen: bool = True
    allow_oob: bool = False
    allow_preconfig: bool = False
    coroutine: bool = False
    kind: Kind = field(init=False, default=Kind.COMMAND)

    def argument(self, name: str) -> Member | None:
        return _named(self.arguments, name)


@record(eq=False, repr=False)
class Event(Definition):
    arguments: tuple[Member, ...] = ()
    arg_type: TypeRef | None = None
    boxed: bool = False
    kind: Kind = field(init=False, default=Kind.EVENT)

    def argument(self, name: str) -> Member | None:
        return _named(self.arguments, name)


TypeDefinition = BuiltinType | EnumType | StructType | UnionType | AlternateType
ModuleItem = Definition | DocComment | Include


@record
class Pragmas:
    doc_required: bool = False
    command_name_exceptions: frozenset[str] = frozenset()
    command_returns_exceptions: frozenset[str] = frozenset()
    documentation_exceptions: frozenset[str] = frozenset()
    member_name_exceptions: frozenset[str] = frozenset()


@record(eq=False)
class Schema:
    """A loaded schema: modules in include order, definitions by name.

    `diagnostics` holds every problem found while loading; a schema with
    errors is still as complete as the input allows.  `introspected` marks
    a schema read from a ``query-qmp-schema`` reply: it has no docs, no
    conditions, type names that mean nothing, and every integer type is
    ``int`` (see `qapidoc.schema.introspection`).
    """

    root: str
    modules: tuple[Module, ...]
    definitions: tuple[Definition, ...]
    builtins: tuple[BuiltinType, ...]
    pragmas: Pragmas
    diagnostics: tuple[Diagnostic, ...]
    by_name: dict[str, Definition] = field(repr=False)
    implicit: tuple[Definition, ...] = ()
    """Types a schema implies without defining them: the enum and branch
    wrappers of old simple unions.  In `by_name`, not in `definitions`."""
    introspected: bool = False

    def get(self, name: str) -> Definition | None:
        return self.by_name.get(name)

    def __getitem__(self, name: str) -> Definition:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def resolve(self, ref: TypeRef) -> Definition | None:
        """The element type of a reference (for arrays, the element)."""
        return self.by_name.get(ref.name)

    @property
    def commands(self) -> list[Command]:
        return [d for d in self.definitions if isinstance(d, Command)]

    @property
    def events(self) -> list[Event]:
        return [d for d in self.definitions if isinstance(d, Event)]

    @property
    def files(self) -> list[SourceFile]:
        return [m.file for m in self.modules]

    @property
    def ok(self) -> bool:
        from qapidoc.core.source import Severity

        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def module_of(self, definition: Definition) -> Module | None:
        for m in self.modules:
            if m.path == definition.module:
                return m
        return None
