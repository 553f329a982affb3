"""Incremental builds that keep definitions' HTML (`sphinx_ext.fragments`)
in the corners an audit found: each rebuild writes what a build from
scratch writes, and warns as a rebuild without the cache does."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from sphinx_ext.fragments import CACHE_DIR
from tests.test_fragments import _kept, _outputs, _touch
from tests.test_sphinx_build import Build, build

SCHEMA = """\
##
# =====
# Stuff
# =====
##

##
# @Thing:
#
# A thing.
#
# @size: the size
#
# Since: 1.0
##
{ 'struct': 'Thing', 'data': { 'size': 'int' } }

##
# @do-it:
#
# Does it with a `str` and a `Thing`.
#
# @a: the thing
#
# Since: 2.0
##
{ 'command': 'do-it', 'data': { 'a': 'Thing' } }
"""

PAGE = "Docs\n====\n\n.. toctree::\n\n   other\n\n.. qapi-doc:: s.json\n"
OTHER = "Other\n=====\n\nText.\n"


def _now(*paths: Path) -> None:
    """Changed now: unlike `_touch` (a time ahead, which keeps a page
    outdated for Sphinx until then), only the next build reads it again."""
    stamp = time.time()
    for path in paths:
        os.utime(path, (stamp, stamp))


def _site(root: Path, schema: str = SCHEMA, conf: str = "",
          pages: dict[str, str] | None = None) -> tuple[Path, Path]:
    """A source directory documenting *schema* (tree/s.json) on index.rst."""
    tree, src = root / "tree", root / "src"
    tree.mkdir(parents=True, exist_ok=True)
    src.mkdir(parents=True, exist_ok=True)
    (tree / "s.json").write_text(schema)
    (src / "conf.py").write_text(f"extensions = ['sphinx_ext']\nproject = 's'\n"
                                 f"qapidoc_srctree = {str(tree)!r}\n{conf}")
    for name, text in {"index.rst": PAGE, "other.rst": OTHER, **(pages or {})}.items():
        (src / name).write_text(text)
    return src, tree


def _fresh(root: Path, src: Path, *args: str) -> dict[str, bytes]:
    """What a build from scratch of *src* (copied, with its tree) writes."""
    copy = root / "fresh-out"
    shutil.rmtree(copy, ignore_errors=True)
    result = build(src, copy, "-E", *args)
    assert result.status == 0, result.warnings
    return _outputs(result.out)


def _rebuild(src: Path, out: Path, *args: str, quiet: bool = True) -> Build:
    """An incremental build of *src* into *out*, checked: what it writes is
    what a build from scratch writes, except where a rebuild without the
    cache (from the same state) differs alike (Sphinx's own leftovers in
    searchindex.js); it warns as that rebuild does."""
    off = out.parent / (out.name + "-off")
    shutil.rmtree(off, ignore_errors=True)
    shutil.copytree(out, off)
    result = build(src, out, *args, quiet=quiet)
    without = build(src, off, *args, "-D", "qapidoc_fragment_cache=0")
    assert (result.status, result.warnings) == (without.status, without.warnings)
    fresh, got, plain = _fresh(out.parent, src, *args), _outputs(out), _outputs(off)
    assert sorted(got) == sorted(fresh) == sorted(plain)
    for name, data in fresh.items():
        assert got[name] == (data if plain[name] == data else plain[name]), name
    return result


def _kept_rebuild(src: Path, tree: Path, out: Path,
                  change: Callable[..., None] = _touch) -> Build:
    """A build from scratch, then a rebuild after *change* to the schema:
    the one that keeps what the first recorded."""
    assert build(src, out, "-E").status == 0
    change(tree / "s.json")
    return build(src, out)


def test_any_reference_to_a_builtin_follows_a_new_label(tmp_path: Path) -> None:
    """`str` in doc text names a built-in type (shown unlinked) until a
    page gives the standard domain a ``str`` label, which ``any`` finds."""
    src, tree = _site(tmp_path)
    out = tmp_path / "out"
    _kept_rebuild(src, tree, out)
    assert _kept(out, "index") == 2
    (src / "other.rst").write_text(OTHER + "\n.. _str:\n\nStrings\n-------\n\nText.\n")
    _touch(src / "other.rst", tree / "s.json")
    again = _rebuild(src, out)
    assert again.status == 0, again.warnings
    assert 'href="other.html#str"' in again.html("index")


def test_a_page_read_again_for_a_moved_link_does_not_warn_twice(tmp_path: Path) -> None:
    """A kept definition whose link moved (`Gadget`, from other.rst to
    third.rst) makes ``env-updated`` read its page again: the warnings of
    that page were already told."""
    undocumented = SCHEMA.replace("{ 'a': 'Thing' }", "{ 'a': 'Thing', 'b': 'int' }").replace(
        "a `str` and", "a `Gadget` and")
    gadget = "\n.. qapi:object:: Gadget\n\n   A gadget.\n"
    src, tree = _site(tmp_path, undocumented, pages={
        "index.rst": PAGE.replace("   other\n", "   other\n   third\n"),
        "other.rst": OTHER + gadget, "third.rst": "Third\n=====\n"})
    out = tmp_path / "out"
    kept = _kept_rebuild(src, tree, out, _now)
    assert kept.warnings.count("member 'b' of command 'do-it' is not documented") == 1
    assert _kept(out, "index") == 2
    (src / "other.rst").write_text(OTHER)
    (src / "third.rst").write_text("Third\n=====\n" + gadget)
    _now(src / "other.rst", src / "third.rst", tree / "s.json")
    again = _rebuild(src, out)
    assert again.warnings.count("member 'b' of command 'do-it' is not documented") == 1
    assert 'href="third.html#qapi-obj-Gadget"' in again.html("index")

    # back, with index.rst not read by Sphinx: its warnings are not told
    _now(tree / "s.json")
    build(src, out)
    assert _kept(out, "index") == 2
    (src / "other.rst").write_text(OTHER + gadget)
    (src / "third.rst").write_text("Third\n=====\n")
    _now(src / "other.rst", src / "third.rst")
    back = _rebuild(src, out, quiet=False)
    assert "index" not in back.read_docs()
    assert _kept(out, "index") == 0  # read again at env-updated
    assert "not documented" not in back.warnings
    assert 'href="other.html#qapi-obj-Gadget"' in back.html("index")


def test_a_changed_smartquotes_renders_again(tmp_path: Path) -> None:
    """``smartquotes`` is applied while a page is read: Sphinx reads every
    page again with the environment it had, whose kept HTML has curly
    quotes the new setting does not want."""
    src, tree = _site(tmp_path, SCHEMA.replace("# A thing.", "# A thing's \"size\"."))
    out = tmp_path / "out"
    _kept_rebuild(src, tree, out)
    assert _kept(out, "index") == 2
    plain = _rebuild(src, out, "-D", "smartquotes=0")
    assert "A thing's" in plain.html("index")
    assert _kept(out, "index") == 0


def test_a_titled_table_keeps_the_page_ids_in_sequence(tmp_path: Path) -> None:
    """Sphinx gives a titled table an id of the page's sequence (``id1``)
    while transforming, before ``.. contents::`` numbers its back-links:
    a kept definition with one would shift every later id (QEMU's QMP
    reference on one page: ``NetdevStreamOptions``' table)."""
    table = SCHEMA.replace("# A thing.\n", """# A thing.
#
# .. table:: Sizes
#
#    ==== ====
#    size fits
#    ==== ====
#    1    yes
#    ==== ====
""")
    page = "Docs\n====\n\n.. contents::\n\n.. toctree::\n\n   other\n\n.. qapi-doc:: s.json\n"
    src, tree = _site(tmp_path, table, pages={"index.rst": page})
    out = tmp_path / "out"
    assert build(src, out, "-E").status == 0
    _touch(tree / "s.json")
    again = _rebuild(src, out)
    assert 'id="id1"' in again.html("index")
    assert _kept(out, "index") == 1


def test_search_words_are_taken_after_the_transforms(tmp_path: Path) -> None:
    """``trim_doctest_flags`` drops ``# doctest: +SKIP`` from a doctest
    block after reading: a kept definition's search words must not have
    "doctest" and "skip", which a build from scratch does not index; nor
    "note", which the HTML translator adds to a note after indexing."""
    doctest = SCHEMA.replace("# A thing.\n", "# A thing.\n#\n# >>> size()  # doctest: +SKIP\n# 1\n"
                             "#\n# .. note:: Mind it.\n")
    src, tree = _site(tmp_path, doctest)
    out = tmp_path / "out"
    _kept_rebuild(src, tree, out)
    assert _kept(out, "index") == 2
    (tree / "s.json").write_text(doctest.replace("# Does it", "# Really does it"))
    _touch(tree / "s.json")
    _rebuild(src, out)
    assert _kept(out, "index") == 1
    assert '"skip"' not in (out / "searchindex.js").read_text()
    assert '"note"' not in (out / "searchindex.js").read_text()


def test_a_definition_whose_translation_warned_is_not_kept(tmp_path: Path) -> None:
    """Pygments warns while the page is written (a ``json`` block that is
    not JSON); Sphinx holds the warnings of writing back until the end, so
    its count did not show it and the definition was kept: rebuilds that
    re-read the page no longer warned (and passed with -W)."""
    bad = SCHEMA.replace("# A thing.\n", "# A thing.\n#\n# .. code-block:: json\n#\n#    { ]] @@\n")
    src, tree = _site(tmp_path, bad)
    out = tmp_path / "out"
    first = build(src, out, "-E")
    assert "highlighting_failure" in first.warnings
    _touch(tree / "s.json")
    again = _rebuild(src, out)
    assert "highlighting_failure" in again.warnings
    assert _kept(out, "index") == 1


def test_pages_read_again_for_the_cache_alone_do_not_warn(tmp_path: Path) -> None:
    """Another html_title: Sphinx writes every page again, reading none; a
    page with kept definitions must be read again (their HTML does not
    fit), but its warnings were told when it was read last."""
    undocumented = SCHEMA.replace("{ 'a': 'Thing' }", "{ 'a': 'Thing', 'b': 'int' }")
    src, tree = _site(tmp_path, undocumented)
    out = tmp_path / "out"
    kept = _kept_rebuild(src, tree, out, _now)
    assert "member 'b' of command 'do-it' is not documented" in kept.warnings
    assert _kept(out, "index") == 2
    retitled = _rebuild(src, out, "-D", "html_title=Other", quiet=False)
    assert "index" in retitled.read_docs()
    assert "not documented" not in retitled.warnings


def test_a_cache_file_with_the_right_version_but_damaged_entries(tmp_path: Path) -> None:
    """Entries of the wrong shape under the build's own version (a file
    edited or damaged into other valid JSON) are dropped, not a traceback."""
    src, tree = _site(tmp_path)
    out = tmp_path / "out"
    _kept_rebuild(src, tree, out, _now)
    assert _kept(out, "index") == 2
    for path in (out / ".doctrees" / CACHE_DIR).iterdir():
        data = json.loads(path.read_text())
        for entry in data["fragments"].values():
            entry[2], entry[3] = [["type"]], [1]
        path.write_text(json.dumps(data))
    _now(tree / "s.json")
    again = _rebuild(src, out)
    assert again.status == 0


WARN_AFTER_TRANSFORMS = """\
from docutils import nodes
from sphinx.util import logging

def _warn(app, doctree):
    for node in doctree.findall(nodes.Element):
        if node.get("ids") == ["qapi-obj-Thing.mem-size"]:
            logging.getLogger("t").warning("late", location=node)

def setup(app):
    app.connect("doctree-read", _warn, priority=500)
    return {"parallel_read_safe": True}
"""


def test_a_page_whose_collectors_warned_keeps_nothing(tmp_path: Path) -> None:
    """A warning of a doctree-read handler after the transforms (as the
    safety pass's, at 400) is about the page's definitions too: the page
    records nothing, so a rebuild warns as a build without the cache."""
    src, tree = _site(tmp_path, conf="import os, sys\n"
                      "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                      "extensions.append('late_warn')\n")
    (src / "late_warn.py").write_text(WARN_AFTER_TRANSFORMS)
    out = tmp_path / "out"
    first = build(src, out, "-E")
    assert "late" in first.warnings
    _touch(tree / "s.json")
    again = _rebuild(src, out)
    assert "late" in again.warnings
