"""The ``qapi`` Sphinx domain, built for real from hand-written rST."""

from __future__ import annotations

import html
import posixpath
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main
from sphinx.util.inventory import InventoryFile

from sphinx_ext.domain import definition_anchor, member_anchor, parse_target

CONF = """\
extensions = ["sphinx_ext.domain"]
project = "qapidoc-test"
default_role = "any"
"""

QMP = """\
QMP reference
=============

.. qapi:namespace:: QMP

.. qapi:module:: block-core

   Block devices and their options.

.. qapi:union:: BlockdevOptions
   :since: 2.9

   Options for creating a block device.

   .. qapi:member:: driver
      :type: BlockdevDriver

      Block driver name; see `BlockdevDriver.qcow2`.

   .. qapi:member:: node-name
      :type: string?
      :since: 2.0
      :ifcond: CONFIG_LINUX

      The node name, unlike :qapi:any:`driver`.

      .. qapi:feature:: deprecated

         Use something else.

   .. qapi:branch:: file
      :type: BlockdevOptionsFile

      When the driver is ``file``.

      .. qapi:member:: filename
         :type: string

         Inlined member of the branch.

   .. qapi:feature:: dynamic-auto-read-only
      :unstable:

      Read-only state may change.

.. qapi:enum:: BlockdevDriver

   Block drivers.

   .. qapi:value:: file

      Plain files.

   .. qapi:value:: qcow2
      :deprecated:

      QEMU copy-on-write.

.. qapi:object:: BlockdevOptionsFile
   :undocumented:

   :memb string filename: the file name
   :memb [int]? sizes: some sizes
   :feat dynamic: a feature

.. qapi:command:: blockdev-add
   :since: 2.9
   :unstable:

   Create a block device from :qapi:type:`BlockdevOptions`.

   :arg BlockdevOptions? options: the options
   :arg [BlockdevDriver] drivers: some drivers
   :return [BlockdevDriver]: what was added
   :error:
      - GenericError if something failed
      - DeviceNotFound if it did not exist
   :feat deprecated: do not use

   .. code-block:: qmp

      -> { "execute": "blockdev-add",
           "arguments": { "driver": "qcow2", "node-name": "n0" } }
      <- { "return": {} }
      ... more output ...

.. qapi:command:: ping

   Check the monitor.

   :return-nodesc: StrOrNull

.. qapi:alternate:: StrOrNull

   A string or nothing.

   :alt string s: the string
   :alt null n: no string

.. qapi:event:: JOB_STATUS_CHANGE
   :deprecated:

   A job changed state.

   :memb string id: the job
   :memb BlockdevDriver? status: not really

.. qapi:object:: DocumentedElsewhere
   :no-index:

   .. qapi:member:: hidden
      :type: int
"""

QGA = """\
Guest agent reference
=====================

.. qapi:namespace:: QGA

.. qapi:command:: ping
   :ifcond: CONFIG_POSIX

   Ping the guest agent, not the monitor.

.. qapi:object:: GuestInfo

   :memb string version: agent version
"""

REFS = """\
References
==========

Roles: :qapi:cmd:`blockdev-add` :qapi:event:`JOB_STATUS_CHANGE`
:qapi:enum:`BlockdevDriver` :qapi:obj:`BlockdevOptions`
:qapi:obj:`BlockdevOptionsFile` :qapi:alt:`StrOrNull`
:qapi:type:`BlockdevDriver` :qapi:mod:`block-core`
:qapi:any:`BlockdevOptions.node-name` :qapi:any:`BlockdevDriver.qcow2`
:qapi:cmd:`Create it <blockdev-add>` :qapi:type:`~QMP:block-core.BlockdevOptions`
:qapi:any:`BlockdevOptions.file.filename`.

Decorations: :qapi:type:`[BlockdevDriver]` and :qapi:type:`StrOrNull?`.

Any: `BlockdevOptions` `blockdev-add` `JOB_STATUS_CHANGE`
`BlockdevOptions.node-name.deprecated` `GuestInfo`.

Namespaced: :qapi:cmd:`QMP:ping` :qapi:cmd:`QGA:ping`.

.. qapi:namespace:: QGA

Context: `ping` :qapi:cmd:`ping` :qapi:type:`GuestInfo`.

.. qapi:namespace:: QMP

Context: :qapi:cmd:`ping`.

The :ref:`qapi-index`.
"""

