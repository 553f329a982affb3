"""``qapidoc build``: the generated project, bad input, and real site builds."""

from __future__ import annotations

import ast
import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.cli.app import main
from qapidoc.cli.build import SiteOptions, heading_of, page_names, project_files

REPO = Path(__file__).resolve().parents[1]
HARBOR = REPO / "schemas" / "harbor" / "harbor-schema.json"
MINIMAL = REPO / "schemas" / "minimal.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- the generated project, without Sphinx ------------------------------------


def test_harbor_project_has_a_page_per_module() -> None:
    schema = load_schema(str(HARBOR))
    files = project_files(schema, str(HARBOR), SiteOptions())
    pages = sorted(f for f in files if f.endswith(".rst"))
    assert pages == ["changes.rst", "common.rst", "containers.rst", "control.rst",
                     "events/monitoring.rst", "index.rst", "network.rst", "storage.rst"]
    index = files["index.rst"]
    # The schema's own heading titles the index; modules follow in include order.
    assert "The Harbor Control Protocol" not in index
    toc = index[index.index(".. toctree::"):index.index(".. rubric::") + 2].split()
    assert toc[toc.index("common"):] == ["common", "control", "storage", "network",
                                         "containers", "events/monitoring",
                                         "changes", ".."]
    # Pages name the schema relative to conf.py's qapidoc_srctree.
    assert files["storage.rst"].splitlines() == [
        ".. qapi-doc:: harbor-schema.json", "   :module: storage", "   :title:"]
    assert "   :module: monitoring" in files["events/monitoring.rst"].splitlines()


def test_conf_py_is_python_with_the_options() -> None:
    schema = load_schema(str(HARBOR))
    opts = SiteOptions(title="My <Docs>", namespace="HCP", theme="furo", lint="strict")
    files = project_files(schema, str(HARBOR), opts)
    conf: dict[str, object] = {}
    exec(compile(files["conf.py"], "conf.py", "exec"), conf)
    assert conf["extensions"] == ["sphinx_ext"]
    assert conf["html_theme"] == "furo"
    assert conf["html_title"] == "My <Docs>"
    assert conf["qapidoc_lint"] == "strict"
    assert conf["qapidoc_srctree"] == str(HARBOR.parent)
    ast.parse(files["conf.py"])
    assert all(":namespace: HCP" in text for name, text in files.items()
               if name.endswith(".rst"))
    assert "* :ref:`qapi-index`" in files["index.rst"]


def test_single_page_and_single_module_schemas() -> None:
    harbor = project_files(load_schema(str(HARBOR)), str(HARBOR), SiteOptions(split=False))
    assert sorted(f for f in harbor if f.endswith(".rst")) == ["changes.rst", "index.rst"]
    assert ":module:" not in harbor["index.rst"]
    minimal = project_files(load_schema(str(MINIMAL)), str(MINIMAL), SiteOptions())
    assert sorted(f for f in minimal if f.endswith(".rst")) == ["changes.rst", "index.rst"]


def test_title_comes_from_the_schema_heading_or_file_name(tmp_path: Path) -> None:
    schema = load_schema(str(HARBOR))
    assert heading_of(schema.modules[0].items[0]) == "The Harbor Control Protocol"  # type: ignore[arg-type]
    bare = tmp_path / "bare-schema.json"
    bare.write_text("{ 'enum': 'Color', 'data': [ 'red' ] }\n", encoding="utf-8")
    files = project_files(load_schema(str(bare)), str(bare), SiteOptions())
    assert files["index.rst"].startswith("===========\nbare-schema\n===========\n")


def test_module_names_that_clash_with_site_pages_are_renamed(tmp_path: Path) -> None:
    (tmp_path / "search.json").write_text("{ 'enum': 'A', 'data': [ 'x' ] }\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.json").write_text("{ 'enum': 'B', 'data': [ 'y' ] }\n")
    root = tmp_path / "root.json"
    root.write_text("{ 'include': 'search.json' }\n{ 'include': 'sub/index.json' }\n")
    schema = load_schema(str(root))
    names = page_names(schema, tmp_path)
    assert sorted(names.values()) == ["index", "search-module", "sub/index"]


# -- bad input: one located message, no traceback ------------------------------


def test_missing_schema_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, "build", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "nope.json:1:1: error[QA002] can't read schema file" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_schema_with_errors_exits_1_and_builds_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ 'enum': 'Color', 'data': [ 'red' ] }\n{ 'struct': 'X', 'data': 3 }\n")
    code, _out, err = run(capsys, "build", str(bad), "-o", str(tmp_path / "site"))
    assert code == 1
    assert re.search(r"bad\.json:2:\d+: error\[QA\d+\] ", err), err
    assert "nothing built" in err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("where", ["file", "under-file"])
