"""Old dialects of the schema language read into the modern model: simple
unions, C-expression and list conditions, old pragma names.  Each old form
is one finding in the legacy group and the model is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.compat.wire import walk
from qapidoc.core.registry import RULES, find_rules
from qapidoc.schema.dialects import CConditionError, parse_c_condition, spelling
from qapidoc.schema.model import (
    AlternateType,
    Command,
    Condition,
    EnumType,
    Schema,
    StructType,
    UnionType,
)


def load(text: str) -> Schema:
    return load_schema("old.json", text=text)


def codes(schema: Schema) -> list[str]:
    return sorted(d.code for d in schema.diagnostics)


# --------------------------------------------------------------------------
# C-expression conditions


@pytest.mark.parametrize(("text", "human", "modern"), [
    ("defined(CONFIG_SPICE)", "CONFIG_SPICE", "'CONFIG_SPICE'"),
    ("defined CONFIG_X", "CONFIG_X", "'CONFIG_X'"),
    ("!defined(A)", "not A", "{ 'not': 'A' }"),
    ("defined(A) && defined(B) && defined(C)", "A and B and C",
     "{ 'all': [ 'A', 'B', 'C' ] }"),
    ("defined(A) || defined(B) && !defined(C)", "A or (B and not C)",
     "{ 'any': [ 'A', { 'all': [ 'B', { 'not': 'C' } ] } ] }"),
    ("(defined(A) || defined(B)) && defined(C)", "(A or B) and C",
     "{ 'all': [ { 'any': [ 'A', 'B' ] }, 'C' ] }"),
    ("!(defined(A) && defined(B))", "not (A and B)",
     "{ 'not': { 'all': [ 'A', 'B' ] } }"),
    (" ( ( defined(A) ) ) ", "A", "'A'"),
])
def test_c_condition_parses(text: str, human: str, modern: str) -> None:
    cond = parse_c_condition(text)
    assert cond.render() == human
    assert spelling(cond) == modern


@pytest.mark.parametrize(("text", "offset"), [
    ("defined(A", 9),
    ("defined(A) &&", 13),
    ("defined(A) & defined(B)", 11),
    ("A && defined(B)", 0),
    ("defined()", 8),
    ("(defined(A)))", 12),
    ("defined(A) + 1", 11),
])
def test_c_condition_errors_say_where(text: str, offset: int) -> None:
    with pytest.raises(CConditionError) as e:
        parse_c_condition(text)
    assert e.value.offset == offset


def test_c_condition_is_a_legacy_finding_and_a_condition() -> None:
    s = load("{ 'struct': 'Sx', 'data': { 'a': 'int' },\n"
             "  'if': 'defined(TARGET_S390X) && !defined(CONFIG_USER_ONLY)' }\n")
    [d] = s.diagnostics
    assert (d.code, d.location.line, d.location.col) == ("QL002", 2, 9)
    assert "{ 'all': [ 'TARGET_S390X', { 'not': 'CONFIG_USER_ONLY' } ] }" in d.message
    assert s["Sx"].condition == Condition("all", "", (
        Condition("name", "TARGET_S390X"),
        Condition("not", "", (Condition("name", "CONFIG_USER_ONLY"),))))


def test_unparseable_c_condition_is_located_and_kept() -> None:
    s = load("{ 'command': 'c', 'if': 'defined(A) &| defined(B)' }\n")
    [d] = s.diagnostics
    assert d.code == "QA103"
    assert (d.location.line, d.location.col) == (1, 37)  # at the lone '&'
    assert s["c"].condition == Condition("text", "defined(A) &| defined(B)")
    assert str(s["c"].condition) == "defined(A) &| defined(B)"


def test_list_condition_means_all() -> None:
    s = load("{ 'enum': 'Enm', 'data': [ { 'name': 'v',\n"
             "  'if': [ 'defined(A)', 'CONFIG_B' ] } ] }\n")
    assert codes(s) == ["QL002", "QL003"]
    e = s["Enm"]
    assert isinstance(e, EnumType)
    assert str(e.values[0].condition) == "A and CONFIG_B"
    listed = next(d for d in s.diagnostics if d.code == "QL003")
    assert "{ 'all': [ 'A', 'CONFIG_B' ] }" in listed.message


def test_empty_list_condition_is_useless() -> None:
    s = load("{ 'struct': 'Sx', 'data': {}, 'if': [] }\n")
    assert codes(s) == ["QA103"]


# --------------------------------------------------------------------------
# Old pragma names

OLD_PRAGMAS = """\
{ 'pragma': { 'returns-whitelist': [ 'get-count' ],
              'name-case-whitelist': [ 'Regs', 'q_obj_Cpu-base' ] } }
{ 'struct': 'Regs', 'data': { 'EAX': 'int', 'stack_top': 'int' } }
{ 'enum': 'Mode', 'data': [ 'kp_0', 'lower' ] }
{ 'enum': 'Arch', 'data': [ 'x86' ] }
{ 'union': 'Cpu', 'base': { 'arch': 'Arch', 'PC': 'int' },
  'discriminator': 'arch', 'data': { 'x86': 'Regs' } }
{ 'command': 'get-count', 'returns': 'int' }
{ 'command': 'set_mode', 'data': { 'the_mode': 'Mode' } }
"""


def test_old_pragma_names_mean_what_they_meant() -> None:
    s = load(OLD_PRAGMAS)
    # Upper case in listed types and '_' anywhere were allowed then: the
    # pragma's finding covers them.
    assert codes(s) == ["QL004", "QL004"]
    assert s.pragmas.command_returns_exceptions == {"get-count"}
    assert s.pragmas.member_name_exceptions == {"Regs", "Cpu"}
    messages = [d.message for d in s.diagnostics]
    assert "'command-returns-exceptions'" in messages[0]
    assert "'member-name-exceptions'" in messages[1]


def test_without_the_old_pragma_modern_naming_applies() -> None:
    s = load(OLD_PRAGMAS.replace("'name-case-whitelist'", "'member-name-exceptions'"))
    assert [d.code for d in s.diagnostics if d.code != "QL004"] == ["QA102"] * 4


# --------------------------------------------------------------------------
# Simple unions

SIMPLE = """\
{ 'pragma': { 'doc-required': true } }
##
# @Inet:
#
# @host: host name
#
# @port: port
##
{ 'struct': 'Inet', 'data': { 'host': 'str', '*port': 'int' } }
##
# @Addr:
#
# An address.
##
{ 'union': 'Addr',
  'data': { 'inet': 'Inet', 'fd': 'str', 'list': [ 'int' ],
            'vsock': { 'type': 'Inet', 'if': 'defined(CONFIG_VSOCK)' } } }
