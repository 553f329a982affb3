"""``.. qapi-changes:: schema.json``: what each release added.

In: the schema model.  Out: one section per version, newest first, listing
the definitions whose ``Since:`` is that version and the members, values
and features whose description says "(since X.Y)", each linked through the
``qapi`` domain.  `collect_changes()` is plain and testable without Sphinx.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import ClassVar, NamedTuple

from docutils import nodes
from docutils.nodes import Node
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from qapidoc.core.allowlist import safe_id
from qapidoc.schema.model import (
    Command,
    Definition,
    EnumType,
    Event,
    Schema,
    StructType,
    UnionType,
)
from sphinx_ext.domain.names import normal_version
from sphinx_ext.render.directive import resolve_schema_path
from sphinx_ext.render.rst import definition_directive, member_since
from sphinx_ext.safety import note_failures, sanitize_output
from sphinx_ext.schemas import get_schema, include_root

logger = logging.getLogger(__name__)

__all__ = ["Change", "QAPIChangesDirective", "collect_changes", "version_key"]


class Change(NamedTuple):
    """One addition: `target` is what the domain knows it by (``Def.member``)."""

    version: str
    kind: str
    target: str
    title: str


def version_key(version: str) -> tuple[int, ...]:
    """Numeric order of "X.Y[.Z]" (anything else sorts first)."""
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (-1,)


_KIND_LABEL = {"object": "struct", "command": "command", "event": "event", "enum": "enum",
               "union": "union", "alternate": "alternate"}


def _member_changes(defn: Definition) -> Iterable[Change]:
    since = _release(defn.since or "")
    items: list[tuple[str, str, str | None]] = []
    if isinstance(defn, StructType):
        items = [("member", m.name, m.doc.text if m.doc else None)
                 for m in defn.own_members]
    elif isinstance(defn, Command | Event):
        items = [("argument" if isinstance(defn, Command) else "member", m.name,
                  m.doc.text if m.doc else None)
                 for m in defn.arguments if m.defined_in == defn.name]
    elif isinstance(defn, EnumType):
        items = [("value", v.name, v.doc.text if v.doc else None) for v in defn.values]
    for kind, name, text in items:
        version = member_since(text) if text else None
        if version and version != since:
            yield Change(version, kind, f"{defn.name}.{name}", f"{defn.name}.{name}")


_LEADING_VERSION = re.compile(r"\d+(?:\.\d+)+")
_NOTED = re.compile(r"([\w.-]+) since (\d+(?:\.\d+)+)")
"""``wctablet since 2.9`` in a ``Since:`` of QEMU up to 3.x:
``Since: 1.4 (testdev since 2.2, wctablet since 2.9)``."""


def _noted_kind(defn: Definition, name: str) -> str | None:
    """What *name*, dated in *defn*'s ``Since:``, is of *defn* (None: nothing)."""
    if isinstance(defn, UnionType) and defn.branch(name) is not None:
        return "branch"
    if isinstance(defn, StructType) and defn.member(name) is not None:
        return "member"
    if isinstance(defn, EnumType) and defn.value(name) is not None:
        return "value"
    if isinstance(defn, Command | Event) and any(m.name == name for m in defn.arguments):
        return "argument" if isinstance(defn, Command) else "member"
    return None


def _release(since: str) -> str:
    """The release a ``Since:`` text names: the version it starts with."""
    text = since.strip()
    lead = _LEADING_VERSION.match(text)
    return normal_version(lead.group() if lead else text)


def _since_changes(defn: Definition, kind: str) -> Iterable[Change]:
    """The definition's own addition, in the release its ``Since:`` starts
    with, and the items that section dates in parentheses."""
    text = (defn.since or "").strip()
    yield Change(_release(text), kind, defn.name, defn.name)
    lead = _LEADING_VERSION.match(text)
    if lead is None:
        return
    for name, version in _NOTED.findall(text[lead.end():]):
        noted = _noted_kind(defn, name)
        if noted is not None:
            yield Change(normal_version(version), noted, f"{defn.name}.{name}",
                         f"{defn.name}.{name}")


def collect_changes(schema: Schema) -> dict[str, list[Change]]:
    """Version → additions, newest version first, definitions before members;
    one section per release however its versions are spelled (``10.2.0``
    is ``10.2``, and ``1.4 (testdev since 2.2)`` is 1.4 for the definition
    and 2.2 for its ``testdev``)."""
    found: dict[str, list[Change]] = {}
    for defn in schema.definitions:
        if defn.since:
            for change in _since_changes(defn, _KIND_LABEL[definition_directive(defn)]):
                found.setdefault(change.version, []).append(change)
        for change in _member_changes(defn):
            found.setdefault(change.version, []).append(change)
    order = sorted(found, key=version_key, reverse=True)
    return {v: sorted(found[v], key=lambda c: (c.kind not in _KIND_LABEL.values(),
                                                c.kind, c.title.lower()))
            for v in order}


class QAPIChangesDirective(SphinxDirective):
    """List additions per release, linked to their descriptions."""

    has_content = False
    required_arguments = 1
    final_argument_whitespace = True  # a schema path may hold spaces
    option_spec: ClassVar[OptionSpec] = {"namespace": directives.unchanged}

    def run(self) -> list[Node]:
        path = resolve_schema_path(self, self.arguments[0])
        loaded = get_schema(path, include_root(self.config, str(self.env.srcdir)))
        for file in loaded.files:
            self.env.note_dependency(os.path.abspath(file))
        if not loaded.schema.modules:
            note_failures(self.env, 1)
            logger.error(
                "cannot list the changes of %s: the schema did not load", path,
                location=self.get_location(), type="qapidoc", subtype="load")
            return []
        namespace = (self.options.get("namespace") or "").strip()
        result: list[Node] = []
        for version, changes in collect_changes(loaded.schema).items():
            section = nodes.section(
                ids=[f"qapi-changes-{safe_id(namespace.lower())}-{safe_id(version)}"])
            title = f"Version {version}"
            section += nodes.title(title, title)
            section["names"].append(nodes.fully_normalize_name(title))
            items = nodes.bullet_list()
            for change in changes:
                target = f"{namespace}:{change.target}" if namespace else change.target
                xref = addnodes.pending_xref(
                    "", nodes.literal(change.title, change.title), refdomain="qapi",
                    reftype="any", reftarget=target, refexplicit=True, refwarn=True)
                xref["qapi:namespace"] = namespace
                self.set_source_info(xref)
                para = nodes.paragraph("", "", nodes.Text(f"{change.kind} "), xref)
                items += nodes.list_item("", para)
            section += items
            result.append(section)
        sanitize_output(self, result)
        return result
