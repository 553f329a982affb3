"""Release history: the first release whose wire protocol has each item.

Takes releases as ``[(version, Schema), ...]`` (sorted by version); `first_seen`
maps every `WirePath` to the first version having it, and `History` lifts
that to the newest schema's definitions, members, values, branches and
features (an item is as old as the oldest path reaching it, so renamed
types keep their history).  Lint's version rules and the docs' "Changes
by version" page read it; ``qapidoc history`` prints it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from qapidoc.compat.wire import WireNode, arguments_of, unchecked_commands, walk
from qapidoc.core.config import in_window
from qapidoc.core.record import field, record
from qapidoc.schema.model import (
    AlternateType,
    Definition,
    EnumType,
    Schema,
    StructType,
    UnionType,
)


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


@record(slots=False)
class History:
    """First versions of the newest release's items.

    `items` maps (definition, None) for commands, events and types, and
    (definition, name) for members, enum values, branches and alternatives;
    `features` maps (definition, member or None, feature); `named` the
    first release having each definition's name.  `paths` are
    the newest release's wire paths; `gone` maps paths it no longer has to
    the last release having them.  Versions before
    the first one given are unknown: an item first seen in `versions[0]` is
    "that release or earlier", and so is an item in `unbounded`, first
    described in arguments an earlier release took undescribed.  `stable`
    has the first release reaching an item by a stable path, where that
    is later than its first."""

    versions: tuple[str, ...]
    paths: dict[str, str]
    gone: dict[str, str]
    items: dict[ItemKey, str]
    features: dict[tuple[str, str | None, str], str]
    named: dict[str, str] = field(default_factory=dict)
    unbounded: frozenset[ItemKey] = frozenset()
    stable: dict[ItemKey, str] = field(default_factory=dict)

    @property
    def oldest(self) -> str:
        return self.versions[0]

    def first(self, definition: str, member: str | None = None) -> str | None:
        return self.items.get((definition, member))

    def since_agrees(self, since: str, definition: str,
                     member: str | None = None) -> bool | None:
        """Whether a Since text agrees with history: a release after the
        one given before the item's first (its window), or any earlier
        release when nothing bounds it; the window of the release that made
        it stable too.  None when history has no such item or `since` names
        no version."""
        first = self.first(definition, member)
        claimed = release_key(since)
        if first is None or claimed is None:
            return None
        if (definition, member) in self.unbounded:
            known = release_key(first)
            if known is not None and claimed <= known:
                return True
        candidates = [first]
        if (definition, member) in self.stable:
            # QEMU dates what it made stable (x-foo → foo) from then.
            candidates.append(self.stable[definition, member])
        if member is None and definition in self.named:
            # A type's Since may date its wire content or its name: a new
            # type wrapping old members, or a renamed one, can go either way.
            candidates.append(self.named[definition])
        return any(self._agrees(claimed, v) for v in candidates)

    def previous(self, version: str) -> str | None:
        """The release given before `version`; None for the oldest."""
        at = self.versions.index(version)
        return self.versions[at - 1] if at else None

    def after(self, item: ItemKey) -> str | None:
        """The release the item came after: the one given before its first,
        None when nothing bounds it (the oldest, or `unbounded`)."""
        first = self.items.get(item)
        if first is None or item in self.unbounded:
            return None
        return self.previous(first)

    def _agrees(self, claimed: tuple[int, int], version: str) -> bool:
        """Releases between the one before `version` (exclusive) and
        `version` all agree: with releases skipped (3.0, then 5.2), an item
        first seen in 5.2 may date from 4.0."""
        known = release_key(version)
        if known is None:
            return False
        before = self.previous(version)
        if before is None:
            return claimed <= known
        return in_window(claimed, release_key(before), known)


_NUMBERS = re.compile(r"\d+")
_SEPARATORS = frozenset(".=[|#:")
_Branches = frozenset[tuple[str, str]]
_K = TypeVar("_K")
_NO_BRANCHES: _Branches = frozenset()


def version_key(text: str) -> tuple[int, ...] | None:
    """Every number of a release name, for ordering (``10.1.0`` →
    ``(10, 1, 0)``); None when there is none."""
    numbers = _NUMBERS.findall(text)
    return tuple(int(n) for n in numbers) if numbers else None


def sort_releases(releases: Sequence[tuple[str, Schema]]) -> list[tuple[str, Schema]]:
    """`releases` oldest first by version; in the order given if some
    version has no number in it."""
    keys = [version_key(v) for v, _ in releases]
    if any(k is None for k in keys):
        return list(releases)
    order = sorted(range(len(releases)), key=lambda i: keys[i] or ())
    return [releases[i] for i in order]


def _unbranched(nodes: Sequence[WireNode]) -> list[tuple[str, _Branches]]:
    """Each node's path with its branch selections taken out, and those
    selections as (discriminator path, value) pairs: ``q.d=v.m`` is member
    ``q.m`` for value ``v`` of ``q.d``.  A member that moves between a
    union's base and its branches keeps its unbranched path, and a member
    the object had for every value matches it for each value."""
    out: list[tuple[str, _Branches]] = []
    # (path, unbranched path for children, selections, member name)
    stack: list[tuple[str, str, _Branches, str]] = []
    for node in nodes:
        p = node.path.text
        while stack:
            top = stack[-1][0]
            if len(p) > len(top) and p.startswith(top) and p[len(top)] in _SEPARATORS:
                break
            stack.pop()
        if stack:
            parent, base, chosen, parent_name = stack[-1]
            seg = p[len(parent):]
            key = base + seg
        else:
            parent, base, chosen, parent_name = "", "", _NO_BRANCHES, ""
            seg, key = p, p
        out.append((key, chosen))
        if node.role == "branch" and stack and base.endswith("." + parent_name):
            holder = base[:-len(parent_name) - 1]
            stack.append((p, holder, chosen | {(base, node.name)}, node.name))
        else:
            stack.append((p, key, chosen, node.name))
    return out


def _comparable(a: _Branches, b: _Branches) -> bool:
    return a <= b or b <= a


def build_history(releases: Sequence[tuple[str, Schema]]) -> History:
    """History of the newest release in `releases`, which are sorted by
    version first (see `sort_releases`).

    A wire item is as old as the first release having it at the same
    unbranched path for a value it is selected by now, or for every value:
    members moved between a union's base and its branches, or into the
    branches of a new discriminator, keep their first release."""
    if not releases:
        raise ValueError("history needs at least one release")
    releases = sort_releases(releases)
    versions = tuple(v for v, _ in releases)
    order = {v: i for i, v in enumerate(versions)}
    walked = [list(walk(schema)) for _, schema in releases]
    keyed = [_unbranched(nodes) for nodes in walked]
    by_key: dict[str, dict[_Branches, str]] = {}
    by_stable_key: dict[str, dict[_Branches, str]] = {}
    for release, nodes, keys in zip(versions, walked, keyed, strict=True):
        for node, (key, chosen) in zip(nodes, keys, strict=True):
            by_key.setdefault(key, {}).setdefault(chosen, release)
            if not node.unstable:
                by_stable_key.setdefault(key, {}).setdefault(chosen, release)

    def first(key: str, chosen: _Branches,
              table: dict[str, dict[_Branches, str]] = by_key) -> str | None:
        known = table.get(key, {})
        if len(known) == 1:
            return known.get(chosen)
        found = [v for c, v in known.items() if _comparable(c, chosen)]
        return min(found, key=order.__getitem__) if found else None

    items: dict[ItemKey, str] = {}
    features: dict[tuple[str, str | None, str], str] = {}
    unbounded: set[ItemKey] = set()
    stable: dict[ItemKey, str] = {}
    # What a release describes in arguments an earlier one took
    # undescribed has no lower bound (`unbounded`): command → first such.
    unchecked: dict[str, int] = {}
    for at, (_, schema) in enumerate(releases[:-1]):
        for name in unchecked_commands(schema):
            unchecked.setdefault(name, at)

    def earliest(table: dict[_K, str], key: _K, version: str) -> bool:
        """Keep `version` for `key` if it is the first seen; whether it is."""
        old = table.get(key)
        if old is None or order[version] < order[old]:
            table[key] = version
            return True
        return False

    def note(key: ItemKey, version: str, bounded: bool = True) -> None:
        if earliest(items, key, version):
            unbounded.discard(key)
        elif items[key] != version:
            return
        if not bounded:
            unbounded.add(key)

    newest = releases[-1][1]
    owner: WireNode | None = None
    paths: dict[str, str] = {}
    for node, (key, chosen) in zip(walked[-1], keyed[-1], strict=True):
        found = first(key, chosen)
        assert found is not None
        version = paths[node.path.text] = found
        became_stable = None if node.unstable else first(key, chosen, by_stable_key)
        since = unchecked.get(arguments_of(node.path.text) or "")
        bounded = since is None or since >= order[version]
        if node.role == "feature":
            if owner is None:
                continue
            member = None if owner.role in ("command", "event") else owner.name
            earliest(features, (owner.definition, member, node.name), version)
            continue
        owner = node
        reached: list[ItemKey] = []
        if node.role in ("command", "event"):
            reached.append((node.name, None))
        elif node.role != "returns":
            # A type is on the wire as soon as one of its parts is (a base
            # type is never named on its own).
            reached += [(node.definition, node.name), (node.definition, None)]
        if node.type_name is not None:
            reached.append((node.type_name, None))
        for item in reached:
            note(item, version, bounded)
            if became_stable is not None:
                earliest(stable, item, became_stable)
    # Discriminator values are branches on the wire; their enum shares them.
    for d in newest.definitions:
        if isinstance(d, UnionType):
            disc = d.member(d.discriminator)
            enum = newest.resolve(disc.type) if disc is not None else None
            if isinstance(enum, EnumType):
                for v in enum.values:
                    branch_first = items.get((d.name, v.name))
                    if branch_first is not None:
                        note((enum.name, v.name), branch_first,
                             (d.name, v.name) not in unbounded)
    # By name, and their parts too: types no command or event reaches, and
    # types that were in the schema before a command reached them (options
    # of -audiodev or -object are interface before query-audiodevs is).
    for d in newest.definitions:
        parts = set(_parts(d))
        for version, schema in releases:
            other = schema.by_name.get(d.name)
            if other is None:
                continue
            note((d.name, None), version)
            for part in _parts(other):
                if part in parts:
                    note((d.name, part), version)
    now: dict[str, set[_Branches]] = {}
    for key, chosen in keyed[-1]:
        now.setdefault(key, set()).add(chosen)
    gone: dict[str, str] = {}
    for version, nodes, keys in zip(versions[:-1], walked, keyed, strict=False):
        for node, (key, chosen) in zip(nodes, keys, strict=True):
            there = now.get(key)
            if there is None or (chosen not in there and not any(
                    _comparable(c, chosen) for c in there)):
                gone[node.path.text] = version
    named: dict[str, str] = {}
    for version, schema in releases:
        for d in schema.definitions:
            named.setdefault(d.name, version)
    stable = {k: v for k, v in stable.items() if v != items.get(k)}
    return History(versions, paths, gone, items, features, named, frozenset(unbounded),
                   stable)


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
