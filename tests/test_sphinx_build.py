"""The extension in real Sphinx builds of the test schemas: HTML, warnings, safety,
lint, per-module pages, incremental and parallel builds, themes, determinism."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.cmd.build import build_main
from sphinx.util.inventory import InventoryFile

CASES = Path(__file__).parent / "cases" / "sphinx"
HARBOR = Path(__file__).parents[1] / "schemas" / "harbor"

CONF = """\
extensions = ["sphinx_ext"]
project = "zoo"
qapidoc_srctree = {srctree!r}
qapi_namespaces = {{"ZOO"}}
"""

ZOO_PAGE = """\
Zoo reference
=============

.. qapi-doc:: zoo/zoo.json
   :namespace: ZOO
"""


@dataclass
class Build:
    status: int
    src: Path
    out: Path
    warnings: str
    output: str

    def html(self, page: str) -> str:
        return (self.out / f"{page}.html").read_text(encoding="utf-8")

    def soup(self, page: str) -> BeautifulSoup:
        return BeautifulSoup(self.html(page), "html.parser")

    def inventory(self) -> dict[str, dict[str, object]]:
        with open(self.out / "objects.inv", "rb") as stream:
            return InventoryFile.load(stream, "", posixpath_join)  # type: ignore[arg-type]

    def read_docs(self) -> set[str]:
        """Documents Sphinx re-read, from its verbose status output."""
        found = re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", self.output)
        return set(found)


def posixpath_join(a: str, b: str) -> str:
    return f"{a}/{b}" if a else b


def build(src: Path, out: Path, *args: str, quiet: bool = True) -> Build:
    warnings = src.parent / f"{out.name}-warnings.txt"
    output = io.StringIO()
    flags = ["-q"] if quiet else []
    with contextlib.redirect_stdout(output):
        status = build_main(["-b", "html", *flags, "-w", str(warnings), *args, str(src), str(out)])
    return Build(status, src, out, warnings.read_text(), output.getvalue())


def project(root: Path, files: dict[str, str], srctree: Path = CASES, conf: str = CONF) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(conf.format(srctree=str(srctree)))
    for name, text in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    return src


def build_with(tmp_path: Path, setting: str) -> tuple[Build, str]:
    """The zoo page built with *setting* added to its conf.py: the build
    and what it wrote to stderr."""
    src = project(tmp_path / "p", {"index.rst": ZOO_PAGE})
    (src / "conf.py").write_text(CONF.format(srctree=str(CASES)) + setting + "\n")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        result = build(src, tmp_path / "p" / "out", "-E")
    return result, stderr.getvalue()


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("zoo")
    src = project(root, {"index.rst": ZOO_PAGE})
    return build(src, root / "out", "-E")


def _dl(soup: BeautifulSoup, anchor: str) -> BeautifulSoup:
    target = soup.find(id=anchor)
    assert target is not None, anchor
    return target.parent


def test_zoo_builds_without_warnings(zoo: Build) -> None:
    assert zoo.status == 0
    assert zoo.warnings == ""


def test_headings_become_sections_in_reading_order(zoo: Build) -> None:
    soup = zoo.soup("index")
    titles = [h.get_text().rstrip("¶") for h in soup.find_all(["h1", "h2", "h3"])]
    assert titles[:4] == ["Zoo reference", "Zoo care", "Pens", "Animals"]


def test_signature_kind_name_and_badges(zoo: Build) -> None:
    soup = zoo.soup("index")
    sig = soup.find(id="qapi-ZOO.obj-Animal")
    assert "union" in sig.get_text() and "Animal" in sig.get_text()
    assert sig.find(class_="qapi-badge-since").get_text() == "since 1.0"
    feed = soup.find(id="qapi-ZOO.cmd-feed")
    assert feed.find(class_="qapi-badge-ifcond").get_text() == "if CONFIG_FOOD"


def test_members_have_precise_linked_types(zoo: Build) -> None:
    soup = zoo.soup("index")
    lives = soup.find(id="qapi-ZOO.obj-CatDetails.mem-lives")
    assert ": uint8" in lives.get_text()
    weight = soup.find(id="qapi-ZOO.obj-DogDetails.mem-weight")
    assert "size" in weight.get_text()
    assert weight.find(class_="qapi-badge-optional") is not None
    assert weight.find(class_="qapi-badge-since").get_text() == "since 2.0"
    species = soup.find(id="qapi-ZOO.obj-AnimalBase.mem-species")
    assert species.find("a")["href"] == "#qapi-ZOO.enum-Species"
    tags = soup.find(id="qapi-ZOO.obj-Keeper.mem-tags")
    assert "[str]" in tags.get_text()


def test_inherited_members_inline_with_their_origin(zoo: Build) -> None:
    soup = zoo.soup("index")
    name = soup.find(id="qapi-ZOO.obj-Keeper.mem-name")
    origin = name.find(class_="qapi-origin")
    assert "inherited from" in origin.get_text()
    assert origin.find("a")["href"] == "#qapi-ZOO.obj-AnimalBase"


def test_union_branches_inline_with_condition(zoo: Build) -> None:
    soup = zoo.soup("index")
    dog = soup.find(id="qapi-ZOO.obj-Animal.branch-dog")
    assert dog.find(class_="qapi-badge-ifcond").get_text() == "if CONFIG_DOGS"
    breed = soup.find(id="qapi-ZOO.obj-Animal.branch-dog.mem-breed")
    assert breed is not None
    assert "The members of" not in zoo.html("index")
    # a boxed command whose arguments are the union: its own arguments
    # inline, each branch a row linking to the branch's type, whose members
    # are documented once (the union's entry, the type's)
    adopt = soup.find(id="qapi-ZOO.cmd-adopt")
    assert adopt is not None
    adopt_dog = soup.find(id="qapi-ZOO.cmd-adopt.branch-dog")
    link = adopt_dog.find(class_="qapi-type").find("a")
    assert link["href"] == "#qapi-ZOO.obj-DogDetails"
    assert soup.find(id="qapi-ZOO.cmd-adopt.branch-dog.mem-breed") is None


def test_enum_values_features_and_conditions(zoo: Build) -> None:
    soup = zoo.soup("index")
    emu = soup.find(id="qapi-ZOO.enum-Species.val-emu")
    assert emu.find(class_="qapi-badge-ifcond").get_text() == "if CONFIG_BIRDS"
    mood = soup.find(id="qapi-ZOO.obj-Keeper.mem-mood")
    assert mood.find(class_="qapi-badge-deprecated") is not None
    assert soup.find(id="qapi-ZOO.obj-Keeper.mem-mood.feat-deprecated") is not None
    assert soup.find(id="qapi-ZOO.obj-Keeper.feat-furry") is not None


def test_doc_references_link(zoo: Build) -> None:
    feed = _dl(zoo.soup("index"), "qapi-ZOO.cmd-feed")
    hrefs = {a.get_text(): a["href"] for a in feed.find_all("a", href=True)}
    assert hrefs["query-animals"] == "#qapi-ZOO.cmd-query-animals"
    assert hrefs["animal"] == "#qapi-ZOO.cmd-feed.mem-animal"
    assert hrefs["Pen"] == "#qapi-ZOO.obj-Pen"  # Returns type


def test_returns_errors_example_and_hidden_todo(zoo: Build) -> None:
    feed = _dl(zoo.soup("index"), "qapi-ZOO.cmd-feed")
    text = feed.get_text()
    assert "Return" in text and "Errors" in text and "GenericError" in text
    example = feed.find(class_="qmp-example")
    assert example.find(class_="admonition-title").get_text() == "Example: Feeding a cat"
    assert example.find(class_="highlight-qmp") is not None
    assert "secret keeper" not in text


def test_objects_inv_and_indices(zoo: Build) -> None:
    inventory = zoo.inventory()
    definitions = {name for kind in ("command", "event", "enum", "object", "union", "alternate")
                   for name in inventory.get(f"qapi:{kind}", {})}
    assert definitions == {f"ZOO:{n}" for n in (
        "Pen", "Species", "AnimalBase", "CatDetails", "DogDetails", "Animal", "Keeper",
        "FoodOrNone", "feed", "query-animals", "adopt", "FED")}
    index = zoo.html("qapi-zoo-index")
    assert "ZOO command, since 2.0" in index  # adopt
    kinds = zoo.soup("qapi-kind-index")
    groups = [h.get_text() for h in kinds.find_all("h2")] + [
        td.get_text() for td in kinds.find_all("td") if td.find("strong")]
    assert any("Commands" in g for g in groups) and any("Unions" in g for g in groups)
    genindex = zoo.html("genindex")
    assert "feed (ZOO command)" in genindex


def _warnings_at(result: Build, path: str) -> list[str]:
    return [line for line in result.warnings.splitlines() if path in line]


def test_undocumented_member_badge_and_warning(tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: bad/undocumented.json\n"})
    result = build(src, tmp_path / "out", "-E")
    secret = result.soup("index").find(id="qapi-obj-Thing.mem-secret")
    assert secret.find(class_="qapi-badge-undocumented").get_text() == "not documented"
    assert any("undocumented.json:10" in w and "secret" in w for w in result.warnings.splitlines())


@pytest.mark.parametrize("release, warned", [
    ("7.2", False), ("9.1.50", True), ("9.2.0", True), ("", True)])
def test_undocumented_members_warn_as_the_release_checker_did(
        tmp_path: Path, release: str, warned: bool) -> None:
    """Before 9.2 QEMU's manual said "Not documented": the badge shows, the
    warning (which fails a -W build) only for a release that requires the
    description, or when the release is not known."""
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: bad/undocumented.json\n"},
                  conf=CONF + f"release = {release!r}\n")
    result = build(src, tmp_path / "out", "-E")
    secret = result.soup("index").find(id="qapi-obj-Thing.mem-secret")
    assert secret.find(class_="qapi-badge-undocumented") is not None
    assert any("secret" in w for w in result.warnings.splitlines()) is warned


def test_unsafe_doc_text_is_neutralised_with_located_warnings(tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: bad/unsafe.json\n"})
    result = build(src, tmp_path / "out", "-E")
    body = str(result.soup("index").find(class_="body"))
    assert "<script" not in body and "alert(" not in body
    assert "root:" not in body  # /etc/passwd
    assert "javascript:" not in body
    lines = _warnings_at(result, "unsafe.json")
    assert any("unsafe.json:6" in w and "'raw'" in w for w in lines)
    assert any("unsafe.json:10" in w and "'include'" in w for w in lines)
    assert any("unsafe.json:12" in w and "'literalinclude'" in w for w in lines)
    assert any("unsafe.json:14" in w and "javascript" in w for w in lines)
    assert "Harmless text first." in body
    assert not list(result.out.rglob("passwd"))  # no :download: / image copied in
    assert any("unsafe.json:27" in w and "download" in w for w in lines)


def test_broken_schema_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: bad/broken.json\n"})
    result = build(src, tmp_path / "out", "-E")
    assert "Traceback" not in result.warnings + result.output
    errors = [w for w in result.warnings.splitlines() if "ERROR" in w]
    assert any("broken.json:7" in e and "QA001" in e for e in errors)
    assert any("broken.json:6" in e for e in errors)


def test_missing_schema_file(tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: nope.json\n"})
    result = build(src, tmp_path / "out", "-E")
    assert "nope.json" in result.warnings and "ERROR" in result.warnings
    assert "Traceback" not in result.warnings


def test_dangling_references_warn_at_the_schema_line(tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: bad/dangling.json\n"})
    result = build(src, tmp_path / "out", "-E")
    lines = _warnings_at(result, "dangling.json:4")
    assert any("NoSuchDefinition" in w for w in lines)
    # @name in schema text is lint's to judge: silent without qapidoc_lint,
    # QD204 at the same line with it (the same resolver as `qapidoc lint`)
    assert not any("nosuchmember" in w for w in lines)
    page = {"index.rst": "T\n=\n\n.. qapi-doc:: bad/dangling.json\n"}
    linted = build(project(tmp_path / "lint", page, conf=CONF + 'qapidoc_lint = "recommended"\n'),
                   tmp_path / "out2", "-E")
    assert any("nosuchmember" in w and "QD204" in w
               for w in _warnings_at(linted, "dangling.json:4"))


LINT_CONF = CONF + 'qapidoc_lint = "recommended"\n'


def test_lint_findings_are_warnings_with_the_rule_code(tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": ZOO_PAGE}, conf=LINT_CONF)
    result = build(src, tmp_path / "out", "-E")
    assert re.search(r"zoo\.json:101: WARNING: QD207 .*\[qapidoc\.QD207\]", result.warnings)
    assert re.search(r"zoo\.json:138: WARNING: QD206 .*\[qapidoc\.QD206\]", result.warnings)
    strict = build(src, tmp_path / "out-W", "-E", "-W")
    assert strict.status != 0
    src2 = project(tmp_path / "suppressed", {"index.rst": ZOO_PAGE}, conf=LINT_CONF
                   + 'suppress_warnings = ["qapidoc.QD207"]\n')
    suppressed = build(src2, tmp_path / "out-s", "-E")
    assert "QD207" not in suppressed.warnings and "QD206" in suppressed.warnings


def test_rst_render_mode_gives_the_same_anchors(zoo: Build, tmp_path: Path) -> None:
    src = project(tmp_path, {"index.rst": ZOO_PAGE},
                  conf=CONF + 'qapidoc_render = "rst"\n')
    result = build(src, tmp_path / "out", "-E")
    assert result.warnings == ""

    def ids(b: Build) -> set[str]:
        return {t["id"] for t in b.soup("index").find_all(id=re.compile(r"^qapi-"))}

    assert ids(result) == ids(zoo)


SPLIT_CONF = CONF + """\
qapidoc_schemas = {{"zoo": {{"path": "zoo/zoo.json", "namespace": "ZOO", "title": "Zoo"}}}}
"""
SPLIT_INDEX = "Docs\n====\n\n.. toctree::\n\n   zoo/index\n"


def _split_project(root: Path) -> tuple[Path, Path]:
    tree = root / "tree"
    shutil.copytree(CASES / "zoo", tree / "zoo")
    src = project(root, {"index.rst": SPLIT_INDEX}, srctree=tree, conf=SPLIT_CONF)
    return src, tree


def test_per_module_pages_and_incremental_rebuild(tmp_path: Path) -> None:
    src, tree = _split_project(tmp_path)
    first = build(src, tmp_path / "out", quiet=False)
    assert first.warnings == ""
    assert {"zoo/index", "zoo/pens", "zoo/changes"} <= first.read_docs()
    assert first.soup("zoo/pens").find(id="qapi-ZOO.obj-Pen") is not None
    assert first.soup("zoo/index").find(id="qapi-ZOO.obj-Animal") is not None
    assert 'href="pens.html#qapi-ZOO.obj-Pen"' in first.html("zoo/index")  # cross-page link
    changes = first.soup("zoo/changes")
    assert changes.find(id="qapi-changes-zoo-2.0") is not None
    assert 'href="index.html#qapi-ZOO.cmd-adopt"' in first.html("zoo/changes")
    assert 'href="index.html#qapi-ZOO.enum-Species.val-dog"' in first.html("zoo/changes")

    unchanged = build(src, tmp_path / "out", quiet=False)
    assert unchanged.read_docs() == set()

    stamp = time.time() + 5
    os.utime(tree / "zoo" / "pens.json", (stamp, stamp))
    touched = build(src, tmp_path / "out", quiet=False)
    assert touched.read_docs() == {"zoo/pens", "zoo/changes"}


def test_one_page_rebuild_from_a_directory_above_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Module paths are relative to the working directory when the schema is
    below it; noted as such, Sphinx took them as relative to the source
    directory, found no such file and re-read the page on every build."""
    tree = tmp_path / "tree"
    shutil.copytree(CASES / "zoo", tree / "zoo")
    src = project(tmp_path, {"index.rst": ZOO_PAGE}, srctree=tree)
    monkeypatch.chdir(tmp_path)
    first = build(src, tmp_path / "out", quiet=False)
    assert first.read_docs() == {"index"}
    assert build(src, tmp_path / "out", quiet=False).read_docs() == set()
    stamp = time.time() + 5
    os.utime(tree / "zoo" / "pens.json", (stamp, stamp))
    assert build(src, tmp_path / "out", quiet=False).read_docs() == {"index"}


