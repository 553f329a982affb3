"""The model as consumers see it: kinds, flattened members, docs bound to
members, locations down to the line of each description."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc import (
    AlternateType,
    Command,
    EnumType,
    Event,
    SectionKind,
    StructType,
    UnionType,
    load_schema,
)

CASE = Path(__file__).parent / "cases" / "frontend" / "ok-everything.json"


@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    s = load_schema(str(CASE))
    assert s.diagnostics == ()
    return s


def test_kinds_and_order(schema) -> None:  # type: ignore[no-untyped-def]
    names = [d.name for d in schema.definitions]
    assert names[:3] == ["Colour", "Base", "Extra"]
    assert isinstance(schema["Colour"], EnumType)
    assert isinstance(schema["Thing"], UnionType)
    assert isinstance(schema["Ref"], AlternateType)
    assert isinstance(schema["paint"], Command)
    assert isinstance(schema["PAINTED"], Event)
    assert schema["uint8"].kind.value == "built-in"
    assert "Colour" in schema and "Nope" not in schema


def test_inherited_members_flattened(schema) -> None:  # type: ignore[no-untyped-def]
    extra = schema["Extra"]
    assert isinstance(extra, StructType)
    assert [(m.name, m.defined_in) for m in extra.members] == [
        ("kind", "Base"), ("id", "Base"), ("size", "Extra")]
    assert [m.name for m in extra.own_members] == ["size"]
    assert extra.member("id").optional  # type: ignore[union-attr]
    size = extra.member("size")
    assert size is not None and str(size.condition) == "not SMALL"
    assert size.type.name == "size"


def test_union_branches(schema) -> None:  # type: ignore[no-untyped-def]
    thing = schema["Thing"]
    assert thing.discriminator == "kind"
    assert [b.name for b in thing.branches] == ["red", "green"]
    assert str(thing.branch("green").condition) == "CONFIG_GREEN"
    assert schema.resolve(thing.branch("red").type) is schema["Painted"]
    assert [f.name for f in thing.features] == ["unfinished"]


def test_conditions_render(schema) -> None:  # type: ignore[no-untyped-def]
    assert str(schema["Ref"].condition) == "A or (B and C)"
    assert set(schema["Ref"].condition.symbols()) == {"A", "B", "C"}


def test_command_details(schema) -> None:  # type: ignore[no-untyped-def]
    paint = schema["paint"]
    assert paint.deprecated and paint.allow_oob and paint.allow_preconfig
    assert str(paint.returns) == "[Painted]" and paint.returns.is_array
    how = paint.argument("how")
    assert how is not None and how.optional and str(how.type) == "[str]"
    boxed = schema["paint-boxed"]
    assert boxed.boxed and boxed.arg_type.name == "Thing"
    assert [a.name for a in boxed.arguments] == ["kind", "id"]
    assert not boxed.gen and not boxed.success_response and boxed.coroutine


def test_docs_bound_with_lines(schema) -> None:  # type: ignore[no-untyped-def]
    paint = schema["paint"]
    doc = paint.doc
    assert doc is not None and doc.symbol == "paint"
    what = paint.argument("what")
    assert what.doc is not None and what.doc.text == "the thing"
    text = CASE.read_text().splitlines()
    assert text[what.doc.location.line - 1] == "# @what: the thing"
    since = doc.section(SectionKind.SINCE)
    assert since is not None and since.text == "1.0"
    assert text[since.location.line - 1] == "# Since: 1.0"
    assert paint.since == "1.0"
    errors = doc.section(SectionKind.ERRORS)
    assert errors is not None and errors.text.startswith("- If @what is wrong")
    assert paint.features[0].doc.text == "use something else"
    green = schema["Colour"].value("green")
    assert green.doc.text == "green (since 2.0)"
    assert green.features[0].doc is not None


def test_modules_and_items(schema) -> None:  # type: ignore[no-untyped-def]
    (module,) = schema.modules
    assert module.name == "ok-everything"
    freeform = [i for i in module.items if getattr(i, "is_freeform", False)]
    assert freeform and freeform[0].sections[0].text.startswith("Heading")


def test_includes_in_order(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.json").write_text(
        "{ 'include': 'b.json' }\n{ 'struct': 'Aa', 'data': { 'b': 'Bb' } }\n")
    (tmp_path / "sub" / "b.json").write_text("{ 'struct': 'Bb', 'data': {} }\n")
    (tmp_path / "root.json").write_text(
        "{ 'include': 'sub/a.json' }\n{ 'include': 'sub/b.json' }\n")
    s = load_schema(str(tmp_path / "root.json"))
    assert s.diagnostics == ()
    assert [m.name for m in s.modules] == ["root", "a", "b"]
    assert [d.name for d in s.definitions] == ["Bb", "Aa"]
    b_file = s["Bb"].location.file
    assert [str(c).split("/")[-1] for c in b_file.include_chain()] == [
        "a.json:1:1", "root.json:1:1"]


def test_include_cycle_reports_chain(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{ 'include': 'b.json' }\n")
    (tmp_path / "b.json").write_text("{ 'include': 'a.json' }\n")
    s = load_schema(str(tmp_path / "a.json"))
    (d,) = s.diagnostics
    assert d.code == "QA003" and d.location.line == 1
    assert "a.json -> " in d.message and d.message.endswith("a.json")


def test_text_stands_in_for_file() -> None:
    s = load_schema("virtual.json", text="{ 'command': 'ping' }\n")
    assert s.diagnostics == () and s["ping"].location.path == "virtual.json"