##
# @connect:
#
# @addr: where
##
{ 'command': 'connect', 'data': { 'addr': 'Addr' } }
"""


def test_simple_union_is_the_flat_union_of_the_wire() -> None:
    s = load(SIMPLE)
    assert codes(s) == ["QL001", "QL002"]
    u = s["Addr"]
    assert isinstance(u, UnionType)
    assert u.discriminator == "type"
    [tag] = u.members
    assert (tag.name, tag.type.name, tag.optional) == ("type", "AddrKind", False)
    kind = s.resolve(tag.type)
    assert isinstance(kind, EnumType)
    assert [v.name for v in kind.values] == ["inet", "fd", "list", "vsock"]
    assert str(kind.values[3].condition) == "CONFIG_VSOCK"
    wrappers = {b.name: s.resolve(b.type) for b in u.branches}
    for name, inner in (("inet", "Inet"), ("fd", "str"), ("list", "int")):
        w = wrappers[name]
        assert isinstance(w, StructType)
        [data] = w.members
        assert (data.name, data.type.name) == ("data", inner)
    assert wrappers["list"].members[0].type.is_array  # type: ignore[union-attr]
    # Implied types resolve but are not definitions of the schema.
    assert {d.name for d in s.implicit} == {
        "AddrKind", "q_obj_Inet-wrapper", "q_obj_str-wrapper", "q_obj_intList-wrapper"}
    assert not any(d.name in ("AddrKind", "q_obj_Inet-wrapper") for d in s.definitions)


def test_simple_union_wire_paths() -> None:
    paths = {str(n.path) for n in walk(load(SIMPLE))}
    assert {
        "connect.addr.type",
        "connect.addr.type=inet",
        "connect.addr.type=inet.data",
        "connect.addr.type=inet.data.host",
        "connect.addr.type=inet.data.port",
        "connect.addr.type=fd.data",
        "connect.addr.type=list.data",
    } <= paths
    assert all(p.startswith("connect.addr.type")
               for p in paths if p.startswith("connect.addr."))


def test_simple_union_branch_may_be_any_type() -> None:
    s = load("{ 'enum': 'Enm', 'data': [ 'a' ] }\n"
             "{ 'union': 'Uni', 'data': { 'e': 'Enm', 'n': 'number', 'x': 'Nope' } }\n")
    assert codes(s) == ["QA201", "QL001"]  # only the unknown type


def test_simple_union_implicit_enum_name_taken() -> None:
    s = load("{ 'enum': 'UniKind', 'data': [ 'a' ] }\n"
             "{ 'union': 'Uni', 'data': { 'a': 'int' } }\n")
    assert codes(s) == ["QA202", "QL001"]


def test_simple_union_as_boxed_arguments() -> None:
    s = load("{ 'union': 'Uni', 'data': { 'a': 'int' } }\n"
             "{ 'command': 'c', 'data': 'Uni', 'boxed': true }\n")
    assert codes(s) == ["QL001"]
    c = s["c"]
    assert isinstance(c, Command)
    assert [m.name for m in c.arguments] == ["type"]


EARLY = """\
{ 'type': 'Options', 'data': { 'driver': 'str', '*size': 'int' } }
{ 'union': 'Ref', 'discriminator': {},
  'data': { 'definition': 'Options', 'reference': 'str' } }
{ 'command': 'attach', 'data': { 'ref': 'Ref' } }
"""


def test_struct_declared_with_type_and_anonymous_union() -> None:
    """QEMU's first schemas: 'type' for a struct, an alternate written as a
    union with an empty discriminator; each one legacy finding at its name,
    read into the same model as the modern spelling."""
    s = load(EARLY)
    found = sorted((d.code, d.location.line, d.location.col) for d in s.diagnostics)
    assert found == [("QL005", 1, 3), ("QL006", 2, 12)]
    options, ref = s["Options"], s["Ref"]
    assert isinstance(options, StructType)
    assert [(m.name, m.optional) for m in options.members] == [
        ("driver", False), ("size", True)]
    assert isinstance(ref, AlternateType)
    assert [b.name for b in ref.alternatives] == ["definition", "reference"]
    modern = load(EARLY.replace("'type': 'Options'", "'struct': 'Options'")
                  .replace("'union': 'Ref', 'discriminator': {},", "'alternate': 'Ref',"))
    assert not modern.diagnostics
    assert {str(n.path) for n in walk(s)} == {str(n.path) for n in walk(modern)}


def test_early_forms_keep_modern_checks() -> None:
    """A 'type' expression is still checked as a struct; a union with an
    empty discriminator and a base is not an alternate."""
    s = load("{ 'type': 'Opt', 'data': { 'a': 'Nope' }, 'colour': 'red' }\n"
             "{ 'union': 'Uni', 'base': 'Opt', 'discriminator': {}, 'data': {} }\n")
    found = sorted((d.code, d.location.line) for d in s.diagnostics)
    assert found == [("QA101", 1), ("QA101", 2), ("QA201", 1), ("QL005", 1)]


def test_legacy_group() -> None:
    legacy = find_rules("legacy")
    assert {r.code for r in legacy} >= {"QL001", "QL002", "QL003", "QL004", "QL005",
                                        "QL006"}
    assert all(r.group == "legacy" and r.in_preset("qemu") for r in legacy)
    assert RULES["QA101"].group == "language"


# --------------------------------------------------------------------------
# QEMU 5.2.0: simple unions as QEMU's runtime introspection shows them


@pytest.mark.parametrize(("command", "union"), [
    ("nbd-server-start.addr", "SocketAddressLegacy"),
    ("chardev-add.backend", "ChardevBackend"),
])
def test_release_simple_union_wire(command: str, union: str, releases: Path) -> None:
    s = load_schema(str(releases / "5.2.0" / "qapi" / "qapi-schema.json"))
    u = s[union]
    assert isinstance(u, UnionType)
    paths = {str(n.path) for n in walk(s) if str(n.path).startswith(command + ".")}
    # Introspection: members [type], variants case → wrapper {data: T}.
    want = {f"{command}.type"}
    for b in u.branches:
        wrapper = s.resolve(b.type)
        assert isinstance(wrapper, StructType)
        [data] = wrapper.members
        want.add(f"{command}.type={b.name}")
        want.add(f"{command}.type={b.name}.data")
        inner = s.resolve(data.type)
        if isinstance(inner, StructType) and not data.type.is_array:
            want |= {f"{command}.type={b.name}.data.{m.name}" for m in inner.members}
    assert want <= paths
    assert {p.split(".")[2].split("=")[0] for p in paths} == {"type"}
    if union == "SocketAddressLegacy":
        assert f"{command}.type=unix.data.path" in paths
        assert f"{command}.type=inet.data.host" in paths
        assert f"{command}.type=fd.data.str" in paths


# --------------------------------------------------------------------------
# Downstream: docs of an old schema


def test_sphinx_documents_an_old_schema(tmp_path: Path) -> None:
    from tests.test_sphinx_build import build, project

    (tmp_path / "old.json").write_text(SIMPLE)
    src = project(tmp_path, {"index.rst": "Old\n===\n\n.. qapi-doc:: old.json\n"},
                  srctree=tmp_path)
    result = build(src, tmp_path / "out", "-E")
    assert result.status == 0
    # Legacy forms are lint findings, not load errors; implied types have
    # no page to link to and are not warned about.
    assert result.warnings == ""
    soup = result.soup("index")
    tag = soup.find(id="qapi-obj-Addr.mem-type")
    assert tag is not None and "AddrKind" in tag.text
    assert [a["href"] for a in tag.find_all("a", href=True)] == []  # the implied enum
    links = {a["href"] for a in soup.find_all("a", href=True)}
    assert "#qapi-obj-Inet" in links
    assert not any("q_obj_" in h or "AddrKind" in h for h in links)


def qmp(releases: Path, version: str) -> str:
    return str(releases / version / "qapi" / "qapi-schema.json")


def test_compat_across_the_6_0_removals(releases: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from qapidoc.cli import main

    code = main(["compat", "--no-config", "--format", "json",
                 qmp(releases, "5.2.0"), qmp(releases, "7.2.0")])
    changes = json.loads(capsys.readouterr().out)
    assert code == 1
    removed = {c["wire_path"]: (c["severity"], c["policy"]) for c in changes
               if c["change"] == "command-removed"}
    # Deprecated in 5.2 (feature 'deprecated'): info; block_passwd was not.
    assert removed["block_passwd"] == ("error", None)
    for name in ("change", "migrate_set_speed", "migrate_set_downtime",
                 "migrate-set-cache-size", "query-migrate-cache-size",
                 "query-cpus", "query-events"):
        assert removed[name] == ("info", "deprecated"), name


@pytest.mark.parametrize(("old", "new"), [("3.0.0", "10.2.0"), ("10.2.0", "3.0.0")])
def test_compat_runs_on_old_releases(old: str, new: str, releases: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from qapidoc.cli import main

    code = main(["compat", "--no-config", qmp(releases, old), qmp(releases, new)])
    _out, err = capsys.readouterr()
    assert code == 1 and "fix them before comparing" not in err


def test_history_through_simple_and_flat_unions(releases: Path) -> None:
    from qapidoc.compat.history import first_seen

    versions = ("3.0.0", "5.2.0", "7.2.0")
    seen = first_seen([(v, load_schema(qmp(releases, v))) for v in versions])
    # ChardevBackend and SocketAddressLegacy were simple unions until 6.2
    # and flat unions with explicit wrappers after: the same wire.
    addr = "chardev-add.backend.type=socket.data.addr.type="
    assert seen[addr + "unix.data.path"] == "3.0.0"
    assert seen[addr + "inet.data.keep-alive"] == "5.2.0"
    assert seen[addr + "inet.data.mptcp"] == "7.2.0"


# --------------------------------------------------------------------------
# Old doc comment habits


def test_old_doc_habits_are_legacy_findings() -> None:
    s = load("""\
