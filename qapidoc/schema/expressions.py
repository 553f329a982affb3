"""Expressions: check each definition's shape and names, normalise it.

Takes the reader's top-level `Obj` nodes and checks what the grammar and the
naming rules of the spec say about a single expression: keys, value types,
names, conditions, features.  Produces `Decl` records for the builder, which
checks what needs the whole schema (types, clashes, unions, alternates).
"""

from __future__ import annotations

import re

from qapidoc.core.lazy import lazy
from qapidoc.core.record import field, record
from qapidoc.core.registry import Rule, rule
from qapidoc.core.source import Diagnostic, Location
from qapidoc.schema.dialects import (
    ANONYMOUS_UNION,
    C_CONDITION,
    CONDITION_LIST,
    SIMPLE_UNION,
    TYPE_KEYWORD,
    CConditionError,
    looks_like_c,
    parse_c_condition,
    simple_union_enum,
    spelling,
)
from qapidoc.schema.model import Condition, TypeRef
from qapidoc.schema.reader import Arr, Bool, Node, Obj, PragmaValues, RawDoc, Str

BAD_EXPRESSION = rule(
    "QA101", "bad-expression",
    "A definition has unknown, missing or mistyped keys, or values of the "
    "wrong form.",
    rationale="The spec's grammar says which keys each kind of definition "
    "takes and what their values look like.",
    bad="{ 'struct': 'Point', 'data': { 'x': 'int' }, 'colour': 'red' }",
    good="{ 'struct': 'Point', 'data': { 'x': 'int' } }",
)
BAD_NAME = rule(
    "QA102", "bad-name",
    "A name breaks the naming rules: invalid characters, wrong case for its "
    "kind, a reserved prefix or suffix.",
    rationale="Names are wire protocol; the rules keep them consistent and "
    "keep generated code from colliding with generator-reserved names.",
    bad="{ 'command': 'queryStatus' }",
    good="{ 'command': 'query-status' }",
)
BAD_CONDITION = rule(
    "QA103", "bad-condition",
    "An 'if' condition is not a string or a single-key all/any/not object, "
    "or names an invalid identifier.",
    rationale="Conditions become C preprocessor expressions.",
    bad="{ 'struct': 'S', 'data': {}, 'if': { 'all': 'A' } }",
    good="{ 'struct': 'S', 'data': {}, 'if': { 'all': [ 'A', 'B' ] } }",
)
BAD_FEATURES = rule(
    "QA104", "bad-features",
    "A 'features' list is malformed.",
    rationale="Features are exposed to clients in introspection.",
    bad="{ 'struct': 'S', 'data': {}, 'features': 'deprecated' }",
    good="{ 'struct': 'S', 'data': {}, 'features': [ 'deprecated' ] }",
)

META_KEYS = ("enum", "struct", "union", "alternate", "command", "event")

_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # kind: (required, optional)
    "enum": (("enum", "data"), ("prefix", "if", "features")),
    "struct": (("struct", "data"), ("base", "if", "features")),
    "union": (("union", "base", "discriminator", "data"), ("if", "features")),
    "alternate": (("alternate", "data"), ("if", "features")),
    "command": (
        ("command",),
        ("data", "returns", "boxed", "if", "features", "gen",
         "success-response", "allow-oob", "allow-preconfig", "coroutine"),
    ),
    "event": (("event",), ("data", "boxed", "if", "features")),
}

# Groups: downstream prefix, experimental prefix, stem (what naming rules
# look at).
_VALID_NAME = re.compile(r"(__[A-Za-z0-9.-]+_)?([xX]-)?([A-Za-z][A-Za-z0-9_-]*)\Z")
_VALID_VALUE = re.compile(r"(__[A-Za-z0-9.-]+_)?([xX]-)?([A-Za-z0-9][A-Za-z0-9_-]*)\Z")
_CAMEL = re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\Z")
_UPPER = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_IDENT = re.compile(r"[A-Z][A-Z0-9_]*\Z")
"""A configuration symbol, as QEMU's checker wants it: upper case."""
_C_NAME = lazy(r"[^A-Za-z0-9_]")


def c_name(name: str) -> str:
    """The name as generated C sees it (for clash and reserved-name
    checks).  Most names have no other punctuation than ``-``: string
    methods see to them faster than the substitution."""
    plain = name.replace("-", "_")
    if plain.isascii() and plain.replace("_", "").isalnum():
        return plain
    return _C_NAME.sub("_", name)


