"""docutils for lint: parse one doc comment as rST, as the documentation build does.

Each doc comment's sections are joined into one rST document with a map
from its lines back to schema lines.  Parsing goes through the allow-list
(`qapidoc.core.sanitize`), exactly as in the Sphinx build: what it drops
comes back as (schema line, message) for QD307 (checked again after
docutils' reference transforms, as the build does), docutils' own warnings as
(schema line, column, message) for QD308.  Sphinx's directives and roles
that the allow-list admits are stood in for (containers and literals), so
their content is checked too.  Too deep a nesting is not parsed, and an
exception of the parser is a result, never a traceback.  Imported lazily
by the rules, and only for doc text that needs it: ``qapidoc lint`` does
not load docutils for ordinary schemas.
"""

from __future__ import annotations

import gc
import itertools
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar

from qapidoc.core.allowlist import parse_problem
from qapidoc.core.sanitize import allow_listed_markup, sanitize
from qapidoc.schema.docs import headings
from qapidoc.schema.model import DocComment, SectionKind

_CODE_OPTIONS = ("caption", "class", "dedent", "emphasize-lines", "force", "lineno-start",
                 "linenos", "name")
_STAND_INS: dict[str, tuple[tuple[str, ...], int, int, bool]] = {
    "code-block": (_CODE_OPTIONS, 0, 1, True),
    "sourcecode": (_CODE_OPTIONS, 0, 1, True),
    "highlight": (("force", "linenothreshold"), 1, 0, True),
    "qmp-example": (("annotated", "title"), 0, 0, True),
    "seealso": (("class", "collapsible", "name"), 0, 0, False),
    "todo": (("class", "collapsible", "name"), 0, 0, False),
    **dict.fromkeys(("versionadded", "versionchanged", "deprecated", "versionremoved"),
                    ((), 1, 1, False)),
}
"""Sphinx's allow-listed directives as lint stands in for them: options,
required and optional arguments, and whether the content is literal (as
Sphinx declares them, so a bad option fails here as it fails there)."""


@dataclass
class ParsedDoc:
    """What parsing one doc comment found, at schema lines."""

    dropped: list[tuple[int, str]] = field(default_factory=list)
    """What the documentation build drops, and why (QD307)."""
    problems: list[tuple[int, int, str]] = field(default_factory=list)
    """docutils' warnings and errors (QD308)."""


@cache
def _parser() -> tuple[Any, Any]:
    """The rST parser and its settings (warnings collected, not printed)."""
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser

    settings = get_default_settings(Parser)
    settings.report_level = 2
    settings.halt_level = 5
    settings.warning_stream = False
    settings.raw_enabled = False
    settings.file_insertion_enabled = False
    return Parser(), settings


@cache
def _stand_in(name: str) -> type[Any]:
    """A Sphinx directive the allow-list admits: its content as a literal
    block or parsed into a container."""
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives

    options, required, optional, literal = _STAND_INS.get(name, ((), 0, 10, False))

    class StandIn(Directive):
        has_content = True
        required_arguments = required
        optional_arguments = optional
        final_argument_whitespace = True
        option_spec: ClassVar[Any] = dict.fromkeys(options, directives.unchanged)

        def run(self) -> list[nodes.Node]:
            # what Sphinx parses as inline text: a code block's caption, the
            # text after a version note's version
            inline = self.options.get("caption") or \
                (self.arguments[1] if len(self.arguments) > 1 and not literal else None)
            found: list[nodes.Node] = []
            if inline:
                texts, messages = self.state.inline_text(inline, self.lineno)
                paragraph = nodes.paragraph(inline, "", *texts)
                paragraph.line = self.lineno
                found = [paragraph, *messages]
            if literal and "annotated" not in self.options:
                text = "\n".join(self.content)
                return [*found, nodes.literal_block(text, text)]
            holder = nodes.container()
            self.state.nested_parse(self.content, self.content_offset, holder)
            return [*found, holder]

    return StandIn


def _literal_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                  options: Any = None, content: Any = None) -> tuple[list[Any], list[Any]]:
    from docutils import nodes

    return [nodes.literal(rawtext, text)], []


def parse_doc(doc: DocComment) -> ParsedDoc:
    """Parse *doc* through the allow-list; see the module docstring.

    A docutils tree is full of reference cycles.  The ``qapidoc`` program
    runs without the cyclic collector (see `qapidoc.cli.app.console`), so
    the trees are collected here every `_COLLECT_EVERY` documents: memory
    stays flat over thousands of docs for a few collections.  Only the
    youngest generation: the trees are all there, and a full collection
    walks the whole schema model each time (quadratic: 20,000 documented
    definitions took 52 s, most of it collecting)."""
    result = _parse_doc(doc)
    if next(_parsed) % _COLLECT_EVERY == 0 and not gc.isenabled():
        gc.collect(0)
    return result


