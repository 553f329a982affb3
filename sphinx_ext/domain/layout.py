"""Doctree nodes of the dense reference layout, and their HTML.

Every node subclasses a docutils node that all builders know (container,
paragraph, literal), so LaTeX, text and man output fall back to it through
Sphinx's MRO dispatch; HTML gets compact markup with our own class names
only (``<div class="qapi-item">``, ``<details>``), which no theme restyles,
and none of the per-word ``<span class="pre">`` of signatures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

__all__ = [
    "qapi_code",
    "qapi_details",
    "qapi_group",
    "qapi_item",
    "qapi_list",
    "qapi_summary",
    "setup_layout",
]


class qapi_group(nodes.container):
    """A labelled group: Arguments, Members, Values, Branches, Features, Returns."""


class qapi_list(nodes.container):
    """The items of a group."""


class qapi_item(nodes.container):
    """One member, value, alternative or feature: its signature runs into its
    description."""


class qapi_details(nodes.container):
    """A collapsed block (a union branch's own members, the wire view);
    ``node["open"]`` renders it open."""


class qapi_summary(nodes.paragraph):
    """The always visible line of a `qapi_details`."""


class qapi_code(nodes.literal):
    """A name or type in monospace (children may be links)."""


_Visitor = Callable[[Any, nodes.Element], None]


def _tag(tag: str, newline: str = "\n") -> tuple[_Visitor, _Visitor]:
    def visit(self: Any, node: nodes.Element) -> None:
        attrs = {"open": "open"} if node.get("open") else {}
        self.body.append(self.starttag(node, tag, "", **attrs))

    def depart(self: Any, node: nodes.Element) -> None:
        self.body.append(f"</{tag}>{newline}")

    return visit, depart


def setup_layout(app: Sphinx) -> None:
    for node in (qapi_group, qapi_list, qapi_item):
        app.add_node(node, html=_tag("div"))
    app.add_node(qapi_details, html=_tag("details"))
    app.add_node(qapi_summary, html=_tag("summary"))
    app.add_node(qapi_code, html=_tag("code", ""))
