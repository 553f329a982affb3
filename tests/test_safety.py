"""Hostile doc text (issue 9): every class in several spellings, through lint,
``qapidoc build`` and a Sphinx project.  Whatever the spelling, nothing from
outside the schema text reaches the site, no script, ``javascript:`` link or
redirect is published, lint and the build report the same lines, and the
exit status says the input was rejected."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qapidoc.core.allowlist import (
    MAX_LINE,
    MAX_NESTING,
    link_problem,
    may_drop,
    nesting_depth,
    safe_id,
)
from tests.lint_support import lint_text
from tests.safety_support import (
    CANARY,
    Run,
    definition,
    doc_comment,
    no_traceback,
    run_build,
    run_lint,
    run_sphinx,
    site_problems,
    write_schema,
)

UP = "../" * 8
"""Enough ``..`` to reach / from any page of a build in a temporary directory."""
NEAR = "../../secret.txt"
"""The secret beside the schema directory, from the Sphinx test project's pages."""


def _grid_table(cell: str) -> list[str]:
    border = "+" + "-" * (len(cell) + 2) + "+---+"
    return [border, f"| {cell} | b |", border]


def hostile_cases() -> list[tuple[str, list[str]]]:
    """(name, doc text lines) of doc text the build must drop or neutralise:
    file names reach /etc/passwd (absolute `s`, through ``../`` `r`) and the
    secret file (`NEAR`).  Lines stay within QAPI's 70 columns."""
    s, r = "/etc/passwd", UP + "etc/passwd"
    image = [f".. image:: {r}", f".. IMAGE:: {s}", f".. image :: {r}",
             f".. image:: {NEAR}", ".. image:: https://evil.example/x.png"]
    cases: list[tuple[str, list[str]]] = [(f"image-{i}", [line]) for i, line in enumerate(image)]
    cases += [
        ("image-in-list", ["Text.", "", f"- .. image:: {r}", f"- item :download:`{r}`"]),
        ("image-in-enumerated", [f"1. .. image:: {r}"]),
        ("image-in-table", _grid_table(f".. image:: {r}")),
        ("download-in-grid", _grid_table(f":download:`{r}`")),
        ("image-in-simple-table", ["=====  ==========", "a      b", "=====  ==========",
                                   f"x      .. image:: {r}", "=====  =========="]),
        ("image-in-block-quote", ["Text.", "", f"    .. image:: {r}"]),
        ("image-in-note", [".. note::", "", f"   .. image:: {r}"]),
        ("image-in-admonition", [".. admonition:: Look", "", f"   .. figure:: {r}"]),
        ("image-in-field", [f":field: .. image:: {r}"]),
        ("image-in-definition", ["term", f"   .. image:: {r}"]),
        ("substitution", ["Look: |pic|.", "", f".. |pic| image:: {r}"]),
        ("substitution-spelled", ["Look: |pic2|.", "", f".. |pic2| IMAGE:: {s}"]),
        ("figure", [f".. figure:: {r}", "", "   caption"]),
        ("include", [f".. include:: {s}"]),
        ("include-near", [f".. include:: {NEAR}"]),
        ("download-near", [f"Get :download:`{NEAR}`."]),
        ("literalinclude", [f".. literalinclude:: {r}"]),
        ("raw", [".. raw:: html", "", "   <script>alert(1)</script>"]),
        ("raw-file", [".. raw:: html", f"   :file: {s}"]),
        ("csv-file", [".. csv-table:: t", f"   :file: {s}"]),
        ("csv-url", [".. csv-table:: t", f"   :url: file://{s}"]),
        ("meta", [".. meta::", "   :http-equiv=refresh: 0; url=https://evil.example"]),
        ("meta-in-note", [".. note::", "", "   .. META::",
                          "      :http-equiv=Refresh: 0; url=https://evil.example"]),
        ("toctree", [".. toctree::", "", "   Docs <javascript://%0aalert(1)>"]),
        ("role-directive", [".. role:: raw-html(raw)", "   :format: html", "",
                            "Then :raw-html:`<script>alert(2)</script>`."]),
        ("default-role", [".. default-role:: raw", "", "`<script>alert(3)</script>`"]),
        ("math", [".. math::", "", "   x^2"]),
        ("unknown-directive", [".. frobnicate:: x"]),
        ("download", [f"Get :download:`{r}`."]),
        ("download-upper", [f"Get :DOWNLOAD:`{r}`."]),
        ("download-suffix", [f"Get `{r}`:download:."]),
        ("download-split", ["Get :download:`the file", f"<{r}>` now."]),
        ("download-in-table", ["=====  ==========", "a      b", "=====  ==========",
                               f"x      :download:`{r}`", "=====  =========="]),
        ("raw-role", ["Text :raw:`<b>` and :raw-html:`<script>alert(4)</script>`."]),
        ("math-role", ["Text :math:`x^2`."]),
        ("named-target", ["See t1_.", "", ".. _t1: javascript:alert(5)"]),
        ("named-target-upper", ["See t2_.", "", ".. _t2: JaVaScRiPt:alert(6)"]),
        ("indirect-target", ["See t3_.", "", ".. _t3: t4_", "", ".. _t4: javascript:alert(7)"]),
        ("anonymous-target", ["See `here`__.", "", "__ javascript:alert(8)"]),
        ("anonymous-explicit", ["See `there`__.", "", ".. __: javascript:alert(9)"]),
        ("embedded", ["A `link <javascript:alert(10)>`_."]),
        ("embedded-anonymous", ["A `link <javascript:alert(11)>`__."]),
        ("embedded-split", ["A `link <java", "script:alert(12)>`__."]),
        ("embedded-data", ["A `link <data:text/html,x>`__ and `v <vbscript:msgbox(1)>`__."]),
        ("embedded-file", [f"A `link <file://{s}>`__."]),
        ("embedded-relative", [f"A `link <{r}>`__."]),
        ("link-in-list", ["- A `link <javascript:alert(13)>`__."]),
        ("link-in-note", [".. note:: A `link <javascript:alert(14)>`__."]),
        # Sphinx parses these as inline text; lint must too
        ("code-caption", [".. code-block:: c", "   :caption: `c <javascript:alert(21)>`__",
                          "", "   int x;"]),
        ("version-note-text", [".. versionadded:: 1.0 `v <javascript:alert(22)>`__"]),
        # in a definition a line of punctuation is no title: the directive runs
        ("directive-after-rule", ["Text.", "", "*" * 20, f".. include:: {s}"]),
        # shown reversed: a reader would copy something else than they read
        ("bidi-override", ["Copy ``\u202e\"evil\": 1\u202c`` as shown."]),
        ("bidi-isolate-in-example", [".. qmp-example::", "",
                                     "   -> { \"execute\": \"\u2067x\u2069\" }"]),
    ]
    return cases


