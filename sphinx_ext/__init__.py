"""qapidoc's Sphinx extension: ``extensions = ["sphinx_ext"]``.

Directives: ``.. qapi-doc:: qapi/qapi-schema.json`` (``:namespace: QMP``;
``:module: name[, name]`` for some modules only; ``:title:`` to give a
module page a title) documents a schema, as QEMU's pages use it;
``.. qapi-changes:: schema.json`` (``:namespace:``) lists additions per
release; ``.. qmp-example::`` (``:title:``, ``:annotated:``) is QEMU's example
box.  The ``qapi`` domain (`sphinx_ext.domain`) provides the ``qapi:*``
directives and roles, ``qapi-index``, ``qapi-kind-index`` and
``qapi-<ns>-index``.  In schema doc text `` `Name` `` is ``:qapi:any:`` and
``@name`` is ``:qapi:mem:``.  The ``conf.py`` values (declared in
`sphinx_ext.settings`):

``qapidoc_srctree``
    Base directory of ``qapi-doc`` paths (QEMU: its source tree); default: the page's
    directory.
``qapidoc_schemas``
    ``{"qmp": "qapi/qapi-schema.json"}`` or ``{"qmp": {"path": ..., "namespace":
    "QMP", "title": "QMP Reference"}}``: generate ``qmp/index.rst``, one page per
    module and ``qmp/changes.rst`` into the source tree (rewritten only when
    they change, so incremental and ``-j`` builds work).
``qapidoc_split``
    True: every page's ``qapi-doc`` without ``:module:`` (QEMU's one-page
    references, unchanged) renders only the root module's text and a toctree of
    generated pages ``<page>/<module>.rst`` (written next to the page at
    ``builder-inited`` when they change; `sphinx_ext.pages.split`).  Default False.
``qapidoc_lint``
    ``None``/``"off"`` (default), ``"qemu"``, ``"recommended"`` or ``"strict"``:
    lint findings become warnings ``qapidoc.<CODE>`` at the schema line
    (``suppress_warnings = ["qapidoc.QD201"]`` silences one rule).
``qapidoc_warn_undocumented``
    Warn (``qapidoc.undocumented``) about undocumented members; default True.
``qapidoc_tune_gc``
    Raise the garbage collector's thresholds for the build and skip the final
    collection at exit (default True; ~30% of a QEMU reference build).
``qapidoc_template_cache``
    Keep the theme's compiled templates in the doctree directory, so that a
    build after the first does not compile them again (default True).
``qapidoc_fragment_cache``
    Keep each definition's HTML in the doctree directory and reuse it when a
    page is written again with that definition unchanged (default True;
    `sphinx_ext.fragments`).
``qapidoc_doc_markup``
    ``"auto"`` (default), ``"rst"`` or ``"legacy"``: the markup of doc comments;
    legacy is QEMU's before 5.2 (`sphinx_ext.render.legacy`).
``qapidoc_render``
    ``"nodes"`` (default, fast) or ``"rst"`` (parse the generated rST; debugging).
``qapi_namespaces``
    Namespaces that get their own index page, ``qapi-<ns>-index`` (as QEMU's
    conf.py sets it); namespaces of ``qapidoc_schemas`` are added automatically.
``qapi_allowed_fields``
    Extra field names the domain accepts in hand-written descriptions.

Layout: `domain` (object types, directives, roles, indices, anchors),
`render` (model → rST → nodes, the ``qapi-doc`` directive, the QMP lexer),
`pages` (generated pages), `schemas` (loading and caching the model),
`settings` (conf.py values), `tuning` (garbage collector, template cache),
`fragments` (definitions' HTML kept between builds),
`toc_parents` and `site_pages` (which toctree parents and site-wide pages
a rebuild rewrites).  In: the model from `qapidoc`; it never re-parses
schema text and never imports `qapidoc.cli`.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from sphinx_ext.dependencies import setup_dependencies
from sphinx_ext.domain import setup_domain
from sphinx_ext.fragments import setup_fragments
from sphinx_ext.pages.changes import QAPIChangesDirective
from sphinx_ext.pages.generate import add_schema_namespaces, generate_pages
from sphinx_ext.pages.split import generate_split_pages, toc_outdated
from sphinx_ext.render.directive import QAPIDocDirective, QMPExampleDirective
from sphinx_ext.render.wire_view import setup_wire_view
from sphinx_ext.safety import setup_safety
from sphinx_ext.settings import check_config, describe, fail_on_bad_config, types_of
from sphinx_ext.site_pages import setup_site_pages
from sphinx_ext.toc_parents import setup_toc_parents
from sphinx_ext.tuning import setup_tuning

__all__ = ["setup"]

__version__ = "0.1.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    setup_domain(app)
    setup_wire_view(app)
    for name, default, rebuild, _help in describe():
        if name not in app.config:
            extra = types_of(name)
            types = (*extra, type(default)) if extra else ()
            app.add_config_value(name, default, rebuild, types=types)  # type: ignore[arg-type]
    app.add_directive("qapi-doc", QAPIDocDirective)
    app.add_directive("qapi-changes", QAPIChangesDirective)
    app.add_directive("qmp-example", QMPExampleDirective)
    app.connect("config-inited", check_config, priority=400)
    app.connect("config-inited", add_schema_namespaces)
    app.connect("builder-inited", generate_pages)
    app.connect("builder-inited", generate_split_pages)
    app.connect("env-get-outdated", toc_outdated)
    app.connect("build-finished", fail_on_bad_config)
    setup_safety(app)
    setup_dependencies(app)
    setup_toc_parents(app)
    setup_site_pages(app)
    setup_tuning(app)
    setup_fragments(app)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
