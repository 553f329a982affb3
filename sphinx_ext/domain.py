"""The ``qapi`` Sphinx domain: directives, roles and an index for QAPI.

In: rST using ``.. qapi:command::`` and friends (hand-written, or produced by
the autodoc renderer) and references such as ``:qapi:type:`[BlockdevOptions]```.
Out: signatures with badges, genindex entries, objects.inv entries for every
definition and member, resolved links and the "QAPI Index" page.

Anchor ids depend only on the namespace and the names, never on the document::

    qapi-[NAMESPACE.]KIND-Definition[.SUB-member]...

KIND is ``mod``, ``cmd``, ``event``, ``enum``, ``obj`` (struct *and* union, so a
struct that becomes a union keeps its links) or ``alt``; SUB is ``mem``
(member or argument), ``val`` (enum value), ``branch`` (union branch or
alternative) or ``feat``.  E.g. ``qapi-QMP.cmd-blockdev-add``,
``qapi-QMP.obj-BlockdevOptions.mem-driver``, ``qapi-enum-Mood.val-Happy``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Set
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, cast

from docutils import nodes
from docutils.nodes import Element, Node
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.states import Inliner
from docutils.utils import get_source_line
from sphinx import addnodes
from sphinx.addnodes import desc_signature, pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.directives import ObjectDescription
from sphinx.domains import Domain, Index, IndexEntry, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.docfields import DocFieldTransformer, Field, GroupedField, TypedField
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinx.util.typing import ExtensionMetadata, OptionSpec, RoleFunction, TextlikeNode

from sphinx_ext.lexer import QMPLexer

__all__ = [
    "BUILTIN_TYPES",
    "QAPIDomain",
    "QAPIIndex",
    "QAPIObject",
    "TypeRef",
    "definition_anchor",
    "member_anchor",
    "parse_target",
    "setup",
    "setup_domain",
]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

#: Anchor infix per object type; struct and union share one on purpose.
ANCHOR_KINDS: dict[str, str] = {
    "module": "mod",
    "command": "cmd",
    "event": "event",
    "enum": "enum",
    "object": "obj",
    "union": "obj",
    "alternate": "alt",
    "member": "mem",
    "value": "val",
    "branch": "branch",
    "feature": "feat",
}
DEFINITION_TYPES = frozenset({"command", "event", "enum", "object", "union", "alternate"})
MEMBER_TYPES = frozenset({"member", "value", "branch", "feature"})

#: JSON-level type names that are never documented, so never warned about.
BUILTIN_TYPES = frozenset(
    {"any", "bool", "boolean", "int", "null", "number", "q_empty", "size", "str", "string"}
    | {"value", "QType"}
    | {f"{sign}int{bits}" for sign in ("", "u") for bits in (8, 16, 32, 64)}
)

_TYPE_ROLES = frozenset({"type", "any"})


def definition_anchor(namespace: str, objtype: str, name: str) -> str:
    """Anchor id of a definition or module."""
    prefix = f"qapi-{namespace}." if namespace else "qapi-"
    return f"{prefix}{ANCHOR_KINDS[objtype]}-{name}"


def member_anchor(parent_anchor: str, objtype: str, name: str) -> str:
    """Anchor id of a member, value, branch or feature inside *parent_anchor*."""
    return f"{parent_anchor}.{ANCHOR_KINDS[objtype]}-{name}"


class QAPIObject(NamedTuple):
    """One documented entity as stored in the domain data."""

    docname: str
    node_id: str
    objtype: str
    namespace: str
    module: str
    #: ``Definition`` or ``Definition.member`` (nested: ``Union.branch.member``)
    name: str
    synopsis: str
    #: the ``:since:`` option, for the index and the changes page
    since: str = ""

    @property
    def fullname(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name

    @property
    def key(self) -> tuple[str, str, str]:
        return _object_key(self.objtype, self.namespace, self.name)


def _object_key(objtype: str, namespace: str, name: str) -> tuple[str, str, str]:
    """Definitions share one key space whatever their kind; QAPI names are unique."""
    family = "definition" if objtype in DEFINITION_TYPES else objtype
    return family, namespace, name


class TypeRef(NamedTuple):
    """A reference target split into its parts and decorations."""

    namespace: str | None
    path: str
    is_array: bool
    optional: bool
    short: bool

    @property
    def target(self) -> str:
        return f"{self.namespace}:{self.path}" if self.namespace else self.path

    @property
    def title(self) -> str:
        if self.short:
            return self.path.rpartition(".")[2]
        return self.target


def parse_target(text: str) -> TypeRef:
    """Split ``~NS:module.Name``, ``[T]`` and ``T?`` into a :class:`TypeRef`."""
    rest = text.strip()
    short = rest.startswith("~")
    rest = rest.removeprefix("~").strip()
    optional = rest.endswith("?")
    rest = rest.removesuffix("?").strip()
    is_array = len(rest) >= 2 and rest[0] == "[" and rest[-1] == "]"
    if is_array:
        rest = rest[1:-1].strip()
        if rest.startswith("~"):
            short, rest = True, rest[1:].strip()
    namespace: str | None = None
    if ":" in rest:
        namespace, _sep, rest = rest.partition(":")
    return TypeRef(namespace or None, rest, is_array, optional, short)


def _optional_badge() -> nodes.inline:
    return nodes.inline("optional", _("optional"), classes=["qapi-badge", "qapi-badge-optional"])


def _decorate(core: Node, is_array: bool, optional: bool, separator: str = ", ") -> list[Node]:
    """Wrap the link for the bare type name in ``[...]`` and the optional mark."""
    result: list[Node] = [nodes.Text("["), core, nodes.Text("]")] if is_array else [core]
    if optional:
        result += [nodes.Text(separator), _optional_badge()]
    return result


def _context(env: BuildEnvironment) -> dict[str, str]:
    ref_context = env.ref_context
    return {
        "qapi:namespace": ref_context.get("qapi:namespace", ""),
        "qapi:module": ref_context.get("qapi:module", ""),
        "qapi:definition": ref_context.get("qapi:definition", ""),
    }


def type_xrefs(
    env: BuildEnvironment,
    text: str,
    reftype: str = "type",
    innernode: type[TextlikeNode] = addnodes.literal_emphasis,
    separator: str = ", ",
    location: Element | None = None,
) -> list[Node]:
    """Nodes for a (possibly decorated) type name, the bare name being a link."""
    ref = parse_target(text)
    content: Node = (
        nodes.Text(ref.title) if innernode is nodes.Text else innernode(ref.title, ref.title)  # type: ignore[call-arg]
    )
    if reftype in _TYPE_ROLES and ref.path in BUILTIN_TYPES and ref.namespace is None:
        # nothing to link to; skip the pending_xref (thousands of them in QMP)
        return _decorate(content, ref.is_array, ref.optional, separator)
    xref = addnodes.pending_xref(
        "",
        content,
        refdomain="qapi",
        reftype=reftype,
        reftarget=ref.target,
        refexplicit=False,
        refwarn=True,
    )
    xref.attributes.update(_context(env))
    if location is not None:
        xref.source, xref.line = get_source_line(location)
    return _decorate(xref, ref.is_array, ref.optional, separator)


# -- info field lists --------------------------------------------------------


class _TypeXrefMixin:
    """Field lists link type names through :func:`type_xrefs`."""

    def make_xrefs(
        self,
        rolename: str,
        domain: str,
        target: str,
        innernode: type[TextlikeNode] = addnodes.literal_emphasis,
        contnode: Node | None = None,
        env: BuildEnvironment | None = None,
        inliner: Inliner | None = None,
        location: Element | None = None,
    ) -> list[Node]:
        if not rolename or env is None:
            if contnode is not None:
                return [contnode]
            if innernode is nodes.Text:
                return [nodes.Text(target)]
            return [innernode(target, target)]  # type: ignore[call-arg]
        return type_xrefs(env, target, rolename, innernode, location=location)


class QAPIField(_TypeXrefMixin, Field):
    pass


class QAPIGroupedField(_TypeXrefMixin, GroupedField):
    pass


class QAPITypedField(_TypeXrefMixin, TypedField):
    pass


def _typed(name: str, label: str, *names: str) -> QAPITypedField:
    return QAPITypedField(name, label=label, names=names, typerolename="type", can_collapse=False)


FEATURE_FIELD = QAPIGroupedField("feature", label=_("Features"), names=("feat",))
ARGUMENT_FIELD = _typed("argument", _("Arguments"), "arg")
MEMBER_FIELD = _typed("member", _("Members"), "memb")
ALTERNATIVE_FIELD = _typed("alternative", _("Alternatives"), "alt")
VALUE_FIELD = QAPIGroupedField("value", label=_("Values"), names=("value",))
ERROR_FIELD = QAPIField("error", label=_("Errors"), names=("error", "errors"), has_arg=False)
RETURN_FIELD = QAPIGroupedField(
    "return",
    label=_("Return"),
    names=("return", "returns"),
    rolename="type",
    can_collapse=True,
)
RETURN_NODESC_FIELD = QAPIField(
    "return-nodesc",
    label=_("Return"),
    names=("return-nodesc",),
    has_arg=False,
    bodyrolename="type",
)


# -- directives ----------------------------------------------------------------


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
        if label:
            signode += addnodes.desc_annotation(
                label,
                "",
                addnodes.desc_sig_keyword(label, label),
                nodes.Text(" "),
            )
        signode += addnodes.desc_name(signature.short_name, signature.short_name)
        self.add_signature_details(signode)
        signode.extend(self.badges())
        signode["fullname"] = signature.name
        signode["qapi:namespace"] = signature.namespace
        signode["qapi:module"] = signature.module
        return signature

    def badges(self) -> list[Node]:
        found: list[tuple[str, str]] = []
        if "since" in self.options:
            found.append(("since", _("since %s") % self.options["since"]))
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
                nodes.inline(text, text, classes=["qapi-badge", f"qapi-badge-{kind}"]),
            ]
        return badges

    def index_text(self, signature: QAPISignature) -> str:
        namespace = f"{signature.namespace} " if signature.namespace else ""
        return f"{signature.name} ({namespace}{self.index_label})"

    def add_target_and_index(self, name: QAPISignature, sig: str, signode: desc_signature) -> None:
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
            since=self.options.get("since") or "",
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


_SCOPE_KEYS = ("qapi:namespace", "qapi:module", "qapi:definition")


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
    gives the namespace, module, name prefix and anchor prefix.
    """

    has_type: ClassVar[bool] = False
    doc_field_types: list[Field] = [FEATURE_FIELD]  # noqa: RUF012

    def run(self) -> list[Node]:
        if self.inherits_no_index():
            self.options["no-index"] = True
        return super().run()

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

    def add_signature_details(self, signode: desc_signature) -> None:
        type_text = self.options.get("type")
        if self.has_type and type_text:
            signode += nodes.Text(": ")
            signode.extend(
                type_xrefs(
                    self.env,
                    type_text,
                    innernode=nodes.Text,
                    separator=" ",
                    location=signode,
                )
            )

    def index_text(self, signature: QAPISignature) -> str:
        parent = signature.name.rpartition(".")[0]
        return f"{signature.short_name} ({parent} {self.member_label()})"

    def member_label(self) -> str:
        return self.index_label

    def _object_hierarchy_parts(self, sig_node: desc_signature) -> tuple[str, ...]:
        return ()


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

    def add_signature_details(self, signode: desc_signature) -> None:
        super().add_signature_details(signode)
        origin = self.options.get("inherited-from")
        if origin:
            scopes: tuple[_Scope, ...] = self.env.ref_context.get("qapi:scopes", ())
            inherited = not scopes or scopes[-1].objtype not in ("command", "event")
            label = _("inherited from") if inherited else _("from")
            signode += nodes.Text(" ")
            signode += addnodes.desc_annotation(
                "",
                "",
                nodes.Text(f"({label} "),
                *type_xrefs(self.env, origin, innernode=nodes.Text, location=signode),
                nodes.Text(")"),
                classes=["qapi-origin"],
            )
        if "discriminator" in self.options:
            signode += nodes.Text(" ")
            text = _("discriminator")
            signode += nodes.inline(text, text, classes=["qapi-badge", "qapi-badge-discriminator"])

    def member_label(self) -> str:
        scopes: tuple[_Scope, ...] = self.env.ref_context.get("qapi:scopes", ())
        in_command = bool(scopes) and scopes[-1].objtype == "command"
        return "argument" if in_command else "member"


