"""Wire paths: where each documented element appears in the QMP protocol.

A `WirePath` is the chain of names a client sees — command or event name,
then member names down through types, ``=value`` for enum values,
``{discriminator=value}`` for union branches, ``#feature`` for features —
never a type name.  `wire_elements()` maps every documented element
(definition, member, value, branch, feature) to the paths it occupies, so
"new since the previous release" survives type renames and moved members.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..model import (
    AlternateType,
    Command,
    Definition,
    EnumType,
    Event,
    Feature,
    Member,
    Schema,
    StructType,
    TypeRef,
    UnionType,
)

WirePath = str

ElementKey = tuple[str, ...]
"""("definition", D) | ("member", D, m) | ("value", E, v) |
("branch", U, b) | ("feature", D, f) | ("feature", D, m, f)."""

MAX_PATHS = 400_000
"""Stop expanding beyond this many paths (deeply shared types)."""


@dataclass
class WireIndex:
    """Element → the wire paths it occupies, and every path."""

    elements: dict[ElementKey, set[WirePath]] = field(default_factory=dict)
    paths: set[WirePath] = field(default_factory=set)

    def add(self, key: ElementKey, path: WirePath) -> None:
        self.elements.setdefault(key, set()).add(path)
        self.paths.add(path)


class _Walker:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.index = WireIndex()
        self.stack: list[str] = []

    def walk(self) -> WireIndex:
        for d in self.schema.definitions:
            if isinstance(d, Command):
                self.index.add(("definition", d.name), d.name)
                self.features(d.name, (), d.features, d.name)
                self.arguments(d.name, d.arguments, d.arg_type, d.name + "/arg")
                if d.returns is not None:
                    self.type_at(d.returns, d.name + "/ret")
            elif isinstance(d, Event):
                self.index.add(("definition", d.name), d.name)
                self.features(d.name, (), d.features, d.name)
                self.arguments(d.name, d.arguments, d.arg_type, d.name + "/data")
        return self.index

    def arguments(self, owner: str, members: tuple[Member, ...],
                  arg_type: TypeRef | None, path: WirePath) -> None:
        """Inline arguments, or the named type's members (union branches
        included)."""
        if arg_type is None:
            self.members(owner, members, path)
        else:
            self.type_at(arg_type, path)

    def features(self, owner: str, member: tuple[str, ...],
                 feats: tuple[Feature, ...], path: WirePath) -> None:
        for f in feats:
            self.index.add(("feature", owner, *member, f.name), f"{path}/#{f.name}")

    def members(self, owner: str, members: tuple[Member, ...],
                path: WirePath) -> None:
        for m in members:
            p = f"{path}/{m.name}"
            self.index.add(("member", m.defined_in, m.name), p)
            self.features(m.defined_in, (m.name,), m.features, p)
            self.type_at(m.type, p)

    def type_at(self, ref: TypeRef, path: WirePath) -> None:
        t = self.schema.resolve(ref)
        if t is None or t.name in self.stack or len(self.index.paths) > MAX_PATHS:
            return
        self.stack.append(t.name)
        try:
            self.definition_at(t, path)
        finally:
            self.stack.pop()

    def definition_at(self, t: Definition, path: WirePath) -> None:
        key: ElementKey = ("definition", t.name)
        if isinstance(t, EnumType):
            for v in t.values:
                p = f"{path}/={v.name}"
                self.index.add(("value", t.name, v.name), p)
                self.index.add(key, p)
                self.features(t.name, (v.name,), v.features, p)
        elif isinstance(t, StructType):
            self.features(t.name, (), t.features, path)
            for m in t.members:
                self.index.add(key, f"{path}/{m.name}")
            self.members(t.name, t.members, path)
            if isinstance(t, UnionType):
                for b in t.branches:
                    p = f"{path}/{{{t.discriminator}={b.name}}}"
                    self.index.add(("branch", t.name, b.name), p)
                    self.index.add(key, p)
                    self.type_at(b.type, p)
            if not t.members:
                self.index.add(key, path)
        elif isinstance(t, AlternateType):
            self.index.add(key, path)
            for b in t.alternatives:
                self.type_at(b.type, path)


def wire_index(schema: Schema) -> WireIndex:
    """Every wire path of the schema's commands and events."""
    return _Walker(schema).walk()


def new_and_old(new: WireIndex, old: WireIndex) -> Iterator[tuple[ElementKey, bool]]:
    """Each element of `new` with whether it is new: none of its paths
    existed in `old`."""
    for key, paths in new.elements.items():
        yield key, paths.isdisjoint(old.paths)
