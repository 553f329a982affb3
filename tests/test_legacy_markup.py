"""QEMU's doc markup from before rST (releases up to 5.1) renders as its
authors meant it: lists, ``| `` examples, *strong*, _emphasis_, TeX quotes,
indentation that means nothing — and no docutils error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sphinx_ext.render.legacy import legacy_rst, uses_legacy_markup
from tests.conftest import need_releases
from tests.test_sphinx_build import build, project

LEGACY = """\
# -*- Mode: Python -*-

##
# = Remote desktop
#
# Example lines:
#
# | -> data issued by the Client
# | <- Server data response
##

##
# @set-secret:
#
# Sets the *secret* of a _remote_ display.
#
# @protocol: `vnc' to modify the VNC server secret
#            `spice' to modify the Spice server secret
#
# @format: data encoding (default 'utf8').
#          - base64: data must be base64 encoded text.  Its binary
#            decoding gets written.
#          - utf8: data's UTF-8 encoding is written
#
# @mode: how to do it:
#        1. first step, which may span
#           more than one line
#        2. second step
#
# @table: a layout the old markup kept as typed
#
#        @size             Size of the disk in bytes
#        @backing-file     Name of the backing file if one
#                          should be used
#
# Notes: the secret is not_checked_here, see @protocol.
#        Text [1]_ with |bars| and a trailing underscore_ stays text.
#
# Since: 2.12
##
{ 'command': 'set-secret',
  'data': { 'protocol': 'str', 'format': 'str', 'mode': 'str', 'table': 'str' } }
"""


def test_lists_examples_and_inline_markup_become_rst() -> None:
    lines, origin = legacy_rst([
        "data encoding (default 'utf8').",
        "- base64: *strong* text,",
        "    continued",
        "- utf8: _emphasis_ and @member",
        "",
        "| -> { 'execute': 'x' }",
        "`vnc' with a_b and [1]_ and |x|",
    ])
    assert lines == [
        "data encoding (default 'utf8').",
        "",
        "- base64: **strong** text,",
        "  continued",
        "- utf8: *emphasis* and :qapi:mem:`member`",
        "",
        ".. code-block:: text",
        "",
        "    -> { 'execute': 'x' }",
        "",
        "``vnc`` with a\\_b and [1]\\_ and \\|x\\|",
    ]
    assert origin == [0, 1, 1, 2, 3, 3, 5, 5, 5, 5, 6]


@pytest.mark.parametrize(("text", "rst"), [
    ("- not a heading", "- not a heading"),  # a list item
    (":field: looks like a field", "\\:field: looks like a field"),
    (".. raw:: html", "\\.. raw:: html"),
    ("a) looks like an enumerator", "\\a) looks like an enumerator"),
    ("ends like a literal block::", "ends like a literal block:\\:"),
    ("@ref first", ":qapi:mem:`ref` first"),
    ("x@y.org and foo@bar", "x@y.org and foo@bar"),
])
def test_prose_never_starts_an_rst_construct(text: str, rst: str) -> None:
    assert legacy_rst([text])[0][-1 if text.startswith("-") else 0] == rst


def test_markup_needs_evidence_of_the_old_form_and_none_of_rst() -> None:
    assert uses_legacy_markup(["# | -> example", "# words"])
    assert uses_legacy_markup(["# `vnc' to set it"])
    assert not uses_legacy_markup(["# plain words", "# more"])
    assert not uses_legacy_markup(["# `vnc' to set it", "# Example::"])
    assert not uses_legacy_markup(["# | -> example", "# ``literal``"])
    assert not uses_legacy_markup(["# .. qmp-example::", "# | x"])


def test_a_legacy_schema_builds_clean_and_renders_its_constructs(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "old.json").write_text(LEGACY)
    page = "Old\n===\n\n.. qapi-doc:: old.json\n"
    result = build(project(tmp_path, {"index.rst": page}, srctree=schemas),
                   tmp_path / "out")
    assert result.status == 0
    assert result.warnings == ""
    soup = result.soup("index")
    command = soup.find(id="qapi-cmd-set-secret").find_parent("dl")
    assert command.find("strong").get_text() == "secret"
    assert command.find("em").get_text() == "remote"
    codes = [c.get_text() for c in command.find_all("code")]
    assert "vnc" in codes and "spice" in codes
    format_list = command.find(id="qapi-cmd-set-secret.mem-format").find_next("ul")
    assert [" ".join(li.get_text().split()) for li in format_list.find_all("li")] == [
        "base64: data must be base64 encoded text. Its binary decoding gets written.",
        "utf8: data’s UTF-8 encoding is written",
    ]
    steps = command.find(id="qapi-cmd-set-secret.mem-mode").find_next("ol")
    assert len(steps.find_all("li")) == 2
    table = command.find(id="qapi-cmd-set-secret.mem-table").find_next("pre").get_text()
    rows = table.splitlines()
    assert rows[0].startswith("size ") and rows[1].startswith("backing-file ")
    assert rows[0].index("Size") == rows[1].index("Name") == rows[2].index("should")
    text = soup.get_text()
    assert "-> data issued by the Client" in soup.find("pre").get_text()
    assert "not_checked_here" in text and "[1]_" in text and "|bars|" in text
    assert "underscore_" in text


def test_qemu_3_0_renders_without_docutils_errors(tmp_path: Path) -> None:
    schema = need_releases("3.0.0/qapi/qapi-schema.json")
    page = "QMP\n===\n\n.. qapi-doc:: qapi-schema.json\n   :namespace: QMP\n"
    conf = ('extensions = ["sphinx_ext"]\nproject = "q"\nqapidoc_srctree = {srctree!r}\n'
            'qapidoc_warn_undocumented = False\n')
    result = build(project(tmp_path, {"index.rst": page}, srctree=schema.parent, conf=conf),
                   tmp_path / "out")
    assert result.status == 0
    assert "docutils" not in result.warnings, result.warnings
    ui = result.soup("index").find(id=re.compile(r"cmd-(QMP-)?set_password$")).find_parent("dl")
    assert "`" not in ui.get_text()


def test_markup_in_old_text_is_only_text(tmp_path: Path) -> None:
    """Schema text is untrusted in the old markup too: roles, links and
    HTML are characters, never markup."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "old.json").write_text(
        "##\n# = Old\n#\n# | -> example\n##\n\n"
        "##\n# @evil:\n#\n# `vnc' and :download:`/etc/passwd`\n"
        "# <script>alert(1)</script> `x <javascript:alert(2)>`_\n"
        "# :raw:`<b>` |sub| [1]_\n#\n# Since: 2.0\n##\n{ 'command': 'evil' }\n")
    result = build(project(tmp_path, {"index.rst": "Old\n===\n\n.. qapi-doc:: old.json\n"},
                         srctree=schemas), tmp_path / "out")
    assert result.status == 0 and result.warnings == ""
    page = result.html("index")
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "root:" not in page
    text = result.soup("index").get_text()
    for shown in (":download:`/etc/passwd`", "<script>alert(1)</script>",
                  "`x <javascript:alert(2)>`_", ":raw:`<b>`", "|sub|", "[1]_"):
        assert shown in text
