"""The since-note recogniser shared by lint and the Sphinx extension."""

from __future__ import annotations

import pytest

from qapidoc.schema.since import dating_note, find_notes, release_tuple, restyle


@pytest.mark.parametrize(("text", "version", "form"), [
    ("the node name (since 9.1)", "9.1", "leading"),
    ("the node name (Since 9.1)", "9.1", "leading"),
    ("the node name (since: 9.1)", "9.1", "leading"),
    ("the node name (Since: 2.12.1)", "2.12.1", "leading"),
    ("retries (since 10.0; default: 10)", "10.0", "leading"),
    ("(Since 4.2, not supported for listening sockets until 10.1)", "4.2", "leading"),
    ("(since: 10.1 -- since 9.1 on s390x --)", "10.1", "leading"),
    ("discard (default: false, since 3.1)", "3.1", "trailing"),
    ("action (default: report; since: 5.0)", "5.0", "trailing"),
    ("since 2.10", "2.10", "bare"),
    ("Since 8.2.", "8.2", "bare"),
    ("statistic counters (since\n    2.11)", "2.11", "leading"),
    # a sentence of its own ending a line (releases before 8.0)
    ("Software Emulator TPM type\n           Since: 2.11", "2.11", "sentence"),
    ("no pending I/O.  Since 1.3.", "1.3", "sentence"),
    ("ID of the TLS credentials object. Since 2.6", "2.6", "sentence"),
    ("since 2.10\naltgr, altgr_r: dropped in 2.10", "2.10", "sentence"),
    ("defaults to \"off\".\n    since 3.1", "3.1", "sentence"),
    ("a list\n\nsince 3.0", "3.0", "sentence"),
])
def test_every_form_qemu_writes_is_a_note(text: str, version: str, form: str) -> None:
    notes = find_notes(text)
    assert [(n.version, n.form) for n in notes] == [(version, form)]
    assert text[notes[0].start:notes[0].end] == notes[0].text


@pytest.mark.parametrize("text", [
    "the kernel feature (since Linux 2.5.41)",
    "a kernel patch level (since Linux 2.6.0-test4)",
    "(since 2.6.0-rc1)",
    "supported since 4.1.",
    "the latter are supported\n    since 4.1.",
    "ignored and deprecated since 2.12.",
    "works, i.e. since 2.4",
    "Note: empty value works only since 2.9.",
    "a note\nsince 3.0 and more",
    "(default: 0)",
    "the version (since version ten)",
])
def test_other_versions_and_prose_are_not_notes(text: str) -> None:
    assert find_notes(text) == []


def test_the_note_dating_a_description() -> None:
    assert dating_note("more (since 9.1)\n    (default: off)").version == "9.1"  # type: ignore[union-attr]
    later = "This mode moves a guest.\n\nDevices are preserved.  (since 10.1)\n\nThen more."
    assert dating_note(later) is None
    last = "This mode moves a guest.\n\nDevices are preserved.  (since 10.1)"
    assert dating_note(last).version == "10.1"  # type: ignore[union-attr]


def test_restyle_changes_only_the_word() -> None:
    note = find_notes("x (Since: 9.1; default: 2)")[0]
    assert restyle(note, "since") == "(since 9.1; default: 2)"
    note = find_notes("x (default: 0, since 9.1)")[0]
    assert restyle(note, "Since") == "(default: 0, Since 9.1)"


def test_release_tuple() -> None:
    assert release_tuple("10.1") == (10, 1)
    assert release_tuple("2.12.0") == (2, 12)
    assert release_tuple("2.12.1") == (2, 12, 1)
    assert release_tuple("Linux 2.6") is None
