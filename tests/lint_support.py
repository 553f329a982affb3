"""Helpers shared by the lint tests: run the linter on text or a case file."""

from __future__ import annotations

import re
from pathlib import Path

from qapidoc.core.config import Config, config_from_mapping
from qapidoc.core.source import Diagnostic
from qapidoc.lint import run_lint
from qapidoc.lint.engine import LintResult, parse_version
from qapidoc.schema.builder import load_schema

CASES = Path(__file__).parent / "cases" / "lint"

_EXPECT = re.compile(r"^# expect: (\w+)(?: at (\d+):(\d+))?\s*$", re.M)
_OPTIONS = re.compile(r"^# options: (.*)$", re.M)


def lint_text(text: str, path: str = "case.json", *, against: str | None = None,
              history: tuple[tuple[str, str], ...] = (),
              against_release: str | None = None, **options: str) -> LintResult:
    """Lint schema `text` with config `options` (file keys), the previous
    release's schema text (and the release it is) and earlier (release,
    schema text) pairs."""
    config = config_from_mapping(options, "test") if options else Config()
    schema = load_schema(path, text=text)
    old = load_schema("previous.json", text=against) if against else None
    release = parse_version(config.release) if config.release else None
    earlier = [(v, load_schema(f"release-{v}.json", text=t)) for v, t in history]
    return run_lint(schema, config, release=release, against=old, history=earlier,
                    against_release=parse_version(against_release or ""))


def codes(diags: list[Diagnostic]) -> list[str]:
    return sorted(d.code for d in diags)


def case_options(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _OPTIONS.finditer(text):
        for pair in m.group(1).split():
            key, _, value = pair.partition("=")
            out[key] = value
    return out


def case_expectations(text: str) -> list[tuple[str, int | None, int | None]]:
    return sorted((m.group(1), int(m.group(2)) if m.group(2) else None,
                   int(m.group(3)) if m.group(3) else None)
                  for m in _EXPECT.finditer(text))
