"""Pages of qapidoc's own docs that are generated from the code at build time.

``.. qapidoc-rules::`` renders `qapidoc.core.registry.RULES`, ``.. qapidoc-cli::``
the argparse parsers, ``.. qapidoc-config::`` the `qapidoc.core.config.Config`
fields, ``.. qapidoc-sphinx-config::`` the config values ``sphinx_ext``
registers, ``.. qapidoc-domain::`` the ``qapi`` domain's directives and
roles and ``.. qapidoc-allowlist::`` what schema doc text may contain
(`qapidoc.core.allowlist`).  Nothing here is committed as generated text, so the docs cannot drift.
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.parsing import nested_parse_to_nodes

# --------------------------------------------------------------------------
# Small node builders


def _table(header: Sequence[str], rows: Iterable[Sequence[nodes.Node | str]],
           widths: Sequence[int], classes: Sequence[str] = ()) -> nodes.table:
    """A docutils table; cells are text or ready-made nodes."""
    table = nodes.table(classes=["qapidoc-generated", *classes])
    group = nodes.tgroup(cols=len(header))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    head += _row(header)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def _row(cells: Sequence[nodes.Node | str]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        if isinstance(cell, str):
            entry += nodes.paragraph(cell, cell)
        elif isinstance(cell, nodes.Element) and not isinstance(
                cell, (nodes.paragraph, nodes.literal_block, nodes.bullet_list)):
            para = nodes.paragraph()
            para += cell
            entry += para
        else:
            entry += cell
        row += entry
    return row


def _literal(text: str) -> nodes.literal:
    return nodes.literal(text, text)


def _section(directive: SphinxDirective, title: str, target: str) -> nodes.section:
    """A section that ``:ref:`target``` links to, showing `title`."""
    section = nodes.section(ids=[target], names=[target])
    section += nodes.title(title, title)
    directive.state.document.note_explicit_target(section)
    return section


# --------------------------------------------------------------------------
# Rules


def _lexer_for(code: str) -> str:
    """``python`` (close enough to QAPI's syntax) unless it would emit an
    error token, which Sphinx turns into a warning; then ``text``."""
    from pygments.lexers import PythonLexer
    from pygments.token import Error

    if any(tok is Error for tok, _ in PythonLexer().get_tokens(code)):
        return "text"
    return "python"


def rule_anchor(code: str) -> str:
    """The HTML id of a rule's section (docutils lower-cases label ids)."""
    return nodes.make_id(f"rule-{code}")


def rule_lines(rule: Any) -> list[str]:
    """rST for one rule: a section titled ``CODE name``."""
    from qapidoc.core.registry import PRESETS

    title = f"{rule.code} {rule.name}"
    presets = ", ".join(p for p in PRESETS if rule.in_preset(p))
    lines = [f".. _rule-{rule.code}:", "", title, "-" * len(title), "",
             f":Severity: {rule.severity}",
             f":Presets: {presets}",
             f":Fixable: {'yes, with ``qapidoc lint --fix``' if rule.fixable else 'no'}",
             *([f":QEMU's checker: from {rule.qemu_from}; off when the release under "
                "development is older"] if rule.qemu_from else []),
             "", ".. rubric:: What it checks", "", rule.summary, ""]
    if rule.rationale:
        lines += [".. rubric:: Why it matters", "", rule.rationale, ""]
    if rule.practice:
        lines += [".. rubric:: What QEMU does", "", rule.practice, ""]
    for heading, code in (("Example", rule.bad), ("Use instead", rule.good)):
        if code:
            lines += [f".. rubric:: {heading}", "",
                      f".. code-block:: {_lexer_for(code)}", ""]
            lines += [f"   {line}" if line else "" for line in code.split("\n")]
            lines.append("")
    return lines


class RulesDirective(SphinxDirective):
    """``.. qapidoc-rules::`` — a summary table, then a section per rule."""

    option_spec: ClassVar[dict[str, Any]] = {"prefix": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        import qapidoc.lint  # noqa: F401  (registers the lint rules)
        from qapidoc.core import registry

        self.env.note_dependency(registry.__file__)
        prefix = self.options.get("prefix", "")
        rules = sorted((r for r in registry.RULES.values()
                        if r.code.startswith(prefix)), key=lambda r: r.code)
        if not rules:
            raise self.error(f"no rules with prefix {prefix!r}")
        rows = []
        for r in rules:
            ref = nodes.reference("", "", internal=True, refid=rule_anchor(r.code))
            ref += _literal(r.code)
            rows.append([ref, r.name, str(r.severity), r.preset,
                         "yes" if r.fixable else ""])
        table = _table(["Code", "Name", "Severity", "Smallest preset", "Fixable"],
                       rows, [8, 24, 8, 10, 6])
        lines: list[str] = []
        for r in rules:
            lines += rule_lines(r)
        content = StringList(lines, source=registry.__file__)
        body = nested_parse_to_nodes(self.state, content,
                                     allow_section_headings=True)
        return [table, *body]


# --------------------------------------------------------------------------
# Command line


def subcommands() -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """Command name → (parser, one-line help), in registration order."""
    from qapidoc.cli.app import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            return {name: (p, helps.get(name, ""))
                    for name, p in action.choices.items()}
    return {}


def _option_cell(action: argparse.Action) -> nodes.paragraph:
    para = nodes.paragraph()
    names = action.option_strings or [action.metavar or action.dest]
    for i, name in enumerate(names):
        if i:
            para += nodes.Text(", ")
        text = str(name)
        if action.option_strings and action.nargs != 0:
            metavar = action.metavar or action.dest.upper()
            if action.choices and not action.metavar:
                metavar = "{" + ",".join(map(str, action.choices)) + "}"
            text += f" {metavar}"
        para += _literal(text)
    return para


def _help_cell(action: argparse.Action) -> str:
    text = (action.help or "").replace("%(default)s", str(action.default))
    choices = [str(c) for c in action.choices or ()]
    if choices and action.metavar and not all(c in text for c in choices):
        text += f"; one of: {', '.join(choices)}"
    return text


def _usage(parser: argparse.ArgumentParser) -> str:
    """The usage line wrapped at 78 columns, whatever terminal builds the docs."""
    import os

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        return parser.format_usage().removeprefix("usage: ").strip()
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


class CLIDirective(SphinxDirective):
    """``.. qapidoc-cli:: [COMMAND]`` — usage, description, options and exit
    status of one subcommand, or a section per subcommand when none is given."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        import qapidoc.cli.app

        self.env.note_dependency(qapidoc.cli.app.__file__)
        commands = subcommands()
        if self.arguments:
            name = self.arguments[0]
            if name not in commands:
                raise self.error(f"unknown qapidoc command {name!r} "
                                 f"(known: {', '.join(commands)})")
            commands = {name: commands[name]}
        out: list[nodes.Node] = []
        for name, (parser, summary) in commands.items():
            section = _section(self, f"qapidoc {name}", f"cli-{name}")
            if summary:
                section += nodes.paragraph("", summary[0].upper() + summary[1:] + ".")
            usage = _usage(parser)
            section += nodes.literal_block(usage, usage, language="text")
            if parser.description:
                section += nodes.paragraph(parser.description, parser.description)
            rows = [[_option_cell(a), _help_cell(a)] for a in parser._actions
                    if not isinstance(a, argparse._HelpAction)
                    and a.help != argparse.SUPPRESS]
            if rows:
                section += _table(["Argument", "Meaning"], rows, [30, 70])
            if parser.epilog:
                for para in inspect.cleandoc(parser.epilog).split("\n\n"):
                    text = " ".join(para.split())
                    section += nodes.paragraph(text, text)
            out.append(section)
        return out


# --------------------------------------------------------------------------
# Configuration


class ConfigDirective(SphinxDirective):
    """``.. qapidoc-config::`` — every ``[tool.qapidoc]`` / ``.qapidoc.yaml`` key."""

    def run(self) -> list[nodes.Node]:
        from qapidoc.core import config

        self.env.note_dependency(config.__file__)
        rows = [[_literal(key), _literal(typ), _literal(default), text]
                for key, typ, default, text in config.describe_fields()]
        return [_table(["Key", "Type", "Default", "Meaning"], rows, [16, 18, 12, 54])]


def _rst_inline(directive: SphinxDirective, text: str) -> nodes.Node | str:
    """Help text written in rST (``literal``) as nodes; plain text as is."""
    if "`" not in text:
        return text
    parsed, _messages = directive.parse_inline(text)
    para = nodes.paragraph()
    para.extend(parsed)
    return para


class SphinxConfigDirective(SphinxDirective):
    """``.. qapidoc-sphinx-config::`` — the ``conf.py`` values of ``sphinx_ext``
    (every registered value whose name starts with ``qapi``)."""

    def run(self) -> list[nodes.Node]:
        # Sphinx keeps defaults and descriptions only in the private table;
        # sphinx_ext's own typed definition has the help texts.
        options: dict[str, Any] = getattr(self.config, "_options", {})
        try:
            from sphinx_ext.settings import DOMAIN_VALUES, describe

            helps = {name: text for name, _d, _r, text in describe()}
            helps.update(DOMAIN_VALUES)
        except ImportError:
            helps = {}
        rows = []
        for name in sorted(options):
            if not name.startswith("qapi"):
                continue
            opt = options[name]
            default = getattr(opt, "default", None)
            shown = "(computed)" if callable(default) else repr(default)
            text = getattr(opt, "description", "") or helps.get(name, "")
            rows.append([_literal(name), _literal(shown), _rst_inline(self, text)])
        if not rows:
            return [nodes.paragraph("", "sphinx_ext registers no configuration values.")]
        return [_table(["Name", "Default", "Meaning"], rows, [24, 20, 56])]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeio" else "a"


def _common_options(domain: Any) -> set[str]:
    """Options of the domain's base object directive, which all the others have."""
    import sphinx_ext.domain.directives

    base = getattr(sphinx_ext.domain.directives, "QAPIDescription", None)
    return set(getattr(base, "option_spec", None) or {})


class DomainDirective(SphinxDirective):
    """``.. qapidoc-domain::`` — the ``qapi`` domain's directives and roles."""

    def run(self) -> list[nodes.Node]:
        domain = self.env.get_domain("qapi")
        from sphinx.directives import ObjectDescription

        # Options every object directive has are described once, in prose.
        common = set(ObjectDescription.option_spec) | set(_common_options(domain))
        rows = []
        for name, cls in domain.directives.items():
            obj = domain.object_types.get(name)
            doc = (inspect.getdoc(cls) or "").split("\n\n")[0]
            meaning = (f"Describes {_article(str(obj.lname))} {obj.lname}." if obj
                       else " ".join(doc.split()))
            own = sorted(set(getattr(cls, "option_spec", None) or {}) - common)
            opts = nodes.paragraph()
            for i, o in enumerate(own):
                if i:
                    opts += nodes.Text(" ")
                opts += _literal(f":{o}:")
            rows.append([_literal(f".. qapi:{name}::"), opts, meaning])
        table = _table(["Directive", "Options", "Meaning"], rows, [26, 34, 40])
        shared = nodes.paragraph("", "Besides the options listed, every directive "
                                 "that describes something takes ")
        for i, o in enumerate(sorted(common)):
            if i:
                shared += nodes.Text(", ")
            shared += _literal(f":{o}:")
        shared += nodes.Text(".")
        role_rows = []
        for role in domain.roles:
            kinds = [str(o.lname) for o in domain.object_types.values() if role in o.roles]
            role_rows.append([_literal(f":qapi:{role}:"),
                              f"links to {_article(kinds[0]) if kinds else 'a'} "
                              + " / ".join(kinds)])
        roles = _table(["Role", "Meaning"], role_rows, [20, 80])
        return [table, shared, roles]


class AllowListDirective(SphinxDirective):
    """The allow-list of schema doc text: directives, roles, link schemes, nodes."""

    def run(self) -> list[nodes.Node]:
        from qapidoc.core import allowlist

        def names(items: Iterable[str]) -> nodes.paragraph:
            para = nodes.paragraph()
            for i, name in enumerate(sorted(items)):
                if i:
                    para += nodes.Text(", ")
                para += _literal(name)
            return para

        directive_rows = [[_literal(name), "any of its options" if options is None
                           else names(options)]
                          for name, options in sorted(allowlist.DIRECTIVES.items())]
        roles = sorted(r for r in allowlist.ROLES if r)
        rows = [
            ["Roles", names([*roles, *(f"{p}*" for p in allowlist.ROLE_PREFIXES),
                             "(the default role)"])],
            ["Link schemes", names(f"{scheme}:" for scheme in allowlist.SCHEMES)],
            ["Doctree nodes", names(n.rpartition(".")[2] for n in allowlist.NODES)],
            ["Nesting", f"at most {allowlist.MAX_NESTING} levels"],
            ["Line length", f"at most {allowlist.MAX_LINE:,} characters"],
        ]
        return [_table(["Directive", "Options"], directive_rows, [25, 75]),
                _table(["What", "Allowed"], rows, [20, 80])]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("qapidoc-rules", RulesDirective)
    app.add_directive("qapidoc-cli", CLIDirective)
    app.add_directive("qapidoc-config", ConfigDirective)
    app.add_directive("qapidoc-sphinx-config", SphinxConfigDirective)
    app.add_directive("qapidoc-domain", DomainDirective)
    app.add_directive("qapidoc-allowlist", AllowListDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
