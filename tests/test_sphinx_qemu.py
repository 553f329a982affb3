"""QEMU's QMP and guest-agent references, as QEMU's docs write them, built with
our extension from ../shared/corpus/qemu (skipped when that is absent)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
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


def _build(root: Path, out: str, *args: str) -> tuple[int, str]:
    warnings = root / f"{out}.txt"
    env = dict(os.environ)
    os.environ["QAPIDOC_SRCTREE"] = str(CORPUS)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            status = build_main(["-b", "html", "-q", "-E", "-w", str(warnings), *args,
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
    unresolved = [w for w in lines if "qapidoc.member-ref" not in w and not OUTSIDE.search(w)]
    assert unresolved == []
    # `@name` naming a member of another definition: located, once per line
    member_refs = [w for w in lines if "qapidoc.member-ref" in w]
    assert all(re.match(r"\S+\.json:\d+: WARNING: @", w) for w in member_refs)
    assert len(member_refs) == len(set(member_refs))


def test_objects_inv_lists_every_definition(qemu: tuple[Path, str]) -> None:
    root, _warnings = qemu
    with open(root / "out" / "objects.inv", "rb") as stream:
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
