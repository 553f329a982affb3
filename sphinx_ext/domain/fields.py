"""Field lists of QAPI descriptions (Arguments, Members, Values, …) and the
nodes that link a possibly decorated type name (``[T]``, ``T?``).
"""

from __future__ import annotations

from docutils import nodes
from docutils.nodes import Element, Node
from docutils.parsers.rst.states import Inliner
from docutils.utils import get_source_line
from sphinx import addnodes
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.util.docfields import Field, GroupedField, TypedField
from sphinx.util.typing import TextlikeNode

from sphinx_ext.domain.layout import qapi_code
from sphinx_ext.domain.names import BUILTIN_TYPES, TYPE_ROLES, parse_target


def _optional_badge() -> nodes.inline:
    return nodes.inline("optional", _("optional"), classes=["qapi-badge", "qapi-badge-optional"])


def decorate(core: Node, is_array: bool, optional: bool, separator: str = ", ",
             code: bool = False) -> list[Node]:
    """Wrap the link for the bare type name in ``[...]`` and the optional mark;
    with *code*, the type (brackets included) is monospace, as in signatures."""
    result: list[Node] = [nodes.Text("["), core, nodes.Text("]")] if is_array else [core]
    if code:
        result = [qapi_code("", "", *result, classes=["qapi-type"])]
    if optional:
        result += [nodes.Text(separator), _optional_badge()]
    return result


def xref_context(env: BuildEnvironment) -> dict[str, str]:
    ref_context = env.ref_context
    context = {
        "qapi:namespace": ref_context.get("qapi:namespace", ""),
        "qapi:module": ref_context.get("qapi:module", ""),
        "qapi:definition": ref_context.get("qapi:definition", ""),
    }
    branch_type = ref_context.get("qapi:branch-type")
    if branch_type:
        context["qapi:branch-type"] = branch_type
    return context


def type_xrefs(
    env: BuildEnvironment,
    text: str,
    reftype: str = "type",
    innernode: type[TextlikeNode] = addnodes.literal_emphasis,
    separator: str = ", ",
    location: Element | None = None,
    code: bool = False,
) -> list[Node]:
    """Nodes for a (possibly decorated) type name, the bare name being a link
    (*code*: all of it monospace, see `decorate`)."""
    ref = parse_target(text)
    content: Node = (
        nodes.Text(ref.title) if innernode is nodes.Text else innernode(ref.title, ref.title)  # type: ignore[call-arg]
    )
    if reftype in TYPE_ROLES and (not ref.link or (ref.path in BUILTIN_TYPES
                                  and ref.namespace is None)):
        # nothing to link to; skip the pending_xref (thousands of them in QMP)
        return decorate(content, ref.is_array, ref.optional, separator, code)
    xref = addnodes.pending_xref(
        "",
        content,
        refdomain="qapi",
        reftype=reftype,
        reftarget=ref.target,
        refexplicit=False,
        refwarn=True,
    )
    xref.attributes.update(xref_context(env))
    if location is not None:
        xref.source, xref.line = get_source_line(location)
    return decorate(xref, ref.is_array, ref.optional, separator, code)


def type_code(env: BuildEnvironment, text: str, location: Element | None = None
              ) -> list[Node]:
    """A type as signatures, returns and the wire view show it: monospace,
    linked, then the optional mark."""
    return type_xrefs(env, text, innernode=nodes.Text, separator=" ", location=location,
                      code=True)


# -- info field lists --------------------------------------------------------


class _TypeXrefMixin:
    """Field lists link type names through :func:`type_xrefs`, in monospace
    like member types (never italic)."""

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
        return type_xrefs(env, target, rolename, nodes.Text, location=location, code=True)


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
