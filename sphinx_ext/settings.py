"""The extension's configuration values: one typed definition.

`Settings` declares each ``conf.py`` value once — type, default, what a change
rebuilds, and help.  `sphinx_ext.setup()` registers them from here and the
docs' configuration page can list them from `describe()`.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any


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
        "features outside the schema's documentation-exceptions pragma."))
    qapidoc_tune_gc: bool = field(default=True, metadata=_help(
        "Collect garbage less often during the build and skip the collection at "
        "interpreter exit: a third of the build time of QEMU's references.", "")
    )
    qapidoc_render: str = field(default="nodes", metadata=_help(
        "'nodes' builds doctree nodes directly (fast); 'rst' parses the "
        "generated rST through the domain's directives (for debugging)."))


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
