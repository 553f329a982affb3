"""Apply the allow-list to doc text as docutils parses it and to its doctree.

Two steps, used alike by lint (QD307) and the Sphinx extension:

- `allow_listed_markup()`: while doc text is parsed, a directive or role
  outside `qapidoc.core.allowlist` never runs; a marker takes its place (a
  role's text is kept as a literal).  So nothing is read from disk or the
  network and no node is made from it, whatever the spelling (case, spacing,
  substitution definitions, nesting).
- `sanitize()`: walks the doctree and keeps only allow-listed node types,
  link targets and safe ids; it reports every marker and everything it
  drops at the schema line.  Run after parsing and again after references
  are resolved (transforms and resolution can add links).

docutils is imported inside the functions: lint loads it only for doc text
that `allowlist.may_drop` flags.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, MutableSequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from qapidoc.core.allowlist import (
    BIDI_CONTROLS,
    DIRECTIVES,
    MAX_TREE_DEPTH,
    SAFE_TOKEN,
    bidi_problem,
    link_problem,
    node_allowed,
    role_allowed,
    safe_id,
)

if TYPE_CHECKING:
    from docutils.nodes import Element, Node

DROPPED = "qapidoc-dropped"
"""Attribute of a marker node: the message saying what was dropped and why."""

Report = Callable[[str | None, int | None, str], None]
"""Called with (schema file, line, message) for everything dropped."""

_KEEP, _LINKS, _AS_TEXT, _DROP = range(4)
_KINDS: dict[type[Any], int] = {}


def dropped_marker(source: str | None, line: int | None, message: str,
                   inline: bool = False) -> Element:
    """An invisible node standing for dropped doc text; `sanitize` reports and removes it."""
    from docutils import nodes

    marker = nodes.inline() if inline else nodes.comment()
    marker[DROPPED] = message
    marker.source, marker.line = source, line
    return marker


@cache
def _dropping_directive() -> type[Any]:
    from docutils.parsers.rst import Directive

    class DroppedDirective(Directive):
        """Any directive outside the allow-list: swallows its block, runs nothing."""

        has_content = True
        optional_arguments = 100
        final_argument_whitespace = True

        def run(self) -> list[Node]:
            message = f"directive '{self.name}' is not allowed in schema documentation; dropped"
            if type(self.state).__name__ == "SubstitutionDef":
                # stays in the definition, located by it (and by each use, once copied)
                return [dropped_marker(None, None, message, inline=True)]
            source, line = self.state_machine.get_source_and_line(self.lineno)
            return [dropped_marker(source, line, message)]

    return DroppedDirective


@cache
def _limited(directive: type[Any], allowed: frozenset[str]) -> type[Any]:
    """*directive*, refusing to run when given an option outside *allowed*."""

    def run(self: Any) -> list[Node]:
        extra = sorted(set(self.options) - allowed)
        if not extra:
            result: list[Node] = directive.run(self)
            return result
        source, line = self.state_machine.get_source_and_line(self.lineno)
        return [dropped_marker(source, line, f"option ':{extra[0]}:' of directive "
                               f"'{self.name}' is not allowed in schema documentation; "
                               "directive dropped")]

    return type(f"Limited{directive.__name__}", (directive,), {"run": run})


def _dropped_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                  options: Any = None, content: Any = None) -> tuple[list[Node], list[Any]]:
    from docutils import nodes

    literal = nodes.literal(rawtext, text)
    literal[DROPPED] = (f"role '{name}' is not allowed in schema documentation; "
                        "shown as text")
    return [literal], []  # located by its paragraph (docutils' inline lines are not exact)


RoleFunction = Callable[..., tuple[list[Any], list[Any]]]


@contextmanager
def allow_listed_markup(
    fallback_directive: Callable[[str], type[Any]] | None = None,
    fallback_role: RoleFunction | None = None,
    also: Container[str] = (),
    fallback_first: Container[str] = (),
) -> Iterator[None]:
    """Parse with only allow-listed directives and roles (see the module doc).

    An allowed name nobody registered (lint parses without Sphinx) gets the
    fallbacks, when given; so do the *fallback_first* directives, which
    docutils defines otherwise than Sphinx (``code-block`` is docutils'
    ``code``, without ``:caption:``).  *also*: directives the caller
    generates itself around the doc text (the rST render mode's ``qapi:*``
    directives).
    """
    from docutils.parsers.rst import directives, roles

    lookup_directive, lookup_role = directives.directive, roles.role

    def directive(name: str, language: Any, document: Any) -> tuple[Any, list[Any]]:
        options = DIRECTIVES.get(name.lower(), None if name.lower() in also else ())
        if options == ():
            return _dropping_directive(), []
        found: Any
        found, messages = (None, []) if name.lower() in fallback_first else \
            lookup_directive(name, language, document)
        if found is None and fallback_directive is not None:
            found, messages = fallback_directive(name.lower()), []
        if found is not None and options is not None:
            found = _limited(found, options)
        return found, messages

    def role(name: str, language: Any, lineno: int, reporter: Any) -> tuple[Any, list[Any]]:
        if not role_allowed(name):
            return _dropped_role, []
        found, messages = lookup_role(name, language, lineno, reporter)
        if found is None and fallback_role is not None:
            return fallback_role, []
        return found, messages

    directives.directive = directive  # type: ignore[assignment]
    roles.role = role  # type: ignore[assignment]
    try:
        yield
    finally:
        directives.directive = lookup_directive
        roles.role = lookup_role


# -- the doctree walk -------------------------------------------------------------


def _kind(cls: type[Any]) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        from docutils import nodes

        name = f"{cls.__module__}.{cls.__qualname__}"
        if node_allowed(name):
            kind = _LINKS if issubclass(cls, nodes.reference | nodes.target) else _KEEP
        elif issubclass(cls, nodes.Inline) and not issubclass(cls, nodes.Special):
            kind = _AS_TEXT
        else:
            kind = _DROP
        _KINDS[cls] = kind
    return kind


def _link(node: Element, pages: Container[str] | None) -> tuple[list[Node], str] | None:
    """What replaces a reference or target with a link that is not allowed
    (and why; "" to say nothing), or None to keep it."""
    from docutils.nodes import TextElement

    uri = node.get("refuri")
    if uri is None:
        return None
    problem = link_problem(str(uri), pages)
    if problem is None:
        return None
    if node.tagname == "target":
        # a target inside text comes with its reference (`x <uri>`_), which says it
        inline = isinstance(node.parent, TextElement)
        return [], "" if inline else f"{problem}; target dropped"
    attributes = node.attributes
    automatic = "name" not in attributes and "refname" not in attributes \
        and node.astext() in (uri, str(uri).removeprefix("mailto:"))
    return list(node.children), "" if automatic else f"{problem}; shown as text"


_LANGUAGES = ("language", "lang")
"""Attributes naming a code block's language (a literal block's, a
``highlight`` directive's): the HTML writer makes a class of it."""