def test_parallel_build_gives_the_same_pages(tmp_path: Path) -> None:
    src, _tree = _split_project(tmp_path)
    serial = build(src, tmp_path / "serial", "-E")
    parallel = build(src, tmp_path / "parallel", "-E", "-j", "2")
    assert parallel.warnings == serial.warnings == ""
    for page in ("zoo/index", "zoo/pens", "zoo/changes", "qapi-zoo-index", "genindex"):
        assert serial.html(page) == parallel.html(page), page


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    src, _tree = _split_project(tmp_path)
    one = build(src, tmp_path / "one", "-E")
    two = build(src, tmp_path / "two", "-E")
    files = sorted(p.relative_to(one.out) for p in one.out.rglob("*")
                   if p.is_file() and p.suffix in (".html", ".inv", ".js", ".css"))
    assert files
    for name in files:
        assert (one.out / name).read_bytes() == (two.out / name).read_bytes(), name


@pytest.mark.parametrize("theme", ["alabaster", "furo", "sphinx_rtd_theme"])
def test_themes_build_cleanly(tmp_path: Path, theme: str) -> None:
    pytest.importorskip(theme)
    src = project(tmp_path, {"index.rst": ZOO_PAGE + "\n.. qapi-doc:: harbor-schema.json\n"
                                                     "   :namespace: HCP\n"},
                  conf=CONF + f"html_theme = {theme!r}\n")
    shutil.copytree(HARBOR, src / "harbor")
    (src / "conf.py").write_text((src / "conf.py").read_text().replace(
        f"qapidoc_srctree = {str(CASES)!r}", "qapidoc_srctree = None"))
    (src / "index.rst").write_text(ZOO_PAGE.replace("zoo/zoo.json", str(CASES / "zoo" / "zoo.json"))
                                   + "\n.. qapi-doc:: harbor/harbor-schema.json\n"
                                   "   :namespace: HCP\n")
    result = build(src, tmp_path / "out", "-E", "-W")
    assert result.status == 0, result.warnings
    page = result.html("index")
    assert 'class="qapi-badge-since"' in page
    assert "qapidoc.css" in page


