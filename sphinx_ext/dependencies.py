"""Which pages to re-read when a schema file changes: by the definitions used.

A page depends on the modules it shows by file time, as Sphinx tracks any
dependency.  It also renders definitions of other modules — inherited
members, the members of a branch's type, a command's argument type — and
depending on those *files* would re-read it whenever anything in them
changes: QEMU's ``block`` and ``qom`` pages use a few types of
``block-core.json``, so each edit of block-core re-read three pages.

Instead each page records a fingerprint of the source text of each other
module's definition it rendered (the doc comment and the definition, up to
the next item; line numbers do not count), and ``env-get-outdated``
re-reads a page when one of those texts changed or disappeared.  A file
whose definitions are not all known this way stays an ordinary dependency.

A page that only links to a definition is not re-read when the definition
moves to another page or goes (Sphinx would keep its links to the old
place): when a build moved or removed any ``qapi`` object, every page is
written again, so each link is resolved where the object is now.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Iterable, Set
from typing import cast

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from qapidoc.schema.model import Definition, DocComment, Include, Schema
from sphinx_ext.pagestore import PageStore
from sphinx_ext.schemas import LoadedSchema, get_schema

_USES: PageStore[list[tuple[str, str | None, dict[str, str]]]] = PageStore(
    "qapidoc_definition_uses")
"""docname → [(schema path, include root, {definition: fingerprint})]."""


def fingerprints(loaded: LoadedSchema) -> dict[str, tuple[str, str]]:
    """Definition name → (file, digest of its source text), computed once
    per loaded schema."""
    cached = loaded.__dict__.get("_fingerprints")
    if cached is None:
        cached = _fingerprints(loaded.schema)
        loaded.__dict__["_fingerprints"] = cached
    return cast("dict[str, tuple[str, str]]", cached)


def _start(item: object) -> int:
    if isinstance(item, Definition):
        return item.doc.location.line if item.doc is not None else item.location.line
    if isinstance(item, DocComment | Include):
        return item.location.line
    return 0


def _fingerprints(schema: Schema) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for module in schema.modules:
        lines = module.file.lines
        starts = sorted({_start(item) for item in module.items if _start(item)})
        for item in module.items:
            if not isinstance(item, Definition):
                continue
            begin = _start(item)
            end = next((s for s in starts if s > item.location.line), len(lines) + 1)
            text = "\n".join(lines[begin - 1:end - 1])
            digest = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
            found[item.name] = (module.path, digest)
    return found


def note_uses(env: BuildEnvironment, path: str, root: str | None, loaded: LoadedSchema,
              own: Set[str], used: Iterable[str], files: Iterable[str]) -> None:
    """Make the current page depend on its own modules' files (*own*), on
    the definitions of other modules it rendered (*used*) by their text,
    and on any other file in *files* by its time."""
    known = fingerprints(loaded)
    recorded: dict[str, str] = {}
    for name in used:
        entry = known.get(name)
        if entry is not None and entry[0] not in own:
            recorded[name] = entry[1]
    covered = {known[name][0] for name in recorded}
    for file in sorted(set(own) | (set(files) - covered)):
        # module paths may be relative to the working directory, which
        # Sphinx would read as relative to the source directory
        env.note_dependency(os.path.abspath(file))
    if recorded:
        _USES.of(env).setdefault(env.docname, []).append((path, root, recorded))


def _outdated(app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str],
              removed: Set[str]) -> list[str]:
    """Pages whose rendered definitions of other modules changed."""
    stale = []
    for docname, entries in sorted(_USES.of(env).items()):
        if docname in changed or docname in removed or docname not in env.all_docs:
            continue
        for path, root, recorded in entries:
            known = fingerprints(get_schema(path, root))
            if any(known.get(name, ("", ""))[1] != digest for name, digest in recorded.items()):
                stale.append(docname)
                break
    return stale


_PLACES: weakref.WeakKeyDictionary[BuildEnvironment, dict[object, tuple[str, str]]] = (
    weakref.WeakKeyDictionary())
"""The ``qapi`` objects' pages and anchors before this build read anything."""


def _places(env: BuildEnvironment) -> dict[object, tuple[str, str]]:
    objects = getattr(env.domains["qapi"], "objects", {})
    return {key: (obj.docname, obj.node_id) for key, obj in objects.items()}


def _before_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if docnames:
        _PLACES[env] = _places(env)


def _moved(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every page, when an object moved or went: links to it are anywhere."""
    before = _PLACES.pop(env, None)
    if not before:
        return []
    now = _places(env)
    if all(now.get(key) == place for key, place in before.items()):
        return []
    return sorted(env.found_docs)


def setup_dependencies(app: Sphinx) -> None:
    app.connect("env-get-outdated", _outdated)
    app.connect("env-before-read-docs", _before_reading)
    app.connect("env-updated", _moved)
    _USES.connect(app)
