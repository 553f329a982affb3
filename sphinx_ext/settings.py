"""The extension's configuration values: one typed definition.

`Settings` declares each ``conf.py`` value once — type, default, what a change
rebuilds, and help.  `sphinx_ext.setup()` registers them from here and the
docs' configuration page can list them from `describe()`.
"""

from __future__ import annotations

import weakref
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from qapidoc.core.outputs import NAMESPACE_NAME


def _help(text: str, rebuild: str = "env", types: tuple[type, ...] = ()) -> dict[str, Any]:
    return {"help": text, "rebuild": rebuild, "types": types}


@dataclass(frozen=True)
class Settings:
    """Every ``conf.py`` value of ``sphinx_ext`` (besides the domain's own)."""

    qapidoc_srctree: str | None = field(default=None, metadata=_help(
        "Directory that ``qapi-doc`` paths are relative to (QEMU sets its source "
        "tree); unset: relative to the page, like ``include``.", types=(str,)))
    qapidoc_include_root: str | None = field(default=None, metadata=_help(
        "Directory that included schema files must stay inside (relative to "
        "``qapidoc_srctree``, else the source directory); unset: the project "
        "holding the root schema, as for ``qapidoc lint``.", types=(str,)))
    qapidoc_schemas: dict[str, Any] = field(default_factory=dict, metadata=_help(
        "Schemas to document one page per module: output directory → schema "
        "path, or → {'path': ..., 'namespace': ..., 'title': ...}.  Generates "
        "DIR/index.rst, DIR/<module>.rst and DIR/changes.rst in the source tree."))
    qapidoc_split: bool = field(default=False, metadata=_help(
        "Build every page's whole-schema ``qapi-doc`` as the root module's text "
        "and a toctree of generated per-module pages (PAGE/<module>.rst next to "
        "the page): touching one module re-reads one small page."))
    qapidoc_lint: str | None = field(default=None, metadata=_help(
        "Lint preset (qemu, recommended, strict) whose findings become warnings "
        "of type 'qapidoc', subtype the rule code; None or 'off' to skip.", types=(str,)))
    qapidoc_lint_config: str | None = field(default=None, metadata=_help(
        "Configuration file for ``qapidoc_lint`` (.qapidoc.yaml or "
        "pyproject.toml); '' for the defaults; None: the nearest one above the "
        "schema, as ``qapidoc lint`` finds it.  ``qapidoc build --lint`` sets "
        "it to the file ``qapidoc lint`` would use.", types=(str,)))
    qapidoc_warn_undocumented: bool = field(default=True, metadata=_help(
        "Warn (qapidoc.undocumented) about undocumented members, values and "
        "features outside the schema's documentation-exceptions pragma, for "
        "a release whose checker requires them documented (9.2 on; the "
        "project's ``release``, else a VERSION file above the schema; "
        "unknown: warn).  The badge shows either way."))
    qapidoc_tune_gc: bool = field(default=True, metadata=_help(
        "Collect garbage less often during the build and skip the collection at "
        "interpreter exit: a third of the build time of QEMU's references.", "")
    )
    qapidoc_template_cache: bool = field(default=True, metadata=_help(
        "Keep the theme's compiled templates, stylesheet templates included "
        "(Jinja's bytecode), in the doctree directory, checked against each "
        "template's text: builds after the first compile none of them.",
        "")
    )
    qapidoc_fragment_cache: bool = field(default=True, metadata=_help(
        "Keep each definition's HTML in the doctree directory, under a digest "
        "of its doctree, its links and the build's options; a page written "
        "again reuses the definitions that did not change.  A build from "
        "scratch (-E) starts without it.", "")
    )
    qapidoc_doc_markup: str = field(default="auto", metadata=_help(
        "Markup of the schema's doc comments: 'rst', 'legacy' (QEMU's markup "
        "before 5.2: ``| `` examples, ``*strong*``, ``_emphasis_``, indentation "
        "not significant) or 'auto' (legacy when the comments show it and no "
        "rST construct)."))
    qapidoc_render: str = field(default="nodes", metadata=_help(
        "'nodes' builds doctree nodes directly (fast); 'rst' parses the "
        "generated rST through the domain's directives (for debugging)."))


DOMAIN_VALUES: dict[str, str] = {
    "qapi_namespaces": "Namespaces (as in ``:namespace: QMP``) that get an index "
    "of their own, ``qapi-<NS>-index``, besides the QAPI Index of everything "
    "(QEMU sets ``{'QMP', 'QGA', 'QSD'}``).  ``qapidoc_schemas`` adds its "
    "namespaces itself.",
    "qapi_allowed_fields": "Extra field names allowed in the content of "
    "hand-written ``qapi:`` directives, such as ``see also`` for "
    "``:see also: ...``; any other unknown field is reported as a likely typo.",
}
"""Help of the values the ``qapi`` domain registers itself (with the
names QEMU's own domain uses, so its ``conf.py`` works unchanged)."""


def describe() -> list[tuple[str, Any, str, str]]:
    """(name, default, rebuild, help) of every value, in declaration order."""
    return [(name, default, rebuild, text) for name, default, rebuild, text, _t in _rows()]


