"""QEMU's own parser cases: invalid ones rejected at QEMU's file and line,
valid ones accepted (the same scoring as ../shared/tools/conformance.py)."""

from __future__ import annotations

import os
import re

import pytest

from qapidoc.cli.app import main
from tests.conftest import CONFORMANCE, skip_reason

CASES = sorted(p.stem for p in CONFORMANCE.glob("*.err")) if CONFORMANCE.exists() else []
PARAMS = CASES or [pytest.param("", marks=pytest.mark.skip(
    reason=skip_reason("QAPIDOC_CONFORMANCE", CONFORMANCE)))]
LOC = re.compile(r"^(?P<file>[^\s:]+\.json):(?P<line>\d+)(?::\d+)?: ")


def expected(err: str) -> tuple[str, int] | None:
    for line in err.splitlines():
        m = LOC.match(line)
        if m and not line.startswith("In file included"):
            return os.path.basename(m["file"]), int(m["line"])
    return None


@pytest.mark.parametrize("name", PARAMS)
def test_case(name: str, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CONFORMANCE)
    rc = main(["lint", "--preset", "qemu", name + ".json"])
    out = capsys.readouterr()
    text = out.out + out.err
    err = (CONFORMANCE / (name + ".err")).read_text()
    if not err.strip():
        assert rc == 0, text
        return
    assert rc != 0
    want = expected(err)
    found = {(os.path.basename(m[1]), int(m[2]))
             for m in re.finditer(r"([^\s:]+\.json):(\d+)", text)}
    assert want is None or want in found, text


def test_cases_present() -> None:
    if not CASES:
        pytest.skip(skip_reason("QAPIDOC_CONFORMANCE", CONFORMANCE))
    assert len(CASES) >= 99