class QAPIValue(QAPIMemberLevel):
    index_label = "value"


class QAPIBranch(QAPIMemberLevel):
    option_spec: ClassVar[OptionSpec] = {**QAPIMemberLevel.option_spec, **_TYPE_OPTION}
    has_type = True
    index_label = "branch"

    def signature_label(self) -> str:
        scopes: tuple[_Scope, ...] = self.env.ref_context.get("qapi:scopes", ())
        in_alternate = bool(scopes) and scopes[-1].objtype == "alternate"
        return "alternative" if in_alternate else "branch"


class QAPIFeature(QAPIMemberLevel):
    label = "feature"
    index_label = "feature"
    doc_field_types: list[Field] = []  # noqa: RUF012


class QAPIModule(SphinxDirective):
    """Start a module: later definitions belong to it; links lead here."""

    has_content = True
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
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


# -- roles ---------------------------------------------------------------------


class QAPIXRefRole(XRefRole):
    """``:qapi:type:`~NS:module.[Name]?``` and friends."""

    def process_link(
        self,
        env: BuildEnvironment,
        refnode: Element,
        has_explicit_title: bool,
        title: str,
        target: str,
    ) -> tuple[str, str]:
        refnode.attributes.update(_context(env))
        ref = parse_target(target)
        if not has_explicit_title:
            title = ref.title
            refnode["qapi:array"] = ref.is_array
            refnode["qapi:optional"] = ref.optional
        return title, ref.target

    def result_nodes(
        self,
        document: nodes.document,
        env: BuildEnvironment,
        node: Element,
        is_ref: bool,
    ) -> tuple[list[Node], list[nodes.system_message]]:
        if not is_ref:
            return [node], []
        is_array = bool(node.get("qapi:array"))
        return _decorate(node, is_array, bool(node.get("qapi:optional"))), []