def test_unwritable_output_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   where: str) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    out_dir = blocker if where == "file" else blocker / "site"
    code, _out, err = run(capsys, "build", str(MINIMAL), "-o", str(out_dir))
    assert code == 2
    assert err.startswith(f"qapidoc: error: {out_dir}: ")
    assert "Traceback" not in err


def test_directory_as_schema_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, "build", str(REPO / "schemas"), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "is a directory" in err


def test_missing_theme_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "furo" else real(name, *a))
    code, _out, err = run(capsys, "build", str(MINIMAL), "-o", str(tmp_path / "o"),
                         "--theme", "furo")
    assert code == 2
    assert "theme 'furo' is not installed (pip install furo)" in err


@pytest.mark.parametrize("argv", [["-j", "0"], ["-j", "many"], ["--theme", "nope"],
                                  ["--split", "--single"], [],
                                  # these go into generated rST: no second line
                                  ["--namespace", "a b"],
                                  ["--namespace", "QMP\n.. include:: /etc/passwd"],
                                  ["--title", "T\n\n.. include:: /etc/passwd"],
                                  ["--project-version", "1\n.. raw:: html"]])
def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    args = ["build", str(MINIMAL), *argv]
    if argv:
        args += ["-o", "unused"]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert "usage: qapidoc build" in capsys.readouterr().err


