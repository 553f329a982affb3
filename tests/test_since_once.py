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
from tests.conftest import need_qemu

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
