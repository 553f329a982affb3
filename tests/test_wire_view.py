"""The wire view's data (sphinx_ext.render.wire_view) and its place in a build.

The data is checked against `qapidoc.compat.wire.walk` itself: expanding a
command's tree (type records followed by name, recursion cut where the walk
cuts it) gives exactly the wire paths compat compares.  In real builds
(one page and one page per module) every stub names a command or event of
the data and every link lands on an element with that id, on the page it
names.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sphinx.cmd.build import build_main

from qapidoc import load_schema
from qapidoc.compat.wire import walk
from qapidoc.schema.model import Command, Event, Schema
from sphinx_ext.render.wire_view import (
    DEPRECATED,
    DISCRIMINATOR,
    OPTIONAL,
    UNSTABLE,
    data_file,
    data_script,
    wire_data,
)
from tests.conftest import need_qemu, need_releases

HARBOR = Path(__file__).parents[1] / "schemas" / "harbor" / "harbor-schema.json"

RECURSIVE = """\
{ 'enum': 'Kind', 'data': [ 'leaf', 'tree' ] }
{ 'struct': 'Leaf', 'data': { 'value': 'int' } }
{ 'struct': 'Tree', 'data': { 'name': 'str', '*children': [ 'Node' ] } }
{ 'union': 'Node', 'base': { 'kind': 'Kind', '*x-debug': 'bool' },
  'discriminator': 'kind', 'data': { 'leaf': 'Leaf', 'tree': 'Tree' } }
{ 'alternate': 'NodeRef', 'data': { 'node': 'Node', 'name': 'str' } }
{ 'command': 'put-node', 'data': { 'root': 'NodeRef',
  '*old': { 'type': 'str', 'features': [ 'deprecated', 'fancy' ] } },
  'returns': [ 'Node' ] }
{ 'event': 'NODE_GONE', 'data': { 'node': 'Node' } }
"""


def _load(path: Path) -> Schema:
    return load_schema(str(path))


def _schema_text(tmp_path: Path, text: str) -> Schema:
    path = tmp_path / "schema.json"
    path.write_text(text)
    schema = load_schema(str(path))
    assert schema.ok, [d.message for d in schema.diagnostics]
    return schema


def _field(node: list[Any], index: int) -> Any:
    return node[index] if len(node) > index else None


def expand(data: dict[str, Any], schema: Schema, name: str) -> Iterator[tuple[str, list[Any]]]:
    """Every (wire path, node) of a command's or event's tree, type records
    followed by name; a type already on the path is not entered again, as
    the walk does (the argument type counts as entered)."""
    definition = schema.get(name)
    start: tuple[str, ...] = ()
    if isinstance(definition, Command | Event) and definition.arg_type is not None:
        start = (definition.arg_type.name,)

    def nodes(kids: Any, prefix: str, stack: tuple[str, ...]) -> Iterator[tuple[str, list[Any]]]:
        if isinstance(kids, str):
            if kids in stack:
                return
            record = data["types"][kids]
            kids, stack = record.get("k", []), (*stack, kids)
        for node in kids or ():
            role, label = node[0], node[1]
            type_text = _field(node, 3) or ""
            json_text = _field(node, 4) or ""
            if role == "m":
                path = f"{prefix}.{label}"
            elif role in ("b", "v"):
                path = f"{prefix}={label}"
            elif role == "r":
                path = f"{prefix}:returns"
            else:
                key = "array" if type_text.startswith("[") else json_text or type_text
                path = f"{prefix}|{key}"
            yield path, node
            below = prefix if role == "a" else path
            if type_text.startswith("[") and role != "a":
                below += "[]"
            elif role == "a" and type_text.startswith("["):
                below = prefix + "[]"
            yield from nodes(_field(node, 6), below, stack)

    yield from nodes(data["roots"][name]["k"], name, start)


def compat_paths(schema: Schema, name: str) -> set[str]:
    return {n.path.text for n in walk(schema)
            if n.path.root == name and n.role not in ("feature", "command", "event")}


# -- the data ---------------------------------------------------------------------


def test_recursive_types_are_recorded_once_and_end(tmp_path: Path) -> None:
    schema = _schema_text(tmp_path, RECURSIVE)
    data = wire_data(schema, "T")
    assert set(data["roots"]) == {"put-node", "NODE_GONE"}
    assert data["roots"]["put-node"]["t"] == "c" and data["roots"]["NODE_GONE"]["t"] == "e"
    tree = data["types"]["Tree"]["k"]
    children = next(n for n in tree if n[1] == "children")
    assert children[0] == "m" and children[2] & OPTIONAL
    assert children[3] == "[Node]" and children[6] == "Node"  # by name, not expanded again
    # the alternative's object refers back to the union that holds it
    ref = data["types"]["NodeRef"]["k"]
    assert [(n[0], n[1], n[3]) for n in ref] == [("a", "node", "Node"), ("a", "name", "string")]
    for name in data["roots"]:
        assert {p for p, _n in expand(data, schema, name)} == compat_paths(schema, name)
    # the whole data is small and finite: each type once
    assert len(json.dumps(data)) < 4000


def test_flags_features_and_discriminator(tmp_path: Path) -> None:
    schema = _schema_text(tmp_path, RECURSIVE)
    data = wire_data(schema, "T")
    node = data["types"]["Node"]["k"]
    kind = next(n for n in node if n[1] == "kind")
    assert kind[2] == DISCRIMINATOR and kind[3] == "Kind"
    assert [(b[0], b[1], b[6]) for b in kind[6]] == [("b", "leaf", "Leaf"), ("b", "tree", "Tree")]
    debug = next(n for n in node if n[1] == "x-debug")
    assert debug[2] == OPTIONAL | UNSTABLE
    old = next(n for n in data["roots"]["put-node"]["k"] if n[1] == "old")
    assert old[2] == OPTIONAL | DEPRECATED
    assert old[7] == {"f": ["fancy"]}
    returns = data["roots"]["put-node"]["k"][-1]
    assert returns[:4] == ["r", "returns", 0, "[Node]"] and returns[6] == "Node"


def test_anchors_are_the_domains(tmp_path: Path) -> None:
    schema = _schema_text(tmp_path, RECURSIVE)
    data = wire_data(schema, "T")
    root = data["roots"]["put-node"]
    assert root["a"] == "qapi-T.cmd-put-node"
    assert root["k"][0][5] == ".mem-root"
    assert data["types"]["Node"]["a"] == "qapi-T.obj-Node"
    assert data["types"]["NodeRef"]["a"] == "qapi-T.alt-NodeRef"
    assert data["types"]["NodeRef"]["k"][0][5] == ".branch-node"
    kind = data["types"]["Node"]["k"][0]
    assert kind[5] == ".mem-kind" and kind[6][0][5] == ".branch-leaf"
    assert data["types"]["Kind"]["a"] == "qapi-T.enum-Kind"


def test_only_anchors_the_reference_has_are_linked(tmp_path: Path) -> None:
    schema = _schema_text(tmp_path, RECURSIVE)
    anchors = {"qapi-T.cmd-put-node": "ref", "qapi-T.cmd-put-node.mem-root": "ref",
               "qapi-T.obj-Tree": "types", "qapi-T.obj-Tree.mem-name": "types"}
    data = wire_data(schema, "T", anchors, {"ref": "ref.html", "types": "t/types.html"})
    assert data["pages"] == ["ref.html", "t/types.html"]
    root = data["roots"]["put-node"]
    assert root["p"] == 0 and root["k"][0][5] == ".mem-root"
    old = next(n for n in root["k"] if n[1] == "old")
    assert old[5] == 0  # not in the reference: no link
    assert data["types"]["Tree"]["p"] == 1
    assert data["types"]["Tree"]["k"][0][5] == ".mem-name"
    assert "a" not in data["types"]["Node"]  # not documented: no link


def test_data_script_is_ascii_and_escapes_schema_text(tmp_path: Path) -> None:
    data = {"v": 1, "pages": [], "roots": {"x": {"k": [["m", "a</script>\u2028\"", 0]]}},
            "types": {}}
    script = data_script("Q<x>", data)
    assert script.isascii()
    assert "<" not in script.replace("\\u003c", "")
    assert '"Q_x3c_x_x3e_"' in script  # the key through safe_id
    body = script.split("] = ", 1)[1].rstrip().rstrip(";")
    assert json.loads(body)["roots"]["x"]["k"][0][1] == "a</script>\u2028\""
    assert data_file("") == "qapidoc-wire.js"
    assert data_file("QMP") == "qapidoc-wire-QMP.js"
    assert data_file("a/../b") == "qapidoc-wire-a_x2f_.._x2f_b.js"


def test_blockdev_add_has_the_driver_discriminator_and_a_branch_per_driver() -> None:
    schema = _load(need_qemu("qapi/qapi-schema.json"))
    data = wire_data(schema, "QMP")
    root = data["roots"]["blockdev-add"]
    driver = next(n for n in root["k"] if n[1] == "driver")
    assert driver[2] & DISCRIMINATOR and driver[3] == "BlockdevDriver"
    branches = {b[1]: b for b in driver[6]}
    assert {"file", "qcow2", "raw", "nbd", "blkdebug"} <= set(branches)
    assert branches["file"][3] == "BlockdevOptionsFile"
    assert branches["file"][5] == ".branch-file"
    members = {m[1] for m in data["types"]["BlockdevOptionsFile"]["k"]}
    assert {"filename", "aio", "locking"} <= members
    # qcow2's backing is an alternate: object (BlockdevOptions again) | string | null
    paths = {p for p, _n in expand(data, schema, "blockdev-add")}
    assert "blockdev-add.driver=qcow2.backing|object" in paths
    assert "blockdev-add.driver=file.filename" in paths


def test_every_qemu_command_and_event_matches_compats_walk() -> None:
    schema = _load(need_qemu("qapi/qapi-schema.json"))
    data = wire_data(schema, "QMP")
    names = [d.name for d in schema.definitions if isinstance(d, Command | Event)]
    assert sorted(data["roots"]) == sorted(names)
    for name in names:
        assert {p for p, _n in expand(data, schema, name)} == compat_paths(schema, name), name
    # each named type is recorded once: far smaller than the expanded walk
    assert len(json.dumps(data)) < 600_000


def test_simple_union_of_an_old_release_is_type_and_data() -> None:
    schema = _load(need_releases("5.2.0/qapi/qapi-schema.json"))
    data = wire_data(schema, "QMP")
    paths = {p for p, _n in expand(data, schema, "chardev-add")}
    assert "chardev-add.backend.type" in paths
    assert "chardev-add.backend.type=file" in paths
    assert "chardev-add.backend.type=file.data" in paths
    assert "chardev-add.backend.type=file.data.out" in paths
    assert paths == compat_paths(schema, "chardev-add")
    backend = data["types"]["ChardevBackend"]["k"]
    kind = backend[0]
    assert kind[1] == "type" and kind[2] & DISCRIMINATOR
    file = next(b for b in kind[6] if b[1] == "file")
    # the implicit wrapper is inline, under the branch's own anchor
    assert file[3] == "object" and file[6][0][:4] == ["m", "data", 0, "ChardevFile"]
    assert file[6][0][5] == ".branch-file.mem-data"


# -- in a build -----------------------------------------------------------------------


CONF = """\
extensions = ["sphinx_ext"]
project = "harbor"
qapidoc_srctree = {srctree!r}
qapidoc_split = {split}
"""

PAGE = """\
Harbor
======

