"""Incremental builds by definition: one that did not change is neither
transformed nor written again.

Sphinx rebuilds a page as a whole: touching ``block-core.json`` re-reads its
page, runs every transform over all of its 224 definitions, then resolves,
translates and indexes them again, though an edit changes one of them.  Here
the HTML of each definition a ``qapi-doc`` renders is kept, per page, in the
doctree directory (``qapidoc-fragments/``), under a key that digests what
its HTML is made of:

- the definition's doctree as the directive built it (every node's class,
  attributes and text: an edit anywhere in it, or in a member it inlines,
  changes the key);
- the page, the builder and its translator, the HTML options and tags
  (Sphinx's own ``.buildinfo`` hash), the pages of the site, and the
  versions of Sphinx, docutils, Pygments and this extension's code.

With the HTML, an entry keeps what each reference in the definition resolved
to.  When a page is read again, a definition with a known key keeps its
signature (for the page's contents and the indexes; its objects are noted as
before) and its content becomes one `qapi_pending` node, which no transform
walks into; once every page is read (``env-updated``) each kept definition's
references are resolved again, and a page where one resolves differently is
read again without keeping anything.  A page read again for the cache alone
(there, or because its kept HTML no longer fits) says no warning: Sphinx
would only have written it.  When the page is written, the definition
becomes its HTML (`qapi_fragment`, holding the words the search index took
from it after the transforms).  Every other definition is transformed and
translated as usual and its HTML recorded.  A page is the same byte for byte
either way (``tests/test_fragments.py`` compares rebuilds with builds from
scratch on QEMU's reference).

Never kept: a definition whose output depends on more than itself (a
reference the domain does not settle alone and silently — ``any`` falls back
to the standard domain — or with ``intersphinx`` loaded an unresolved one;
footnotes, named hyperlinks, substitutions, images, math, raw HTML,
``only``, titles, titled tables, figures or code blocks (Sphinx numbers
them, or gives them ids in page order), code without a language), whose
translation warned, or on a page whose transforms or resolving warned
(warnings are counted as they are logged: Sphinx counts those of reading and
writing when the phase ends).  Pages are kept only by a serial build in
English (parallel readers and writers, and translations, use what is there
but do not add to it).  A build from scratch (``-E``), or one after a change
of a ``conf.py`` value that pages are read with (``smartquotes``: Sphinx
reads every page again), starts with no cache.
``qapidoc_fragment_cache = False`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging as std_logging
import os
import shutil
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import docutils
import pygments
import sphinx
from docutils import nodes
from docutils.utils import get_source_line
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import CONFIG_OK, BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import qapidoc
from sphinx_ext.domain.names import BUILTIN_TYPES, TYPE_ROLES, parse_target
from sphinx_ext.pagestore import PageStore

__all__ = ["qapi_capture", "qapi_fragment", "qapi_pending", "reuse_definitions",
           "setup_fragments"]

logger = logging.getLogger(__name__)

CACHE_DIR = "qapidoc-fragments"
FORMAT = 3
KEY = "qapidoc-fragment"
"""Attribute of a definition's ``desc`` node: its key."""

_BUILDERS = frozenset({"html", "dirhtml"})
#: Nodes whose HTML depends on more than the definition they are in, or
#: that transforms number or resolve across the page.
_UNCACHEABLE = (nodes.image, nodes.math, nodes.math_block, nodes.raw,
                nodes.meta, addnodes.only, addnodes.download_reference, addnodes.toctree,
                nodes.footnote, nodes.footnote_reference, nodes.citation,
                nodes.citation_reference, nodes.substitution_definition,
                nodes.substitution_reference, nodes.target, nodes.problematic,
                nodes.system_message, nodes.transition, nodes.pending)
_NUMBERED = (nodes.figure, nodes.table, nodes.caption)
_CONTEXT = ("qapi:namespace", "qapi:module", "qapi:definition", "qapi:branch-type")

#: A reference as the domain resolves it: role, target, the context
#: attributes, whether it was written in a ``.json`` file; and the link.
Reference = list[Any]


class qapi_fragment(nodes.Element):
    """A definition's HTML from an earlier build; its children are what the
    search index and the general index take from it (words, index entries)."""


class qapi_pending(nodes.Element):
    """The content of a definition whose HTML is kept: no transform walks
    into it; its children are its index entries."""


class qapi_capture(nodes.Element):
    """A definition being written for the first time: its HTML is recorded."""


