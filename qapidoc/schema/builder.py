"""Builder: checked expressions + doc comments → the frozen `Schema` model.

Resolves type references, flattens bases, checks what needs the whole
schema (unknown and duplicate names, clashes, unions, alternates, command
data and returns, special features) and binds doc comments to definitions
and their members.  `load_schema()` is the public entry point.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from qapidoc.core.collector import cycles_off, discard
from qapidoc.core.inputs import schema_tree
from qapidoc.core.registry import Rule, rule
from qapidoc.core.source import Diagnostic, Location, SourceFile
from qapidoc.schema.dialects import simple_union_enum, wrapper_name
from qapidoc.schema.docs import parse_doc
from qapidoc.schema.expressions import (
    Decl,
    DeclFeature,
    DeclMember,
    c_name,
    check_expressions,
)
from qapidoc.schema.model import (
    JSON_TYPES,
    MEMBER_SECTION,
    AlternateType,
    Branch,
    BuiltinType,
    Command,
    Definition,
    DocComment,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Include,
    Member,
    Module,
    ModuleItem,
    Pragmas,
    Schema,
    Section,
    SectionKind,
    StructType,
    TypeRef,
    UnionType,
)
from qapidoc.schema.reader import (
    FileItems,
    FileOpener,
    IncludeItem,
    RawDoc,
    TopExpr,
    read_schema,
    read_text,
)

UNKNOWN_TYPE = rule(
    "QA201", "unknown-type",
    "A type reference names no type.",
    rationale="Every member, base, branch, argument and return type must "
    "be defined somewhere in the schema.",
    bad="{ 'struct': 'S', 'data': { 'when': 'Timestamp' } }",
    good="{ 'struct': 'S', 'data': { 'when': 'int' } }",
)
DUPLICATE_DEFINITION = rule(
    "QA202", "duplicate-definition",
    "A name is defined twice (types, commands and events share one "
    "namespace, built-in types included).",
    rationale="Names must identify one definition.",
)
NAME_CLASH = rule(
    "QA203", "name-clash",
    "Two members, values, branches or features clash, possibly only after "
    "mapping to C (``a-b`` and ``a_b``).",
    rationale="Clashing names produce ambiguous wire objects or C code that "
    "does not compile.",
    bad="{ 'struct': 'S', 'data': { 'a-b': 'int', 'a_b': 'int' } }",
    good="{ 'struct': 'S', 'data': { 'a-b': 'int', 'c': 'int' } }",
)
MAX_BASE_DEPTH = 100
"""Longest chain of bases (and union branches) built (QEMU's is 4)."""
BAD_TYPE_USE = rule(
    "QA204", "bad-type-use",
    "A type is used where its kind is not allowed: a base that is not a "
    "struct, a union branch that is not an object, a command returning a "
    "non-object, a union as unboxed arguments, a chain of bases more than "
    "100 deep.",
    rationale="These uses cannot be mapped to the wire format or to C.",
    bad="{ 'command': 'get-count', 'returns': 'int' }",
    good="{ 'command': 'get-count', 'returns': 'CountInfo' }",
)
BAD_UNION = rule(
    "QA205", "bad-union",
    "A union's discriminator or branches are invalid.",
    rationale="The discriminator must be a mandatory, unconditional "
    "enum-typed member of the base and branches must name its values.",
)
AMBIGUOUS_ALTERNATE = rule(
    "QA206", "ambiguous-alternate",
    "An alternate has branches that cannot be told apart on the wire, or "
    "a branch type an alternate cannot hold.",
    rationale="An alternate picks its branch from the JSON type of the "
    "value; two branches of the same JSON type are ambiguous.",
    bad="{ 'alternate': 'A', 'data': { 'n': 'int', 's': 'str' } }",
    good="{ 'alternate': 'A', 'data': { 'n': 'int', 'o': 'Options' } }",
)
BAD_FEATURE_USE = rule(
    "QA207", "bad-feature-use",
    "A special feature (``deprecated``, ``unstable``) is used where it is "
    "not supported, or a feature is listed twice.",
    rationale="Special features are only defined for commands, events, "
    "members and enum values.",
)
DOC_BINDING = rule(
    "QA208", "doc-binding",
    "A doc comment is not bound to its definition: it names another symbol, "
    "is not followed by the definition, or is missing where required.",
    rationale="Documentation must sit directly before what it documents.",
)
DOC_MEMBERS = rule(
    "QA209", "doc-members",
    "A doc comment documents members or features that do not exist, or "
    "leaves some undocumented, or has a section the definition kind does "
    "not take.",
    rationale="Every member and feature is part of the interface and must "
    "be described; descriptions of things that do not exist mislead.",
)
RETURNS_WITHOUT_VALUE = rule(
    "QA210", "returns-section-without-returns",
    "A ``Returns:`` section in the doc comment of a command that has no "
    "``returns`` (QEMU rejects it since 9.0).",
    rationale="The command's reply carries an empty object; text promising "
    "a return value misleads the reader.  Releases before 9.0 wrote "
    "'Returns: nothing on success' routinely, so the rule is in the legacy "
    "group: it does not stop compat, history or a build of such a release.",
    group="legacy",
    bad="##\n# @eject:\n#\n# Returns: nothing\n##\n{ 'command': 'eject' }",
    good="##\n# @eject:\n#\n# Eject the medium.\n##\n{ 'command': 'eject' }",
    qemu_from="9.0",
)
TOO_MANY_FEATURES = rule(
    "QA211", "too-many-features",
    "More than 64 distinct feature names in the whole schema "
    "(``deprecated`` and ``unstable`` always count).",
    rationale="QEMU's generated code keeps a schema's features in one "
    "64-bit mask.",
)

UNDOCUMENTED_MEMBER = rule(
    "QL103", "undocumented-member",
    "A definition's doc comment leaves a member, argument, enum value or "
    "alternative undocumented, which older QEMU releases accepted (their "
    "manuals said \"Not documented\").",
    rationale="Every member is part of the interface.  QEMU now requires a "
    "description, or the definition listed in pragma "
    "'documentation-exceptions'.",
    bad="##\n# @Color:\n#\n# @red: warm\n##\n"
    "{ 'enum': 'Color', 'data': [ 'red', 'blue' ] }",
    good="##\n# @Color:\n#\n# @red: warm\n#\n# @blue: cold\n##\n"
    "{ 'enum': 'Color', 'data': [ 'red', 'blue' ] }",
    qemu_from="9.2",
)


MAX_FEATURES = 64
"""Distinct feature names a schema may use, QEMU's special ones included."""
SPECIAL_FEATURES = ("deprecated", "unstable")


_QTYPE_VALUES = ("none", "qnull", "qnum", "qstring", "qdict", "qlist", "qbool")


_COMMANDS_ONLY = (SectionKind.RETURNS, SectionKind.ERRORS)
"""Sections only a command's doc may have (a global, for the reason
`qapidoc.schema.model.NAMED_SECTIONS` gives)."""


class Builder:
    def __init__(self, pragmas: Pragmas) -> None:
        self.pragmas = pragmas
        self.diags: list[Diagnostic] = []
        self.decls: dict[str, Decl] = {}
        self.built: dict[str, Definition] = {}
        self.building: set[str] = set()
        self.builtins: dict[str, BuiltinType] = {}
        self.docs: dict[str, DocComment] = {}
        self.doc_used: dict[str, set[str]] = {}
        self.malformed: set[int] = set()  # ids of docs that may be misread
        self.broken_names: set[str] = set()  # definitions that did not parse
        self.base_failed: set[str] = set()  # definitions with a bad 'base'
        self.implicit: dict[str, Definition] = {}  # of simple unions
        self._described: dict[int, tuple[DocComment, dict[str, Section]]] = {}

    def described(self, doc: DocComment | None, name: str) -> Section | None:
        """`doc.member(name)` from an index made once per doc comment: a
        definition looks up each of its members, a scan each made this
        quadratic in the size of big definitions."""
        if doc is None:
            return None
        found = self._described.get(id(doc))
        if found is None:
            index: dict[str, Section] = {}
            for s in doc.sections:
                if s.kind is MEMBER_SECTION:
                    index.setdefault(s.name, s)
            found = self._described[id(doc)] = (doc, index)
        return found[1].get(name)

    # -- reporting -------------------------------------------------------

    def err(self, r: Rule, loc: Location, message: str, decl: Decl | None,
            member: str | None = None) -> None:
        self.diags.append(r.at(loc, message,
                               context=decl.loc if decl else None,
                               definition=decl.name if decl else None,
                               member=member))

    # -- built-ins -------------------------------------------------------

    def make_builtins(self, where: SourceFile) -> None:
        loc = Location(where, 1, 1)
        for name, json in JSON_TYPES.items():
            self.builtins[name] = BuiltinType(
                name, loc, "", None, (), None, json_type=json)

    def predefined(self, name: str) -> bool:
        """A name QEMU's checker defines itself: a built-in type, its
        array type, or the empty object type."""
        return (name in self.builtins or name == "q_empty"
                or (name.endswith("List") and name[:-4] in self.builtins))

    def resolve_arrays(self, decls: Iterable[Decl]) -> None:
        """Rewrite references to array types by name (``intList``, or
        ``FooList`` where ``['Foo']`` is used somewhere) into the array
        form, as QEMU creates those types."""
        # Only a reference by name ending in "List" may be rewritten: the
        # others are not kept, only the element types of array references.
        named: list[tuple[object, str, TypeRef]] = []
        elements: set[str] = set()

        def note(owner: object, attr: str, ref: TypeRef | None) -> None:
            if ref is None:
                return
            if ref.is_array:
                elements.add(ref.name)
            elif ref.name.endswith("List"):
                named.append((owner, attr, ref))

        for d in decls:
            for attr in ("base", "data_type", "returns"):
                note(d, attr, getattr(d, attr))
            for group in (d.members, d.base_members, d.branches):
                for m in group or ():
                    note(m, "type", m.type)
        for owner, attr, ref in named:
            name = ref.name
            if name not in self.decls and (
                    name[:-4] in self.builtins or name[:-4] in elements):
                setattr(owner, attr, TypeRef(name[:-4], ref.location, True))

    def lookup_type(self, name: str) -> Definition | None:
        b = self.builtins.get(name)
        if b is not None:
            return b
        decl = self.decls.get(name)
        if decl is None or decl.meta in ("command", "event"):
            return None
        return self.build(name)

    def kind_of(self, name: str) -> str | None:
        if name in self.builtins:
            return "built-in"
        d = self.decls.get(name)
        return d.meta if d else None

    def describe(self, name: str) -> str:
        k = self.kind_of(name)
        return f"{k} type '{name}'" if k else f"'{name}'"

    def describe_ref(self, ref: TypeRef) -> str:
        """`describe` for a reference that may be to an array type by
        name (``FooList``), which `resolve_arrays` turned into ``['Foo']``."""
        return f"array type '{ref.name}List'" if ref.is_array else self.describe(ref.name)

    # -- shared pieces -----------------------------------------------------

    def features(self, feats: list[DeclFeature], decl: Decl,
                 doc: DocComment | None, special_ok: bool,
                 clash: bool = True) -> tuple[Feature, ...]:
        """The features `feats` of `decl` or of its member or value; `clash`
        False for an enum value's, whose duplicates QEMU's checker accepts."""
        out: list[Feature] = []
        seen: dict[str, str] = {}
        for f in feats:
            if f.name in ("deprecated", "unstable") and not special_ok:
                self.err(BAD_FEATURE_USE, f.loc,
                         f"feature '{f.name}' is not supported for types", decl)
            key = c_name(f.name)
            if clash and key in seen:
                self.err(NAME_CLASH, f.loc, f"feature '{f.name}' collides with "
                         f"feature '{seen[key]}'", decl)
            seen[key] = f.name
            section = doc.feature(f.name) if doc else None
            out.append(Feature(f.name, f.loc, f.cond, section))
            self.doc_used.setdefault(decl.name, set()).add("feature:" + f.name)
        return tuple(out)

    def check_ref(self, ref: TypeRef, what: str, decl: Decl) -> bool:
        """Whether `ref` names a type; does not build it, so recursive
        types are fine.  A definition that did not parse is not reported
        again as unknown."""
        kind = self.kind_of(ref.name)
        if kind is None or kind in ("command", "event"):
            if ref.name not in self.broken_names:
                self.err(UNKNOWN_TYPE, ref.location,
                         f"{what} uses unknown type '{ref.name}'", decl)
            return False
        return True

    def check_build(self, ref: TypeRef, what: str, decl: Decl) -> Definition | None:
        return self.lookup_type(ref.name) if self.check_ref(ref, what, decl) else None

    def members(self, dms: list[DeclMember], decl: Decl, owner: str,
                doc: DocComment | None, role: str) -> list[Member]:
        out: list[Member] = []
        used = self.doc_used.setdefault(decl.name, set())
        for dm in dms:
            assert dm.type is not None
            self.check_ref(dm.type, f"{role} '{dm.name}'", decl)
            section = self.described(doc, dm.name)
            used.add(dm.name)
            out.append(Member(
                dm.name, dm.type, dm.loc, owner, dm.optional, dm.cond,
                self.features(dm.features, decl, doc, True), section))
        return out

    def check_clash(self, members: Iterable[Member | EnumValue | Branch],
                    decl: Decl, role: str = "member",
                    seen: dict[str, Member | EnumValue | Branch] | None = None,
                    base_role: str = "") -> None:
        """Report members whose C names collide with an earlier one.  The
        very same member met twice collides too when checking a union's
        branch against the union (`base_role`): both would be on the wire."""
        seen = {} if seen is None else seen
        for m in members:
            key = c_name(m.name)
            other = seen.get(key)
            if other is not None and (other is not m or base_role):
                owner = getattr(m, "defined_in", decl.name)
                if base_role:
                    msg = (f"{role} '{m.name}' of type '{owner}' collides with "
                           f"{base_role} '{other.name}'")
                else:
                    msg = f"{role} '{m.name}' collides with {role} '{other.name}'"
                self.err(NAME_CLASH, m.location, msg, decl, m.name)
            else:
                seen[key] = m

    # -- types -------------------------------------------------------------

    def build(self, name: str) -> Definition | None:
        done = self.built.get(name)
        if done is not None:
            return done
        decl = self.decls[name]
        if name in self.building:
            self.err(BAD_TYPE_USE, decl.loc, f"object '{name}' contains itself",
                     decl)
            return None
        if len(self.building) >= MAX_BASE_DEPTH:
            # each level is a nested call, here and in every later stage
            self.err(BAD_TYPE_USE, decl.loc, f"'{name}' is more than "
                     f"{MAX_BASE_DEPTH} bases deep", decl)
            return None
        self.building.add(name)
        try:
            defn = getattr(self, "build_" + decl.meta)(decl)
        finally:
            self.building.discard(name)
        self.built[name] = defn
        return defn  # type: ignore[no-any-return]

    def common(self, decl: Decl) -> tuple[str, Location, str, object, DocComment | None]:
        return (decl.name, decl.loc, decl.loc.file.path, decl.cond,
                self.docs.get(decl.name))

    def build_enum(self, decl: Decl) -> EnumType:
        doc = self.docs.get(decl.name)
        values = []
        used = self.doc_used.setdefault(decl.name, set())
        for v in decl.values:
            section = self.described(doc, v.name)
            used.add(v.name)
            values.append(EnumValue(v.name, v.loc, v.cond,
                                    self.features(v.features, decl, doc, True,
                                                  clash=False),
                                    section))
        self.check_clash(values, decl, "value")
        return EnumType(decl.name, decl.loc, decl.loc.file.path, decl.cond,
                        self.features(decl.features, decl, doc, False), doc,
                        values=tuple(values), prefix=decl.prefix)

    def base_members(self, decl: Decl) -> list[Member]:
        if decl.base is None:
            return []
        base = self.lookup_type(decl.base.name)
        if base is None:
            self.base_failed.add(decl.name)
            if decl.base.name in self.decls and self.decls[decl.base.name].meta in (
                    "struct", "union"):
                return []  # a cycle, already reported
            if decl.base.name not in self.broken_names:
                self.err(UNKNOWN_TYPE, decl.base.location,
                         f"'base' uses unknown type '{decl.base.name}'", decl)
            return []
        if (not isinstance(base, StructType) or isinstance(base, UnionType)
                or decl.base.is_array):
            self.base_failed.add(decl.name)
            self.err(BAD_TYPE_USE, decl.base.location,
                     f"'base' requires a struct type, "
                     f"{self.describe_ref(decl.base)} isn't", decl)
            return []
        return list(base.members)

    def build_struct(self, decl: Decl) -> StructType:
        doc = self.docs.get(decl.name)
        inherited = self.base_members(decl)
        own = self.members(decl.members or [], decl, decl.name, doc, "member")
        members = inherited + own
        self.check_clash(members, decl)
        return StructType(decl.name, decl.loc, decl.loc.file.path, decl.cond,
                          self.features(decl.features, decl, doc, False), doc,
                          members=tuple(members), base=decl.base)

    def build_union(self, decl: Decl) -> UnionType:
        doc = self.docs.get(decl.name)
        if decl.simple:
            return self.build_simple_union(decl, doc)
        if decl.base_members is not None:
            common = self.members(decl.base_members, decl, decl.name, doc,
                                  "base member")
        else:
            common = self.base_members(decl)
        self.check_clash(common, decl)
        disc_enum = self.discriminator(decl, common)
        branches: list[Branch] = []
        if disc_enum is not None and not disc_enum.values and not decl.branches:
            # Values without a branch get an empty one; no values, no branch.
            self.err(BAD_UNION, decl.loc, "union has no branches", decl)
        for b in decl.branches:
            assert b.type is not None
            if disc_enum is not None and disc_enum.value(b.name) is None:
                self.err(BAD_UNION, b.loc,
                         f"branch '{b.name}' is not a value of "
                         f"enum type '{disc_enum.name}'", decl, b.name)
            t = self.check_build(b.type, f"branch '{b.name}'", decl)
            if t is not None:
                if b.type.is_array or not isinstance(t, StructType):
                    self.err(BAD_TYPE_USE, b.type.location,
                             f"branch '{b.name}' cannot use "
                             f"{self.describe_ref(b.type)}", decl, b.name)
                else:
                    self.branch_clash(t, decl, {c_name(m.name): m
                                                for m in common})
            branches.append(Branch(b.name, b.type, b.loc, b.cond,
                                   self.described(doc, b.name)))
        return UnionType(decl.name, decl.loc, decl.loc.file.path, decl.cond,
                         self.features(decl.features, decl, doc, False), doc,
                         members=tuple(common), base=decl.base,
                         discriminator=decl.discriminator,
                         branches=tuple(branches))

    def branch_clash(self, t: StructType, decl: Decl,
                     seen: dict[str, Member | EnumValue | Branch]) -> None:
        """A branch type's members, and those of its own branches if it is
        a union, against the union's common members."""
        self.check_clash(t.members, decl, "member", seen,
                         base_role="base member")
        if isinstance(t, UnionType):
            for b in t.branches:
                inner = self.built.get(b.type.name)
                if isinstance(inner, StructType) and inner is not t:
                    self.branch_clash(inner, decl, dict(seen))

    def build_simple_union(self, decl: Decl, doc: DocComment | None) -> UnionType:
        """A simple union as the flat union it is on the wire: member
        'type' of an implicit enum of the branch names, and each branch
        an implicit wrapper struct whose member 'data' has the branch's
        type (QEMU's own names for both)."""
        path = decl.loc.file.path
        kind = simple_union_enum(decl.name)
        if self.kind_of(kind) is not None or kind in self.implicit:
            self.err(DUPLICATE_DEFINITION, decl.loc,
                     f"simple union '{decl.name}' needs the name '{kind}' "
                     f"for its implicit enum, but {self.describe(kind)} has it",
                     decl)
        else:
            self.implicit[kind] = EnumType(
                kind, decl.loc, path, decl.cond, (), None,
                values=tuple(EnumValue(b.name, b.loc, b.cond)
                             for b in decl.branches))
        tag = Member("type", TypeRef(kind, decl.loc), decl.loc, decl.name,
                     doc=self.described(doc, "type"))
        self.doc_used.setdefault(decl.name, set()).add("type")
        branches: list[Branch] = []
        for b in decl.branches:
            assert b.type is not None
            self.check_ref(b.type, f"branch '{b.name}'", decl)
            wrapper = wrapper_name(b.type.name, b.type.is_array)
            if wrapper not in self.implicit:
                self.implicit[wrapper] = StructType(
                    wrapper, b.type.location, path, None, (), None,
                    members=(Member("data", b.type, b.type.location, wrapper),))
            branches.append(Branch(b.name, TypeRef(wrapper, b.type.location),
                                   b.loc, b.cond,
                                   self.described(doc, b.name)))
        self.check_clash(branches, decl, "branch")
        return UnionType(decl.name, decl.loc, path, decl.cond,
                         self.features(decl.features, decl, doc, False), doc,
                         members=(tag,), discriminator="type",
                         branches=tuple(branches))

    def discriminator(self, decl: Decl, common: list[Member]) -> EnumType | None:
        name = decl.discriminator
        if not name:
            return None
        where = decl.discriminator_loc or decl.loc
        member = next((m for m in common if m.name == name), None)
        if member is None:
            if not self.incomplete(decl):
                self.err(BAD_UNION, where,
                         f"discriminator '{name}' is not a member of 'base'",
                         decl)
            return None
        t = self.lookup_type(member.type.name)
        if t is None:
            return None
        if member.optional:
            self.err(BAD_UNION, where,
                     f"discriminator member '{name}' of 'base' must not be "
                     "optional", decl)
        if member.condition is not None:
            self.err(BAD_UNION, where,
                     f"discriminator member '{name}' of 'base' must not be "
                     "conditional", decl)
        if not isinstance(t, EnumType) or member.type.is_array:
            base = f"base type '{decl.base.name}'" if decl.base else "'base'"
            self.err(BAD_UNION, where,
                     f"discriminator member '{name}' of {base} must be of "
                     "enum type", decl)
            return None
        return t

    def count_features(self, decls: Iterable[Decl]) -> None:
        """Report the definition where the schema's distinct feature names
        first exceed `MAX_FEATURES`."""
        names = set(SPECIAL_FEATURES)
        for d in decls:
            for f in d.features:
                names.add(f.name)
            for group in (d.members, d.base_members, d.values):
                for m in group or ():
                    if m.features:  # few have any: no generator for the others
                        names.update(f.name for f in m.features)
            if len(names) > MAX_FEATURES:
                self.err(TOO_MANY_FEATURES, d.expr.items[0][1].loc,
                         f"the schema uses {len(names)} distinct feature "
                         f"names here; at most {MAX_FEATURES} are allowed "
                         "(deprecated and unstable included)", d)
                return

    def incomplete(self, decl: Decl) -> bool:
        """Whether members of `decl` or of its bases were left out for
        errors already reported."""
        seen: set[str] = set()
        d: Decl | None = decl
        while d is not None and d.name not in seen:
            if d.dropped or d.name in self.base_failed:
                return True
            seen.add(d.name)
            if d.base is None:
                return False
            if d.base.name in self.broken_names:
                return True
            d = self.decls.get(d.base.name)
        return False

    def build_alternate(self, decl: Decl) -> AlternateType:
        doc = self.docs.get(decl.name)
        branches: list[Branch] = []
        seen_json: dict[str, str] = {}
        for b in decl.branches:
            assert b.type is not None
            self.doc_used.setdefault(decl.name, set()).add(b.name)
            branch = Branch(b.name, b.type, b.loc, b.cond,
                            self.described(doc, b.name))
            branches.append(branch)
            t = self.check_build(b.type, f"branch '{b.name}'", decl)
            if t is None:
                continue
            json, conflicts = self.alternate_json(t, b.type.is_array)
            if json is None:
                self.err(AMBIGUOUS_ALTERNATE, b.type.location,
                         f"branch '{b.name}' cannot use {self.describe(t.name)}",
                         decl, b.name)
                continue
            claims = [json, *conflicts]
            clash = next((seen_json[j] for j in claims if j in seen_json), None)
            if clash is not None:
                self.err(AMBIGUOUS_ALTERNATE, b.loc,
                         f"branch '{b.name}' can't be distinguished from "
                         f"'{clash}'", decl, b.name)
            for j in claims:
                seen_json.setdefault(j, b.name)
        self.check_clash(branches, decl, "branch")
        return AlternateType(decl.name, decl.loc, decl.loc.file.path, decl.cond,
                             self.features(decl.features, decl, doc, False), doc,
                             alternatives=tuple(branches))

    @staticmethod
    def alternate_json(t: Definition, is_array: bool) -> tuple[str | None, list[str]]:
        """The JSON type a branch accepts, and the ones it is confused with
        (string input such as command-line options is parsed into either)."""
        if is_array:
            return "array", []
        if isinstance(t, BuiltinType):
            if t.name == "any":
                return None, []
            if t.name == "QType":  # an enum; no value looks like a number
                return "string", []
            json = t.json_type
            if json in ("int", "number"):
                return "number", []
            if json == "string":
                return "string", ["number", "boolean"]
            return json, []
        if isinstance(t, EnumType):
            conflicts = []
            names = [v.name for v in t.values]
            if any(n in ("on", "off", "true", "false") for n in names):
                conflicts.append("boolean")
            if any(re.match(r"[-+0-9.]", n) for n in names):
                conflicts.append("number")
            return "string", conflicts
        if isinstance(t, StructType):
            return "object", []
        return None, []

    # -- commands and events -------------------------------------------------

    def arguments(self, decl: Decl, doc: DocComment | None,
                  role: str) -> tuple[list[Member], TypeRef | None]:
        boxed = decl.flags.get("boxed", False)
        if decl.data_type is not None:
            t = self.check_build(decl.data_type, decl.meta, decl)
            if t is None:
                return [], decl.data_type
            what = f"{decl.meta}'s 'data'"
            if decl.data_type.is_array:
                self.err(BAD_TYPE_USE, decl.data_type.location,
                         f"{what} cannot take {self.describe_ref(decl.data_type)}",
                         decl)
                return [], decl.data_type
            if isinstance(t, UnionType):
                if not boxed:
                    self.err(BAD_TYPE_USE, decl.data_type.location,
                             f"{what} can take union type '{t.name}' only "
                             "with 'boxed': true", decl)
            elif not isinstance(t, StructType):
                self.err(BAD_TYPE_USE, decl.data_type.location,
                         f"{what} cannot take {self.describe(t.name)}", decl)
                return [], decl.data_type
            assert isinstance(t, StructType)
            if not boxed and any(m.condition for m in t.members):
                self.err(BAD_TYPE_USE, decl.data_type.location,
                         f"conditional {decl.meta} arguments require "
                         "'boxed': true", decl)
            return list(t.members), decl.data_type
        members = self.members(decl.members or [], decl, decl.name, doc, role)
        self.check_clash(members, decl)
        conditional = next((m for m in members if m.condition), None)
        if conditional is not None:
            self.err(BAD_TYPE_USE, conditional.location,
                     f"conditional {decl.meta} arguments require 'boxed': "
                     "true, which takes a named type", decl, conditional.name)
        return members, None

    def build_command(self, decl: Decl) -> Command:
        doc = self.docs.get(decl.name)
        args, arg_type = self.arguments(decl, doc, "parameter")
        ret = decl.returns
        if ret is not None:
            t = self.check_build(ret, "command's 'returns'", decl)
            exempt = decl.name in self.pragmas.command_returns_exceptions
            if t is not None and not exempt and not isinstance(t, StructType):
                self.err(BAD_TYPE_USE, ret.location,
                         f"command's 'returns' cannot take "
                         f"{'array of ' if ret.is_array else ''}"
                         f"{self.describe(t.name)}", decl)
        f = decl.flags
        return Command(decl.name, decl.loc, decl.loc.file.path, decl.cond,
                       self.features(decl.features, decl, doc, True), doc,
                       arguments=tuple(args), arg_type=arg_type,
                       boxed=f.get("boxed", False), returns=ret,
                       success_response=f.get("success-response", True),
                       gen=f.get("gen", True), allow_oob=f.get("allow-oob", False),
                       allow_preconfig=f.get("allow-preconfig", False),
                       coroutine=f.get("coroutine", False))

    def build_event(self, decl: Decl) -> Event:
        doc = self.docs.get(decl.name)
        args, arg_type = self.arguments(decl, doc, "member")
        return Event(decl.name, decl.loc, decl.loc.file.path, decl.cond,
                     self.features(decl.features, decl, doc, True), doc,
                     arguments=tuple(args), arg_type=arg_type,
                     boxed=decl.flags.get("boxed", False))

    # -- documentation checks ----------------------------------------------

    def check_documented(self, what: str, bogus: list[Section],
                         decl: Decl) -> None:
        """Report the `what` (member or feature) sections naming nothing."""
        if not bogus:
            return
        names = ", ".join(f"'{s.name}'" for s in bogus)
        plural = "s" if len(bogus) > 1 else ""
        verb = "do" if bogus[1:] else "does"
        self.err(DOC_MEMBERS, bogus[0].location,
                 f"documented {what}{plural} {names} {verb} not exist", decl)

    def check_doc(self, defn: Definition) -> None:
        doc = defn.doc
        if doc is None:
            return
        decl = self.decls[defn.name]
        if not isinstance(defn, Command):
            for kind in _COMMANDS_ONLY:
                s = doc.section(kind)
                if s is not None:
                    self.err(DOC_MEMBERS, s.location,
                             f"'{s.tag}' section is only valid for commands", decl)
        elif defn.returns is None:
            s = doc.section(SectionKind.RETURNS)
            if s is not None:
                self.err(RETURNS_WITHOUT_VALUE, s.location,
                         f"'{s.tag}' section, but command '{defn.name}' has "
                         "no 'returns'", decl)
        if id(doc) in self.malformed:
            return  # its member sections may be misread: QEMU stops earlier
        used = self.doc_used.get(defn.name, set())
        self.check_documented("member", [
            s for s in doc.members() if s.name not in used], decl)
        self.check_documented("feature", [
            s for s in doc.features() if "feature:" + s.name not in used], decl)
        exempt = defn.name in self.pragmas.documentation_exceptions
        for role, name, loc, section in self.documentables(defn):
            if section is None and role != "feature" and not exempt:
                self.err(UNDOCUMENTED_MEMBER, loc,
                         f"{role} '{name}' lacks documentation (add it, or "
                         f"list '{defn.name}' in pragma 'documentation-exceptions')",
                         decl, name)
            elif section is None and role == "feature":
                self.err(DOC_MEMBERS, loc, f"{role} '{name}' lacks documentation",
                         decl, name)

    def documentables(self, defn: Definition) -> Iterable[
            tuple[str, str, Location, Section | None]]:
        """Everything the definition's own doc comment must describe."""
        if isinstance(defn, EnumType):
            for v in defn.values:
                yield "value", v.name, v.location, v.doc
                for f in v.features:
                    yield "feature", f.name, f.location, f.doc
        elif isinstance(defn, AlternateType):
            for b in defn.alternatives:
                yield "branch", b.name, b.location, b.doc
        elif isinstance(defn, StructType | Command | Event):
            members = defn.members if isinstance(defn, StructType) else (
                defn.arguments if defn.arg_type is None else ())
            for m in members:
                if m.defined_in != defn.name or m.type.name in self.implicit:
                    continue
                role = "argument" if isinstance(defn, Command) else "member"
                yield role, m.name, m.location, m.doc
                for f in m.features:
                    yield "feature", f.name, f.location, f.doc
        for f in defn.features:
            yield "feature", f.name, f.location, f.doc


def _pragmas(lists: dict[str, list[str]], doc_required: bool) -> Pragmas:
    return Pragmas(
        doc_required=doc_required,
        command_name_exceptions=frozenset(lists.get("command-name-exceptions", ())),
        command_returns_exceptions=frozenset(
            lists.get("command-returns-exceptions", ())),
        documentation_exceptions=frozenset(lists.get("documentation-exceptions", ())),
        member_name_exceptions=frozenset(lists.get("member-name-exceptions", ())),
    )


def display_path(path: str) -> str:
    """Paths as users typed them: relative to the working directory when
    below it."""
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
        except ValueError:
            return path
        return path if rel.startswith("..") else rel
    return os.path.normpath(path)


def _logical(path: str) -> str:
    """A relative path that does not exist from the process's directory
    but does from the shell's ($PWD): a wrapper changed directory under
    us (as `subprocess.run(cwd=...)` does), so take the user's meaning."""
    if os.path.isabs(path) or os.path.exists(path):
        return path
    shell = os.environ.get("PWD")
    if not shell or not os.path.isabs(shell):
        return path
    candidate = os.path.join(shell, path)
    return candidate if os.path.exists(candidate) else path


def _walk(src: SourceFile, by_file: dict[int, FileItems],
          exprs: list[tuple[TopExpr, DocComment | None]], rank: dict[int, int],
          ordered: list[tuple[TopExpr, DocComment | None]]) -> None:
    """Append the definitions of `src` to `ordered` in schema order, an
    included file's at its (first) include directive.  Not a closure: a
    recursive nested function is a reference cycle, which would keep the
    whole reader output alive until the cyclic collector ran."""
    for item in by_file[id(src)].items:
        if isinstance(item, IncludeItem):
            if item.file is not None and id(item.file) in by_file:
                _walk(item.file, by_file, exprs, rank, ordered)
        elif isinstance(item, TopExpr):
            ordered.append(exprs[rank[id(item.expr)]])


def load_schema(path: str, text: str | None = None,
                opener: FileOpener | None = None, *,
                include_root: str | None = None, docs: bool = True) -> Schema:
    """Read, check and model the schema at `path` and everything it
    includes.  Never raises for bad input: problems are in
    `Schema.diagnostics`, and the model holds whatever could be built.

    `text` stands in for the root file's contents; `opener` reads files
    from elsewhere than the file system (see `qapidoc.schema.gitsource`), and a
    path of the form ``git:REF:PATH`` picks the git opener itself.

    Files read from the file system must stay inside `include_root`
    (default: `qapidoc.core.inputs.schema_tree` of the root); git objects
    stay inside their repository.  ``docs=False`` leaves doc comments
    unparsed and unbound, for consumers of the wire protocol alone
    (compat, history): a load is about a third cheaper."""
    return _load(path, text, opener, include_root, docs)


@cycles_off
def _load(path: str, text: str | None, opener: FileOpener | None,
          include_root: str | None, docs: bool = True) -> Schema:
    if opener is None and text is None and path.startswith("git:"):
        from qapidoc.schema.gitsource import git_opener

        path, opener = git_opener(path)
        read = read_schema(path, text, opener)  # git stays in its repository
    else:
        if opener is None:
            path = display_path(_logical(path))
        read = read_schema(path, text, opener or read_text,
                           tree=include_root or schema_tree(path))
    diags: list[Diagnostic] = list(read.diagnostics)
    pragmas = _pragmas(read.pragmas.lists, read.pragmas.doc_required)
    builder = Builder(pragmas)
    builder.broken_names = read.broken_names
    anchor = read.root or SourceFile(path, "")
    builder.make_builtins(anchor)

    def parse(raw: RawDoc) -> tuple[DocComment, bool]:
        """The doc and whether it may be misread (see `parse_doc`)."""
        garbled: list[DocComment] = []
        doc = parse_doc(raw, diags, garbled)
        if garbled:
            builder.malformed.add(id(doc))
        return doc, bool(garbled)

    # Docs first: the model binds them to definitions and members.
    exprs: list[tuple[TopExpr, DocComment | None]] = []
    module_items: list[tuple[SourceFile, list[ModuleItem | TopExpr]]] = []
    for fi in read.files:
        items: list[ModuleItem | TopExpr] = []
        for item in fi.items:
            if isinstance(item, RawDoc):
                if not docs:
                    continue
                doc, _ = parse(item)
                if doc.symbol and not item.before_broken:
                    diags.append(DOC_BINDING.at(
                        doc.location,
                        f"documentation for '{doc.symbol}' is not followed by "
                        "the definition"))
                items.append(doc)
            elif isinstance(item, IncludeItem):
                items.append(Include(display_path(item.path), item.loc))
            else:
                bound: DocComment | None = None
                if item.doc is not None and docs:
                    doc, bad = parse(item.doc)
                    if doc.symbol is None:
                        if not bad:
                            diags.append(DOC_BINDING.at(
                                doc.location,
                                "definition documentation required"))
                        items.append(doc)
                    else:
                        bound = doc
                exprs.append((item, bound))
                items.append(item)
        module_items.append((fi.file, items))

    # Definitions in schema order: an included file's at its (first)
    # include directive.
    by_file = {id(fi.file): fi for fi in read.files}
    rank = {id(e.expr): i for i, (e, _) in enumerate(exprs)}
    ordered: list[tuple[TopExpr, DocComment | None]] = []
    if read.root is not None and id(read.root) in by_file:
        _walk(read.root, by_file, exprs, rank, ordered)
    exprs = ordered
    decls, expr_diags = check_expressions(
        [(e.expr, e.doc) for e, _ in exprs], read.pragmas)
    diags.extend(expr_diags)
    docs_by_expr = {id(e.expr): d for e, d in exprs}
    doc_broken = {id(e.expr) for e, _ in exprs if e.doc_broken}
    order: list[str] = []
    for decl in decls:
        bound = docs_by_expr.get(id(decl.expr))
        if decl.name in builder.decls:
            other = builder.describe(decl.name)
            builder.err(DUPLICATE_DEFINITION, decl.expr.items[0][1].loc,
                        f"{other} is already defined", decl)
            continue
        if builder.predefined(decl.name):
            builder.err(DUPLICATE_DEFINITION, decl.expr.items[0][1].loc,
                        f"'{decl.name}' is predefined by QAPI", decl)
            continue
        builder.decls[decl.name] = decl
        order.append(decl.name)
        if bound is not None:
            if not bound.symbol:
                pass  # "@:" already reported
            elif bound.symbol != decl.name:
                diags.append(DOC_BINDING.at(
                    bound.location,
                    f"documentation comment is for '{bound.symbol}'",
                    context=decl.loc, definition=decl.name))
            else:
                builder.docs[decl.name] = bound
        elif pragmas.doc_required and id(decl.expr) not in doc_broken:
            builder.err(DOC_BINDING, decl.loc, "documentation comment required",
                        decl)

    builder.resolve_arrays(builder.decls.values())
    builder.count_features(decls)
    for name in order:
        builder.build(name)
    definitions = [builder.built[n] for n in order if n in builder.built]
    for defn in definitions:
        builder.check_doc(defn)
    diags.extend(builder.diags)

    by_decl = {id(builder.decls[n].expr): builder.built.get(n) for n in order}
    modules: list[Module] = []
    for src, items in module_items:
        final: list[ModuleItem] = []
        for it in items:
            if isinstance(it, TopExpr):
                built = by_decl.get(id(it.expr))
                if built is not None:
                    final.append(built)
            else:
                final.append(it)
        modules.append(Module(src.path, src, tuple(final)))

    discard(read, exprs, decls, builder, module_items)
    by_name: dict[str, Definition] = dict(builder.builtins)
    by_name.update(builder.implicit)
    by_name.update((d.name, d) for d in definitions)
    return Schema(
        root=anchor.path,
        modules=tuple(modules),
        definitions=tuple(definitions),
        builtins=tuple(builder.builtins.values()),
        pragmas=pragmas,
        diagnostics=tuple(diags),
        by_name=by_name,
        implicit=tuple(builder.implicit.values()),
    )
