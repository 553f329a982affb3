"""Naming rules (QD5xx): advice beyond the naming rules QEMU enforces.

QEMU's checker already enforces the specification's case rules (front-end
code QA102).  These add the ``x-`` convention that feature ``unstable``
replaced, and advisory checks on runs of capitals and abbreviations.
"""

from __future__ import annotations

from collections.abc import Iterator

from qapidoc.core.lazy import lazy
from qapidoc.core.source import Location, Severity
from qapidoc.lint.engine import Finding, LintContext, lint_rule
from qapidoc.schema.model import (
    Command,
    Definition,
    EnumType,
    EnumValue,
    Event,
    Feature,
    Member,
    StructType,
)


def _named(ctx: LintContext) -> Iterator[tuple[str, str, Location, str,
                                               str | None,
                                               tuple[Feature, ...]]]:
    """(role, name, location, definition, member, features) of every name
    a client sees, with the features that apply to it."""
    for d in ctx.definitions:
        yield d.kind.value, d.name, d.location, d.name, None, d.features
        role, own = _own(d)
        for m in own:
            yield role, m.name, m.location, d.name, m.name, m.features + d.features


def _own(d: Definition) -> tuple[str, tuple[Member | EnumValue, ...]]:
    """The role and names of what a definition itself declares."""
    if isinstance(d, StructType):
        return "member", d.own_members
    if isinstance(d, Command | Event) and d.arg_type is None:
        return "member", d.arguments
    if isinstance(d, EnumType):
        return "value", d.values
    return "member", ()


