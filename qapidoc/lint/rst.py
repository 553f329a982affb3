"""docutils, for the strict preset only: parse doc comment text as rST.

Each doc comment's sections are joined into one rST document with a map
from its lines back to schema lines; docutils' warnings and errors come
back as (schema line, column, message).  Imported lazily by the rule so
that other presets never load docutils.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, ClassVar

from qapidoc.schema.model import DocComment, SectionKind

_SPHINX_ROLES = ("ref", "doc", "term", "option", "envvar", "file", "samp",
                 "program", "command", "kbd", "manpage", "abbr", "any",
                 "qapi:type", "qapi:cmd", "qapi:event", "qapi:mod", "qapi:any",
                 "qapi:alt", "qapi:enum", "qapi:obj", "qapi:union", "qapi:struct")
_SPHINX_DIRECTIVES = ("qmp-example", "code-block", "sourcecode", "versionadded",
                      "versionchanged", "deprecated", "seealso", "todo", "only",
                      "qapi:feature", "highlight", "index")


@cache
def _parser() -> tuple[Any, Any, dict[str, Any], dict[str, Any]]:
    """The rST parser and settings, plus stand-ins for Sphinx's and QEMU's
    directives and roles (opaque, so that only real mistakes show)."""
    from docutils import nodes
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Directive, Parser, directives

    class AnyOption(dict[str, Any]):
        def __missing__(self, key: str) -> Any:
            return directives.unchanged

    class Opaque(Directive):
        has_content = True
        optional_arguments = 10
        final_argument_whitespace = True
        option_spec: ClassVar[Any] = AnyOption()

        def run(self) -> list[nodes.Node]:
            return []

    def literal_role(name: str, rawtext: str, text: str, lineno: int,
                     inliner: Any, options: Any = None,
                     content: Any = None) -> tuple[list[nodes.Node], list[Any]]:
        return [nodes.literal(rawtext, text)], []

    settings = get_default_settings(Parser)
    settings.report_level = 2
    settings.halt_level = 5
    settings.warning_stream = False
    return (Parser(), settings, dict.fromkeys(_SPHINX_DIRECTIVES, Opaque),
            dict.fromkeys(_SPHINX_ROLES, literal_role))


@contextmanager
def _stand_ins(extra_directives: dict[str, Any],
               extra_roles: dict[str, Any]) -> Iterator[None]:
    """Register the stand-ins in docutils' global tables only while
    parsing, so that a Sphinx build in the same process is unaffected."""
    from docutils.parsers.rst import directives, roles

    table_d: dict[str, Any] = directives._directives  # type: ignore[attr-defined]
    table_r: dict[str, Any] = roles._roles  # type: ignore[attr-defined]
    saved_d, saved_r = dict(table_d), dict(table_r)
    table_d.update(extra_directives)
    table_r.update(extra_roles)
    try:
        yield
    finally:
        table_d.clear()
        table_d.update(saved_d)
        table_r.clear()
        table_r.update(saved_r)


def rst_problems(doc: DocComment) -> list[tuple[int, int, str]]:
    """docutils' warnings for the doc comment, at schema lines (column of
    the line's text, 0-based within it)."""
    from docutils.utils import new_document

    parser, settings, extra_directives, extra_roles = _parser()
    lines: list[str] = []
    where: list[int] = []
    for s in doc.sections:
        if s.kind is SectionKind.TODO or not s.text.strip():
            continue
        for i, text in enumerate(s.lines):
            lines.append(text)
            where.append(s.body_line + i)
        lines.append("")
        where.append(where[-1] if where else doc.location.line)
    if not lines:
        return []
    document = new_document(f"<{doc.symbol or 'doc'}>", settings)
    found: list[tuple[int, int, str]] = []

    def observe(msg: Any) -> None:
        if msg["level"] < 2:
            return
        line = msg.get("line") or 1
        schema_line = where[min(max(line, 1), len(where)) - 1]
        text = (msg.children[0].astext() if msg.children else msg.astext())
        text = " ".join(text.split())
        found.append((schema_line, 0, f"rST: {text}"))

    document.reporter.attach_observer(observe)
    with _stand_ins(extra_directives, extra_roles):
        parser.parse("\n".join(lines), document)
    return found
