"""One short sentence per wire change, for client authors.

Takes a change kind, the wire path that reaches it, its direction and the
details the differ found (types, values, features, conditions) and says
what changed in wire names — commands, events, argument and member paths,
discriminator values — never type names or tool jargon:
"`query-sev` now returns `handle` only when `sev-type` is `sev`."
Code is in backquotes, which Markdown shows as is and `compat.report`
turns into rST literals.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qapidoc.compat.wire import Direction
from qapidoc.core.record import record

_SEGMENT = re.compile(r"(\.|=|\||#)([^.=\[\]:|#]+)|(\[\])")


@record
class Place:
    """A wire path taken apart: the command or event, whether the path is
    in its return value, the member path below it (`target`, with
    discriminators and branch values removed), the branch conditions on
    the way (``(discriminator path, value)``), and a trailing enum value,
    alternative or feature."""

    root: str
    returns: bool
    target: str
    conditions: tuple[tuple[str, tuple[str, ...]], ...]
    value: str = ""
    feature: str = ""


def parse_place(path: str) -> Place:
    end = len(path)
    for sep in ".=[:|#":
        i = path.find(sep)
        if i >= 0:
            end = min(end, i)
    root, rest = path[:end], path[end:]
    returns = rest.startswith(":returns")
    if returns:
        rest = rest[len(":returns"):]
    segs = [(m.group(1) or "[]", m.group(2) or "") for m in _SEGMENT.finditer(rest)]
    pieces: list[str] = []
    conditions: list[tuple[str, tuple[str, ...]]] = []
    value = feature = ""
    for i, (kind, name) in enumerate(segs):
        later = [k for k, _ in segs[i + 1:] if k != "#"]
        if kind == ".":
            pieces.append(name)
        elif kind == "[]":
            if pieces:
                pieces[-1] += "[]"
            else:
                pieces.append("[]")
        elif kind == "|":
            if pieces:
                pieces[-1] += f"|{name}"
        elif kind == "#":
            feature = name
        elif later:  # a branch: the discriminator has this value
            conditions.append((".".join(pieces), (name,)))
            pieces.pop() if pieces else None
        else:
            value = name
    return Place(root, returns, ".".join(pieces), tuple(conditions), value, feature)


def _code(text: str) -> str:
    return f"`{text}`"


def _either(values: tuple[str, ...] | list[str]) -> str:
    codes = [_code(v) for v in values]
    if len(codes) <= 1:
        return "".join(codes)
    return ", ".join(codes[:-1]) + " or " + codes[-1]


@record
class _Words:
    """The pieces sentences are made of, for one change."""

    cmd: str  # `command`
    target: str  # `member.path` or ""
    when: str  # " when `x.type` is `socket`" or ""
    value: str  # `value` or ""
    verb: str  # accepts | returns | carries
    direction: Direction
    event: bool
    returns: bool
    element: bool = False  # the item is each element of a returned array

    def beside(self, name: str) -> str:
        """The path of member `name` of the object holding the target."""
        parent = self.target.strip("`").rpartition(".")[0]
        return f"{parent}.{name}" if parent else name

    @property
    def thing(self) -> str:
        """The item itself: `a.b` of `cmd`, or `cmd`."""
        if not self.target:
            if self.returns:
                return (f"Each element returned by {self.cmd}" if self.element
                        else f"The return value of {self.cmd}")
            return self.cmd
        if self.returns:
            return f"{self.target} returned by {self.cmd}"
        if self.event:
            return f"{self.target} in {self.cmd}"
        return f"{self.target} of {self.cmd}"

    @property
    def item(self) -> str:
        """What a feature or condition change is about: a value or the thing."""
        if self.value:
            return f"Value {self.value} of {self.thing[0].lower() + self.thing[1:]}"
        return self.thing

    @property
    def receive(self) -> str:
        return "carries" if self.event else "returns"

    @property
    def receive_infinitive(self) -> str:
        return "carry" if self.event else "return"


def _words(path: str, direction: Direction, args: tuple[str, ...],
           per_value: bool, event: bool) -> _Words:
    place = parse_place(path)
    conditions = list(place.conditions)
    if per_value and args:
        disc, values = args[0], args[1:]
        parent = place.target.rpartition(".")[0]
        disc_path = f"{parent}.{disc}" if parent else disc
        conditions = [c for c in conditions if c[0] != disc_path]
        conditions.append((disc_path, values))
    when = ""
    if conditions:
        when = " when " + " and ".join(f"{_code(p)} is {_either(v)}"
                                       for p, v in conditions)
    verb = "accepts" if direction is Direction.INPUT else (
        "carries" if event else "returns")
    target = place.target
    element = target.startswith("[]")  # in each element of a returned array
    if element:
        target = target[2:].lstrip(".")
        if target:
            when = " in each element" + when
    return _Words(_code(place.root), _code(target) if target else "",
                  when, _code(place.value) if place.value else "", verb, direction,
                  event, place.returns, element and not target)


_PER_VALUE = frozenset({"argument-removed", "member-removed", "optional-member-removed",
                        "argument-added", "mandatory-argument-added", "member-added"})


def _type_change(w: _Words, args: tuple[str, ...]) -> str:
    old, new, *what = args
    # a type can end up accepting no JSON value (an introspected alternate
    # made only of itself): say so rather than print nothing
    was = f" (was {old or 'no JSON value'}, now {new or 'no JSON value'})"
    if w.direction is Direction.INPUT:
        return f"{w.thing} no longer accepts {what[0] if what else new}{w.when}{was}."
    return f"{w.thing} may now be {what[0] if what else new}{w.when}{was}."


def _value_added(w: _Words) -> str:
    if w.direction is Direction.INPUT:
        return f"{w.cmd} accepts the new value {w.value} for {w.target}{w.when}."
    if w.direction is Direction.OUTPUT:
        return (f"{w.cmd} may {w.receive_infinitive} the new value "
                f"{w.value} for {w.target}{w.when}.")
    return f"{w.thing} has the new value {w.value}{w.when}."


def _flag(args: tuple[str, ...], now: bool) -> str:
    can = "can now" if now else "can no longer"
    if args[0] == "allow-oob":
        return f"{can} run out of band (`allow-oob`)"
    return f"{can} run before the machine is set up (`allow-preconfig`)"


def _condition(w: _Words, args: tuple[str, ...]) -> str:
    old, new = args
    if not new:
        return f"{w.item} is now in every build (it needed {old})."
    was = f" (before: {old})" if old else ""
    return f"{w.item} is now only in builds with {new}{was}."


_PHRASES: dict[str, Callable[[_Words, tuple[str, ...]], str]] = {
    "command-removed": lambda w, a: f"Command {w.cmd} was removed.",
    "command-added": lambda w, a: f"New command {w.cmd}.",
    "event-removed": lambda w, a: f"Event {w.cmd} was removed.",
    "event-added": lambda w, a: f"New event {w.cmd}.",
    "argument-removed": lambda w, a: f"{w.cmd} no longer accepts {w.target}{w.when}.",
    "argument-added": lambda w, a:
        f"{w.cmd} accepts the new optional argument {w.target}{w.when}.",
    "mandatory-argument-added": lambda w, a:
        f"{w.cmd} requires the new argument {w.target}{w.when}.",
    "argument-made-mandatory": lambda w, a: f"{w.cmd} now requires {w.target}{w.when}.",
    "argument-made-optional": lambda w, a: f"{w.thing} is now optional{w.when}.",
    "member-removed": lambda w, a: f"{w.cmd} no longer {w.receive} {w.target}{w.when}.",
    "optional-member-removed": lambda w, a:
        f"{w.cmd} no longer {w.receive} the optional {w.target}{w.when}.",
    "member-added": lambda w, a: (
        f"{w.cmd} may now {w.receive_infinitive} {w.target}{w.when}."
        if a[-1:] == ("optional",) else f"{w.cmd} now {w.receive} {w.target}{w.when}."),
    "member-made-optional": lambda w, a: f"{w.cmd} may now omit {w.target}{w.when}.",
    "member-made-mandatory": lambda w, a:
        f"{w.cmd} now always {w.receive} {w.target}{w.when}.",
    "now-conditional": lambda w, a: f"{w.cmd} now {w.verb} {w.target} only{w.when}.",
    "now-unconditional": lambda w, a:
        f"{w.cmd} now {w.verb} {w.target} in every case (before: only for some "
        f"values of {_code(w.beside(a[0]))}).",
    "enum-value-removed": lambda w, a:
        f"{w.cmd} no longer accepts {w.value} for {w.target}{w.when}.",
    "output-enum-value-removed": lambda w, a:
        f"{w.cmd} no longer {w.receive} {w.value} for {w.target}{w.when}.",
    "enum-value-added": lambda w, a: _value_added(w),
    "branch-removed": lambda w, a:
        f"{w.cmd} no longer accepts {w.value} for {w.target}{w.when}.",
    "output-branch-removed": lambda w, a:
        f"{w.cmd} no longer {w.receive} {w.value} for {w.target}{w.when}.",
    "branch-added": lambda w, a: _value_added(w),
    "discriminator-changed": lambda w, a:
        f"{w.thing} now picks its variant by {_code(a[1])} instead of "
        f"{_code(a[0])}{w.when}.",
    "type-changed": _type_change,
    "integer-range-changed": _type_change,
    "type-widened": lambda w, a:
        f"{w.thing} accepts {a[1]} where it took {a[0]}{w.when}; every old value "
        "still works.",
    "type-narrowed": lambda w, a:
        f"{w.thing} is now {a[1]} where it was {a[0]}{w.when}; every value was "
        "possible before.",
    "string-became-enum": lambda w, a:
        f"{w.thing} now accepts only {_either(a)}{w.when}.",
    "enum-became-string": lambda w, a:
        f"{w.thing} may now be any string{w.when}, not only the values of a fixed list.",
    "condition-changed": _condition,
    "condition-removed": _condition,
    "deprecated": lambda w, a: f"{w.item} is deprecated{w.when}.",
    "undeprecated": lambda w, a: f"{w.item} is no longer deprecated{w.when}.",
    "became-unstable": lambda w, a: f"{w.item} is now unstable{w.when}.",
    "stabilized": lambda w, a: f"{w.item} is now stable{w.when}.",
    "command-flag-removed": lambda w, a: f"{w.cmd} {_flag(a, False)}.",
    "command-flag-added": lambda w, a: f"{w.cmd} {_flag(a, True)}.",
    "success-response-changed": lambda w, a: (
        f"{w.cmd} now replies on success." if a[0] == "sends"
        else f"{w.cmd} no longer replies on success."),
    "feature-added": lambda w, a: f"{w.item} has the new feature {_code(a[0])}{w.when}.",
    "feature-removed": lambda w, a: f"{w.item} lost the feature {_code(a[0])}{w.when}.",
}


def phrase(kind: str, path: str, direction: Direction, args: tuple[str, ...],
           event: bool = False) -> str:
    """The sentence for one change (see module doc); `event` says the path
    starts at an event."""
    per_value = kind in _PER_VALUE or kind == "now-conditional"
    if kind in _PER_VALUE and args[:1] == ("optional",):
        per_value = False
    w = _words(path, direction, args, per_value, event)
    return _PHRASES[kind](w, args)