def _old_form(expr: Obj, metas: list[str]) -> tuple[str, str] | None:
    """(kind, key of its name) of a definition in a spelling QEMU dropped:
    a struct declared with 'type', an alternate written as a union with an
    empty 'discriminator'."""
    if not metas and isinstance(expr.get("type"), Str):
        return "struct", "type"
    disc = expr.get("discriminator")
    if metas == ["union"] and isinstance(disc, Obj) and not disc.items \
            and expr.get("base") is None:
        return "alternate", "union"
    return None


def _falsy(node: Node) -> bool:
    """Empty or false, as Python's truth test in QEMU's checker sees it."""
    if isinstance(node, Obj | Arr):
        return not node.items
    return not node.value


@record(frozen=False)
class DeclFeature:
    name: str
    loc: Location
    cond: Condition | None


@record(frozen=False)
class DeclMember:
    """A member, enum value, union branch or alternative as written."""

    name: str
    loc: Location
    type: TypeRef | None = None
    optional: bool = False
    cond: Condition | None = None
    features: list[DeclFeature] = field(default_factory=list)


@record(frozen=False)
class Decl:
    """A checked definition expression, ready for the builder."""

    meta: str
    name: str
    loc: Location
    expr: Obj
    doc: RawDoc | None
    cond: Condition | None = None
    features: list[DeclFeature] = field(default_factory=list)
    members: list[DeclMember] | None = None  # struct/command/event inline data
    data_type: TypeRef | None = None  # command/event 'data': 'TypeName'
    values: list[DeclMember] = field(default_factory=list)  # enum
    prefix: str | None = None
    base_members: list[DeclMember] | None = None  # union inline base
    base: TypeRef | None = None
    discriminator: str = ""
    discriminator_loc: Location | None = None
    branches: list[DeclMember] = field(default_factory=list)
    returns: TypeRef | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    complete: bool = True
    dropped: bool = False
    """Some members or the base were left out for errors already reported:
    checks that need all of them (a union's discriminator) are skipped."""
    simple: bool = False  # a simple union (see dialects)

    def describe(self) -> str:
        return f"{self.meta} '{self.name}'"


