"""wire.walk: every wire item by WirePath, with direction, type and flags."""

from __future__ import annotations

import pytest

from qapidoc import load_schema
from qapidoc.compat.wire import Direction, WireNode, WirePath, reach, walk
from qapidoc.schema.model import Schema
from tests.conftest import need_releases

SCHEMA = """\
{ 'enum': 'Driver', 'data': [ 'file', 'null' ] }
{ 'enum': 'Aio', 'data': [ 'threads', { 'name': 'native', 'if': 'CONFIG_LINUX' } ] }
{ 'struct': 'FileOptions', 'data': { 'filename': 'str', '*aio': 'Aio' } }
{ 'union': 'Options', 'base': { 'driver': 'Driver', '*id': 'str' },
  'discriminator': 'driver', 'data': { 'file': 'FileOptions' } }
{ 'alternate': 'Ref', 'data': { 'definition': 'Options', 'reference': 'str' } }
{ 'struct': 'Node', 'data': { 'name': 'str', '*children': [ 'Node' ],
                              '*backing': 'Ref' } }
{ 'command': 'device-add', 'data': 'Options', 'boxed': true }
{ 'command': 'query-nodes', 'returns': [ 'Node' ],
  'features': [ 'unstable' ] }
{ 'event': 'GONE', 'data': { 'node': 'str',
                             '*x-why': { 'type': 'str', 'features': [ 'deprecated' ] } } }
"""


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    path = tmp_path_factory.mktemp("wire") / "schema.json"
    path.write_text(SCHEMA)
    s = load_schema(str(path))
    assert s.ok, [d.message for d in s.diagnostics]
    return s


@pytest.fixture(scope="module")
def nodes(schema: Schema) -> dict[str, WireNode]:
    return {n.path.text: n for n in walk(schema)}


def test_paths_in_order(schema: Schema) -> None:
    paths = [n.path.text for n in walk(schema)]
    assert paths[:10] == [
        "device-add",
        "device-add.driver",
        "device-add.driver=file",
        "device-add.driver=file.filename",
        "device-add.driver=file.aio",
        "device-add.driver=file.aio=threads",
        "device-add.driver=file.aio=native",
        "device-add.driver=null",
        "device-add.id",
        "query-nodes",
    ]
    assert len(paths) == len(set(paths))


def test_returns_arrays_alternatives_and_recursion(nodes: dict[str, WireNode]) -> None:
    assert nodes["query-nodes:returns"].json_type == "array of object"
    assert "query-nodes:returns[].name" in nodes
    # Node inside Node is not entered again; the array member itself exists.
    assert "query-nodes:returns[].children" in nodes
    assert "query-nodes:returns[].children[].name" not in nodes
    # An alternate: one node per alternative, members directly below.
    alt = nodes["query-nodes:returns[].backing|object"]
    assert (alt.role, alt.name, alt.definition) == ("alternative", "definition", "Ref")
    assert "query-nodes:returns[].backing|string" in nodes
    assert "query-nodes:returns[].backing.driver=file.aio=threads" in nodes
    assert nodes["query-nodes:returns[].backing"].json_type == "object|string"


def test_node_attributes(nodes: dict[str, WireNode]) -> None:
    aio = nodes["device-add.driver=file.aio"]
    assert (aio.role, aio.definition, aio.optional, aio.json_type, aio.type_name) == (
        "member", "FileOptions", True, "string", "Aio")
    assert aio.direction is Direction.INPUT
    assert (aio.location.line, aio.location.col) == (3, 57)
    native = nodes["device-add.driver=file.aio=native"]
    assert native.role == "value" and str(native.condition) == "CONFIG_LINUX"
    branch = nodes["device-add.driver=file"]
    assert (branch.role, branch.definition, branch.type_name) == (
        "branch", "Options", "FileOptions")
    assert nodes["device-add.driver=null"].type_name is None  # no branch type


