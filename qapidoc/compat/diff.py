"""Compat: what changed on the wire between two schemas, and what breaks.

Takes an OLD and a NEW `Schema`; returns `Change` records, one per changed
definition/member/value, each with the shortest `WirePath` reaching it and
every command or event it is reached from.  Follows "Compatibility
considerations" of the QAPI spec: type names are invisible, input (command
arguments) and output (returns, event data) have their own rules, a type
reached both ways gets both.  `compat_report` formats the result.

Policy: each change kind has a default severity (`CHANGE_KINDS`), which a
configuration may override; then changes to unstable items (the 'unstable'
feature, or an ``x-`` name, on the item or anywhere on its path) and
removals of items that were 'deprecated' in OLD become info.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from qapidoc.compat.wire import Direction, WirePath, is_unstable_name, json_types
from qapidoc.core.source import Location, Severity
from qapidoc.schema.model import (
    AlternateType,
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

# --------------------------------------------------------------------------
# Change kinds


@dataclass(frozen=True, slots=True)
class ChangeKind:
    """A kind of change: its default severity, the changelog section it
    goes to, and what it means."""

    name: str
    severity: Severity
    section: str  # Added | Changed | Deprecated | Removed
    summary: str


CHANGE_KINDS: dict[str, ChangeKind] = {}


def _kind(name: str, severity: Severity, section: str, summary: str) -> None:
    CHANGE_KINDS[name] = ChangeKind(name, severity, section, summary)


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741
_kind("command-removed", E, "Removed", "A command was removed.")
_kind("command-added", I, "Added", "A command was added.")
_kind("event-removed", E, "Removed",
      "An event was removed; clients waiting for it wait forever.")
_kind("event-added", I, "Added", "An event was added.")
_kind("argument-removed", E, "Removed",
      "A member clients send (argument, or member of a type used in "
      "arguments) was removed.")
_kind("argument-added", I, "Added", "An optional member clients send was added.")
_kind("mandatory-argument-added", E, "Added",
      "A mandatory member clients send was added; old clients omit it.")
_kind("argument-made-mandatory", E, "Changed",
      "An optional member clients send became mandatory.")
_kind("argument-made-optional", I, "Changed",
      "A mandatory member clients send became optional.")
_kind("member-removed", E, "Removed",
      "A mandatory member clients receive (returns, event data) was removed.")
_kind("optional-member-removed", W, "Removed",
      "An optional member clients receive was removed; clients cope with "
      "its absence, but introspection changes.")
_kind("member-added", I, "Added", "A member clients receive was added.")
_kind("member-made-optional", E, "Changed",
      "A member clients receive became optional; clients relying on it "
      "may not get it.")
_kind("member-made-mandatory", I, "Changed",
      "An optional member clients receive became mandatory.")
_kind("enum-value-removed", E, "Removed",
      "An enum value clients may send was removed.")
_kind("output-enum-value-removed", I, "Removed",
      "An enum value only ever received was removed; it can no longer be "
      "sent.")
_kind("enum-value-added", I, "Added", "An enum value was added.")
_kind("branch-removed", E, "Removed",
      "A union branch (discriminator value) clients may send was removed.")
_kind("output-branch-removed", I, "Removed",
      "A union branch only ever received was removed.")
_kind("branch-added", I, "Added", "A union branch was added.")
_kind("discriminator-changed", E, "Changed",
      "A union's discriminator member changed.")
_kind("type-changed", E, "Changed",
      "A member's JSON type changed incompatibly: input no longer accepts "
      "what it did, or output may be of a type it never was.")
_kind("type-widened", I, "Changed",
      "Input accepts more than before (e.g. a type became an alternate "
      "containing it, int became number, an enum became str).")
_kind("type-narrowed", I, "Changed",
      "Output is of fewer JSON types than before.")
_kind("condition-changed", W, "Changed",
      "An 'if' condition was added or changed: the item may vanish from "
      "some builds.")
_kind("condition-removed", I, "Changed",
      "An 'if' condition was dropped: the item is now in every build.")
_kind("deprecated", I, "Deprecated", "An item gained the 'deprecated' feature.")
_kind("undeprecated", I, "Changed", "An item lost the 'deprecated' feature.")
_kind("became-unstable", W, "Changed",
      "A stable item gained the 'unstable' feature.")
_kind("stabilized", I, "Changed", "An item lost the 'unstable' feature.")
_kind("command-flag-removed", E, "Removed",
      "A command lost 'allow-oob' or 'allow-preconfig': clients that run it "
      "out of band or before the machine is built now get an error.")
_kind("command-flag-added", I, "Added",
      "A command gained 'allow-oob' or 'allow-preconfig'.")
_kind("success-response-changed", E, "Changed",
      "A command's 'success-response' changed: clients wait for a reply "
      "that never comes, or get one they do not expect.")
_kind("feature-added", I, "Added", "An item gained a feature.")
_kind("feature-removed", W, "Removed",
      "An item lost a feature; clients probing for it lose the capability.")
del E, W, I


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Change:
    """One change on the wire, reported once however many paths reach it.

    `wire_path` is the shortest path to it; `reached_by` holds the first
    path from every command and event that reaches it (`wire_path` first).
    `old`/`new` are its source locations; for a removal `new` is the
    definition in NEW that lost it (None if that is gone too).  `policy`
    says why the severity was lowered: "unstable" or "deprecated".
    """

    kind: str
    severity: Severity
    direction: Direction
    wire_path: str
    definition: str
    member: str | None
    message: str
    old: Location | None
    new: Location | None
    reached_by: tuple[str, ...] = ()
    policy: str = ""

    @property
    def section(self) -> str:
        return CHANGE_KINDS[self.kind].section

    @property
    def root(self) -> str:
        return WirePath(self.wire_path).root


@dataclass(frozen=True, slots=True)
class _Local:
    """A change found at one node, before paths and policy are applied."""

    kind: str
    rel: str  # path below the node, e.g. ".aio" or ".aio=threads"
    definition: str
    member: str | None
    message: str
    old: Location | None
    new: Location | None
    unstable: bool = False
    deprecated: bool = False  # removal of an item deprecated in OLD


@dataclass(frozen=True, slots=True)
class _Shape:
    """An object on the wire: members (plus a discriminator and branches
    for a union).  `name` is the type's, or the command/event's for inline
    arguments; `definition` the type (None for inline arguments)."""

    key: tuple[str, str]
    name: str
    members: tuple[Member, ...]
    union: UnionType | None = None
    definition: Definition | None = None
    location: Location | None = None


_EMPTY = _Shape(("empty", ""), "", ())

_JsonTypes = Mapping[str, tuple[TypeRef | None, Definition | None]]
_NodeKey = tuple[str, tuple[str, str], tuple[str, str], Direction]
_Edge = tuple[str, _NodeKey, bool]  # relative path, child node, unstable


@dataclass(slots=True)
class _NodeResult:
    locals: list[_Local] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)


# --------------------------------------------------------------------------
# Comparison


_INT_RANGES: dict[str, tuple[int, int]] = {
    "int": (-(2**63), 2**63 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "uint64": (0, 2**64 - 1),
    "size": (0, 2**64 - 1),
    "uint32": (0, 2**32 - 1),
    "uint16": (0, 2**16 - 1),
    "uint8": (0, 2**8 - 1),
}


def _covers(wide: str, narrow: str) -> bool:
    """Whether JSON type `wide` accepts every value of `narrow`."""
    return wide == narrow or wide == "value" or (wide == "number" and narrow == "int")


def _is_unstable(name: str, features: tuple[Feature, ...]) -> bool:
    return is_unstable_name(name) or any(f.name == "unstable" for f in features)


def _is_deprecated(features: tuple[Feature, ...]) -> bool:
    return any(f.name == "deprecated" for f in features)


def _cond(c: Condition | None) -> str:
    return c.render() if c is not None else ""


class _Differ:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old = old
        self.new = new
        self.shapes: dict[tuple[str, tuple[str, str]], _Shape] = {}
        self.enums: dict[tuple[str, str], EnumType] = {}
        self.alts: dict[tuple[str, str], AlternateType] = {}
        self.memo: dict[_NodeKey, _NodeResult] = {}

    # -- shapes --------------------------------------------------------------

    def shape_of_type(self, side: str, t: StructType) -> _Shape:
        key = ("type", t.name)
        s = self.shapes.get((side, key))
        if s is None:
            s = _Shape(key, t.name, t.members,
                       t if isinstance(t, UnionType) else None, t, t.location)
            self.shapes[(side, key)] = s
        return s

    def shape_of_args(self, side: str, schema: Schema, d: Command | Event) -> _Shape:
        t = schema.resolve(d.arg_type) if d.arg_type is not None else None
        if isinstance(t, StructType):
            return self.shape_of_type(side, t)
        key = ("args", d.name)
        s = _Shape(key, d.name, d.arguments, None, None, d.location)
        self.shapes[(side, key)] = s
        return s

    def register(self, side: str, shape: _Shape) -> tuple[str, str]:
        self.shapes[(side, shape.key)] = shape
        return shape.key

    # -- nodes ---------------------------------------------------------------

    def result(self, key: _NodeKey) -> _NodeResult:
        r = self.memo.get(key)
        if r is None:
            r = _NodeResult()
            self.memo[key] = r
            kind, okey, nkey, direction = key
            if kind == "obj":
                self.compare_objects(self.shapes[("old", okey)],
                                     self.shapes[("new", nkey)], direction, r)
            elif kind == "enum":
                self.compare_enums(self.enums[("old", okey[1])],
                                   self.enums[("new", nkey[1])], direction, r)
            else:
                self.compare_alternates(self.alts[("old", okey[1])],
                                        self.alts[("new", nkey[1])], direction, r)
        return r

    def obj_edge(self, rel: str, old: _Shape, new: _Shape, direction: Direction,
                 unstable: bool, r: _NodeResult) -> None:
        if old is _EMPTY and new is _EMPTY:
            return
        ok = self.register("old", old)
        nk = self.register("new", new)
        r.edges.append((rel, ("obj", ok, nk, direction), unstable))

    # -- definitions (conditions, features) ---------------------------------

    def compare_definition(self, old: Definition | None, new: Definition | None,
                           rel: str, r: _NodeResult) -> None:
        if old is None or new is None or isinstance(old, BuiltinType):
            return
        unstable = _is_unstable(old.name, old.features) or _is_unstable(
            new.name, new.features)
        self.compare_condition(old.condition, new.condition, rel, new.name,
                               None, f"{new.describe()}", old.location,
                               new.location, unstable, r)
        self.compare_features(old.features, new.features, rel, new.name, None,
                              new.describe(), old.location, new.location,
                              unstable, r)
        if isinstance(old, Command) and isinstance(new, Command):
            self.compare_command_flags(old, new, rel, unstable, r)

    def compare_command_flags(self, old: Command, new: Command, rel: str,
                              unstable: bool, r: _NodeResult) -> None:
        """The flags clients see: out-of-band execution, availability
        before the machine is built, and whether a success reply comes."""
        for flag, was, now in (("allow-oob", old.allow_oob, new.allow_oob),
                               ("allow-preconfig", old.allow_preconfig,
                                new.allow_preconfig)):
            if was == now:
                continue
            kind = "command-flag-added" if now else "command-flag-removed"
            verb = "gained" if now else "lost"
            r.locals.append(_Local(kind, rel, new.name, None,
                                   f"command '{new.name}' {verb} '{flag}'",
                                   old.location, new.location, unstable,
                                   not now and _is_deprecated(old.features)))
        if old.success_response != new.success_response:
            now_text = "sends" if new.success_response else "no longer sends"
            r.locals.append(_Local("success-response-changed", rel, new.name, None,
                                   f"command '{new.name}' {now_text} a success "
                                   "response", old.location, new.location,
                                   unstable))

    def compare_condition(self, old: Condition | None, new: Condition | None,
                          rel: str, definition: str, member: str | None,
                          what: str, old_loc: Location | None,
                          new_loc: Location | None, unstable: bool,
                          r: _NodeResult) -> None:
        oc, nc = _cond(old), _cond(new)
        if oc == nc:
            return
        if nc:
            kind = "condition-changed"
            msg = f"condition of {what} changed from {oc or 'none'} to {nc}"
        else:
            kind = "condition-removed"
            msg = f"condition of {what} ({oc}) dropped"
        r.locals.append(_Local(kind, rel, definition, member, msg, old_loc,
                               new_loc, unstable))

    def compare_features(self, old: tuple[Feature, ...], new: tuple[Feature, ...],
                         rel: str, definition: str, member: str | None,
                         what: str, old_loc: Location | None,
                         new_loc: Location | None, unstable: bool,
                         r: _NodeResult) -> None:
        on = {f.name: f for f in old}
        nn = {f.name: f for f in new}
        if on.keys() == nn.keys():
            return
        for name in nn.keys() - on.keys():
            f = nn[name]
            if name == "deprecated":
                kind, msg = "deprecated", f"{what} is now deprecated"
            elif name == "unstable":
                kind, msg = "became-unstable", f"{what} became unstable"
                unstable_here = is_unstable_name(member or definition)
                r.locals.append(_Local(kind, rel, definition, member, msg,
                                       old_loc, f.location, unstable_here))
                continue
            else:
                kind, msg = "feature-added", f"{what} gained feature '{name}'"
            r.locals.append(_Local(kind, rel, definition, member, msg,
                                   old_loc, f.location, unstable))
        for name in on.keys() - nn.keys():
            f = on[name]
            if name == "deprecated":
                kind, msg = "undeprecated", f"{what} is no longer deprecated"
            elif name == "unstable":
                kind, msg = "stabilized", f"{what} is no longer unstable"
            else:
                kind, msg = "feature-removed", f"{what} lost feature '{name}'"
            r.locals.append(_Local(kind, rel, definition, member, msg,
                                   f.location, new_loc, unstable))

    # -- objects -------------------------------------------------------------

    def compare_objects(self, old: _Shape, new: _Shape, direction: Direction,
                        r: _NodeResult) -> None:
        inp = direction is Direction.INPUT
        owner = new.name or old.name
        if old.definition is not None and new.definition is not None:
            self.compare_definition(old.definition, new.definition, "", r)
        disc = ""
        if new.union is not None:
            disc = new.union.discriminator
        elif old.union is not None:
            disc = old.union.discriminator
        if (old.union is not None and new.union is not None
                and old.union.discriminator != new.union.discriminator):
            r.locals.append(_Local(
                "discriminator-changed", "", owner, None,
                f"discriminator of union '{owner}' changed from "
                f"'{old.union.discriminator}' to '{new.union.discriminator}'",
                old.location, new.location))
            disc = ""  # branches are not compared: the whole union broke
        old_by = {m.name: m for m in old.members}
        new_by = {m.name: m for m in new.members}
        for m in old.members:
            if m.name in new_by:
                continue
            rel = "." + m.name
            if inp:
                kind, what = "argument-removed", "argument"
            elif m.optional:
                kind, what = "optional-member-removed", "optional member"
            else:
                kind, what = "member-removed", "member"
            r.locals.append(_Local(
                kind, rel, m.defined_in, m.name,
                f"{what} '{m.name}' of '{m.defined_in}' removed", m.location,
                new.location, _is_unstable(m.name, m.features),
                _is_deprecated(m.features)))
        for m in new.members:
            om = old_by.get(m.name)
            rel = "." + m.name
            unstable = _is_unstable(m.name, m.features)
            if om is None:
                if inp and not m.optional:
                    kind, what = "mandatory-argument-added", "mandatory argument"
                elif inp:
                    kind, what = "argument-added", "optional argument"
                else:
                    kind = "member-added"
                    what = "optional member" if m.optional else "member"
                r.locals.append(_Local(
                    kind, rel, m.defined_in, m.name,
                    f"{what} '{m.name}' added to '{m.defined_in}'",
                    old.location, m.location, unstable))
                continue
            unstable = unstable or _is_unstable(om.name, om.features)
            self.compare_member(om, m, direction, unstable, r)
            if m.name == disc:
                self.compare_branches(old, new, om, m, direction, unstable, r)
            else:
                self.compare_value(om.type, m.type, direction, rel, m.defined_in,
                                   m.name, om.location, m.location, unstable, r)

    def compare_member(self, om: Member, m: Member, direction: Direction,
                       unstable: bool, r: _NodeResult) -> None:
        rel = "." + m.name
        what = f"'{m.name}' of '{m.defined_in}'"
        if om.optional != m.optional:
            if direction is Direction.INPUT:
                kind = ("argument-made-optional" if m.optional
                        else "argument-made-mandatory")
                noun = "argument"
            else:
                kind = ("member-made-optional" if m.optional
                        else "member-made-mandatory")
                noun = "member"
            state = "optional" if m.optional else "mandatory"
            r.locals.append(_Local(kind, rel, m.defined_in, m.name,
                                   f"{noun} {what} became {state}",
                                   om.location, m.location, unstable))
        self.compare_condition(om.condition, m.condition, rel, m.defined_in,
                               m.name, f"member {what}", om.location,
                               m.location, unstable, r)
        self.compare_features(om.features, m.features, rel, m.defined_in,
                              m.name, f"member {what}", om.location, m.location,
                              unstable, r)

    def compare_branches(self, old: _Shape, new: _Shape, om: Member, m: Member,
                         direction: Direction, unstable: bool,
                         r: _NodeResult) -> None:
        """Union branches, keyed by discriminator value.  A value without a
        branch has an empty one, so a struct that becomes a union (or back)
        compares branch by branch against empty objects."""
        oe = self.old.resolve(om.type)
        ne = self.new.resolve(m.type)
        if not isinstance(oe, EnumType) or not isinstance(ne, EnumType):
            self.compare_value(om.type, m.type, direction, "." + m.name,
                               m.defined_in, m.name, om.location, m.location,
                               unstable, r)
            return
        owner = (new.union or old.union or new).name
        rel = "." + m.name
        new_values = {v.name: v for v in ne.values}
        old_values = {v.name: v for v in oe.values}
        for v in oe.values:
            if v.name in new_values:
                continue
            kind = ("branch-removed" if direction is Direction.INPUT
                    else "output-branch-removed")
            r.locals.append(_Local(
                kind, f"{rel}={v.name}", owner, v.name,
                f"branch '{v.name}' of union '{owner}' removed", v.location,
                new.location, unstable or _is_unstable(v.name, v.features),
                _is_deprecated(v.features)))
        for v in ne.values:
            ov = old_values.get(v.name)
            vrel = f"{rel}={v.name}"
            v_unstable = unstable or _is_unstable(v.name, v.features)
            if ov is None:
                r.locals.append(_Local(
                    "branch-added", vrel, owner, v.name,
                    f"branch '{v.name}' added to union '{owner}'",
                    old.location, v.location, v_unstable))
                continue
            v_unstable = v_unstable or _is_unstable(ov.name, ov.features)
            self.compare_value_item(ov, v, vrel, owner, f"branch '{v.name}'",
                                    v_unstable, r)
            ob = old.union.branch(v.name) if old.union is not None else None
            nb = new.union.branch(v.name) if new.union is not None else None
            if ob is not None and nb is not None:
                self.compare_condition(ob.condition, nb.condition, vrel, owner,
                                       v.name, f"branch '{v.name}' of '{owner}'",
                                       ob.location, nb.location, v_unstable, r)
            os_ = self.branch_shape("old", self.old, ob.type if ob else None)
            ns = self.branch_shape("new", self.new, nb.type if nb else None)
            self.obj_edge(vrel, os_, ns, direction, v_unstable, r)

    def branch_shape(self, side: str, schema: Schema, ref: TypeRef | None) -> _Shape:
        t = schema.resolve(ref) if ref is not None else None
        return self.shape_of_type(side, t) if isinstance(t, StructType) else _EMPTY

    def compare_value_item(self, ov: EnumValue, v: EnumValue, rel: str,
                           definition: str, what: str, unstable: bool,
                           r: _NodeResult) -> None:
        self.compare_condition(ov.condition, v.condition, rel, definition,
                               v.name, f"{what} of '{definition}'", ov.location,
                               v.location, unstable, r)
        self.compare_features(ov.features, v.features, rel, definition, v.name,
                              f"{what} of '{definition}'", ov.location,
                              v.location, unstable, r)

    # -- values --------------------------------------------------------------

    def compare_value(self, oref: TypeRef | None, nref: TypeRef | None,
                      direction: Direction, rel: str, definition: str,
                      member: str | None, old_loc: Location | None,
                      new_loc: Location | None, unstable: bool,
                      r: _NodeResult) -> None:
        """Compare what a member (or a return value) holds.  None stands for
        a command without 'returns', i.e. an empty object."""
        ot = self.old.resolve(oref) if oref is not None else None
        nt = self.new.resolve(nref) if nref is not None else None
        if (oref is not None and ot is None) or (nref is not None and nt is None):
            return  # unknown type: reported by the loader
        if (isinstance(ot, AlternateType) and isinstance(nt, AlternateType)
                and not oref.is_array and not nref.is_array):  # type: ignore[union-attr]
            self.enums_alts("alt", ot, nt)
            r.edges.append((rel, ("alt", ("alt", ot.name), ("alt", nt.name),
                                  direction), unstable))
            return
        oj = self.json_of(self.old, oref)
        nj = self.json_of(self.new, nref)
        what = (f"'{member}' of '{definition}'" if member
                else f"the return value of '{definition}'")
        descs = (self.describe_ref(self.old, oref), self.describe_ref(self.new, nref))
        self.compare_json(oj, nj, direction, rel, definition, member, what,
                          descs, old_loc, new_loc, unstable, r)

    def describe_ref(self, schema: Schema, ref: TypeRef | None) -> str:
        """``int``, ``array of str``, ``enum 'Mode'``, ``alternate 'A'
        (object|string)``; for no 'returns', ``nothing ({})``."""
        if ref is None:
            return "nothing ({})"
        if ref.is_array:
            return "array of " + self.describe_ref(
                schema, TypeRef(ref.name, ref.location))
        t = schema.resolve(ref)
        if t is None:
            return ref.name
        if isinstance(t, AlternateType):
            return f"{t.describe()} ({'|'.join(json_types(schema, ref))})"
        return self.describe(t)

    def json_of(self, schema: Schema, ref: TypeRef | None) -> _JsonTypes:
        if ref is None:
            return {"object": (None, None)}
        return dict(json_types(schema, ref))

    def compare_json(self, oj: _JsonTypes, nj: _JsonTypes,
                     direction: Direction, rel: str, definition: str,
                     member: str | None, what: str, descs: tuple[str, str],
                     old_loc: Location | None, new_loc: Location | None,
                     unstable: bool, r: _NodeResult) -> None:
        """Compare two sets of JSON types (one per alternative) and recurse
        into the ones both sides have.  `descs` name the old and new type
        in messages."""
        inp = direction is Direction.INPUT
        # For input every old JSON type must still be accepted; for output
        # every new one must have been possible before.
        need, have = (oj, nj) if inp else (nj, oj)
        missing = [j for j in need if not any(_covers(h, j) for h in have)]
        extra = [j for j in have if not any(_covers(n, j) for n in need)
                 and j not in need]
        widened = [j for j in need if j not in have and j not in missing]
        desc_o, desc_n = descs
        if missing:
            names = " or ".join("any JSON value" if j == "value" else j
                                for j in missing)
            detail = f"no longer accepts {names}" if inp else f"may now be {names}"
            r.locals.append(_Local(
                "type-changed", rel, definition, member,
                f"type of {what} changed from {desc_o} to {desc_n}: {detail}",
                old_loc, new_loc, unstable))
        elif extra or widened:
            kind = "type-widened" if inp else "type-narrowed"
            r.locals.append(_Local(
                kind, rel, definition, member,
                f"type of {what} changed from {desc_o} to {desc_n}",
                old_loc, new_loc, unstable))
        for j, (oref, ot) in oj.items():
            if j not in nj:
                continue
            nref, nt = nj[j]
            self.compare_same_json(j, oref, ot, nref, nt, direction, rel,
                                   definition, member, what, old_loc, new_loc,
                                   unstable, r)

    def compare_same_json(self, j: str, oref: TypeRef | None, ot: Definition | None,
                          nref: TypeRef | None, nt: Definition | None,
                          direction: Direction, rel: str, definition: str,
                          member: str | None, what: str,
                          old_loc: Location | None, new_loc: Location | None,
                          unstable: bool, r: _NodeResult) -> None:
        inp = direction is Direction.INPUT
        if j == "array":
            assert oref is not None and nref is not None
            oe = TypeRef(oref.name, oref.location)
            ne = TypeRef(nref.name, nref.location)
            self.compare_value(oe, ne, direction, rel + "[]", definition,
                               member, old_loc, new_loc, unstable, r)
        elif j == "object":
            os_ = (self.shape_of_type("old", ot) if isinstance(ot, StructType)
                   else _EMPTY)
            ns = (self.shape_of_type("new", nt) if isinstance(nt, StructType)
                  else _EMPTY)
            self.obj_edge(rel, os_, ns, direction, unstable, r)
        elif j == "string":
            if isinstance(ot, EnumType) and isinstance(nt, EnumType):
                self.enums_alts("enum", ot, nt)
                r.edges.append((rel, ("enum", ("enum", ot.name),
                                      ("enum", nt.name), direction), unstable))
            elif isinstance(ot, EnumType) != isinstance(nt, EnumType):
                assert ot is not None and nt is not None
                to_enum = isinstance(nt, EnumType)
                ok = to_enum != inp  # input: enum→str widens; output: str→enum narrows
                kind = ("type-widened" if inp else "type-narrowed") if ok else "type-changed"
                r.locals.append(_Local(
                    kind, rel, definition, member,
                    f"type of {what} changed from {self.describe(ot)} to "
                    f"{self.describe(nt)}", old_loc, new_loc, unstable))
        elif j == "int" and ot is not None and nt is not None:
            orange = _INT_RANGES.get(ot.name)
            nrange = _INT_RANGES.get(nt.name)
            if orange is None or nrange is None or orange == nrange:
                return
            wider = nrange[0] <= orange[0] and nrange[1] >= orange[1]
            narrower = nrange[0] >= orange[0] and nrange[1] <= orange[1]
            if inp:
                kind = "type-widened" if wider else "type-changed"
            else:
                kind = "type-narrowed" if narrower else "type-changed"
            r.locals.append(_Local(
                kind, rel, definition, member,
                f"type of {what} changed from {ot.name} to {nt.name}",
                old_loc, new_loc, unstable))

    @staticmethod
    def describe(t: Definition) -> str:
        return t.name if isinstance(t, BuiltinType) else t.describe()

    def enums_alts(self, kind: str, ot: Definition, nt: Definition) -> None:
        if kind == "enum":
            assert isinstance(ot, EnumType) and isinstance(nt, EnumType)
            self.enums[("old", ot.name)] = ot
            self.enums[("new", nt.name)] = nt
        else:
            assert isinstance(ot, AlternateType) and isinstance(nt, AlternateType)
            self.alts[("old", ot.name)] = ot
            self.alts[("new", nt.name)] = nt

    # -- enums and alternates ---------------------------------------------

    def compare_enums(self, old: EnumType, new: EnumType, direction: Direction,
                      r: _NodeResult) -> None:
        self.compare_definition(old, new, "", r)
        new_values = {v.name: v for v in new.values}
        old_values = {v.name: v for v in old.values}
        for v in old.values:
            if v.name in new_values:
                continue
            kind = ("enum-value-removed" if direction is Direction.INPUT
                    else "output-enum-value-removed")
            r.locals.append(_Local(
                kind, "=" + v.name, new.name, v.name,
                f"value '{v.name}' removed from enum '{new.name}'", v.location,
                new.location, _is_unstable(v.name, v.features),
                _is_deprecated(v.features)))
        for v in new.values:
            ov = old_values.get(v.name)
            unstable = _is_unstable(v.name, v.features)
            if ov is None:
                r.locals.append(_Local(
                    "enum-value-added", "=" + v.name, new.name, v.name,
                    f"value '{v.name}' added to enum '{new.name}'",
                    old.location, v.location, unstable))
                continue
            self.compare_value_item(ov, v, "=" + v.name, new.name,
                                    f"value '{v.name}'",
                                    unstable or _is_unstable(ov.name, ov.features),
                                    r)

    def compare_alternates(self, old: AlternateType, new: AlternateType,
                           direction: Direction, r: _NodeResult) -> None:
        self.compare_definition(old, new, "", r)
        oj: dict[str, tuple[TypeRef | None, Definition | None]] = {}
        nj: dict[str, tuple[TypeRef | None, Definition | None]] = {}
        for alt in old.alternatives:
            for j, v in json_types(self.old, alt.type).items():
                oj.setdefault(j, v)
        for alt in new.alternatives:
            for j, v in json_types(self.new, alt.type).items():
                nj.setdefault(j, v)
        descs = (f"{'|'.join(oj)}", f"{'|'.join(nj)}")
        self.compare_json(oj, nj, direction, "", new.name, None,
                          f"alternate '{new.name}'", descs, old.location,
                          new.location, False, r)
        old_alts = {a.name: a for a in old.alternatives}
        for a in new.alternatives:
            oa = old_alts.get(a.name)
            if oa is not None:
                self.compare_condition(oa.condition, a.condition, "", new.name,
                                       a.name, f"alternative '{a.name}' of "
                                       f"'{new.name}'", oa.location, a.location,
                                       False, r)


# --------------------------------------------------------------------------
# Putting it together


@dataclass(slots=True)
class _Group:
    local: _Local
    direction: Direction
    severity: Severity
    policy: str
    path: str
    depth: int
    # command/event (or its returns) → (-severity, depth, length, path) of
    # the best path from there; the least of them all is `path`.
    reached_by: dict[str, tuple[int, int, int, str]] = field(default_factory=dict)


def diff(old: Schema, new: Schema,
         severities: Mapping[str, str | Severity] | None = None) -> list[Change]:
    """Every wire change from `old` to `new`, deduplicated per definition and
    member (see `Change`), sorted worst first then by wire path.

    `severities` overrides default severities per change kind; unknown kinds
    raise ValueError."""
    overrides = _overrides(severities or {})
    d = _Differ(old, new)
    groups: dict[tuple[str, str, str | None, str], _Group] = {}

    def emit(loc: _Local, path: str, depth: int, direction: Direction,
             unstable: bool, entry: str) -> None:
        sev = overrides.get(loc.kind, CHANGE_KINDS[loc.kind].severity)
        policy = ""
        if sev > Severity.INFO and (unstable or loc.unstable):
            policy, sev = "unstable", Severity.INFO
        elif sev > Severity.INFO and loc.deprecated:
            policy, sev = "deprecated", Severity.INFO
        ident = (loc.kind, loc.definition, loc.member, loc.message)
        g = groups.get(ident)
        if g is None:
            g = groups[ident] = _Group(loc, direction, sev, policy, path, depth)
        else:
            # The path shown is the shortest of those that give the
            # change its (worst) severity.
            g.direction |= direction
            if (-sev, depth, len(path), path) < (-g.severity, g.depth,
                                                  len(g.path), g.path):
                g.path, g.depth, g.local = path, depth, loc
            if sev > g.severity:
                g.severity, g.policy = sev, policy
        rank = (-sev, depth, len(path), path)
        known = g.reached_by.get(entry)
        if known is None or rank < known:
            g.reached_by[entry] = rank

    def walk(start: WirePath, res: _NodeResult, direction: Direction,
             unstable: bool) -> None:
        entry = base = start.text
        queue: list[tuple[_NodeResult, str, int, bool]] = [(res, base, 0, unstable)]
        seen: set[tuple[int, bool]] = set()
        i = 0
        while i < len(queue):
            node, path, depth, unst = queue[i]
            i += 1
            for loc in node.locals:
                emit(loc, path + loc.rel, depth, direction, unst, entry)
            for rel, key, edge_unstable in node.edges:
                child = d.result(key)
                u = unst or edge_unstable
                mark = (id(child), u)
                if mark in seen or (id(child), False) in seen:
                    continue
                seen.add(mark)
                queue.append((child, path + rel, depth + 1, u))

    def top(kind: str, dfn: Definition, loc_old: Location | None,
            loc_new: Location | None, message: str, direction: Direction) -> None:
        local = _Local(kind, "", dfn.name, None, message, loc_old, loc_new,
                       _is_unstable(dfn.name, dfn.features),
                       kind.endswith("-removed") and _is_deprecated(dfn.features))
        emit(local, dfn.name, 0, direction, False, dfn.name)

    old_defs = {x.name: x for x in old.definitions if isinstance(x, Command | Event)}
    new_defs = {x.name: x for x in new.definitions if isinstance(x, Command | Event)}
    for x in old_defs.values():
        y = new_defs.get(x.name)
        if y is None or type(y) is not type(x):
            noun = "command" if isinstance(x, Command) else "event"
            direction = Direction.INPUT if noun == "command" else Direction.OUTPUT
            top(f"{noun}-removed", x, x.location, None,
                f"{noun} '{x.name}' removed", direction)
    for y in new_defs.values():
        was = old_defs.get(y.name)
        noun = "command" if isinstance(y, Command) else "event"
        direction = Direction.INPUT if noun == "command" else Direction.OUTPUT
        if was is None or type(y) is not type(was):
            top(f"{noun}-added", y, None, y.location,
                f"{noun} '{y.name}' added", direction)
            continue
        x = was
        unstable = _is_unstable(x.name, x.features) or _is_unstable(y.name, y.features)
        path = WirePath(y.name)
        res = _NodeResult()
        d.compare_definition(x, y, "", res)
        os_ = d.shape_of_args("old", old, x)
        ns = d.shape_of_args("new", new, y)
        d.obj_edge("", os_, ns, direction, False, res)
        walk(path, res, direction, unstable)
        if isinstance(x, Command) and isinstance(y, Command):
            rres = _NodeResult()
            d.compare_value(x.returns, y.returns, Direction.OUTPUT, "", y.name,
                            None, x.returns.location if x.returns else x.location,
                            y.returns.location if y.returns else y.location,
                            False, rres)
            walk(path.returns(), rres, Direction.OUTPUT, unstable)

    changes = [
        Change(g.local.kind, g.severity, g.direction, g.path, g.local.definition,
               g.local.member, g.local.message, g.local.old, g.local.new,
               tuple(dict.fromkeys([g.path, *(r[3] for r in g.reached_by.values())])),
               g.policy)
        for g in groups.values()
    ]
    changes.sort(key=lambda c: (-c.severity, c.wire_path, c.kind))
    return changes


def _overrides(severities: Mapping[str, str | Severity]) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for kind, level in severities.items():
        if kind not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind '{kind}' (see "
                             "'qapidoc compat --list-kinds')")
        out[kind] = level if isinstance(level, Severity) else Severity.parse(level)
    return out


def worst(changes: Iterable[Change]) -> Severity | None:
    return max((c.severity for c in changes), default=None)
