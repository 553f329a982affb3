"""Parity with QEMU's checker: every condition of the checklist has a rule
in the `qemu` preset and cases of its own, and each case is rejected at
the line QEMU names (or accepted, for what QEMU accepts on purpose)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qapidoc import load_schema
from qapidoc.core.registry import RULES, load_all_rules
from qapidoc.core.source import Severity

from .checker_table import OTHER_CODE, TABLE
from .conftest import SHARED

CASES = Path(__file__).parent / "cases" / "frontend"
CHECKLIST = SHARED / "reference" / "checker-conditions.md"
ID_COUNTS = {"P": 13, "I": 10, "E": 33, "N": 15, "T": 19, "C": 6, "F": 7, "D": 30}
"""How many conditions of each group the checklist has."""

_QEMU = re.compile(r"^# qemu: (\d+|valid)$", re.M)


def test_every_id_has_an_entry() -> None:
    want = {f"{group}{n:02d}" for group, count in ID_COUNTS.items()
            for n in range(1, count + 1)}
    assert sorted(want - TABLE.keys()) == [], "ids without a rule and a test"
    assert sorted(TABLE.keys() - want) == []


def test_table_matches_the_checklist() -> None:
    if not CHECKLIST.exists():
        pytest.skip(f"{CHECKLIST} not available")
    ids = set(re.findall(r"^- \*\*([A-Z]\d\d)\*\*", CHECKLIST.read_text(), re.M))
    assert ids == TABLE.keys()


def test_rules_are_errors_of_the_qemu_preset() -> None:
    load_all_rules()
    codes = [(ident, code) for ident, (code, _, _) in TABLE.items()]
    codes += [(case, code) for case, code in OTHER_CODE.items()]
    for ident, code in codes:
        assert TABLE[ident[:3]][2], f"{ident} has no test"
        if code is None:
            continue
        rule = RULES.get(code)
        assert rule is not None, f"{ident}: no rule {code}"
        assert rule.in_preset("qemu") and rule.severity is Severity.ERROR, ident


def test_every_case_file_is_in_the_table() -> None:
    listed = {c for _, _, cases in TABLE.values() for c in cases}
    files = {p.stem for p in CASES.glob("*.json") if re.match(r"[A-Z]\d\d-", p.stem)}
    assert sorted(files - listed) == []
    assert sorted(listed - files - {"missing-root"}) == []


CASE_IDS = [(ident, case) for ident, (_, _, cases) in TABLE.items()
            for case in cases]


@pytest.mark.parametrize(("ident", "case"), CASE_IDS,
                         ids=[c for _, c in CASE_IDS])
def test_case_where_qemu_reports(ident: str, case: str, tmp_path: Path) -> None:
    code = OTHER_CODE.get(case, TABLE[ident][0])
    if case == "missing-root":
        schema = load_schema(str(tmp_path / "no-such-schema.json"))
        assert [d.code for d in schema.diagnostics] == [code]
        return
    assert case.startswith(ident + "-")
    path = CASES / f"{case}.json"
    m = _QEMU.search(path.read_text())
    assert m, f"{case}: no '# qemu:' line"
    schema = load_schema(str(path))
    if m[1] == "valid":
        assert [f"{d.location}: {d.code}" for d in schema.diagnostics] == []
        return
    line = int(m[1])
    lines = {(d.location.line, d.context.line if d.context else 0)
             for d in schema.diagnostics
             if d.code == code and Path(d.location.file.path).name == path.name}
    assert any(line in pair for pair in lines), [
        f"{d.location}: {d.code} {d.message}" for d in schema.diagnostics]