def _safe_tokens(node: Element) -> None:
    attributes = node.attributes
    for key in ("ids", "classes"):
        values = attributes.get(key)
        if values and not all(SAFE_TOKEN.fullmatch(v) for v in values):
            attributes[key] = [safe_id(v) for v in values]
    for key in _LANGUAGES:
        value = attributes.get(key)
        if isinstance(value, str) and value and not SAFE_TOKEN.fullmatch(value):
            attributes[key] = safe_id(value)


def sanitize(container: Element | MutableSequence[Node], report: Report,
             pages: Container[str] | None = None, *,
             where: tuple[str | None, int | None] = (None, None)) -> None:
    """Keep only allow-listed nodes and links in *container*'s children (an
    element or a list of nodes), reporting each drop at its schema line.

    *pages*: relative URIs of the site's pages, once references are
    resolved; before that, a link must be external or a fragment.
    """
    from docutils.nodes import Element

    if isinstance(container, Element):
        _safe_tokens(container)
        where = (container.source, container.line) if container.line else where
        _clean(container, container.children, 0, where, report, pages)
    else:
        _clean(container, container, 0, where, report, pages)


def _clean(container: Any, children: MutableSequence[Any], depth: int,
           where: tuple[str | None, int | None], report: Report,
           pages: Container[str] | None) -> None:
    from docutils.nodes import Text

    i = 0
    while i < len(children):
        child = children[i]
        cls = type(child)
        if cls is Text:
            # what doc text parsing never sees: badges, legacy example blocks
            problem = bidi_problem(child)
            if problem is not None:
                report(where[0], where[1], f"schema text has a {problem}; removed")
                container[i:i + 1] = [Text(BIDI_CONTROLS.sub("", child))]
            i += 1
            continue
        here = (child.source or where[0], child.line) if child.line else where
        attributes = child.attributes
        replacement: list[Any] | None = None
        message = attributes.pop(DROPPED, None)
        kind = _KINDS.get(cls)
        if kind is None:
            kind = _kind(cls)
        if message is not None:
            report(here[0], here[1], message)
            if not child.children:
                replacement = []
        elif depth >= MAX_TREE_DEPTH:
            report(here[0], here[1], "doc text nests too deep; the rest is dropped")
            replacement = []
        elif kind == _AS_TEXT:
            report(here[0], here[1], f"{child.tagname} is not allowed in schema "
                   "documentation; shown as text")
            replacement = [Text(child.astext())]
        elif kind == _DROP:
            report(here[0], here[1], f"{child.tagname} is not allowed in schema "
                   "documentation; dropped")
            replacement = []
        elif kind == _LINKS:
            unlinked = _link(child, pages)
            if unlinked is not None:
                replacement, why = unlinked
                if why:
                    report(here[0], here[1], why)
        if replacement is not None:
            container[i:i + 1] = replacement
            continue
        if attributes["ids"] or attributes["classes"] or any(
                key in attributes for key in _LANGUAGES):
            _safe_tokens(child)
        _clean(child, child.children, depth + 1, here, report, pages)
        i += 1
