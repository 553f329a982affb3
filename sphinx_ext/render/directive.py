"""The ``qapi-doc`` and ``qmp-example`` directives.

``.. qapi-doc:: qapi/qapi-schema.json`` (with ``:namespace: QMP``, optionally
``:module: name[, name]``) loads the schema through `sphinx_ext.schemas`,
renders it with `sphinx_ext.render.rst` and builds nodes with `sphinx_ext.render.nodes`,
noting every schema file it read as a dependency of the page.  Doc text is
parsed with raw HTML and file inclusion off and `` `Name` `` meaning
``:qapi:any:``.  ``qmp-example`` is QEMU's titled, QMP-highlighted example box.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from docutils import nodes
from docutils.nodes import Node
from docutils.parsers.rst import directives, roles
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes
from sphinx.util.typing import OptionSpec

from qapidoc.schema.model import Schema
from sphinx_ext.dependencies import note_uses
from sphinx_ext.fragments import reuse_definitions
from sphinx_ext.pages.split import split_docnames
from sphinx_ext.render.nodes import NodeBuilder, example_admonition, inherit_locations
from sphinx_ext.render.rst import (
    Rendering,
    module_slug,
    module_wanted,
    render_schema,
    to_rst,
)
from sphinx_ext.render.wire_view import note_wire_source
from sphinx_ext.safety import allow_listed_markup, note_failures, sanitize_output
from sphinx_ext.schemas import (
    get_schema,
    include_root,
    missing_includes,
    report,
    schema_location,
)

logger = logging.getLogger(__name__)


@contextmanager
def schema_doc_context(directive: SphinxDirective,
                       generated: frozenset[str] = frozenset()) -> Iterator[None]:
    """Parse schema doc text safely and with QAPI's default role.

    Only allow-listed directives and roles run (`sphinx_ext.safety`); raw
    HTML and file inclusion are off as well, and `` `Name` `` resolves
    through the ``qapi`` domain whatever the project's ``default_role`` is.
    *generated*: directives the renderer wrote around the doc text.
    """
    settings = directive.state.document.settings
    saved_settings = (
        getattr(settings, "raw_enabled", True),
        getattr(settings, "file_insertion_enabled", True),
    )
    settings.raw_enabled = False
    settings.file_insertion_enabled = False
    registry: dict[str, Any] = roles._roles  # type: ignore[attr-defined]
    saved_role = registry.get("")
    role = directive.env.get_domain("qapi").role("any")
    if role is not None:
        registry[""] = role
    try:
        with allow_listed_markup(also=generated):
            yield
    finally:
        settings.raw_enabled, settings.file_insertion_enabled = saved_settings
        if saved_role is None:
            registry.pop("", None)
        else:
            registry[""] = saved_role


def rendering_namespace(directive: SphinxDirective) -> str:
    """The ``:namespace:`` option of a ``qapi-doc`` directive ('' without)."""
    return (directive.options.get("namespace") or "").strip()


def warns_undocumented(config: Any, path: str) -> bool:
    """``qapidoc_warn_undocumented``, for a release whose checker requires
    every member documented (QL103): the project's ``release`` (QEMU's
    conf.py reads its VERSION file; ``qapidoc build`` sets it), else a
    VERSION file above the schema, else the release its directories name
    (``qemu-7.2.0/qapi``).  A 7.2 schema, whose manual said "Not
    documented", gets the badges but no warnings."""
    if not config.qapidoc_warn_undocumented:
        return False
    from qapidoc.core.config import (
        find_version_file,
        release_from_version,
        release_of_directory,
    )
    from qapidoc.schema.builder import UNDOCUMENTED_MEMBER
    from qapidoc.schema.since import release_tuple

    found = release_from_version(str(config.release or ""))
    if found is None:
        version_file = find_version_file(path)
        found = version_file[0] if version_file else release_of_directory(path)
    release = release_tuple(found) if found else None
    return release is None or not UNDOCUMENTED_MEMBER.newer_than(release)


def resolve_schema_path(directive: SphinxDirective, argument: str) -> str:
    """``qapidoc_srctree`` + *argument* when set (as QEMU), else relative to the page."""
    srctree = directive.config.qapidoc_srctree
    if srctree:
        base = srctree if os.path.isabs(srctree) else os.path.join(directive.env.srcdir, srctree)
        return os.path.normpath(os.path.join(base, argument))
    if os.path.isabs(argument) and os.path.exists(argument):
        return os.path.normpath(argument)
    _rel, absolute = directive.env.relfn2path(argument)
    return os.path.normpath(absolute)


