"""Runtime introspection as a schema: the reply of ``query-qmp-schema``.

QMP clients keep what ``query-qmp-schema`` returned for each QEMU version
they support; they have that, not QEMU's source.  `read_introspection`
turns such a reply (the JSON array of SchemaInfo, or ``{"return": [...]}``)
into a `Schema` whose definitions carry the reply's names (type names are
meaningless numbers there) and whose `introspected` flag tells consumers
what the reply cannot say: doc comments, ``if`` conditions, the integer
type behind ``int``, ``allow-preconfig`` and ``success-response``.  Bad
input raises `IntrospectionError` with ``file:line:col``.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from typing import Any

from qapidoc.core.source import Location, SourceFile
from qapidoc.schema.model import (
    JSON_TYPES,
    AlternateType,
    Branch,
    BuiltinType,
    Command,
    Definition,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Member,
    Module,
    Pragmas,
    Schema,
    StructType,
    TypeRef,
    UnionType,
)


class IntrospectionError(ValueError):
    """A reply that is not a list of SchemaInfo objects; the message
    starts with ``file:line:col``."""


_ENTITY = re.compile(r'"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"meta-type"')
_META = ("builtin", "enum", "array", "object", "alternate", "command", "event")
_JSON_BUILTIN = {json_type: name for name, json_type in JSON_TYPES.items()
                 if name in ("str", "number", "int", "bool", "null", "any")}
"""The built-in type standing for each JSON type of a reply's builtins."""


