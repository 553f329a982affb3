"""Turn a render plan into doctree nodes through the ``qapi`` domain's directives.

In: `sphinx_ext.render.rst` entries and the running ``qapi-doc`` directive.  Out:
nodes.  Each `Directive` entry runs the domain's own directive class (ids,
badges, index entries, objects.inv) with its options already parsed and its
content prebuilt here, so docutils never re-parses directive markup — the
expensive part of nested rST.  Only doc text is parsed, single plain
paragraphs through the inliner alone.  Every node is located at its schema line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from docutils import nodes
from docutils.nodes import Element, Node
from docutils.statemachine import StringList
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, switch_source_input

from qapidoc.schema.docs import adornment
from sphinx_ext.domain.fields import type_code
from sphinx_ext.domain.layout import qapi_item
from sphinx_ext.render.rst import Directive, Entry, Field, Heading, Text
from sphinx_ext.render.rst_syntax import BLOCK_START
from sphinx_ext.safety import parse_guarded

logger = logging.getLogger(__name__)

_SILENT = 5
"""A docutils report level above every message's (severe is 4)."""


def is_plain_paragraph(lines: Sequence[str]) -> bool:
    """True if *lines* can only be one paragraph, so the inliner alone can parse them."""
    for line in lines:
        if not line or BLOCK_START.match(line) or adornment(line):
            return False
        if line.rstrip().endswith("::"):
            return False
    return True


def locate(node: Element, source: str, line: int) -> None:
    """Point *node* and everything in it at the schema line (for warnings)."""
    for child in node.findall(Element):
        child.source = source
        child.line = line


def inherit_locations(node: Element, page: str | None) -> None:
    """Inline nodes of a nested parse are located in *page*; move them to the
    schema line of the nearest enclosing block (docutils maps inline line
    numbers through the page's state machine only)."""
    for child in node.children:
        if not isinstance(child, Element):
            continue
        if (child.source is None or child.source == page) and node.source not in (None, page):
            child.source, child.line = node.source, node.line
        inherit_locations(child, page)


def _locate_targets(holder: Element, text: Text) -> None:
    """Hyperlink targets come without a line (or the block's): find theirs."""
    for target in holder.findall(nodes.target):
        first = target.rawsource.strip().split("\n", 1)[0]
        found = next((i for i, line in enumerate(text.lines) if first and first in line), None)
        if found is not None:
            target.source, target.line = text.source, text.line_at(found)


class _Prebuilt:
    """Mixin for a domain directive run from the plan: content comes prebuilt."""

    plan_children: Callable[[], list[Node]]
    plan_source: tuple[str, int]

    def parse_content_to_nodes(self, allow_section_headings: bool = False) -> list[Node]:
        return self.plan_children()

    def get_source_info(self) -> tuple[str, int]:
        return self.plan_source

    def set_source_info(self, node: Node) -> None:
        node.source, node.line = self.plan_source


