"""Roles of the ``qapi`` domain: cross-references (``:qapi:type:`~NS:[T]?```)
and ``:qapi:since:`X.Y``` (a since note in running text, as a badge).
"""

from __future__ import annotations

from collections.abc import Sequence

from docutils import nodes
from docutils.nodes import Element, Node
from docutils.parsers.rst.states import Inliner
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.roles import XRefRole

from sphinx_ext.domain.fields import decorate, xref_context
from sphinx_ext.domain.names import normal_version, parse_target


def since_role(name: str, rawtext: str, text: str, lineno: int, inliner: Inliner,
               options: dict[str, object] | None = None, content: Sequence[str] = ()
               ) -> tuple[list[Node], list[nodes.system_message]]:
    label = _("since %s") % normal_version(text)
    return [nodes.inline(rawtext, label, classes=["qapi-badge", "qapi-badge-since"])], []


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
        refnode.attributes.update(xref_context(env))
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
        return decorate(node, is_array, bool(node.get("qapi:optional"))), []
