"""Where each documented element appears on the wire, for lint.

Takes a `Schema`, walks it with `qapidoc.compat.wire.walk()` and maps every
element lint documents (definition, member, value, branch, feature) to the
wire paths it occupies, so "new since the previous release" survives type
renames and moved members.  Used by the version rules (`lint.versions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qapidoc.compat.wire import WireNode, walk
from qapidoc.core.record import field, record
from qapidoc.schema.model import AlternateType, Schema, StructType

ElementKey = tuple[str, ...]
"""("definition", D) | ("member", D, m) | ("value", E, v) |
("branch", U, b) | ("feature", D, f) | ("feature", D, m, f)."""

_OBJECT = "{}"
"""Appended to a command's, event's or branch's path: the object it holds
(arguments, event data, branch members), which is not the command, event
or discriminator value itself."""


@record(frozen=False, slots=False)
class WireIndex:
    """Element → the wire paths it occupies, and every path."""

    elements: dict[ElementKey, set[str]] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)


def _place(node: WireNode) -> str:
    """The path of the value `node` holds (apart from the command's, event's
    or discriminator value's own): a type with no members, values or
    branches (alternate, empty struct) lies there, as do a struct's own
    features."""
    if node.role in ("command", "event", "branch"):
        return node.path.text + _OBJECT
    return node.path.text


def wire_index(schema: Schema) -> WireIndex:
    """Every wire path of the schema's commands and events.  A type is
    where its members, values and branches are."""
    elements: dict[ElementKey, set[str]] = {}

    def add(key: ElementKey, path: str) -> None:
        found = elements.get(key)
        if found is None:
            elements[key] = {path}
        else:
            found.add(path)

    marked: tuple[str, ...] = ()  # the member or value that features mark
    for node in walk(schema):
        path = node.path.text
        role = node.role
        if role == "feature":
            add(("feature", node.definition, *marked, node.name), path)
            continue
        marked = ()
        if role == "member":
            marked = (node.name,)
            add(("member", node.definition, node.name), path)
            if node.owner is not None:
                add(("definition", node.owner), path)
        elif role == "value" or role == "branch":
            assert node.owner is not None
            marked = (node.name,)
            add(("value", node.owner, node.name), path)
            add(("definition", node.owner), path)
            if role == "branch" and node.type_name is not None:
                add(("branch", node.definition, node.name), _place(node))
                add(("definition", node.definition), _place(node))
        elif role == "command" or role == "event":
            add(("definition", node.name), path)
        t = schema.get(node.type_name) if node.type_name is not None else None
        if isinstance(t, StructType):
            for f in t.features:
                add(("feature", t.name, f.name), f"{_place(node)}#{f.name}")
        if isinstance(t, AlternateType) or (isinstance(t, StructType) and not t.members):
            add(("definition", t.name), _place(node))
    return WireIndex(elements, set().union(*elements.values()))


_BRANCH = re.compile(r"\.[^.=\[\]|:#{}]+=[^.=\[\]|:#{}]+(?=[.\[|#])")
"""A discriminator and its value with members below (``.sev-type=sev`` in
``query-sev:returns.sev-type=sev.policy``): a branch's members are in the
same JSON object as the union's own."""


def _unbranched(path: str) -> str:
    return _BRANCH.sub("", path) if "=" in path else path


def new_and_old(new: WireIndex, old: WireIndex) -> Iterator[tuple[ElementKey, bool]]:
    """Each element of `new` with whether it is new: none of its paths
    existed in `old`, not even with the union branches that lead to them
    left out (a member a struct had unconditionally that a union's branch
    has now, as SevInfo's ``policy`` in 9.1, was there for clients
    before; one another branch had was not)."""
    for key, paths in new.elements.items():
        if not paths.isdisjoint(old.paths):
            yield key, False
        elif key[0] == "branch":
            yield key, True
        else:
            yield key, all(_unbranched(p) not in old.paths for p in paths)
