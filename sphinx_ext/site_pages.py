"""Keep a rebuild's site-wide pages when nothing they show changed.

Sphinx's HTML builder writes the general index, every domain index and
``objects.inv`` in every build, from the whole environment.  For QEMU's
split reference that is 781 M of the 5,028 M instructions of a rebuild
after touching one module (three pages of about 300 KB and a 7,000-line
inventory).  They show the domains' objects, the index entries and the
navigation, under a configuration.  So they are kept as they are when:

- no document was added or removed and the configuration is unchanged;
- every document written in this build was re-read, and left its objects
  (in every domain), its index entries and what toctrees show of it
  (`toc_parents.shown_to_parents`) as they were;
- the files are the ones the last successful build left (their sizes and
  times, and the environment they were written from, are recorded beside
  the doctrees), so a build that failed half-way or a deleted page makes
  them be written again.

An edit of a definition's text keeps them; a new definition, a changed
synopsis or a new title writes them again, as does ``-a`` or a changed
template (every document is then written without being re-read).
"""

from __future__ import annotations

import contextlib
import json
import os
import weakref
from collections.abc import Callable, Sequence, Set
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import CONFIG_OK, BuildEnvironment

from sphinx_ext.toc_parents import shown_to_parents

STAMP = "qapidoc-site-pages.json"
"""In the doctree directory: what the last successful build left."""

_ENV_PICKLE = "environment.pickle"

Fingerprint = tuple[Any, ...]


class _Build:
    """What one build learns about its re-read documents."""

    def __init__(self, env_stat: list[int] | None) -> None:
        self.env_stat = env_stat
        self.before: dict[str, Fingerprint] = {}
        self.structural = False  # documents added or removed, or a new configuration
        self.written: set[str] = set()
        self.verdict: bool | None = None


_BUILDS: weakref.WeakKeyDictionary[BuildEnvironment, _Build] = weakref.WeakKeyDictionary()


def fingerprint(env: BuildEnvironment, docname: str) -> Fingerprint:
    """Everything of *docname* the site-wide pages show."""
    objects: list[tuple[Any, ...]] = []
    for domain in sorted(env.domains.values(), key=lambda d: d.name):
        if domain.name == "index":
            continue
        per_doc = getattr(domain, "objects_of", None)
        if per_doc is not None:
            objects.append((domain.name, *per_doc(docname)))
        else:
            objects.append((domain.name, *sorted(
                o for o in domain.get_objects() if o[3] == docname)))
    entries = env.domains["index"].data.get("entries", {}).get(docname)
    return (shown_to_parents(env, docname), tuple(objects), repr(entries))


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _load_stamp(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            found = json.load(f)
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _described(env: BuildEnvironment) -> tuple[str, ...]:
    """Prefixes of the indices of domains that describe a document's objects
    whole (`objects_of`): only those indices may be kept."""
    return tuple(f"{d.name}-" for d in env.domains.values() if hasattr(d, "objects_of"))


def _keepable_indices(builder: Any) -> list[str]:
    prefixes = _described(builder.env)
    return [name for name, *_ in builder.domain_indices if name.startswith(prefixes)]


def _outputs(builder: Any) -> list[str]:
    """The files this module may keep, for the build's builder."""
    names = ["genindex", *_keepable_indices(builder)]
    return [*(str(builder.get_outfilename(n)) for n in names),
            os.path.join(builder.outdir, "objects.inv")]


def _kept(app: Sphinx) -> bool:
    """Whether this build may keep the site-wide pages (decided once, when
    the first of them is due: every document has been written by then)."""
    build = _BUILDS.get(app.env)
    if build is None:
        return False
    if build.verdict is None:
        env = app.env
        stamp = _load_stamp(os.path.join(app.doctreedir, STAMP))
        files = stamp.get("files", {})
        build.verdict = (
            not build.structural
            and env.config_status == CONFIG_OK
            and build.env_stat is not None and stamp.get("env") == build.env_stat
            and build.written <= build.before.keys()
            and all(fingerprint(env, d) == fp for d, fp in build.before.items())
            and all(_stat(path) is not None and files.get(path) == _stat(path)
                    for path in _outputs(app.builder))
        )
    return build.verdict


def _on_outdated(app: Sphinx, env: BuildEnvironment, added: Set[str],
                 changed: Set[str], removed: Set[str]) -> list[str]:
    build = _BUILDS.get(env)
    if build is not None and (added or removed):
        build.structural = True
    return []


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: Sequence[str]) -> None:
    build = _BUILDS.get(env)
    if build is not None:
        build.before = {d: fingerprint(env, d) for d in docnames if d in env.all_docs}
        if len(build.before) != len(docnames):
            build.structural = True


def _wrap(app: Sphinx, builder: Builder) -> None:
    """Route the builder's site-wide writes through `_kept` (on this
    builder object only)."""
    b: Any = builder
    write_documents: Callable[[Set[str]], None] = b.write_documents

    def documents(docnames: Set[str]) -> None:
        build = _BUILDS.get(app.env)
        if build is not None:
            build.written.update(docnames)
        write_documents(docnames)

    genindex: Callable[[], None] = b.write_genindex
    domain_indices: Callable[[], None] = b.write_domain_indices
    inventory: Callable[[], None] = b.dump_inventory

    def write_genindex() -> None:
        if app.config.html_split_index or not _kept(app):
            genindex()

    def write_domain_indices() -> None:
        if not _kept(app):
            domain_indices()
            return
        every = b.domain_indices
        kept = set(_keepable_indices(b))
        b.domain_indices = [i for i in every if i[0] not in kept]
        try:
            domain_indices()
        finally:
            b.domain_indices = every

    def dump_inventory() -> None:
        if not _kept(app):
            inventory()

    b.write_documents = documents
    b.write_genindex = write_genindex
    b.write_domain_indices = write_domain_indices
    b.dump_inventory = dump_inventory


def _on_builder(app: Sphinx) -> None:
    """Wrap an HTML or dirhtml builder of a Sphinx that passes the written
    documents through ``write_documents`` (8.1 and later)."""
    builder = app.builder
    if builder.name in ("html", "dirhtml") and all(
            hasattr(builder, m) for m in ("write_documents", "write_genindex",
                                          "write_domain_indices", "dump_inventory",
                                          "get_outfilename")):
        _BUILDS[app.env] = _Build(_stat(os.path.join(app.doctreedir, _ENV_PICKLE)))
        _wrap(app, builder)


def _on_finished(app: Sphinx, exception: BaseException | None) -> None:
    env = getattr(app, "env", None)
    build = _BUILDS.pop(env, None) if env is not None else None
    path = os.path.join(app.doctreedir, STAMP)
    if build is None or exception is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    stamp = {"env": _stat(os.path.join(app.doctreedir, _ENV_PICKLE)),
             "files": {p: _stat(p) for p in _outputs(app.builder)}}
    with contextlib.suppress(OSError), open(path, "w", encoding="utf-8") as f:
        json.dump(stamp, f)


def setup_site_pages(app: Sphinx) -> None:
    app.connect("builder-inited", _on_builder)
    app.connect("env-get-outdated", _on_outdated)
    app.connect("env-before-read-docs", _before_read, priority=900)
    app.connect("build-finished", _on_finished)
