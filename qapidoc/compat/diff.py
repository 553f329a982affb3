"""Compat: what changed on the wire between two schemas, and what breaks.

Takes an OLD and a NEW `Schema` (source or a ``query-qmp-schema`` reply);
returns `Change` records, one per changed definition/member/value, each with
the shortest `WirePath` reaching it and every command or event it is
reached from.  Follows QEMU's wire semantics (docs/wire-semantics.rst):
type names are invisible; integers are compared by the values QEMU's input
visitor accepts (input) or can emit (output); a union is compared per
discriminator value, as the flattened object the wire carries for that
value, so members moved between base and branches are no change.
`compat.phrases` words each change for client authors; `compat.report`
formats the result.

Policy: each change kind has a default severity (`CHANGE_KINDS`), which a
configuration may override; then changes to unstable items (the 'unstable'
feature, or an ``x-`` name, on the item or anywhere on its path), changes
inside a command or event that was deprecated in OLD, and removals of
items that were deprecated in OLD become info; accepted wire paths
(``--ignore``, the configuration's ``compat.accept``) become info too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qapidoc.compat.phrases import phrase
from qapidoc.compat.wire import Direction, WirePath, is_unstable_name, json_types
from qapidoc.core.record import field, record
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


@record
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
_kind("now-conditional", W, "Changed",
      "A member present in every object of its kind is now present only "
      "for some values of a new discriminator (a struct became a union): "
      "clients meeting the other values do not get it.")
_kind("now-unconditional", I, "Changed",
      "A member present only for some discriminator values is now present "
      "for all of them.")
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
      "A member's type changed incompatibly: input no longer accepts "
      "values it did, or output may hold values it never did.")
_kind("type-widened", I, "Changed",
      "Input accepts more than before (a wider integer type, an alternate "
      "containing the old type, int became number, an enum became str).")
_kind("type-narrowed", I, "Changed",
      "Output holds fewer values than before (a narrower integer type, "
      "str became an enum).")
_kind("integer-range-changed", W, "Changed",
      "An integer type changed so that input rejects integers it accepted, "
      "or output may hold integers it could not before; QEMU often "
      "enforced such limits at run time already, so review rather than "
      "break.")
_kind("string-became-enum", W, "Changed",
      "A string clients send became an enum: only the listed values are "
      "accepted now.")
_kind("enum-became-string", I, "Changed",
      "An enum clients receive became a string: clients that read strings "
      "are unaffected.")
_kind("condition-changed", W, "Changed",
      "An 'if' condition was added or changed: the item may vanish from "
      "some builds.")
_kind("condition-removed", I, "Changed",
      "An 'if' condition was dropped: the item is now in every build.")
_kind("deprecated", W, "Deprecated",
      "An item gained the 'deprecated' feature: clients should stop using it.")
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


@record
class Change:
    """One change on the wire, reported once however many paths reach it.

    `wire_path` is the shortest path to it; `reached_by` holds the first
    path from every command and event that reaches it (`wire_path` first).
    `message` says what changed for a client, in wire names, with code in
    backquotes.  `old`/`new` are its source locations; for a removal `new`
    is the definition in NEW that lost it (None if that is gone too).
    `policy` says why the severity was lowered: "unstable", "deprecated",
    "open" (a command that took undeclared arguments now declares them) or
    "accepted" (then `reason` says why it was accepted).
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
    reason: str = ""

    @property
    def section(self) -> str:
        return CHANGE_KINDS[self.kind].section

    @property
    def root(self) -> str:
        return WirePath(self.wire_path).root


@record
class _Local:
    """A change found at one node, before paths and policy are applied.
    `args` are what `phrases` needs besides the path (types, values,
    features, conditions); with kind, definition and member they identify
    the change however many paths reach it."""

    kind: str
    rel: str  # path below the node, e.g. ".aio" or ".aio=threads"
    definition: str
    member: str | None
    args: tuple[str, ...]
    old: Location | None
    new: Location | None
    unstable: bool = False
    deprecated: bool = False  # removal of an item deprecated in OLD


@record
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
_Case = tuple[str, dict[str, Member], dict[str, Member]]  # value, old, new


@record(frozen=False)
class _NodeResult:
    locals: list[_Local] = field(default_factory=list)
    edges: list[_Edge] = field(default_factory=list)


# --------------------------------------------------------------------------
# QEMU's integer semantics (docs/wire-semantics.rst)


_I64 = (-(2**63), 2**63 - 1)
_OUTPUT_RANGES: dict[str, tuple[int, int]] = {
    "int": _I64, "int64": _I64,
    "int32": (-(2**31), 2**31 - 1), "int16": (-(2**15), 2**15 - 1),
    "int8": (-(2**7), 2**7 - 1),
    "uint64": (0, 2**64 - 1), "size": (0, 2**64 - 1),
    "uint32": (0, 2**32 - 1), "uint16": (0, 2**16 - 1), "uint8": (0, 2**8 - 1),
}
"""What QEMU can emit for each integer type: its C range."""

