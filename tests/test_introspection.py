"""Runtime introspection (query-qmp-schema replies) as compat input.

`tests/introspect.py` produces what QEMU would return for a schema; a
schema and its reply must compare as identical, and replies of two
releases must show the same wire changes as their schemas (less what
introspection cannot show: conditions, integer widths, preconfig and
success-response flags).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.cli import main
from qapidoc.compat.diff import diff
from qapidoc.schema.introspection import (
    IntrospectionError,
    load_schema_or_reply,
    looks_like_introspection,
    read_introspection,
)
from qapidoc.schema.model import Schema
from tests.conftest import RELEASES, need_shared
from tests.introspect import introspect

CASES = Path(__file__).parent / "cases" / "compat"
INVISIBLE = {"condition-changed", "condition-removed", "success-response-changed"}
"""Kinds introspection cannot show (and int ranges inside type-*)."""


def reply(schema: Schema, path: str = "reply.json") -> Schema:
    text = json.dumps({"return": introspect(schema)}, indent=2)
    return read_introspection(path, text)


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.json")))
def test_schema_and_its_reply_compare_identical(name: str) -> None:
    schema = load_schema(str(CASES / name))
    assert schema.ok
    r = reply(schema)
    assert r.introspected
    assert diff(schema, r) == []
    assert diff(r, schema) == []


def _changes(old: Schema, new: Schema) -> set[tuple[str, str, str]]:
    return {(c.kind, str(c.severity), p) for c in diff(old, new) for p in c.reached_by
            if c.kind not in INVISIBLE}


def test_replies_of_case_pairs_show_what_introspection_can_see() -> None:
    """The same changes as comparing the schemas while ignoring what a
    reply does not show ('gen': false, whose open arguments lower some
    severities, is not in a reply either)."""
    for old_path in sorted(CASES.glob("*.old.json")):
        if old_path.name.startswith("open-arguments"):
            continue
        new_path = old_path.with_name(old_path.name.replace(".old.", ".new."))
        old, new = load_schema(str(old_path)), load_schema(str(new_path))
        blind = _changes(replace(old, introspected=True), replace(new, introspected=True))
        assert _changes(reply(old), reply(new)) == blind, old_path.name


def test_integer_widths_and_conditions_are_invisible_in_replies() -> None:
    old = load_schema(str(CASES / "integers.old.json"))
    new = load_schema(str(CASES / "integers.new.json"))
    assert diff(reply(old), reply(new)) == []
    old = load_schema(str(CASES / "conditions.old.json"))
    new = load_schema(str(CASES / "conditions.new.json"))
    assert not {c.kind for c in diff(reply(old), reply(new))} & INVISIBLE


@pytest.mark.parametrize("version", ["10.1.0", "10.2.0"])
def test_release_and_its_reply_compare_identical(version: str) -> None:
    schema = load_schema(str(need_shared(RELEASES / version / "qapi" / "qapi-schema.json")))
    assert diff(schema, reply(schema)) == []


def test_replies_of_two_releases_give_the_schemas_changes() -> None:
    old = load_schema(str(need_shared(RELEASES / "10.1.0" / "qapi" / "qapi-schema.json")))
    new = load_schema(str(need_shared(RELEASES / "10.2.0" / "qapi" / "qapi-schema.json")))
    from_schemas = _changes(old, new)
    assert from_schemas  # the releases differ
    assert _changes(reply(old), reply(new)) == from_schemas


# -- reading replies ---------------------------------------------------------


SMALL = [
    {"name": "query-x", "meta-type": "command", "arg-type": "0", "ret-type": "1",
     "allow-oob": True},
    {"name": "X_DONE", "meta-type": "event", "arg-type": "2",
     "features": ["deprecated"]},
    {"name": "0", "meta-type": "object", "members": [
        {"name": "id", "type": "str"},
        {"name": "count", "type": "int", "default": None}]},
    {"name": "1", "meta-type": "object", "members": [
        {"name": "kind", "type": "3"}, {"name": "list", "type": "[int]"}],
     "tag": "kind", "variants": [{"case": "a", "type": "2"}, {"case": "b", "type": "0"}]},
    {"name": "2", "meta-type": "object", "members": [{"name": "v", "type": "4"}]},
    {"name": "3", "meta-type": "enum", "members": [{"name": "a"}, {"name": "b"}],
     "values": ["a", "b"]},
    {"name": "4", "meta-type": "alternate", "members": [{"type": "str"}, {"type": "int"}]},
    {"name": "[int]", "meta-type": "array", "element-type": "int"},
    {"name": "str", "meta-type": "builtin", "json-type": "string"},
    {"name": "int", "meta-type": "builtin", "json-type": "int"},
]


def test_reply_as_array_or_return_object(tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(SMALL, indent=1))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"return": SMALL}))
    a, b = load_schema_or_reply(str(bare)), load_schema_or_reply(str(wrapped))
    assert a.introspected and b.introspected
    assert diff(a, b) == []
    cmd = a["query-x"]
    assert cmd.location.line == 3  # where the entity starts in the file
    members = {m.name: m.optional for m in a.by_name["0"].members}  # type: ignore[attr-defined]
    assert members == {"id": False, "count": True}
    assert a["X_DONE"].deprecated


def test_schema_text_is_not_a_reply() -> None:
    assert looks_like_introspection('  [ {"name": "x"} ]')
    assert looks_like_introspection('{ "return": [] }')
    assert not looks_like_introspection("{ 'command': 'x' }")
    assert not looks_like_introspection('{ "include": "a.json" }\n')


@pytest.mark.parametrize("text, message", [
    ("[1, 2", "not JSON"),
    ('{"return": {}}', "expected the reply of query-qmp-schema"),
    ("[3]", "SchemaInfo #1 is not an object"),
    ('[{"name": "x", "meta-type": "bogus"}]', "unknown meta-type 'bogus'"),
    ('[{"name": "c", "meta-type": "command", "arg-type": "9", "ret-type": "9"}]',
     "'c' refers to '9', which the reply does not describe"),
    ('[{"name": "o", "meta-type": "object", "members": [{"type": "str"}]},\n'
     ' {"name": "str", "meta-type": "builtin", "json-type": "string"}]',
     "every member needs a 'name'"),
    ('[{"name": "o", "meta-type": "object", "members": "x"}]',
     "'members' must be an array"),
    # An array that is its own element, or two that are each other's.
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "a", "type": "[1]"}]},\n'
     ' {"name": "[1]", "meta-type": "array", "element-type": "[1]"}]',
     "arrays of arrays do not exist"),
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "a", "type": "[1]"}]},\n'
     ' {"name": "[1]", "meta-type": "array", "element-type": "[2]"},\n'
     ' {"name": "[2]", "meta-type": "array", "element-type": "[1]"}]',
     "arrays of arrays do not exist"),
    # What the wire comparison relies on: a tag of enum type, variants that
    # are objects named once by a value of it, names unique in a type.
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "k", "type": "str"}],\n'
     '  "tag": "k", "variants": [{"case": "a", "type": "o"}]},\n'
     ' {"name": "str", "meta-type": "builtin", "json-type": "string"}]',
     "tag 'k' must be of an enum type"),
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "k", "type": "e"}],\n'
     '  "tag": "k", "variants": [{"case": "a", "type": "e"}]},\n'
     ' {"name": "e", "meta-type": "enum", "values": ["a"]}]',
     "variant 'a' must be of an object type"),
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "k", "type": "e"}],\n'
     '  "tag": "k", "variants": [{"case": "a", "type": "o"}, {"case": "a", "type": "o"}]},\n'
     ' {"name": "e", "meta-type": "enum", "values": ["a"]}]',
     "variant 'a' is listed twice"),
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "k", "type": "e"}],\n'
     '  "tag": "k", "variants": [{"case": "b", "type": "o"}]},\n'
     ' {"name": "e", "meta-type": "enum", "values": ["a"]}]',
     "variant 'b' is not a value of the tag's enum"),
    ('[{"name": "o", "meta-type": "object", "members": [{"name": "a", "type": "e"},\n'
     '  {"name": "a", "type": "o"}]}, {"name": "e", "meta-type": "enum", "values": ["a"]}]',
     "'a' is listed twice"),
])
def test_bad_replies_are_located_errors(text: str, message: str) -> None:
    with pytest.raises(IntrospectionError, match=message) as e:
        read_introspection("r.json", text)
    assert str(e.value).startswith("r.json")


def test_a_reply_that_is_not_json_is_located_where_json_fails() -> None:
    with pytest.raises(IntrospectionError) as e:
        read_introspection("r.json", '[{"name": "a",\n  "meta-type": "enum", "values": [}]')
    assert str(e.value) == "r.json:2:35: not JSON: Expecting value"


def test_cli_compares_a_reply_with_a_schema(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    schema_path = CASES / "unions.new.json"
    reply_path = tmp_path / "reply.json"
    reply_path.write_text(json.dumps(introspect(load_schema(str(schema_path)))))
    assert main(["compat", "--no-config", str(reply_path), str(schema_path)]) == 0
    assert capsys.readouterr().err == "No wire changes.\n"
    old_reply = tmp_path / "old.json"
    old_reply.write_text(json.dumps(
        {"return": introspect(load_schema(str(CASES / "unions.old.json")))}))
    assert main(["compat", "--no-config", str(old_reply), str(reply_path)]) == 1
    out = capsys.readouterr().out
    assert "`query-guest` now returns `handle` only when `guest-type` is `plain`." in out


def test_cli_bad_reply_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x", "meta-type": "nope"}]')
    code = main(["compat", "--no-config", str(bad), str(CASES / "unions.new.json")])
    err = capsys.readouterr().err
    assert code == 2 and "bad.json:1:3: 'x' has unknown meta-type 'nope'" in err
    assert "Traceback" not in err


def test_history_accepts_replies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old_reply = tmp_path / "old.json"
    old_reply.write_text(json.dumps(introspect(load_schema(str(CASES / "unions.old.json")))))
    assert main(["history", f"2.0={CASES / 'unions.new.json'}", f"1.0={old_reply}"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "2.0\tquery-guest:returns.guest-type" in out
    assert not any(line.endswith("guest-type=plain.handle") for line in out)


def test_wire_only_load_skips_docs_and_keeps_the_wire() -> None:
    """compat and history load without doc comments (faster); the wire is
    the same."""
    path = str(CASES / "unions.new.json")
    full, bare = load_schema(path), load_schema(path, docs=False)
    assert all(d.doc is None for d in bare.definitions)
    assert diff(full, bare) == [] and diff(bare, full) == []


def test_an_alternate_of_only_itself_is_said_to_accept_nothing(tmp_path: Path) -> None:
    """A hostile reply can make an alternate whose one member is itself: it
    accepts no JSON value, and the message says so instead of ending in
    "now )"."""
    entities = [
        {"name": "cmd", "meta-type": "command", "arg-type": "0", "ret-type": "1"},
        {"name": "0", "meta-type": "object", "members": [{"name": "x", "type": "2"}]},
        {"name": "2", "meta-type": "alternate", "members": [{"type": "int"}, {"type": "2"}]},
        {"name": "int", "meta-type": "builtin", "json-type": "int"},
        {"name": "1", "meta-type": "object", "members": []},
    ]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(entities))
    entities[2] = {"name": "2", "meta-type": "alternate", "members": [{"type": "2"}]}
    new = tmp_path / "new.json"
    new.write_text(json.dumps(entities))
    changes = diff(load_schema_or_reply(str(old)), load_schema_or_reply(str(new)))
    messages = [change.message for change in changes]
    assert any("now no JSON value" in m for m in messages), messages
    assert not any("now )" in m for m in messages)