.. qapi-doc:: harbor-schema.json
"""


def _build(root: Path, split: bool) -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(CONF.format(srctree=str(HARBOR.parent), split=split))
    (src / "index.rst").write_text(textwrap.dedent(PAGE))
    out = root / "out"
    status = build_main(["-b", "html", "-q", "-W", str(src), str(out)])
    assert status == 0
    return out


def _data(out: Path, namespace: str = "") -> dict[str, Any]:
    text = (out / "_static" / data_file(namespace)).read_text(encoding="ascii")
    stamp, script = text.split("\n", 1)
    assert stamp.startswith("/* qapidoc wire data ") and stamp.endswith(" */")
    body = script.split("] = ", 1)[1].rstrip().rstrip(";")
    result: dict[str, Any] = json.loads(body)
    return result


def _links(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(page, anchor) of every link in the data: nodes and type records."""

    def nodes(kids: Any, record: dict[str, Any]) -> Iterator[tuple[str, str]]:
        if not isinstance(kids, list):
            return
        for node in kids:
            link = _field(node, 5)
            if isinstance(link, str):
                yield data["pages"][record["p"]], record["a"] + link
            elif isinstance(link, list):
                yield data["pages"][link[0]], link[1]
            yield from nodes(_field(node, 6), record)

    for record in [*data["roots"].values(), *data["types"].values()]:
        if "a" in record:
            yield data["pages"][record["p"]], record["a"]
        yield from nodes(record.get("k"), record)


