"""Data-driven front-end cases: each schema under cases/frontend lists the
findings it must produce as ``# expect: CODE@LINE`` lines, counted exactly."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from qapidoc import load_schema

CASES = sorted((Path(__file__).parent / "cases" / "frontend").glob("*.json"))
EXPECT = re.compile(r"^# expect: (Q[AL]\d+)@(\d+)\s*$", re.M)


def expected(path: Path) -> Counter[tuple[str, int]]:
    return Counter((m[1], int(m[2])) for m in EXPECT.finditer(path.read_text()))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path) -> None:
    schema = load_schema(str(case))
    got = Counter(
        (d.code, d.location.line)
        for d in schema.diagnostics
        if d.location.file.path.endswith(case.name)
    )
    assert got == expected(case), [
        f"{d.location}: {d.code} {d.message}" for d in schema.diagnostics
    ]
