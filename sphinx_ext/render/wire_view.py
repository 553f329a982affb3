"""The wire view: for each command and event, the whole JSON object on the wire.

In: a `Schema`, walked by `qapidoc.compat.wire.walk` (the walk compat
compares, so the view shows exactly what compat judges), and, in a build,
the anchors the ``qapi`` domain stored.  Out: `wire_data()`, one JSON-able
record per namespace, written at ``build-finished`` as
``_static/qapidoc-wire-<NS>.js`` (a script assigning to a global, so it
loads from ``file://`` too), and a small ``<details data-wire>`` stub per
command and event in the page (`qapi:wire` directive); ``qapidoc.js``
loads the data when a stub is opened and builds the tree as it is expanded.

The data names each named type once: a node whose value is a named type
refers to the type's record by name (so recursive types end, and the page
stays light); union branches are listed under the discriminator, by value.
A node is ``[role, name, flags, type, json, link, kids, extra]`` (trailing
empty fields left out): role ``m`` member, ``b`` branch, ``v`` enum value,
``a`` alternative, ``r`` return value; flags `OPTIONAL` | `DEPRECATED` |
`UNSTABLE` | `DISCRIMINATOR`; type the named type (``[T]`` for an array)
or the JSON type; json the JSON type(s) of a named type; link an anchor
suffix to append to the record's anchor, or ``[page, anchor]`` for an
anchor on another page, or 0 (nothing to link to); kids a list of nodes or
the name of a type record; extra ``{"if": condition, "f": [features]}``.
Anchors come from the domain's own functions (`definition_anchor`,
`member_anchor`, schema text through `safe_id`) and, in a build, are kept
only when the domain has an object with that id.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from docutils import nodes
from docutils.nodes import Node
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from qapidoc.compat.wire import WireNode, walk
from qapidoc.core.allowlist import safe_id
from qapidoc.schema.model import (
    AlternateType,
    EnumType,
    Schema,
    StructType,
    UnionType,
)
from sphinx_ext.domain.names import definition_anchor, member_anchor
from sphinx_ext.pagestore import PageStore

__all__ = [
    "DATA_VERSION",
    "QAPIWireDirective",
    "data_file",
    "note_wire_source",
    "setup_wire_view",
    "wire_data",
    "wire_key",
]

logger = logging.getLogger(__name__)

DATA_VERSION = 1
OPTIONAL, DEPRECATED, UNSTABLE, DISCRIMINATOR = 1, 2, 4, 8

_ROLE = {"member": "m", "branch": "b", "value": "v", "alternative": "a",
         "returns": "r"}
_ANCHOR_KIND = {"member": "member", "branch": "branch", "value": "value",
                "alternative": "branch"}
_SEPARATORS = frozenset(".=[:|#")


def wire_key(namespace: str) -> str:
    """The namespace as the stubs and the data file name it (`safe_id`)."""
    return safe_id(namespace)


def data_file(namespace: str) -> str:
    """The data file's name in ``_static``."""
    key = wire_key(namespace)
    return f"qapidoc-wire-{key}.js" if key else "qapidoc-wire.js"


# -- the walk as a tree ---------------------------------------------------------------


class _Node:
    """A wire node with its children and features, as the walk nests them."""

    __slots__ = ("features", "kids", "prefix", "wire")

    def __init__(self, wire: WireNode, prefix: str) -> None:
        self.wire = wire
        self.prefix = prefix  # what the paths of its children start with
        self.kids: list[_Node] = []
        self.features: list[str] = []


def _is_below(path: str, entry: _Node) -> bool:
    prefix = entry.prefix
    if len(path) <= len(prefix) or not path.startswith(prefix) \
            or path[len(prefix)] not in _SEPARATORS:
        return False
    # the next alternative of an alternate is a sibling, not a child
    return not (entry.wire.role == "alternative" and path[len(prefix)] == "|")


def _trees(schema: Schema) -> Iterable[_Node]:
    """One tree per command and event, from the flat walk (depth-first,
    each path below its parent's; an alternative's members follow it with
    its parent's path, so they are nested under it here)."""
    stack: list[_Node] = []
    for wire in walk(schema):
        path = wire.path.text
        if wire.role in ("command", "event"):
            if stack:
                yield stack[0]
            stack = [_Node(wire, path)]
            continue
        while len(stack) > 1 and not _is_below(path, stack[-1]):
            stack.pop()
        parent = stack[-1]
        if wire.role == "feature":
            parent.features.append(wire.name)
            continue
        prefix = path.rpartition("|")[0] if wire.role == "alternative" else path
        node = _Node(wire, prefix)
        parent.kids.append(node)
        stack.append(node)
    if stack:
        yield stack[0]


