"""The renderer as a plain function: model → located plan → rST, no Sphinx build."""

from __future__ import annotations

from pathlib import Path

import pytest

import qapidoc
from sphinx_ext.pages.changes import collect_changes, version_key
from sphinx_ext.render.rst import (
    Directive,
    Field,
    Heading,
    Text,
    member_since,
    render_schema,
    to_rst,
)
from sphinx_ext.render.since import inline_since, split_since

CASES = Path(__file__).parent / "cases" / "sphinx"
ZOO = CASES / "zoo" / "zoo.json"


@pytest.fixture(scope="module")
def zoo() -> qapidoc.Schema:
    schema = qapidoc.load_schema(str(ZOO))
    assert schema.ok, schema.diagnostics
    return schema


def _definition(entries: list, name: str) -> Directive:
    for entry in entries:
        if isinstance(entry, Directive) and entry.argument == name and entry.name not in (
            "module",
            "namespace",
        ):
            return entry
    raise AssertionError(f"{name} not rendered")


def _children(block: Directive, kind: str) -> dict[str, Directive]:
    return {e.argument: e for e in block.content if isinstance(e, Directive) and e.name == kind}


def test_definitions_render_in_module_order_under_their_headings(zoo: qapidoc.Schema) -> None:
    entries = render_schema(zoo, namespace="ZOO").entries
    assert isinstance(entries[0], Directive) and entries[0].name == "namespace"
    headings = [(e.title, e.level) for e in entries if isinstance(e, Heading)]
    assert headings == [("Zoo care", 1), ("Pens", 2), ("Animals", 2)]
    order = [e.argument for e in entries if isinstance(e, Directive)]
    # the included module is documented at its include; then zoo resumes
    assert order[:6] == ["ZOO", "zoo", "pens", "Pen", "zoo", "Species"]
    resumed = [e for e in entries if isinstance(e, Directive) and e.argument == "zoo"][1]
    assert "no-index" in resumed.options


def test_union_shows_inherited_members_and_branch_members_inline(zoo: qapidoc.Schema) -> None:
    union = _definition(render_schema(zoo).entries, "Animal")
    assert union.name == "union" and union.options["since"] == "1.0"
    members = _children(union, "member")
    assert members["name"].options["inherited-from"] == "AnimalBase"
    assert "discriminator" in members["species"].options
    branches = _children(union, "branch")
    assert set(branches) == {"cat", "dog"}
    assert branches["dog"].options["ifcond"] == "CONFIG_DOGS"
    dog = _children(branches["dog"], "member")
    assert dog["weight"].options == {
        "type": "size?",
        "since": "2.0",
        "no-index-entry": None,
    }
    assert _children(branches["cat"], "member")["lives"].options["type"] == "uint8"


def test_member_text_is_located_and_references_become_roles(zoo: qapidoc.Schema) -> None:
    command = _definition(render_schema(zoo).entries, "feed")
    intro = command.content[0]
    assert isinstance(intro, Text)
    assert intro.source == str(ZOO) or intro.source.endswith("zoo.json")
    assert "`query-animals`" in intro.lines[0]
    assert ":qapi:mem:`animal`" in intro.lines[0]
    assert command.options["ifcond"] == "CONFIG_FOOD"
    fields = [e for e in command.content if isinstance(e, Field)]
    assert [f.name for f in fields] == ["return Pen", "error"]
    text = "\n".join(line for e in command.content if isinstance(e, Text) for line in e.lines)
    assert "qmp-example" in text and "secret keeper" not in text  # TODO hidden


def test_features_and_conditions(zoo: qapidoc.Schema) -> None:
    entries = render_schema(zoo).entries
    keeper = _definition(entries, "Keeper")
    mood = _children(keeper, "member")["mood"]
    assert "deprecated" in mood.options
    assert set(_children(mood, "feature")) == {"deprecated"}
    assert set(_children(keeper, "feature")) == {"furry"}
    species = _definition(entries, "Species")
    assert _children(species, "value")["emu"].options["ifcond"] == "CONFIG_BIRDS"
    assert _children(species, "value")["dog"].options["since"] == "2.0"


def test_boxed_command_shows_the_argument_type_inline(zoo: qapidoc.Schema) -> None:
    adopt = _definition(render_schema(zoo).entries, "adopt")
    assert _children(adopt, "member")["name"].options["inherited-from"] == "AnimalBase"
    assert set(_children(adopt, "branch")) == {"cat", "dog"}