def test_split_mode_turns_a_one_page_reference_into_module_pages(tmp_path: Path) -> None:
    """``qapidoc_split``: the page keeps the root module's text and gets a
    toctree; paths relative to the page still work one directory deeper."""
    page = ZOO_PAGE.replace("zoo/zoo.json", "../schemas/zoo/zoo.json")
    src = project(tmp_path, {"ref/zoo.rst": page,
                             "index.rst": "Docs\n====\n\n.. toctree::\n\n   ref/zoo\n"},
                  conf=CONF.replace("qapidoc_srctree = {srctree!r}", "qapidoc_srctree = None")
                  + "qapidoc_split = True\n")
    shutil.copytree(CASES / "zoo", src / "schemas" / "zoo")
    first = build(src, tmp_path / "out", quiet=False)
    assert first.status == 0 and first.warnings == ""
    generated = (src / "ref" / "zoo" / "pens.rst").read_text()
    assert ".. qapi-doc:: ../../schemas/zoo/zoo.json\n" in generated  # from ref/zoo/
    assert ":module: pens" in generated
    assert first.soup("ref/zoo/pens").find(id="qapi-ZOO.obj-Pen") is not None
    assert first.soup("ref/zoo").find(id="qapi-ZOO.obj-Pen") is None
    assert first.soup("ref/zoo").find(id="qapi-ZOO.obj-Animal") is not None
    assert 'href="zoo/pens.html"' in first.html("ref/zoo")
    assert 'href="zoo/pens.html#qapi-ZOO.obj-Pen"' in first.html("ref/zoo")
    assert build(src, tmp_path / "out", quiet=False).read_docs() == set()
    os.utime(src / "schemas" / "zoo" / "pens.json")
    assert build(src, tmp_path / "out", quiet=False).read_docs() == {"ref/zoo/pens"}
    # off again: the page documents everything and no longer links the module pages
    (src / "conf.py").write_text((src / "conf.py").read_text().replace(
        "qapidoc_split = True", "qapidoc_split = False"))
    off = build(src, tmp_path / "out", "-E")
    assert off.soup("ref/zoo").find(id="qapi-ZOO.obj-Pen") is not None