INDEX = """\
Test project
============

.. toctree::

   qmp
   qga
   refs
"""


@dataclass
class Build:
    status: int
    outdir: Path
    warnings: str

    def html(self, docname: str) -> str:
        return (self.outdir / f"{docname}.html").read_text(encoding="utf-8")

    def links(self, docname: str) -> dict[str, set[str]]:
        """Link text -> hrefs of every internal reference on the page."""
        found: dict[str, set[str]] = {}
        pattern = r'<a class="reference internal" href="([^"]*)"[^>]*>(.*?)</a>'
        for href, inner in re.findall(pattern, self.html(docname), flags=re.S):
            text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
            found.setdefault(text, set()).add(href)
        return found

    def inventory(self) -> dict[str, dict[str, str]]:
        """Object type -> name -> URI, as intersphinx would read it."""
        with (self.outdir / "objects.inv").open("rb") as stream:
            data = InventoryFile.load(stream, "", posixpath.join)
        return {
            objtype: {name: _uri(item) for name, item in items.items()}
            for objtype, items in data.items()
        }


def _uri(item: object) -> str:
    """Sphinx 9 has inventory items with attributes, older ones tuples."""
    uri = getattr(item, "uri", None)
    return str(uri if uri is not None else item[2])  # type: ignore[index]


def build(root: Path, files: dict[str, str], *args: str, conf: str = CONF) -> Build:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(conf, encoding="utf-8")
    for name, text in files.items():
        (src / name).write_text(textwrap.dedent(text), encoding="utf-8")
    out = root / "out"
    warnings = root / "warnings.txt"
    status = build_main(["-b", "html", "-q", "-E", "-w", str(warnings), *args, str(src), str(out)])
    return Build(status, out, warnings.read_text(encoding="utf-8"))


PROJECT = {"index.rst": INDEX, "qmp.rst": QMP, "qga.rst": QGA, "refs.rst": REFS}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build(tmp_path_factory.mktemp("project"), PROJECT, "-W")


def test_builds_without_warnings(project: Build) -> None:
    assert project.warnings == ""
    assert project.status == 0


IN_QMP = "qmp.html#qapi-QMP."


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("blockdev-add", "cmd-blockdev-add"),
        ("JOB_STATUS_CHANGE", "event-JOB_STATUS_CHANGE"),
        ("BlockdevDriver", "enum-BlockdevDriver"),
        ("BlockdevOptions", "obj-BlockdevOptions"),
        ("BlockdevOptionsFile", "obj-BlockdevOptionsFile"),
        ("StrOrNull", "alt-StrOrNull"),
        ("block-core", "mod-block-core"),
        ("BlockdevOptions.node-name", "obj-BlockdevOptions.mem-node-name"),
        ("BlockdevDriver.qcow2", "enum-BlockdevDriver.val-qcow2"),
        ("Create it", "cmd-blockdev-add"),
        (
            "BlockdevOptions.file.filename",
            "obj-BlockdevOptions.branch-file.mem-filename",
        ),
    ],
)
def test_each_role_resolves_to_its_anchor(project: Build, text: str, anchor: str) -> None:
    assert project.links("refs")[text] == {IN_QMP + anchor}


def test_anchor_ids_follow_the_documented_scheme(project: Build) -> None:
    page = project.html("qmp")
    for anchor in (
        "qapi-QMP.mod-block-core",
        "qapi-QMP.obj-BlockdevOptions",
        "qapi-QMP.obj-BlockdevOptions.mem-driver",
        "qapi-QMP.obj-BlockdevOptions.mem-node-name.feat-deprecated",
        "qapi-QMP.obj-BlockdevOptions.branch-file",
        "qapi-QMP.obj-BlockdevOptions.feat-dynamic-auto-read-only",
        "qapi-QMP.enum-BlockdevDriver.val-file",
        "qapi-QMP.cmd-blockdev-add",
        "qapi-QMP.alt-StrOrNull",
        "qapi-QMP.event-JOB_STATUS_CHANGE",
    ):
        assert f'id="{anchor}"' in page
    assert definition_anchor("QMP", "union", "X") == definition_anchor("QMP", "object", "X")
    assert definition_anchor("", "command", "stop") == "qapi-cmd-stop"
    assert member_anchor("qapi-QMP.cmd-x", "member", "y") == "qapi-QMP.cmd-x.mem-y"


