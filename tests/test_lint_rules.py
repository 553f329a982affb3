"""Every lint rule's documentation: its Example fires the rule, its Use
instead does not, and the registry, `qapidoc rules` and the docstring
headings agree."""

from __future__ import annotations

import re

import pytest

from qapidoc.cli.app import main
from qapidoc.core.registry import PRESETS, RULES
from qapidoc.lint import CHECKS, load_rules
from qapidoc.lint.engine import parse_rule_doc
from tests.lint_support import codes, lint_text

load_rules()
LINT_CODES = sorted(CHECKS)


def _run(code: str, text: str) -> list[str]:
    lr = CHECKS[code]
    return codes(lint_text(text, f"{code}.json", against=lr.against,
                           history=lr.history, preset="strict",
                           **lr.options).diagnostics)


@pytest.mark.parametrize("code", LINT_CODES)
def test_example_fires(code: str) -> None:
    assert code in _run(code, RULES[code].bad)


@pytest.mark.parametrize("code", LINT_CODES)
def test_use_instead_is_clean(code: str) -> None:
    assert code not in _run(code, RULES[code].good)


@pytest.mark.parametrize("code", LINT_CODES)
def test_metadata(code: str) -> None:
    r = RULES[code]
    assert re.fullmatch(r"QD\d{3}", code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name)
    assert r.name == CHECKS[code].check.__name__.replace("_", "-")
    assert r.summary and r.rationale and r.bad and r.good
    assert r.preset in PRESETS and r.preset != "qemu"


def test_names_unique() -> None:
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def test_docstring_needs_every_heading() -> None:
    with pytest.raises(ValueError, match="Use instead"):
        parse_rule_doc("What it checks:\n  x\nWhy it matters:\n  y\n"
                       "Example:\n  z\n")


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for code in RULES:
        assert re.search(rf"^{code}\s", out, re.M), code


def test_rules_preset_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--preset", "qemu"]) == 0
    out = capsys.readouterr().out
    assert "QA101" in out or "QA001" in out
    assert "QD101" not in out


def test_rules_explains_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "since-missing"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("QD101 since-missing")
    for heading in ("What it checks:", "Why it matters:", "Example:",
                    "Use instead:"):
        assert heading in out
    assert "{ 'command': 'ping' }" in out


def test_rules_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "QZ999"]) == 2
    assert "unknown rule 'QZ999'" in capsys.readouterr().err


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    assert main(["rules", "QD1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["code"] for d in data} == {c for c in RULES if c.startswith("QD1")}
    assert all(d["example"] and d["use_instead"] for d in data)