def test_split_rebuild_rewrites_the_parent_only_when_its_toctree_changes(
        tmp_path: Path) -> None:
    """A module page re-read with the same title and sections leaves its
    toctree parent as it was; a new definition rewrites it; either way the
    output is what a fresh build makes."""
    page = ZOO_PAGE.replace("zoo/zoo.json", "../schemas/zoo/zoo.json")
    # (a deeper toctree in index.rst would show pens' sections: Sphinx
    # rewrites only a page's direct parents, with or without this change)
    src = project(tmp_path, {"ref/zoo.rst": page, "index.rst":
                             "Docs\n====\n\n.. toctree::\n   :maxdepth: 1\n\n   ref/zoo\n"},
                  conf=CONF.replace("qapidoc_srctree = {srctree!r}", "qapidoc_srctree = None")
                  + "qapidoc_split = True\n")
    shutil.copytree(CASES / "zoo", src / "schemas" / "zoo")
    out = tmp_path / "out"
    assert build(src, out).status == 0
    parent, child = out / "ref" / "zoo.html", out / "ref" / "zoo" / "pens.html"

    def written() -> tuple[int, int]:
        return parent.stat().st_mtime_ns, child.stat().st_mtime_ns

    def same_as_fresh_build() -> None:
        fresh = tmp_path / f"fresh-{time.monotonic_ns()}"
        assert build(src, fresh, "-E").status == 0
        pages = sorted(p.relative_to(out) for p in out.rglob("*.html"))
        assert pages
        for name in pages:
            assert (fresh / name).read_bytes() == (out / name).read_bytes(), name

    before = written()
    time.sleep(0.01)
    os.utime(src / "schemas" / "zoo" / "pens.json")
    assert build(src, out, quiet=False).read_docs() == {"ref/zoo/pens"}
    after = written()
    assert after[0] == before[0] and after[1] > before[1]
    same_as_fresh_build()

    pens = src / "schemas" / "zoo" / "pens.json"
    pens.write_text(pens.read_text() + "\n##\n# @Gate:\n#\n# A gate.\n#\n# Since: 1.1\n##\n"
                    "{ 'struct': 'Gate', 'data': { 'width': 'uint32' } }\n")
    time.sleep(0.01)
    assert build(src, out, quiet=False).read_docs() == {"ref/zoo/pens"}
    assert written()[0] > after[0]
    assert 'href="zoo/pens.html#qapi-ZOO.obj-Gate"' in parent.read_text()
    same_as_fresh_build()