def test_no_index_definition_has_no_targets(project: Build) -> None:
    page = project.html("qmp")
    assert "DocumentedElsewhere" in page
    assert "qapi-QMP.obj-DocumentedElsewhere" not in page
    inventory = project.inventory()
    assert "QMP:DocumentedElsewhere.hidden" not in inventory.get("qapi:member", {})


def test_any_role_finds_qapi_names(project: Build) -> None:
    links = project.links("refs")
    assert links["BlockdevOptions"] == {"qmp.html#qapi-QMP.obj-BlockdevOptions"}
    assert links["GuestInfo"] == {"qga.html#qapi-QGA.obj-GuestInfo"}
    assert links["BlockdevOptions.node-name.deprecated"] == {
        "qmp.html#qapi-QMP.obj-BlockdevOptions.mem-node-name.feat-deprecated"
    }


def test_bare_member_names_resolve_inside_their_definition(project: Build) -> None:
    links = project.links("qmp")
    assert links["driver"] == {"#qapi-QMP.obj-BlockdevOptions.mem-driver"}
    assert links["BlockdevDriver.qcow2"] == {"#qapi-QMP.enum-BlockdevDriver.val-qcow2"}


def test_namespaces_explicit_and_from_context(project: Build) -> None:
    page = project.html("refs")
    assert "QMP:ping" in page
    assert project.links("refs")["QMP:ping"] == {"qmp.html#qapi-QMP.cmd-ping"}
    assert project.links("refs")["QGA:ping"] == {"qga.html#qapi-QGA.cmd-ping"}
    assert project.links("refs")["ping"] == {
        "qga.html#qapi-QGA.cmd-ping",
        "qmp.html#qapi-QMP.cmd-ping",
    }
    context = page[page.index("Context:") :]
    first, second = context.split("Context:")[1:3]
    assert "qga.html#qapi-QGA.cmd-ping" in first
    assert "qmp.html#qapi-QMP.cmd-ping" not in first
    assert "qmp.html#qapi-QMP.cmd-ping" in second


def test_tilde_shortens_the_title(project: Build) -> None:
    page = project.html("refs")
    assert "QMP:block-core.BlockdevOptions" not in page
    assert "BlockdevOptions" in project.links("refs")


def test_type_decorations_link_only_the_name(project: Build) -> None:
    page = project.html("refs")
    array = re.search(r"\[<a [^>]*href=\"qmp.html#qapi-QMP.enum-BlockdevDriver\"", page)
    assert array is not None
    optional = re.search(
        r'href="qmp.html#qapi-QMP.alt-StrOrNull".*?</a>, '
        r'<span class="qapi-badge qapi-badge-optional">optional</span>',
        page,
    )
    assert optional is not None


def test_field_lists_link_types_with_decorations(project: Build) -> None:
    """Types in field lists are monospace like member types, never italic."""
    page = project.html("qmp")
    assert re.search(
        r"<strong>options</strong> \(<code class=\"qapi-type\"><a [^>]*"
        r"#qapi-QMP.obj-BlockdevOptions\"[^>]*>BlockdevOptions</a></code>, "
        r"<span class=\"qapi-badge qapi-badge-optional\">optional</span>\)",
        page,
    )
    assert re.search(r"<strong>drivers</strong> \(<code class=\"qapi-type\">\[<a [^>]*"
                     r"#qapi-QMP.enum-BlockdevDriver\"", page)
    assert '<strong>sizes</strong> (<code class="qapi-type">[int]</code>, ' in page
    assert "<em>int</em>" not in page
    # block content of a field is not squeezed into a paragraph
    assert "<p><ul" not in page


def test_badges_carry_css_classes(project: Build) -> None:
    page = project.html("qmp")
    for kind in ("since", "deprecated", "unstable", "ifcond", "undocumented"):
        assert f'class="qapi-badge qapi-badge-{kind}"' in page
    assert (project.outdir / "_static" / "qapidoc.css").is_file()
    assert "_static/qapidoc.css" in page


