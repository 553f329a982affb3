"""Names and anchors of QAPI objects: pure functions over schema names.

Anchor ids depend only on the namespace and the names, never on the
document; `QAPIObject` is the record the domain stores per object.
"""

from __future__ import annotations

from typing import NamedTuple

from qapidoc.core.allowlist import safe_id

#: Anchor infix per object type; struct and union share one on purpose.
ANCHOR_KINDS: dict[str, str] = {
    "module": "mod",
    "command": "cmd",
    "event": "event",
    "enum": "enum",
    "object": "obj",
    "union": "obj",
    "alternate": "alt",
    "member": "mem",
    "value": "val",
    "branch": "branch",
    "feature": "feat",
}
DEFINITION_TYPES = frozenset({"command", "event", "enum", "object", "union", "alternate"})
MEMBER_TYPES = frozenset({"member", "value", "branch", "feature"})

#: JSON-level type names that are never documented, so never warned about.
BUILTIN_TYPES = frozenset(
    {"any", "bool", "boolean", "int", "null", "number", "q_empty", "size", "str", "string"}
    | {"value", "QType"}
    | {f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)}
)

TYPE_ROLES = frozenset({"type", "any"})


def normal_version(version: str) -> str:
    """``10.2.0`` → ``10.2``: one spelling per release on badges, indexes
    and the changes page (a micro of 0 is the release itself)."""
    text = version.strip()
    parts = text.split(".")
    if len(parts) == 3 and parts[2] == "0" and all(p.isdigit() for p in parts):
        return f"{parts[0]}.{parts[1]}"
    return text


def definition_anchor(namespace: str, objtype: str, name: str) -> str:
    """Anchor id of a definition or module (schema text through `safe_id`)."""
    prefix = f"qapi-{safe_id(namespace)}." if namespace else "qapi-"
    return f"{prefix}{ANCHOR_KINDS[objtype]}-{safe_id(name)}"


def member_anchor(parent_anchor: str, objtype: str, name: str) -> str:
    """Anchor id of a member, value, branch or feature inside *parent_anchor*."""
    return f"{parent_anchor}.{ANCHOR_KINDS[objtype]}-{safe_id(name)}"


class QAPIObject(NamedTuple):
    """One documented entity as stored in the domain data."""

    docname: str
    node_id: str
    objtype: str
    namespace: str
    module: str
    #: ``Definition`` or ``Definition.member`` (nested: ``Union.branch.member``)
    name: str
    synopsis: str
    #: the ``:since:`` option, for the index and the changes page
    since: str = ""

    @property
    def fullname(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def key(self) -> tuple[str, str, str]:
        return _object_key(self.objtype, self.namespace, self.name)


def _object_key(objtype: str, namespace: str, name: str) -> tuple[str, str, str]:
    """Definitions share one key space whatever their kind; QAPI names are unique."""
    family = "definition" if objtype in DEFINITION_TYPES else objtype
    return family, namespace, name


class TypeRef(NamedTuple):
    """A reference target split into its parts and decorations."""

    namespace: str | None
    path: str
    is_array: bool
    optional: bool
    short: bool
    link: bool = True  # False for ``!Name``: a type with no description

    @property
    def target(self) -> str:
        return f"{self.namespace}:{self.path}" if self.namespace else self.path

    @property
    def title(self) -> str:
        if self.short:
            return self.path.rpartition(".")[2]
        return self.target


def parse_target(text: str) -> TypeRef:
    """Split ``~NS:module.Name``, ``[T]``, ``T?`` and ``!T`` (not linked)
    into a :class:`TypeRef`."""
    rest = text.strip()
    link = not rest.startswith("!")
    rest = rest.removeprefix("!")
    short = rest.startswith("~")
    rest = rest.removeprefix("~").strip()
    optional = rest.endswith("?")
    rest = rest.removesuffix("?").strip()
    is_array = len(rest) >= 2 and rest[0] == "[" and rest[-1] == "]"
    if is_array:
        rest = rest[1:-1].strip()
        if rest.startswith("~"):
            short, rest = True, rest[1:].strip()
    namespace: str | None = None
    if ":" in rest:
        namespace, _sep, rest = rest.partition(":")
    return TypeRef(namespace or None, rest, is_array, optional, short, link)
