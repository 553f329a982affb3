"""The project's own docs: they build with -W and say what the code does.

The rule reference, the CLI pages and the configuration table are generated
from the code; these tests check that every rule, option and key made it
onto the built pages, that Read the Docs' config is what CI builds, and that
the README's first command is the one the docs promise.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
sys.path.insert(0, str(DOCS / "_ext"))


def _text(page: Path) -> str:
    """Visible text of an HTML page, whitespace collapsed."""
    body = page.read_text(encoding="utf-8")
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.translate(SMART_QUOTES).split())


SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/ built exactly as CI and Read the Docs build it: warnings fail."""
    from sphinx.cmd.build import build_main

    out = tmp_path_factory.mktemp("docs")
    warnings = out / "warnings.txt"
    code = build_main(["-q", "-W", "--keep-going", "-w", str(warnings), "-b", "html",
                       "-d", str(out / "doctrees"), str(DOCS), str(out / "html")])
    assert code == 0, warnings.read_text(encoding="utf-8")
    return out / "html"


# -- generated reference pages --------------------------------------------------


def test_every_rule_has_a_section(site: Path) -> None:
    from qapidoc_docs import rule_anchor

    import qapidoc.lint  # noqa: F401  (registers the lint rules)
    from qapidoc.core.registry import RULES

    page = (site / "rules.html").read_text(encoding="utf-8")
    text = _text(site / "rules.html")
    assert len(RULES) > 20
    for rule in RULES.values():
        anchor = rule_anchor(rule.code)
        assert f'id="{anchor}"' in page, rule.code
        assert f"{rule.code} {rule.name}" in text
        assert f'href="#{anchor}"' in page  # from the summary table
    # A rule's example is rendered as code, not prose.
    example = next(r for r in RULES.values() if r.bad)
    first_line = example.bad.split("\n")[0]
    assert re.search(r'<div class="highlight-(python|text) notranslate">', page)
    assert first_line.split()[0] in text


def test_rule_texts_are_valid_rst() -> None:
    """Summaries and rationales are rST; a broken one would fail the docs."""
    import docutils.core

    import qapidoc.lint  # noqa: F401
    from qapidoc.core.registry import RULES

    for rule in RULES.values():
        for field in ("summary", "rationale"):
            stream = io.StringIO()
            docutils.core.publish_doctree(
                getattr(rule, field), settings_overrides={
                    "warning_stream": stream, "report_level": 2, "halt_level": 5})
            assert stream.getvalue() == "", f"{rule.code} {field}: {stream.getvalue()}"


def test_every_command_and_option_is_documented(site: Path) -> None:
    from qapidoc_docs import subcommands

    page = (site / "cli.html").read_text(encoding="utf-8")
    text = _text(site / "cli.html")
    commands = subcommands()
    assert {"lint", "rules", "build"} <= set(commands)
    for name, (parser, _help) in commands.items():
        assert f'id="cli-{name}"' in page, name
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            for option in action.option_strings:
                assert option in text, f"{name} {option}"
        if parser.epilog:
            assert " ".join(parser.epilog.split()[:6]) in text


def test_every_configuration_key_is_documented(site: Path) -> None:
    from qapidoc.core.config import describe_fields

    text = _text(site / "configuration.html")
    for key, _type, _default, help_text in describe_fields():
        assert key in text
        assert " ".join(help_text.split()[:5]) in text, key


def test_sphinx_page_lists_the_domain(site: Path) -> None:
    from sphinx_ext.domain import QAPIDomain

    text = _text(site / "sphinx.html")
    for name in QAPIDomain.directives:
        assert f".. qapi:{name}::" in text
    for role in QAPIDomain.roles:
        assert f":qapi:{role}:" in text
    from sphinx_ext.settings import describe

    for name, _default, _rebuild, help_text in describe():
        assert name in text
        assert " ".join(help_text.split()[:3]).replace("``", "") in text, name
    from sphinx_ext.settings import DOMAIN_VALUES

    for name, help_text in DOMAIN_VALUES.items():  # registered by the domain itself
        assert name in text
        assert " ".join(help_text.split()[:3]).replace("``", "") in text, name
    raw = html.unescape(re.sub(r"<[^>]+>", "", (site / "sphinx.html").read_text()))
    assert "intersphinx_mapping" in raw and ":qapi:cmd:`QMP:query-status`" in raw
    # The live example on that page is a real domain object with an anchor.
    assert 'id="qapi-guide.cmd-lamp-set"' in (site / "sphinx.html").read_text(encoding="utf-8")


