"""qapidoc's Sphinx extension: ``extensions = ["sphinx_ext"]``.

Registers the ``qapi`` domain (`sphinx_ext.domain`), the ``qapi-doc``,
``qapi-changes`` and ``qmp-example`` directives, the ``qmp`` lexer and these
``conf.py`` values (declared in `sphinx_ext.settings`):

``qapidoc_srctree``
    Base directory of ``qapi-doc`` paths (QEMU: its source tree); default: the page's
    directory.
``qapidoc_schemas``
    ``{"qmp": "qapi/qapi-schema.json"}`` or ``{"qmp": {"path": ..., "namespace":
    "QMP", "title": "QMP Reference"}}``: generate ``qmp/index.rst``, one page per
    module and ``qmp/changes.rst`` into the source tree (rewritten only when
    they change, so incremental and ``-j`` builds work).
``qapidoc_lint``
    ``None``/``"off"`` (default), ``"qemu"``, ``"recommended"`` or ``"strict"``:
    lint findings become warnings ``qapidoc.<CODE>`` at the schema line
    (``suppress_warnings = ["qapidoc.QD201"]`` silences one rule).
``qapidoc_warn_undocumented``
    Warn (``qapidoc.undocumented``) about undocumented members; default True.
``qapidoc_render``
    ``"nodes"`` (default, fast) or ``"rst"`` (parse the generated rST; debugging).
``qapi_namespaces``
    Namespaces that get their own index page, ``qapi-<ns>-index`` (as QEMU's
    conf.py sets it); namespaces of ``qapidoc_schemas`` are added automatically.
``qapi_allowed_fields``
    Extra field names the domain accepts in hand-written descriptions.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.typing import ExtensionMetadata

from sphinx_ext.changes import QAPIChangesDirective
from sphinx_ext.directive import QAPIDocDirective, QMPExampleDirective
from sphinx_ext.domain import setup_domain
from sphinx_ext.pages import add_schema_namespaces, generate_pages
from sphinx_ext.settings import describe, types_of

__all__ = ["setup"]

__version__ = "0.1.0"


def setup(app: Sphinx) -> ExtensionMetadata:
    setup_domain(app)
    for name, default, rebuild, _help in describe():
        if name not in app.config:
            extra = types_of(name)
            types = (*extra, type(default)) if extra else ()
            app.add_config_value(name, default, rebuild, types=types)
    app.add_directive("qapi-doc", QAPIDocDirective)
    app.add_directive("qapi-changes", QAPIChangesDirective)
    app.add_directive("qmp-example", QMPExampleDirective)
    app.connect("config-inited", add_schema_namespaces)
    app.connect("builder-inited", generate_pages)
    return {
        "version": __version__,
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