def test_signature_shows_the_kind(project: Build) -> None:
    page = project.html("qmp")
    for kind in ("command", "event", "enum", "struct", "union", "alternate"):
        assert f'<span class="pre">{kind}</span>' in page


def test_qmp_code_block_is_highlighted(project: Build) -> None:
    page = project.html("qmp")
    assert 'class="highlight-qmp' in page
    assert 'class="gp gp-Client"' in page
    assert 'class="gp gp-Server"' in page


def test_inventory_lists_definitions_and_members(project: Build) -> None:
    inventory = project.inventory()
    expected = {
        "qapi:module": {"QMP:block-core": IN_QMP + "mod-block-core"},
        "qapi:command": {
            "QMP:blockdev-add": IN_QMP + "cmd-blockdev-add",
            "QGA:ping": "qga.html#qapi-QGA.cmd-ping",
        },
        "qapi:union": {"QMP:BlockdevOptions": IN_QMP + "obj-BlockdevOptions"},
        "qapi:object": {"QMP:BlockdevOptionsFile": IN_QMP + "obj-BlockdevOptionsFile"},
        "qapi:member": {"QMP:BlockdevOptions.driver": IN_QMP + "obj-BlockdevOptions.mem-driver"},
        "qapi:value": {"QMP:BlockdevDriver.qcow2": IN_QMP + "enum-BlockdevDriver.val-qcow2"},
        "qapi:branch": {"QMP:BlockdevOptions.file": IN_QMP + "obj-BlockdevOptions.branch-file"},
        "qapi:feature": {
            "QMP:BlockdevOptions.node-name.deprecated": (
                IN_QMP + "obj-BlockdevOptions.mem-node-name.feat-deprecated"
            )
        },
    }
    for objtype, entries in expected.items():
        for name, uri in entries.items():
            assert inventory[objtype][name] == uri


def test_qapi_index_groups_definitions_with_their_kind(project: Build) -> None:
    page = project.html("qapi-index")
    assert 'id="cap-B"' in page
    assert "#qapi-QMP.cmd-blockdev-add" in page
    assert "<em>(QMP command, since 2.9)</em>" in page
    assert "<em>(QGA command)</em>" in page
    assert "<em>(QMP union, since 2.9)</em>" in page
    assert "Options for creating a block device" in page
    assert "mem-driver" not in page


def test_general_index_has_entries(project: Build) -> None:
    page = project.html("genindex")
    assert "blockdev-add (QMP command)" in page
    assert "driver (BlockdevOptions member)" in page


def test_parse_target() -> None:
    ref = parse_target("~[QMP:block-core.Foo]?")
    assert (ref.namespace, ref.path, ref.is_array, ref.optional) == (
        "QMP",
        "block-core.Foo",
        True,
        True,
    )
    assert ref.title == "Foo"
    assert parse_target("Foo").target == "Foo"


def test_unresolved_reference_warns(tmp_path: Path) -> None:
    result = build(
        tmp_path,
        {
            "index.rst": """\
                Title
                =====

                .. qapi:command:: stop

                   :arg Nowhere x: broken type link

                :qapi:cmd:`no-such-command` and `NoSuchThing`.
            """
        },
    )
    assert "qapi:cmd reference target not found: no-such-command" in result.warnings
    assert "qapi:type reference target not found: Nowhere" in result.warnings
    assert "index.rst:6" in result.warnings
    assert "'any' reference target not found: NoSuchThing" in result.warnings


def test_ambiguous_reference_warns(tmp_path: Path) -> None:
    files = {"index.rst": "Title\n=====\n\n.. toctree::\n\n   qmp\n   qga\n\n:qapi:cmd:`ping`\n"}
    files |= {"qmp.rst": QMP, "qga.rst": QGA}
    result = build(tmp_path, files)
    assert "more than one QAPI target found for 'ping'" in result.warnings