HARMLESS = [
    ("comment", [f".. Image  :: {UP}etc/passwd"]),  # two spaces: a comment
    ("text-html", ["Plain <script>alert(15)</script> and", "\"><img src=x onerror=alert(16)>."]),
    ("bare-uri", ["Bare javascript:alert(17) and data:text/html,x and", "http://ok.example."]),
    ("manpage", ["See :manpage:`ls(1)`."]),  # an allowed role: its node is allowed too
    ("class-option", [".. note::", "   :class: \"><img src=x onerror=alert(18)>", "",
                      "   Fine."]),
    ("code-language", [".. code-block:: \"><i>alert(24)", "", "   int x;", "",
                       ".. highlight:: javascript:alert(25)", "", "::", "", "   y"]),
    ("allowed", [".. note::", "", "   A `web <https://www.qemu.org>`__ link, **bold**,",
                 "   ``code`` and :ref:`genindex`.", "", ".. code-block:: c", "", "   int x;"]),
]


def hostile_schema(root: Path) -> tuple[Path, dict[str, range]]:
    """One schema with every case (plus headings and a hostile Since); the
    schema lines of each case's doc text."""
    chunks = [doc_comment([f"= Hostile :download:`{NEAR}`", "",
                           "== Link `heading <javascript:alert(19)>`__", "",
                           "Intro <b>text</b>."]),
              # no title here (the text line is not between two adornments):
              # the build parses the directive, so lint must too
              doc_comment(["*" * 10, f".. include:: {NEAR}", "Text", "*" * 10]),
              # the text right under a '= Title' heading is a paragraph of its own
              doc_comment(["== Second", "Link `l <javascript:alert(23)>`__."])]
    cases = [*hostile_cases(), *HARMLESS]
    chunks += [definition(f"case-{n}", body) for n, (_name, body) in enumerate(cases)]
    chunks.append(definition("since-case", ["Text."], since='1.0"><img src=x onerror=alert(20)>'))
    schema = write_schema(root / "schema", chunks)
    lines = schema.read_text().splitlines()
    where = {}
    for n, (name, body) in enumerate(cases):
        first = lines.index(f"# @case-{n}:") + 3
        where[name] = range(first, first + len(body))
    return schema, where


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, range], Run, Run,
                                                              Run]:
    root = tmp_path_factory.mktemp("hostile")
    schema, where = hostile_schema(root)
    lint = run_lint(schema)
    build = run_build(schema, root / "site")
    sphinx = run_sphinx(schema, root / "sphinx")
    return root, where, lint, build, sphinx