def test_undocumented_member_is_a_problem() -> None:
    schema = qapidoc.load_schema(str(CASES / "bad" / "undocumented.json"))
    rendering = render_schema(schema)
    secret = _children(_definition(rendering.entries, "Thing"), "member")["secret"]
    assert "undocumented" in secret.options
    assert [(p.line, p.subtype) for p in rendering.problems] == [(10, "undocumented")]


def test_rst_lines_carry_schema_file_and_line(zoo: qapidoc.Schema) -> None:
    rst = to_rst(render_schema(zoo, namespace="ZOO").entries)
    lines = {text: info for text, info in zip(rst.data, rst.items, strict=True)}
    source, offset = lines[".. qapi:union:: Animal"]
    assert source.endswith("zoo.json")
    assert ZOO.read_text().splitlines()[offset].startswith("{ 'union': 'Animal'")
    source, offset = lines["      a cat"]
    assert ZOO.read_text().splitlines()[offset] == "# @cat: a cat"


def test_only_the_named_modules(zoo: qapidoc.Schema) -> None:
    rendering = render_schema(zoo, modules=["pens"], ensure_title=True)
    names = [e.argument for e in rendering.entries if isinstance(e, Directive)]
    assert names == ["pens", "Pen"]
    assert rendering.files == {str(CASES / "zoo" / "pens.json")} or all(
        f.endswith("pens.json") for f in rendering.files
    )


@pytest.mark.parametrize(
    ("text", "version", "rest"),
    [("a dog (since 2.0)", "2.0", "a dog"),
     ("x (Since: 4.2).", "4.2", "x."),
     ("plain", None, "plain"),
     ("Since 6.1", "6.1", ""),
     ("since: 6.2.", "6.2", ""),
     ("(since 10.2.0) new", "10.2", "new"),
     ("the action (default: report; since: 5.0)", "5.0", "the action (default: report)"),
     ("(default: false, since 3.1)", "3.1", "(default: false)"),
     ("auto (since 2.9; default: auto)", "2.9", "auto (default: auto)"),
     ("first (since 1.0)\n\nlater (since 2.0)", "1.0", "first\n\nlater (since 2.0)"),
     ("first\n\nAlso works. (since 10.1)", "10.1", "first\n\nAlso works."),
     ("a\n\n::\n\n  (since 1.0)", None, "a\n\n::\n\n  (since 1.0)"),
     ("``(since 1.0)`` is a note", None, "``(since 1.0)`` is a note"),
     # the sentence forms of releases before 8.0
     ("TPM type\n           Since: 2.11", "2.11", "TPM type"),
     ("no pending I/O.  Since 1.3.", "1.3", "no pending I/O."),
     ("since 2.10\naltgr: dropped in 2.10", "2.10", "altgr: dropped in 2.10"),
     ("defaults to \"off\".\n  Since 3.1\n\nMore.", "3.1", "defaults to \"off\".\n\nMore."),
     ("the latter are supported\n  since 4.1.", None, "the latter are supported\n  since 4.1.")],
)
def test_the_dating_since_note_leaves_the_text(text: str, version: str | None,
                                                rest: str) -> None:
    assert member_since(text) == version
    assert "\n".join(split_since(text.split("\n")).lines) == rest


def test_other_since_notes_become_inline_badges() -> None:
    line = "b (since 2.0) and (default: 0, since 6.2.0) but ``(since 1.0)``"
    assert inline_since(line) == (
        "b :qapi:since:`2.0` and (default: 0, :qapi:since:`6.2`) but ``(since 1.0)``")
    assert inline_since("Later.  Since 1.3.") == "Later.  :qapi:since:`1.3`."


def test_changes_by_version(zoo: qapidoc.Schema) -> None:
    changes = collect_changes(zoo)
    assert list(changes) == ["2.0", "1.5", "1.0"]
    added = {(c.kind, c.target) for c in changes["2.0"]}
    assert ("command", "adopt") in added
    assert ("value", "Species.dog") in added
    assert ("member", "DogDetails.weight") in added
    assert version_key("10.1") > version_key("9.2")