def types_of(name: str) -> tuple[type, ...]:
    """Types a value may have besides its default's (``str`` for None defaults)."""
    return next((t for n, _d, _r, _h, t in _rows() if n == name), ())


def _rows() -> list[tuple[str, Any, str, str, tuple[type, ...]]]:
    rows: list[tuple[str, Any, str, str, tuple[type, ...]]] = []
    for f in fields(Settings):
        if f.default is not MISSING:
            default = f.default
        elif f.default_factory is not MISSING:
            default = f.default_factory()
        else:  # pragma: no cover - every field has a default
            default = None
        rows.append((f.name, default, f.metadata["rebuild"], f.metadata["help"],
                     f.metadata["types"]))
    return rows



_OPTIONAL_TEXT = ("qapidoc_srctree", "qapidoc_include_root", "qapidoc_lint_config")
_SCHEMA_KEYS = frozenset({"path", "namespace", "title"})


def config_problems(config: Any) -> list[tuple[str, str]]:
    """(value name, what is wrong) for each value of ``conf.py`` the
    extension reads that it cannot use.  Sphinx only warns about a value of
    the wrong type and goes on; these would fail later with a traceback, go
    into generated rST, or write outside the source directory."""
    from qapidoc.core.registry import PRESETS

    problems: list[tuple[str, str]] = []
    for name in _OPTIONAL_TEXT:
        value = getattr(config, name, None)
        if value is not None and not isinstance(value, str):
            problems.append((name, f"expected a path (a string) or None, got {value!r}"))
    lint = config.qapidoc_lint
    if lint is not None and lint not in ("off", *PRESETS):
        problems.append(("qapidoc_lint", f"expected None, 'off' or one of "
                         f"{', '.join(PRESETS)}, got {lint!r}"))
    if config.qapidoc_doc_markup not in ("auto", "rst", "legacy"):
        problems.append(("qapidoc_doc_markup", "expected 'auto', 'rst' or 'legacy', "
                         f"got {config.qapidoc_doc_markup!r}"))
    if config.qapidoc_render not in ("nodes", "rst"):
        problems.append(("qapidoc_render",
                         f"expected 'nodes' or 'rst', got {config.qapidoc_render!r}"))
    namespaces = getattr(config, "qapi_namespaces", None) or ()
    if not isinstance(namespaces, set | frozenset | list | tuple) \
            or not all(isinstance(n, str) for n in namespaces):
        problems.append(("qapi_namespaces", f"expected a set of names, got {namespaces!r}"))
    schemas = config.qapidoc_schemas
    problem = None if schemas is None else _schemas_problem(schemas)
    if problem is not None:
        problems.append(("qapidoc_schemas", problem))
    return problems


def _schemas_problem(schemas: object) -> str | None:
    if not isinstance(schemas, dict):
        return f"expected a dict (output directory → schema), got {schemas!r}"
    for directory, spec in schemas.items():
        where = f"[{directory!r}]"
        if not isinstance(directory, str) or directory.startswith("/") \
                or ".." in directory.replace("\\", "/").split("/"):
            return f"{where}: the key must be a directory inside the source directory"
        if isinstance(spec, str):
            continue
        if not isinstance(spec, dict):
            return f"{where}: expected a schema path or {{'path': ...}}, got {spec!r}"
        unknown = sorted(map(str, set(spec) - _SCHEMA_KEYS))
        if unknown:
            return f"{where}: unknown key {unknown[0]!r} (known: namespace, path, title)"
        if not isinstance(spec.get("path"), str):
            return f"{where}: 'path' must be the schema's path, got {spec.get('path')!r}"
        namespace = spec.get("namespace")
        if namespace is not None and not (isinstance(namespace, str)
                                          and NAMESPACE_NAME.fullmatch(namespace)):
            return f"{where}: 'namespace' must be a name such as QMP, got {namespace!r}"
        title = spec.get("title")
        if title is not None and not (isinstance(title, str) and title.isprintable()):
            return f"{where}: 'title' must be one line of text, got {title!r}"
    return None


_BAD_CONFIG: weakref.WeakSet[Any] = weakref.WeakSet()
"""Sphinx applications whose conf.py had a value they could not use."""


def fail_on_exit(app: Any) -> None:
    """End *app*'s build with status 1 for a conf.py value it could not use
    and reported as an error: Sphinx alone exits 0 after logged errors."""
    _BAD_CONFIG.add(app)


def check_config(app: Any, config: Any) -> None:
    """``config-inited``: a value the extension cannot use is an error
    (``qapidoc.config``) and replaced by its default, so the build goes on
    without a traceback and ends with status 1 (`fail_on_bad_config`)."""
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    defaults = {name: default for name, default, _rebuild, _help in describe()}
    defaults["qapi_namespaces"] = frozenset()
    for name, problem in config_problems(config):
        logger.error("%s%s%s; using the default, %r", name,
                     "" if problem.startswith("[") else ": ", problem, defaults[name],
                     type="qapidoc", subtype="config")
        setattr(config, name, defaults[name])
        _BAD_CONFIG.add(app)


def fail_on_bad_config(app: Any, exception: BaseException | None) -> None:
    if exception is None and app in _BAD_CONFIG and app.statuscode == 0:
        app.statuscode = 1