def looks_like_introspection(text: str) -> bool:
    """Whether `text` is a reply rather than schema source: schema files
    are a sequence of objects, never an array nor a ``"return"`` object."""
    head = text.lstrip()[:64]
    return head.startswith("[") or (head.startswith("{")
                                    and re.match(r'\{\s*"return"\s*:', head) is not None)


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.file = SourceFile(path, text)
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", text))
        self.where: dict[str, Location] = {}
        for m in _ENTITY.finditer(text):
            self.where.setdefault(m.group(1), self.at(m.start()))
        self.infos: dict[str, dict[str, Any]] = {}
        self.defs: dict[str, Definition] = {}

    def at(self, offset: int) -> Location:
        line = bisect.bisect_right(self.starts, offset)
        return Location(self.file, line, offset - self.starts[line - 1] + 1)

    def loc(self, name: str) -> Location:
        return self.where.get(name) or Location(self.file, 1, 1)

    def fail(self, name: str | None, message: str) -> IntrospectionError:
        loc = self.loc(name) if name is not None else Location(self.file, 1, 1)
        return IntrospectionError(f"{loc}: {message}")

    # -- parsing ------------------------------------------------------------

    def parse(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.text)
        except json.JSONDecodeError as e:
            raise IntrospectionError(f"{self.at(e.pos)}: not JSON: {e.msg}") from None
        except (ValueError, RecursionError) as e:
            raise IntrospectionError(f"{Location(self.file, 1, 1)}: not JSON: {e}") from None
        if isinstance(data, dict) and "return" in data:
            data = data["return"]
        if not isinstance(data, list):
            raise self.fail(None, "expected the reply of query-qmp-schema: a "
                            "JSON array of SchemaInfo objects, or "
                            '{"return": [...]}')
        for i, info in enumerate(data):
            if not isinstance(info, dict):
                raise self.fail(None, f"SchemaInfo #{i + 1} is not an object")
            name = info.get("name")
            meta = info.get("meta-type")
            if not isinstance(name, str) or not name:
                raise self.fail(None, f"SchemaInfo #{i + 1} has no 'name'")
            if meta not in _META:
                raise self.fail(name, f"'{name}' has unknown meta-type {meta!r}")
            if name in self.infos:
                raise self.fail(name, f"'{name}' is described twice")
            self.infos[name] = info
        return data

    def field(self, info: dict[str, Any], key: str, kind: type,
              default: Any = None) -> Any:
        value = info.get(key, default)
        if value is None and default is None and key in info:
            return None
        if not isinstance(value, kind):
            raise self.fail(info["name"], f"'{info['name']}': '{key}' must be "
                            f"{_kind_name(kind)}")
        return value

    def items(self, info: dict[str, Any], key: str) -> Iterator[dict[str, Any]]:
        for item in self.field(info, key, list, []):
            if not isinstance(item, dict):
                raise self.fail(info["name"], f"'{info['name']}': every element "
                                f"of '{key}' must be an object")
            yield item

    def features(self, info: dict[str, Any], owner: str) -> tuple[Feature, ...]:
        names = self.field(info, "features", list, [])
        loc = self.loc(owner)
        out = []
        for f in names:
            if not isinstance(f, str):
                raise self.fail(owner, f"'{owner}': features must be strings")
            out.append(Feature(f, loc))
        return tuple(out)

    # -- types ----------------------------------------------------------------

    def ref(self, name: object, owner: str) -> TypeRef:
        if not isinstance(name, str):
            raise self.fail(owner, f"'{owner}': a type name must be a string")
        info = self.infos.get(name)
        if info is None:
            raise self.fail(owner, f"'{owner}' refers to '{name}', which the "
                            "reply does not describe")
        loc = self.loc(owner)
        if info["meta-type"] == "array":
            element = self.field(info, "element-type", str)
            target = self.infos.get(element)
            if target is not None and target["meta-type"] == "array":
                # Checked before following it: the element may be this array.
                raise self.fail(name, f"'{name}': arrays of arrays do not exist "
                                "in QAPI")
            return TypeRef(self.ref(element, name).name, loc, True)
        if info["meta-type"] in ("command", "event"):
            raise self.fail(owner, f"'{owner}' uses {info['meta-type']} "
                            f"'{name}' as a type")
        return TypeRef(self.type_name(info), loc)

    def type_name(self, info: dict[str, Any]) -> str:
        """Built-ins go by the JSON type they show (their names are as
        meaningless as any type name); other types by their reply name."""
        if info["meta-type"] != "builtin":
            return str(info["name"])
        json_type = self.field(info, "json-type", str)
        if json_type not in _JSON_BUILTIN:
            raise self.fail(info["name"], f"'{info['name']}' has unknown "
                            f"json-type {json_type!r}")
        return _JSON_BUILTIN[json_type]

    def members(self, info: dict[str, Any]) -> tuple[Member, ...]:
        owner = info["name"]
        out = []
        for m in self.items(info, "members"):
            name = m.get("name")
            if not isinstance(name, str):
                raise self.fail(owner, f"'{owner}': every member needs a 'name'")
            out.append(Member(name, self.ref(m.get("type"), owner), self.loc(owner),
                              owner, "default" in m, None,
                              self.features(m, owner)))
        return tuple(out)

    def build(self, info: dict[str, Any]) -> Definition | None:
        name = info["name"]
        meta = info["meta-type"]
        loc = self.loc(name)
        features = self.features(info, name)
        common = (name, loc, self.file.path, None, features, None)
        if meta == "enum":
            values = []
            if "members" in info:
                for v in self.items(info, "members"):
                    vname = v.get("name")
                    if not isinstance(vname, str):
                        raise self.fail(name, f"'{name}': every value needs a 'name'")
                    values.append(EnumValue(vname, loc, None, self.features(v, name)))
            else:
                for vname in self.field(info, "values", list):
                    if not isinstance(vname, str):
                        raise self.fail(name, f"'{name}': values must be strings")
                    values.append(EnumValue(vname, loc))
            return EnumType(*common, values=tuple(values))
        if meta == "object":
            members = self.members(info)
            tag = self.field(info, "tag", str, "")
            if not tag:
                return StructType(*common, members=members)
            if not any(m.name == tag for m in members):
                raise self.fail(name, f"'{name}': tag '{tag}' is not a member")
            branches = []
            for v in self.items(info, "variants"):
                case = v.get("case")
                if not isinstance(case, str):
                    raise self.fail(name, f"'{name}': every variant needs a 'case'")
                branches.append(Branch(case, self.ref(v.get("type"), name), loc))
            return UnionType(*common, members=members, discriminator=tag,
                             branches=tuple(branches))
        if meta == "alternate":
            alts = []
            for a in self.items(info, "members"):
                ref = self.ref(a.get("type"), name)
                alts.append(Branch(self.alternative_name(ref), ref, loc))
            return AlternateType(*common, alternatives=tuple(alts))
        if meta == "command":
            arg_type, arguments = self.arguments(info)
            ret = self.ref(self.field(info, "ret-type", str), name)
            returns = None if self.is_empty(ret) else ret
            oob = self.field(info, "allow-oob", bool, False)
            return Command(*common, arguments=arguments, arg_type=arg_type,
                           returns=returns, allow_oob=oob)
        if meta == "event":
            arg_type, arguments = self.arguments(info)
            return Event(*common, arguments=arguments, arg_type=arg_type)
        return None  # builtin and array: named by TypeRefs

    def alternative_name(self, ref: TypeRef) -> str:
        if ref.is_array:
            return "array"
        info = self.infos.get(ref.name)
        if info is None:
            return JSON_TYPES.get(ref.name, "value")
        return {"enum": "string", "object": "object"}.get(info["meta-type"], ref.name)

    def is_empty(self, ref: TypeRef) -> bool:
        """An object without members and features: what a command without
        'returns' shows."""
        info = self.infos.get(ref.name)
        return (not ref.is_array and info is not None
                and info["meta-type"] == "object" and not info.get("members")
                and not info.get("tag") and not info.get("features"))

    def arguments(self, info: dict[str, Any]) -> tuple[TypeRef | None, tuple[Member, ...]]:
        ref = self.ref(self.field(info, "arg-type", str), info["name"])
        target = self.infos.get(ref.name)
        if ref.is_array or target is None or target["meta-type"] != "object":
            raise self.fail(info["name"], f"'{info['name']}': 'arg-type' must "
                            "name an object type")
        return ref, self.members(target)

    def schema(self) -> Schema:
        self.parse()
        builtins = {name: BuiltinType(name, Location(self.file, 1, 1), "",
                                      None, (), None, json_type=json_type)
                    for json_type, name in _JSON_BUILTIN.items()}
        by_name: dict[str, Definition] = dict(builtins)
        definitions: list[Definition] = []
        entities: list[Definition] = []
        for info in self.infos.values():
            d = self.build(info)
            if d is None:
                continue
            by_name[d.name] = d
            (entities if isinstance(d, Command | Event) else definitions).append(d)
        for d in definitions:
            self.check_shape(d, by_name)
        # Commands and events first, in reply order: the wire walk starts there.
        ordered = tuple(entities + definitions)
        module = Module(self.file.path, self.file, ordered)
        return Schema(self.file.path, (module,), ordered, tuple(builtins.values()),
                      Pragmas(), (), by_name, introspected=True)


    def check_shape(self, d: Definition, by_name: dict[str, Definition]) -> None:
        """What QEMU's replies always hold and the wire comparison relies
        on: names unique within a type, a union's tag an enum member, each
        of its values named by one variant at most, variants objects."""
        names = ([v.name for v in d.values] if isinstance(d, EnumType)
                 else [m.name for m in d.members] if isinstance(d, StructType) else [])
        twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if twice is not None:
            raise self.fail(d.name, f"'{d.name}': '{twice}' is listed twice")
        if not isinstance(d, UnionType):
            return
        tag = next(m for m in d.members if m.name == d.discriminator)
        enum = by_name.get(tag.type.name)
        if tag.type.is_array or not isinstance(enum, EnumType):
            raise self.fail(d.name, f"'{d.name}': tag '{tag.name}' must be "
                            "of an enum type")
        seen: set[str] = set()
        for b in d.branches:
            if enum.value(b.name) is None:
                raise self.fail(d.name, f"'{d.name}': variant '{b.name}' is not "
                                "a value of the tag's enum")
            if b.name in seen:
                raise self.fail(d.name, f"'{d.name}': variant '{b.name}' is "
                                "listed twice")
            seen.add(b.name)
            if b.type.is_array or not isinstance(by_name.get(b.type.name), StructType):
                raise self.fail(d.name, f"'{d.name}': variant '{b.name}' must "
                                "be of an object type")


