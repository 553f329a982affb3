"""``@name`` in doc text: what a definition's documentation may name.

QEMU's doc comments write ``@name`` for the definition's own members,
arguments, values, branches and features — and also, as legitimate prose,
for members of what the definition uses: its return type, the element
type of a list it takes, its base, its branches, the types of its members
(all the way down), and definitions its text names (``The @threads option
in `SMPConfiguration```).  `References.resolve()` says which of these a
name is, or that it names a definition, a member of something unrelated,
or nothing.  Lint (QD204, QD208, QD209) and the Sphinx extension read it,
so that they agree on every reference.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator

from qapidoc.core.hints import NamedTuple
from qapidoc.core.lazy import lazy
from qapidoc.schema.model import (
    NAMED_SECTIONS,
    AlternateType,
    Command,
    Definition,
    DocComment,
    EnumType,
    Event,
    Schema,
    StructType,
    TypeRef,
    UnionType,
)

AT_REF = re.compile(r"(?<![\w@`.'\"\\/:])@([A-Za-z_](?:[\w.+-]*\w)?)")
"""``@name`` in doc text: not inside a word, an e-mail address, quotes
(``"@dbus-display"`` is a protocol name) or a path."""

_BACKTICKED = re.compile(r"(?<!`)`([A-Za-z][\w.-]*)`(?!`)")
_INLINE_LITERAL = lazy(r"``.*?``")


class Kind(enum.Enum):
    """What ``@name`` turned out to name."""

    OWN = "own"  # a member, value, branch or feature of the definition
    REACHABLE = "reachable"  # one of something the definition uses or names
    NEAR_MISS = "near-miss"  # nothing, but close to one of its own names
    DEFINITION = "definition"  # a definition, which `Name` would link
    FOREIGN = "foreign"  # a member of an unrelated definition
    NOWHERE = "nowhere"  # nothing in the schema


class Resolution(NamedTuple):
    kind: Kind
    hints: tuple[str, ...] = ()
    """Own names it is close to (NEAR_MISS), definitions having it
    (FOREIGN), or close definition names (NOWHERE)."""


class Reference(NamedTuple):
    """``@name`` at column `col` (0-based) of a doc line's text."""

    line: int
    col: int
    name: str


_CALLS = (Command, Event)
"""What has arguments (a tuple: ``Command | Event`` makes a union per test)."""


def _names_of(t: Definition) -> set[str]:
    """One level: members, values, branches and features of a definition."""
    out = {f.name for f in t.features}
    if isinstance(t, _CALLS):
        for m in t.arguments:
            out.add(m.name)
            if m.features:
                out.update(f.name for f in m.features)
    elif isinstance(t, StructType):
        for m in t.members:
            out.add(m.name)
            if m.features:
                out.update(f.name for f in m.features)
        if isinstance(t, UnionType):
            out.update(b.name for b in t.branches)
    elif isinstance(t, EnumType):
        for v in t.values:
            out.add(v.name)
            if v.features:
                out.update(f.name for f in v.features)
    elif isinstance(t, AlternateType):
        out.update(b.name for b in t.alternatives)
    return out


def _uses(t: Definition) -> Iterator[TypeRef]:
    """The types a definition refers to directly."""
    if isinstance(t, _CALLS):
        if t.arg_type is not None:
            yield t.arg_type
        for m in t.arguments:
            yield m.type
        if isinstance(t, Command) and t.returns is not None:
            yield t.returns
    elif isinstance(t, StructType):
        if t.base is not None:
            yield t.base
        for m in t.members:
            yield m.type
        if isinstance(t, UnionType):
            for b in t.branches:
                yield b.type
    elif isinstance(t, AlternateType):
        for b in t.alternatives:
            yield b.type


def doc_references(doc: DocComment, skip: set[int]) -> Iterator[Reference]:
    """Every ``@name`` in a doc comment outside inline literals, member
    tags and the lines in `skip` (literal blocks, TODO sections)."""
    tags = {s.location.line for s in doc.sections
            if s.kind in NAMED_SECTIONS}
    tags.add(doc.location.line + 1)  # the "@symbol:" line
    for ln in doc.lines:
        text = ln.text
        if "@" not in text or ln.line in skip:
            continue
        if text[0] == "@" and ln.line in tags:
            colon = text.find(":")
            if colon >= 0 and text.find("@", colon + 1) < 0:
                continue  # the tag alone, as on most such lines
            text = " " * (colon + 1) + text[colon + 1:]
        if "``" in text:
            text = _INLINE_LITERAL.sub(lambda m: " " * len(m.group(0)), text)
        for m in AT_REF.finditer(text):
            yield Reference(ln.line, m.start(), m.group(1))