BOOM_CONF = SPLIT_CONF + """\
import os
def setup(app):
    def boom(app, pagename, *args):
        if os.environ.get("QAPIDOC_TEST_BOOM") and pagename == "genindex":
            raise RuntimeError("boom")
    app.connect("html-page-context", boom)
"""


def test_site_pages_are_kept_only_while_what_they_show_is_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The general index, the QAPI indices, objects.inv and the search
    index are not written again by a rebuild that changed nothing they
    show; any change, a missing file, ``-a`` or a build that failed before
    writing them makes them be written; every time, the site is what a
    fresh build makes."""
    tree = tmp_path / "tree"
    shutil.copytree(CASES / "zoo", tree / "zoo")
    src = project(tmp_path, {"index.rst": SPLIT_INDEX}, srctree=tree, conf=BOOM_CONF)
    out = tmp_path / "out"
    pens = tree / "zoo" / "pens.json"
    assert build(src, out).status == 0
    site = sorted([out / "genindex.html", out / "objects.inv", *out.glob("qapi-*index.html")])
    assert len(site) >= 4

    def stamps() -> list[int]:
        return [p.stat().st_mtime_ns for p in site]

    def rebuild(*args: str) -> Build:
        time.sleep(0.01)
        result = build(src, out, *args, quiet=False)
        assert result.status == 0 and result.warnings == ""
        return result

    def same_as_fresh_build() -> None:
        fresh = tmp_path / f"fresh-{time.monotonic_ns()}"
        assert build(src, fresh, "-E").status == 0
        files = sorted(p.relative_to(out) for p in out.rglob("*")
                       if p.suffix in (".html", ".inv", ".js") and ".doctrees" not in p.parts)
        assert len(files) > len(site)
        for name in files:
            assert (fresh / name).read_bytes() == (out / name).read_bytes(), name

    search = out / "searchindex.js"
    first, first_search = stamps(), search.stat().st_mtime_ns
    os.utime(pens)
    assert rebuild().read_docs() == {"zoo/pens", "zoo/changes"}
    assert stamps() == first
    assert search.stat().st_mtime_ns == first_search
    same_as_fresh_build()

    pens.write_text(pens.read_text().replace("# @size: square metres",
                                             "# @size: floor area in square metres"))
    rebuild()
    assert stamps() == first  # a member's text: no index shows it
    assert search.stat().st_mtime_ns > first_search  # but search finds its words
    assert '"floor"' in search.read_text()
    same_as_fresh_build()

    pens.write_text(pens.read_text().replace("# A pen.", "# A fenced pen."))
    rebuild()
    assert stamps() != first  # the synopsis is in the QAPI index
    assert "A fenced pen" in (out / "qapi-zoo-index.html").read_text()
    same_as_fresh_build()

    pens.write_text(pens.read_text() + "\n##\n# @Gate:\n#\n# A gate.\n#\n# @width: metres\n"
                    "#\n# Since: 1.1\n##\n{ 'struct': 'Gate', 'data': { 'width': 'uint32' } }\n")
    monkeypatch.setenv("QAPIDOC_TEST_BOOM", "1")
    time.sleep(0.01)
    assert build(src, out).status != 0  # documents written, the indices not
    monkeypatch.delenv("QAPIDOC_TEST_BOOM")
    before = stamps()
    os.utime(pens)
    after_failure = rebuild()
    assert all(a > b for a, b in zip(stamps(), before, strict=True))
    assert "ZOO:Gate" in after_failure.inventory()["qapi:object"]
    same_as_fresh_build()

    (out / "genindex.html").unlink()
    os.utime(pens)
    rebuild()
    assert (out / "genindex.html").is_file()
    same_as_fresh_build()

    for damaged in ('{"env": 1, "files": [1]}', "{not json", "[]"):
        (out / ".doctrees" / "qapidoc-site-pages.json").write_text(damaged)
        before = stamps()
        os.utime(pens)
        rebuild()
        assert all(a > b for a, b in zip(stamps(), before, strict=True)), damaged

    before = stamps()
    rebuild("-a")
    assert all(a > b for a, b in zip(stamps(), before, strict=True))


def test_theme_templates_are_compiled_once(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The second build loads the theme's templates, and the stylesheet
    templates Sphinx renders from their text, from the bytecode cache in
    the doctree directory: it compiles no template and writes the same
    pages and stylesheets."""
    import jinja2

    compiles: list[str | None] = []
    compile_template = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None,
                *args: object, **kwargs: object) -> object:
        compiles.append(name)
        return compile_template(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    src = project(tmp_path, {"index.rst": ZOO_PAGE})
    out = tmp_path / "out"
    assert build(src, out).status == 0
    assert None in compiles  # a stylesheet template, rendered from its text
    cache = out / ".doctrees" / "qapidoc-templates"
    compiled = sorted(p.name for p in cache.iterdir())
    assert len(compiled) > len({name for name in compiles if name})
    first = (out / "index.html").read_bytes()
    styles = {p.name: p.read_bytes() for p in (out / "_static").glob("*.css")}
    stamps = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    compiles.clear()
    assert build(src, out, "-E").status == 0
    assert compiles == []
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == stamps
    assert (out / "index.html").read_bytes() == first
    assert {p.name: p.read_bytes() for p in (out / "_static").glob("*.css")} == styles
    for entry in cache.iterdir():  # damaged: compiled again, same pages
        entry.write_bytes(entry.read_bytes()[:40])
    assert build(src, out, "-E").status == 0
    assert (out / "index.html").read_bytes() == first
    (src / "conf.py").write_text((src / "conf.py").read_text()
                                 + "qapidoc_template_cache = False\n")
    shutil.rmtree(cache)
    assert build(src, out, "-E").status == 0
    assert not cache.exists()
    assert (out / "index.html").read_bytes() == first


@pytest.mark.parametrize("setting, message", [
    ("qapidoc_schemas = 5", "qapidoc_schemas: expected a dict"),
    ('qapidoc_schemas = {"ref": {"file": "zoo/zoo.json"}}', "unknown key 'file'"),
    ('qapidoc_schemas = {"../../gen": "zoo/zoo.json"}',
     "must be a directory inside the source directory"),
    ('qapidoc_schemas = {"ref": {"path": "zoo/zoo.json",'
     ' "namespace": "Z\\n.. include:: /etc/passwd"}}', "'namespace' must be a name"),
    ('qapidoc_lint = "bogus"', "qapidoc_lint: expected None, 'off' or one of"),
    ("qapidoc_lint_config = 5", "qapidoc_lint_config: expected a path"),
    ("qapi_namespaces = 5", "qapi_namespaces: expected a set of names"),
])
def test_bad_conf_values_are_errors_not_tracebacks(tmp_path: Path, setting: str,
                                                   message: str) -> None:
    """Each of these failed at its first use with "Extension error" and a
    traceback, or wrote generated pages outside the source directory."""
    result, stderr = build_with(tmp_path, setting)
    assert result.status == 1
    assert message in result.warnings and "[qapidoc.config]" in result.warnings
    assert "Traceback" not in stderr and "Extension error" not in stderr
    assert not (tmp_path / "gen").exists()
    assert "Zoo reference" in result.html("index")  # built with the default instead


def test_unreadable_schema_of_qapidoc_schemas_fails_the_build(tmp_path: Path) -> None:
    """It was logged as an error and the build exited 0."""
    result, _ = build_with(tmp_path, 'qapidoc_schemas = {"ref": "no-such.json"}')
    assert result.status == 1
    assert "qapidoc_schemas['ref']: cannot read" in result.warnings
    assert "Zoo reference" in result.html("index")


def test_directives_naming_nothing_say_so(tmp_path: Path) -> None:
    """``qapi-changes`` of a schema that does not load, and a ``:module:``
    that names no module, gave an empty section and no word (exit 0)."""
    page = ZOO_PAGE.replace("   :namespace: ZOO", "   :namespace: ZOO\n   :module: zoo, nope")
    src = project(tmp_path / "p", {"index.rst": page + "\n.. qapi-changes:: no-such.json\n"})
    result = build(src, tmp_path / "p" / "out", "-E")
    assert result.status == 1
    assert "cannot list the changes of" in result.warnings
    assert "module 'nope' is not a module of" in result.warnings
    assert "module 'zoo'" not in result.warnings


@pytest.mark.parametrize("setting", ['qapidoc_schemas = {"ref": "zoo/zoo.json"}',
                                     "qapidoc_split = True"])
def test_generated_pages_that_cannot_be_written_fail_the_build_cleanly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    """A read-only source tree stopped the build with an extension error
    and a traceback (PermissionError from builder-inited)."""
    from sphinx_ext.pages import generate

    def refuse(path: Path, text: str) -> None:
        raise PermissionError(1, "Operation not permitted", str(path))

    monkeypatch.setattr(generate, "write_file", refuse)
    result, stderr = build_with(tmp_path, setting)
    assert result.status == 1
    assert "cannot write the generated pages: Operation not permitted" in result.warnings
    assert "Extension error" not in stderr


@pytest.mark.parametrize("split", [False, True])
def test_a_missing_module_is_rendered_once_it_is_back(tmp_path: Path, split: bool) -> None:
    """The page depended only on the files that loaded: after an included
    file was missing in one build and back in the next, the page was not
    read again and lacked the module (split: out of the toctree)."""
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir()
    (schema_dir / "root.json").write_text("{ 'include': 'a.json' }\n{ 'include': 'b.json' }\n")
    for name in ("a", "b"):
        (schema_dir / f"{name}.json").write_text(
            f"##\n# = Module {name}\n##\n\n##\n# @cmd-{name}:\n#\n# Since: 1.0\n##\n"
            f"{{ 'command': 'cmd-{name}' }}\n")
    module_b = (schema_dir / "b.json").read_text()
    conf = CONF + ("qapidoc_split = True\n" if split else "")
    src = project(tmp_path / "p", {"index.rst": "Ref\n===\n\n.. qapi-doc:: root.json\n"},
                  srctree=schema_dir, conf=conf)
    out = tmp_path / "p" / "out"
    assert build(src, out).status == 0
    (schema_dir / "b.json").unlink()
    assert build(src, out).status == 1
    (schema_dir / "b.json").write_text(module_b)
    again = build(src, out)
    assert again.status == 0, again.warnings
    pages = "".join(p.read_text() for p in out.rglob("*.html"))
    assert 'id="qapi-cmd-cmd-b"' in pages
    assert "isn't included in any toctree" not in again.warnings


def test_generated_pages_of_long_module_names_fit_the_file_system(tmp_path: Path) -> None:
    """Two modules named with 245 characters in two directories: the page
    of each was named 'DIR-NAME', and Sphinx died writing 'DIR-NAME.doctree'
    (File name too long)."""
    name = "m" * 245
    schema_dir = tmp_path / "schema"
    for d in ("d1", "d2"):
        (schema_dir / d).mkdir(parents=True)
        (schema_dir / d / f"{name}.json").write_text(
            f"##\n# = Module {d}\n##\n\n##\n# @c{d}:\n#\n# Since: 1.0\n##\n"
            f"{{ 'command': 'c{d}' }}\n")
    (schema_dir / "root.json").write_text(
        f"{{ 'include': 'd1/{name}.json' }}\n{{ 'include': 'd2/{name}.json' }}\n")
    src = project(tmp_path / "p", {"index.rst": "T\n=\n\n.. toctree::\n\n   ref/index\n"})
    root = str(schema_dir / "root.json")
    (src / "conf.py").write_text(f'extensions = ["sphinx_ext"]\n'
                                 f'qapidoc_schemas = {{"ref": {root!r}}}\n')
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        result = build(src, tmp_path / "p" / "out", "-E")
    assert result.status == 0, stderr.getvalue()
    pages = sorted(p.name for p in (tmp_path / "p" / "out" / "ref").glob("d*.html"))
    assert len(pages) == 2 and all(len(p) < 100 for p in pages)
    assert 'id="qapi-REF.cmd-cd2"' in result.html(f"ref/{pages[1][:-5]}")


def test_gc_thresholds_come_back_after_a_build_that_failed_to_start(tmp_path: Path) -> None:
    """The collector is tuned from config-inited; an app that fails after
    that (here another extension's builder-inited) must not make the next
    build keep the raised thresholds for the rest of the process."""
    import gc

    before = gc.get_threshold()
    broken = project(tmp_path / "broken", {"index.rst": ZOO_PAGE}, conf=CONF + (
        "def setup(app):\n"
        "    def boom(app):\n"
        "        raise RuntimeError('boom')\n"
        "    app.connect('builder-inited', boom)\n"))
    with contextlib.redirect_stderr(io.StringIO()):
        failed = build_main(["-b", "html", "-q", str(broken), str(tmp_path / "bad")])
    assert failed != 0
    src = project(tmp_path / "good", {"index.rst": ZOO_PAGE})
    assert build(src, tmp_path / "out").status == 0
    assert gc.get_threshold() == before


KEEPERS = """\
##
# =======
# Keepers
# =======
##

##
# @PenKeeper:
#
# Who looks after a pen.
#
# @pen: the pen
#
# Since: 1.0
##
{ 'struct': 'PenKeeper', 'data': { 'pen': 'Pen' } }
"""


def test_links_follow_a_definition_that_moved_to_another_page(tmp_path: Path) -> None:
    """``Pen`` moves from pens.json to zoo.json: keepers.json, whose page
    only links to it, is not re-read, yet its link must follow."""
    src, tree = _split_project(tmp_path)
    root = tree / "zoo" / "zoo.json"
    root.write_text(root.read_text().replace(
        "{ 'include': 'pens.json' }", "{ 'include': 'pens.json' }\n{ 'include': 'keepers.json' }"))
    (tree / "zoo" / "keepers.json").write_text(KEEPERS)
    first = build(src, tmp_path / "out")
    assert first.status == 0, first.warnings
    assert 'href="pens.html#qapi-ZOO.obj-Pen"' in first.html("zoo/keepers")
    pens = tree / "zoo" / "pens.json"
    text = pens.read_text()
    start = text.index("##\n# @Pen:")
    end = text.index("}\n", text.index("{ 'struct': 'Pen'")) + 2
    pens.write_text(text[:start] + text[end:])
    root.write_text(root.read_text() + "\n" + text[start:end])
    moved = build(src, tmp_path / "out", quiet=False)
    assert moved.status == 0, moved.warnings
    assert "zoo/keepers" not in moved.read_docs()
    assert 'href="index.html#qapi-ZOO.obj-Pen"' in moved.html("zoo/keepers")
    assert "pens.html#qapi-ZOO.obj-Pen" not in moved.html("zoo/keepers")

    unchanged = build(src, tmp_path / "out", quiet=False)
    assert unchanged.read_docs() == set()
    assert not re.search(r"writing output\.\.\. \[\s*\d+%\] zoo/keepers", unchanged.output)
    assert re.search(r"writing output\.\.\. \[\s*\d+%\] zoo/keepers", moved.output)


def test_a_released_tree_is_known_by_its_directory(tmp_path: Path) -> None:
    """A 7.2 tarball's schemas have no VERSION file and the project may set
    no ``release``: ``qemu-7.2.0/`` names the release, so no warning."""
    tree = tmp_path / "qemu-7.2.0"
    shutil.copytree(CASES / "bad", tree / "bad")
    src = project(tmp_path, {"index.rst": "T\n=\n\n.. qapi-doc:: bad/undocumented.json\n"},
                  srctree=tree)
    result = build(src, tmp_path / "out", "-E")
    assert result.soup("index").find(class_="qapi-badge-undocumented") is not None
    assert not any("secret" in w for w in result.warnings.splitlines())