# -- index ---------------------------------------------------------------------


class QAPIIndex(Index):
    """Every definition and module, alphabetically, with its kind."""

    name = "index"
    localname = _("QAPI Index")
    shortname = _("QAPI Index")
    #: only this namespace's definitions (the per-namespace indices)
    namespace: ClassVar[str | None] = None

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        wanted = set(docnames) if docnames is not None else None
        domain = cast("QAPIDomain", self.domain)
        content: dict[str, list[IndexEntry]] = {}
        entries = sorted(
            (
                obj
                for obj in domain.objects.values()
                if obj.objtype not in MEMBER_TYPES
                and (wanted is None or obj.docname in wanted)
                and (self.namespace is None or obj.namespace == self.namespace)
            ),
            key=lambda obj: (obj.name.lower(), obj.namespace, obj.objtype),
        )
        for obj in entries:
            kind = str(domain.object_types[obj.objtype].lname)
            extra = f"{obj.namespace} {kind}" if obj.namespace else kind
            if obj.since:
                extra += _(", since %s") % obj.since
            letter = obj.name[:1].upper()
            content.setdefault(letter, []).append(
                IndexEntry(obj.name, 0, obj.docname, obj.node_id, extra, "", obj.synopsis)
            )
        return sorted(content.items()), False


class QAPIKindIndex(Index):
    """Every definition grouped by kind (commands, events, types), with Since."""

    name = "kind-index"
    localname = _("QAPI Index by Kind")
    shortname = _("by kind")

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        wanted = set(docnames) if docnames is not None else None
        domain = cast("QAPIDomain", self.domain)
        content: dict[str, list[IndexEntry]] = {}
        for obj in sorted(domain.objects.values(),
                          key=lambda o: (o.name.lower(), o.namespace, o.objtype)):
            if obj.objtype in MEMBER_TYPES or obj.objtype == "module":
                continue
            if wanted is not None and obj.docname not in wanted:
                continue
            kind = str(domain.object_types[obj.objtype].lname)
            group = _("%ss") % kind.capitalize()
            extra = f"{obj.namespace}, since {obj.since}" if obj.since else obj.namespace
            content.setdefault(group, []).append(
                IndexEntry(obj.name, 0, obj.docname, obj.node_id, extra, "", obj.synopsis)
            )
        return sorted(content.items()), False


