"""Definitions' HTML kept between builds (`sphinx_ext.fragments`): a rebuild
that reuses it writes the same bytes as a build from scratch, and whatever
it cannot trust (moved link targets, a lost or damaged cache, other options)
is rendered again."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from docutils import nodes

from sphinx_ext.fragments import CACHE_DIR, qapi_pending
from tests.conftest import need_qemu
from tests.test_sphinx_build import SPLIT_CONF, build, project

PAGES = ("zoo/index", "zoo/pens", "zoo/changes", "genindex", "qapi-zoo-index")
ZOO = Path(__file__).parent / "cases" / "sphinx" / "zoo"


def _project(root: Path, conf: str = SPLIT_CONF) -> tuple[Path, Path]:
    tree = root / "tree"
    if not tree.exists():
        shutil.copytree(ZOO, tree / "zoo")
    src = project(root, {"index.rst": "Docs\n====\n\n.. toctree::\n\n   zoo/index\n"},
                  srctree=tree, conf=conf)
    return src, tree


def _touch(*paths: Path) -> None:
    stamp = time.time() + 5
    for path in paths:
        os.utime(path, (stamp, stamp))


def _kept(out: Path, docname: str) -> int:
    """Definitions of *docname* that its last reading kept (not re-rendered)."""
    with open(out / ".doctrees" / f"{docname}.doctree", "rb") as stream:
        doctree: nodes.document = pickle.load(stream)
    return sum(1 for _ in doctree.findall(qapi_pending))


def _outputs(out: Path) -> dict[str, bytes]:
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and path.suffix in (".html", ".js", ".inv")
            and ".doctrees" not in path.parts}


def _fresh(root: Path, tree: Path, *args: str) -> dict[str, bytes]:
    """What a build from scratch of *tree* writes."""
    src = project(root / "fresh", {"index.rst": "Docs\n====\n\n.. toctree::\n\n   zoo/index\n"},
                  srctree=tree, conf=SPLIT_CONF)
    result = build(src, root / "fresh" / "out", "-E", *args)
    assert result.status == 0, result.warnings
    return _outputs(result.out)


def _same(out: Path, expected: dict[str, bytes]) -> None:
    got = _outputs(out)
    assert sorted(got) == sorted(expected)
    for name, data in expected.items():
        assert got[name] == data, name


def test_touched_modules_reuse_their_definitions_byte_for_byte(tmp_path: Path) -> None:
    src, tree = _project(tmp_path)
    out = tmp_path / "out"
    first = build(src, out, "-E")
    assert first.status == 0 and first.warnings == ""
    assert (out / ".doctrees" / CACHE_DIR).is_dir()
    expected = _outputs(out)
    _touch(tree / "zoo" / "zoo.json", tree / "zoo" / "pens.json")
    again = build(src, out, quiet=False)
    assert again.status == 0 and again.warnings == ""
    assert {"zoo/index", "zoo/pens"} <= again.read_docs()
    assert _kept(out, "zoo/index") > 5 and _kept(out, "zoo/pens") >= 1
    _same(out, expected)


def test_an_edited_description_is_written_again(tmp_path: Path) -> None:
    src, tree = _project(tmp_path)
    out = tmp_path / "out"
    build(src, out, "-E")
    _touch(tree / "zoo" / "pens.json")
    build(src, out)
    pens = tree / "zoo" / "pens.json"
    pens.write_text(pens.read_text().replace("# @size: square metres",
                                             "# @size: square metres, fenced"))
    _touch(pens)
    edited = build(src, out)
    assert edited.status == 0 and edited.warnings == ""
    assert "square metres, fenced" in edited.html("zoo/pens")
    _same(out, _fresh(tmp_path, tree))


def test_kept_definitions_follow_a_type_that_moved_to_another_page(tmp_path: Path) -> None:
    """``Pen`` moves from pens.json to zoo.json: the root page's kept
    definitions linked to pens.html and must link within the page now."""
    src, tree = _project(tmp_path)
    out = tmp_path / "out"
    build(src, out, "-E")
    _touch(tree / "zoo" / "zoo.json")
    build(src, out)
    assert _kept(out, "zoo/index") > 0
    assert 'href="pens.html#qapi-ZOO.obj-Pen"' in (out / "zoo" / "index.html").read_text()
    pens = tree / "zoo" / "pens.json"
    text = pens.read_text()
    start = text.index("##\n# @Pen:")
    end = text.index("}\n", text.index("{ 'struct': 'Pen'")) + 2
    pens.write_text(text[:start] + text[end:])
    root = tree / "zoo" / "zoo.json"
    root.write_text(root.read_text() + "\n" + text[start:end])
    _touch(pens, root)
    moved = build(src, out)
    assert moved.status == 0, moved.warnings
    assert 'href="#qapi-ZOO.obj-Pen"' in moved.html("zoo/index")
    _same(out, _fresh(tmp_path, tree))


def test_other_html_options_or_a_lost_cache_render_again(tmp_path: Path) -> None:
    """Pages written again without being read (here: another html_title)
    hold kept definitions whose HTML no longer fits, or was deleted: they
    are read again, not written from stale or missing HTML."""
    src, tree = _project(tmp_path)
    out = tmp_path / "out"
    build(src, out, "-E")
    _touch(tree / "zoo" / "zoo.json", tree / "zoo" / "pens.json")
    build(src, out)
    retitled = build(src, out, "-D", "html_title=Other")
    assert retitled.status == 0 and retitled.warnings == ""
    _same(out, _fresh(tmp_path, tree, "-D", "html_title=Other"))

    _touch(tree / "zoo" / "zoo.json", tree / "zoo" / "pens.json")
    build(src, out, "-D", "html_title=Other")
    assert _kept(out, "zoo/index") > 0
    shutil.rmtree(out / ".doctrees" / CACHE_DIR)
    lost = build(src, out, "-D", "html_title=Third")
    assert lost.status == 0 and lost.warnings == ""
    _same(out, _fresh(tmp_path / "third", tree, "-D", "html_title=Third"))


def test_a_damaged_cache_is_not_trusted(tmp_path: Path) -> None:
    src, tree = _project(tmp_path)
    out = tmp_path / "out"
    build(src, out, "-E")
    expected = _outputs(out)
    for path in (out / ".doctrees" / CACHE_DIR).iterdir():
        path.write_text('{"version": "x", "fragments": {"k": ["<script>", "", [], []]}}'
                        if path.name < "8" else "\0not json")
    _touch(tree / "zoo" / "zoo.json", tree / "zoo" / "pens.json")
    again = build(src, out)
    assert again.status == 0 and again.warnings == ""
    assert _kept(out, "zoo/index") == 0
    _same(out, expected)


def test_parallel_rebuilds_and_switching_it_off(tmp_path: Path) -> None:
    src, tree = _project(tmp_path)
    out = tmp_path / "out"
    build(src, out, "-E")
    expected = _outputs(out)
    _touch(tree / "zoo" / "zoo.json", tree / "zoo" / "pens.json")
    parallel = build(src, out, "-j", "2")
    assert parallel.status == 0 and parallel.warnings == ""
    _same(out, expected)

    off_src, _tree = _project(tmp_path / "off", SPLIT_CONF + "qapidoc_fragment_cache = False\n")
    off = build(off_src, tmp_path / "off" / "out", "-E")
    assert off.status == 0
    assert not (off.out / ".doctrees" / CACHE_DIR).exists()


def test_qemu_block_core_rebuild_is_a_build_from_scratch(tmp_path: Path) -> None:
    """QEMU's QMP reference split into pages: touching then editing
    block-core.json writes what a build from scratch writes."""
    qemu = need_qemu("qapi")
    tree = tmp_path / "qemu"
    shutil.copytree(qemu, tree / "qapi")
    conf = ("extensions = ['sphinx_ext']\nproject = 'QEMU'\n"
            f"qapidoc_srctree = {str(tree)!r}\nqapidoc_split = True\nroot_doc = 'qmp'\n")
    page = "QMP\n===\n\n.. qapi-doc:: qapi/qapi-schema.json\n   :namespace: QMP\n"

    def site(name: str) -> Path:
        src = tmp_path / name
        src.mkdir()
        (src / "conf.py").write_text(conf)
        (src / "qmp.rst").write_text(page)
        return src

    src, out = site("src"), tmp_path / "out"
    assert build(src, out, "-E").status == 0
    expected = _outputs(out)
    core = tree / "qapi" / "block-core.json"
    _touch(core)
    touched = build(src, out)
    assert touched.status == 0
    assert _kept(out, "qmp/block-core") > 150
    _same(out, expected)

    text = core.read_text()
    core.write_text(text.replace("# @node-name: the name of the block driver node",
                                 "# @node-name: the name of the node", 1))
    assert core.read_text() != text
    _touch(core)
    assert build(src, out).status == 0
    fresh = build(site("fresh"), tmp_path / "fresh-out", "-E")
    assert fresh.status == 0
    _same(out, _outputs(fresh.out))


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