def test_duplicate_definition_warns_with_location(tmp_path: Path) -> None:
    result = build(
        tmp_path,
        {
            "index.rst": """\
                Title
                =====

                .. toctree::

                   other

                .. qapi:command:: stop

                .. qapi:command:: stop

                .. qapi:object:: stop
            """,
            "other.rst": """\
                Other
                =====

                .. qapi:command:: stop
            """,
        },
    )
    assert result.status == 0
    lines = [line for line in result.warnings.splitlines() if "duplicate" in line]
    assert len(lines) == 3
    assert "index.rst:10:" in lines[0]
    assert "index.rst:12:" in lines[1]
    assert "other.rst:4:" in lines[2]


def test_misplaced_member_and_unknown_field_warn(tmp_path: Path) -> None:
    files = {
        "index.rst": """\
            Title
            =====

            .. qapi:member:: lonely

            .. qapi:event:: BOOM

               :memb int x: fine
               :see also: fine, allowed by configuration
               :param int y: not a QAPI field
        """
    }
    conf = CONF + 'qapi_allowed_fields = {"see also"}\n'
    result = build(tmp_path, files, conf=conf)
    assert "qapi:member 'lonely' must be nested in a QAPI definition" in result.warnings
    assert "unknown field 'param int y' in qapi:event" in result.warnings
    assert "see also" not in result.warnings


def many_documents() -> dict[str, str]:
    files = {
        "index.rst": "Index\n=====\n\n.. toctree::\n   :glob:\n\n   doc*\n",
    }
    for number in range(8):
        files[f"doc{number}.rst"] = f"""\
            Document {number}
            ===========

            .. qapi:namespace:: QMP

            .. qapi:module:: module{number}

            .. qapi:object:: Struct{number}

               See `Struct{(number + 1) % 8}` and :qapi:any:`Struct{number}.m`.

               .. qapi:member:: m
                  :type: [Struct{(number + 3) % 8}]?

                  member docs

            .. qapi:command:: command{number}

               :arg Struct{number} s: the argument
               :return [Struct{(number + 5) % 8}]: result
        """
    return files


def test_parallel_build_gives_the_same_html(tmp_path: Path) -> None:
    files = many_documents()
    serial = build(tmp_path / "serial", files, "-W", "-j", "1")
    parallel = build(tmp_path / "parallel", files, "-W", "-j", "2")
    assert (serial.status, serial.warnings) == (0, "")
    assert (parallel.status, parallel.warnings) == (0, "")
    pages = sorted(path.name for path in serial.outdir.glob("*.html"))
    assert pages == sorted(path.name for path in parallel.outdir.glob("*.html"))
    for page in pages:
        assert (serial.outdir / page).read_text() == (parallel.outdir / page).read_text()
    assert serial.inventory() == parallel.inventory()
    assert serial.inventory()["qapi:member"]["QMP:Struct7.m"] == (
        "doc7.html#qapi-QMP.obj-Struct7.mem-m"
    )


def test_parallel_build_still_reports_duplicates(tmp_path: Path) -> None:
    files = many_documents()
    files["doc7.rst"] += "\n.. qapi:object:: Struct0\n"
    result = build(tmp_path, files, "-j", "2")
    assert "duplicate QAPI description of struct QMP:Struct0" in result.warnings


def test_standard_and_namespace_options(tmp_path: Path) -> None:
    result = build(
        tmp_path,
        {
            "index.rst": """\
                Title
                =====

                .. qapi:namespace:: QMP

                .. qapi:command:: hidden-cmd
                   :no-typesetting:

                   Invisible text.

                   .. qapi:member:: arg
                      :type: int

                .. qapi:command:: quiet
                   :no-index-entry:
                   :namespace: QSD
                   :module: misc

                See `hidden-cmd.arg` and :qapi:cmd:`QSD:misc.quiet`.
            """
        },
        "-W",
    )
    assert (result.status, result.warnings) == (0, "")
    assert "Invisible text" not in result.html("index")
    links = result.links("index")
    assert links["hidden-cmd.arg"] == {"#qapi-QMP.cmd-hidden-cmd.mem-arg"}
    assert links["QSD:misc.quiet"] == {"#qapi-QSD.cmd-quiet"}
    assert "QSD:quiet" in result.inventory()["qapi:command"]
    genindex = result.html("genindex")
    assert "hidden-cmd (QMP command)" in genindex
    assert "quiet" not in genindex
