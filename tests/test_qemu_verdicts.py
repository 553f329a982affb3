"""The default preset's precision on QEMU's development tree, maintained.

``tests/qemu_verdicts.txt`` lists every finding of the default preset on
QEMU's QMP, guest agent and storage daemon schemas with a verdict — true
(a defect a maintainer would fix), house-style (a form QEMU writes on
purpose) or wrong — and a one-line reason.  A finding that is not listed
fails the test, so every new rule or change is judged; so does a listed one
that is no longer found (the figures must stay exact).  Entries are keyed
by rule, file, definition, member and the text at the finding, never by
line, so unrelated edits do not disturb them.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from qapidoc.core.config import Config, find_version_file
from qapidoc.core.source import Diagnostic
from qapidoc.lint import run_lint
from qapidoc.lint.engine import parse_version
from qapidoc.schema.builder import load_schema

REPO = Path(__file__).resolve().parents[1]
VERDICTS = Path(__file__).parent / "qemu_verdicts.txt"
ROOTS = ("qapi/qapi-schema.json", "qga/qapi-schema.json",
         "storage-daemon/qapi/qapi-schema.json")
KINDS = ("true", "house-style", "wrong")

Key = tuple[str, str, str, str, str]


def qemu_tree() -> Path:
    src = Path(os.environ.get("QAPIDOC_QEMU_SRC", REPO.parent / "shared" / "corpus" / "qemu"))
    if not (src / ROOTS[0]).exists():
        pytest.skip(f"QEMU's tree not found at {src}: set QAPIDOC_QEMU_SRC to a QEMU "
                    "checkout to measure the default preset's precision")
    return src


def text_at(d: Diagnostic) -> str:
    """What the finding points at: its line from its column, 40 characters
    at most, blanks squeezed."""
    lines = d.location.file.lines
    line = lines[d.location.line - 1] if 0 < d.location.line <= len(lines) else ""
    return " ".join(line[d.location.col - 1:].split())[:40].rstrip()


def finding_key(d: Diagnostic, tree: Path) -> Key:
    path = os.path.relpath(os.path.abspath(d.location.path), tree).replace(os.sep, "/")
    return (d.code, path, d.definition or "-", d.member or "-", text_at(d))


def findings(tree: Path, root: str) -> list[Diagnostic]:
    """The default preset as ``qapidoc lint ROOT`` runs it in QEMU's tree."""
    path = str(tree / root)
    found = find_version_file(path)
    release = parse_version(found[0]) if found else None
    return run_lint(load_schema(path), Config(), release=release).diagnostics


def read_verdicts() -> dict[str, list[tuple[Key, str, str]]]:
    """Root → (key, verdict, reason) per listed finding."""
    out: dict[str, list[tuple[Key, str, str]]] = {}
    root = ""
    for number, raw in enumerate(VERDICTS.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            root = line[1:-1]
            out.setdefault(root, [])
            continue
        fields = [f.strip() for f in line.split(" | ")]
        assert len(fields) == 7 and fields[0] in KINDS and root, (
            f"{VERDICTS.name}:{number}: expected 'VERDICT | CODE | FILE | DEFINITION | "
            f"MEMBER | TEXT | REASON' under a [ROOT] header")
        verdict, code, path, defn, member, text, reason = fields
        out[root].append(((code, path, defn, member, text), verdict, reason))
    return out


@pytest.fixture(scope="module")
def judged() -> tuple[Path, dict[str, list[tuple[Key, str, str]]]]:
    return qemu_tree(), read_verdicts()


@pytest.mark.parametrize("root", ROOTS)
def test_every_finding_is_judged(judged: tuple[Path, dict[str, list[tuple[Key, str, str]]]],
                                 root: str) -> None:
    tree, verdicts = judged
    got = Counter(finding_key(d, tree) for d in findings(tree, root))
    listed = Counter(key for key, _, _ in verdicts.get(root, []))
    unjudged = sorted((got - listed).elements())
    assert not unjudged, ("findings with no verdict in tests/qemu_verdicts.txt — judge "
                          "them (true | house-style | wrong) and add a line each:\n"
                          + "\n".join(" | ".join(("?", *k, "REASON")) for k in unjudged))
    gone = sorted((listed - got).elements())
    assert not gone, "listed findings no longer found (remove them):\n" + "\n".join(
        " | ".join(k) for k in gone)


def test_precision(judged: tuple[Path, dict[str, list[tuple[Key, str, str]]]]) -> None:
    _tree, verdicts = judged
    qmp = verdicts[ROOTS[0]]
    true = sum(v == "true" for _, v, _ in qmp)
    assert len(qmp) <= 120
    assert true >= 0.9 * len(qmp), f"{true} of {len(qmp)} judged true"
    for root in ROOTS[1:]:
        assert not [k for k, v, _ in verdicts[root] if v == "wrong"], root
    assert all(reason for entries in verdicts.values() for _, _, reason in entries)