class ExpressionChecker:
    """Checks expressions one at a time, collecting diagnostics."""

    def __init__(self, pragmas: PragmaValues) -> None:
        self.diags: list[Diagnostic] = []
        lists = pragmas.lists
        self.command_name_exceptions = set(lists.get("command-name-exceptions", ()))
        self.member_name_exceptions = set(lists.get("member-name-exceptions", ()))
        self.old_naming = pragmas.old_naming
        self.ctx: Location | None = None
        self.defn: str | None = None
        self.dropped = False  # a member of this definition was left out

    # -- reporting -------------------------------------------------------

    def err(self, r: Rule, loc: Location, message: str,
            member: str | None = None) -> None:
        self.diags.append(r.at(loc, message, context=self.ctx,
                               definition=self.defn, member=member))

    # -- entry -----------------------------------------------------------

    def check(self, expr: Obj, doc: RawDoc | None) -> Decl | None:
        self.ctx = expr.loc
        self.defn = None
        self.dropped = False
        keys = expr.keys()
        metas = [k for k in keys if k in META_KEYS]
        old_form = _old_form(expr, metas)
        if old_form is not None:
            metas = [old_form[0]]
        if len(metas) != 1:
            self.err(BAD_EXPRESSION, expr.loc,
                     "expression must have exactly one key "
                     + ", ".join(f"'{m}'" for m in META_KEYS))
            return None
        meta = metas[0]
        name_key = old_form[1] if old_form else meta
        name_node = expr.get(name_key)
        if not isinstance(name_node, Str):
            assert name_node is not None
            self.err(BAD_EXPRESSION, name_node.loc,
                     f"'{meta}' requires a string name")
            return None
        name = name_node.value
        self.defn = name
        what = f"{meta} '{name}'"
        required, optional = _KEYS[meta]
        if old_form is not None:
            required = tuple(name_key if k == meta else k for k in required)
            if meta == "alternate":
                optional += ("discriminator",)
                self.err(ANONYMOUS_UNION, name_node.loc,
                         f"anonymous union '{name}': write 'alternate': "
                         f"'{name}' without 'discriminator'")
            else:
                key = expr.key(name_key)
                assert key is not None
                self.err(TYPE_KEYWORD, key.loc,
                         f"'type': '{name}' declares a struct: write "
                         f"'struct': '{name}'")
        simple = meta == "union" and expr.get("base") is None and (
            expr.get("discriminator") is None)
        if simple:
            required = ("union", "data")
        ok = True
        missing = [k for k in required if k not in keys]
        if missing:
            self.err(BAD_EXPRESSION, expr.loc,
                     f"{meta} misses key" + ("s " if len(missing) > 1 else " ")
                     + ", ".join(f"'{k}'" for k in missing)
                     + f" (in {what})")
            ok = False
        unknown = sorted(k for k in keys if k not in required and k not in optional)
        if unknown:
            allowed = ", ".join(f"'{k}'" for k in sorted(required + optional))
            key = expr.key(unknown[0])
            assert key is not None
            self.err(BAD_EXPRESSION, key.loc,
                     f"{meta} has unknown key" + ("s " if len(unknown) > 1 else " ")
                     + ", ".join(f"'{k}'" for k in unknown)
                     + f" (in {what}); valid keys are {allowed}")
            ok = False
        self.check_defn_name(name, name_node.loc, meta)
        decl = Decl(meta, name, expr.loc, expr, doc, simple=simple)
        if simple:
            kind = simple_union_enum(name)
            self.err(SIMPLE_UNION, name_node.loc,
                     f"simple union '{name}': write 'base': {{ 'type': "
                     f"'{kind}' }}, 'discriminator': 'type' with enum "
                     f"'{kind}' of its branch names, and make each branch a "
                     "struct with the branch's type as member 'data'")
        decl.cond = self.condition(expr.get("if"), meta)
        decl.features = self.features(expr.get("features"))
        getattr(self, "check_" + meta)(decl, expr)
        decl.complete = ok
        decl.dropped = self.dropped or not ok
        return decl

    # -- names -------------------------------------------------------------

    def check_defn_name(self, name: str, loc: Location, meta: str) -> None:
        """One finding at most per name, the first QEMU's order finds."""
        what = f"{meta} '{name}'"
        m = self.valid_name(name, loc, what)
        if m is None:
            return
        stem = m.group(3)
        if meta == "event":
            if not _UPPER.match(stem):
                self.err(BAD_NAME, loc,
                         f"name of {what} must not use lowercase or '-'")
        elif meta == "command":
            self.check_lower(stem, loc, what,
                             permit_underscore=name in self.command_name_exceptions)
        elif not _CAMEL.match(stem):
            self.err(BAD_NAME, loc, f"name of {what} must use CamelCase")
        elif name.endswith("List"):
            self.err(BAD_NAME, loc, f"{what}: names ending in 'List' are "
                     "reserved for array types")

    def valid_name(self, name: str, loc: Location, what: str,
                   value: bool = False) -> re.Match[str] | None:
        """The name's parts if it is valid and not in the reserved ``q_``
        namespace; else report it and return None."""
        m = (_VALID_VALUE if value else _VALID_NAME).match(name)
        if m is None:
            self.err(BAD_NAME, loc, f"{what} has an invalid name", member=name)
            return None
        if name[:1] == "q" and c_name(name).startswith("q_"):  # c_name keeps a letter
            self.err(BAD_NAME, loc, f"{what} uses the reserved 'q_' "
                     "namespace", member=name)
            return None
        return m

    def check_lower(self, stem: str, loc: Location, what: str,
                    permit_underscore: bool = False,
                    permit_upper: bool = False) -> bool:
        permit_underscore = permit_underscore or self.old_naming
        bad = (not permit_upper and stem.lower() != stem) or (
            not permit_underscore and "_" in stem)
        if bad:
            self.err(BAD_NAME, loc, f"name of {what} must not use uppercase "
                     "or '_'")
        return not bad

    def member_name(self, name: str, loc: Location, source: str,
                    relaxed: bool) -> str | None:
        """Check a member name; return it without '*'.  `relaxed`: the
        owner is a struct or union named in ``member-name-exceptions``."""
        if name.startswith("*"):
            name = name[1:]
        what = f"{source} member '{name}'"
        m = self.valid_name(name, loc, what)
        if m is None:
            return None
        if not relaxed and not self.check_lower(m.group(3), loc, what):
            return name
        if name == "u" or (name.startswith("has") and c_name(name).startswith("has_")):
            self.err(BAD_NAME, loc, f"{what} uses a name reserved for "
                     "generated code", member=name)
        return name

    # -- conditions and features -------------------------------------------

    def condition(self, node: Node | None, what: str) -> Condition | None:
        if node is None:
            return None
        return self._cond(node, what, 0)

    def _cond(self, node: Node, what: str, depth: int) -> Condition | None:
        if isinstance(node, Str):
            if _IDENT.match(node.value):
                return Condition("name", node.value)
            if looks_like_c(node.value):
                return self._c_condition(node, what)
            self.err(BAD_CONDITION, node.loc,
                     f"'if' condition '{node.value}' of {what} is not a "
                     "valid configuration symbol (upper-case letters, "
                     "digits and '_', starting with a letter)")
            return None
        if isinstance(node, Arr) and depth == 0:
            return self._condition_list(node, what)
        if not isinstance(node, Obj):
            self.err(BAD_CONDITION, node.loc,
                     f"'if' condition of {what} must be a string or an object")
            return None
        if len(node.items) != 1:
            self.err(BAD_CONDITION, node.loc,
                     f"'if' condition of {what} has conflicting keys"
                     if node.items else
                     f"'if' condition of {what} has no key; valid keys are "
                     "'all', 'any', 'not'")
            return None
        key, value = node.items[0]
        op = key.value
        if op not in ("all", "any", "not"):
            self.err(BAD_CONDITION, key.loc,
                     f"'if' condition of {what} has unknown key '{op}'; "
                     "valid keys are 'all', 'any', 'not'")
            return None
        if op == "not":
            inner = self._cond(value, what, depth + 1)
            return Condition("not", "", (inner,)) if inner else None
        if not isinstance(value, Arr):
            self.err(BAD_CONDITION, value.loc,
                     f"'if' condition '{op}' of {what} must be an array")
            return None
        if not value.items:
            self.err(BAD_CONDITION, value.loc,
                     f"'if' condition [] of {what} is useless")
            return None
        operands = [self._cond(v, what, depth + 1) for v in value.items]
        if any(o is None for o in operands):
            return None
        return Condition(op, "", tuple(o for o in operands if o is not None))

    def _c_condition(self, node: Str, what: str) -> Condition:
        """An old C-expression condition; kept as text if it won't parse."""
        try:
            cond = parse_c_condition(node.value)
        except CConditionError as e:
            loc = node.loc
            self.err(BAD_CONDITION, Location(loc.file, loc.line, loc.col + 1 + e.offset),
                     f"'if' condition '{node.value}' of {what} is not a valid "
                     f"identifier, and as a C expression: {e.message}")
            return Condition("text", node.value)
        self.err(C_CONDITION, node.loc,
                 f"'if' condition '{node.value}' of {what} is a C expression; "
                 f"write {spelling(cond)}")
        return cond

    def _condition_list(self, node: Arr, what: str) -> Condition | None:
        """An old list condition: all of its conditions."""
        if not node.items:
            self.err(BAD_CONDITION, node.loc,
                     f"'if' condition [] of {what} is useless")
            return None
        operands = [self._cond(v, what, 1) for v in node.items]
        if any(o is None for o in operands):
            return None
        flat = [p for o in operands if o is not None
                for p in (o.operands if o.op == "all" else (o,))]
        cond = flat[0] if len(flat) == 1 else Condition("all", "", tuple(flat))
        self.err(CONDITION_LIST, node.loc,
                 f"'if' condition of {what} is a list; write {spelling(cond)}")
        return cond

    def features(self, node: Node | None) -> list[DeclFeature]:
        if node is None:
            return []
        if not isinstance(node, Arr):
            self.err(BAD_FEATURES, node.loc, "'features' must be an array")
            return []
        out: list[DeclFeature] = []
        for item in node.items:
            cond: Condition | None = None
            name_node: Node | None = item
            if isinstance(item, Obj):
                if not self.keys(item, ("name",), ("if",), "'features' member",
                                 BAD_FEATURES):
                    continue
                name_node = item.get("name")
                cond = self.condition(item.get("if"), "feature")
            if not isinstance(name_node, Str):
                assert name_node is not None
                self.err(BAD_FEATURES, name_node.loc,
                         "'features' member requires a string name")
                continue
            name = name_node.value
            m = self.valid_name(name, name_node.loc, f"feature '{name}'")
            if m is None:
                continue
            self.check_lower(m.group(3), name_node.loc, f"feature '{name}'")
            out.append(DeclFeature(name, name_node.loc, cond))
        return out

    def keys(self, obj: Obj, required: tuple[str, ...], optional: tuple[str, ...],
             what: str, r: Rule = BAD_EXPRESSION) -> bool:
        """Whether `obj` has the required keys and no others; one finding
        names all that is wrong (a nested object written where a member
        belongs misses 'type' *because* its keys are member names)."""
        missing = [k for k in required if obj.get(k) is None]
        unknown = sorted(k for k in obj.keys() if k not in required + optional)
        problems = []
        if missing:
            problems.append("misses key" + ("s " if len(missing) > 1 else " ")
                            + ", ".join(f"'{k}'" for k in missing))
        if unknown:
            valid = ", ".join(f"'{k}'" for k in sorted(required + optional))
            problems.append("has unknown key" + ("s " if len(unknown) > 1 else " ")
                            + ", ".join(f"'{k}'" for k in unknown)
                            + f"; valid keys are {valid}")
        if not problems:
            return True
        key = obj.key(unknown[0]) if unknown and not missing else None
        self.err(r, key.loc if key else obj.loc,
                 f"{what} " + " and ".join(problems))
        return False

    # -- type references ---------------------------------------------------

    def type_ref(self, node: Node, what: str, allow_array: bool = True,
                 allow_dict: bool = False) -> TypeRef | None:
        if isinstance(node, Str):
            return TypeRef(node.value, node.loc)
        if isinstance(node, Arr):
            if not allow_array:
                self.err(BAD_EXPRESSION, node.loc, f"{what} should be a type name")
                return None
            if len(node.items) != 1 or not isinstance(node.items[0], Str):
                self.err(BAD_EXPRESSION, node.loc,
                         f"{what}: array type must contain single type name")
                return None
            return TypeRef(node.items[0].value, node.loc, True)
        self.err(BAD_EXPRESSION, node.loc,
                 f"{what} should be a type name"
                 + (" or array" if allow_array else "")
                 if not allow_dict else f"{what} should be an object or type name")
        return None

    def members(self, node: Node, source: str, relaxed: bool = False,
                allow_features: bool = True, allow_array: bool = True,
                branch: bool = False) -> list[DeclMember] | None:
        """A MEMBERS object, or a union's BRANCHES (`branch`: names are not
        checked, no ``*``)."""
        if not isinstance(node, Obj):
            self.err(BAD_EXPRESSION, node.loc,
                     f"'{source}' should be an object or type name")
            return None
        out: list[DeclMember] = []
        for key, value in node.items:
            name = key.value
            optional = name.startswith("*") and not branch
            what = f"'{source}' member '{name}'"
            mname = name if branch else self.member_name(
                name, key.loc, f"'{source}'", relaxed)
            type_node: Node | None = value
            cond: Condition | None = None
            feats: list[DeclFeature] = []
            if isinstance(value, Obj):
                opt = ("if", "features") if allow_features else ("if",)
                if not self.keys(value, ("type",), opt, what):
                    self.dropped = True
                    continue
                type_node = value.get("type")
                cond = self.condition(value.get("if"), what)
                feats = self.features(value.get("features"))
            assert type_node is not None
            if isinstance(type_node, Obj):
                self.err(BAD_EXPRESSION, type_node.loc,
                         f"{what} should be a type name"
                         + (" or array" if allow_array else ""))
                self.dropped = True
                continue
            ref = self.type_ref(type_node, what, allow_array=allow_array)
            if mname is None or ref is None:
                self.dropped = True
                continue
            out.append(DeclMember(mname, key.loc, ref, optional, cond, feats))
        return out

    # -- each kind ---------------------------------------------------------

    def check_enum(self, decl: Decl, expr: Obj) -> None:
        prefix = expr.get("prefix")
        if prefix is not None:
            if isinstance(prefix, Str):
                decl.prefix = prefix.value
            else:
                self.err(BAD_EXPRESSION, prefix.loc, "'prefix' must be a string")
        data = expr.get("data")
        if data is None:
            return
        if not isinstance(data, Arr):
            self.err(BAD_EXPRESSION, data.loc, "'data' must be an array")
            return
        exempt = decl.name in self.member_name_exceptions
        for item in data.items:
            name_node: Node | None = item
            cond = None
            feats: list[DeclFeature] = []
            if isinstance(item, Obj):
                if not self.keys(item, ("name",), ("if", "features"),
                                 "'data' member"):
                    continue
                name_node = item.get("name")
                cond = self.condition(item.get("if"), "enum value")
                feats = self.features(item.get("features"))
            if not isinstance(name_node, Str):
                assert name_node is not None
                self.err(BAD_EXPRESSION, name_node.loc,
                         "'data' member requires a string name")
                continue
            name = name_node.value
            m = self.valid_name(name, name_node.loc, f"value '{name}'",
                                value=True)
            if m is None:
                continue
            if not exempt:
                self.check_lower(m.group(3), name_node.loc, f"value '{name}'")
            decl.values.append(DeclMember(name, name_node.loc, None, False,
                                          cond, feats))

    def check_struct(self, decl: Decl, expr: Obj) -> None:
        data = expr.get("data")
        if data is not None:
            decl.members = self.members(
                data, "data", decl.name in self.member_name_exceptions)
        base = expr.get("base")
        if base is not None:
            decl.base = self.type_ref(base, "'base'", allow_array=False)

    def check_union(self, decl: Decl, expr: Obj) -> None:
        base = expr.get("base")
        if isinstance(base, Obj):
            decl.base_members = self.members(
                base, "base", decl.name in self.member_name_exceptions)
        elif base is not None:
            decl.base = self.type_ref(base, "'base'", allow_array=False,
                                      allow_dict=True)
            self.dropped |= decl.base is None
        disc = expr.get("discriminator")
        if disc is not None:
            if isinstance(disc, Str):
                decl.discriminator = disc.value
                decl.discriminator_loc = disc.loc
            else:
                self.err(BAD_EXPRESSION, disc.loc,
                         "'discriminator' requires a string name")
        data = expr.get("data")
        if data is not None:
            branches = self.members(data, "data", allow_features=False,
                                    allow_array=decl.simple, branch=True)
            decl.branches = branches or []

    def check_alternate(self, decl: Decl, expr: Obj) -> None:
        data = expr.get("data")
        if data is None:
            return
        if _falsy(data):
            self.err(BAD_EXPRESSION, data.loc, "'data' must not be empty")
            return
        if not isinstance(data, Obj):
            self.err(BAD_EXPRESSION, data.loc, "'data' must be an object")
            return
        for key, value in data.items:
            name = key.value
            what = f"'data' member '{name}'"
            m = self.valid_name(name, key.loc, what)
            if m is not None:
                self.check_lower(m.group(3), key.loc, what)
            type_node: Node | None = value
            cond = None
            if isinstance(value, Obj):
                if not self.keys(value, ("type",), ("if",), what):
                    continue
                type_node = value.get("type")
                cond = self.condition(value.get("if"), what)
            assert type_node is not None
            ref = self.type_ref(type_node, what, allow_array=True)
            if ref is None or m is None:
                continue
            decl.branches.append(DeclMember(name, key.loc, ref, False, cond))

    def _args(self, decl: Decl, expr: Obj) -> None:
        data = expr.get("data")
        boxed = self.flag(expr, "boxed", True)
        decl.flags["boxed"] = boxed
        if data is None:
            if boxed:
                self.err(BAD_EXPRESSION, expr.loc, "'boxed': true requires 'data'")
            return
        if isinstance(data, Obj) and not boxed:
            decl.members = self.members(data, "data")
        elif isinstance(data, Str):
            decl.data_type = TypeRef(data.value, data.loc)
        else:
            self.err(BAD_EXPRESSION, data.loc,
                     "'data' should be a type name" if boxed
                     else "'data' should be an object or type name")

    def flag(self, expr: Obj, key: str, only: bool) -> bool:
        node = expr.get(key)
        if node is None:
            return not only
        if not isinstance(node, Bool) or node.value is not only:
            self.err(BAD_EXPRESSION, node.loc,
                     f"flag '{key}' may only use {str(only).lower()} value")
            return not only
        return only

    def check_command(self, decl: Decl, expr: Obj) -> None:
        self._args(decl, expr)
        returns = expr.get("returns")
        if returns is not None:
            decl.returns = self.type_ref(returns, "'returns'")
        decl.flags["gen"] = self.flag(expr, "gen", False)
        decl.flags["success-response"] = self.flag(expr, "success-response", False)
        for key in ("allow-oob", "allow-preconfig", "coroutine"):
            decl.flags[key] = self.flag(expr, key, True)
        if decl.flags["allow-oob"] and decl.flags["coroutine"]:
            self.err(BAD_EXPRESSION, expr.loc,
                     "flags 'allow-oob' and 'coroutine' are incompatible")

    def check_event(self, decl: Decl, expr: Obj) -> None:
        self._args(decl, expr)


def check_expressions(
    exprs: list[tuple[Obj, RawDoc | None]], pragmas: PragmaValues
) -> tuple[list[Decl], list[Diagnostic]]:
    checker = ExpressionChecker(pragmas)
    decls = [d for e, doc in exprs if (d := checker.check(e, doc)) is not None]
    return decls, checker.diags
