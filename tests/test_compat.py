"""compat.diff on hand-written schema pairs: every change kind, both ways.

Each ``tests/cases/compat/NAME.old.json`` has a ``NAME.new.json`` whose
``# expect: SEVERITY KIND WIRE_PATH [(POLICY)]`` lines list every change,
one line per wire path that reaches it (``# expect-nothing``: no change).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.compat.diff import CHANGE_KINDS, Change, diff
from qapidoc.compat.wire import Direction
from qapidoc.core.source import Severity

CASES = Path(__file__).parent / "cases" / "compat"
EXPECT = re.compile(r"^# expect: (\w+) ([\w-]+) (\S+)(?: \((\w+)\))?$", re.M)


def _pairs() -> list[str]:
    return sorted(p.name[: -len(".old.json")] for p in CASES.glob("*.old.json"))


def _diff(name: str, **kw: object) -> list[Change]:
    old = load_schema(str(CASES / f"{name}.old.json"))
    new = load_schema(str(CASES / f"{name}.new.json"))
    assert old.ok and new.ok, [d.message for d in (*old.diagnostics, *new.diagnostics)]
    return diff(old, new, **kw)  # type: ignore[arg-type]


def _expanded(changes: list[Change]) -> set[tuple[str, str, str, str]]:
    return {(str(c.severity), c.kind, path, c.policy)
            for c in changes for path in c.reached_by}


@pytest.mark.parametrize("name", _pairs())
def test_case(name: str) -> None:
    text = (CASES / f"{name}.new.json").read_text()
    expected = {(m[1], m[2], m[3], m[4] or "") for m in EXPECT.finditer(text)}
    assert expected or "# expect-nothing" in text, "case lists no expectations"
    assert _expanded(_diff(name)) == expected


def test_cases_cover_every_change_kind() -> None:
    seen: set[str] = set()
    for name in _pairs():
        seen |= {c.kind for c in _diff(name)}
    assert seen == set(CHANGE_KINDS)


def test_reverse_direction_of_every_case_is_consistent() -> None:
    """Swapping OLD and NEW turns each removal into an addition."""
    for name in _pairs():
        old = load_schema(str(CASES / f"{name}.old.json"))
        new = load_schema(str(CASES / f"{name}.new.json"))
        forward = {(c.definition, c.member) for c in diff(old, new)
                   if c.kind.endswith("-removed") and "condition" not in c.kind
                   and "feature" not in c.kind}
        backward = {(c.definition, c.member) for c in diff(new, old)
                    if c.kind.endswith("-added") and "feature" not in c.kind}
        # A removed member is attributed to its OLD declaring type, which is
        # the NEW one in the reverse diff: same names.
        assert forward <= backward, name


def test_change_reached_by_many_paths_is_reported_once() -> None:
    changes = _diff("branches")
    added = [c for c in changes if c.kind == "branch-added"]
    assert len(added) == 1
    c = added[0]
    assert c.wire_path == "device-add.driver=ssh"
    assert c.reached_by == ("device-add.driver=ssh", "query-device:returns.driver=ssh")
    assert c.direction is Direction.BOTH


def test_shown_path_is_one_that_gives_the_severity() -> None:
    [c] = [c for c in _diff("unstable") if c.definition == "Limits"]
    assert c.severity is Severity.ERROR
    assert c.wire_path == "stable-set.limits.speed"  # not the unstable trial-set
    assert c.policy == ""


def test_locations_point_at_both_schemas() -> None:
    [c] = [c for c in _diff("arguments") if c.member == "gone"]
    assert c.old is not None and c.old.path.endswith("arguments.old.json")
    assert (c.old.line, c.old.col) == (4, 60)
    # A removal is shown at the definition in NEW that lost it.
    assert c.new is not None and c.new.path.endswith("arguments.new.json")
    assert c.new.line == 9
    [added] = [c for c in _diff("arguments") if c.member == "timeout"]
    assert added.new is not None and (added.new.line, added.new.col) == (14, 35)


def test_severity_overrides_then_policy() -> None:
    changes = _diff("commands", severities={"command-removed": "warning",
                                            "event-added": Severity.ERROR})
    by = {(c.kind, c.definition): c.severity for c in changes}
    assert by[("command-removed", "goes-away")] is Severity.WARNING
    assert by[("event-added", "ARRIVES")] is Severity.ERROR
    # Policy still applies on top of overrides.
    assert by[("command-removed", "x-experiment")] is Severity.INFO


def test_unknown_kind_or_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown change kind 'nope'"):
        _diff("commands", severities={"nope": "error"})
    with pytest.raises(ValueError, match="unknown severity"):
        _diff("commands", severities={"command-removed": "fatal"})


def test_identical_schema_has_no_changes() -> None:
    schema = load_schema(str(CASES / "branches.new.json"))
    assert diff(schema, schema) == []


def test_sorted_worst_first() -> None:
    changes = _diff("types")
    sev = [c.severity for c in changes]
    assert sev == sorted(sev, reverse=True)


def test_every_kind_has_a_sentence() -> None:
    from qapidoc.compat.phrases import _PHRASES

    assert set(_PHRASES) == set(CHANGE_KINDS)


def test_sentences_speak_in_wire_names() -> None:
    """No type names and no tool jargon: the command, the member path,
    the branch that selects it."""
    from qapidoc.compat.phrases import parse_place, phrase

    place = parse_place("chardev-add.backend.type=socket.data.reconnect")
    assert (place.root, place.target, place.conditions) == (
        "chardev-add", "backend.data.reconnect", (("backend.type", ("socket",)),))
    assert phrase("argument-removed", "chardev-add.backend.type=socket.data.reconnect",
                  Direction.INPUT, ()) == (
        "`chardev-add` no longer accepts `backend.data.reconnect` when "
        "`backend.type` is `socket`.")
    assert phrase("now-conditional", "query-sev:returns.handle", Direction.OUTPUT,
                  ("sev-type", "sev")) == (
        "`query-sev` now returns `handle` only when `sev-type` is `sev`.")
    assert phrase("member-added", "EV.when", Direction.OUTPUT, ("optional",),
                  event=True) == "`EV` may now carry `when`."
    for c in _diff("unions") + _diff("types") + _diff("policy"):
        assert "'" not in c.message and "[" not in c.message.replace("[]", ""), c.message