def test_owner_is_the_type_holding_an_item_there(nodes: dict[str, WireNode]) -> None:
    # A base member: declared in the union's base, held by the union.
    driver = nodes["device-add.driver"]
    assert (driver.definition, driver.owner) == ("Options", "Options")
    assert nodes["device-add.driver=file.aio"].owner == "FileOptions"
    # A branch is a value of the discriminator's enum.
    branch = nodes["device-add.driver=file"]
    assert (branch.definition, branch.owner) == ("Options", "Driver")
    assert nodes["device-add.driver=file.aio=native"].owner == "Aio"
    # A command's or event's own arguments have no owner type.
    assert nodes["GONE.node"].owner is None
    assert nodes["query-nodes:returns"].owner is None


def test_unstable_and_deprecated_flags(nodes: dict[str, WireNode]) -> None:
    # Everything below an unstable command is unstable.
    assert nodes["query-nodes"].unstable
    assert nodes["query-nodes:returns[].name"].unstable
    assert nodes["query-nodes#unstable"].role == "feature"
    assert not nodes["device-add.driver"].unstable
    why = nodes["GONE.x-why"]
    assert why.unstable and why.deprecated  # x- name
    assert why.direction is Direction.OUTPUT
    assert nodes["GONE.x-why#deprecated"].role == "feature"


def test_reach_directions(schema: Schema) -> None:
    r = reach(schema)
    assert r["Options"] is Direction.BOTH  # arguments, and via Ref in returns
    assert r["FileOptions"] is Direction.BOTH
    assert r["Node"] is Direction.OUTPUT
    assert r["Driver"] is Direction.BOTH


def test_wire_path_builders_and_root() -> None:
    p = WirePath("blockdev-add").member("driver").value("file").member("aio")
    assert str(p) == "blockdev-add.driver=file.aio"
    assert p.root == "blockdev-add"
    r = WirePath("query-block").returns().element().member("inserted")
    assert str(r) == "query-block:returns[].inserted"
    assert r.root == "query-block"
    assert str(r.feature("deprecated")) == "query-block:returns[].inserted#deprecated"
    assert str(WirePath("x").alternative("null")) == "x|null"


def test_real_schema_walk_terminates() -> None:
    root = need_releases("10.2.0/qapi/qapi-schema.json")
    schema = load_schema(str(root))
    nodes = list(walk(schema))
    paths = {n.path.text for n in nodes}
    assert len(paths) == len(nodes) > 10000
    assert "blockdev-add.driver=file.aio" in paths
    assert "blockdev-add.driver=file.aio=io_uring" in paths
    assert "query-block:returns[].inserted.image.format" in paths


NEWER = SCHEMA.replace("FileOptions", "FileOpts").replace(
    "'*aio': 'Aio' }", "'*aio': 'Aio', '*size': 'int' }").replace(
    "'data': { 'file': 'FileOpts' } }",
    "'data': { 'file': 'FileOpts', 'null': 'NullOptions' } }\n"
    "{ 'struct': 'NullOptions', 'data': {}, 'features': [ 'blocking' ] }")


def test_lint_element_index_survives_renames(
        schema: Schema, tmp_path_factory: pytest.TempPathFactory) -> None:
    from qapidoc.lint.wire_index import new_and_old, wire_index

    path = tmp_path_factory.mktemp("wire") / "newer.json"
    path.write_text(NEWER)
    newer = load_schema(str(path))
    assert newer.ok, [d.message for d in newer.diagnostics]
    index = wire_index(schema)
    assert index.elements[("member", "Options", "driver")] == {
        "device-add.driver", "query-nodes:returns[].backing.driver"}
    assert "device-add.driver=null" in index.elements[("value", "Driver", "null")]
    assert ("branch", "Options", "null") not in index.elements  # no branch type
    assert ("feature", "query-nodes", "unstable") in index.elements
    assert ("feature", "GONE", "x-why", "deprecated") in index.elements
    fresh = {k for k, is_new in new_and_old(wire_index(newer), index) if is_new}
    # The renamed type is where the old one was: only what it adds is new.
    assert fresh == {
        ("member", "FileOpts", "size"),
        ("branch", "Options", "null"),
        ("definition", "NullOptions"),
        ("feature", "NullOptions", "blocking"),
    }