class QAPIDocDirective(SphinxDirective):
    """``.. qapi-doc:: schema.json``: document a whole schema (or some modules)."""

    has_content = False
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = True  # a schema path may hold spaces
    option_spec: ClassVar[OptionSpec] = {
        "namespace": directives.unchanged,
        "module": directives.unchanged_required,
        "title": directives.flag,
        # accepted for compatibility with QEMU's qapi-doc; no effect here
        "transmogrify": directives.flag,
        "qapifile": directives.unchanged,
    }

    def run(self) -> list[Node]:
        path = resolve_schema_path(self, self.arguments[0])
        loaded = get_schema(path, include_root(self.config, str(self.env.srcdir)))
        schema = loaded.schema
        if not schema.modules:
            note_failures(self.env, report(loaded, [path], None) or 1)
            logger.error("cannot document %s: the schema did not load", path,
                         location=self.get_location(), type="qapidoc", subtype="load")
            return []
        modules = None
        if "module" in self.options:
            modules = [m.strip() for m in self.options["module"].split(",") if m.strip()]
            for name in modules:
                if not any(module_wanted(schema, m, (name,)) for m in schema.modules):
                    logger.warning("module %r is not a module of %s", name, path,
                                   location=self.get_location(), type="qapidoc",
                                   subtype="module")
        toc = self.split_pages(schema) if modules is None else []
        if toc:
            modules = [module_slug(schema, schema.modules[0])]
        try:
            rendering = render_schema(
                schema,
                namespace=rendering_namespace(self),
                modules=modules,
                warn_undocumented=warns_undocumented(self.config, path),
                ensure_title="title" in self.options,
                legacy=self.config.qapidoc_doc_markup == "legacy"
                or (self.config.qapidoc_doc_markup == "auto" and loaded.legacy_markup),
            )
        except Exception as error:  # never a traceback for a bad schema
            logger.error("cannot document %s: %s", path, error,
                         location=self.get_location(), type="qapidoc", subtype="render")
            return []
        note_wire_source(self.env, rendering_namespace(self), path,
                         include_root(self.config, str(self.env.srcdir)), loaded.files)
        shown = {m.path for m in schema.modules
                 if modules is None or module_wanted(schema, m, modules)}
        note_uses(self.env, path, include_root(self.config, str(self.env.srcdir)), loaded,
                  shown, rendering.used, rendering.files | set(missing_includes(schema)))
        note_failures(self.env, report(loaded, shown, self.config.qapidoc_lint,
                                            self.config.qapidoc_lint_config))
        for problem in rendering.problems:
            logger.warning(problem.message, location=schema_location(problem.source, problem.line),
                           type="qapidoc", subtype=problem.subtype)
        note_failures(self.env, sum(p.subtype == "unsafe" for p in rendering.problems))
        result = self.build(rendering)
        sanitize_output(self, result)
        reuse_definitions(self, result)
        if toc:
            lines = [".. toctree::", "   :maxdepth: 2", "", *(f"   {entry}" for entry in toc)]
            result += nested_parse_to_nodes(self.state, "\n".join(lines))
        return result

    def split_pages(self, schema: Schema) -> list[str]:
        """With ``qapidoc_split``: this directive's module pages, relative to
        the page (empty when they were not generated, e.g. the scan missed it)."""
        if not self.config.qapidoc_split:
            return []
        index = int(self.env.temp_data.get("qapidoc_split_index") or 0) + 1
        self.env.temp_data["qapidoc_split_index"] = index
        docname = self.env.docname
        pages = split_docnames(docname, index, schema)
        if not pages or any(page not in self.env.found_docs for page in pages):
            return []
        here = posixpath.dirname(docname)
        return [posixpath.relpath(page, here) if here else page for page in pages]

    def build(self, rendering: Rendering) -> list[Node]:
        if self.config.qapidoc_render != "rst":
            with schema_doc_context(self):
                return NodeBuilder(self).build(rendering.entries)
        domain = self.env.get_domain("qapi")
        generated = frozenset(f"qapi:{name}" for name in domain.directives)
        with schema_doc_context(self, generated):
            result = nested_parse_to_nodes(
                self.state, to_rst(rendering.entries), allow_section_headings=True
            )
        page = self.get_source_info()[0]
        for node in result:
            if isinstance(node, nodes.Element):
                inherit_locations(node, page)
        return result


class QMPExampleDirective(SphinxDirective):
    """``.. qmp-example::`` — a QMP exchange in an "Example" box.

    Plain content is QMP text; with ``:annotated:`` it is rST whose literal
    blocks are QMP.  ``:title:`` adds to the box title.
    """

    has_content = True
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[OptionSpec] = {
        "title": directives.unchanged,
        "annotated": directives.flag,
    }

    def run(self) -> list[Node]:
        source, line = self.get_source_info()
        if "annotated" in self.options:
            body = self.parse_content_to_nodes()
            for holder in body:
                if not isinstance(holder, nodes.Element):
                    continue
                for block in holder.findall(nodes.literal_block):
                    if not block.get("language"):
                        block["language"] = "qmp"
        else:
            code = "\n".join(self.content)
            block = nodes.literal_block(code, code, language="qmp")
            self.set_source_info(block)
            body = [block]
        title = (self.options.get("title") or "").strip()
        return [example_admonition(title, body, source, line)]