@pytest.fixture(scope="module", params=[False, True], ids=["one-page", "split"])
def harbor(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("wire-harbor"), bool(request.param))


def test_every_link_lands_on_an_element_with_its_id(harbor: Path) -> None:
    data = _data(harbor)
    ids: dict[str, set[str]] = {}
    links = list(_links(data))
    assert len(links) > 100
    for page, anchor in links:
        if page not in ids:
            soup = BeautifulSoup((harbor / page).read_text(encoding="utf-8"), "html.parser")
            ids[page] = {str(tag["id"]) for tag in soup.find_all(id=True)}
        assert anchor in ids[page], (page, anchor)
    split = len(data["pages"]) > 1
    assert split == (harbor / "index" / "storage.html").exists()


def test_a_stub_per_command_and_event(harbor: Path) -> None:
    data = _data(harbor)
    stubs: list[str] = []
    for page in sorted(harbor.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        stubs += re.findall(r'<details data-wire="([^"]*)"><summary>', html)
        soup = BeautifulSoup(html, "html.parser")
        for stub in soup.select("details[data-wire]"):
            dl = stub.find_parent("dl")
            assert dl is not None and {"command", "event"} & set(dl["class"])
            name = str(stub["data-wire"]).partition("/")[2]
            dt = dl.find("dt")
            assert dt is not None and str(dt["id"]).endswith(f"-{name}")
    assert sorted(s.partition("/")[2] for s in stubs) == sorted(data["roots"])
    assert all(s.startswith("/") for s in stubs)  # no namespace: key ""


def test_the_data_is_rewritten_only_when_its_sources_change(tmp_path: Path) -> None:
    out = _build(tmp_path, split=False)
    target = out / "_static" / data_file("")
    first = target.stat().st_mtime_ns
    src = tmp_path / "src"
    assert build_main(["-b", "html", "-q", str(src), str(out)]) == 0
    assert target.stat().st_mtime_ns == first
    os.utime(src / "index.rst")  # re-read, same schema and anchors
    assert build_main(["-b", "html", "-q", str(src), str(out)]) == 0
    assert target.stat().st_mtime_ns == first
    target.write_text("/* stale */\n")
    assert build_main(["-b", "html", "-q", str(src), str(out)]) == 0
    assert _data(out)["roots"]
