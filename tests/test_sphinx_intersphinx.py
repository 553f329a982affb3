"""The intersphinx recipe of the docs: another project links to a
definition and a member of a documented schema through its objects.inv."""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.cmd.build import build_main

SCHEMA = """\
##
# @ping:
#
# Check the server.
#
# @count: how many times
#
# Since: 9.0
##
{ 'command': 'ping', 'data': { '*count': 'int' } }
"""


def _build(src: Path, out: Path, conf: str, index: str) -> str:
    src.mkdir(parents=True)
    (src / "conf.py").write_text(conf)
    (src / "index.rst").write_text(index)
    warnings = src.parent / f"{src.name}-warnings.txt"
    assert build_main(["-b", "html", "-q", "-E", "-w", str(warnings),
                       str(src), str(out)]) == 0
    return warnings.read_text()


def test_links_from_another_project(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (tmp_path / "schema.json").write_text(SCHEMA)
    _build(tmp_path / "a", site,
           f"extensions = ['sphinx_ext']\nqapidoc_srctree = {str(tmp_path)!r}\n",
           "Demo\n====\n\n.. qapi-doc:: schema.json\n   :namespace: Demo\n")
    assert (site / "objects.inv").exists()
    warnings = _build(
        tmp_path / "b", tmp_path / "other",
        "extensions = ['sphinx.ext.intersphinx', 'sphinx_ext']\n"
        f"intersphinx_mapping = {{'demo': ('https://demo.example/', "
        f"{str(site / 'objects.inv')!r})}}\n",
        "Other\n=====\n\nSee :qapi:cmd:`Demo:ping`, its "
        ":qapi:any:`Demo:ping.count` and :external+demo:qapi:cmd:`~Demo:ping`.\n")
    assert "undefined" not in warnings and "not found" not in warnings, warnings
    page = (tmp_path / "other" / "index.html").read_text()
    hrefs = re.findall(r'href="(https://demo\.example/[^"]*)"', page)
    assert "https://demo.example/index.html#qapi-Demo.cmd-ping" in hrefs
    assert any(h.endswith("cmd-ping.mem-count") for h in hrefs), hrefs
    assert len(hrefs) == 3
