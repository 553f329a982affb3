"""QEMU's QMP and guest-agent references, as QEMU's docs write them, built with
our extension from ../shared/corpus/qemu (skipped when that is absent)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from sphinx.cmd.build import build_main
from sphinx.util.inventory import InventoryFile

import qapidoc
from tests.conftest import CORPUS, need_qemu

PAGES = Path(__file__).parent / "cases" / "sphinx" / "qemu"
SCHEMAS = {"QMP": "qapi/qapi-schema.json", "QGA": "qga/qapi-schema.json"}

#: Warnings allowed: references to pages outside this test project.
OUTSIDE = re.compile(r"unknown document: '/(interop|devel)/|undefined label: 'cpu-topology-s390x'")


def _build(root: Path, out: str, *args: str, corpus: Path = CORPUS,
           flags: tuple[str, ...] = ("-q", "-E"), output: io.StringIO | None = None
           ) -> tuple[int, str]:
    warnings = root / f"{out}.txt"
    env = dict(os.environ)
    os.environ["QAPIDOC_SRCTREE"] = str(corpus)
    try:
        with contextlib.redirect_stdout(output or io.StringIO()):
            status = build_main(["-b", "html", *flags, "-w", str(warnings), *args,
                                 str(root / "src"), str(root / out)])
    finally:
        os.environ.clear()
        os.environ.update(env)
    return status, warnings.read_text()


@pytest.fixture(scope="module")
def qemu(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    need_qemu()
    root = tmp_path_factory.mktemp("qemu")
    shutil.copytree(PAGES, root / "src")
    status, warnings = _build(root, "out")
    assert status == 0, warnings
    return root, warnings


def test_builds_without_errors(qemu: tuple[Path, str]) -> None:
    _root, warnings = qemu
    assert "ERROR" not in warnings
    assert "Traceback" not in warnings


def test_every_type_link_and_name_reference_resolves(qemu: tuple[Path, str]) -> None:
    _root, warnings = qemu
    lines = [w for w in warnings.splitlines() if "WARNING" in w]
    unresolved = [w for w in lines if not OUTSIDE.search(w)]
    # `@name` in schema text is lint's to judge (QD204), not a build warning
    assert unresolved == []


def test_objects_inv_lists_every_definition(qemu: tuple[Path, str]) -> None:
    root, _warnings = qemu
    _check_inventory(root / "out")


def _check_inventory(out: Path) -> None:
    with open(out / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda a, b: f"{a}/{b}" if a else b)
    kinds = ("command", "event", "enum", "object", "union", "alternate")
    listed = {name for kind in kinds for name in inventory.get(f"qapi:{kind}", {})}
    for namespace, path in SCHEMAS.items():
        schema = qapidoc.load_schema(str(CORPUS / path))
        expected = {f"{namespace}:{d.name}" for d in schema.definitions}
        got = {name for name in listed if name.startswith(f"{namespace}:")}
        assert got == expected, (namespace, sorted(expected ^ got)[:10])


def test_pages_link_members_and_index(qemu: tuple[Path, str]) -> None:
    root, _warnings = qemu
    page = (root / "out" / "qemu-qmp-ref.html").read_text()
    # a branch opens onto the members of a type only it uses; a shared type
    # (BlockdevOptionsFile: file, host_device, host_cdrom) is linked
    assert 'id="qapi-QMP.obj-BlockdevOptions.branch-blkdebug.mem-image"' in page
    assert 'id="qapi-QMP.obj-BlockdevOptions.branch-file"' in page
    assert 'id="qapi-QMP.obj-BlockdevOptions.branch-file.mem-filename"' not in page
    assert 'href="qapi-qmp-index.html"' in page  # `qapi-qmp-index` in the intro
    assert 'class="highlight-qmp' in page
    assert (root / "out" / "qapi-qga-index.html").exists()


def test_page_markup_is_lean(qemu: tuple[Path, str]) -> None:
    """Issue 14, page weight (QEMU's one-page QMP reference ≤ 2.7 MB): an
    item of one paragraph is that ``<p>``, and an example's brackets are
    text, not one ``<span>`` each.  (Each theme's page is weighed, and its
    sidebar's entries checked, in tests/test_reference_browser.py.)"""
    root, _warnings = qemu
    page = (root / "out" / "qemu-qmp-ref.html").read_text()
    single = page.count('<p class="qapi-item"')
    assert single > 4000
    assert page.count('<div class="qapi-item"') < single / 5
    # an item of several blocks keeps its <div>: the list of BlockdevDriver's
    # drivers, a member with a bulleted description
    assert re.search(r'<div class="qapi-item" id="[^"]*"><p>', page)
    assert '<span class="p">' not in page
    assert re.search(r'<span class="nt">"execute"</span>: <span class="s2">', page)
    assert len(page.encode()) <= 2_700_000


def _search_index(out: Path) -> dict[str, Any]:
    text = (out / "searchindex.js").read_text(encoding="utf-8")
    return dict(json.loads(text[text.index("(") + 1:text.rindex(")")]))


def _search_targets(index: dict[str, Any]) -> set[tuple[str, str]]:
    """(fullname, page#anchor) of every QAPI object in the search table,
    derived as static/qapidoc-search.js derives them."""
    table = index["qapi"]
    found = set()
    for namespace, rows in table["namespaces"].items():
        prefix = f"qapi-{namespace}." if namespace else "qapi-"
        for row in rows:
            page = index["docnames"][row[0]] + ".html"
            anchor = row[3] or f"{prefix}{table['infix'][row[1]]}-{row[2]}"
            found.add((f"{namespace}:{row[2]}", f"{page}#{anchor}"))
            for group in row[4] if len(row) > 4 else ():
                for entry in group[1:]:
                    name, member = (entry, f"{anchor}.{table['infix'][group[0]]}-{entry}") \
                        if isinstance(entry, str) else entry
                    found.add((f"{namespace}:{row[2]}.{name}", f"{page}#{member}"))
    return found


def test_search_index_is_small_and_finds_every_definition_and_member(
        qemu: tuple[Path, str]) -> None:
    """Issue 14: searchindex.js ≤ 400 KB (QEMU's own: 164 KB) with every
    definition and member still findable at the anchor objects.inv gives."""
    root, _warnings = qemu
    out = root / "out"
    assert (out / "searchindex.js").stat().st_size <= 400_000
    index = _search_index(out)
    found = _search_targets(index)
    with open(out / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda a, b: f"{a}/{b}" if a else b)
    expected = set()
    for kind, entries in inventory.items():
        if not kind.startswith("qapi:"):
            continue
        for name, item in entries.items():
            if name.partition(":")[2].count(".") <= 1:  # not a branch's copy
                expected.add((name, getattr(item, "uri", None) or item[2]))
    assert len(expected) > 5000
    assert found == expected
    # Sphinx's own tables no longer repeat them
    qapi_types = {int(n) for n, kind in index["objtypes"].items() if kind.startswith("qapi:")}
    assert not [e for es in index["objects"].values() for e in es if e[1] in qapi_types]
    assert not [e for es in index["indexentries"].values() for e in es
                if str(e[1]).startswith("qapi-")]


def test_parallel_build_gives_the_same_pages(qemu: tuple[Path, str]) -> None:
    root, warnings = qemu
    status, parallel_warnings = _build(root, "out-j2", "-j", "2")
    assert status == 0
    assert sorted(parallel_warnings.splitlines()) == sorted(warnings.splitlines())
    for page in ("qemu-qmp-ref", "qemu-ga-ref", "qapi-index", "genindex"):
        serial = (root / "out" / f"{page}.html").read_bytes()
        assert (root / "out-j2" / f"{page}.html").read_bytes() == serial, page


# --- qapidoc_split: the same pages, built as an index + one page per module ---


@pytest.fixture(scope="module")
def split(qemu: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[Path, str, Path]:
    root = tmp_path_factory.mktemp("qemu-split")
    shutil.copytree(PAGES, root / "src")
    with open(root / "src" / "conf.py", "a", encoding="utf-8") as conf:
        conf.write("qapidoc_split = True\n")
    tree = root / "tree"  # a copy: the incremental test touches a module
    shutil.copytree(CORPUS, tree)
    status, warnings = _build(root, "out", corpus=tree, flags=("-q",))
    assert status == 0, warnings
    return root, warnings, tree


def test_split_builds_without_errors_and_with_the_same_warnings(
    qemu: tuple[Path, str], split: tuple[Path, str, Path]
) -> None:
    _root, warnings, tree = split
    assert "ERROR" not in warnings and "Traceback" not in warnings
    one_page = qemu[1].replace(str(CORPUS), "CORPUS")
    assert sorted(warnings.replace(str(tree), "CORPUS").splitlines()) \
        == sorted(one_page.splitlines())


def test_split_generates_module_pages_with_a_toctree(split: tuple[Path, str, Path]) -> None:
    root, _warnings, _tree = split
    schema = qapidoc.load_schema(str(CORPUS / SCHEMAS["QMP"]))
    generated = sorted(p.stem for p in (root / "src" / "qemu-qmp-ref").glob("*.rst"))
    assert "job" in generated and "block-core" in generated
    assert len(generated) > 20
    assert len(generated) < len(schema.modules)  # not the root one
    job = (root / "src" / "qemu-qmp-ref" / "job.rst").read_text()
    assert ":module: job" in job and ":namespace: QMP" in job
    out = root / "out"
    index = (out / "qemu-qmp-ref.html").read_text()
    for stem in generated:
        assert (out / "qemu-qmp-ref" / f"{stem}.html").exists(), stem
        assert f'href="qemu-qmp-ref/{stem}.html"' in index, stem
    assert 'href="qapi-qmp-index.html"' in index  # the root module's intro stays here
    assert "qapi-QMP.obj-BlockdevOptions" not in index.split('class="toctree-wrapper')[0]
    block = (out / "qemu-qmp-ref" / "block-core.html").read_text()
    assert 'id="qapi-QMP.obj-BlockdevOptions.branch-blkdebug.mem-image"' in block
    job_html = (out / "qemu-qmp-ref" / "job.html").read_text()
    assert 'href="block-core.html#qapi-QMP.cmd-block-commit"' in job_html  # across pages
    qmp_index = (out / "qapi-qmp-index.html").read_text()
    assert 'href="qemu-qmp-ref/job.html#qapi-QMP.cmd-job-pause"' in qmp_index
    # one page no longer holds the whole reference
    assert max(p.stat().st_size for p in out.rglob("*.html")) < 2_000_000


def test_split_objects_inv_lists_every_definition(split: tuple[Path, str, Path]) -> None:
    _check_inventory(split[0] / "out")


def test_split_site_has_no_broken_links(split: tuple[Path, str, Path]) -> None:
    """Every internal link, every objects.inv entry (no index page of the
    undocumented QSD namespace, no empty Python module index) and every
    search hit lands on a page that exists and an id on it."""
    from tests.site_links import Site, broken_inventory, broken_links

    out = split[0] / "out"
    checked, broken = broken_links(out)
    assert broken == [] and checked > 10_000, (checked, broken[:20])
    entries, broken = broken_inventory(out)
    # (6,634: a command whose arguments are a union links to the union's
    # branches instead of copying them, and their members, under its name)
    assert broken == [] and entries > 6000, (entries, broken[:20])
    site = Site(out)
    targets = _search_targets(_search_index(out))
    assert [t for _name, t in targets if site.problem("search.html", t)] == []


def test_split_pages_are_titled_as_the_one_page_layout_files_them(
        split: tuple[Path, str, Path]) -> None:
    """A module whose text opens without a heading (machine-s390x, misc-arm,
    acpi-hest) is on the page of the section the one-page layout files it
    under, not a page titled by its file name; a module with two top-level
    headings (ui: "Remote desktop", later "Input") is one entry."""
    root, _warnings, _tree = split
    out = root / "out" / "qemu-qmp-ref"
    for module, page, title in (("machine-s390x", "machine", "Machines"),
                                ("misc-arm", "misc", "Miscellanea"),
                                ("misc-i386", "misc", "Miscellanea"),
                                ("acpi-hest", "acpi", "ACPI")):
        assert not (out / f"{module}.html").exists(), module
        text = (out / f"{page}.html").read_text()
        assert f"<title>{title} &#8212;" in text, page
        assert f'id="qapi-QMP.mod-{module}"' in text, module
    assert (out / "machine.html").read_text().count('id="qapi-QMP.cmd-set-cpu-topology"') == 1
    index = (root / "out" / "qemu-qmp-ref.html").read_text()
    toc = index.split('class="toctree-wrapper')[1]
    entries = re.findall(r'class="toctree-l1"><a class="reference internal" href="[^"]*">([^<]*)',
                         toc)
    assert "Input" not in entries and "Remote desktop" in entries
    assert len(entries) == len(set(entries)), entries
    assert not [e for e in entries if re.fullmatch(r"[a-z0-9-]+", e)], entries
    ui = (out / "ui.html").read_text()
    assert re.findall(r"<h1>([^<]*)", ui) == ["Remote desktop"]
    assert "<h2>Input" in ui


def test_split_parallel_build_is_byte_identical(split: tuple[Path, str, Path]) -> None:
    root, warnings, tree = split
    status, parallel_warnings = _build(root, "out-j2", "-j", "2", corpus=tree)
    assert status == 0
    assert sorted(parallel_warnings.splitlines()) == sorted(warnings.splitlines())
    files = sorted(p.relative_to(root / "out") for p in (root / "out").rglob("*")
                   if p.is_file() and p.suffix in (".html", ".inv", ".js"))
    assert len(files) > 30
    for name in files:
        assert (root / "out-j2" / name).read_bytes() == (root / "out" / name).read_bytes(), name


def test_split_touching_one_module_rereads_only_its_page(split: tuple[Path, str, Path]) -> None:
    root, _warnings, tree = split
    generated = root / "src" / "qemu-qmp-ref"
    mtimes = {p.name: p.stat().st_mtime_ns for p in generated.iterdir()}

    def reread() -> set[str]:
        output = io.StringIO()
        status, warnings = _build(root, "out", corpus=tree, flags=(), output=output)
        assert status == 0, warnings
        return set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", output.getvalue()))

    assert reread() == set()
    # now, not in the future: Sphinx re-reads a page while a dependency is newer
    stamp = time.time()
    os.utime(tree / "qapi" / "job.json", (stamp, stamp))
    assert reread() == {"qemu-qmp-ref/job"}
    assert {p.name: p.stat().st_mtime_ns for p in generated.iterdir()} == mtimes
    stamp = time.time()
    os.utime(tree / "qapi" / "qapi-schema.json", (stamp, stamp))
    assert reread() == {"qemu-qmp-ref"}
    # block and qom render a few definitions of block-core (BlockIOThrottle,
    # ThrottleLimits…): they depend on those definitions' text, not the file
    core = tree / "qapi" / "block-core.json"
    stamp = time.time()
    os.utime(core, (stamp, stamp))
    assert reread() == {"qemu-qmp-ref/block-core"}
    original = core.read_text()
    try:
        core.write_text(original.replace("# @bps: total throughput limit in bytes per second\n",
                                         "# @bps: total throughput limit (bytes per second)\n",
                                         1))
        assert reread() == {"qemu-qmp-ref/block-core", "qemu-qmp-ref/block"}
        block = (root / "out" / "qemu-qmp-ref" / "block.html").read_text()
        assert "total throughput limit (bytes per second)" in block
    finally:
        core.write_text(original)
    assert reread() == {"qemu-qmp-ref/block-core", "qemu-qmp-ref/block"}