def _kind_name(kind: type) -> str:
    return {str: "a string", list: "an array", bool: "true or false",
            dict: "an object"}.get(kind, kind.__name__)


def read_introspection(path: str, text: str) -> Schema:
    """The schema a ``query-qmp-schema`` reply describes (see module doc)."""
    return _Reader(path, text).schema()



def load_schema_or_reply(spec: str, *, docs: bool = True) -> Schema:
    """A schema (path or ``git:REF:PATH``), or a ``query-qmp-schema`` reply
    at that place, whichever the file holds.  Raises `IntrospectionError`
    for a bad reply and `GitSpecError` for a bad git spec; problems of a
    schema are in its diagnostics, as for `load_schema` (`docs` too)."""
    from qapidoc.schema.builder import display_path, load_schema
    from qapidoc.schema.reader import read_text

    if spec.startswith("git:"):
        from qapidoc.schema.gitsource import git_opener

        path, opener = git_opener(spec)
        text, _ = opener(path)
        if text is not None and looks_like_introspection(text):
            return read_introspection(path, text)
        return load_schema(path, text, opener, docs=docs)
    text, _ = read_text(spec)
    if text is not None and looks_like_introspection(text):
        return read_introspection(display_path(spec), text)
    return load_schema(spec, docs=docs)
