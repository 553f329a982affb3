"""Since, once (issue 14): every since note lint accepts in QEMU's schemas
(in the descriptions of members, values, branches and features, where lint
reads them) is a badge in the reference — the dating note of a description moves to its
badge, any other note becomes an inline badge — and none is shown twice."""

from __future__ import annotations

import re

import pytest

import qapidoc
from qapidoc.schema.docs import literal_lines
from qapidoc.schema.since import find_notes
from sphinx_ext.render.rst import Directive, Entry, Text, render_schema
from tests.conftest import need_qemu, need_releases

_ROLE = re.compile(r":qapi:since:`([^`]*)`")


def _texts(entries: list[Entry], owner: Directive | None = None
           ) -> list[tuple[Directive | None, Text]]:
    found: list[tuple[Directive | None, Text]] = []
    for entry in entries:
        if isinstance(entry, Text):
            found.append((owner, entry))
        elif isinstance(entry, Directive):
            found += _texts(entry.content, entry)
    return found


@pytest.mark.parametrize("schema", ["qapi/qapi-schema.json", "qga/qapi-schema.json"])
def test_every_since_note_is_a_badge_and_none_twice(schema: str) -> None:
    loaded = qapidoc.load_schema(str(need_qemu(schema)))
    plan = render_schema(loaded, warn_undocumented=False)
    left: list[str] = []
    twice: list[str] = []
    badges = 0
    for owner, text in _texts(plan.entries):
        if owner is None or owner.name not in ("member", "value", "feature", "branch"):
            continue  # lint reads since notes in descriptions only
        literal = {n for n, _t, flag in literal_lines(list(enumerate(text.lines))) if flag}
        for number, line in enumerate(text.lines):
            if number in literal:
                continue
            outside = " ".join(line.split("``")[0::2])  # not inside inline literals
            left += [f"{text.source}:{text.line + number}: {n.text}"
                     for n in find_notes(outside)]
            for version in _ROLE.findall(line):
                badges += 1
                if owner is not None and owner.options.get("since") == version \
                        and owner.name in ("member", "value", "feature") and number == 0:
                    twice.append(f"{text.source}:{text.line}: {owner.argument}")
    dated = sum(1 for owner, _t in _texts(plan.entries)
                if owner is not None and "since" in owner.options)
    assert left == []
    assert twice == []
    assert dated > 0


SENTENCE_NOTES = {
    "3.0.0": {("TpmType", "emulator"): "2.11", ("QKeyCode", "ac_bookmarks"): "2.10",
              ("BlockJobInfo", "busy"): "1.3", ("BlockJobInfo", "paused"): "1.3"},
    "5.2.0": {("TpmType", "emulator"): "2.11", ("DisplayGTK", "zoom-to-fit"): "3.1"},
    "7.2.0": {("DisplayGTK", "zoom-to-fit"): "3.1", ("DisplayGTK", "show-tabs"): "7.1",
              ("DisplayGTK", "show-menubar"): "8.0"},
}
"""Members whose description ends with a note written as a sentence."""


def _dated(entries: list[Entry], owner: str = "") -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for entry in entries:
        if isinstance(entry, Directive):
            since = entry.options.get("since")
            if since and entry.name in ("member", "value"):
                found[(owner, entry.argument)] = str(since)
            found.update(_dated(entry.content, entry.argument))
    return found


@pytest.mark.parametrize("release", ["3.0.0", "5.2.0", "7.2.0", "9.2.0", "10.0.0", "10.1.0",
                                     "10.2.0"])
def test_released_schemas_show_every_note_as_a_badge(release: str) -> None:
    """Older releases also write a note as a sentence of its own (``TPM
    type`` / ``Since: 2.11``; ``...pause itself.  Since 1.3.``): each
    description's notes, as lint's recogniser reads the whole description,
    are badges once rendered."""
    loaded = qapidoc.load_schema(str(need_releases(f"{release}/qapi/qapi-schema.json")))
    plan = render_schema(loaded, warn_undocumented=False)
    left: list[str] = []
    dated = 0
    for owner, text in _texts(plan.entries):
        if owner is None or owner.name not in ("member", "value", "feature", "branch"):
            continue
        dated += "since" in owner.options
        literal = {n for n, _t, flag in literal_lines(list(enumerate(text.lines))) if flag}
        prose = "\n".join(" ".join(line.split("``")[0::2])
                          for number, line in enumerate(text.lines) if number not in literal)
        left += [f"{text.source}:{text.line}: {note.text}" for note in find_notes(prose)]
    assert left == []
    assert dated > 0
    badges = _dated(plan.entries)
    for key, version in SENTENCE_NOTES.get(release, {}).items():
        assert badges.get(key) == version, key
