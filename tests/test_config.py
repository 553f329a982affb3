"""Configuration: one typed definition, found by walking up from the
schema, validated with errors that name the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.core.config import (
    Config,
    ConfigError,
    describe_fields,
    find_config,
    load_config,
    next_release,
    release_from_version,
)

SCHEMA = "##\n# @ping:\n#\n# Check. 'Now'.\n##\n{ 'command': 'ping' }\n"


def _tree(tmp_path: Path, config_name: str, config_text: str) -> Path:
    (tmp_path / config_name).write_text(config_text)
    sub = tmp_path / "qapi"
    sub.mkdir()
    schema = sub / "schema.json"
    schema.write_text(SCHEMA)
    return schema


def test_defaults() -> None:
    c = Config()
    assert c.preset == "recommended" and c.line_length == 70
    assert c.release is None and c.compat == {}


def test_every_field_documented() -> None:
    rows = describe_fields()
    keys = {k for k, _, _, _ in rows}
    assert {"preset", "select", "extend-select", "ignore", "per-file-ignores", "severity",
            "line-length", "release", "release-file", "roots", "include-root", "against",
            "history", "compat", "since-note-style", "stable-x-names"} == keys
    assert all(help_text for _, _, _, help_text in rows)


def test_pyproject_found_walking_up(tmp_path: Path) -> None:
    schema = _tree(tmp_path, "pyproject.toml",
                   '[tool.qapidoc]\npreset = "strict"\nline-length = 80\n'
                   'select = ["QD5"]\nroots = ["qapi/schema.json"]\n')
    c = find_config(str(schema))
    assert c.preset == "strict" and c.line_length == 80
    assert c.select == ("QD5",)
    assert c.roots == (str(tmp_path / "qapi" / "schema.json"),)
    assert c.source == str(tmp_path / "pyproject.toml")


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".qapidoc.yaml").write_text("preset: qemu\n")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_config(str(inner)).preset == "qemu"


@pytest.mark.parametrize("text", [
    '[ tool.qapidoc ]\npreset = "strict"\n',
    '[tool."qapidoc"]\npreset = "strict"\n',
    '[tool]\nqapidoc = { preset = "strict" }\n',
    'tool.qapidoc.preset = "strict"\n',
])
def test_pyproject_table_in_any_toml_spelling_is_found(tmp_path: Path, text: str) -> None:
    """Only the spelling ``[tool.qapidoc`` was recognised; the others were
    skipped and the defaults (or a configuration further up) used."""
    schema = _tree(tmp_path, "pyproject.toml", text)
    assert find_config(str(schema)).preset == "strict"


def test_pyproject_nested_too_deeply_is_a_config_error(tmp_path: Path) -> None:
    """Discovery parsed it without the guard load_config has: RecursionError."""
    schema = _tree(tmp_path, "pyproject.toml",
                   "[tool.qapidoc]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        find_config(str(schema))


def test_yaml(tmp_path: Path) -> None:
    schema = _tree(tmp_path, ".qapidoc.yaml",
                   "release: '10.1'\nseverity:\n  QD101: error\n"
                   "per-file-ignores:\n  'qapi/*.json': [QD3]\n"
                   "compat:\n  member-removed: error\n")
    c = find_config(str(schema))
    assert c.release == "10.1" and c.severity == {"QD101": "error"}
    assert c.per_file_ignores == {"qapi/*.json": ("QD3",)}
    assert c.compat == {"member-removed": "error"}


def test_no_config(tmp_path: Path) -> None:
    assert find_config(str(tmp_path)) == Config()


@pytest.mark.parametrize(("text", "needle"), [
    ("bogus: 1\n", "unknown key 'bogus'"),
    ("preset: loose\n", "preset: unknown preset 'loose'"),
    ("select: [QD999]\n", "select: unknown rule 'QD999'"),
    ("ignore: 5\n", "ignore: expected a list of strings"),
    ("severity: {QD101: fatal}\n", "severity.QD101: unknown severity 'fatal'"),
    ("severity: {NOPE: error}\n", "severity: unknown rule 'NOPE'"),
    ("line-length: many\n", "line-length: expected a whole number"),
    ("release: 10.1\n", "release: write the release as a string"),
    ("release: 'ten'\n", "release: expected a release such as 10.1"),
    ("compat: {x: loud}\n", "compat.x: unknown severity 'loud'"),
    ("compat: [x]\n", "compat: expected a table"),
    ("- a list\n", "must be a table"),
    ("key: [unclosed\n", "not valid YAML"),
])
def test_bad_values_name_key_and_file(tmp_path: Path, text: str,
                                      needle: str) -> None:
    path = tmp_path / ".qapidoc.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(str(path))
    assert needle in str(e.value)
    assert str(path) in str(e.value)


def test_bad_toml(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.qapidoc\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(str(path))


def test_cli_reports_config_error_exit_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, "pyproject.toml", "[tool.qapidoc]\nbogus = 1\n")
    assert main(["lint", str(schema)]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: unknown key 'bogus'" in err
    assert "Traceback" not in err


def test_cli_bad_selector_exit_2(tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, ".qapidoc.yaml", "preset: recommended\n")
    assert main(["lint", str(schema), "--select", "QX1"]) == 2
    assert "unknown rule 'QX1'" in capsys.readouterr().err
    assert main(["lint", str(schema), "--release", "eleven"]) == 2


def test_config_drives_lint(tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, ".qapidoc.yaml", "ignore: [QD101]\n")
    main(["lint", str(schema)])
    out = capsys.readouterr().out
    assert "QD301" in out and "QD101" not in out
    # The command line adds to the file's lists.
    main(["lint", str(schema), "--ignore", "sentence-spacing"])
    assert "QD301" not in capsys.readouterr().out


def test_per_file_ignores_and_severity(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, ".qapidoc.yaml",
                   "per-file-ignores: {'qapi/*.json': [QD301]}\n"
                   "severity: {since-missing: error}\n")
    assert main(["lint", str(schema), "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert '"QD301"' not in out
    assert '"severity": "error"' in out


@pytest.mark.parametrize(("version", "release"), [
    ("10.2.50", "11.0"), ("10.0.50", "10.1"), ("10.1.0", "10.1"),
    ("2.12.50", "3.0"), ("3.1.50", "4.0"), ("9.2.90", "10.0"), ("junk", None),
])
def test_release_from_version(version: str, release: str | None) -> None:
    assert release_from_version(version) == release


def test_next_release() -> None:
    assert next_release(10, 2) == (11, 0)
    assert next_release(10, 0) == (10, 1)


def test_release_file(tmp_path: Path) -> None:
    (tmp_path / "VERSION").write_text("10.2.50\n")
    (tmp_path / ".qapidoc.yaml").write_text("release-file: VERSION\n")
    c = find_config(str(tmp_path))
    assert c.development_release() == "11.0"
    assert c.with_overrides(release="10.2").development_release() == "10.2"


def test_release_file_unreadable(tmp_path: Path) -> None:
    (tmp_path / ".qapidoc.yaml").write_text("release-file: NOPE\n")
    with pytest.raises(ConfigError, match="release-file: cannot read"):
        find_config(str(tmp_path)).development_release()