# -- the data ---------------------------------------------------------------------------


class _Encoder:
    """Encodes the trees, one record per named type."""

    def __init__(self, schema: Schema, namespace: str,
                 anchors: Mapping[str, str] | None, pages: dict[str, int]) -> None:
        self.schema = schema
        self.namespace = namespace
        self.anchors = anchors
        self.pages = pages
        self.types: dict[str, dict[str, Any]] = {}
        self.implicit = {d.name for d in schema.implicit}

    def page(self, anchor: str) -> int | None:
        """The page of *anchor*, or None when the reference does not have it."""
        if self.anchors is None:
            return 0
        docname = self.anchors.get(anchor)
        if docname is None:
            return None
        return self.pages.setdefault(docname, len(self.pages))

    def named(self, name: str | None) -> str | None:
        """*name* if it is a documented named type (a record of its own)."""
        if name is None or name in self.implicit:
            return None
        t = self.schema.get(name)
        if isinstance(t, EnumType | StructType | AlternateType):
            return name
        return None

    def record(self, name: str) -> dict[str, Any]:
        """The record of a named type: its page and anchor (kids added later)."""
        found = self.types.get(name)
        if found is None:
            t = self.schema.get(name)
            kind = ("enum" if isinstance(t, EnumType) else "union" if isinstance(t, UnionType)
                    else "alternate" if isinstance(t, AlternateType) else "object")
            anchor = definition_anchor(self.namespace, kind, name)
            page = self.page(anchor)
            found = {"a": anchor, "p": page} if page is not None else {}
            self.types[name] = found
        return found

    def root(self, tree: _Node) -> dict[str, Any]:
        wire = tree.wire
        anchor = definition_anchor(self.namespace, wire.role, wire.name)
        page = self.page(anchor)
        base = anchor if page is not None else ""
        kids = [self.node(k, base, anchor, page) for k in tree.kids]
        out: dict[str, Any] = {"t": "c" if wire.role == "command" else "e", "k": kids}
        if page is not None:
            out["a"], out["p"] = anchor, page
        flags = _flags(wire, tree.features)
        if flags:
            out["f"] = flags
        return out

    def node(self, n: _Node, base: str, context: str, page: int | None) -> list[Any]:
        """*n* encoded; *base* is the anchor links are relative to (its
        record's), *context* the anchor of the documentation it sits in,
        *page* that documentation's page."""
        wire = n.wire
        role = wire.role
        anchor = ""
        if role in _ANCHOR_KIND:
            anchor = member_anchor(context, _ANCHOR_KIND[role], wire.name)
        link = self.link(anchor, base, page, wire)
        ref = self.named(wire.type_name)
        type_text = ref or wire.json_type
        if wire.json_type.startswith("array of"):
            type_text = f"[{ref or wire.json_type.removeprefix('array of ')}]"
        json_text = wire.json_type if ref else ""
        if role == "value":
            type_text = ""
        branches = bool(n.kids) and n.kids[0].wire.role == "branch"
        kids: list[Any] | str = []
        record = self.record(ref) if ref is not None else {}
        if ref is not None and not branches:
            if n.kids and "k" not in record:
                record["k"] = []  # taken: a recursive use below refers to it
                t_anchor = record.get("a", "")
                record["k"] = [self.node(k, t_anchor, t_anchor, record.get("p"))
                               for k in n.kids]
            kids = ref
        elif n.kids:
            # inline: the discriminator's branches, an implicit type's members
            inner = context if branches else anchor or context
            kids = [self.node(k, base, inner, page) for k in n.kids]
        flags = _flags(wire, n.features)
        if branches:
            flags |= DISCRIMINATOR
        extra: dict[str, Any] = {}
        if wire.condition is not None:
            extra["if"] = str(wire.condition)
        others = [f for f in n.features if f not in ("deprecated", "unstable")]
        if others:
            extra["f"] = others
        out: list[Any] = [_ROLE[role], wire.name, flags, type_text, json_text, link, kids,
                          extra]
        while len(out) > 3 and out[-1] in ("", 0, [], {}):
            out.pop()
        return out

    def link(self, anchor: str, base: str, page: int | None, wire: WireNode) -> Any:
        """How the node links to its documentation (see the module doc)."""
        candidates = [anchor] if anchor else []
        owner = wire.definition if wire.role in ("branch", "alternative") else wire.owner
        named = self.named(owner) if owner else None
        if named is not None and wire.role in _ANCHOR_KIND:
            kind = _anchor_kind_of(self.schema, named)
            candidates.append(member_anchor(definition_anchor(self.namespace, kind, named),
                                            _ANCHOR_KIND[wire.role], wire.name))
        for candidate in candidates:
            found = self.page(candidate)
            if found is None:
                continue
            if found == page and base and candidate.startswith(base):
                return candidate[len(base):]
            return [found, candidate]
        return 0


