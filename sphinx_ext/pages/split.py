"""``qapidoc_split``: existing one-page references, built as one page per module.

In: the project's source files, scanned at ``builder-inited`` with a regex for
``.. qapi-doc::`` directives without ``:module:`` (path and ``:namespace:``).
Out: for the *n*-th such directive of page ``dir/page``, the documents
``dir/page/<module>.rst`` (``dir/page-<n>/`` from the second on), one
``qapi-doc :module: <slug> :title:`` each, written only when their text changes
(so their mtimes, and Sphinx's incremental builds, stay exact); stale ones are
removed.  The directive on the original page then renders only the root
module and a toctree of these pages (`split_docnames`), and depends on the
root schema file only: touching one module re-reads one small page.
"""

from __future__ import annotations

import os
import posixpath
import re
import weakref
from collections.abc import Set
from dataclasses import dataclass

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.project import Project
from sphinx.util import logging

from qapidoc.schema.model import Schema
from sphinx_ext.pages.generate import (
    GENERATED,
    MARKER,
    cannot_write,
    module_page_slugs,
    module_pages,
    remove_stale,
    write_generated,
)
from sphinx_ext.schemas import get_schema, include_root

logger = logging.getLogger(__name__)

_RETOC: weakref.WeakKeyDictionary[Sphinx, set[str]] = weakref.WeakKeyDictionary()
"""Per build: the pages whose toctree of module pages changes (`toc_outdated`)."""

_DIRECTIVE = re.compile(r"^([ \t]*)\.\.[ \t]+qapi-doc::[ \t]*(\S+)[ \t]*$", re.MULTILINE)
_OPTION = re.compile(r"^[ \t]+:([\w-]+):[ \t]*(.*?)[ \t]*$")


@dataclass(frozen=True)
class SplitSource:
    """One ``qapi-doc`` directive (without ``:module:``) found in a page."""

    docname: str
    index: int
    argument: str
    namespace: str


def split_dir(docname: str, index: int) -> str:
    """Docname prefix of the module pages of *docname*'s *index*-th directive."""
    suffix = "" if index == 1 else f"-{index}"
    return docname + suffix


def split_docnames(docname: str, index: int, schema: Schema) -> list[str]:
    """Docnames of the module pages of *docname*'s *index*-th directive."""
    prefix = split_dir(docname, index)
    return [f"{prefix}/{slug}" for slug in module_page_slugs(schema)]


def scan_text(docname: str, text: str) -> list[SplitSource]:
    """The whole-schema ``qapi-doc`` directives of one source text, in order."""
    if "qapi-doc::" not in text or text.startswith(GENERATED):
        return []
    found: list[SplitSource] = []
    lines = text.splitlines()
    starts = {text.count("\n", 0, m.start()): m for m in _DIRECTIVE.finditer(text)}
    for number, match in sorted(starts.items()):
        options: dict[str, str] = {}
        indent = len(match.group(1).expandtabs())
        for line in lines[number + 1:]:
            option = _OPTION.match(line)
            if option is None or len(line) - len(line.lstrip()) <= indent:
                break
            options[option.group(1)] = option.group(2)
        if "module" in options:
            continue
        found.append(SplitSource(docname, len(found) + 1, match.group(2),
                                 options.get("namespace", "")))
    return found


def scan_sources(app: Sphinx) -> list[SplitSource]:
    """Every whole-schema ``qapi-doc`` directive of the project's documents."""
    config = app.config
    project = Project(app.srcdir, config.source_suffix)
    excluded = [*config.exclude_patterns, *config.templates_path,
                *(entry.strip("/") + "/**" for entry in (config.qapidoc_schemas or {}))]
    docnames = project.discover(excluded, config.include_patterns)
    found = []
    for docname in sorted(docnames):
        try:
            with open(project.doc2path(docname, absolute=True), encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError):
            continue
        found.extend(scan_text(docname, text))
    return found


def schema_path(app: Sphinx, source: SplitSource) -> str:
    """Absolute path of a directive's schema argument (as `resolve_schema_path`)."""
    srcdir, argument = str(app.srcdir), source.argument
    srctree = app.config.qapidoc_srctree
    if srctree:
        base = srctree if os.path.isabs(srctree) else os.path.join(srcdir, srctree)
        return os.path.normpath(os.path.join(base, argument))
    if os.path.isabs(argument) and os.path.exists(argument):
        return os.path.normpath(argument)
    if argument.startswith("/"):
        return os.path.normpath(os.path.join(srcdir, argument.lstrip("/")))
    return os.path.normpath(os.path.join(srcdir, os.path.dirname(source.docname), argument))


def _page_argument(app: Sphinx, source: SplitSource) -> str:
    """The schema argument as a module page one directory deeper must write it."""
    if app.config.qapidoc_srctree or source.argument.startswith("/"):
        return source.argument
    return posixpath.join("..", source.argument)


def generate_split_pages(app: Sphinx) -> None:
    """Write the module pages of every whole-schema directive (only if changed)."""
    if not app.config.qapidoc_split:
        return
    srcdir = str(app.srcdir)
    retoc = _RETOC[app] = set()
    for source in scan_sources(app):
        path = schema_path(app, source)
        loaded = get_schema(path, include_root(app.config, srcdir))
        if not loaded.schema.modules:
            continue  # the directive reports it
        marker = MARKER.format(path=source.argument)
        lines = [f".. qapi-doc:: {_page_argument(app, source)}"]
        if source.namespace:
            lines.append(f"   :namespace: {source.namespace}")
        outdir = os.path.join(srcdir, split_dir(source.docname, source.index))
        names = set()
        try:
            for slug, modules in module_pages(loaded.schema):
                names.add(f"{slug}.rst")
                page = os.path.join(outdir, f"{slug}.rst")
                if not os.path.exists(page):
                    retoc.add(source.docname)
                text = "\n".join([marker, "", *lines, f"   :module: {', '.join(modules)}",
                                  "   :title:", ""])
                write_generated(page, text, srcdir, "qapidoc_split")
            if os.path.isdir(outdir) and remove_stale(outdir, names, marker):
                retoc.add(source.docname)
        except OSError as error:
            cannot_write(app, "qapidoc_split", error)


def toc_outdated(app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str],
                 removed: Set[str]) -> list[str]:
    """``env-get-outdated``: the pages whose toctree of module pages gains
    or loses one in this build.  They depend on the root schema file only,
    and a module file that goes missing or comes back leaves it as it was."""
    return sorted(_RETOC.get(app, set()) - set(added) - set(removed))