def test_no_site_publishes_anything_hostile(runs: tuple[Path, dict[str, range], Run, Run,
                                                         Run]) -> None:
    root, _where, lint, build, sphinx = runs
    assert no_traceback(lint, build, sphinx)
    for site in (root / "site", root / "sphinx" / "out"):
        assert (site / "index.html").exists()
        assert site_problems(site) == []


def test_every_hostile_case_is_reported_by_lint_and_the_builds_alike(
        runs: tuple[Path, dict[str, range], Run, Run, Run]) -> None:
    _root, where, lint, build, sphinx = runs
    reported = lint.lint_lines()
    harmless = dict(HARMLESS)
    wrong = [name for name, lines in where.items()
             if bool(reported & set(lines)) == (name in harmless)]
    assert wrong == []
    assert build.unsafe_lines() == reported
    assert sphinx.unsafe_lines() == reported


def test_exit_status_says_the_doc_text_was_rejected(
        runs: tuple[Path, dict[str, range], Run, Run, Run]) -> None:
    _root, _where, lint, build, sphinx = runs
    assert (lint.status, build.status, sphinx.status) == (1, 1, 1)


def test_harmless_text_is_kept_escaped(runs: tuple[Path, dict[str, range], Run, Run,
                                                    Run]) -> None:
    root = runs[0]
    page = (root / "site" / "index.html").read_text()
    assert "&lt;script&gt;alert(15)&lt;/script&gt;" in page
    assert 'href="https://www.qemu.org"' in page
    assert "Intro &lt;b&gt;text&lt;/b&gt;." in page
    assert "Bare javascript:alert(17)" in page  # shown, not linked
    # the hostile Since is shown escaped on its badge; the changes page
    # files the definition under the version the Since starts with
    assert 'since 1.0&quot;&gt;&lt;img src=x onerror=alert(20)&gt;' in page
    changes = (root / "site" / "changes.html").read_text()
    assert "Version 1.0<" in changes and "<img src=x" not in changes
    # a code block's language becomes a class: made a safe token like any other
    assert 'class="highlight-_x22__x3e__x3c_i_x3e_alert_x28_24_x29_ notranslate"' in page
    assert 'class="highlight-javascript_x3a_alert_x28_25_x29_ notranslate"' in page


def test_a_heading_with_a_role_is_a_finding_not_a_traceback(
        runs: tuple[Path, dict[str, range], Run, Run, Run]) -> None:
    _root, _where, lint, build, sphinx = runs
    assert "KeyError" not in build.err + sphinx.err
    assert 2 in lint.lint_lines() and 2 in build.unsafe_lines() and 2 in sphinx.unsafe_lines()


@pytest.mark.parametrize("deep", [[("  " * i) + "- x" for i in range(200)],
                                  ["- " * 200 + "x"], [" " * i + "x" for i in range(300)]])
def test_deep_nesting_is_a_finding_within_seconds(tmp_path: Path, deep: list[str]) -> None:
    schema = write_schema(tmp_path / "s", [definition("deep", deep)])
    started = time.monotonic()
    lint = run_lint(schema, "--preset", "strict")
    sphinx = run_sphinx(schema, tmp_path / "sphinx")
    assert time.monotonic() - started < 8  # two processes' start-up included
    assert no_traceback(lint, sphinx) and "RecursionError" not in sphinx.err
    assert lint.status == 1 and sphinx.status == 1
    assert lint.lint_lines() == sphinx.unsafe_lines() != set()
    assert f"at most {MAX_NESTING}" in lint.out


def test_invalid_definition_name_fails_the_sphinx_build_escaped(tmp_path: Path) -> None:
    schema = write_schema(tmp_path / "s", [
        doc_comment(['@x"><img src=x onerror=alert(1)>:', "", "Text.", "", "Since: 1.0"]),
        "{ 'command': 'x\"><img src=x onerror=alert(1)>' }"])
    sphinx = run_sphinx(schema, tmp_path / "sphinx")
    assert sphinx.status == 1 and "ERROR" in sphinx.err
    assert site_problems(tmp_path / "sphinx" / "out") == []
    build = run_build(schema, tmp_path / "site")
    assert build.status == 1 and "nothing built" in build.err
    assert run_lint(schema, "--preset", "recommended").status == 1


# -- the allow-list's pieces -----------------------------------------------------------