def _anchor_kind_of(schema: Schema, name: str) -> str:
    t = schema.get(name)
    if isinstance(t, EnumType):
        return "enum"
    if isinstance(t, AlternateType):
        return "alternate"
    return "object"


def _flags(wire: WireNode, features: list[str]) -> int:
    flags = OPTIONAL if wire.optional else 0
    if wire.deprecated or "deprecated" in features:
        flags |= DEPRECATED
    if "unstable" in features or wire.name.startswith("x-"):
        flags |= UNSTABLE
    return flags


def wire_data(schema: Schema, namespace: str = "",
              anchors: Mapping[str, str] | None = None,
              page_uri: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The wire view of *schema*: ``{"v", "pages", "roots", "types"}``.

    *anchors* maps every anchor id the reference has to its docname, and
    *page_uri* a docname to its URI from the site's root; without them
    (outside a build) every anchor is kept, on page 0.
    """
    pages: dict[str, int] = {}
    encoder = _Encoder(schema, namespace, anchors, pages)
    roots: dict[str, Any] = {}
    for tree in _trees(schema):
        key = safe_id(tree.wire.name)
        if key not in roots:
            roots[key] = encoder.root(tree)
    uris = [""] * len(pages)
    for docname, index in pages.items():
        uris[index] = (page_uri or {}).get(docname, docname)
    return {"v": DATA_VERSION, "pages": uris, "roots": roots, "types": encoder.types}


def data_script(namespace: str, data: Mapping[str, Any]) -> str:
    """The data as a script assigning to ``window.qapidocWire[key]``: pure
    ASCII JSON (schema text escaped by the encoder, ``<`` too, so the script
    could even be inlined), loadable from file://."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c")  # only inside strings: never "</script>"
    key = json.dumps(wire_key(namespace))
    return ("(window.qapidocWire = window.qapidocWire || {})"
            f"[{key}] = {text};\n")


# -- in the page: the stub ----------------------------------------------------------------


class qapi_wire(nodes.comment):
    """The stub of one wire view: ``<details
    data-wire="KEY/NAME">`` in HTML; a comment (nothing) for other builders."""


def _visit_wire_html(self: Any, node: qapi_wire) -> None:
    # a few dozen bytes: QEMU's one-page reference has some 300 of them
    label = self.encode(_("JSON on the wire"))
    wire = self.attval(node["wire"])
    self.body.append(f'<details data-wire="{wire}"><summary>{label}</summary></details>\n')
    raise nodes.SkipNode


class QAPIWireDirective(SphinxDirective):
    """The wire view of the enclosing command or event (qapi-doc adds one to each).

    Only a stub in the page; the data comes from a ``qapi-doc`` of the same
    namespace."""

    has_content = False
    required_arguments = 0
    optional_arguments = 1
    option_spec: ClassVar[OptionSpec] = {}

    def run(self) -> list[Node]:
        scopes = self.env.ref_context.get("qapi:scopes", ())
        if not scopes or scopes[-1].objtype not in ("command", "event"):
            return []
        signature = scopes[-1].signature
        stub = qapi_wire()
        stub["wire"] = f"{wire_key(signature.namespace)}/{safe_id(signature.name)}"
        return [stub]


# -- the data files ------------------------------------------------------------------------

_Source = tuple[str, str, "str | None", tuple[str, ...]]
"""(namespace, schema path, include root, the schema's files)."""

_SOURCES: PageStore[set[_Source]] = PageStore("qapidoc_wire_sources")
"""docname → the schemas it documents."""


def note_wire_source(env: BuildEnvironment, namespace: str, path: str,
                     root: str | None, files: Iterable[str]) -> None:
    """The page being read documents the schema at *path* (made of *files*)
    in *namespace*."""
    docname = env.current_document.docname
    _SOURCES.of(env).setdefault(docname, set()).add((namespace, path, root, tuple(files)))


def _write_data(app: Sphinx, exception: BaseException | None) -> None:
    """Write one data file per namespace, unless the one there was made
    from the same schema files and anchors (a rebuild that changed neither
    costs a few milliseconds)."""
    builder = app.builder
    if exception is not None or builder.format != "html" or not hasattr(builder, "outdir"):
        return
    by_namespace: dict[str, list[tuple[str, str | None, tuple[str, ...]]]] = {}
    for entries in _SOURCES.of(app.env).values():
        for namespace, path, root, files in entries:
            found = by_namespace.setdefault(namespace, [])
            if (path, root, files) not in found:
                found.append((path, root, files))
    if not by_namespace:
        return
    domain = app.env.get_domain("qapi")
    objects = getattr(domain, "objects", {})
    static = os.path.join(builder.outdir, "_static")
    os.makedirs(static, exist_ok=True)
    for namespace, schemas in sorted(by_namespace.items()):
        schemas.sort(key=lambda s: (s[0], s[1] or "", s[2]))
        anchors = {obj.node_id: obj.docname for obj in objects.values()
                   if obj.namespace == namespace}
        uris = {}
        for docname in sorted(set(anchors.values())):
            try:
                uris[docname] = builder.get_target_uri(docname).partition("#")[0]
            except Exception:  # a builder without a URI for the page
                continue
        target = os.path.join(static, data_file(namespace))
        stamp = _stamp(namespace, schemas, anchors, uris)
        if _first_line(target) == stamp:
            continue
        script = _script(namespace, schemas, anchors, uris)
        if script is not None:
            with open(target, "w", encoding="ascii") as stream:
                stream.write(stamp + "\n" + script)


def _script(namespace: str, schemas: list[tuple[str, str | None, tuple[str, ...]]],
            anchors: Mapping[str, str], uris: Mapping[str, str]) -> str | None:
    from sphinx_ext.schemas import get_schema, schema_location

    merged: dict[str, Any] | None = None
    for path, root, _files in schemas:
        try:
            schema = get_schema(path, root).schema
            data = wire_data(schema, namespace, anchors, uris)
        except Exception as error:  # never a traceback for a bad schema
            logger.warning("no wire view for %s: %s", path, error,
                           location=schema_location(path, None), type="qapidoc",
                           subtype="wire")
            continue
        merged = data if merged is None else _merge_data(merged, data)
    return None if merged is None else data_script(namespace, merged)


def _stamp(namespace: str, schemas: list[tuple[str, str | None, tuple[str, ...]]],
           anchors: Mapping[str, str], uris: Mapping[str, str]) -> str:
    """A comment naming what the data is made of: the schema files'
    contents, the anchors and their pages, this module's format."""
    digest = hashlib.sha256(f"{DATA_VERSION}\0{namespace}".encode())
    for path, root, files in schemas:
        digest.update(f"\0{path}\0{root}".encode())
        for file in files:
            try:
                with open(file, "rb") as stream:
                    digest.update(stream.read())
            except OSError:
                digest.update(b"\0missing")
    for key in sorted(anchors):
        digest.update(f"\0{key}\0{anchors[key]}".encode())
    for docname in sorted(uris):
        digest.update(f"\0{docname}\0{uris[docname]}".encode())
    with open(__file__, "rb") as stream:
        digest.update(stream.read())
    return f"/* qapidoc wire data {digest.hexdigest()} */"


def _first_line(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as stream:
            return stream.readline().rstrip("\n")
    except OSError:
        return None


def _merge_data(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two schemas in one namespace: the first's definitions win."""
    shift = len(first["pages"])
    pages = [*first["pages"], *second["pages"]]

    def moved(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (v + shift if k == "p" and isinstance(v, int) else moved(v))
                    for k, v in value.items()}
        if isinstance(value, list):
            if len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str) \
                    and not isinstance(value[0], bool):
                return [value[0] + shift, value[1]]
            return [moved(v) for v in value]
        return value

    roots = {**moved(second["roots"]), **first["roots"]}
    types = {**moved(second["types"]), **first["types"]}
    return {"v": DATA_VERSION, "pages": pages, "roots": roots, "types": types}


def setup_wire_view(app: Sphinx) -> None:
    """Register the stub node and directive and the data writer."""
    app.add_node(qapi_wire, html=(_visit_wire_html, None))
    app.add_directive_to_domain("qapi", "wire", QAPIWireDirective)
    _SOURCES.connect(app)
    app.connect("build-finished", _write_data)