class References:
    """Resolves ``@name`` for the definitions of one schema (cached)."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._own: dict[str, frozenset[str]] = {}
        self._closure: dict[str, frozenset[str]] = {}
        self._owners: dict[str, list[str]] | None = None
        self._names: dict[int, tuple[Definition, frozenset[str]]] = {}
        self._named: dict[int, tuple[DocComment, list[Definition]]] = {}
        self._by_form: dict[str, list[str]] | None = None
        self._by_length: dict[int, list[str]] | None = None

    def names_of(self, t: Definition) -> frozenset[str]:
        """`_names_of`, once per definition: closures share most types.
        (Keyed by identity, the definition kept so the key stays its.)"""
        found = self._names.get(id(t))
        if found is None:
            found = self._names[id(t)] = (t, frozenset(_names_of(t)))
        return found[1]

    def own(self, d: Definition) -> frozenset[str]:
        """What ``@name`` may name in `d`'s documentation as its own: its
        members, arguments, values, branches and features, those of an
        argument type and of every level of a union, and what its doc
        comment describes."""
        found = self._own.get(d.name)
        if found is None:
            out = _names_of(d)
            if isinstance(d, _CALLS) and d.arg_type is not None:
                arg = self.schema.resolve(d.arg_type)
                if arg is not None:
                    out |= self._union_names(arg, set())
            if isinstance(d, UnionType):
                out |= self._union_names(d, set())
            if d.doc is not None:
                out.update(s.name for s in d.doc.sections
                           if s.kind in NAMED_SECTIONS)
            found = self._own[d.name] = frozenset(out)
        return found

    def _union_names(self, t: Definition, seen: set[str]) -> set[str]:
        if t.name in seen:
            return set()
        seen.add(t.name)
        out = _names_of(t)
        if isinstance(t, UnionType):
            for b in t.branches:
                bt = self.schema.resolve(b.type)
                if bt is not None:
                    out |= self._union_names(bt, seen)
        return out

    def reachable(self, d: Definition) -> frozenset[str]:
        """Names of everything `d` uses, all the way down: return type,
        list elements, base, branches and member types."""
        found = self._closure.get(d.name)
        if found is None:
            out: set[str] = set()
            seen = {d.name}
            todo = [d]
            while todo:
                t = todo.pop()
                out |= self.names_of(t)
                for ref in _uses(t):
                    u = self.schema.resolve(ref)
                    if u is not None and u.name not in seen:
                        seen.add(u.name)
                        todo.append(u)
            found = self._closure[d.name] = frozenset(out)
        return found

    def named_in(self, doc: DocComment) -> list[Definition]:
        """Definitions the doc comment's text names, as `Name` or @Name
        (once per doc comment, kept with it as `names_of` keeps its key)."""
        found = self._named.get(id(doc))
        if found is None:
            found = self._named[id(doc)] = (doc, self._named_in(doc))
        return found[1]

    def _named_in(self, doc: DocComment) -> list[Definition]:
        out: list[Definition] = []
        for ln in doc.lines:
            text = ln.text
            for rx in (_BACKTICKED, AT_REF) if "`" in text or "@" in text else ():
                for m in rx.finditer(text):
                    t = self.schema.get(m.group(1))
                    if t is not None and t not in out:
                        out.append(t)
        return out

    def _owners_of(self, name: str) -> list[str]:
        if self._owners is None:
            owners: dict[str, list[str]] = {}
            get = owners.get
            for t in self.schema.definitions:  # all of them: not kept in `_names`
                owner = t.name
                for n in _names_of(t):
                    found = get(n)
                    if found is None:
                        owners[n] = [owner]
                    else:
                        found.append(owner)
            self._owners = owners
        return self._owners.get(name, [])

    def resolve(self, d: Definition, name: str) -> Resolution:
        """What ``@name`` in `d`'s documentation names."""
        own = self.own(d)
        if name in own:
            return Resolution(Kind.OWN)
        if name in self.reachable(d):
            return Resolution(Kind.REACHABLE)
        if d.doc is not None:
            for t in self.named_in(d.doc):
                if t is not d and (name in self.names_of(t) or name in self.reachable(t)):
                    return Resolution(Kind.REACHABLE)
            if any(_mentions(d.doc.text, owner) for owner in self._owners_of(name)
                   if owner != d.name):
                return Resolution(Kind.REACHABLE)
        if "." in name and self._dotted(d, name):
            return Resolution(Kind.REACHABLE)
        near = near_names(name, own)
        if near:
            return Resolution(Kind.NEAR_MISS, near)
        if name in self.schema:
            return Resolution(Kind.DEFINITION)
        owners = self._owners_of(name)
        if owners:
            return Resolution(Kind.FOREIGN, tuple(owners))
        return Resolution(Kind.NOWHERE, self._near_definitions(name))

    def _dotted(self, d: Definition, name: str) -> bool:
        """``@KeyValue.qcode`` or ``@class_info.desc`` (QEMU's older
        releases): each part names a member or branch of what the part
        before it holds, the first of `d` or a definition itself."""
        first, *rest = name.split(".")
        t = self.schema.get(first) or self._holder(d, first)
        for part in rest:
            if t is None or part not in self.own(t):
                return False
            t = self._holder(t, part)
        return True

    def _holder(self, t: Definition, part: str) -> Definition | None:
        """The definition member or branch `part` of `t` holds."""
        if isinstance(t, _CALLS):
            m = t.argument(part)
        elif isinstance(t, StructType):
            m = t.member(part)
        else:
            return None
        if m is not None:
            return self.schema.resolve(m.type)
        if isinstance(t, UnionType):
            for b in t.branches:
                if b.name == part:
                    return self.schema.resolve(b.type)
        return None

    def _near_definitions(self, name: str) -> tuple[str, ...]:
        """``near_names(name, <documented definitions>, parts=False)``,
        the plural test a look-up in an index made once."""
        if self._by_form is None:
            self._by_form = {}
            for t in self.schema.definitions:
                if t.module:
                    self._by_form.setdefault(_form(t.name), []).append(t.name)
        low = _form(name)
        out = [n for plural in ("s", "es") if low.endswith(plural)
               for n in self._by_form.get(low[:-len(plural)], ())]
        if not out and len(name) >= 5:
            if self._by_length is None:
                self._by_length = _by_length(n for ns in self._by_form.values() for n in ns)
            out = _close(name, self._by_length)
        return tuple(sorted(out))


