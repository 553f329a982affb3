"""What ``query-qmp-schema`` returns for a schema, for tests.

Follows "Client JSON Protocol introspection" of the QAPI spec: one
SchemaInfo per command, event and type reachable from them; type names
masked as numbers; every integer type shown as ``int``; arrays named
``[ELEMENT]``; a command's or event's inline arguments as an object type of
their own; no arguments or no return value as an empty object.  What
introspection leaves out is left out: doc comments, ``if`` conditions
(every item is present, as in a build where all of them hold),
``allow-preconfig``, ``success-response``, ``boxed`` and type names.
"""

from __future__ import annotations

from typing import Any

from qapidoc.schema.model import (
    JSON_TYPES,
    AlternateType,
    BuiltinType,
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

SchemaInfo = dict[str, Any]


class _Introspector:
    def __init__(self, schema: Schema, mask: bool) -> None:
        self.schema = schema
        self.mask = mask
        self.names: dict[str, str] = {}
        self.infos: list[SchemaInfo] = []
        self.queue: list[tuple[str, Definition | tuple[Member, ...]]] = []
        self.done: set[str] = set()

    def name(self, key: str) -> str:
        if not self.mask:
            return key
        found = self.names.get(key)
        if found is None:
            found = self.names[key] = str(len(self.names))
        return found

    def use(self, ref: TypeRef) -> str:
        t = self.schema.resolve(ref)
        assert t is not None, ref
        if isinstance(t, BuiltinType) and JSON_TYPES.get(t.name) == "int":
            t = self.schema.resolve(TypeRef("int", ref.location))
            assert t is not None
        if isinstance(t, BuiltinType):
            element = t.name
            self.builtin(t)
        else:
            element = self.name(t.name)
            if t.name not in self.done:
                self.done.add(t.name)
                self.queue.append((t.name, t))
        if not ref.is_array:
            return element
        array = f"[{element}]"
        if array not in self.done:
            self.done.add(array)
            self.infos.append({"name": array, "meta-type": "array",
                               "element-type": element})
        return array

    def builtin(self, t: BuiltinType) -> None:
        if t.name in self.done:
            return
        self.done.add(t.name)
        self.infos.append({"name": t.name, "meta-type": "builtin",
                           "json-type": JSON_TYPES.get(t.name, "value")})

    def inline(self, key: str, members: tuple[Member, ...]) -> str:
        name = self.name(key)
        if key not in self.done:
            self.done.add(key)
            self.queue.append((key, members))
        return name

    def arg_type(self, d: Command | Event) -> str:
        if d.arg_type is not None:
            return self.use(d.arg_type)
        if not d.arguments:
            return self.inline("q_empty", ())
        return self.inline(f"q_obj-{d.name}-arg", d.arguments)

    def entity(self, d: Definition) -> None:
        info: SchemaInfo = {"name": d.name}
        if isinstance(d, Command):
            info["meta-type"] = "command"
            info["arg-type"] = self.arg_type(d)
            info["ret-type"] = (self.use(d.returns) if d.returns is not None
                                else self.inline("q_empty", ()))
            if d.allow_oob:
                info["allow-oob"] = True
        else:
            assert isinstance(d, Event)
            info["meta-type"] = "event"
            info["arg-type"] = self.arg_type(d)
        _features(info, d.features)
        self.infos.append(info)

    def object(self, name: str, members: tuple[Member, ...],
               t: StructType | None) -> SchemaInfo:
        info: SchemaInfo = {"name": self.name(name), "meta-type": "object",
                            "members": [self.member(m) for m in members]}
        if isinstance(t, UnionType):
            info["tag"] = t.discriminator
            disc = t.member(t.discriminator)
            enum = self.schema.resolve(disc.type) if disc is not None else None
            variants = []
            values = enum.values if isinstance(enum, EnumType) else ()
            for v in values:
                b = t.branch(v.name)
                variants.append({"case": v.name,
                                 "type": self.use(b.type) if b is not None
                                 else self.inline("q_empty", ())})
            info["variants"] = variants
        if t is not None:
            _features(info, t.features)
        return info

    def member(self, m: Member) -> SchemaInfo:
        info: SchemaInfo = {"name": m.name, "type": self.use(m.type)}
        if m.optional:
            info["default"] = None
        _features(info, m.features)
        return info

    def type(self, t: Definition) -> SchemaInfo:
        if isinstance(t, EnumType):
            info: SchemaInfo = {"name": self.name(t.name), "meta-type": "enum",
                                "members": [], "values": [v.name for v in t.values]}
            for v in t.values:
                value: SchemaInfo = {"name": v.name}
                _features(value, v.features)
                info["members"].append(value)
            _features(info, t.features)
            return info
        if isinstance(t, StructType):
            return self.object(t.name, t.members, t)
        assert isinstance(t, AlternateType), t
        info = {"name": self.name(t.name), "meta-type": "alternate",
                "members": [{"type": self.use(a.type)} for a in t.alternatives]}
        _features(info, t.features)
        return info

    def run(self) -> list[SchemaInfo]:
        for d in self.schema.definitions:
            if isinstance(d, Command | Event):
                self.entity(d)
        while self.queue:
            key, what = self.queue.pop(0)
            if isinstance(what, tuple):
                self.infos.append(self.object(key, what, None))
            else:
                self.infos.append(self.type(what))
        return self.infos


def _features(info: SchemaInfo, features: tuple[Feature, ...]) -> None:
    if features:
        info["features"] = [f.name for f in features]


def introspect(schema: Schema, mask: bool = True) -> list[SchemaInfo]:
    """The SchemaInfo list QEMU built from `schema` would return."""
    return _Introspector(schema, mask).run()