@lint_rule("QD501", qemu_from="6.2")
def experimental_prefix(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A name starting with ``x-`` (``X_`` for events) whose definition or
        member does not carry feature ``unstable``.

    Why it matters:
        The ``x-`` prefix used to mean "experimental"; feature
        ``unstable`` replaced it and is what clients and
        ``-compat unstable-input=reject`` actually look at.

    What QEMU does:
        Marked every experimental ``x-`` name ``unstable`` in 6.2, except
        names stable by decision (``x-use-canonical-path-for-ramblock-id``)
        and ``x-origin``, an x coordinate beside ``y-origin``.  A member
        ``x-FOO`` with a sibling ``y-FOO`` is taken as a coordinate; list
        the other stable names in ``stable-x-names`` (``NAME`` or
        ``Definition.NAME``).

    Example:
        ##
        # @x-ping:
        #
        # Since: 9.0
        ##
        { 'command': 'x-ping' }

    Use instead:
        ##
        # @x-ping:
        #
        # Features:
        #
        # @unstable: This command is experimental.
        #
        # Since: 9.0
        ##
        { 'command': 'x-ping', 'features': [ 'unstable' ] }
    """
    stable = set(ctx.config.stable_x_names)
    prefixed = ("x-", "X_")
    for d in ctx.definitions:  # `_named`, but only x- names cost anything
        defn = d.name
        role, own = _own(d)
        marked: list[tuple[str, str, Location, str | None, tuple[Feature, ...]]] = [
            (d.kind.value, defn, d.location, None, d.features)] if (
            defn.startswith(prefixed)) else []
        marked += [(role, m.name, m.location, m.name, m.features + d.features)
                   for m in own if m.name.startswith(prefixed)]
        for what, name, loc, member, feats in marked:
            if name in stable or f"{defn}.{name}" in stable:
                continue
            if member is not None and any(m.name == "y-" + name[2:] for m in own):
                continue  # a coordinate, not the experimental prefix
            if not any(f.name == "unstable" for f in feats):
                yield Finding(loc, f"{what} '{name}' has the experimental prefix "
                              "'x-' but no feature 'unstable'", definition=defn,
                              member=member)


def _renameable(ctx: LintContext, defn: str, member: str | None) -> bool:
    """Whether a name can still be changed: a type name (not on the wire),
    or, given ``--against``, a wire name the previous release did not have."""
    d = ctx.schema.get(defn)
    if member is None and d is not None and d.kind.is_type:
        return True
    if ctx.against is None:
        return False
    old = ctx.against.get(defn)
    if old is None or member is None:
        return old is None
    return member not in _member_names(old)


def _member_names(d: Definition) -> set[str]:
    if isinstance(d, EnumType):
        return {v.name for v in d.values}
    if isinstance(d, StructType):
        return {m.name for m in d.members}
    if isinstance(d, Command | Event):
        return {m.name for m in d.arguments}
    return set()


_CAPITAL_RUN = lazy(r"[A-Z]{3,}(?=[a-z])|[A-Z]{4,}$")


@lint_rule("QD502", severity=Severity.INFO, preset="strict")
def capital_run(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A type name with a run of capitals (an acronym written in full
        capitals), such as ``VNCInfo``.

    Why it matters:
        CamelCase word boundaries disappear in runs of capitals; QEMU's
        newer names write acronyms as words (``VncInfo``).

    What QEMU does:
        Writes newer type names with acronyms as words (``VncInfo``) but
        keeps older ones; type names are not on the wire, so they can
        still change.  Advice for the strict preset.

    Example:
        ##
        # @VNCInfo:
        #
        # @port: the port
        #
        # Since: 9.0
        ##
        { 'struct': 'VNCInfo', 'data': { 'port': 'int' } }

    Use instead:
        ##
        # @VncInfo:
        #
        # @port: the port
        #
        # Since: 9.0
        ##
        { 'struct': 'VncInfo', 'data': { 'port': 'int' } }
    """
    for d in ctx.definitions:
        if d.kind.is_type and _CAPITAL_RUN.search(d.name.lstrip("_")):
            yield Finding(d.location, f"{d.describe()}: write acronyms as "
                          "words in CamelCase names", definition=d.name)


ABBREVIATIONS = {
    "cfg": "config", "conf": "config", "mgmt": "management", "ctrl": "control",
    "cnt": "count", "num": "number", "buf": "buffer", "len": "length",
    "ptr": "pointer", "tmp": "temporary", "val": "value", "msg": "message",
    "req": "request", "resp": "response", "err": "error", "param": "parameter",
}
"""Abbreviations QEMU's interface is better off spelling out."""

_WORDS = lazy(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


@lint_rule("QD503", severity=Severity.INFO, preset="strict",
           against="##\n# @ping:\n#\n# Since: 9.0\n##\n{ 'command': 'ping' }\n")
def abbreviated_name(ctx: LintContext) -> Iterator[Finding]:
    """
    What it checks:
        A name that can still be changed containing a common abbreviation
        (``cfg``, ``mgmt``, ``buf``, ``len``…) instead of the word: a type
        name, or, with ``--against``, a command, event, member or value
        the previous release did not have.

    Why it matters:
        Names are the interface's vocabulary and cannot be changed once
        released; full words read unambiguously to every client author.

    What QEMU does:
        Has many released wire names such as ``len`` and ``buf-size``;
        renaming them would break clients, so only new ones are advised.

    Example:
        ##
        # @set-buf-len:
        #
        # @len: new size
        #
        # Since: 9.0
        ##
        { 'command': 'set-buf-len', 'data': { 'len': 'int' } }

    Use instead:
        ##
        # @set-buffer-length:
        #
        # @length: new size
        #
        # Since: 9.0
        ##
        { 'command': 'set-buffer-length', 'data': { 'length': 'int' } }
    """
    for role, name, loc, defn, member, _ in _named(ctx):
        if not _renameable(ctx, defn, member):
            continue
        words = [w.lower() for w in _WORDS.findall(name)]
        bad = [w for w in words if w in ABBREVIATIONS]
        if bad:
            w = bad[0]
            yield Finding(loc, f"{role} '{name}': write '{ABBREVIATIONS[w]}' "
                          f"rather than '{w}'", definition=defn, member=member)
