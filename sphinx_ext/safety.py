"""Schema doc text in the Sphinx build: parsed and kept by allow-list only.

Hooks for the ``qapi-doc`` and ``qapi-changes`` directives and the build
(the rules themselves are `qapidoc.core.allowlist`, applied by
`qapidoc.core.sanitize`):

- `allow_listed_markup()` (re-exported) around every parse of schema text:
  only allow-listed directives and roles run.
- `parse_guarded()` around one piece of doc text: too deep a nesting or any
  exception of the parser becomes a located warning, never a traceback.
- `sanitize_output()` on a directive's nodes right after parsing; they are
  marked, and `doctree-read` (after transforms, before images and downloads
  are collected) and `doctree-resolved` (after references are resolved)
  sanitize the marked subtrees again.
- Everything dropped is a warning ``qapidoc.unsafe`` at the schema line; like
  a schema error it makes the build end with a non-zero status.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence

from docutils import nodes
from docutils.nodes import Element, Node
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from qapidoc.core.allowlist import parse_problem
from qapidoc.core.sanitize import allow_listed_markup, dropped_marker, sanitize
from sphinx_ext.pagestore import PageStore
from sphinx_ext.schemas import schema_location

__all__ = ["allow_listed_markup", "note_failures", "parse_guarded", "sanitize_output",
           "setup_safety"]

logger = logging.getLogger(__name__)

MARK = "qapidoc-schema-text"
"""Attribute of the top nodes a directive made from schema text."""

_FAILURES: PageStore[int] = PageStore("qapidoc_failures")
"""docname → schema errors and drops found reading it."""


def note_failures(env: BuildEnvironment, count: int) -> None:
    """Make the build fail (non-zero exit) because of *count* problems in the
    schema text of the page being read."""
    if count:
        failures = _FAILURES.of(env)
        docname = env.current_document.docname
        failures[docname] = failures.get(docname, 0) + count


def _reporter(env: BuildEnvironment | None) -> Callable[[str | None, int | None, str], None]:
    def report(source: str | None, line: int | None, message: str) -> None:
        logger.warning(message, location=schema_location(source or "", line),
                       type="qapidoc", subtype="unsafe")
        if env is not None:
            note_failures(env, 1)

    return report


def parse_guarded(lines: Sequence[str], source: str, line: int,
                  parse: Callable[[], list[Node]]) -> list[Node]:
    """*parse()* for the doc text *lines* (at *source*:*line*), or a marker
    saying why it is not rendered: a line too long, nesting too deep, or the
    parser failed."""
    deep = parse_problem(lines)
    if deep is not None:
        return [dropped_marker(source, line + deep[0], deep[1])]
    try:
        return parse()
    except Exception as error:  # never a traceback for one doc comment
        return [dropped_marker(source, line, f"doc text cannot be parsed "
                               f"({type(error).__name__}: {error}); not rendered")]


def sanitize_output(directive: SphinxDirective, result: list[Node]) -> None:
    """Sanitize and mark what *directive* made from schema text (in place)."""
    source, line = directive.get_source_info()
    sanitize(result, _reporter(directive.env), where=(source, line))
    for node in result:
        if isinstance(node, Element):
            node[MARK] = True


def _sanitize_marked(node: Element, report: Callable[[str | None, int | None, str], None],
                     pages: Container[str] | None) -> None:
    for child in node.children:
        if isinstance(child, Element):
            if MARK in child.attributes:
                sanitize(child, report, pages)
            else:
                _sanitize_marked(child, report, pages)


class _SitePages(Container[str]):
    """Relative URIs (from one page) of every page of the site, computed on first use."""

    def __init__(self, app: Sphinx, docname: str) -> None:
        self.app, self.docname = app, docname
        self.uris: set[str] | None = None

    def __contains__(self, uri: object) -> bool:
        if self.uris is None:
            builder, env = self.app.builder, self.app.env
            names = set(env.found_docs) | {"genindex", "search"}
            for domain in env.domains.sorted():
                names.update(f"{domain.name}-{index.name}" for index in domain.indices)
            self.uris = set()
            for name in names:
                try:
                    self.uris.add(builder.get_relative_uri(self.docname, name))
                except Exception:  # a builder without URIs for some pages
                    continue
        return uri in self.uris


def _on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    _sanitize_marked(doctree, _reporter(app.env), None)


def _on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    _sanitize_marked(doctree, _reporter(None), _SitePages(app, docname))


def _fail_build(app: Sphinx, exception: BaseException | None) -> None:
    if exception is None and app.statuscode == 0 and any(_FAILURES.of(app.env).values()):
        app.statuscode = 1


def setup_safety(app: Sphinx) -> None:
    """Connect the passes after parsing and after resolving, and the exit status."""
    app.connect("doctree-read", _on_doctree_read, priority=400)  # before the collectors
    app.connect("doctree-resolved", _on_doctree_resolved)
    _FAILURES.connect(app)
    app.connect("build-finished", _fail_build)
