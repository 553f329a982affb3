"""The ``qapi`` domain itself (tables of object types, directives, roles and
indices; stored objects; reference resolution) and its `setup()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Set
from pathlib import Path
from typing import Any, ClassVar, cast

from docutils import nodes
from docutils.nodes import Element
from docutils.parsers.rst import Directive
from docutils.utils import get_source_line
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.domains import Domain, Index, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode
from sphinx.util.typing import ExtensionMetadata, RoleFunction

from sphinx_ext.domain.directives import (
    QAPIAlternate,
    QAPIBranch,
    QAPICommand,
    QAPIEnum,
    QAPIEvent,
    QAPIFeature,
    QAPIMember,
    QAPIModule,
    QAPINamespace,
    QAPIStruct,
    QAPIUnion,
    QAPIValue,
)
from sphinx_ext.domain.indices import QAPIIndex, QAPIKindIndex, namespace_index
from sphinx_ext.domain.layout import qapi_ref, setup_layout
from sphinx_ext.domain.names import (
    BUILTIN_TYPES,
    DEFINITION_TYPES,
    MEMBER_TYPES,
    TYPE_ROLES,
    QAPIObject,
    parse_target,
)
from sphinx_ext.domain.roles import QAPIXRefRole, since_role
from sphinx_ext.domain.search import setup_search
from sphinx_ext.render.lexer import QMPLexer

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent.parent / "static"


class QAPIDomain(Domain):
    """QAPI definitions, their members, and references to them."""

    name = "qapi"
    label = "QAPI"
    object_types: ClassVar[dict[str, ObjType]] = {
        "module": ObjType(_("module"), "mod", "any"),
        "command": ObjType(_("command"), "cmd", "any"),
        "event": ObjType(_("event"), "event", "any"),
        "enum": ObjType(_("enum"), "enum", "type", "any"),
        "object": ObjType(_("struct"), "obj", "type", "any"),
        "union": ObjType(_("union"), "obj", "type", "any"),
        "alternate": ObjType(_("alternate"), "alt", "type", "any"),
        "member": ObjType(_("member"), "mem", "any"),
        "value": ObjType(_("enum value"), "mem", "any"),
        "branch": ObjType(_("branch"), "mem", "any"),
        "feature": ObjType(_("feature"), "mem", "any"),
    }
    directives: ClassVar[dict[str, type[Directive]]] = {
        "namespace": QAPINamespace,
        "module": QAPIModule,
        "command": QAPICommand,
        "event": QAPIEvent,
        "enum": QAPIEnum,
        "object": QAPIStruct,
        "union": QAPIUnion,
        "alternate": QAPIAlternate,
        "member": QAPIMember,
        "value": QAPIValue,
        "branch": QAPIBranch,
        "feature": QAPIFeature,
    }
    roles: ClassVar[dict[str, RoleFunction | XRefRole]] = {
        **{role: QAPIXRefRole(warn_dangling=True)
           for role in ("mod", "cmd", "event", "enum", "obj", "alt", "type", "mem", "any")},
        "since": since_role,
    }
    indices: ClassVar[list[type[Index]]] = [QAPIIndex, QAPIKindIndex]
    initial_data: ClassVar[dict[str, Any]] = {"objects": {}}
    data_version = 2
    dangling_warnings: ClassVar[dict[str, str]] = {
        "mem": "no member, value, branch or feature %(target)r in this definition",
    }

    def setup(self) -> None:
        # Domains are created before env.config is set: read the app's.
        app = getattr(self.env, "_app", None)
        config = app.config if app is not None else self.env.config
        names = getattr(config, "qapi_namespaces", None) or ()
        have = {index.name for index in self.indices}
        for namespace in sorted(set(names)):
            index = namespace_index(namespace)
            if index.name not in have:
                self.indices.append(index)
        super().setup()

    _lookup: dict[str, list[QAPIObject]] | None = None
    _leaves: dict[tuple[str, str, str], list[QAPIObject]] | None = None

    @property
    def objects(self) -> dict[tuple[str, str, str], QAPIObject]:
        return cast(
            "dict[tuple[str, str, str], QAPIObject]",
            self.data.setdefault("objects", {}),
        )

    def note_object(self, entry: QAPIObject, location: Any = None) -> None:
        """Store *entry*; on a duplicate, warn and keep the earlier document's."""
        other = self.objects.get(entry.key)
        if other is not None:
            logger.warning(
                "duplicate QAPI description of %s %s, other instance in %s; "
                "use :no-index: for one of them",
                self.object_types[entry.objtype].lname,
                entry.fullname,
                other.docname,
                location=location,
                type="qapi",
                subtype="duplicate",
            )
            if other.docname <= entry.docname:
                return
        self.objects[entry.key] = entry
        self._lookup = None
        self._leaves = None

    def set_synopsis(self, key: tuple[str, str, str], synopsis: str) -> None:
        entry = self.objects.get(key)
        if entry is not None and entry.docname == self.env.current_document.docname:
            self.objects[key] = entry._replace(synopsis=synopsis)

    def clear_doc(self, docname: str) -> None:
        stale = [key for key, obj in self.objects.items() if obj.docname == docname]
        for key in stale:
            del self.objects[key]
        self._lookup = None
        self._leaves = None

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        theirs: dict[tuple[str, str, str], QAPIObject] = otherdata["objects"]
        for key, obj in theirs.items():
            if obj.docname not in docnames:
                continue
            ours = self.objects.get(key)
            if ours is not None and ours.docname != obj.docname:
                logger.warning(
                    "duplicate QAPI description of %s %s, other instance in %s; "
                    "use :no-index: for one of them",
                    self.object_types[obj.objtype].lname,
                    obj.fullname,
                    min(ours.docname, obj.docname),
                    location=max(ours.docname, obj.docname),
                    type="qapi",
                    subtype="duplicate",
                )
                if ours.docname < obj.docname:
                    continue
            self.objects[key] = obj
        self._lookup = None
        self._leaves = None

    def _by_name(self) -> dict[str, list[QAPIObject]]:
        if self._lookup is None:
            lookup: dict[str, list[QAPIObject]] = {}
            for obj in sorted(self.objects.values()):
                lookup.setdefault(obj.name, []).append(obj)
            self._lookup = lookup
        return self._lookup

    def _by_root_and_leaf(self) -> dict[tuple[str, str, str], list[QAPIObject]]:
        """(namespace, definition, last name part) → members nested anywhere in it,
        shallowest first."""
        if self._leaves is None:
            leaves: dict[tuple[str, str, str], list[QAPIObject]] = {}
            for obj in sorted(self.objects.values(), key=lambda o: (o.name.count("."), o)):
                if obj.objtype in MEMBER_TYPES:
                    root = obj.name.partition(".")[0]
                    leaf = obj.name.rpartition(".")[2]
                    leaves.setdefault((obj.namespace, root, leaf), []).append(obj)
            self._leaves = leaves
        return self._leaves

    def find_objects(
        self,
        target: str,
        objtypes: Iterable[str],
        namespace: str = "",
        module: str = "",
        definition: str = "",
    ) -> list[QAPIObject]:
        """Best matches for *target*; context values only rank, explicit ones filter.

        *namespace*, *module* and *definition* describe where the reference
        is written.  A bare name may also be a member of *definition* or of
        any definition enclosing it, innermost first.
        """
        ref = parse_target(target)
        wanted = set(objtypes)
        candidates: list[tuple[str | None, str]] = [(None, ref.path)]
        if "." in ref.path:
            head, _sep, tail = ref.path.partition(".")
            candidates.append((head, tail))
        scope = definition
        while scope:
            candidates.append((None, f"{scope}.{ref.path}"))
            scope = scope.rpartition(".")[0]
        scored: list[tuple[tuple[int, int, int], QAPIObject]] = []
        lookup = self._by_name()
        for rank, (explicit_module, name) in enumerate(candidates):
            for obj in lookup.get(name, ()):
                if obj.objtype not in wanted:
                    continue
                if ref.namespace is not None and obj.namespace != ref.namespace:
                    continue
                if explicit_module is not None and obj.module != explicit_module:
                    continue
                score = (
                    int(obj.namespace != namespace and ref.namespace is None),
                    rank,
                    int(bool(module) and obj.module != module),
                )
                scored.append((score, obj))
        if not scored:
            return []
        best = min(score for score, _obj in scored)
        found: dict[QAPIObject, None] = {}
        for score, obj in scored:
            if score == best:
                found[obj] = None
        return list(found)

    def _find_for_node(
        self, target: str, objtypes: Iterable[str], node: Element
    ) -> list[QAPIObject]:
        return self.find_objects(
            target,
            objtypes,
            namespace=node.get("qapi:namespace") or "",
            module=node.get("qapi:module") or "",
            definition=node.get("qapi:definition") or "",
        )

    def _find_member(self, target: str, node: Element) -> list[QAPIObject]:
        """``@name`` in doc text: a member of the enclosing definition, innermost
        scope first, then one nested anywhere in it (union branches), then one
        of the branch type whose text it is, then a definition of that name
        (older docs write ``@command``)."""
        ref = parse_target(target)
        definition = str(node.get("qapi:definition") or "")
        namespace = str(node.get("qapi:namespace") or "")
        lookup = self._by_name()
        scope = definition
        while scope:
            found = [
                obj
                for obj in lookup.get(f"{scope}.{ref.path}", ())
                if obj.objtype in MEMBER_TYPES and obj.namespace == namespace
            ]
            if found:
                return found[:1]
            scope = scope.rpartition(".")[0]
        root = definition.partition(".")[0]
        if root:
            nested = self._by_root_and_leaf().get((namespace, root, ref.path))
            if nested:
                return nested[:1]
        # text of a branch type's member shown in a union's branch: its
        # siblings inherited from a base are documented with the type
        branch_type = str(node.get("qapi:branch-type") or "")
        found = [obj for obj in lookup.get(f"{branch_type}.{ref.path}", ())
                 if obj.objtype in MEMBER_TYPES and obj.namespace == namespace]
        if found:
            return found[:1]
        return self.find_objects(
            ref.path, DEFINITION_TYPES, namespace=namespace,
            module=str(node.get("qapi:module") or ""),
        )[:1]

    def _make_refnode(
        self, builder: Builder, fromdocname: str, obj: QAPIObject, contnode: Element
    ) -> nodes.reference:
        # no title: thousands of links on a page, each naming what its text says
        ref = make_refnode(builder, fromdocname, obj.docname, obj.node_id, contnode)
        return qapi_ref(ref.rawsource, "", *ref.children, **ref.attributes)

    def xref_matches(self, typ: str, target: str, node: Element) -> list[QAPIObject]:
        """What a ``qapi`` reference of role *typ* to *target* written at
        *node* links to: one object, none, or (ambiguous) several."""
        if typ == "mem":
            matches = self._find_member(target, node)
        else:
            matches = self._find_for_node(target, self.objtypes_for_role(typ) or (), node)
        if len(matches) > 1 and any(obj.objtype != "module" for obj in matches):
            # `yank` names both a command and its module: the command is meant
            matches = [obj for obj in matches if obj.objtype != "module"]
        return matches

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> nodes.reference | None:
        matches = self.xref_matches(typ, target, node)
        if not matches and typ == "any":
            std = env.domains.standard_domain
            found = std.resolve_any_xref(env, fromdocname, builder, target, node, contnode)
            return found[0][1] if found else None
        if not matches:
            return None
        if len(matches) > 1:
            logger.warning(
                "more than one QAPI target found for %r: %s",
                target,
                ", ".join(f"{obj.objtype} {obj.fullname}" for obj in matches),
                location=node,
                type="ref",
                subtype="qapi",
            )
        return self._make_refnode(builder, fromdocname, matches[0], contnode)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: Element,
    ) -> list[tuple[str, nodes.reference]]:
        return [
            (
                f"qapi:{self.role_for_objtype(obj.objtype)}",
                self._make_refnode(builder, fromdocname, obj, contnode),
            )
            for obj in self._find_for_node(target, self.object_types, node)
        ]

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        # Search ranks by priority: a definition is what readers look for
        # by name, ahead of module pages and far ahead of members.  A member
        # shown inside a union's branch (``Union.branch.member``) is a copy
        # of its type's, which search finds already: -1 keeps it out of the
        # search index (objects.inv still lists it).
        for obj in sorted(self.objects.values()):
            if obj.objtype == "module":
                priority = 1
            elif obj.objtype in MEMBER_TYPES:
                priority = -1 if obj.name.count(".") >= 2 else 2
            else:
                priority = 0
            yield obj.fullname, obj.fullname, obj.objtype, obj.docname, obj.node_id, priority

    def objects_of(self, docname: str) -> list[QAPIObject]:
        """The objects *docname* describes, whole: the domain's indices and
        `get_objects` show nothing else of them (`sphinx_ext.site_pages`
        keeps the indices of a rebuild when these are unchanged)."""
        return sorted(obj for obj in self.objects.values() if obj.docname == docname)

    def get_full_qualified_name(self, node: Element) -> str | None:
        target = node.get("reftarget")
        if target is None:
            return None
        ref = parse_target(str(target))
        if ref.namespace is not None:
            return ref.target
        namespace = node.get("qapi:namespace")
        return f"{namespace}:{ref.path}" if namespace else ref.path



