"""Data-driven lint cases: each file under cases/lint is one schema with its
expected findings as ``# expect: CODE [at LINE:COL]`` lines, counted
exactly (and ``# options: key=value`` configuration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint_support import CASES, case_expectations, case_options, lint_text

FILES = sorted(CASES.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_case(path: Path) -> None:
    text = path.read_text()
    options = case_options(text)
    if "line-length" in options:
        options["line-length"] = int(options["line-length"])  # type: ignore[assignment]
    result = lint_text(text, str(path.name), **options)
    expected = case_expectations(text)
    got = sorted((d.code, d.location.line, d.location.col)
                 for d in result.diagnostics)
    # one line each, whatever doc text a message quotes
    assert [d.message for d in result.diagnostics if "\n" in d.message] == []
    want_codes = sorted(code for code, _, _ in expected)
    assert sorted(code for code, _, _ in got) == want_codes, got
    for code, line, col in expected:
        if line is not None:
            assert (code, line, col) in got, got


def test_cases_exist() -> None:
    assert len(FILES) >= 20
