"""Doctree nodes of the dense reference layout, and their HTML.

Every node subclasses a docutils node that all builders know (container,
paragraph, literal), so LaTeX, text and man output fall back to it through
Sphinx's MRO dispatch; HTML gets compact markup with our own class names
only (``<p class="qapi-item">``, ``<details>``), which no theme restyles,
and none of the per-word ``<span class="pre">`` of signatures.  Markup is
kept lean on purpose: QEMU's one-page reference has about 5,000 items.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

__all__ = [
    "badge",
    "qapi_code",
    "qapi_details",
    "qapi_group",
    "qapi_item",
    "qapi_ref",
    "qapi_summary",
    "qapi_text",
    "setup_layout",
]


class qapi_group(nodes.container):
    """A labelled group: Arguments, Members, Values, Branches, Features,
    Returns; its first child is the label, the rest its items."""


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


class qapi_ref(nodes.reference):
    """A link to a QAPI object: just ``<a href>`` (no classes; thousands of
    them on a page)."""


class qapi_text(nodes.inline):
    """Text shown as is, also inside a signature (where Sphinx would wrap
    every word in a ``<span class="pre">``): a badge, a kind, a name."""


def badge(kind: str, text: str) -> nodes.inline:
    """A badge (since, deprecated, unstable, ifcond, optional, ...): one
    class, ``qapi-badge-KIND``, which the stylesheet matches by prefix."""
    return qapi_text(text, text, classes=[f"qapi-badge-{kind}"])


_Visitor = Callable[[Any, nodes.Element], None]


def _tag(tag: str, newline: str = "\n") -> tuple[_Visitor, _Visitor]:
    def visit(self: Any, node: nodes.Element) -> None:
        attrs = {"open": "open"} if node.get("open") else {}
        self.body.append(self.starttag(node, tag, "", **attrs))

    def depart(self: Any, node: nodes.Element) -> None:
        self.body.append(f"</{tag}>{newline}")

    return visit, depart


def _single_paragraph(node: nodes.Element) -> nodes.paragraph | None:
    """The item's one plain paragraph, if that is all it holds."""
    if len(node.children) != 1:
        return None
    child = node[0]
    if type(child) is not nodes.paragraph or child["ids"] or child["classes"]:
        return None
    return child


def _visit_item(self: Any, node: nodes.Element) -> None:
    """An item of one paragraph (most of them) is that paragraph, ``<p
    class="qapi-item">``, not a ``<div>`` around a ``<p>``; an item with
    lists or several paragraphs keeps the ``<div>``."""
    para = _single_paragraph(node)
    if para is None:
        self.body.append(self.starttag(node, "div", ""))
        return
    self.body.append(self.starttag(node, "p", ""))
    for child in para.children:
        child.walkabout(self)
    self.body.append("</p>\n")
    raise nodes.SkipNode


def _depart_item(self: Any, node: nodes.Element) -> None:
    self.body.append("</div>\n")


def _visit_text(self: Any, node: nodes.Element) -> None:
    text = self.encode(node.astext())
    if node["classes"]:
        text = self.starttag(node, "span", "") + text + "</span>"
    self.body.append(text)
    raise nodes.SkipNode


def _visit_ref(self: Any, node: nodes.Element) -> None:
    uri = node.get("refuri")
    href = uri if uri is not None else "#" + node["refid"]
    self.body.append(self.starttag(node, "a", "", href=href or "#"))


def _depart_ref(self: Any, node: nodes.Element) -> None:
    self.body.append("</a>")


def setup_layout(app: Sphinx) -> None:
    app.add_node(qapi_group, html=_tag("div"))
    app.add_node(qapi_item, html=(_visit_item, _depart_item))
    app.add_node(qapi_details, html=_tag("details"))
    app.add_node(qapi_summary, html=_tag("summary"))
    app.add_node(qapi_code, html=_tag("code", ""))
    app.add_node(qapi_text, html=(_visit_text, None))
    app.add_node(qapi_ref, html=(_visit_ref, _depart_ref))