@dataclass
class _PageCache:
    """One page's fragments: read once, written after the page."""

    path: str
    old: dict[str, list[Any]]
    new: dict[str, list[Any]] = field(default_factory=dict)
    record: bool = True
    captures: list[qapi_capture] = field(default_factory=list)


_KEPT: PageStore[tuple[str, list[tuple[str, list[Reference]]]]] = PageStore("qapidoc_kept")
"""docname → (build version, [(key, references)]) of its kept definitions."""


class _State:
    """What one build knows: its version (None: no cache), its options, the
    pages read; made at ``builder-inited``, found from the environment."""

    def __init__(self, app: Sphinx) -> None:
        self.app = weakref.ref(app)
        self._version: str | None = ""
        self.doctreedir = str(app.doctreedir)
        # a changed conf.py value that doctrees depend on (``smartquotes``)
        # has Sphinx read every page again, with the environment it had
        self.fresh = bool(app.fresh_env_used) or app.env.config_status != CONFIG_OK
        self.serial = app.parallel <= 1
        self.numfig = bool(app.config.numfig)
        self.intersphinx = "sphinx.ext.intersphinx" in app.extensions
        self.pages: dict[str, dict[str, list[Any]]] = {}
        self.no_reuse: set[str] = set()
        #: key → (references, titled) of a definition read in this build
        self.read: dict[str, tuple[list[Reference], bool]] = {}
        #: docname → warnings counted when its last definition was keyed
        self.warnings: dict[str, int | None] = {}
        self.unclean: set[str] = set()
        self.warned = _Warned()
        #: pages read only for this extension's sake: Sphinx (and a build
        #: without the cache) would not read them, so they say nothing
        self.silent: set[str] = set()
        self.muted: list[std_logging.Handler] = []

    @property
    def version(self) -> str | None:
        """Computed on first use: the site's pages are known once reading starts."""
        if self._version == "":
            app = self.app()
            self._version = _build_version(app) if app is not None else None
        return self._version

    def warning_count(self) -> int | None:
        """Warnings logged so far.  Not Sphinx's count: it holds back the
        warnings of reading and of writing (``pending_warnings``) until the
        phase ends, so it would not tell which page or definition warned."""
        return self.warned.count

    def mute(self) -> None:
        """Until `unmute`: warnings are counted, not told."""
        if not self.muted:
            logger = std_logging.getLogger(logging.NAMESPACE)
            self.muted = [handler for handler in logger.handlers if handler is not self.warned]
            for handler in self.muted:
                handler.addFilter(_MUTE)

    def unmute(self) -> None:
        for handler in self.muted:
            handler.removeFilter(_MUTE)
        self.muted = []

    def reusing(self, docname: str) -> bool:
        """Whether definitions may be kept while reading: only where every
        read is seen (serially), from an earlier build's environment."""
        return self.serial and not self.fresh and docname not in self.no_reuse

    def cache_path(self, docname: str) -> str:
        name = hashlib.sha256(docname.encode()).hexdigest()[:32]
        return os.path.join(self.doctreedir, CACHE_DIR, name + ".json")

    def entries(self, docname: str) -> dict[str, list[Any]]:
        found = self.pages.get(docname)
        if found is None:
            found = {} if self.fresh or self.version is None else _load(
                self.cache_path(docname), self.version)
            self.pages[docname] = found
        return found


_STATES: weakref.WeakKeyDictionary[BuildEnvironment, _State] = weakref.WeakKeyDictionary()


def _state(env: BuildEnvironment) -> _State | None:
    state = _STATES.get(env)
    return state if state is not None and state.version is not None else None