def test_old_equals_headings_are_sections(tmp_path: Path) -> None:
    """``= Title`` / ``== Sub`` (QEMU through 9.x) are headings, levelled by
    the count of ``=``, not paragraphs of text."""
    (tmp_path / "ui.json").write_text(
        "##\n# = Remote desktop\n##\n\n"
        "##\n# == Spice\n#\n# Some words.\n##\n\n"
        "##\n# @SpiceInfo:\n#\n# Since: 0.14\n##\n"
        "{ 'struct': 'SpiceInfo', 'data': { 'enabled': 'bool' } }\n\n"
        "##\n# = Input\n##\n")
    schema = qapidoc.load_schema(str(tmp_path / "ui.json"))
    entries = render_schema(schema).entries
    assert [(e.title, e.level) for e in entries if isinstance(e, Heading)] \
        == [("Remote desktop", 1), ("Spice", 2), ("Input", 1)]
    texts = [line for e in entries if isinstance(e, Text) for line in e.lines]
    assert "Some words." in texts and not any("=" in line for line in texts)


def test_members_a_simple_union_implies_are_not_called_undocumented(tmp_path: Path) -> None:
    """An old simple union's tag and ``data`` wrapper members cannot be
    documented in the schema: no "not documented" badge, no warning."""
    (tmp_path / "old.json").write_text(
        "##\n# @Old:\n#\n# A simple union.\n#\n# Since: 1.0\n##\n"
        "{ 'union': 'Old', 'data': { 'one': 'int', 'two': 'str' } }\n\n"
        "##\n# @Plain:\n#\n# Since: 1.0\n##\n{ 'struct': 'Plain', 'data': { 'x': 'int' } }\n")
    rendering = render_schema(qapidoc.load_schema(str(tmp_path / "old.json")))
    union = _definition(rendering.entries, "Old")
    tag = _children(union, "member")["type"]
    assert "undocumented" not in tag.options
    wrapped = [m for b in _children(union, "branch").values()
               for m in _children(b, "member").values()]
    assert wrapped and all("undocumented" not in m.options for m in wrapped)
    plain = _children(_definition(rendering.entries, "Plain"), "member")["x"]
    assert "undocumented" in plain.options
    assert [p.message for p in rendering.problems] \
        == ["member 'x' of struct 'Plain' is not documented"]


def test_returns_text_of_a_command_without_returns_is_labelled(tmp_path: Path) -> None:
    """QEMU up to 8.x documented the outcome of commands without 'returns'
    ("Returns: - nothing on success", QEMU 5.2.0's block_resize): the text
    is shown under Returns, not as loose paragraphs after the arguments."""
    (tmp_path / "s.json").write_text(
        "##\n# @resize:\n#\n# Returns: - nothing on success\n"
        "#          - If the device is gone, DeviceNotFound\n#\n# Since: 0.14\n##\n"
        "{ 'command': 'resize' }\n")
    resize = _definition(render_schema(qapidoc.load_schema(str(tmp_path / "s.json"))).entries,
                         "resize")
    fields = [e for e in resize.content if isinstance(e, Field)]
    assert [(f.name, f.line) for f in fields] == [("return", 4)]
    assert fields[0].body is not None and fields[0].body.lines[0] == "- nothing on success"
    assert not any(isinstance(e, Text) and "nothing on success" in " ".join(e.lines)
                   for e in resize.content)


def test_changes_of_a_since_that_dates_items_in_parentheses(tmp_path: Path) -> None:
    """QEMU 3.0 wrote ``Since: 1.4 (testdev since 2.2, wctablet since 2.9)``:
    the union is 1.4's, each named branch its own release's; the text is
    not a release of its own on the changes page."""
    (tmp_path / "s.json").write_text(
        "{ 'enum': 'Kind', 'data': [ 'file', 'testdev', 'wctablet' ] }\n"
        "{ 'struct': 'Empty', 'data': {} }\n"
        "##\n# @Backend:\n#\n# Since: 1.4 (testdev since 2.2, wctablet since 2.9,\n"
        "#        nothing since 3.0)\n##\n"
        "{ 'union': 'Backend', 'base': { 'type': 'Kind' }, 'discriminator': 'type',\n"
        "  'data': { 'file': 'Empty', 'testdev': 'Empty', 'wctablet': 'Empty' } }\n")
    changes = collect_changes(qapidoc.load_schema(str(tmp_path / "s.json")))
    assert list(changes) == ["2.9", "2.2", "1.4"]
    assert [(c.kind, c.target) for c in changes["1.4"]] == [("union", "Backend")]
    assert [(c.kind, c.target) for c in changes["2.2"]] == [("branch", "Backend.testdev")]
    assert [(c.kind, c.target) for c in changes["2.9"]] == [("branch", "Backend.wctablet")]