_INPUT_RANGES = dict(_OUTPUT_RANGES, uint64=(-(2**63), 2**64 - 1),
                     size=(-(2**63), 2**64 - 1))
"""What QEMU's QMP input visitor accepts: uint64 and size also take
negative numbers (kept for backward compatibility, stored modulo 2**64);
the narrower unsigned types reject them after the same conversion."""


def _range_text(lo: int, hi: int) -> str:
    return f"{lo}..{hi}"


def _covers(wide: str, narrow: str) -> bool:
    """Whether JSON type `wide` accepts every value of `narrow`."""
    return wide == narrow or wide == "value" or (wide == "number" and narrow == "int")


def _is_unstable(name: str, features: tuple[Feature, ...]) -> bool:
    return is_unstable_name(name) or any(f.name == "unstable" for f in features)


def _is_deprecated(features: tuple[Feature, ...]) -> bool:
    return any(f.name == "deprecated" for f in features)


def _cond(c: Condition | None) -> str:
    return c.render() if c is not None else ""


def _same_member(a: Member, b: Member) -> bool:
    """Members that are the same on the wire wherever they sit."""
    return a is b or (a.name == b.name and a.type.name == b.type.name
                      and a.type.is_array == b.type.is_array
                      and a.optional == b.optional
                      and [f.name for f in a.features] == [f.name for f in b.features]
                      and _cond(a.condition) == _cond(b.condition))


def _find(members: tuple[Member, ...], name: str) -> Member | None:
    for m in members:
        if m.name == name:
            return m
    return None


