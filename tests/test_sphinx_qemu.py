"""QEMU's QMP and guest-agent references, as QEMU's docs write them, built with
our extension from ../shared/corpus/qemu (skipped when that is absent)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main
from sphinx.util.inventory import InventoryFile

import qapidoc

SHARED = Path(__file__).parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "qemu"
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
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} not available")
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
    assert 'id="qapi-QMP.obj-BlockdevOptions.branch-file.mem-filename"' in page
    assert 'href="qapi-qmp-index.html"' in page  # `qapi-qmp-index` in the intro
    assert 'class="highlight-qmp' in page
    assert (root / "out" / "qapi-qga-index.html").exists()


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
    assert 'id="qapi-QMP.obj-BlockdevOptions.branch-file.mem-filename"' in block
    job_html = (out / "qemu-qmp-ref" / "job.html").read_text()
    assert 'href="block-core.html#qapi-QMP.cmd-block-commit"' in job_html  # across pages
    qmp_index = (out / "qapi-qmp-index.html").read_text()
    assert 'href="qemu-qmp-ref/job.html#qapi-QMP.cmd-job-pause"' in qmp_index
    # one page no longer holds the whole reference
    assert max(p.stat().st_size for p in out.rglob("*.html")) < 2_000_000


def test_split_objects_inv_lists_every_definition(split: tuple[Path, str, Path]) -> None:
    _check_inventory(split[0] / "out")


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