def test_sphinx_is_not_imported_until_build_runs() -> None:
    code = ("import sys; from qapidoc.cli.app import build_parser; build_parser(); "
            "print(any(m == 'sphinx' or m.startswith('sphinx.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "False"


# -- real builds ---------------------------------------------------------------


@pytest.fixture(scope="module")
def harbor_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Harbor site, built once through the CLI exactly as the README does."""
    site = tmp_path_factory.mktemp("harbor") / "_site"
    proc = subprocess.run([sys.executable, "-m", "qapidoc.cli", "build", str(HARBOR),
                           "-o", str(site), "-W"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith(f"open {site / 'index.html'}")
    return site


def _text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_site_has_every_page(harbor_site: Path) -> None:
    for page in ["index.html", "common.html", "control.html", "storage.html",
                 "network.html", "containers.html", "events/monitoring.html",
                 "changes.html", "qapi-index.html", "search.html", "genindex.html",
                 "searchindex.js", "objects.inv"]:
        assert (harbor_site / page).is_file(), page
    assert not (harbor_site / "_sources").exists()


def test_index_page_has_title_intro_and_contents(harbor_site: Path) -> None:
    index = (harbor_site / "index.html").read_text(encoding="utf-8")
    assert "<title>The Harbor Control Protocol" in index
    text = _text(harbor_site / "index.html")
    assert "Harbor is a daemon that runs containers on a single host." in text
    for href in ['href="common.html"', 'href="events/monitoring.html"',
                 'href="qapi-index.html"', 'href="changes.html"']:
        assert href in index, href


def test_member_types_link_to_their_definitions(harbor_site: Path) -> None:
    """Every in-site link from a module page lands on an id that exists."""
    ids: dict[str, set[str]] = {}
    pages = [p for p in harbor_site.rglob("*.html")]
    for page in pages:
        rel = page.relative_to(harbor_site).as_posix()
        ids[rel] = set(re.findall(r'\bid="([^"]+)"', page.read_text(encoding="utf-8")))
    checked = 0
    for page in pages:
        rel = page.relative_to(harbor_site)
        for href in re.findall(r'href="([^"#:]*\.html)#([^"]+)"',
                               page.read_text(encoding="utf-8")):
            target = (rel.parent / href[0]).as_posix() if href[0] else rel.as_posix()
            target = str(Path(target)).replace("\\", "/")
            target = re.sub(r"[^/]+/\.\./", "", target)
            assert href[1] in ids.get(target, set()), f"{rel}: {href}"
            checked += 1
    assert checked > 100


def test_site_has_no_broken_links(harbor_site: Path) -> None:
    """The README's site (built with -W): every internal href and src, with
    its #anchor, and every objects.inv entry resolves to a file and an id."""
    from tests.site_links import broken_inventory, broken_links

    checked, broken = broken_links(harbor_site)
    assert broken == [] and checked > 500, (checked, broken[:20])
    entries, broken = broken_inventory(harbor_site)
    assert broken == [] and entries > 100, (entries, broken[:20])


def test_single_page_build(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "build", str(MINIMAL), "-o", str(tmp_path / "s"),
                         "--single", "--title", "Lamp", "-q")
    assert code == 0, err
    assert out == ""
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert "LampColor" in index
    assert "<title>" in index and "Lamp" in index


def test_project_dir_is_kept_and_rebuildable(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    project = tmp_path / "project"
    code, _out, err = run(capsys, "build", str(MINIMAL), "-o", str(tmp_path / "s"),
                         "--project-dir", str(project), "-q")
    assert code == 0, err
    assert (project / "conf.py").is_file() and (project / "index.rst").is_file()
    from sphinx.cmd.build import build_main

    assert build_main(["-q", "-W", str(project), str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "index.html").is_file()


def test_lint_findings_are_warnings_and_fail_with_W(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    schema = tmp_path / "colors.json"
    schema.write_text("##\n# @Color:\n#\n# A color.\n#\n# @red: red.\n##\n"
                      "{ 'enum': 'Color', 'data': [ 'red' ] }\n", encoding="utf-8")
    code, out, err = run(capsys, "build", str(schema), "-o", str(tmp_path / "a"))
    assert (code, err) == (0, "")
    assert out.startswith("Built 2 pages in ")
    code, _out, err = run(capsys, "build", str(schema), "-o", str(tmp_path / "b"),
                         "--lint", "recommended")
    assert code == 0
    assert "QD101" in err and "WARNING" in err
    code, _out, err = run(capsys, "build", str(schema), "-o", str(tmp_path / "c"),
                         "--lint", "recommended", "-W")
    assert code == 1
    assert "-W" in err.splitlines()[-1]
    assert (tmp_path / "c" / "index.html").is_file()


def test_namespace_goes_into_every_anchor(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, _out, err = run(capsys, "build", str(HARBOR), "-o", str(tmp_path / "s"),
                         "--namespace", "HCP", "-W", "-q")
    assert code == 0, err
    storage = (tmp_path / "s" / "storage.html").read_text(encoding="utf-8")
    assert 'id="qapi-HCP.cmd-volume-create"' in storage
    assert 'href="common.html#qapi-HCP.obj-Label"' in storage


@pytest.mark.parametrize("theme", ["furo", "sphinx_rtd_theme"])
def test_other_themes_build_in_parallel(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path, theme: str) -> None:
    pytest.importorskip(theme)
    code, _out, err = run(capsys, "build", str(HARBOR), "-o", str(tmp_path / "s"),
                         "--theme", theme, "-j", "2", "-W", "-q")
    assert code == 0, err
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert theme.split("_")[0] in index
    assert (tmp_path / "s" / "events" / "monitoring.html").is_file()


def test_site_version_from_config_version_file_or_newest_since(tmp_path: Path) -> None:
    """The header shows the project's version: the configured release wins,
    then a VERSION file above the schema (10.1.50 is 10.2 in development),
    then the newest Since of the schema (10.0.0 is 10.0)."""
    from qapidoc.cli.build import conf_py, site_version

    schema_path = tmp_path / "qapi" / "s.json"
    schema_path.parent.mkdir()
    schema_path.write_text(
        "##\n# @A:\n#\n# Since: 9.2\n##\n{ 'enum': 'A', 'data': [ 'x' ] }\n"
        "##\n# @B:\n#\n# Since: 10.0.0\n##\n{ 'enum': 'B', 'data': [ 'y' ] }\n")
    schema = load_schema(str(schema_path))
    assert site_version(schema, str(schema_path), None) == "10.0"
    (tmp_path / "VERSION").write_text("10.1.50\n")
    assert site_version(schema, str(schema_path), None) == "10.2"
    assert site_version(schema, str(schema_path), "11.0") == "11.0"
    conf = conf_py(str(schema_path), "QMP", SiteOptions(version="10.2"))
    assert "html_title = 'QMP 10.2'" in conf and "release = '10.2'" in conf
    assert SiteOptions().theme == "furo"


def test_documentation_findings_are_one_line_and_markup_problems_located(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An old release has thousands of documentation findings: build counts
    them in one line (lint lists them) and builds; a markup problem in a
    member's description is reported at its schema line, not in the
    generated project."""
    schema = tmp_path / "old.json"
    long = "x " * 40
    schema.write_text(
        "##\n# @Thing:\n#\n# A thing.  " + long + "\n#\n"
        "# @a: starts *emphasis and never ends it\n#\n# Since: 1.0\n##\n"
        "{ 'struct': 'Thing', 'data': { 'a': 'int' } }\n")
    code, _out, err = run(capsys, "build", str(schema), "-o", str(tmp_path / "site"))
    assert code == 0, err
    assert "error[QA302]" not in err
    assert re.search(r"qapidoc build: 1 documentation finding \(QA302 1\)", err), err
    assert re.search(r"old\.json:6: WARNING: Inline emphasis start-string", err), err
    assert "qapidoc-build-" not in err
    assert (tmp_path / "site" / "index.html").is_file()


def test_site_title_from_schema_text_is_plain(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    """The title comes from schema text and themes print it unescaped
    (furo's sidebar): markup and HTML in the heading reach no page as
    markup, in either heading form."""
    from qapidoc.core.allowlist import safe_title

    assert safe_title("QEMU QMP Reference Manual") == "QEMU QMP Reference Manual"
    assert safe_title(':raw-html:`<b onclick="x">` & `y <javascript:z>`_') == "y"
    assert safe_title('A <b>"bold"</b> & \'q\'') == "A b bold /b q"
    for n, heading in enumerate((
            "# = <script>alert(1)</script> :raw-html:`<i>` & 'q'\n",
            "# <img src=x onerror=alert(1)> \"t\"\n# ==============================\n")):
        schema = tmp_path / f"s{n}.json"
        schema.write_text("##\n" + heading + "##\n\n"
                          "##\n# @Foo:\n#\n# Since: 1.0\n##\n"
                          "{ 'enum': 'Foo', 'data': [ 'a' ] }\n")
        site = tmp_path / f"site{n}"
        code, _out, err = run(capsys, "build", str(schema), "-o", str(site))
        assert code == (1 if "raw-html" in heading else 0), err  # 1: a role dropped
        for page in site.glob("*.html"):
            text = page.read_text(encoding="utf-8")
            for raw in ("<script>alert", "<i>", "<img", "onerror=alert(1)>"):
                assert raw not in text, (page.name, raw)
        index = (site / "index.html").read_text(encoding="utf-8")
        assert re.search(r'sidebar-brand-text">[A-Za-z0-9 ().=/,]+ 1\.0<', index), index[:0]


def _module(path: Path, command: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"##\n# = Page of {command}\n##\n\n##\n# @{command}:\n#\n"
                    f"# Since: 1.0\n##\n{{ 'command': '{command}' }}\n")


def test_module_file_names_that_are_markup_get_plain_pages(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """QAPI takes any file name in an include.  Names a toctree or the
    ``:module:`` option read as markup (``a <b>``, ``x, y``, a space, ``..``),
    and two modules named ``x`` (one at the top, given relatively), each get a
    page of their own with their definitions, and nothing warns."""
    names = ["a <b>.json", "x, y.json", "sub dir/a b.json", "..json", "x.json",
             "sub/x.json", "|bar|.json"]
    for n, name in enumerate(names):
        _module(tmp_path / name, f"cmd{n}")
    (tmp_path / "root schema.json").write_text(
        "##\n# = Top\n##\n" + "".join(f"{{ 'include': '{name}' }}\n" for name in names))
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "build", "root schema.json", "-o", "site", "-W", "-q")
    assert (code, err) == (0, "")
    pages = {p.relative_to(tmp_path / "site").as_posix(): p.read_text(encoding="utf-8")
             for p in (tmp_path / "site").rglob("*.html")}
    for n in range(len(names)):
        where = [page for page, text in pages.items()
                 if f'id="qapi-cmd-cmd{n}"' in text]
        assert len(where) == 1, (names[n], where)
        assert re.fullmatch(r"[A-Za-z0-9_/.-]+\.html", where[0]), where[0]


def test_namespace_gets_its_index_page(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    """``--namespace QGA``: the site has ``qapi-qga-index``, which QEMU's
    guest agent schema links from its introduction, and -W passes."""
    schema = tmp_path / "agent.json"
    schema.write_text("##\n# = Agent\n#\n# For a particular item, see the `qapi-qga-index`.\n##\n\n"
                      "##\n# @guest-ping:\n#\n# Ping the agent.\n#\n# Since: 0.15\n##\n"
                      "{ 'command': 'guest-ping' }\n")
    code, _out, err = run(capsys, "build", str(schema), "-o", str(tmp_path / "s"),
                          "--namespace", "QGA", "-W", "-q")
    assert code == 0, err
    assert (tmp_path / "s" / "qapi-qga-index.html").exists()
    assert 'href="qapi-qga-index.html"' in (tmp_path / "s" / "index.html").read_text()
