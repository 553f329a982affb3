"""Release history: the first release whose wire protocol has each item.

Takes releases as ``[(version, Schema), ...]``, oldest first; `first_seen`
maps every `WirePath` to the first version having it, and `History` lifts
that to the newest schema's definitions, members, values, branches and
features (an item is as old as the oldest path reaching it, so renamed
types keep their history).  Lint's version rules and the docs' "Changes
by version" page read it; ``qapidoc history`` prints it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qapidoc.compat.wire import WireNode, walk
from qapidoc.schema.model import AlternateType, Definition, EnumType, Schema, StructType, UnionType


def first_seen(releases: Sequence[tuple[str, Schema]]) -> dict[str, str]:
    """{wire path: first version having it}, for every path of every
    release (paths that disappeared later are kept)."""
    out: dict[str, str] = {}
    for version, schema in releases:
        for node in walk(schema):
            out.setdefault(node.path.text, version)
    return out


_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def release_key(text: str) -> tuple[int, int] | None:
    """(major, minor) of a version or Since text such as ``10.1``,
    ``10.1.0`` or ``2.12``; None if there is no version in it."""
    m = _VERSION.search(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


ItemKey = tuple[str, str | None]
"""(definition, member/value/branch/alternative name or None)."""


@dataclass(frozen=True)
class History:
    """First versions of the newest release's items.

    `items` maps (definition, None) for commands, events and types, and
    (definition, name) for members, enum values, branches and alternatives;
    `features` maps (definition, member or None, feature); `named` the
    first release having each definition's name.  `paths` are
    the newest release's wire paths; `gone` maps paths it no longer has to
    the last release having them.  Versions before
    the first one given are unknown: an item first seen in `versions[0]` is
    "that release or earlier"."""

    versions: tuple[str, ...]
    paths: dict[str, str]
    gone: dict[str, str]
    items: dict[ItemKey, str]
    features: dict[tuple[str, str | None, str], str]
    named: dict[str, str] = field(default_factory=dict)

    @property
    def oldest(self) -> str:
        return self.versions[0]

    def first(self, definition: str, member: str | None = None) -> str | None:
        return self.items.get((definition, member))

    def since_agrees(self, since: str, definition: str,
                     member: str | None = None) -> bool | None:
        """Whether a Since text agrees with history: the same release as
        the first one having the item, or any earlier release when that is
        the oldest known.  None when history has no such item or `since`
        names no version."""
        first = self.first(definition, member)
        claimed = release_key(since)
        if first is None or claimed is None:
            return None
        candidates = [first]
        if member is None and definition in self.named:
            # A type's Since may date its wire content or its name: a new
            # type wrapping old members, or a renamed one, can go either way.
            candidates.append(self.named[definition])
        return any(self._agrees(claimed, v) for v in candidates)

    def _agrees(self, claimed: tuple[int, int], version: str) -> bool:
        known = release_key(version)
        if known is None:
            return False
        return claimed <= known if version == self.oldest else claimed == known


def build_history(releases: Sequence[tuple[str, Schema]]) -> History:
    """History of the newest release in `releases` (oldest first)."""
    if not releases:
        raise ValueError("history needs at least one release")
    versions = tuple(v for v, _ in releases)
    order = {v: i for i, v in enumerate(versions)}
    seen = first_seen(releases)
    items: dict[ItemKey, str] = {}
    features: dict[tuple[str, str | None, str], str] = {}

    def note(key: ItemKey, version: str) -> None:
        old = items.get(key)
        if old is None or order[version] < order[old]:
            items[key] = version

    newest = releases[-1][1]
    owner: WireNode | None = None
    paths: dict[str, str] = {}
    for node in walk(newest):
        version = paths[node.path.text] = seen[node.path.text]
        if node.role == "feature":
            if owner is None:
                continue
            member = None if owner.role in ("command", "event") else owner.name
            fkey = (owner.definition, member, node.name)
            old = features.get(fkey)
            if old is None or order[version] < order[old]:
                features[fkey] = version
            continue
        owner = node
        if node.role in ("command", "event"):
            note((node.name, None), version)
        elif node.role != "returns":
            # A type is on the wire as soon as one of its parts is (a base
            # type is never named on its own).
            note((node.definition, node.name), version)
            note((node.definition, None), version)
        if node.type_name is not None:
            note((node.type_name, None), version)
    # Discriminator values are branches on the wire; their enum shares them.
    for d in newest.definitions:
        if isinstance(d, UnionType):
            disc = d.member(d.discriminator)
            enum = newest.resolve(disc.type) if disc is not None else None
            if isinstance(enum, EnumType):
                for v in enum.values:
                    branch_first = items.get((d.name, v.name))
                    if branch_first is not None:
                        note((enum.name, v.name), branch_first)
    # Types no command or event reaches: by name, and their parts too.
    for d in newest.definitions:
        if (d.name, None) in items:
            continue
        for version, schema in releases:
            other = schema.by_name.get(d.name)
            if other is None:
                continue
            note((d.name, None), version)
            for part in _parts(other):
                if part in _parts(d):
                    note((d.name, part), version)
    gone: dict[str, str] = {}
    for version, schema in releases[:-1]:
        for node in walk(schema):
            if node.path.text not in paths:
                gone[node.path.text] = version
    named: dict[str, str] = {}
    for version, schema in releases:
        for d in schema.definitions:
            named.setdefault(d.name, version)
    return History(versions, paths, gone, items, features, named)


def _parts(d: Definition) -> list[str]:
    """Names of the members, values, branches or alternatives of `d`."""
    if isinstance(d, EnumType):
        return [v.name for v in d.values]
    if isinstance(d, StructType):
        names = [m.name for m in d.members]
        if isinstance(d, UnionType):
            names += [b.name for b in d.branches]
        return names
    if isinstance(d, AlternateType):
        return [a.name for a in d.alternatives]
    return []