_COLLECT_EVERY = 200
_parsed = itertools.count(1)


def _parse_doc(doc: DocComment) -> ParsedDoc:
    from docutils.utils import new_document

    result = ParsedDoc()
    lines: list[str] = []
    where: list[int] = []
    freeform = doc.is_freeform
    for number, s in enumerate(doc.sections):
        if s.kind is SectionKind.TODO or not s.text.strip():
            continue
        texts = _without_headings(list(s.lines), number == 0) if freeform \
            else enumerate(s.lines)
        for i, text in texts:
            lines.append(text)
            where.append(s.body_line + i)
        lines.append("")
        where.append(where[-1] if where else doc.location.line)
    if not lines:
        return result

    def schema_line(line: int | None) -> int:
        return where[min(max(line or 1, 1), len(where)) - 1]

    deep = parse_problem(lines)
    if deep is not None:
        result.dropped.append((where[deep[0]], deep[1]))
        return result
    settings = _parser()[1]
    document = new_document(f"<{doc.symbol or 'doc'}>", settings)

    def observe(msg: Any) -> None:
        if msg["level"] < 2:
            return
        text = (msg.children[0].astext() if msg.children else msg.astext())
        text = " ".join(text.split())
        result.problems.append((schema_line(msg.get("line")), 0, f"rST: {text}"))

    document.reporter.attach_observer(observe)
    try:
        with allow_listed_markup(_stand_in, _literal_role, fallback_first=_STAND_INS):
            _parse_body("\n".join(lines), document)
    except Exception as error:  # never a traceback for one doc comment
        message = f"doc text cannot be parsed ({type(error).__name__}: {error})"
        result.dropped.append((where[0], f"{message}; not rendered"))
        result.problems.append((where[0], 0, f"rST: {message}"))
        return result
    def dropped(_source: str | None, line: int | None, message: str) -> None:
        result.dropped.append((schema_line(line), message))

    sanitize(document, dropped)
    document.reporter.detach_observer(observe)
    try:
        _resolve_references(document)
    except Exception:  # what the build resolves is the build's to check
        return result
    sanitize(document, dropped)
    return result


def _without_headings(lines: list[str], first: bool) -> list[tuple[int, str]]:
    """Free-form doc text with its headings reduced to their titles' text,
    each a paragraph of its own (adornments blanked, a blank line after
    ``= Title``), as the build takes headings out before parsing the text
    between them and renders each title on its own: (index of the line in
    *lines*, text).  Headings as `qapidoc.schema.docs.headings` reads them."""
    out = list(lines)
    after: set[int] = set()
    for found in headings(lines, first):
        out[found.start:found.end] = [""] * (found.end - found.start)
        out[found.title] = found.text
        if found.style is None:  # "= Title": its text, then a blank line
            after.add(found.title)
    result: list[tuple[int, str]] = []
    for i, text in enumerate(out):
        result.append((i, text))
        if i in after:
            result.append((i, ""))
    return result


def _parse_body(text: str, document: Any) -> None:
    """Parse *text* into *document* as the build parses doc text: as a
    directive's body, where a line of punctuation is no section title
    (docutils reports it and reads on, so an explicit markup line after it
    is a directive, not a title's text)."""
    from docutils.parsers.rst import states
    from docutils.statemachine import string2lines

    parser, _settings = _parser()
    parser.setup_parse(text, document)
    machine = states.RSTStateMachine(state_classes=parser.state_classes,
                                     initial_state=parser.initial_state)
    machine.run(string2lines(text, tab_width=8, convert_whitespace=True), document,
                inliner=parser.inliner, match_titles=False)
    parser.finish_parse()


def _resolve_references(document: Any) -> None:
    """docutils' own reference transforms, as a build runs them after parsing:
    substitutions and (indirect, anonymous) targets become links."""
    from docutils.transforms import references

    document.transformer.add_transforms([
        references.Substitutions, references.PropagateTargets,
        references.AnonymousHyperlinks, references.IndirectHyperlinks,
        references.Footnotes, references.ExternalTargets, references.InternalTargets,
        references.DanglingReferences])
    document.transformer.apply_transforms()


def rst_problems(doc: DocComment) -> list[tuple[int, int, str]]:
    """docutils' warnings for the doc comment, at schema lines (column of
    the line's text, 0-based within it)."""
    return parse_doc(doc).problems
