"""Rewrite a toctree parent only when what it shows of a re-read child changed.

Sphinx rewrites every page whose toctree includes a re-read page, because
the parent shows the child's title and sections.  A split reference's
index page is the parent of every module page and costs as much to write as
a module (about 0.1 s for QEMU's): an edit of any module rewrote it.  When the
re-read child's title, table of contents, own toctrees and metadata are as
they were, the parent's output would be byte-identical, so the child does
not send it to be rewritten.  The environment keeps its links (it is saved
before writing starts, and the links are restored when the build ends).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.environment import BuildEnvironment

_READ: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, str]] = (
    weakref.WeakKeyDictionary())
"""Per environment: re-read document → what its parents showed of it before."""
_DETACHED: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, set[str]]] = (
    weakref.WeakKeyDictionary())
"""Per environment: document → its parents, taken out for this write."""
_UNCHANGED: weakref.WeakKeyDictionary[BuildEnvironment, set[str]] = (
    weakref.WeakKeyDictionary())
"""Per environment: the re-read documents whose view is as it was, known
once writing starts (`view_unchanged`)."""


def view_unchanged(env: BuildEnvironment, docname: str) -> bool:
    """Whether toctrees show re-read *docname* as before (False when that
    is not known: a new document, or before writing starts)."""
    return docname in _UNCHANGED.get(env, ())


def shown_to_parents(env: BuildEnvironment, docname: str) -> str | None:
    """Everything of *docname* a toctree including it renders, as text;
    None for a document the environment has not seen."""
    toc = env.tocs.get(docname)
    title = env.titles.get(docname)
    if toc is None or title is None:
        return None
    longtitle = env.longtitles.get(docname)
    return "\0".join((
        title.pformat(), toc.pformat(),
        longtitle.pformat() if longtitle is not None else "",
        repr(env.toctree_includes.get(docname)),
        repr(env.toc_num_entries.get(docname)),
        repr(sorted(env.metadata.get(docname, {}).items(), key=lambda kv: kv[0])),
    ))


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: Sequence[str]) -> None:
    seen = _READ.setdefault(env, {})
    for docname in docnames:
        shown = shown_to_parents(env, docname)
        if shown is not None:
            seen[docname] = shown


def _detach_unchanged(app: Sphinx, builder: Builder) -> None:
    env = builder.env
    seen = _READ.pop(env, {})
    detached = _DETACHED.setdefault(env, {})
    unchanged = _UNCHANGED[env] = {
        docname for docname, before in seen.items()
        if shown_to_parents(env, docname) == before}
    for docname in unchanged:
        parents = env.files_to_rebuild.get(docname)
        if parents:
            detached[docname] = parents
            env.files_to_rebuild[docname] = set()


def _reattach(app: Sphinx, exception: BaseException | None) -> None:
    env = app.env
    _UNCHANGED.pop(env, None)
    for docname, parents in _DETACHED.pop(env, {}).items():
        env.files_to_rebuild[docname] = parents


def setup_toc_parents(app: Sphinx) -> None:
    """Only where Sphinx announces the start of writing (7.4 and later)."""
    if "write-started" not in app.events.events:
        return
    app.connect("env-before-read-docs", _before_read)
    app.connect("write-started", _detach_unchanged)
    app.connect("build-finished", _reattach)
