"""Outputs never destroy what the user wrote: ``qapidoc build -o`` and
``--project-dir`` claim only new, empty or qapidoc-made directories, never
write through a symbolic link, keep hand-written and edited project files;
generated page names never collide; the Sphinx extension's generated pages
leave people's files alone."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main

from qapidoc import load_schema
from qapidoc.cli.app import main
from qapidoc.cli.build import SiteOptions, project_files
from qapidoc.core.outputs import Manifest, OutputError, claim_directory, free_name

REPO = Path(__file__).resolve().parents[1]
MINIMAL = REPO / "schemas" / "minimal.json"

MINE = "<p>my own page</p>\n"


def build(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["build", "-q", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def test_output_with_users_file_is_refused(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(MINE)
    code, err = build(capsys, str(MINIMAL), "-o", str(site))
    assert code == 2 and "--force" in err and "not empty" in err
    assert (site / "index.html").read_text() == MINE
    assert sorted(os.listdir(site)) == ["index.html"]


def test_output_through_symlink_is_refused(capsys: pytest.CaptureFixture[str],
                                           tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html").write_text(MINE)
    (tmp_path / "link").symlink_to(mine)
    code, _err = build(capsys, str(MINIMAL), "-o", str(tmp_path / "link"))
    assert code == 2
    assert sorted(os.listdir(mine)) == ["index.html"]
    assert (mine / "index.html").read_text() == MINE


def test_new_then_own_directory_and_links_inside(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    site = tmp_path / "site"
    code, err = build(capsys, str(MINIMAL), "-o", str(site))
    assert code == 0, err
    assert (site / ".qapidoc-site").is_file() and (site / "index.html").is_file()
    assert not [n for n in os.listdir(site) if n.startswith(".qapidoc-staging")]
    # Links someone put into the site are replaced, their targets untouched.
    (tmp_path / "target.html").write_text(MINE)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "basic.css").write_text("mine")
    (site / "genindex.html").unlink()
    (site / "genindex.html").symlink_to(tmp_path / "target.html")
    shutil.rmtree(site / "_static")
    (site / "_static").symlink_to(tmp_path / "static")
    code, err = build(capsys, str(MINIMAL), "-o", str(site))
    assert code == 0, err
    assert (tmp_path / "target.html").read_text() == MINE
    assert os.listdir(tmp_path / "static") == ["basic.css"]
    assert (tmp_path / "static" / "basic.css").read_text() == "mine"
    assert not (site / "genindex.html").is_symlink() and not (site / "_static").is_symlink()


def test_force_writes_but_keeps_other_files(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine")
    code, err = build(capsys, str(MINIMAL), "-o", str(site), "--force")
    assert code == 0, err
    assert (site / "notes.txt").read_text() == "mine" and (site / "index.html").is_file()
    assert not (site / ".qapidoc-site").exists()  # forced once is not ours for good


def test_project_dir_keeps_hand_written_files(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "conf.py").write_text("project = 'mine'\n")
    code, err = build(capsys, str(MINIMAL), "-o", str(tmp_path / "s"),
                      "--project-dir", str(project))
    assert code == 2 and "--force" in err
    assert (project / "conf.py").read_text() == "project = 'mine'\n"
    code, err = build(capsys, str(MINIMAL), "-o", str(tmp_path / "s"),
                      "--project-dir", str(project), "--force")
    assert (project / "conf.py").read_text() == "project = 'mine'\n"
    assert "kept" in err and "conf.py" in err


def test_project_dir_updates_own_keeps_edited(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    project = tmp_path / "project"
    args = (str(MINIMAL), "-o", str(tmp_path / "s"), "--project-dir", str(project))
    code, err = build(capsys, *args)
    assert code == 0, err
    conf = (project / "conf.py").read_text()
    (project / "conf.py").write_text(conf + "html_title = 'Edited'\n")
    (project / "index.rst").unlink()
    code, err = build(capsys, *args, "--title", "New")
    assert code == 0, err
    assert (project / "conf.py").read_text() == conf + "html_title = 'Edited'\n"
    assert "kept" in err and "conf.py" in err
    assert ".. qapi-doc::" in (project / "index.rst").read_text()  # ours: written again


def test_manifest_replaces_only_unchanged_files(tmp_path: Path) -> None:
    assert claim_directory(tmp_path / "p", ".m", False, "x")
    m = Manifest(tmp_path / "p", ".m")
    assert m.write("a.txt", "one") and m.write("a.txt", "two")
    (tmp_path / "p" / "a.txt").write_text("edited")
    assert not m.write("a.txt", "three")
    (tmp_path / "p" / "b.txt").symlink_to(tmp_path / "elsewhere")
    assert not m.write("b.txt", "x") and not (tmp_path / "elsewhere").exists()
    m.save()
    assert Manifest(tmp_path / "p", ".m").written == m.written
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "x").write_text("")
    with pytest.raises(OutputError, match="not empty"):
        claim_directory(tmp_path / "q", ".m", False, "x")
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="not a directory"):
        claim_directory(tmp_path / "file", ".m", True, "x")


def test_free_name() -> None:
    used = {"index", "changes"}
    assert [free_name(n, used) for n in ("changes", "Changes", "a", "changes-module", "A")] \
        == ["changes-module", "Changes-module3", "a", "changes-module-module", "A-module"]


def test_module_named_like_generated_pages(tmp_path: Path) -> None:
    """Each module opens with a heading, so each gets a page of its own,
    whose name must not take a page Sphinx or qapidoc generates."""
    for name in ("changes", "index", "genindex", "search", "qapi-index"):
        (tmp_path / f"{name}.json").write_text(
            f"##\n# = Module {name}\n##\n\n"
            f"##\n# @T{name.replace('-', '')}:\n#\n# Since: 1.0\n##\n"
            f"{{ 'enum': 'T{name.replace('-', '')}', 'data': [ 'x' ] }}\n")
    (tmp_path / "root.json").write_text("".join(
        f"{{ 'include': '{n}.json' }}\n"
        for n in ("changes", "index", "genindex", "search", "qapi-index")))
    schema = load_schema(str(tmp_path / "root.json"))
    files = project_files(schema, str(tmp_path / "root.json"), SiteOptions())
    assert ".. qapi-changes::" in files["changes.rst"]
    assert "   :module: changes" in files["changes-module.rst"]
    assert {"index-module.rst", "genindex-module.rst", "search-module.rst",
            "qapi-index-module.rst"} <= set(files)


def test_extension_pages_leave_peoples_files(tmp_path: Path) -> None:
    """``qapidoc_schemas``: a module named changes.json gets its own page
    beside the changes page; a hand-written page and a link on the way are
    left alone, with a warning."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "changes.json").write_text(
        "##\n# @Colour:\n#\n# Since: 1.0\n##\n{ 'enum': 'Colour', 'data': [ 'red' ] }\n")
    (schemas / "root.json").write_text("{ 'include': 'changes.json' }\n")
    src = tmp_path / "src"
    (src / "ref").mkdir(parents=True)
    (src / "conf.py").write_text(
        "extensions = ['sphinx_ext']\n"
        f"qapidoc_schemas = {{'ref': {{'path': {str(schemas / 'root.json')!r}}}}}\n")
    (src / "index.rst").write_text("Top\n===\n\n.. toctree::\n\n   ref/index\n")
    (src / "ref" / "index.rst").write_text("Mine\n====\n")
    elsewhere = tmp_path / "elsewhere.rst"
    elsewhere.write_text("outside\n")
    (src / "ref" / "changes-module.rst").symlink_to(elsewhere)
    warnings = tmp_path / "warnings.txt"
    with contextlib.redirect_stdout(io.StringIO()):
        build_main(["-q", "-w", str(warnings), str(src), str(tmp_path / "out")])
    text = warnings.read_text()
    assert (src / "ref" / "index.rst").read_text() == "Mine\n====\n"
    assert elsewhere.read_text() == "outside\n"
    assert "not generated by qapidoc" in text and "symbolic link" in text
    assert ".. qapi-changes::" in (src / "ref" / "changes.rst").read_text()