# -- the rendered example schemas ----------------------------------------------


def test_harbor_example_has_a_page_per_module(site: Path) -> None:
    from qapidoc import load_schema

    schema = load_schema(str(REPO / "schemas" / "harbor" / "harbor-schema.json"))
    pages = {p.stem for p in (site / "examples" / "harbor").glob("*.html")}
    assert pages == {"index", "changes"} | {m.name for m in schema.modules[1:]}
    storage = (site / "examples" / "harbor" / "storage.html").read_text(encoding="utf-8")
    assert 'id="qapi-Harbor.cmd-volume-create"' in storage
    assert 'href="common.html#qapi-Harbor.obj-Label"' in storage


def test_docs_site_has_no_broken_links(site: Path) -> None:
    """Every internal link and every objects.inv entry of the docs site
    (built with -W above) names a page that exists and an id on it."""
    from tests.site_links import broken_inventory, broken_links

    checked, broken = broken_links(site)
    assert broken == [] and checked > 1000, (checked, broken[:20])
    entries, broken = broken_inventory(site)
    assert broken == [] and entries > 100, (entries, broken[:20])


def test_minimal_example_is_one_page(site: Path) -> None:
    page = (site / "examples" / "minimal.html").read_text(encoding="utf-8")
    assert 'id="qapi-Lamp.enum-LampColor"' in page


# -- configuration files and README ---------------------------------------------


def test_read_the_docs_config_builds_what_ci_builds() -> None:
    rtd = yaml.safe_load((REPO / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert rtd["version"] == 2
    assert rtd["build"]["os"].startswith("ubuntu")
    assert str(rtd["build"]["tools"]["python"]) == "3.11"
    assert rtd["python"]["install"] == [{"method": "pip", "path": ".",
                                         "extra_requirements": []}]
    assert rtd["sphinx"] == {"configuration": "docs/conf.py", "fail_on_warning": True}
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "-W" in ci and " docs docs/_build/html" in ci


def test_docs_need_nothing_beyond_the_base_install() -> None:
    """Read the Docs installs qapidoc without extras: the theme and every
    extension must come with Sphinx or qapidoc itself."""
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert 'html_theme = "alabaster"' in conf
    extensions = re.search(r"extensions = \[(.*?)\]", conf, re.S)
    assert extensions is not None
    names = re.findall(r'"([^"]+)"', extensions.group(1))
    assert names == ["sphinx_ext", "qapidoc_docs"]


def test_readme_first_command_builds_the_example_site() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert blocks[0].strip() == ("pip install . && qapidoc build "
                                 "schemas/harbor/harbor-schema.json -o _site && "
                                 'echo "open _site/index.html"')
    assert blocks[1].strip() == "pip install -e '.[test]' && python -m pytest"
    assert "## Documentation" in readme


def test_option_names_survive_copy_and_paste(site: Path) -> None:
    """No smart quotes: '--fail-on' stays two hyphens, not an en dash."""
    raw = (site / "cli.html").read_text(encoding="utf-8")
    assert "--fail-on" in raw and "--pre-commit" in raw and "--format" in raw
    assert "\u2013fail-on" not in raw and "\u2013pre-commit" not in raw


def test_both_pre_commit_recipes(site: Path) -> None:
    text = html.unescape(re.sub(r"<[^>]+>", "", (site / "pre-commit.html").read_text()))
    assert "repo: local" in text and "rev: v" in text and "id: qapidoc-lint" in text