def _mentions(text: str, name: str) -> bool:
    """Whether `text` names the definition `name` as a plain word (``The
    @threads option in SMPConfiguration``, as QEMU wrote before it marked
    such names up)."""
    return name in text and re.search(
        rf"(?<![\w@`.-]){re.escape(name)}(?![\w`-])", text) is not None


_CLOSE = 0.85
"""How alike (`difflib`'s ratio) a name must be to be suggested."""


def _form(name: str) -> str:
    return name.lower().replace("_", "-")


def near_names(name: str, names: frozenset[str] | list[str],
               parts: bool = True) -> tuple[str, ...]:
    """Names `name` is probably a slip for: with `parts`, it starts or ends
    one at a ``-`` or ``_`` (``node`` for ``node-name``); it is its plural;
    or it is one or two edits away."""
    low = _form(name)
    out = []
    for n in names:
        other = _form(n)
        if other == low:
            continue
        if (parts and (other.startswith(low + "-") or other.endswith("-" + low))) or (
                low in (other + "s", other + "es")):
            out.append(n)
    if not out and len(name) >= 5:
        out = _close(name, _by_length(names))
    return tuple(sorted(out))


def _by_length(names: Iterable[str]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for n in names:
        out.setdefault(len(n), []).append(n)
    return out


def _close(name: str, by_length: dict[int, list[str]]) -> list[str]:
    """`difflib.get_close_matches` (three at most) among names grouped by
    length, handed only those that may pass its quick tests: on lengths
    alone (per group), and on the characters two names share, which are at
    most the other's length less one for each character of it that `name`
    lacks; then on the characters they share counted with repeats, its
    second test (`quick_ratio`).  Its result does not depend on the order
    of the names.  Most misspelt references have no near name at all:
    `difflib` is imported only when one passes those tests."""
    size = len(name)
    chars = set(name)
    likely = [n for length, group in by_length.items()
              if 2.0 * min(size, length) / (size + length) >= _CLOSE
              for n in group
              if 2.0 * min(size, length - len(set(n).difference(chars)))
              / (size + length) >= _CLOSE
              and 2.0 * sum(min(name.count(c), n.count(c)) for c in chars)
              / (size + length) >= _CLOSE]
    if not likely:
        return []
    import difflib

    return difflib.get_close_matches(name, likely, n=3, cutoff=_CLOSE)
