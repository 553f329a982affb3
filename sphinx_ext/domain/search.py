"""QAPI objects in Sphinx's search: one compact table, grouped by definition.

Sphinx's own object index stores every member as a separate entry with its
full anchor (``qapi-QMP.obj-BlockdevOptionsNbd.mem-tls-creds``) and shows
each as a hit named ``QMP:Definition.member``: for QEMU's references that is
three quarters of ``searchindex.js``, and searching ``blockdev-mirror``
lists the command and then each of its arguments.

Here the ``qapi`` objects leave Sphinx's ``objects`` table (and their
duplicate general-index entries leave ``indexentries``) for one key,
``qapi``: per namespace, per definition ``[page, kind, name, anchor,
members]``, where an anchor is stored only when it differs from the one
derived from the names (``static/qapidoc-search.js`` derives the rest), and
members are listed by kind under their definition.  The script, added to the
search page only, ranks definitions first, shows the kind instead of the
namespace, and gives one hit per definition for its matching members.
Without the script (another builder, a theme without the search page) the
table is unused and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sphinx.application import Sphinx

from sphinx_ext.domain.names import ANCHOR_KINDS, MEMBER_TYPES, QAPIObject

SCRIPT = "qapidoc-search.js"

#: Kinds in table order; a kind's index is its code in the table.
KINDS = ("module", "command", "event", "enum", "object", "union", "alternate",
         "member", "value", "branch", "feature")
#: What a reader calls each kind (the domain's ``object`` is a struct).
LABELS = ("module", "command", "event", "enum", "struct", "union", "alternate",
          "member", "value", "branch", "feature")


def _anchor(prefix: str, objtype: str, name: str) -> str:
    """The anchor the script derives: what `definition_anchor` and
    `member_anchor` give for a name that needs no escaping."""
    return f"{prefix}{ANCHOR_KINDS[objtype]}-{name}"


def _definition_prefix(namespace: str) -> str:
    return f"qapi-{namespace}." if namespace else "qapi-"


def search_table(objects: list[QAPIObject], docindex: dict[str, int]) -> dict[str, Any]:
    """The ``qapi`` entry of the search index for the domain's *objects*
    on the pages of *docindex* (docname → position in the index)."""
    code = {kind: number for number, kind in enumerate(KINDS)}
    parents: dict[tuple[str, str], list[Any]] = {}
    members: dict[tuple[str, str], dict[int, list[Any]]] = {}
    spaces: dict[str, list[list[Any]]] = {}
    for obj in sorted(objects, key=lambda o: (o.namespace, o.name.lower(), o.name)):
        if obj.docname not in docindex or obj.objtype not in code:
            continue
        if obj.objtype in MEMBER_TYPES:
            continue
        derived = _anchor(_definition_prefix(obj.namespace), obj.objtype, obj.name)
        row: list[Any] = [docindex[obj.docname], code[obj.objtype], obj.name,
                          "" if derived == obj.node_id else obj.node_id]
        spaces.setdefault(obj.namespace, []).append(row)
        parents[obj.namespace, obj.name] = [row, obj.node_id]
    for obj in sorted(objects, key=lambda o: o.node_id):
        if obj.objtype not in MEMBER_TYPES or obj.name.count(".") != 1:
            continue  # members shown inside a union's branch copy their type's
        parent_name, _dot, name = obj.name.partition(".")
        parent = parents.get((obj.namespace, parent_name))
        if parent is None or obj.docname not in docindex:
            continue
        derived = _anchor(parent[1] + ".", obj.objtype, name)
        entry: Any = name if derived == obj.node_id else [name, obj.node_id]
        members.setdefault((obj.namespace, parent_name), {}).setdefault(
            code[obj.objtype], []).append(entry)
    for key, groups in members.items():
        row = parents[key][0]
        row.append([[kind, *entries] for kind, entries in sorted(groups.items())])
    return {"kinds": list(LABELS), "infix": [ANCHOR_KINDS[k] for k in KINDS],
            "namespaces": spaces}


def _qapi_object_types(data: dict[str, Any]) -> set[int]:
    return {int(number) for number, name in data.get("objtypes", {}).items()
            if str(name).startswith("qapi:")}


def compact_index(data: dict[str, Any], objects: list[QAPIObject]) -> dict[str, Any]:
    """Sphinx's frozen search index *data* with the ``qapi`` objects moved
    to the compact table and their general-index entries dropped."""
    qapi_types = _qapi_object_types(data)
    kept: dict[str, list[Any]] = {}
    for prefix, entries in data.get("objects", {}).items():
        rest = [entry for entry in entries if entry[1] not in qapi_types]
        if rest:
            kept[prefix] = rest
    data["objects"] = kept
    index_entries: dict[str, list[Any]] = {}
    for term, places in data.get("indexentries", {}).items():
        rest = [place for place in places if not str(place[1]).startswith("qapi-")]
        if rest:
            index_entries[term] = rest
    data["indexentries"] = index_entries
    docindex = {docname: number for number, docname in enumerate(data.get("docnames", ()))}
    data["qapi"] = search_table(objects, docindex)
    return data


def _install(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
             doctree: object) -> None:
    """On the search page (written just before the index is dumped): add
    the script to it and compact the index the builder is about to write."""
    if pagename != "search":
        return
    app.add_js_file(SCRIPT, defer="defer")
    indexer = getattr(app.builder, "indexer", None)
    freeze = getattr(indexer, "freeze", None)
    if indexer is None or freeze is None or getattr(freeze, "qapidoc", False):
        return
    domain = app.env.get_domain("qapi")

    def compacted() -> dict[str, Any]:
        data: dict[str, Any] = freeze()
        return compact_index(data, list(getattr(domain, "objects", {}).values()))

    wrapper: Callable[[], dict[str, Any]] = compacted
    wrapper.qapidoc = True  # type: ignore[attr-defined]
    indexer.freeze = wrapper


def setup_search(app: Sphinx) -> None:
    app.connect("html-page-context", _install)
