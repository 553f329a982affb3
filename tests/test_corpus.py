"""QEMU's real schemas: no finding under the qemu preset; every release
loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.core.registry import RULES

ROOTS = [
    "qapi/qapi-schema.json",
    "qga/qapi-schema.json",
    "storage-daemon/qapi/qapi-schema.json",
    "docs/interop/firmware.json",
    "docs/interop/vhost-user.json",
]


def qemu_findings(path: Path) -> list[str]:
    s = load_schema(str(path))
    return [f"{d.location}: {d.code} {d.message}" for d in s.diagnostics
            if RULES[d.code].in_preset("qemu")]


@pytest.mark.parametrize("root", ROOTS)
def test_corpus_clean(root: str, corpus: Path) -> None:
    assert qemu_findings(corpus / root) == []


def test_qmp_schema_size(corpus: Path) -> None:
    s = load_schema(str(corpus / ROOTS[0]))
    assert len(s.modules) > 40
    assert len(s.commands) > 200 and len(s.events) > 40
    bo = s["BlockdevOptions"]
    assert len(bo.branches) > 40  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", ["3.0.0", "5.2.0", "7.2.0", "9.2.0", "10.0.0",
                                     "10.1.0", "10.2.0"])
def test_release_loads(version: str, releases: Path) -> None:
    s = load_schema(str(releases / version / "qapi" / "qapi-schema.json"))
    assert len(s.commands) > 100
    # Old forms are findings of the legacy group; long lines and one space
    # between sentences were the markup of their time (QEMU rejects them
    # since 10.2).  Nothing else: the model reads every release.
    assert [d for d in s.diagnostics
            if RULES[d.code].group != "legacy"
            and d.code not in ("QA302", "QA304")] == []