class _Differ:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old = old
        self.new = new
        # Introspection shows no conditions, integer types or most flags.
        self.blind = old.introspected or new.introspected
        self.shapes: dict[tuple[str, tuple[str, str]], _Shape] = {}
        self.enums: dict[tuple[str, str], EnumType] = {}
        self.alts: dict[tuple[str, str], AlternateType] = {}
        self.memo: dict[_NodeKey, _NodeResult] = {}
        self.case_memo: dict[tuple[str, tuple[str, str]],
                             dict[str, dict[str, Member]]] = {}
        self.every_memo: dict[tuple[str, tuple[str, str]], dict[str, Member]] = {}

    def schema(self, side: str) -> Schema:
        return self.old if side == "old" else self.new

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

    def cases(self, side: str, shape: _Shape,
              disc: str) -> dict[str, dict[str, Member]] | None:
        """The flattened object (base + branch members, by name) for each
        value of `disc`, when `shape` is a union on it; else None.  A branch
        that is itself a union contributes its base: its own branches are
        compared one level down."""
        u = shape.union
        if u is None or u.discriminator != disc:
            return None
        key = (side, shape.key)
        found = self.case_memo.get(key)
        if found is not None:
            return found
        schema = self.schema(side)
        base = {m.name: m for m in shape.members}
        out: dict[str, dict[str, Member]] = {}
        for v in self.values_of(side, shape, disc) or ():
            b = u.branch(v)
            t = schema.resolve(b.type) if b is not None else None
            if isinstance(t, StructType) and t.members:
                flat = dict(base)
                flat.update((m.name, m) for m in t.members)
                out[v] = flat
            else:
                out[v] = base
        self.case_memo[key] = out
        return out

    def values_of(self, side: str, shape: _Shape, disc: str) -> list[str] | None:
        """The values of member `disc` of `shape` when it is an enum."""
        m = _find(shape.members, disc)
        t = self.schema(side).resolve(m.type) if m is not None else None
        if not isinstance(t, EnumType) or m is None or m.type.is_array:
            return None
        return [v.name for v in t.values]

    def branch_union(self, side: str, shape: _Shape, value: str) -> UnionType | None:
        u = shape.union
        b = u.branch(value) if u is not None else None
        t = self.schema(side).resolve(b.type) if b is not None else None
        return t if isinstance(t, UnionType) else None

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
                               None, old.location, new.location, unstable, r)
        self.compare_features(old.features, new.features, rel, new.name, None,
                              old.location, new.location,
                              _is_unstable(old.name, old.features), unstable, r)
        if isinstance(old, Command) and isinstance(new, Command):
            self.compare_command_flags(old, new, rel, unstable, r)

    def compare_command_flags(self, old: Command, new: Command, rel: str,
                              unstable: bool, r: _NodeResult) -> None:
        """The flags clients see: out-of-band execution, availability
        before the machine is built, and whether a success reply comes.
        Introspection shows only the first."""
        flags = [("allow-oob", old.allow_oob, new.allow_oob)]
        if not self.blind:
            flags.append(("allow-preconfig", old.allow_preconfig,
                          new.allow_preconfig))
        for flag, was, now in flags:
            if was == now:
                continue
            kind = "command-flag-added" if now else "command-flag-removed"
            r.locals.append(_Local(kind, rel, new.name, None, (flag,),
                                   old.location, new.location, unstable,
                                   not now and _is_deprecated(old.features)))
        if not self.blind and old.success_response != new.success_response:
            r.locals.append(_Local("success-response-changed", rel, new.name, None,
                                   ("sends" if new.success_response else "omits",),
                                   old.location, new.location, unstable))

    def compare_condition(self, old: Condition | None, new: Condition | None,
                          rel: str, definition: str, member: str | None,
                          old_loc: Location | None, new_loc: Location | None,
                          unstable: bool, r: _NodeResult) -> None:
        if self.blind:
            return
        oc, nc = _cond(old), _cond(new)
        if oc == nc:
            return
        kind = "condition-changed" if nc else "condition-removed"
        r.locals.append(_Local(kind, rel, definition, member, (oc, nc), old_loc,
                               new_loc, unstable))

    def compare_features(self, old: tuple[Feature, ...], new: tuple[Feature, ...],
                         rel: str, definition: str, member: str | None,
                         old_loc: Location | None, new_loc: Location | None,
                         was_unstable: bool, unstable: bool,
                         r: _NodeResult) -> None:
        """Feature changes.  Gaining 'unstable' or 'deprecated' warns
        clients unless the item was already unstable in OLD: its new
        status does not excuse itself."""
        on = {f.name: f for f in old}
        nn = {f.name: f for f in new}
        if on.keys() == nn.keys():
            return
        for name in nn.keys() - on.keys():
            f = nn[name]
            if name == "deprecated":
                kind, lowered = "deprecated", was_unstable
            elif name == "unstable":
                kind, lowered = "became-unstable", was_unstable
            else:
                kind, lowered = "feature-added", unstable
            r.locals.append(_Local(kind, rel, definition, member, (name,),
                                   old_loc, f.location, lowered))
        for name in on.keys() - nn.keys():
            f = on[name]
            kind = {"deprecated": "undeprecated",
                    "unstable": "stabilized"}.get(name, "feature-removed")
            r.locals.append(_Local(kind, rel, definition, member, (name,),
                                   f.location, new_loc, unstable))

    # -- objects -------------------------------------------------------------

    def compare_objects(self, old: _Shape, new: _Shape, direction: Direction,
                        r: _NodeResult) -> None:
        """Compare two objects per discriminator value: for each value both
        sides know, the flattened object (base + branch) the wire carries.
        A member on every side's every value is compared once, at
        ``.member``; others at ``.disc=value.member``."""
        owner = new.name or old.name
        if old.definition is not None and new.definition is not None:
            self.compare_definition(old.definition, new.definition, "", r)
        od = old.union.discriminator if old.union is not None else ""
        nd = new.union.discriminator if new.union is not None else ""
        if od and nd and od != nd:
            r.locals.append(_Local("discriminator-changed", "", owner, None,
                                   (od, nd), old.location, new.location))
            self.compare_plain(old, new, direction, r)
            return
        disc = nd or od
        ocases = self.cases("old", old, disc) if disc else None
        ncases = self.cases("new", new, disc) if disc else None
        if ocases is None and ncases is None:
            self.compare_plain(old, new, direction, r)
            return
        ovals = list(ocases) if ocases is not None else self.values_of("old", old, disc)
        nvals = list(ncases) if ncases is not None else self.values_of("new", new, disc)
        mode = "same"
        pairs: list[_Case] = []
        oflat = {m.name: m for m in old.members}
        nflat = {m.name: m for m in new.members}
        if ovals is None and ncases is not None:
            mode = "fresh"  # a new discriminator: every value meets the old object
            pairs = [(v, oflat, ncases[v]) for v in ncases]
        elif nvals is None and ocases is not None:
            mode = "gone"
            pairs = [(v, ocases[v], nflat) for v in ocases]
        elif ovals is not None and nvals is not None:
            known = set(ovals)
            pairs = [(v, ocases[v] if ocases is not None else oflat,
                      ncases[v] if ncases is not None else nflat)
                     for v in nvals if v in known]
        self.compare_discriminator(old, new, disc, mode, ovals or [], nvals or [],
                                   direction, r)
        ocommon = self.common(old, ocases)
        ncommon = self.common(new, ncases)
        names = dict.fromkeys(name for ms in (oflat, nflat,
                                              *(ocases or {}).values(),
                                              *(ncases or {}).values())
                              for name in ms)
        names.pop(disc, None)
        for name in names:
            om, nm = ocommon.get(name), ncommon.get(name)
            if om is not None and nm is not None:
                self.compare_pair(om, nm, "." + name, direction, r)
            else:
                self.compare_per_value(name, disc, pairs, old, new,
                                       (ocases is not None, ncases is not None),
                                       direction, r)
        if mode == "same":
            for v, _, _ in pairs:
                ou = self.branch_union("old", old, v)
                nu = self.branch_union("new", new, v)
                if ou is None and nu is None:
                    continue
                os_ = self.branch_shape("old", old, v)
                ns = self.branch_shape("new", new, v)
                self.obj_edge(f".{disc}={v}", os_, ns, direction, False, r)

    def common(self, shape: _Shape,
               cases: dict[str, dict[str, Member]] | None) -> dict[str, Member]:
        """Members the object has whatever the discriminator's value."""
        if not cases:
            return {m.name: m for m in shape.members}
        it = iter(cases.values())
        out = dict(next(it))
        for members in it:
            for name, m in list(out.items()):
                other = members.get(name)
                if other is None or not _same_member(m, other):
                    del out[name]
        return out

    def branch_shape(self, side: str, shape: _Shape, value: str) -> _Shape:
        u = shape.union
        b = u.branch(value) if u is not None else None
        t = self.schema(side).resolve(b.type) if b is not None else None
        return self.shape_of_type(side, t) if isinstance(t, StructType) else _EMPTY

    def compare_plain(self, old: _Shape, new: _Shape, direction: Direction,
                      r: _NodeResult) -> None:
        """Members by name, for objects not split by a discriminator."""
        new_by = {m.name: m for m in new.members}
        old_by = {m.name: m for m in old.members}
        for m in old.members:
            if m.name not in new_by:
                self.removed(m, "." + m.name, (), direction, new.location, r)
        for m in new.members:
            om = old_by.get(m.name)
            if om is None:
                self.added(m, "." + m.name, (), direction, old.location, r)
            else:
                self.compare_pair(om, m, "." + m.name, direction, r)

    def compare_discriminator(self, old: _Shape, new: _Shape, disc: str, mode: str,
                              ovals: list[str], nvals: list[str],
                              direction: Direction, r: _NodeResult) -> None:
        """The discriminator member and its values, which are branches."""
        om = _find(old.members, disc)
        nm = _find(new.members, disc)
        rel = "." + disc
        if om is None and nm is not None:
            self.added(nm, rel, (), direction, old.location, r)
            for v in nvals:
                self.branch_change("branch-added", new, nm, v, r, old.location)
            return
        if nm is None:
            if om is not None:
                self.removed(om, rel, (), direction, new.location, r)
            return
        assert om is not None
        unstable = _is_unstable(om.name, om.features) or _is_unstable(nm.name, nm.features)
        self.compare_member(om, nm, direction, unstable, r)
        if mode != "same":
            self.compare_value(om.type, nm.type, direction, rel, nm.defined_in,
                               nm.name, om.location, nm.location, unstable, r)
            return
        oe = self.old.resolve(om.type)
        ne = self.new.resolve(nm.type)
        assert isinstance(oe, EnumType) and isinstance(ne, EnumType)
        known = set(nvals)
        for v in ovals:
            if v not in known:
                ov = oe.value(v)
                kind = ("branch-removed" if direction is Direction.INPUT
                        else "output-branch-removed")
                r.locals.append(_Local(
                    kind, f"{rel}={v}", (new.union or old.union or new).name, v, (),
                    ov.location if ov else old.location, new.location,
                    unstable or (ov is not None and _is_unstable(v, ov.features)),
                    ov is not None and _is_deprecated(ov.features)))
        was = set(ovals)
        for v in nvals:
            nv = ne.value(v)
            if v not in was:
                self.branch_change("branch-added", new, nm, v, r, old.location)
                continue
            ov = oe.value(v)
            if ov is None or nv is None:
                continue
            v_unstable = (unstable or _is_unstable(v, nv.features)
                          or _is_unstable(v, ov.features))
            owner = (new.union or old.union or new).name
            self.compare_value_item(ov, nv, f"{rel}={v}", owner, v_unstable, r)
            ob = old.union.branch(v) if old.union is not None else None
            nb = new.union.branch(v) if new.union is not None else None
            if ob is not None and nb is not None:
                self.compare_condition(ob.condition, nb.condition, f"{rel}={v}",
                                       owner, v, ob.location, nb.location,
                                       v_unstable, r)

    def branch_change(self, kind: str, shape: _Shape, disc: Member, value: str,
                      r: _NodeResult, other: Location | None) -> None:
        t = self.new.resolve(disc.type)
        v = t.value(value) if isinstance(t, EnumType) else None
        owner = shape.union.name if shape.union is not None else shape.name
        r.locals.append(_Local(kind, f".{disc.name}={value}", owner, value, (),
                               other, v.location if v else shape.location,
                               _is_unstable(value, v.features if v else ())))

    def compare_per_value(self, name: str, disc: str, pairs: list[_Case],
                          old: _Shape, new: _Shape, split: tuple[bool, bool],
                          direction: Direction, r: _NodeResult) -> None:
        """A member some values have and others lack, on either side.
        `split` says whether OLD and NEW are unions on `disc`.  A member
        OLD had everywhere and a new discriminator now confines to some
        values is "now conditional"; one NEW has everywhere that only some
        old values had is "now unconditional"."""
        old_split, new_split = split
        anywhere_old = self.somewhere("old", old, name)
        anywhere_new = self.somewhere("new", new, name)
        if anywhere_new is None and not old_split:
            assert anywhere_old is not None
            self.removed(anywhere_old, "." + name, (), direction, new.location, r)
            return
        if anywhere_old is None and not new_split and anywhere_new is not None:
            self.added(anywhere_new, "." + name, (), direction, old.location, r)
            return
        fresh = not old_split and self.values_of("old", old, disc) is None
        missing: list[tuple[str, Member]] = []
        gained: list[tuple[str, Member]] = []
        present: list[str] = []
        for v, ocase, ncase in pairs:
            om, nm = ocase.get(name), ncase.get(name)
            if nm is not None:
                present.append(v)
            rel = f".{disc}={v}.{name}" if new_split else "." + name
            if om is not None and nm is not None:
                self.compare_pair(om, nm, rel, direction, r)
            elif om is not None:
                missing.append((v, om))
            elif nm is not None:
                gained.append((v, nm))
        if missing:
            first = missing[0][1]
            if fresh and present:
                r.locals.append(_Local(
                    "now-conditional", "." + name, first.defined_in, name,
                    (disc, *present), first.location, new.location,
                    _is_unstable(name, first.features)))
            elif not new_split or len(missing) == len(pairs):  # every value lost it
                self.removed(first, "." + name, (), direction, new.location, r)
            else:
                values = tuple(v for v, _ in missing)
                self.removed(first, f".{disc}={values[0]}.{name}", (disc, *values),
                             direction, new.location, r)
        if not gained:
            return
        values = tuple(v for v, _ in gained)
        nm = gained[0][1]
        if new_split:
            self.added(nm, f".{disc}={values[0]}.{name}", (disc, *values),
                       direction, old.location, r)
        elif direction is Direction.INPUT and not nm.optional:
            self.added(nm, "." + name, (disc, *values), direction, old.location, r)
        else:
            r.locals.append(_Local("now-unconditional", "." + name, nm.defined_in,
                                   name, (disc,), old.location, nm.location,
                                   _is_unstable(name, nm.features)))

    def somewhere(self, side: str, shape: _Shape, name: str) -> Member | None:
        """The member `name` in the object's base or any branch."""
        key = (side, shape.key)
        every = self.every_memo.get(key)
        if every is None:
            every = {}
            if shape.union is not None:
                schema = self.schema(side)
                for b in reversed(shape.union.branches):
                    t = schema.resolve(b.type)
                    if isinstance(t, StructType):
                        every.update((m.name, m) for m in t.members)
            every.update((m.name, m) for m in shape.members)
            self.every_memo[key] = every
        return every.get(name)

    def removed(self, m: Member, rel: str, args: tuple[str, ...],
                direction: Direction, new_loc: Location | None,
                r: _NodeResult) -> None:
        if direction is Direction.INPUT:
            kind = "argument-removed"
        else:
            kind = "optional-member-removed" if m.optional else "member-removed"
        r.locals.append(_Local(kind, rel, m.defined_in, m.name, args, m.location,
                               new_loc, _is_unstable(m.name, m.features),
                               _is_deprecated(m.features)))

    def added(self, m: Member, rel: str, args: tuple[str, ...],
              direction: Direction, old_loc: Location | None,
              r: _NodeResult) -> None:
        if direction is Direction.INPUT:
            kind = "argument-added" if m.optional else "mandatory-argument-added"
        else:
            kind = "member-added"
        r.locals.append(_Local(kind, rel, m.defined_in, m.name,
                               args or (("optional",) if m.optional else ()),
                               old_loc, m.location, _is_unstable(m.name, m.features)))

    def compare_pair(self, om: Member, m: Member, rel: str, direction: Direction,
                     r: _NodeResult) -> None:
        unstable = _is_unstable(m.name, m.features) or _is_unstable(om.name, om.features)
        self.compare_member(om, m, direction, unstable, r, rel)
        self.compare_value(om.type, m.type, direction, rel, m.defined_in, m.name,
                           om.location, m.location, unstable, r)

    def compare_member(self, om: Member, m: Member, direction: Direction,
                       unstable: bool, r: _NodeResult, rel: str = "") -> None:
        rel = rel or "." + m.name
        if om.optional != m.optional:
            if direction is Direction.INPUT:
                kind = ("argument-made-optional" if m.optional
                        else "argument-made-mandatory")
            else:
                kind = ("member-made-optional" if m.optional
                        else "member-made-mandatory")
            r.locals.append(_Local(kind, rel, m.defined_in, m.name, (),
                                   om.location, m.location, unstable))
        self.compare_condition(om.condition, m.condition, rel, m.defined_in,
                               m.name, om.location, m.location, unstable, r)
        self.compare_features(om.features, m.features, rel, m.defined_in,
                              m.name, om.location, m.location,
                              _is_unstable(om.name, om.features), unstable, r)

    def compare_value_item(self, ov: EnumValue, v: EnumValue, rel: str,
                           definition: str, unstable: bool,
                           r: _NodeResult) -> None:
        self.compare_condition(ov.condition, v.condition, rel, definition,
                               v.name, ov.location, v.location, unstable, r)
        self.compare_features(ov.features, v.features, rel, definition, v.name,
                              ov.location, v.location,
                              _is_unstable(ov.name, ov.features), unstable, r)

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
        descs = (self.describe_ref(self.old, oref), self.describe_ref(self.new, nref))
        self.compare_json(oj, nj, direction, rel, definition, member, descs,
                          old_loc, new_loc, unstable, r)

    def describe_ref(self, schema: Schema, ref: TypeRef | None) -> str:
        """What a client sees: ``int``, ``array of string``, ``enum``,
        ``object``, ``string or object``; built-in integer types by name,
        as they say which numbers are valid."""
        if ref is None:
            return "nothing"
        if ref.is_array:
            return "array of " + self.describe_ref(
                schema, TypeRef(ref.name, ref.location))
        t = schema.resolve(ref)
        if t is None:
            return ref.name
        if isinstance(t, AlternateType):
            return " or ".join(_JSON_WORDS.get(j, j) for j in json_types(schema, ref))
        if isinstance(t, EnumType):
            return "enum"
        if isinstance(t, BuiltinType):
            if t.name in _OUTPUT_RANGES and not schema.introspected:
                return t.name
            return _JSON_WORDS.get(t.json_type, t.json_type)
        return "object"

    def json_of(self, schema: Schema, ref: TypeRef | None) -> _JsonTypes:
        if ref is None:
            return {"object": (None, None)}
        return dict(json_types(schema, ref))

    def compare_json(self, oj: _JsonTypes, nj: _JsonTypes,
                     direction: Direction, rel: str, definition: str,
                     member: str | None, descs: tuple[str, str],
                     old_loc: Location | None, new_loc: Location | None,
                     unstable: bool, r: _NodeResult) -> None:
        """Compare two sets of JSON types (one per alternative) and recurse
        into the ones both sides have.  `descs` name the old and new type."""
        inp = direction is Direction.INPUT
        # For input every old JSON type must still be accepted; for output
        # every new one must have been possible before.
        need, have = (oj, nj) if inp else (nj, oj)
        missing = [j for j in need if not any(_covers(h, j) for h in have)]
        extra = [j for j in have if not any(_covers(n, j) for n in need)
                 and j not in need]
        widened = [j for j in need if j not in have and j not in missing]
        if missing:
            words = " or ".join(_JSON_WORDS.get(j, j) for j in missing)
            r.locals.append(_Local("type-changed", rel, definition, member,
                                   (*descs, words), old_loc, new_loc, unstable))
        elif extra or widened:
            kind = "type-widened" if inp else "type-narrowed"
            r.locals.append(_Local(kind, rel, definition, member, descs,
                                   old_loc, new_loc, unstable))
        for j, (oref, ot) in oj.items():
            if j not in nj:
                continue
            nref, nt = nj[j]
            self.compare_same_json(j, oref, ot, nref, nt, direction, rel,
                                   definition, member, old_loc, new_loc,
                                   unstable, r)

    def compare_same_json(self, j: str, oref: TypeRef | None, ot: Definition | None,
                          nref: TypeRef | None, nt: Definition | None,
                          direction: Direction, rel: str, definition: str,
                          member: str | None,
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
            self.compare_strings(ot, nt, inp, direction, rel, definition, member,
                                 old_loc, new_loc, unstable, r)
        elif j == "int" and ot is not None and nt is not None and not self.blind:
            self.compare_ints(ot.name, nt.name, inp, rel, definition, member,
                              old_loc, new_loc, unstable, r)

    def compare_strings(self, ot: Definition | None, nt: Definition | None,
                        inp: bool, direction: Direction, rel: str, definition: str,
                        member: str | None, old_loc: Location | None,
                        new_loc: Location | None, unstable: bool,
                        r: _NodeResult) -> None:
        """str and enum: an enum that becomes a string widens input and is
        harmless to clients reading output; a string that becomes an enum
        narrows output and restricts input to the listed values."""
        if isinstance(ot, EnumType) and isinstance(nt, EnumType):
            self.enums_alts("enum", ot, nt)
            r.edges.append((rel, ("enum", ("enum", ot.name), ("enum", nt.name),
                                  direction), unstable))
        elif isinstance(nt, EnumType) and ot is not None:
            if inp:
                r.locals.append(_Local("string-became-enum", rel, definition, member,
                                       tuple(v.name for v in nt.values),
                                       old_loc, new_loc, unstable))
            else:
                r.locals.append(_Local("type-narrowed", rel, definition, member,
                                       ("string", "enum"), old_loc, new_loc,
                                       unstable))
        elif isinstance(ot, EnumType) and nt is not None:
            kind = "type-widened" if inp else "enum-became-string"
            r.locals.append(_Local(kind, rel, definition, member, ("enum", "string"),
                                   old_loc, new_loc, unstable))

    def compare_ints(self, old: str, new: str, inp: bool, rel: str, definition: str,
                     member: str | None, old_loc: Location | None,
                     new_loc: Location | None, unstable: bool,
                     r: _NodeResult) -> None:
        """Integer types by the values QEMU accepts (input) or can emit
        (output): a wider input range or a narrower output range is fine."""
        ranges = _INPUT_RANGES if inp else _OUTPUT_RANGES
        orange, nrange = ranges.get(old), ranges.get(new)
        if orange is None or nrange is None or orange == nrange:
            return
        wider = nrange[0] <= orange[0] and nrange[1] >= orange[1]
        narrower = nrange[0] >= orange[0] and nrange[1] <= orange[1]
        if inp and wider:
            kind, lost = "type-widened", ""
        elif not inp and narrower:
            kind, lost = "type-narrowed", ""
        else:
            kind = "integer-range-changed"
            lo, hi = (orange, nrange) if inp else (nrange, orange)
            parts = []
            if hi[0] > lo[0]:
                parts.append(f"below {hi[0]}")
            if hi[1] < lo[1]:
                parts.append(f"above {hi[1]}")
            lost = "integers " + " or ".join(parts)
        r.locals.append(_Local(kind, rel, definition, member,
                               (old, new, lost) if lost else (old, new),
                               old_loc, new_loc, unstable))

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
                kind, "=" + v.name, new.name, v.name, (), v.location,
                new.location, _is_unstable(v.name, v.features),
                _is_deprecated(v.features)))
        for v in new.values:
            ov = old_values.get(v.name)
            unstable = _is_unstable(v.name, v.features)
            if ov is None:
                r.locals.append(_Local(
                    "enum-value-added", "=" + v.name, new.name, v.name, (),
                    old.location, v.location, unstable))
                continue
            self.compare_value_item(ov, v, "=" + v.name, new.name,
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
        descs = (" or ".join(_JSON_WORDS.get(j, j) for j in oj),
                 " or ".join(_JSON_WORDS.get(j, j) for j in nj))
        self.compare_json(oj, nj, direction, "", new.name, None, descs,
                          old.location, new.location, False, r)
        old_alts = {a.name: a for a in old.alternatives}
        for a in new.alternatives:
            oa = old_alts.get(a.name)
            if oa is not None:
                self.compare_condition(oa.condition, a.condition, "", new.name,
                                       a.name, oa.location, a.location, False, r)


_JSON_WORDS = {"value": "any JSON value", "boolean": "boolean", "int": "integer",
               "number": "number", "string": "string", "null": "null",
               "object": "object", "array": "array"}


# --------------------------------------------------------------------------
# Putting it together


@record(frozen=False)
class _Group:
    local: _Local
    direction: Direction
    severity: Severity
    policy: str
    path: str
    depth: int
    reason: str = ""
    # command/event (or its returns) → (-severity, depth, length, path) of
    # the best path from there; the least of them all is `path`.
    reached_by: dict[str, tuple[int, int, int, str]] = field(default_factory=dict)


def diff(old: Schema, new: Schema,
         severities: Mapping[str, str | Severity] | None = None,
         accept: Mapping[str, str] | None = None) -> list[Change]:
    """Every wire change from `old` to `new`, deduplicated per definition and
    member (see `Change`), sorted worst first then by wire path.

    `severities` overrides default severities per change kind; unknown kinds
    raise ValueError.  `accept` maps wire paths to the reason a change there
    is accepted: a change reached by such a path becomes info."""
    overrides = _overrides(severities or {})
    accepted = dict(accept or {})
    d = _Differ(old, new)
    groups: dict[tuple[str, str, str | None, tuple[str, ...]], _Group] = {}

    def emit(loc: _Local, path: str, depth: int, direction: Direction,
             unstable: bool, deprecated: bool, entry: str, open_args: bool = False) -> None:
        sev = overrides.get(loc.kind, CHANGE_KINDS[loc.kind].severity)
        policy = ""
        if (sev > Severity.INFO and open_args and depth == 1
                and loc.kind == "mandatory-argument-added"):
            policy, sev = "open", Severity.INFO
        elif sev > Severity.INFO and (unstable or loc.unstable):
            policy, sev = "unstable", Severity.INFO
        elif sev > Severity.INFO and (loc.deprecated or (
                deprecated and loc.kind not in ("deprecated", "became-unstable"))):
            policy, sev = "deprecated", Severity.INFO
        ident = (loc.kind, loc.definition, loc.member, loc.args)
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
             unstable: bool, deprecated: bool, open_args: bool = False) -> None:
        """Breadth first from a command or event; `open_args`: its OLD
        arguments were open ('gen': false takes undeclared arguments), so
        a top-level argument it now declares as mandatory is no change."""
        entry = base = start.text
        queue: list[tuple[_NodeResult, str, int, bool]] = [(res, base, 0, unstable)]
        seen: set[tuple[int, bool]] = set()
        i = 0
        while i < len(queue):
            node, path, depth, unst = queue[i]
            i += 1
            for loc in node.locals:
                emit(loc, path + loc.rel, depth, direction, unst, deprecated, entry,
                     open_args)
            for rel, key, edge_unstable in node.edges:
                child = d.result(key)
                u = unst or edge_unstable
                mark = (id(child), u)
                if mark in seen or (id(child), False) in seen:
                    continue
                seen.add(mark)
                queue.append((child, path + rel, depth + 1, u))

    def top(kind: str, dfn: Definition, loc_old: Location | None,
            loc_new: Location | None, direction: Direction) -> None:
        local = _Local(kind, "", dfn.name, None, (), loc_old, loc_new,
                       _is_unstable(dfn.name, dfn.features),
                       kind.endswith("-removed") and _is_deprecated(dfn.features))
        emit(local, dfn.name, 0, direction, False, False, dfn.name)

    old_defs = {x.name: x for x in old.definitions if isinstance(x, Command | Event)}
    new_defs = {x.name: x for x in new.definitions if isinstance(x, Command | Event)}
    for x in old_defs.values():
        y = new_defs.get(x.name)
        if y is None or type(y) is not type(x):
            noun = "command" if isinstance(x, Command) else "event"
            direction = Direction.INPUT if noun == "command" else Direction.OUTPUT
            top(f"{noun}-removed", x, x.location, None, direction)
    for y in new_defs.values():
        was = old_defs.get(y.name)
        noun = "command" if isinstance(y, Command) else "event"
        direction = Direction.INPUT if noun == "command" else Direction.OUTPUT
        if was is None or type(y) is not type(was):
            top(f"{noun}-added", y, None, y.location, direction)
            continue
        x = was
        was_unstable = _is_unstable(x.name, x.features)
        unstable = was_unstable or _is_unstable(y.name, y.features)
        was_deprecated = _is_deprecated(x.features)
        path = WirePath(y.name)
        own = _NodeResult()
        d.compare_definition(x, y, "", own)
        walk(path, own, direction, was_unstable, False)
        res = _NodeResult()
        os_ = d.shape_of_args("old", old, x)
        ns = d.shape_of_args("new", new, y)
        d.obj_edge("", os_, ns, direction, False, res)
        walk(path, res, direction, unstable, was_deprecated,
             isinstance(x, Command) and not x.gen)
        if isinstance(x, Command) and isinstance(y, Command):
            rres = _NodeResult()
            d.compare_value(x.returns, y.returns, Direction.OUTPUT, "", y.name,
                            None, x.returns.location if x.returns else x.location,
                            y.returns.location if y.returns else y.location,
                            False, rres)
            walk(path.returns(), rres, Direction.OUTPUT, unstable, was_deprecated)

    events = {n for n, x in (*old_defs.items(), *new_defs.items())
              if isinstance(x, Event)}
    changes = []
    for g in groups.values():
        reached = tuple(dict.fromkeys([g.path, *(r[3] for r in g.reached_by.values())]))
        severity, policy, reason = g.severity, g.policy, ""
        hit = next((p for p in reached if p in accepted), None)
        if hit is not None:
            reason = accepted[hit]
            if severity > Severity.INFO:
                severity, policy = Severity.INFO, "accepted"
        loc = g.local
        changes.append(Change(
            loc.kind, severity, g.direction, g.path, loc.definition, loc.member,
            phrase(loc.kind, g.path, g.direction, loc.args,
                   WirePath(g.path).root in events), loc.old, loc.new,
            reached, policy, reason))
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