# -- setup -----------------------------------------------------------------------


def _builtin_types(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    """Built-in JSON types have no description; show them unlinked, silently."""
    if node.get("refdomain") != "qapi" or node.get("reftype") not in TYPE_ROLES:
        return None
    if parse_target(str(node.get("reftarget", ""))).path in BUILTIN_TYPES:
        return contnode
    return None


def _member_ref_warning(app: Sphinx, domain: Domain | None, node: pending_xref) -> bool | None:
    """An unresolved ``@name``: from a schema, it is lint's to judge —
    QEMU's doc text rightly names members of what a definition uses, which
    have no target here — so it is silent, and ``qapidoc_lint`` reports the
    real slips (QD204) at the schema line, from the same resolver
    (`qapidoc.schema.references`).  In hand-written rST it warns once per
    line, as ``qapidoc.member-ref``.
    """
    if node.get("refdomain") != "qapi" or node.get("reftype") != "mem":
        return None
    source, line = get_source_line(node)
    if source and source.endswith(".json"):
        return True
    target = str(node.get("reftarget", ""))
    seen: set[tuple[str | None, int | None, str]] = app.builder.__dict__.setdefault(
        "_qapidoc_member_refs", set()
    )
    key = (source, line, target)
    if key not in seen:
        seen.add(key)
        logger.warning(
            "@%s: no member of that name in %s",
            target,
            node.get("qapi:definition") or "this definition",
            location=node,
            type="qapidoc",
            subtype="member-ref",
        )
    return True


def _index_has_entries(domain: Domain, index: type[Index]) -> bool:
    """Whether Sphinx writes *index*'s page; for the QAPI indices without
    generating them (the objects of its namespace are enough)."""
    if isinstance(domain, QAPIDomain) and issubclass(index, QAPIIndex | QAPIKindIndex):
        namespace = getattr(index, "namespace", None)
        kinds = DEFINITION_TYPES if issubclass(index, QAPIKindIndex) \
            else DEFINITION_TYPES | {"module"}
        return any(obj.objtype in kinds
                   and (namespace is None or obj.namespace == namespace)
                   for obj in domain.objects.values())
    content, _collapse = index(domain).generate()
    return bool(content)


def _drop_empty_index_labels(app: Sphinx, env: BuildEnvironment) -> None:
    """Sphinx gives every domain index a label (and so an ``objects.inv``
    entry) whether or not it writes the page, which it skips when the index
    is empty: a namespace in ``qapi_namespaces`` with nothing documented
    (QEMU's conf.py names QSD), or the Python module index of a project
    without Python modules, would advertise a page that does not exist."""
    std = env.domains.standard_domain
    for domain in env.domains.sorted():
        for index in domain.indices:
            name = f"{domain.name}-{index.name}"
            label = std.labels.get(name)
            if label is None or label[0] != name or label[1]:
                continue
            if _index_has_entries(domain, index):
                continue
            std.labels.pop(name, None)
            std.anonlabels.pop(name, None)
            if name == "py-modindex" and std.labels.get("modindex", ("",))[0] == name:
                std.labels.pop("modindex", None)
                std.anonlabels.pop("modindex", None)


def _plain_toc_entries(app: Sphinx, doctree: nodes.document) -> None:
    """Sphinx makes each definition's table-of-contents entry a literal,
    ``<code><span class="pre">NAME</span></code>`` in every sidebar that
    lists it: about 75 KB on QEMU's one-page reference in furo and
    sphinx_rtd_theme.  Ours are the name as text (after Sphinx's collector)."""
    toc = app.env.tocs.get(app.env.current_document.docname)
    if toc is None:
        return
    for ref in list(toc.findall(nodes.reference)):
        if (len(ref.children) == 1 and isinstance(ref[0], nodes.literal)
                and ref.get("anchorname", "").startswith("#qapi-")):
            ref[0].replace_self(nodes.Text(ref[0].astext()))


def _add_static_path(app: Sphinx, config: Config) -> None:
    static = str(STATIC_DIR)
    if static not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, static]


def setup_domain(app: Sphinx) -> None:
    """Register the domain, the ``qmp`` lexer, the layout nodes, the
    stylesheet and the script that opens collapsed blocks (idempotent)."""
    if "qapi" in app.registry.domains:
        return
    app.add_domain(QAPIDomain)
    app.add_lexer("qmp", QMPLexer)
    if "qapi_namespaces" not in app.config:
        app.add_config_value("qapi_namespaces", frozenset(), "env", types=(set, frozenset, list))
    if "qapi_allowed_fields" not in app.config:
        app.add_config_value(
            "qapi_allowed_fields", frozenset(), "env", types=(set, frozenset, list)
        )
    app.connect("config-inited", _add_static_path)
    app.connect("missing-reference", _builtin_types, priority=900)
    app.connect("warn-missing-reference", _member_ref_warning)
    app.connect("env-check-consistency", _drop_empty_index_labels)
    app.connect("doctree-read", _plain_toc_entries, priority=600)  # after Sphinx's TOC
    app.add_css_file("qapidoc.css")
    app.add_js_file("qapidoc.js")
    setup_layout(app)
    setup_search(app)


def setup(app: Sphinx) -> ExtensionMetadata:
    setup_domain(app)
    return {
        "version": "0.1",
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
