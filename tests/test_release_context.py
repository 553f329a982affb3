"""The release under development comes from the tree when not given: a
VERSION file next to or above the root schema (QEMU's 10.2.50 → 11.0),
and the summary says which release was used or that QD104 is off."""

from __future__ import annotations

from pathlib import Path

import pytest

from qapidoc.cli.app import main
from qapidoc.core.config import find_version_file

FUTURE = """\
##
# @ping:
#
# Since: 99.1
##
{ 'command': 'ping' }
"""


def _tree(tmp_path: Path, version: str | None) -> Path:
    (tmp_path / "qapi").mkdir()
    schema = tmp_path / "qapi" / "schema.json"
    schema.write_text(FUTURE)
    if version is not None:
        (tmp_path / "VERSION").write_text(version + "\n")
    return schema


def test_since_from_the_future_is_found_with_a_version_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, "10.2.50")
    assert main(["lint", str(schema)]) == 1
    out = capsys.readouterr()
    assert "error[QD104] Since: 99.1 is later than the release under development, 11.0" in out.out
    assert "Release under development: 11.0 (from " in out.err
    assert "VERSION)" in out.err


def test_release_option_wins_over_the_version_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = _tree(tmp_path, "10.2.50")
    main(["lint", "--release", "99.1", str(schema)])
    out = capsys.readouterr()
    assert "QD104" not in out.out
    assert "Release under development: 99.1 (from --release)" in out.err


def test_without_a_release_the_summary_says_the_rule_is_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()  # the search stops at the repository's top
    schema = _tree(tmp_path, None)
    assert main(["lint", str(schema)]) == 0
    err = capsys.readouterr().err
    assert "No release under development known" in err and "QD104 off" in err


def test_version_file_search(tmp_path: Path) -> None:
    schema = _tree(tmp_path, "10.1.0")
    assert find_version_file(str(schema)) == ("10.1", str(tmp_path / "VERSION"))
    (tmp_path / "VERSION").write_text("not a version\n")
    (tmp_path / ".git").mkdir()
    assert find_version_file(str(schema)) is None


OLD_STYLE = """\
##
# @ping:
#
# Check that the monitor answers.  A line of documentation that runs past seventy columns.
#
# Returns: nothing
#
# Since: 9.0
##
{ 'command': 'ping' }
"""


@pytest.mark.parametrize(("version", "off"), [
    ("10.1.50", []),                    # the tree of 10.2: its checker has both
    ("10.1.0", ["QA302"]),               # a 10.1 stable tree: no line limit yet
    ("8.2.0", ["QA210", "QA302"]),
])
def test_a_release_is_held_to_its_own_checker(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str,
        off: list[str]) -> None:
    """Checks QEMU's checker gained after the release under development are
    off, and the summary names them; --select keeps a check on."""
    (tmp_path / "qapi").mkdir()
    schema = tmp_path / "qapi" / "schema.json"
    schema.write_text(OLD_STYLE)
    (tmp_path / "VERSION").write_text(version + "\n")
    main(["lint", "--preset", "qemu", "--output-format", "concise", str(schema)])
    out = capsys.readouterr()
    found = {code for code in ("QA210", "QA302") if code in out.out}
    assert found == {"QA210", "QA302"} - set(off)
    if off:
        named = out.err.split("did not hold its schema to them: ", 1)[1]
        assert all(code in named for code in off), out.err
    else:
        assert "did not hold" not in out.err
    main(["lint", "--preset", "qemu", "--select", "QA302", str(schema)])
    assert "QA302" in capsys.readouterr().out


def test_qemu_releases_pass_their_own_checker(capsys: pytest.CaptureFixture[str]) -> None:
    """Each released schema, linted as its release, meets the checker of
    that release (which built it): the qemu preset finds nothing."""
    from tests.conftest import need_releases

    releases = need_releases()
    for release in sorted(p.name for p in releases.iterdir()):
        schema = releases / release / "qapi" / "qapi-schema.json"
        major_minor = ".".join(release.split(".")[:2])
        rc = main(["lint", "--preset", "qemu", "--no-config", "--release", major_minor,
                   str(schema)])
        out = capsys.readouterr()
        assert rc == 0 and "No findings" in out.err, (release, out.out[:2000])


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                   cwd=repo, check=True, capture_output=True)