def test_safe_id_keeps_qapi_names_and_escapes_the_rest() -> None:
    assert safe_id("blockdev-add") == "blockdev-add"
    assert safe_id("__org.qemu_x-Foo") == "__org.qemu_x-Foo"
    assert safe_id('1.0"><img') == "1.0_x22__x3e__x3c_img"
    assert safe_id("") == ""


@pytest.mark.parametrize("uri", ["javascript:alert(1)", " JavaScript:x", "java\nscript:x",
                                 "\x01javascript:x", "data:text/html,x", "vbscript:x",
                                 "file:///etc/passwd", "//evil.example", "../x.html",
                                 "\\\\evil.example"])
def test_links_outside_the_allow_list(uri: str) -> None:
    assert link_problem(uri) is not None


@pytest.mark.parametrize("uri", ["https://qemu.org", "HTTP://x", "mailto:a@b.c", "#anchor"])
def test_links_on_the_allow_list(uri: str) -> None:
    assert link_problem(uri) is None
    assert link_problem("other.html#x", {"other.html"}) is None


def test_nesting_depth_counts_indentation_and_markers() -> None:
    assert nesting_depth(["Text."])[0] == 1
    assert nesting_depth(["- - - x"])[0] == 4
    assert nesting_depth([("  " * i) + "- x" for i in range(50)]) == (51, 49)


def test_lint_parses_only_doc_text_that_may_drop_something() -> None:
    assert not may_drop("Plain text with `Name`, @member and :ref:`x`...  See http://x.")
    assert not may_drop(".. note::\n\n   Text.\n\n.. qmp-example::\n\n   -> { }")
    for text in (".. image:: x", "- .. IMAGE :: x", "| .. image:: x |", ":download:`x`",
                 "`x`:download:", ".. _t: javascript:x", "__ javascript:x",
                 "`x <javascript:y>`_", ".. |x| image:: y", ".. csv-table:: t",
                 "a      .. image:: x"):
        assert may_drop(text), text
    assert CANARY  # the secret's marker is what the site checks look for


RUN = 60_000


@pytest.mark.parametrize("line", [
    "since" + " " * RUN + "x",                 # a bare note's separator
    "(Since" + " " * RUN + "x)",               # a parenthesised note's
    "(default: 0, since" + "\t" * RUN + "x)",  # a trailing one's
    "Said.  Since" + " " * RUN + "x",          # a sentence note's
    "Since 1.1" + " " * RUN + "x",             # a misspelt Since: section's end
    "Since" + " " * RUN + ":" + " " * RUN + "x",
    ".. " + "." * RUN + " Next",               # sentence spacing: one long word
    "a" * RUN + ". Next",
])
def test_long_runs_in_doc_text_are_linted_in_linear_time(line: str) -> None:
    """Regular expressions over doc text must not backtrack quadratically:
    a line of 60,000 spaces after 'since' took minutes."""
    text = ("##\n# @ping:\n#\n# @arg: " + line + "\n#\n# " + line
            + "\n#\n# Since: 9.0\n##\n{ 'command': 'ping', 'data': { '*arg': 'int' } }\n")
    started = time.monotonic()
    lint_text(text, preset="strict")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("unit", ["`", "*", "-"])
def test_a_line_too_long_to_parse_is_a_finding_not_minutes(tmp_path: Path, unit: str) -> None:
    """docutils' inline parser is quadratic in a line's length on runs of
    markup characters (9,000 backquotes: 2 s a line, up to its own limit of
    10,000): lines over `MAX_LINE` are not handed to it."""
    lines = ["x " + unit * 9000 + " y"] * 8
    schema = write_schema(tmp_path / "s", [definition("long", lines)])
    started = time.monotonic()
    lint = run_lint(schema, "--preset", "strict")
    sphinx = run_sphinx(schema, tmp_path / "sphinx")
    assert time.monotonic() - started < 15  # before: about 35 s
    assert no_traceback(lint, sphinx)
    assert lint.status == 1 and sphinx.status == 1
    assert lint.lint_lines() == sphinx.unsafe_lines() != set()
    assert f"(at most {MAX_LINE})" in lint.out


def test_bidi_control_outside_doc_text_is_removed(tmp_path: Path) -> None:
    """A Since is shown as a badge and in the QAPI index, not parsed as doc
    text: its bidirectional control is removed there too, reported at the
    Since line, and the build fails."""
    schema = write_schema(tmp_path / "schema", [definition("ping", ["Text."],
                                                           since="1.0\u202e")])
    build = run_build(schema, tmp_path / "site")
    assert build.status == 1 and no_traceback(build)
    assert 6 in build.unsafe_lines()
    assert site_problems(tmp_path / "site") == []
    assert "since 1.0<" in (tmp_path / "site" / "index.html").read_text()
