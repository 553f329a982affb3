"""The wire protocol of a schema: what clients send and receive.

Takes a `Schema`; yields one `WireNode` per command, event, argument or
member, return value, union branch, enum value, alternative and feature, each
named by the `WirePath` that reaches it from a command or event.  Type names
never appear in paths: they are invisible on the wire.  Used by compat (JSON
types, directions), history (first release of every path) and lint's
version rules (`lint.wire`: what is new since the previous release).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from typing import NamedTuple

from qapidoc.core.inputs import TooLarge
from qapidoc.core.record import record
from qapidoc.core.source import Location
from qapidoc.schema.model import (
    JSON_TYPES,
    AlternateType,
    Branch,
    BuiltinType,
    Command,
    Condition,
    Definition,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Member,
    Schema,
    StructType,
    TypeRef,
    UnionType,
)


class Direction(enum.Flag):
    """Which way data flows: INPUT is what clients send (command
    arguments), OUTPUT what they receive (returns, event data)."""

    INPUT = 1
    OUTPUT = 2
    BOTH = 3

    def __str__(self) -> str:
        if self is Direction.BOTH:
            return "input+output"
        return "input" if self is Direction.INPUT else "output"


_ROOT_END = re.compile(r"[.=\[|#:]")


def unchecked_commands(schema: Schema) -> set[str]:
    """Commands that take arguments their schema does not describe
    ('gen': false, as object-add did until 6.0)."""
    return {d.name for d in schema.definitions if isinstance(d, Command) and not d.gen}


def arguments_of(path: str) -> str | None:
    """The command or event whose arguments (data) a wire path, as text,
    lies in; None for a return value.  In those of an `unchecked_commands`
    command, what a later release describes may have been accepted
    before it, undescribed."""
    if ":returns" in path:
        return None
    m = _ROOT_END.search(path)
    return path[:m.start()] if m else path


@record
class WirePath:
    """How a wire item is reached, e.g. ``blockdev-add.driver=file.aio``.

    Segments: ``.name`` a member, ``=value`` an enum value or union branch
    (the discriminator's value), ``[]`` an array element, ``:returns`` a
    command's return value, ``|json`` one alternative of an alternate,
    ``#name`` a feature.  Alternatives add no segment below themselves: an
    object alternative's members are ``.member`` directly, as in the JSON.
    """

    text: str

    def __str__(self) -> str:
        return self.text

    def member(self, name: str) -> WirePath:
        return WirePath(f"{self.text}.{name}")

    def value(self, name: str) -> WirePath:
        return WirePath(f"{self.text}={name}")

    def element(self) -> WirePath:
        return WirePath(self.text + "[]")

    def returns(self) -> WirePath:
        return WirePath(self.text + ":returns")

    def alternative(self, json_type: str) -> WirePath:
        return WirePath(f"{self.text}|{json_type}")

    def feature(self, name: str) -> WirePath:
        return WirePath(f"{self.text}#{name}")

    @property
    def root(self) -> str:
        """The command or event the path starts from."""
        end = len(self.text)
        for sep in ".=[:|#":
            i = self.text.find(sep)
            if i >= 0:
                end = min(end, i)
        return self.text[:end]


# --------------------------------------------------------------------------
# JSON types


JSON_ANY = "value"
"""The JSON type of 'any': every JSON value."""


def json_types(schema: Schema, ref: TypeRef) -> dict[str, tuple[TypeRef, Definition]]:
    """The JSON types a reference accepts, each with the type that takes it:
    one entry for most types, one per alternative for an alternate.  Keys
    are ``int``, ``number``, ``string``, ``boolean``, ``null``, ``object``,
    ``array`` and ``value`` (for 'any')."""
    out: dict[str, tuple[TypeRef, Definition]] = {}
    t = schema.resolve(ref)
    if t is None:
        return out
    if ref.is_array:
        out["array"] = (ref, t)
    elif isinstance(t, AlternateType):
        for alt in t.alternatives:
            a = schema.resolve(alt.type)
            if a is None or isinstance(a, AlternateType):
                continue
            for key, v in json_types(schema, alt.type).items():
                out.setdefault(key, v)
    else:
        out[json_type_of(t)] = (ref, t)
    return out


def json_type_of(t: Definition) -> str:
    """The JSON type of a non-alternate, non-array type."""
    if isinstance(t, BuiltinType):
        return JSON_TYPES.get(t.name, JSON_ANY)
    if isinstance(t, EnumType):
        return "string"
    if isinstance(t, StructType):
        return "object"
    return JSON_ANY


def describe_json(schema: Schema, ref: TypeRef) -> str:
    """A short JSON-level description: ``string``, ``array of object``,
    ``int|string`` (an alternate)."""
    if ref.is_array:
        inner = describe_json(schema, TypeRef(ref.name, ref.location))
        return f"array of {inner}"
    return "|".join(json_types(schema, ref)) or "unknown"


def is_unstable_name(name: str) -> bool:
    """Names starting with ``x-`` mark unstable items (an older convention
    than the 'unstable' feature)."""
    return name.startswith("x-")


def _flags(name: str, features: tuple[Feature, ...]) -> tuple[bool, bool]:
    if not features:
        return name.startswith("x-"), False
    names = {f.name for f in features}
    return ("unstable" in names or is_unstable_name(name), "deprecated" in names)


# --------------------------------------------------------------------------
# Walking


class WireNode(NamedTuple):
    """One item of the wire protocol, as reached by `path`.

    `role` is command, event, returns, member, branch, value, alternative or
    feature; `definition` the definition whose source declares it;
    `type_name` the named type it holds (array element type for arrays; the
    argument type of a command or event; None for built-ins); `unstable` is
    true when it or anything above it on the path is unstable or named
    ``x-``; `deprecated` is about the item itself.  `owner` is the named
    type a member or value is part of where the path reaches it: the struct
    or union holding a member (None for a command's or event's own
    arguments), the enum of a value or of a branch's discriminator value;
    None for other roles.  A feature node follows the node it belongs to.
    A named tuple: a schema has tens of thousands of wire items.
    """

    path: WirePath
    role: str
    name: str
    direction: Direction
    definition: str
    json_type: str
    optional: bool
    features: tuple[str, ...]
    condition: Condition | None
    location: Location
    unstable: bool
    deprecated: bool
    type_name: str | None = None
    owner: str | None = None


class _Overflow(Exception):
    """One definition alone has more than `MAX_WIRE_ITEMS` wire items."""


class _Walker:
    """Appends the nodes of one definition at a time to `nodes`."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.nodes: list[WireNode] = []
        self._json: dict[tuple[str, bool], str] = {}

    def definition(self, d: Definition) -> None:
        unstable, deprecated = _flags(d.name, d.features)
        path = WirePath(d.name)
        if isinstance(d, Command):
            self._node(path, "command", d.name, Direction.INPUT, d.name,
                       "object", False, d.features, d.condition, d.location,
                       unstable, deprecated, d.arg_type)
            self._features(path, d.features, Direction.INPUT, d.name, unstable)
            self._arguments(d, path, Direction.INPUT, unstable)
            if d.returns is not None:
                rpath = path.returns()
                self._node(rpath, "returns", "returns", Direction.OUTPUT,
                           d.name, self._describe(d.returns), False, (), None,
                           d.returns.location, unstable, False, d.returns)
                self._value(d.returns, rpath, Direction.OUTPUT, d.name,
                            unstable, ())
        elif isinstance(d, Event):
            self._node(path, "event", d.name, Direction.OUTPUT, d.name,
                       "object", False, d.features, d.condition, d.location,
                       unstable, deprecated, d.arg_type)
            self._features(path, d.features, Direction.OUTPUT, d.name, unstable)
            self._arguments(d, path, Direction.OUTPUT, unstable)

    def _arguments(self, d: Command | Event, path: WirePath, direction: Direction,
                   unstable: bool) -> None:
        t = self.schema.resolve(d.arg_type) if d.arg_type else None
        if isinstance(t, StructType):
            self._object(t, path, direction, unstable, (t.name,))
        else:
            self._members(d.arguments, None, None, path, direction, unstable, ())

    def _object(self, t: StructType, path: WirePath, direction: Direction,
                unstable: bool, stack: tuple[str, ...]) -> None:
        self._members(t.members, t.name, t if isinstance(t, UnionType) else None,
                      path, direction, unstable, stack)

    def _members(self, members: tuple[Member, ...], owner: str | None,
                 union: UnionType | None, path: WirePath, direction: Direction,
                 unstable: bool, stack: tuple[str, ...]) -> None:
        for m in members:
            mpath = path.member(m.name)
            m_unstable, m_deprecated = _flags(m.name, m.features)
            m_unstable = m_unstable or unstable
            self._node(mpath, "member", m.name, direction, m.defined_in,
                       self._describe(m.type), m.optional, m.features,
                       m.condition, m.location, m_unstable, m_deprecated,
                       m.type, owner)
            self._features(mpath, m.features, direction, m.defined_in,
                           m_unstable)
            if union is not None and m.name == union.discriminator:
                self._branches(union, m, mpath, direction, m_unstable, stack)
            else:
                self._value(m.type, mpath, direction, m.defined_in,
                            m_unstable, stack)

    def _branches(self, union: UnionType, disc: Member, path: WirePath,
                  direction: Direction, unstable: bool,
                  stack: tuple[str, ...]) -> None:
        enum_t = self.schema.resolve(disc.type)
        if not isinstance(enum_t, EnumType):
            return
        for v in enum_t.values:
            bpath = path.value(v.name)
            branch = union.branch(v.name)
            v_unstable, v_deprecated = _flags(v.name, v.features)
            v_unstable = v_unstable or unstable
            cond = branch.condition if branch and branch.condition else v.condition
            self._node(bpath, "branch", v.name, direction, union.name,
                       "object", False, v.features, cond,
                       branch.location if branch else v.location,
                       v_unstable, v_deprecated,
                       branch.type if branch else None, enum_t.name)
            self._features(bpath, v.features, direction, enum_t.name,
                           v_unstable)
            if branch is None:
                continue
            bt = self.schema.resolve(branch.type)
            if isinstance(bt, StructType) and bt.name not in stack:
                self._object(bt, bpath, direction, v_unstable,
                             (*stack, bt.name))

    def _value(self, ref: TypeRef, path: WirePath, direction: Direction,
               definition: str, unstable: bool,
               stack: tuple[str, ...]) -> None:
        t = self.schema.resolve(ref)
        if t is None:
            return
        if ref.is_array:
            path = path.element()
        if isinstance(t, EnumType):
            self._values(t, path, direction, unstable)
        elif isinstance(t, StructType):
            if t.name not in stack:
                self._object(t, path, direction, unstable, (*stack, t.name))
        elif isinstance(t, AlternateType) and t.name not in stack:
            inner = (*stack, t.name)
            for alt in t.alternatives:
                self._alternative(t, alt, path, direction, unstable, inner)

    def _alternative(self, t: AlternateType, alt: Branch, path: WirePath,
                     direction: Direction, unstable: bool,
                     stack: tuple[str, ...]) -> None:
        kind = self._describe(alt.type)
        key = "array" if alt.type.is_array else kind
        self._node(path.alternative(key), "alternative", alt.name, direction,
                   t.name, kind, False, (), alt.condition, alt.location,
                   unstable, False, alt.type)
        self._value(alt.type, path, direction, t.name, unstable, stack)

    def _values(self, t: EnumType, path: WirePath, direction: Direction,
                unstable: bool) -> None:
        for v in t.values:
            v_unstable, v_deprecated = _flags(v.name, v.features)
            vpath = path.value(v.name)
            self._value_node(t, v, vpath, direction, v_unstable or unstable,
                             v_deprecated)
            self._features(vpath, v.features, direction, t.name,
                           v_unstable or unstable)

    def _value_node(self, t: EnumType, v: EnumValue, path: WirePath,
                    direction: Direction, unstable: bool,
                    deprecated: bool) -> None:
        self._node(path, "value", v.name, direction, t.name, "string", False,
                   v.features, v.condition, v.location, unstable, deprecated,
                   None, t.name)

    def _features(self, path: WirePath, features: tuple[Feature, ...],
                  direction: Direction, definition: str,
                  unstable: bool) -> None:
        for f in features:
            self._node(path.feature(f.name), "feature", f.name, direction,
                       definition, "", False, (), f.condition, f.location,
                       unstable, False)

    def _describe(self, ref: TypeRef) -> str:
        """`describe_json`, once per type and arrayness."""
        key = (ref.name, ref.is_array)
        text = self._json.get(key)
        if text is None:
            text = self._json[key] = describe_json(self.schema, ref)
        return text

    def _node(self, path: WirePath, role: str, name: str, direction: Direction,
              definition: str, json_type: str, optional: bool,
              features: tuple[Feature, ...], condition: Condition | None,
              location: Location, unstable: bool, deprecated: bool,
              type_ref: TypeRef | None = None,
              owner: str | None = None) -> None:
        type_name = None
        if type_ref is not None and type_ref.name not in JSON_TYPES:
            type_name = type_ref.name
        if len(self.nodes) >= MAX_WIRE_ITEMS:
            raise _Overflow
        self.nodes.append(WireNode(
            path, role, name, direction, definition, json_type, optional,
            tuple([f.name for f in features]) if features else (), condition,
            location, unstable, deprecated, type_name, owner))


MAX_WIRE_ITEMS = 250_000
"""Most wire items `walk` lists for one schema.  QEMU's QMP schema has some
14,000; types that reach each other many ways (each with two members of
the next type) double the count per level, and such a schema of 25 lines
would take all memory."""


class WireTooLarge(TooLarge):
    """A schema's wire protocol has more items than `MAX_WIRE_ITEMS`, or
    nests deeper than the walk can follow."""


def walk(schema: Schema) -> Iterator[WireNode]:
    """Every wire item of `schema`, commands and events in definition
    order, each subtree depth-first.  A named type already on the current
    path is not entered again, so recursive types end.  Raises
    `WireTooLarge` for a protocol too large or deep to list."""
    w = _Walker(schema)
    listed = 0
    for d in schema.definitions:
        try:
            w.definition(d)
        except RecursionError:
            raise WireTooLarge(f"{d.location}: the types '{d.name}' uses nest too "
                               "deeply to list its wire items") from None
        except _Overflow:
            listed = MAX_WIRE_ITEMS + 1
        listed += len(w.nodes)
        if listed > MAX_WIRE_ITEMS:
            raise WireTooLarge(f"{d.location}: the wire protocol has more than "
                               f"{MAX_WIRE_ITEMS:,} items by '{d.name}' (its types "
                               "reach each other too many ways to list)")
        yield from w.nodes
        w.nodes.clear()


def reach(schema: Schema) -> dict[str, Direction]:
    """The directions in which each named type is reached on the wire
    (types reached by no command or event are absent)."""
    seen: dict[str, Direction] = {}

    def visit(ref: TypeRef, direction: Direction) -> None:
        t = schema.resolve(ref)
        if t is None or isinstance(t, BuiltinType):
            return
        old = seen.get(t.name)
        if old is not None and direction in old:
            return
        seen[t.name] = old | direction if old is not None else direction
        if isinstance(t, StructType):
            if t.base is not None:
                visit(t.base, direction)
            for m in t.members:
                visit(m.type, direction)
            if isinstance(t, UnionType):
                for b in t.branches:
                    visit(b.type, direction)
        elif isinstance(t, AlternateType):
            for alt in t.alternatives:
                visit(alt.type, direction)

    for d in schema.definitions:
        if isinstance(d, Command | Event):
            direction = Direction.INPUT if isinstance(d, Command) else Direction.OUTPUT
            if d.arg_type is not None:
                visit(d.arg_type, direction)
            else:
                for m in d.arguments:
                    visit(m.type, direction)
            if isinstance(d, Command) and d.returns is not None:
                visit(d.returns, Direction.OUTPUT)
    return seen