def test_against_auto_compares_with_the_last_release_tag(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``--against auto`` (or ``against: auto``): the root schema at the git
    tag of the last release before the one under development."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("needs git")
    old = "##\n# @ping:\n#\n# Since: 9.0\n##\n{ 'command': 'ping' }\n"
    (tmp_path / "qapi").mkdir()
    schema = tmp_path / "qapi" / "schema.json"
    schema.write_text(old)
    (tmp_path / "VERSION").write_text("9.0.0\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "9.0")
    for tag in ("v8.2.0", "v9.0.0", "v9.1.0-rc0"):
        _git(tmp_path, "tag", tag)
    (tmp_path / "VERSION").write_text("9.0.50\n")
    schema.write_text(old + "\n##\n# @pong:\n#\n# Answer.\n##\n{ 'command': 'pong' }\n")
    monkeypatch.chdir(tmp_path.parent)  # the tag is found from the schema's place
    assert main(["lint", "--select", "QD101", "--against", "auto", str(schema)]) == 1
    out = capsys.readouterr()
    assert "command 'pong' has no 'Since:' section; it is new in 9.1" in out.out
    assert "Compared with v9.0.0 (--against auto)." in out.err
    (tmp_path / ".qapidoc.yaml").write_text("against: auto\n")
    assert main(["lint", "--select", "QD101", str(schema)]) == 1
    assert "it is new in 9.1" in capsys.readouterr().out
    (tmp_path / "VERSION").write_text("8.1.50\n")  # no release tag before 8.2
    assert main(["lint", "--select", "QD101", str(schema)]) == 2
    assert "no release tag before 8.2" in capsys.readouterr().err


def test_house_style_of_a_later_release_is_not_asked_of_an_older_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """QEMU reformatted its doc comments for 8.1 (four-space continuations,
    a blank line between descriptions): a 7.2 tree is not held to that, and
    --fix rewraps it in its own style, continuations under the text."""
    text = ("##\n# @ping:\n#\n# @verbose: whether to say more about it\n"
            "#           than needed\n"
            "# @count: how many times to say it, a description that is long enough to wrap\n"
            "#\n# Since: 7.0\n##\n"
            "{ 'command': 'ping', 'data': { '*verbose': 'bool', '*count': 'int' } }\n")
    schema = tmp_path / "s.json"
    schema.write_text(text)
    main(["lint", "--no-config", "--output-format", "concise", str(schema)])
    out = capsys.readouterr().out
    assert "QD303" in out and "QD305" in out
    main(["lint", "--no-config", "--release", "7.2", "--output-format", "concise", str(schema)])
    out = capsys.readouterr().out
    assert "QD303" not in out and "QD305" not in out
    main(["lint", "--no-config", "--release", "7.2", "--select", "QA302", "--fix", str(schema)])
    capsys.readouterr()
    assert ("# @count: how many times to say it, a description that is long enough\n"
            "#         to wrap\n") in schema.read_text()


def test_markup_and_features_a_release_did_not_have_are_not_asked_of_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before 5.2 doc comments were not rST (a dash line was a list item
    wherever it stood); before 6.2 there was no feature 'unstable' to give
    an x- name."""
    text = ("##\n# @x-ping:\n#\n# Check it, in cases such as:\n"
            "# - if it is late\n# - if it is early\n#\n# Since: 2.0\n##\n"
            "{ 'command': 'x-ping' }\n")
    schema = tmp_path / "s.json"
    schema.write_text(text)
    for release, expect in (("3.0", set()), ("5.2", {"QD304"}),
                            ("6.2", {"QD304", "QD501"})):
        main(["lint", "--no-config", "--release", release, "--output-format",
              "concise", str(schema)])
        out = capsys.readouterr().out
        assert {c for c in ("QD304", "QD501") if f"[{c}]" in out} == expect, (release, out)


def test_a_released_tree_without_version_file_is_named_by_its_directory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tarball's or a corpus's schemas (``qemu-8.2.0/qapi``, ``8.2.0/qapi``)
    have no VERSION file: the directory names the release, so it is held
    to its own checker, not to today's."""
    (tmp_path / ".git").mkdir()
    tree = tmp_path / "qemu-8.2.0" / "qapi"
    tree.mkdir(parents=True)
    schema = tree / "schema.json"
    schema.write_text(OLD_STYLE)
    main(["lint", "--preset", "qemu", "--output-format", "concise", str(schema)])
    out = capsys.readouterr()
    assert "Release under development: 8.2 (from the release its path names)" in out.err
    assert "QA210" not in out.out and "QA302" not in out.out


@pytest.mark.parametrize(("given", "release"), [("10.1.0", "10.1"), ("10.2.50", "11.0")])
def test_release_option_takes_qemu_version_numbers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, release: str) -> None:
    schema = _tree(tmp_path, None)
    main(["lint", "--release", given, str(schema)])
    assert f"Release under development: {release} (from --release)" in capsys.readouterr().err


def test_qemu_releases_lint_as_their_release_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Without --release, each release of the corpus is known by its
    directory: the default lint is that of its own time (tens of findings,
    not thousands)."""
    from tests.conftest import need_releases

    releases = need_releases()
    for release in sorted(p.name for p in releases.iterdir()):
        schema = releases / release / "qapi" / "qapi-schema.json"
        main(["lint", "--no-config", "--output-format", "concise", str(schema)])
        out = capsys.readouterr()
        major_minor = ".".join(release.split(".")[:2])
        assert f"Release under development: {major_minor} (from the release its path" \
            in out.err, out.err[-500:]
        assert len(out.out.splitlines()) < 100, (release, out.err[-300:])