##
# @job-resume:
#
# @id : the job
##
{ 'command': 'job-resume', 'data': { 'id': 'str', 'force': 'bool' } }
##
# @Color:
#
# Note: an old note section
##
{ 'enum': 'Color', 'data': [ 'red' ] }
""")
    got = sorted((d.code, d.location.line) for d in s.diagnostics)
    assert got == [("QA303", 10), ("QL103", 6), ("QL103", 12), ("QL104", 4)]
    assert all(RULES[code].group == "legacy" for code, _ in got)
    job = s["job-resume"]
    assert isinstance(job, Command)
    doc = job.argument("id").doc  # type: ignore[union-attr]
    assert doc is not None and doc.text == "the job"


def test_documentation_exceptions_cover_undocumented_members() -> None:
    s = load("{ 'pragma': { 'documentation-exceptions': [ 'Color' ] } }\n"
             "##\n# @Color:\n##\n{ 'enum': 'Color', 'data': [ 'red' ] }\n")
    assert s.diagnostics == ()


def test_unindented_continuation_joins_the_description() -> None:
    s = load("""\
##
# @RunState:
#
# @inmigrate: waiting for an incoming migration.  Note
# that this state does not say when it ends.
#
# @paused: paused
##
{ 'enum': 'RunState', 'data': [ 'inmigrate', 'paused' ] }
""")
    assert [(d.code, d.location.line) for d in s.diagnostics] == [("QL105", 7)]
    e = s["RunState"]
    assert isinstance(e, EnumType)
    doc = e.values[0].doc
    assert doc is not None and doc.text.endswith("does not say when it ends.")
    assert e.values[1].doc is not None


def test_paragraph_after_a_blank_line_still_ends_the_descriptions() -> None:
    s = load("##\n# @Two:\n#\n# @a: first\n#\n# A paragraph.\n#\n# @b: second\n##\n"
             "{ 'enum': 'Two', 'data': [ 'a', 'b' ] }\n")
    assert [d.code for d in s.diagnostics] == ["QA301"]


def test_indented_paragraph_after_a_blank_continues_the_description() -> None:
    s = load("##\n# @Top:\n#\n# @base:  the base,\n#                  deepest\n#\n"
             "#          If top == base, that is an error.\n#\n# @speed: bytes/s\n##\n"
             "{ 'enum': 'Top', 'data': [ 'base', 'speed' ] }\n")
    assert [(d.code, d.location.line) for d in s.diagnostics] == [("QL105", 9)]
    e = s["Top"]
    assert isinstance(e, EnumType)
    doc = e.values[0].doc
    assert doc is not None and doc.text.endswith("\n\nIf top == base, that is an error.")


def test_deindent_onto_an_old_section_tag_is_only_the_old_section() -> None:
    # 5.2.0's eject: 'Notes:' right after the first continuation line of
    # 'Returns:'; QEMU then started a section wherever a tag stood.
    s = load("##\n# @eject:\n#\n# @id: the device\n#\n"
             "# Returns: - Nothing on success\n"
             "#          - If @id is not a valid block device, DeviceNotFound\n"
             "# Notes:    Ejecting a device with no media results in success\n"
             "##\n{ 'command': 'eject', 'data': { 'id': 'str' } }\n")
    assert sorted(d.code for d in s.diagnostics) == ["QA210", "QA303"]
