"""Property: mutated real schemas, old dialects included, never crash the
reader or checker.

Mutations are the mistakes editors make: deleted or duplicated spans,
stray syntax characters, swapped or truncated lines."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qapidoc import load_schema
from qapidoc.core.report import format_text
from tests.conftest import CORPUS, RELEASES

REPO = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((REPO / "schemas").rglob("*.json")),
           REPO / "tests" / "cases" / "frontend" / "ok-everything.json"]
for extra in ("qapi/block-core.json", "qapi/migration.json", "qga/qapi-schema.json",
              "qapi/qom.json", "qapi/ui.json"):
    if (CORPUS / extra).exists():
        SOURCES.append(CORPUS / extra)
# Old dialects: simple unions, C-expression and list conditions, old pragma
# names and doc comment habits (QEMU 3.0 and 5.2); 'type' structs and
# anonymous unions (QEMU 2.x) in the sample below.
for extra in ("3.0.0/qapi/qapi-schema.json", "3.0.0/qapi/ui.json",
              "5.2.0/qapi/char.json", "5.2.0/qapi/sockets.json",
              "5.2.0/qapi/pragma.json", "5.2.0/qapi/machine-target.json"):
    if (RELEASES / extra).exists():
        SOURCES.append(RELEASES / extra)
OLD_DIALECT = """\
{ 'pragma': { 'returns-whitelist': [ 'get-count' ],
              'name-case-whitelist': [ 'Regs' ] } }
##
# @Regs:
#
# @EAX: accumulator
# @stack_top: top
#
# Note: registers
##
{ 'struct': 'Regs', 'data': { 'EAX': 'int', 'stack_top': 'int' },
  'if': 'defined(TARGET_I386) && !defined(CONFIG_USER_ONLY)' }
{ 'union': 'Addr', 'data': { 'regs': 'Regs', 'list': [ 'int' ],
  'num': { 'type': 'int', 'if': [ 'defined(A)', 'defined(B) || (defined C)' ] } } }
##
# @get-count:
#
# @id : which
#
# Returns: a count
#
# Example:
#
# -> { "execute": "get-count" }
# <- { "return": 1 }
##
{ 'command': 'get-count', 'data': { 'id': 'str', 'addr': 'Addr' },
  'returns': 'int', 'if': 'defined(X) &| bad' }
{ 'type': 'Opts', 'data': { 'driver': 'str' } }
{ 'union': 'Ref', 'discriminator': {}, 'data': { 'def': 'Opts', 'ref': 'str' } }
{ 'command': 'attach', 'data': { 'ref': 'Ref' } }
"""
TEXTS = [(str(p), p.read_text()) for p in SOURCES] + [("old-dialect.json", OLD_DIALECT)]
NOISE = "{}[]:,'\"#@\\\n *-_.0aZ\t\x7f\u00e9"


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    path, text = draw(st.sampled_from(TEXTS))
    # Work on a window so mutations land in varied places of big files.
    if len(text) > 20_000:
        start = draw(st.integers(0, len(text) - 20_000))
        text = text[start:start + 20_000]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "dup", "swap", "cut"]))
        n = len(text)
        i = draw(st.integers(0, max(n - 1, 0)))
        j = min(n, i + draw(st.integers(0, 40)))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + draw(st.text(NOISE, min_size=1, max_size=8)) + text[i:]
        elif kind == "dup":
            text = text[:j] + text[i:j] + text[j:]
        elif kind == "swap":
            lines = text.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        else:
            text = text[:i]
    return path, text


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutations_never_crash(case: tuple[str, str]) -> None:
    path, text = case
    schema = load_schema(path, text=text)
    lines = text.split("\n")
    for d in schema.diagnostics:
        assert d.location.line >= 1 and d.location.col >= 1
        if d.location.file.path == path and d.code != "QA002":
            assert d.location.line <= len(lines) + 1, d
    format_text(sorted(schema.diagnostics, key=lambda d: d.location))
    # The model stays walkable whatever the damage.
    for defn in schema.definitions:
        defn.describe()


def test_old_dialect_sample_only_has_legacy_findings() -> None:
    """The sample above is an old schema, not a broken one: apart from its
    one unparseable condition, every finding is in the legacy group."""
    from qapidoc.core.registry import RULES

    schema = load_schema("old-dialect.json", text=OLD_DIALECT)
    other = [f"{d.location}: {d.code} {d.message}" for d in schema.diagnostics
             if RULES[d.code].group != "legacy"]
    assert len(other) == 1 and "QA103" in other[0], other
    assert schema.get("AddrKind") is not None
