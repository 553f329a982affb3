"""The object directives of the ``qapi`` domain (``qapi:command`` and
friends, ``qapi:module``, ``qapi:namespace``): ids, index entries, storage
and badges; each kind only declares what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, cast

from docutils import nodes
from docutils.nodes import Element, Node
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.addnodes import desc_signature
from sphinx.directives import ObjectDescription
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docfields import DocFieldTransformer, Field
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from sphinx_ext.domain.fields import (
    ALTERNATIVE_FIELD,
    ARGUMENT_FIELD,
    ERROR_FIELD,
    FEATURE_FIELD,
    MEMBER_FIELD,
    RETURN_FIELD,
    RETURN_NODESC_FIELD,
    VALUE_FIELD,
    type_code,
)
from sphinx_ext.domain.layout import (
    badge,
    qapi_code,
    qapi_details,
    qapi_group,
    qapi_item,
    qapi_summary,
    qapi_text,
)
from sphinx_ext.domain.names import (
    QAPIObject,
    definition_anchor,
    member_anchor,
    normal_version,
    parse_target,
)

if TYPE_CHECKING:
    from sphinx_ext.domain.qapi_domain import QAPIDomain


logger = logging.getLogger(__name__)


class QAPISignature(NamedTuple):
    """What ``handle_signature`` found: enough to store and anchor the object."""

    name: str
    namespace: str
    module: str
    node_id: str
    short_name: str


class _Scope(NamedTuple):
    """An enclosing description, as seen by the directives nested in it."""

    signature: QAPISignature
    objtype: str
    no_index: bool
    saved: dict[str, Any]


class QAPIDescription(ObjectDescription[QAPISignature]):
    """Base of every QAPI object directive: ids, index entries, storage, badges.

    Subclasses declare ``label`` (shown before the name), ``index_label`` and
    their field types, and say how a signature becomes a :class:`QAPISignature`.
    """

    option_spec: ClassVar[OptionSpec] = {
        **ObjectDescription.option_spec,
        "since": directives.unchanged_required,
        "deprecated": directives.flag,
        "unstable": directives.flag,
        "ifcond": directives.unchanged_required,
        "undocumented": directives.flag,
    }
    label: ClassVar[str] = ""
    index_label: ClassVar[str] = ""

    _scope_pushed = False
    _key: tuple[str, str, str] | None = None
    _content_node: addnodes.desc_content | None = None

    @property
    def qapi_domain(self) -> QAPIDomain:
        return cast("QAPIDomain", self.env.get_domain("qapi"))

    def make_signature(self, sig: str) -> QAPISignature:
        raise NotImplementedError

    def signature_label(self) -> str:
        return self.label

    def add_signature_details(self, signode: desc_signature) -> None:
        """Hook for what follows the name (a member's type)."""

    def handle_signature(self, sig: str, signode: desc_signature) -> QAPISignature:
        if not sig or any(char.isspace() for char in sig):
            logger.warning("invalid QAPI name %r in %s", sig, self.name, location=signode)
            raise ValueError(sig)
        signature = self.make_signature(sig)
        label = self.signature_label()
        if label:  # plain text nodes: no per-word spans in the page
            signode += qapi_text(label, label, classes=["qapi-kind"])
            signode += nodes.Text(" ")
        name = signature.short_name
        signode += addnodes.desc_name(name, "", qapi_text(name, name))
        self.add_signature_details(signode)
        signode.extend(self.badges())
        signode["fullname"] = signature.name
        signode["qapi:namespace"] = signature.namespace
        signode["qapi:module"] = signature.module
        return signature

    def badges(self) -> list[Node]:
        found: list[tuple[str, str]] = []
        if "since" in self.options:
            found.append(("since", _("since %s") % normal_version(self.options["since"])))
        if "deprecated" in self.options:
            found.append(("deprecated", _("deprecated")))
        if "unstable" in self.options:
            found.append(("unstable", _("unstable")))
        if "ifcond" in self.options:
            found.append(("ifcond", _("if %s") % self.options["ifcond"]))
        if "undocumented" in self.options:
            found.append(("undocumented", _("not documented")))
        badges: list[Node] = []
        for kind, text in found:
            badges += [
                nodes.Text(" "),
                badge(kind, text),
            ]
        return badges

    def index_text(self, signature: QAPISignature) -> str:
        namespace = f"{signature.namespace} " if signature.namespace else ""
        return f"{signature.name} ({namespace}{self.index_label})"

    def add_target_and_index(self, name: QAPISignature, sig: str,
                             signode: desc_signature | nodes.Element) -> None:
        document = self.state.document
        if name.node_id not in document.ids:
            signode["ids"].append(name.node_id)
            document.note_explicit_target(signode)
        entry = QAPIObject(
            docname=self.env.current_document.docname,
            node_id=name.node_id,
            objtype=self.objtype,
            namespace=name.namespace,
            module=name.module,
            name=name.name,
            synopsis="",
            since=normal_version(self.options.get("since") or ""),
        )
        self.qapi_domain.note_object(entry, location=signode)
        self._key = entry.key
        if "no-index-entry" not in self.options:
            self.indexnode["entries"].append(
                ("single", self.index_text(name), name.node_id, "", None)
            )

    def run_prebuilt(self, content: Callable[[], list[Node]]) -> list[Node]:
        """What :meth:`run` does for a description whose options are parsed and
        whose content *content* builds: the ``qapi-doc`` renderer's fast path.

        Skips parsing and the ``object-description-transform`` event (per
        object that costs more than the rest together on QEMU's schema).
        """
        self.domain, _sep, self.objtype = self.name.partition(":")
        self.indexnode = addnodes.index(entries=[])
        no_index = "no-index" in self.options or self.inherits_no_index()
        node = addnodes.desc(
            domain=self.domain,
            objtype=self.objtype,
            desctype=self.objtype,
            classes=[self.domain, self.objtype],
        )
        for key in ("no-index", "noindex", "no-index-entry", "noindexentry",
                    "no-contents-entry", "nocontentsentry", "no-typesetting"):
            node[key] = False
        node["no-index"] = node["noindex"] = no_index
        node["no-index-entry"] = node["noindexentry"] = "no-index-entry" in self.options
        node.document = self.state.document
        sig = self.arguments[0]
        signode = addnodes.desc_signature(sig, "")
        self.set_source_info(signode)
        node.append(signode)
        self.names = []
        try:
            name = self.handle_signature(sig, signode)
        except ValueError:
            signode.clear()
            signode += addnodes.desc_name(sig, sig)
        else:
            self.names.append(name)
            if not no_index:
                self.add_target_and_index(name, sig, signode)
            self.env.current_document.obj_desc_name = name.name
        parts = self._object_hierarchy_parts(signode) if self.config.toc_object_entries else ()
        signode["_toc_parts"] = parts
        signode["_toc_name"] = self._toc_entry_name(signode) if parts else ""
        self.before_content()
        content_node = addnodes.desc_content("", *content())
        node.append(content_node)
        self.transform_content(content_node)
        if any(isinstance(child, nodes.field_list) for child in content_node.children):
            DocFieldTransformer(self).transform_all(content_node)
        self.after_content()
        return [self.indexnode, node] if self.indexnode["entries"] else [node]

    def inherits_no_index(self) -> bool:
        return False

    def before_content(self) -> None:
        if not self.names:
            return
        signature = self.names[0]
        ref_context = self.env.ref_context
        saved = {key: ref_context.get(key) for key in _SCOPE_KEYS}
        scope = _Scope(signature, self.objtype, "no-index" in self.options, saved)
        ref_context["qapi:scopes"] = (*ref_context.get("qapi:scopes", ()), scope)
        ref_context["qapi:namespace"] = signature.namespace
        ref_context["qapi:module"] = signature.module
        ref_context["qapi:definition"] = signature.name
        self._scope_pushed = True

    def after_content(self) -> None:
        if self._content_node is not None:
            for child in self._content_node.children:
                if isinstance(child, nodes.field_list):
                    _lift_blocks(child)
        if not self._scope_pushed:
            return
        ref_context = self.env.ref_context
        scopes: tuple[_Scope, ...] = ref_context.get("qapi:scopes", ())
        if not scopes:
            return
        for key, value in scopes[-1].saved.items():
            if value is None:
                ref_context.pop(key, None)
            else:
                ref_context[key] = value
        ref_context["qapi:scopes"] = scopes[:-1]

    def transform_content(self, content_node: addnodes.desc_content) -> None:
        self._content_node = content_node
        grouped = group_items(list(content_node.children))
        content_node.clear()
        content_node.extend(grouped)
        self._check_fields(content_node)
        if self._key is not None:
            self.qapi_domain.set_synopsis(self._key, _synopsis(content_node.children))

    def _check_fields(self, content_node: addnodes.desc_content) -> None:
        """Unknown field names are most likely typos of known ones."""
        known = self.get_field_type_map()
        allowed = {name.lower() for name in self.config.qapi_allowed_fields}
        for field_list in content_node.children:
            if not isinstance(field_list, nodes.field_list):
                continue
            for field in field_list.children:
                text = field.children[0].astext().strip()
                first = text.split(None, 1)[0] if text else ""
                if first in known or {text.lower(), first.lower()} & allowed:
                    continue
                logger.warning(
                    "unknown field %r in %s; known fields: %s "
                    "(allow more with qapi_allowed_fields)",
                    text,
                    self.name,
                    ", ".join(sorted(known)) or "none",
                    location=field,
                )

    def _object_hierarchy_parts(self, sig_node: desc_signature) -> tuple[str, ...]:
        fullname = sig_node.get("fullname")
        return (str(fullname),) if fullname else ()

    def _toc_entry_name(self, sig_node: desc_signature) -> str:
        parts: tuple[str, ...] = sig_node.get("_toc_parts", ())
        return parts[-1] if parts else ""


_SCOPE_KEYS = ("qapi:namespace", "qapi:module", "qapi:definition", "qapi:branch-type")


def _lift_blocks(field_list: nodes.field_list) -> None:
    """Move block content (lists, more paragraphs) out of field paragraphs.

    Sphinx's doc fields wrap a field body into one paragraph, which is
    invalid HTML as soon as the body holds a list or a second paragraph.
    """
    for para in list(field_list.findall(nodes.paragraph)):
        inline: list[Node] = []
        blocks: list[Node] = []
        for child in para.children:
            grandchildren = list(child.children) if isinstance(child, Element) else []
            if isinstance(child, nodes.inline) and any(
                isinstance(node, nodes.Body) for node in grandchildren
            ):
                if grandchildren and isinstance(grandchildren[0], nodes.paragraph):
                    inline += grandchildren.pop(0).children
                blocks += grandchildren
            else:
                inline.append(child)
        if blocks and para.parent is not None:
            lead = [nodes.paragraph("", "", *inline)] if inline else []
            para.replace_self([*lead, *blocks])


def _synopsis(content: Iterable[Node], limit: int = 120) -> str:
    """First sentence of the first paragraph, for the QAPI index."""
    for child in content:
        if isinstance(child, nodes.paragraph):
            text = " ".join(child.astext().split())
            sentence = text.split(". ", 1)[0].rstrip(".")
            if len(sentence) > limit:
                sentence = sentence[: limit - 1].rstrip() + "…"
            return sentence
    return ""


class QAPIDefinition(QAPIDescription):
    """A top-level definition; the namespace and module come from context."""

    option_spec: ClassVar[OptionSpec] = {
        **QAPIDescription.option_spec,
        "namespace": directives.unchanged_required,
        "module": directives.unchanged_required,
    }
    doc_field_types: list[Field] = [FEATURE_FIELD]  # noqa: RUF012

    def make_signature(self, sig: str) -> QAPISignature:
        ref_context = self.env.ref_context
        namespace = self.options.get("namespace", ref_context.get("qapi:namespace", ""))
        module = self.options.get("module", ref_context.get("qapi:module", ""))
        node_id = definition_anchor(namespace, self.objtype, sig)
        return QAPISignature(sig, namespace, module, node_id, sig)


class QAPICommand(QAPIDefinition):
    label = "command"
    index_label = "command"
    doc_field_types: list[Field] = [  # noqa: RUF012
        ARGUMENT_FIELD,
        FEATURE_FIELD,
        ERROR_FIELD,
        RETURN_FIELD,
        RETURN_NODESC_FIELD,
    ]


class QAPIEvent(QAPIDefinition):
    label = "event"
    index_label = "event"
    doc_field_types: list[Field] = [MEMBER_FIELD, FEATURE_FIELD]  # noqa: RUF012


class QAPIEnum(QAPIDefinition):
    label = "enum"
    index_label = "enum"
    doc_field_types: list[Field] = [VALUE_FIELD, FEATURE_FIELD]  # noqa: RUF012


class QAPIStruct(QAPIDefinition):
    label = "struct"
    index_label = "struct"
    doc_field_types: list[Field] = [MEMBER_FIELD, FEATURE_FIELD]  # noqa: RUF012


class QAPIUnion(QAPIStruct):
    label = "union"
    index_label = "union"


class QAPIAlternate(QAPIDefinition):
    label = "alternate"
    index_label = "alternate"
    doc_field_types: list[Field] = [ALTERNATIVE_FIELD, FEATURE_FIELD]  # noqa: RUF012


class QAPIMemberLevel(QAPIDescription):
    """Something documented inside a definition (or inside another member).

    Must be nested in the content of a definition directive: the parent
    gives the namespace, module, name prefix and anchor prefix.  Rendered
    densely: a `qapi_item` whose signature (name, type, badges, permalink)
    runs into the first paragraph of its description; the enclosing
    description gathers consecutive items into a labelled group.
    """

    has_type: ClassVar[bool] = False
    doc_field_types: list[Field] = [FEATURE_FIELD]  # noqa: RUF012

    def run(self) -> list[Node]:
        return self.run_item(self.parse_content_to_nodes)

    def run_prebuilt(self, content: Callable[[], list[Node]]) -> list[Node]:
        return self.run_item(content)

    def run_item(self, content: Callable[[], list[Node]]) -> list[Node]:
        self.domain, _sep, self.objtype = self.name.partition(":")
        self.indexnode = addnodes.index(entries=[])
        if self.inherits_no_index():
            self.options["no-index"] = True
        sig = self.arguments[0]
        item = self.item_node()
        self.set_source_info(item)
        signode = nodes.inline()  # a holder: its children start the first paragraph
        self.names = []
        try:
            name = self.checked_signature(sig, item)
        except ValueError:
            signode += qapi_code(sig, sig)
        else:
            self.names.append(name)
            # the name: the first code of the item's first paragraph (no class:
            # thousands of them on a page)
            signode += qapi_code(name.short_name, name.short_name)
            self.add_item_details(signode)
            signode.extend(self.badges())
            if "no-index" not in self.options:
                self.add_target_and_index(name, sig, item)
        item["qapi-group"] = self.group_label()
        item["qapi-kind"] = self.group_kind()
        self.before_content()
        holder = nodes.Element()
        holder.extend(content())
        if any(isinstance(child, nodes.field_list) for child in holder.children):
            DocFieldTransformer(self).transform_all(holder)  # type: ignore[arg-type]
        body = group_items(list(holder.children))
        self.after_content()
        self.compose(item, signode, body)
        return [self.indexnode, item] if self.indexnode["entries"] else [item]

    def item_node(self) -> nodes.Element:
        return qapi_item(classes=["qapi-item"])

    def compose(self, item: nodes.Element, signode: nodes.inline, body: list[Node]) -> None:
        """Signature, then the description running on from it."""
        first = body[0] if body else None
        if isinstance(first, nodes.paragraph) and type(first) is nodes.paragraph:
            first[0:0] = [*signode.children, nodes.Text(" – ")]
        else:
            para = nodes.paragraph("", "", *signode.children)
            para.source, para.line = item.source, item.line
            body.insert(0, para)
        item.extend(body)

    def checked_signature(self, sig: str, location: Element) -> QAPISignature:
        if not sig or any(char.isspace() for char in sig):
            logger.warning("invalid QAPI name %r in %s", sig, self.name, location=location)
            raise ValueError(sig)
        return self.make_signature(sig)

    def add_item_details(self, signode: nodes.inline) -> None:
        """What follows the name in the signature (a member's type)."""
        type_text = self.options.get("type")
        if self.has_type and type_text:
            signode += nodes.Text(": ")
            signode.extend(type_code(self.env, type_text, location=signode))

    def group_label(self) -> str:
        return _("Features")

    def group_kind(self) -> str:
        """The group's class name suffix (``qapi-group-branches``)."""
        return {"member": "members", "value": "values", "feature": "features"}.get(
            self.objtype, "branches")

    def parent_objtype(self) -> str:
        scopes: tuple[_Scope, ...] = self.env.ref_context.get("qapi:scopes", ())
        return scopes[-1].objtype if scopes else ""

    def inherits_no_index(self) -> bool:
        scopes: tuple[_Scope, ...] = self.env.ref_context.get("qapi:scopes", ())
        return bool(scopes) and scopes[-1].no_index

    def make_signature(self, sig: str) -> QAPISignature:
        scopes: tuple[_Scope, ...] = self.env.ref_context.get("qapi:scopes", ())
        if not scopes:
            logger.warning(
                "%s %r must be nested in a QAPI definition",
                self.name,
                sig,
                location=self.get_location(),
            )
            raise ValueError(sig)
        parent = scopes[-1].signature
        return QAPISignature(
            name=f"{parent.name}.{sig}",
            namespace=parent.namespace,
            module=parent.module,
            node_id=member_anchor(parent.node_id, self.objtype, sig),
            short_name=sig,
        )

    def index_text(self, signature: QAPISignature) -> str:
        parent = signature.name.rpartition(".")[0]
        return f"{signature.short_name} ({parent} {self.member_label()})"

    def member_label(self) -> str:
        return self.index_label


_TYPE_OPTION: OptionSpec = {"type": directives.unchanged_required}


class QAPIMember(QAPIMemberLevel):
    """A member or argument; ``:inherited-from: Base`` says where it is declared."""

    option_spec: ClassVar[OptionSpec] = {
        **QAPIMemberLevel.option_spec,
        **_TYPE_OPTION,
        "inherited-from": directives.unchanged_required,
        "discriminator": directives.flag,
    }
    has_type = True
    index_label = "member"

    def add_item_details(self, signode: nodes.inline) -> None:
        super().add_item_details(signode)
        origin = self.options.get("inherited-from")
        if origin:
            inherited = self.parent_objtype() not in ("command", "event")
            label = _("inherited from") if inherited else _("from")
            signode += nodes.Text(" ")
            signode += nodes.inline(
                "",
                "",
                nodes.Text(f"({label} "),
                *type_code(self.env, origin, location=signode),
                nodes.Text(")"),
                classes=["qapi-origin"],
            )
        if "discriminator" in self.options:
            signode += nodes.Text(" ")
            text = _("discriminator")
            signode += badge("discriminator", text)

    def group_label(self) -> str:
        parent = self.parent_objtype()
        if parent == "command":
            return _("Arguments")
        if parent == "event":
            return _("Data")
        return _("Members")

    def member_label(self) -> str:
        return "argument" if self.parent_objtype() == "command" else "member"


class QAPIValue(QAPIMemberLevel):
    index_label = "value"

    def group_label(self) -> str:
        return _("Values")


class QAPIBranch(QAPIMemberLevel):
    """A union branch (a row of the branch table whose own members open
    below it) or an alternative of an alternate (an item)."""

    option_spec: ClassVar[OptionSpec] = {**QAPIMemberLevel.option_spec, **_TYPE_OPTION}
    has_type = True
    index_label = "branch"

    def in_alternate(self) -> bool:
        return self.parent_objtype() == "alternate"

    def before_content(self) -> None:
        type_text = self.options.get("type")
        alternate = self.in_alternate()
        super().before_content()
        if self._scope_pushed and type_text and not alternate:
            self.env.ref_context["qapi:branch-type"] = parse_target(type_text).path

    def group_label(self) -> str:
        return _("Alternatives") if self.in_alternate() else _("Branches")

    def group_kind(self) -> str:
        return "alternatives" if self.in_alternate() else "branches"

    def item_node(self) -> nodes.Element:
        if self.in_alternate():
            return super().item_node()
        return qapi_details(classes=["qapi-branch"])

    def compose(self, item: nodes.Element, signode: nodes.inline, body: list[Node]) -> None:
        if not isinstance(item, qapi_details):
            super().compose(item, signode, body)
            return
        value, *rest = signode.children
        signode.clear()
        if rest and rest[0].astext() == ": ":
            rest = rest[1:]
        summary = qapi_summary("", "", qapi_code("", f'"{value.astext()}"', classes=["qapi-name"]),
                               nodes.inline("", "", *rest, classes=["qapi-cell"]))
        summary.source, summary.line = item.source, item.line
        item += summary
        if body:
            item += qapi_item("", *body, classes=["qapi-branch-body"])
        else:
            item["classes"].append("qapi-empty")

    def member_label(self) -> str:
        return "alternative" if self.in_alternate() else "branch"


class QAPIFeature(QAPIMemberLevel):
    index_label = "feature"
    doc_field_types: list[Field] = []  # noqa: RUF012


def group_items(children: list[Node]) -> list[Node]:
    """Consecutive items of one kind become a `qapi_group`: a label, then
    the items (index nodes between items stay inside)."""
    out: list[Node] = []
    current: qapi_group | None = None
    label = ""
    for child in children:
        element = child if isinstance(child, Element) else None
        key = element.get("qapi-group") if element is not None else None
        if key and key == label and current is not None:
            current += child
        elif key and element is not None:
            label = str(key)
            kind = str(element.get("qapi-kind") or "")
            classes = ["qapi-group", f"qapi-group-{kind}"] if kind == "branches" else [
                "qapi-group"]
            current = qapi_group("", nodes.paragraph(label, label, classes=["qapi-label"]),
                                 child, classes=classes)
            out.append(current)
        elif isinstance(child, addnodes.index) and current is not None:
            current += child
        else:
            out.append(child)
            current, label = None, ""
    return out


class QAPIModule(SphinxDirective):
    """Start a module: later definitions belong to it; links lead here."""

    has_content = True
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = True  # named after its file: 'a b.json' is 'a b'
    option_spec: ClassVar[OptionSpec] = {
        "no-index": directives.flag,
        "noindex": directives.flag,
        "no-index-entry": directives.flag,
        "noindexentry": directives.flag,
    }

    def run(self) -> list[Node]:
        name = self.arguments[0].strip()
        namespace: str = self.env.ref_context.get("qapi:namespace", "")
        self.env.ref_context["qapi:module"] = name
        content = self.parse_content_to_nodes(allow_section_headings=True)
        if "no-index" in self.options or "noindex" in self.options:
            return content
        node_id = definition_anchor(namespace, "module", name)
        target = nodes.target("", "", ismod=True)
        self.set_source_info(target)
        if node_id not in self.state.document.ids:
            target["ids"].append(node_id)
            self.state.document.note_explicit_target(target)
        domain = cast("QAPIDomain", self.env.get_domain("qapi"))
        domain.note_object(
            QAPIObject(
                docname=self.env.current_document.docname,
                node_id=node_id,
                objtype="module",
                namespace=namespace,
                module=name,
                name=name,
                synopsis=_synopsis(content),
            ),
            location=target,
        )
        result: list[Node] = []
        if not ({"no-index-entry", "noindexentry"} & self.options.keys()):
            label = f"{namespace} module" if namespace else "module"
            text = f"{name} ({label})"
            result.append(addnodes.index(entries=[("single", text, node_id, "", None)]))
        return [*result, target, *content] if target["ids"] else [*result, *content]


class QAPINamespace(SphinxDirective):
    """Start a namespace (a schema such as QMP or QGA); invisible."""

    has_content = False
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    option_spec: ClassVar[OptionSpec] = {}

    def run(self) -> list[Node]:
        ref_context = self.env.ref_context
        ref_context["qapi:namespace"] = self.arguments[0].strip()
        ref_context.pop("qapi:module", None)
        return []