def _code_version() -> str:
    """Versions of what turns a doctree into HTML, and the code of this
    extension and of ``qapidoc`` (whose allow-list sanitizes links after
    resolving): size and time of each file, so an edited checkout counts."""
    digest = hashlib.sha256()
    digest.update(f"{FORMAT} {sphinx.__version__} {docutils.__version__} "
                  f"{pygments.__version__}".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for root in (here, os.path.dirname(os.path.abspath(qapidoc.__file__))):
        for folder, dirs, files in sorted(os.walk(root)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name} {stat.st_size} "
                                  f"{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _build_version(app: Sphinx) -> str | None:
    """The part of every key that one build shares, or None: no cache."""
    builder = app.builder
    if (builder.name not in _BUILDERS or not app.config.qapidoc_fragment_cache
            or app.config.language not in (None, "", "en")):
        return None
    info = getattr(builder, "build_info", None)
    translator = builder.get_translator_class()
    digest = hashlib.sha256()
    digest.update(_code_version().encode())
    digest.update(f"{builder.name} {translator.__module__}.{translator.__qualname__} "
                  f"{getattr(info, 'config_hash', None)} {getattr(info, 'tags_hash', None)} "
                  f"{sorted(app.tags)} {app.config.numfig}".encode())
    for docname in sorted(app.env.found_docs):
        digest.update(docname.encode() + b"\0")
    return digest.hexdigest()


class _Walk:
    """One pass over a definition's doctree as the directive built it: its
    digest, its references, and whether it may be kept at all."""

    PLAIN, INDEX, XREF, QUIET, TITLE, NEVER, NUMBERED = range(7)
    _verdicts: ClassVar[dict[tuple[bool, frozenset[type]], dict[type, int]]] = {}

    def __init__(self, numfig: bool, std: Any) -> None:
        self.numfig = numfig
        self.std = std
        self.enumerable = frozenset(std.enumerable_nodes)
        self.verdicts = self._verdicts.setdefault((numfig, self.enumerable), {})
        self.parts: list[object] = []
        self.titled = False
        self.references: list[Reference] = []
        self.indexes: list[addnodes.index] = []

    def run(self, node: nodes.Element) -> bool:
        self.parts, self.references, self.indexes = [], [], []
        self.titled = False
        return self._visit(node)

    def digest(self) -> str:
        return hashlib.sha256(repr(self.parts).encode()).hexdigest()

    def _verdict(self, cls: type) -> int:
        if issubclass(cls, _UNCACHEABLE) or (self.numfig and issubclass(cls, _NUMBERED)):
            verdict = self.NEVER
        elif cls in self.enumerable:
            verdict = self.NUMBERED
        elif issubclass(cls, addnodes.index):
            verdict = self.INDEX
        elif issubclass(cls, addnodes.pending_xref):
            verdict = self.XREF
        elif issubclass(cls, nodes.comment):
            verdict = self.QUIET
        elif issubclass(cls, nodes.title):
            verdict = self.TITLE
        else:
            verdict = self.PLAIN
        self.verdicts[cls] = verdict
        return verdict

    def _visit(self, node: nodes.Element) -> bool:
        cls = type(node)
        verdict = self.verdicts.get(cls)
        if verdict is None:
            verdict = self._verdict(cls)
        attributes = node.attributes
        if verdict == self.NEVER or "refname" in attributes:
            return False
        parts = self.parts
        parts.append(cls.__name__)
        parts.append(attributes)
        if verdict == self.PLAIN or verdict == self.NUMBERED:
            # Sphinx gives a titled table, figure or code block an id of the
            # page's sequence (id1, id2…), and with numfig a number
            if verdict == self.NUMBERED and (
                    (self.numfig and attributes["ids"])
                    or self.std.get_numfig_title(node) is not None):
                return False
            if cls is nodes.literal_block and not attributes.get("language"):
                return False
        elif verdict == self.INDEX:
            self.indexes.append(node)  # type: ignore[arg-type]
        elif verdict == self.TITLE:
            self.titled = True
        elif verdict == self.XREF:
            if attributes.get("refdomain") != "qapi":
                return False
            source, _line = get_source_line(node)
            self.references.append([
                str(attributes.get("reftype", "")), str(attributes.get("reftarget", "")),
                *(str(attributes.get(key) or "") for key in _CONTEXT),
                bool(source and source.endswith(".json"))])
        text = str.__str__  # repr() of a Text is cut short
        for child in node.children:
            if type(child) is nodes.Text:
                parts.append(text(child))
            elif not self._visit(child):  # type: ignore[arg-type]
                return False
        return True


class _Resolver:
    """What a reference links to, as the ``qapi`` domain resolves it; None
    when it is not settled by the domain alone, silently."""

    def __init__(self, env: BuildEnvironment, state: _State) -> None:
        self.env = env
        self.domain: Any = env.domains["qapi"]
        self.intersphinx = state.intersphinx
        self.app = state.app

    def _std_resolves(self, target: str) -> bool:
        """Whether ``any`` finds *target* in the standard domain (a label or
        an object of that name), as the ``qapi`` domain falls back to it."""
        app = self.app()
        if app is None:
            return True
        xref = addnodes.pending_xref("", refdomain="qapi", reftype="any", reftarget=target,
                                     refexplicit=False)
        std = self.env.domains.standard_domain
        return bool(std.resolve_any_xref(self.env, self.env.docname or "index", app.builder,
                                         target, xref, nodes.literal()))

    def link(self, reference: Sequence[Any]) -> str | None:
        typ, target, *context, from_json = reference[:7]
        stand_in = nodes.Element()
        for key, value in zip(_CONTEXT, context, strict=True):
            if value:
                stand_in[key] = value
        matches = self.domain.xref_matches(typ, target, stand_in)
        if len(matches) == 1:
            return f"{matches[0].docname}#{matches[0].node_id}"
        if matches or self.intersphinx or (typ == "any" and self._std_resolves(target)):
            return None
        if typ in TYPE_ROLES and parse_target(target).path in BUILTIN_TYPES:
            return "builtin"
        if typ == "mem" and from_json:
            return "silent"
        return None

    def unchanged(self, references: list[Reference], only_elsewhere: str | None = None) -> bool:
        """Whether every reference still links where it did (with
        *only_elsewhere*: those that linked to another page than that one)."""
        for reference in references:
            linked = reference[7]
            if only_elsewhere is not None and (
                    linked in ("builtin", "silent") or linked.startswith(only_elsewhere + "#")):
                continue
            if self.link(reference) != linked:
                return False
        return True


def _definitions(node: nodes.Element | Sequence[nodes.Node]) -> Iterator[addnodes.desc]:
    """The ``qapi`` definitions under *node*, outermost only."""
    for child in node.children if isinstance(node, nodes.Element) else node:
        if isinstance(child, addnodes.desc):
            if child.get("domain") == "qapi":
                yield child
        elif isinstance(child, nodes.Element):
            yield from _definitions(child)


def _load(path: str, version: str) -> dict[str, list[Any]]:
    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != version:
        return {}
    entries = data.get("fragments")
    if not isinstance(entries, dict):
        return {}
    return {key: value for key, value in entries.items() if _well_formed(value)}


def _well_formed(value: object) -> bool:
    """Whether *value* is an entry as `_depart_capture` writes it: HTML,
    words, references (role, target, four context values, from a .json
    file, link) and titles (text, ids)."""
    if not (isinstance(value, list) and len(value) == 4 and isinstance(value[0], str)
            and isinstance(value[1], str) and isinstance(value[2], list)
            and isinstance(value[3], list)):
        return False
    for reference in value[2]:
        if not (isinstance(reference, list) and len(reference) == 8
                and isinstance(reference[6], bool)
                and all(isinstance(part, str) for part in reference[:6] + reference[7:])):
            return False
    return all(isinstance(title, list) and len(title) == 2 and isinstance(title[0], str)
               and isinstance(title[1], list) and all(isinstance(i, str) for i in title[1])
               for title in value[3])


def reuse_definitions(directive: SphinxDirective, result: Sequence[nodes.Node]) -> None:
    """Key each definition *result* holds; keep those whose HTML is known."""
    env = directive.env
    state = _state(env)
    version = state.version if state is not None else None
    if state is None or version is None:
        return
    docname = env.docname
    entries = state.entries(docname) if state.reusing(docname) else {}
    walk = _Walk(state.numfig, env.domains.standard_domain)
    resolver = _Resolver(env, state) if entries else None
    prefix = f"{version}\0{docname}\0"
    kept: list[tuple[str, list[Reference]]] = []
    for desc in _definitions(result):
        if not walk.run(desc):
            continue
        key = hashlib.sha256((prefix + walk.digest()).encode()).hexdigest()
        desc[KEY] = key
        entry = entries.get(key)
        content = desc.children[-1] if desc.children else None
        if (entry is None or resolver is None or not isinstance(content, addnodes.desc_content)
                or not resolver.unchanged(entry[2], only_elsewhere=docname)):
            state.read[key] = (walk.references, walk.titled)
            continue
        content[:] = [qapi_pending("", *walk.indexes, key=key)]
        kept.append((key, entry[2]))
    if kept:
        _KEPT.of(env).setdefault(docname, (version, []))[1].extend(kept)
    state.warnings[docname] = state.warning_count()


def _after_reading(app: Sphinx, doctree: nodes.document) -> None:
    """A page whose transforms, or the sanitizing and collecting after them,
    warned records nothing: which definition warned is not known."""
    state = _state(app.env)
    docname = app.env.current_document.docname
    if state is not None and docname in state.warnings:
        counted = state.warnings.pop(docname)
        if counted is None or counted != state.warning_count():
            state.unclean.add(docname)


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
              removed: set[str]) -> list[str]:
    """Pages whose kept definitions cannot be written any more (another
    version, a lost cache) are read again."""
    state = _STATES.get(env)
    current = state.version if state is not None else None
    stale: list[str] = []
    for docname, (version, kept) in _KEPT.of(env).items():
        if docname in changed or docname in removed or docname in added:
            continue
        entries = state.entries(docname) if state is not None and version == current else {}
        if any(key not in entries for key, _references in kept):
            stale.append(docname)
    if state is not None:
        state.no_reuse.update(stale)
        state.silent.update(stale)
    return stale


