"""SARIF output of lint and compat against the official SARIF 2.1.0 JSON
schema (draft 2020-12), as shipped in Microsoft's SARIF multitool.

CI downloads it (see .ci/run) and points QAPIDOC_SARIF_SCHEMA at it; the
schema is not part of the repository, so elsewhere these tests skip and
tests/test_report.py's subset schema still runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from qapidoc.cli.app import main
from tests.conftest import CORPUS, need_qemu

CASES = Path(__file__).parent / "cases"
BROKEN = """\
##
# @ping:
#
# Check it. Now.
#
# @count: how many (Since 9.1)
##
{ 'command': 'ping', 'data': { 'count': 'int', 'bad': 'Nope' } }
"""


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    path = os.environ.get("QAPIDOC_SARIF_SCHEMA")
    if not path or not Path(path).is_file():
        pytest.skip("QAPIDOC_SARIF_SCHEMA does not name the official schema")
    schema = json.loads(Path(path).read_text())
    assert "SARIF" in schema["title"] and "2.1.0" in schema["title"]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    main([*args])
    log: dict[str, object] = json.loads(capsys.readouterr().out)
    return log


def check(validator: jsonschema.protocols.Validator, log: dict[str, object]) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []


def test_lint(validator: jsonschema.protocols.Validator, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch,
              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("schema.json").write_text(BROKEN)
    log = sarif(capsys, "lint", "--preset", "strict", "--format", "sarif",
                "schema.json")
    runs = log["runs"]
    assert isinstance(runs, list) and runs[0]["results"]
    check(validator, log)


def test_lint_corpus(validator: jsonschema.protocols.Validator,
                     capsys: pytest.CaptureFixture[str]) -> None:
    need_qemu()
    check(validator, sarif(capsys, "lint", "--format", "sarif",
                           str(CORPUS / "qapi" / "qapi-schema.json")))


def test_compat(validator: jsonschema.protocols.Validator,
                capsys: pytest.CaptureFixture[str]) -> None:
    pair = [str(CASES / "compat" / f"branches.{side}.json") for side in ("old", "new")]
    log = sarif(capsys, "compat", "--no-config", "--format", "sarif", *pair)
    check(validator, log)
