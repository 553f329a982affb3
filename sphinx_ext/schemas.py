"""Loaded schemas for one Sphinx process, and their findings as Sphinx warnings.

In: schema paths from ``qapi-doc`` directives and ``qapidoc_schemas``.  Out:
the `Schema` model, loaded once and reused until a schema file's mtime or size
changes (forked ``-j`` workers inherit what ``builder-inited`` loaded), and
`report()`, which logs load errors and lint findings located at their
``.json`` line with type ``qapidoc`` and the rule code as subtype.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from docutils import nodes
from sphinx.config import Config
from sphinx.util import logging

from qapidoc import load_schema
from qapidoc.core.registry import model_errors
from qapidoc.core.source import Diagnostic
from qapidoc.schema.model import Include, Schema

logger = logging.getLogger(__name__)


def schema_location(path: str, line: int | None) -> nodes.Element:
    """A location Sphinx prints as ``path:line`` (a tuple would be read as a docname)."""
    node = nodes.Element()
    node.source, node.line = path, line
    return node

LINT_OFF = ("", "off", "none", "false")


def _stamp(paths: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    stamp = []
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            stamp.append((path, -1, -1))
        else:
            stamp.append((path, info.st_mtime_ns, info.st_size))
    return tuple(stamp)


@dataclass
class LoadedSchema:
    """A schema with what it was loaded from, and its lint findings by preset."""

    schema: Schema
    stamp: tuple[tuple[str, int, int], ...]
    lint: dict[str, list[Diagnostic]] = field(default_factory=dict)
    @cached_property
    def legacy_markup(self) -> bool:
        """Whether the doc comments use QEMU's markup from before rST
        (`sphinx_ext.render.legacy.uses_legacy_markup`)."""
        from sphinx_ext.render.legacy import uses_legacy_markup

        return uses_legacy_markup(
            stripped for module in self.schema.modules for line in module.file.lines
            if (stripped := line.lstrip()).startswith("#"))

    @property
    def files(self) -> list[str]:
        return [path for path, _mtime, _size in self.stamp]


_CACHE: dict[tuple[str, str | None], LoadedSchema] = {}


def include_root(config: Config, srcdir: str) -> str | None:
    """``qapidoc_include_root`` as an absolute path (None when unset)."""
    value = config.qapidoc_include_root
    if not value:
        return None
    base = config.qapidoc_srctree or srcdir
    return os.path.normpath(os.path.join(srcdir, base, value))


def missing_includes(schema: Schema) -> list[str]:
    """Included files that are not modules of *schema* (missing or
    unreadable): depending on them, a page is read again until they load."""
    modules = {module.path for module in schema.modules}
    return [item.path for module in schema.modules for item in module.items
            if isinstance(item, Include) and item.path not in modules]


def get_schema(path: str, root: str | None = None) -> LoadedSchema:
    """The schema at *path* (absolute), its includes inside *root* (see
    `include_root`), re-read only if one of its files changed."""
    cached = _CACHE.get((path, root))
    if cached is not None and _stamp(cached.files) == cached.stamp:
        return cached
    schema = load_schema(path, include_root=root)
    files = [module.path for module in schema.modules] + missing_includes(schema) or [path]
    loaded = LoadedSchema(schema, _stamp(files))
    _CACHE[(path, root)] = loaded
    return loaded


def lint_findings(loaded: LoadedSchema, preset: str,
                  config_file: str | None = None) -> list[Diagnostic]:
    """Findings of the lint engine for *preset* with the configuration of
    *config_file* ('' for the defaults, None for the nearest file above
    the schema, as ``qapidoc lint`` finds it), cached per schema."""
    key = f"{preset}\0{config_file}"
    if key not in loaded.lint:
        try:
            from qapidoc.core.config import Config, ConfigError, find_config, load_config
            from qapidoc.lint import run_lint

            try:
                config = (find_config(loaded.schema.root) if config_file is None
                          else load_config(config_file) if config_file else Config())
            except ConfigError as e:
                logger.warning("%s", e, type="qapidoc", subtype="config")
                config = Config()
            findings = run_lint(loaded.schema, config.with_overrides(preset=preset)).diagnostics
        except ImportError:  # pragma: no cover - lint engine absent
            from qapidoc.core.registry import RULES

            findings = [
                d
                for d in loaded.schema.diagnostics
                if d.code in RULES and RULES[d.code].in_preset(preset)
            ]
        loaded.lint[key] = list(findings)
    return loaded.lint[key]


def report(loaded: LoadedSchema, files: Iterable[str], lint: str | None,
           config_file: str | None = None) -> int:
    """Log load errors and (if *lint* names a preset) lint findings in *files*.

    Load errors are the `model_errors`: forms of older QEMU releases (read
    as their modern spelling) and documentation errors such as long lines
    are lint findings, logged as warnings when *lint* selects them.

    Returns the number of errors: a schema that does not load is a located
    Sphinx error, never a traceback.
    """
    wanted = set(files)
    errors = 0
    reported: set[tuple[str, int, str]] = set()
    for diag in model_errors(loaded.schema.diagnostics):
        if diag.location.path not in wanted and loaded.schema.modules:
            continue
        errors += 1
        reported.add((diag.location.path, diag.location.line, diag.code))
        logger.error(
            "%s %s",
            diag.code,
            diag.message,
            location=schema_location(diag.location.path, diag.location.line),
            type="qapidoc",
            subtype=diag.code,
        )
    preset = (lint or "").strip().lower()
    if preset in LINT_OFF:
        return errors
    for diag in lint_findings(loaded, preset, config_file):
        key = (diag.location.path, diag.location.line, diag.code)
        if diag.location.path not in wanted or key in reported:
            continue
        logger.warning(
            "%s %s [%s]",
            diag.code,
            diag.message,
            diag.name,
            location=schema_location(diag.location.path, diag.location.line),
            type="qapidoc",
            subtype=diag.code,
        )
    return errors