def _check_links(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Once every page is read: a page where a kept definition's reference
    now resolves differently is read again, keeping nothing."""
    kept_pages = _KEPT.of(env)
    state = _state(env)
    if not kept_pages or state is None:
        return []
    resolver = _Resolver(env, state)
    stale = [docname for docname, (_version, kept) in kept_pages.items()
             if not all(resolver.unchanged(references) for _key, references in kept)]
    for docname in stale:
        state.no_reuse.add(docname)
        app.events.emit("env-purge-doc", env, docname)
        env.clear_doc(docname)
        # what this reading finds, the page's own, has been told when it was
        # read, by this build or the one that read it last
        state.mute()
        try:
            app.builder.read_doc(docname)
        finally:
            state.unmute()
    return stale


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    state = _STATES.get(app.env)
    if state is not None and docname in state.silent:
        state.mute()


def _read(app: Sphinx, doctree: nodes.document) -> None:
    state = _STATES.get(app.env)
    if state is not None:
        state.unmute()


class FragmentTransform(SphinxPostTransform):
    """Before references are resolved: kept definitions become their HTML,
    the others are marked to be recorded."""

    default_priority = 1

    def run(self, **kwargs: Any) -> None:
        state = _state(self.env)
        if state is None:
            return
        docname = self.env.current_document.docname
        entries = state.entries(docname)
        cache = _PageCache(state.cache_path(docname), entries,
                           record=state.serial and docname not in state.unclean)
        document = self.document
        document.qapidoc_fragments = cache  # type: ignore[attr-defined]
        document.qapidoc_warnings = state.warning_count()  # type: ignore[attr-defined]
        resolver = _Resolver(self.env, state)
        for desc in list(_definitions(document)):
            key = desc.get(KEY)
            if key is None:
                continue
            content = desc.children[-1] if desc.children else None
            if content is not None and content.children and isinstance(
                    content.children[0], qapi_pending):
                entry = entries.get(key)
                if entry is None:
                    logger.warning("the HTML kept of this definition is gone; build "
                                   "again with -E", location=desc, type="qapidoc",
                                   subtype="cache")
                    cache.record = False
                    continue
                cache.new[key] = entry
                kept = qapi_fragment("", *content.children[0].children, html=entry[0])
                kept.extend(nodes.inline("", "", nodes.title(text, text), ids=ids)
                            for text, ids in entry[3])
                kept.append(nodes.Text(entry[1]))
                desc.replace_self(kept)
                continue
            read = state.read.pop(key, None)
            if not cache.record or read is None:
                continue
            references, titled = read
            links = [resolver.link(reference) for reference in references]
            if any(link is None for link in links):
                continue
            # the search index lists titles (an example's) as transforms left them
            titles = [[title.astext(), title.parent["ids"][:1]]
                      for title in desc.findall(nodes.title)] if titled else []
            capture = qapi_capture("", key=key, titles=titles,
                                   references=[[*r, link] for r, link in zip(
                                       references, links, strict=True)])
            desc.replace_self(capture)
            capture.append(desc)
            cache.captures.append(capture)


def _after_resolving(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A page whose resolving warned records nothing: which definition
    warned is not known.  Otherwise each definition to record notes the
    words the search index is about to take from it."""
    cache: _PageCache | None = getattr(doctree, "qapidoc_fragments", None)
    if cache is None:
        return
    state = _state(app.env)
    warnings = getattr(doctree, "qapidoc_warnings", None)
    if state is None or warnings is None or state.warning_count() != warnings:
        cache.record = False
    elif cache.record:
        for capture in cache.captures:
            capture["words"] = "\n".join(_search_words(capture, []))


def _visit_fragment(self: Any, node: qapi_fragment) -> None:
    self.body.append(node["html"])
    raise nodes.SkipNode


def _visit_capture(self: Any, node: qapi_capture) -> None:
    state = _state(self.builder.env)
    node["start"] = len(self.body)
    node["warnings"] = state.warning_count() if state is not None else None


def _depart_capture(self: Any, node: qapi_capture) -> None:
    cache: _PageCache | None = getattr(node.document, "qapidoc_fragments", None)
    start = node.attributes.pop("start")
    warnings = node.attributes.pop("warnings")
    state = _state(self.builder.env)
    if (cache is None or not cache.record or warnings is None or state is None
            or warnings != state.warning_count() or "words" not in node):
        return
    cache.new[node["key"]] = ["".join(self.body[start:]), node["words"], node["references"],
                              node["titles"]]


def _search_words(node: nodes.Element, out: list[str]) -> list[str]:
    """The text the search index takes from *node* once every transform
    ran (``trim_doctest_flags`` drops words from doctest blocks) and before
    it is translated (the HTML translator adds a "Note" title to a note):
    as Sphinx's ``WordCollector``, less comments and ``no-search`` parts."""
    for child in node.children:
        if type(child) is nodes.Text:
            out.append(str.__str__(child))
        elif isinstance(child, nodes.Text):
            out.append(child.astext())
        elif isinstance(child, nodes.Element) and not isinstance(child, nodes.comment) \
                and "no-search" not in child["classes"]:
            _search_words(child, out)
    return out


def _skip(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def _pass(self: Any, node: nodes.Element) -> None:
    pass


def _save(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
          doctree: nodes.document | None) -> None:
    cache: _PageCache | None = getattr(doctree, "qapidoc_fragments", None)
    state = _state(app.env)
    if cache is None or state is None or not cache.record or cache.new == cache.old:
        return
    data = {"version": state.version, "fragments": cache.new}
    temporary = f"{cache.path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(cache.path), exist_ok=True)
        with open(temporary, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        os.replace(temporary, cache.path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)


class _Warned(std_logging.Handler):
    """How many warnings were logged so far in the build, as they are
    logged (while Sphinx holds them back), told or not."""

    def __init__(self) -> None:
        super().__init__(std_logging.WARNING)
        self.count = 0

    def emit(self, record: std_logging.LogRecord) -> None:
        self.count += 1


class _Mute(std_logging.Filter):
    """On Sphinx's handlers while a page is read silently: no warning."""

    def filter(self, record: std_logging.LogRecord) -> bool:
        return record.levelno < std_logging.WARNING


_MUTE = _Mute()


def _start(app: Sphinx) -> None:
    """The build's state; a build from scratch, or one whose configuration
    changed what pages are read into, keeps nothing of an earlier one."""
    state = _STATES[app.env] = _State(app)
    logger = std_logging.getLogger(logging.NAMESPACE)
    for handler in list(logger.handlers):  # an interrupted build's (no build-finished)
        handler.removeFilter(_MUTE)
        if isinstance(handler, _Warned):
            logger.removeHandler(handler)
    # first, so that it sees each warning as it was logged
    logger.handlers.insert(0, state.warned)
    if state.fresh:
        shutil.rmtree(os.path.join(app.doctreedir, CACHE_DIR), ignore_errors=True)


def _finish(app: Sphinx, exception: BaseException | None) -> None:
    state = _STATES.get(app.env)
    if state is not None:
        state.unmute()
        std_logging.getLogger(logging.NAMESPACE).removeHandler(state.warned)


def setup_fragments(app: Sphinx) -> None:
    others = {name: (_skip, None) for name in ("latex", "text", "man", "texinfo")}
    app.add_node(qapi_fragment, html=(_visit_fragment, None), **others)  # type: ignore[arg-type]
    app.add_node(qapi_pending, html=(_skip, None), **others)  # type: ignore[arg-type]
    app.add_node(qapi_capture, html=(_visit_capture, _depart_capture),
                 **{name: (_pass, _pass) for name in others})  # type: ignore[arg-type]
    app.add_post_transform(FragmentTransform)
    _KEPT.connect(app)
    app.connect("builder-inited", _start)
    app.connect("build-finished", _finish)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-updated", _check_links)
    # after the safety pass (400), whose warnings are about definitions too
    app.connect("doctree-read", _after_reading, priority=800)
    app.connect("source-read", _source_read)
    app.connect("doctree-read", _read, priority=999)
    app.connect("doctree-resolved", _after_resolving, priority=900)
    app.connect("html-page-context", _save)