def namespace_index(namespace: str) -> type[QAPIIndex]:
    """The index of one namespace, e.g. ``qapi-qmp-index`` for QMP (as QEMU's)."""
    return type(
        f"QAPI{namespace}Index",
        (QAPIIndex,),
        {
            "name": f"{namespace.lower()}-index",
            "localname": _("%s Index") % namespace,
            "shortname": _("%s Index") % namespace,
            "namespace": namespace,
        },
    )


# -- the domain ------------------------------------------------------------------


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
        role: QAPIXRefRole(warn_dangling=True)
        for role in ("mod", "cmd", "event", "enum", "obj", "alt", "type", "mem", "any")
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
        scope first, then one nested anywhere in it (union branches), then a
        definition of that name (older docs write ``@command``)."""
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
        return self.find_objects(
            ref.path, DEFINITION_TYPES, namespace=namespace,
            module=str(node.get("qapi:module") or ""),
        )[:1]

    def _make_refnode(
        self, builder: Builder, fromdocname: str, obj: QAPIObject, contnode: Element
    ) -> nodes.reference:
        kind = self.object_types[obj.objtype].lname
        title = f"{obj.fullname} ({kind})"
        return make_refnode(builder, fromdocname, obj.docname, obj.node_id, contnode, title)

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
        if typ == "mem":
            matches = self._find_member(target, node)
        else:
            matches = self._find_for_node(target, self.objtypes_for_role(typ) or (), node)
        if not matches and typ == "any":
            std = env.domains.standard_domain
            found = std.resolve_any_xref(env, fromdocname, builder, target, node, contnode)
            return found[0][1] if found else None
        if not matches:
            return None
        if len(matches) > 1 and any(obj.objtype != "module" for obj in matches):
            # `yank` names both a command and its module: the command is meant
            matches = [obj for obj in matches if obj.objtype != "module"]
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
        # by name, ahead of module pages and far ahead of members.
        for obj in sorted(self.objects.values()):
            if obj.objtype == "module":
                priority = 1
            elif obj.objtype in MEMBER_TYPES:
                priority = 2
            else:
                priority = 0
            yield obj.fullname, obj.fullname, obj.objtype, obj.docname, obj.node_id, priority

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
    if node.get("refdomain") != "qapi" or node.get("reftype") not in _TYPE_ROLES:
        return None
    if parse_target(str(node.get("reftarget", ""))).path in BUILTIN_TYPES:
        return contnode
    return None


def _member_ref_warning(app: Sphinx, domain: Domain | None, node: pending_xref) -> bool | None:
    """An unresolved ``@name`` warns once per schema line, as ``qapidoc.member-ref``.

    Doc text rendered under several definitions (inherited members, union
    branches) would otherwise repeat the same warning for each copy.
    """
    if node.get("refdomain") != "qapi" or node.get("reftype") != "mem":
        return None
    source, line = get_source_line(node)
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


def _add_static_path(app: Sphinx, config: Config) -> None:
    static = str(STATIC_DIR)
    if static not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, static]


def setup_domain(app: Sphinx) -> None:
    """Register the domain, the ``qmp`` lexer and the stylesheet (idempotent)."""
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
    app.add_css_file("qapidoc.css")


def setup(app: Sphinx) -> ExtensionMetadata:
    setup_domain(app)
    return {
        "version": "0.1",
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