class NodeBuilder:
    """Builds nodes for a plan, on behalf of one running directive."""

    _classes: ClassVar[dict[type[Any], type[Any]]] = {}

    def __init__(self, directive: SphinxDirective) -> None:
        self.directive = directive
        self.state = directive.state
        self.document = directive.state.document
        self.domain = directive.env.get_domain("qapi")
        self.page = directive.get_source_info()[0]

    # -- top level: headings become sections ------------------------------------

    def build(self, entries: Sequence[Entry]) -> list[Node]:
        top: list[Node] = []
        stack: list[tuple[int, nodes.section]] = []
        for entry in entries:
            if isinstance(entry, Heading):
                while stack and stack[-1][0] >= entry.level:
                    stack.pop()
                section = self.section(entry)
                if stack:
                    stack[-1][1].append(section)
                else:
                    top.append(section)
                stack.append((entry.level, section))
                continue
            built = self.entry(entry)
            if stack:
                stack[-1][1].extend(built)
            else:
                top.extend(built)
        return top

    def section(self, heading: Heading) -> nodes.section:
        section = nodes.section()
        textnodes = parse_guarded(
            [heading.title], heading.source, heading.line,
            lambda: self.state.inline_text(heading.title, self.directive.lineno)[0])
        title = nodes.title(heading.title, "", *textnodes)
        section += title
        section["names"].append(nodes.fully_normalize_name(title.astext()))
        locate(section, heading.source, heading.line)
        self.document.note_implicit_target(section, section)
        return section

    # -- entries ------------------------------------------------------------------

    def entries(self, entries: Sequence[Entry]) -> list[Node]:
        result: list[Node] = []
        for entry in entries:
            result.extend(self.entry(entry))
        return result

    def entry(self, entry: Entry) -> list[Node]:
        if isinstance(entry, Directive):
            return self.run_directive(entry)
        if isinstance(entry, Text):
            return self.text(entry)
        if isinstance(entry, Field):
            return [self.field(entry)]
        return []

    def field(self, entry: Field) -> nodes.Element:
        """Returns and Errors as items of a labelled group, the return type
        in monospace like member types."""
        kind, _sep, type_text = entry.name.partition(" ")
        label = _("Errors") if kind == "error" else _("Returns")
        item = qapi_item(classes=["qapi-item", f"qapi-{kind}"])
        locate(item, entry.source, entry.line)
        item["qapi-group"] = label
        item["qapi-kind"] = "errors" if kind == "error" else "returns"
        body: list[Node] = []
        if kind == "return-nodesc" and entry.body is not None:
            type_text = " ".join(entry.body.lines).strip()
        elif entry.body is not None:
            body = self.text(entry.body)
        if type_text:
            code = type_code(self.directive.env, type_text, location=item)
            first = body[0] if body else None
            if isinstance(first, nodes.paragraph) and type(first) is nodes.paragraph:
                first[0:0] = [*code, nodes.Text(" – ")]
            else:
                para = nodes.paragraph("", "", *code)
                locate(para, entry.source, entry.line)
                body.insert(0, para)
        item.extend(body)
        return item

    def run_directive(self, entry: Directive) -> list[Node]:
        base = self.domain.directives[entry.name]
        cls = self._classes.get(base)
        if cls is None:
            cls = type(f"Prebuilt{base.__name__}", (_Prebuilt, base), {})
            self._classes[base] = cls
        directive = cls(
            f"qapi:{entry.name}",
            [entry.argument],
            dict(entry.options),
            StringList(),
            self.directive.lineno,
            0,
            "",
            self.state,
            self.state.state_machine,
        )
        directive.plan_source = (entry.source, entry.line)
        if hasattr(directive, "run_prebuilt"):
            result: list[Node] = directive.run_prebuilt(lambda: self.entries(entry.content))
            return result
        directive.plan_children = lambda: self.entries(entry.content)
        result = directive.run()
        return result

    # -- doc text ---------------------------------------------------------------------

    def text(self, text: Text) -> list[Node]:
        if text.wrap == "example":
            code = "\n".join(text.lines)
            block = nodes.literal_block(code, code, language="qmp")
            locate(block, text.source, text.line)
            return [example_admonition("", [block], text.source, text.line)]
        return self.wrap(text, parse_guarded(text.lines, text.source, text.line,
                                             lambda: self.parse(text)))

    def parse(self, text: Text) -> list[Node]:
        if is_plain_paragraph(text.lines):
            joined = "\n".join(text.lines)
            # a trial: a problem it finds is reported by the full parse below,
            # at the schema's line
            reporter = self.state.memo.reporter
            level, reporter.report_level = reporter.report_level, _SILENT
            try:
                textnodes, messages = self.state.inline_text(joined, self.directive.lineno)
            finally:
                reporter.report_level = level
            if not messages:
                para = nodes.paragraph(joined, "", *textnodes)
                locate(para, text.source, text.line)
                return [para]
        holder = nodes.Element()
        content = StringList(
            list(text.lines),
            items=[(text.source, text.line_at(i) - 1) for i in range(len(text.lines))],
        )
        # docutils maps the line of an inline problem through the page's
        # lines; point it at the schema's instead
        with switch_source_input(self.state, content):
            self.state.nested_parse(content, 0, holder)
        holder.source, holder.line = text.source, text.line
        inherit_locations(holder, self.page)
        if any("_" in line for line in text.lines):
            _locate_targets(holder, text)
        return list(holder.children)

    def wrap(self, text: Text, body: list[Node]) -> list[Node]:
        if text.wrap == "note":
            note = nodes.note("", *body)
            note.source, note.line = text.source, text.line
            return [note]
        if text.wrap == "notice":
            for node in body[:1]:
                if isinstance(node, nodes.Element):
                    node["classes"].append("qapi-notice")
        return body


def example_admonition(title: str, body: list[Node], source: str | None,
                       line: int | None) -> nodes.admonition:
    """The box around a QMP example: "Example" or "Example: <title>"."""
    heading = f"Example: {title}" if title else "Example"
    node = nodes.admonition("", nodes.title(heading, heading), *body,
                            classes=["admonition-example", "qmp-example"])
    node.source, node.line = source, line
    return node
