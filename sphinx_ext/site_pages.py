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
  (`toc_parents.view_unchanged`) as they were;
- the files are the ones the last successful build left (their sizes and
  times, and the environment they were written from, are recorded beside
  the doctrees), so a build that failed half-way or a deleted page makes
  them be written again.

An edit of a definition's text keeps them; a new definition, a changed
synopsis or a new title writes them again, as does ``-a`` or a changed
template (every document is then written without being re-read).

``searchindex.js`` is kept on the same terms when, besides, the documents
written hold the same words, titles and index entries as before (noted
from the old index before Sphinx prunes them, compared after they are
indexed again): a touch keeps it, an edit of a text writes it.
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

from sphinx_ext.toc_parents import view_unchanged

STAMP = "qapidoc-site-pages.json"
"""In the doctree directory: what the last successful build left."""

_ENV_PICKLE = "environment.pickle"

Fingerprint = tuple[Any, ...]


class _Build:
    """What one build learns about its re-read documents."""

    def __init__(self, env_stat: list[int] | None,
                 stamp: tuple[object, dict[str, object]]) -> None:
        self.env_stat = env_stat
        self.stamp = stamp
        self.before: dict[str, Fingerprint] = {}
        self.structural = False  # documents added or removed
        self.written: set[str] = set()
        self.verdict: bool | None = None
        self.search_before: dict[str, Fingerprint] | None = None


_BUILDS: weakref.WeakKeyDictionary[BuildEnvironment, _Build] = weakref.WeakKeyDictionary()


def fingerprint(env: BuildEnvironment, docname: str) -> Fingerprint:
    """What the site-wide pages show of *docname* besides its view in the
    toctrees, which `toc_parents` compares."""
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
    index = env.domains.get("index")
    entries = index.data.get("entries", {}).get(docname) if index is not None else None
    return (tuple(objects), repr(entries))


def search_data(indexer: Any, docname: str) -> Fingerprint:
    """Everything of *docname* Sphinx's search index holds (its private
    tables, the same from Sphinx 8.1 to 9) but its index entries, which an
    old index does not give back and which `fingerprint` compares as the
    index domain holds them.  Its section titles are compared grouped by
    title, as the index stores them (and an old index gives them back)."""
    try:
        titles = indexer._all_titles.get(docname)
        return (indexer._titles.get(docname), indexer._filenames.get(docname),
                None if titles is None else tuple(sorted(titles, key=lambda t: str(t[0]))),
                frozenset(w for w, docs in indexer._mapping.items() if docname in docs),
                frozenset(w for w, docs in indexer._title_mapping.items() if docname in docs))
    except (AttributeError, TypeError):  # another Sphinx: equal to nothing
        return (object(),)


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _load_stamp(path: str) -> tuple[object, dict[str, object]]:
    """The environment's and the files' sizes and times the stamp at *path*
    records; nothing for a missing or damaged stamp."""
    try:
        with open(path, encoding="utf-8") as f:
            found = json.load(f)
    except (OSError, ValueError):
        return None, {}
    if not isinstance(found, dict) or not isinstance(found.get("files"), dict):
        return None, {}
    return found.get("env"), found["files"]


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


def _search_file(builder: Any) -> str | None:
    if getattr(builder, "indexer", None) is None:
        return None
    return os.path.join(builder.outdir, str(builder.searchindex_filename))


def _unchanged_file(build: _Build, path: str) -> bool:
    """Whether *path* is what the last successful build left."""
    now = _stat(path)
    return now is not None and build.stamp[1].get(path) == now


def _kept(app: Sphinx) -> bool:
    """Whether this build may keep the site-wide pages (decided once, when
    the first of them is due: every document has been written by then)."""
    build = _BUILDS.get(app.env)
    if build is None:
        return False
    if build.verdict is None:
        env = app.env
        build.verdict = (
            not build.structural
            and env.config_status == CONFIG_OK
            and build.env_stat is not None and build.stamp[0] == build.env_stat
            and build.written <= build.before.keys()
            and all(view_unchanged(env, d) and fingerprint(env, d) == fp
                    for d, fp in build.before.items())
            and all(_unchanged_file(build, path) for path in _outputs(app.builder))
        )
    return build.verdict


def _search_kept(app: Sphinx) -> bool:
    """Whether ``searchindex.js`` may be kept too: the site-wide pages are,
    and the documents written held the same words, titles and entries."""
    build = _BUILDS.get(app.env)
    indexer = getattr(app.builder, "indexer", None)
    path = _search_file(app.builder)
    if build is None or build.search_before is None or path is None or not _kept(app):
        return False
    return (build.written == build.search_before.keys()
            and all(search_data(indexer, d) == data
                    for d, data in build.search_before.items())
            and _unchanged_file(build, path))


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

    load_indexer: Callable[[Set[str]], None] = b.load_indexer

    def load_search(docnames: Set[str]) -> None:
        """Note what the index held of the documents about to be written
        before Sphinx prunes them from it."""
        indexer, build = b.indexer, _BUILDS.get(app.env)
        prune = getattr(indexer, "prune", None)
        if prune is None:
            load_indexer(docnames)
            return

        def noted_prune(keep: Set[str]) -> None:
            if build is not None:
                build.search_before = {d: search_data(indexer, d) for d in docnames}
            prune(keep)

        indexer.prune = noted_prune
        try:
            load_indexer(docnames)
        finally:
            del indexer.prune

    search_index: Callable[[], None] = b.dump_search_index

    def dump_search_index() -> None:
        if not _search_kept(app):
            search_index()

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
    b.load_indexer = load_search
    b.dump_search_index = dump_search_index


def _on_builder(app: Sphinx) -> None:
    """Wrap an HTML or dirhtml builder of a Sphinx that passes the written
    documents through ``write_documents`` (8.1 and later)."""
    builder = app.builder
    if builder.name in ("html", "dirhtml") and all(
            hasattr(builder, m) for m in ("write_documents", "write_genindex",
                                          "write_domain_indices", "dump_inventory",
                                          "get_outfilename", "load_indexer",
                                          "dump_search_index")):
        _BUILDS[app.env] = _Build(_stat(os.path.join(app.doctreedir, _ENV_PICKLE)),
                                  _load_stamp(os.path.join(app.doctreedir, STAMP)))
        _wrap(app, builder)


def _on_finished(app: Sphinx, exception: BaseException | None) -> None:
    env = getattr(app, "env", None)
    build = _BUILDS.pop(env, None) if env is not None else None
    path = os.path.join(app.doctreedir, STAMP)
    if build is None or exception is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    search = _search_file(app.builder)
    files = [*_outputs(app.builder), *([search] if search else [])]
    stamp = {"env": _stat(os.path.join(app.doctreedir, _ENV_PICKLE)),
             "files": {p: _stat(p) for p in files}}
    with contextlib.suppress(OSError), open(path, "w", encoding="utf-8") as f:
        json.dump(stamp, f)


def setup_site_pages(app: Sphinx) -> None:
    app.connect("builder-inited", _on_builder)
    app.connect("env-get-outdated", _on_outdated)
    app.connect("env-before-read-docs", _before_read, priority=900)
    app.connect("build-finished", _on_finished)
