"""``qapidoc rules``: list the checks, or explain one (``qapidoc rules QD101``).

Reads the one registry (`qapidoc.core.registry.RULES`) after importing the lint
rules, so the list, the explanations, the docs and SARIF agree.
"""

from __future__ import annotations

import argparse
import json
import sys

from qapidoc.cli.app import EXIT_OK, EXIT_STATUS, UsageError
from qapidoc.core.registry import PRESETS, RULES, Rule, find_rules
from qapidoc.core.rsttext import to_plain


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="list the checks or explain one",
                       epilog=EXIT_STATUS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("rule", nargs="?", metavar="RULE",
                   help="a code, code prefix or name to explain")
    p.add_argument("--preset", choices=PRESETS, default=None,
                   help="list only the rules this preset runs")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def _as_dict(r: Rule) -> dict[str, object]:
    return {"code": r.code, "name": r.name, "severity": str(r.severity),
            "preset": r.preset, "group": r.group, "fixable": r.fixable, "summary": r.summary,
            "rationale": r.rationale, "practice": r.practice, "example": r.bad,
            "use_instead": r.good, "qemu_from": r.qemu_from or None}


def explain(r: Rule) -> str:
    """The rule's page as plain text."""
    from textwrap import fill

    head = f"{r.code} {r.name}"
    lines = [head, "=" * len(head), "",
             f"Severity: {r.severity}.  Preset: {r.preset} and larger."
             + ("  Fixable with --fix." if r.fixable else ""),
             *([f"In QEMU's checker from {r.qemu_from}: off when the release under "
                "development is older."] if r.qemu_from else []), "",
             "What it checks:", fill(to_plain(r.summary), 76, initial_indent="    ",
                                     subsequent_indent="    ")]
    if r.rationale:
        lines += ["", "Why it matters:", fill(to_plain(r.rationale), 76,
                                               initial_indent="    ",
                                               subsequent_indent="    ")]
    if r.practice:
        lines += ["", "What QEMU does:", fill(to_plain(r.practice), 76,
                                               initial_indent="    ",
                                               subsequent_indent="    ")]
    for title, text in (("Example", r.bad), ("Use instead", r.good)):
        if text:
            lines += ["", f"{title}:", ""]
            lines += ["    " + t if t else "" for t in text.split("\n")]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from qapidoc.lint import load_rules

    load_rules()

    if args.rule:
        found = find_rules(args.rule)
        if not found:
            from qapidoc.core.config import suggest_rule

            raise UsageError(f"unknown rule '{args.rule}'{suggest_rule(args.rule)} "
                             "(see 'qapidoc rules')")
        if args.format == "json":
            sys.stdout.write(json.dumps([_as_dict(r) for r in found], indent=2)
                             + "\n")
        else:
            sys.stdout.write("\n".join(explain(r) for r in found))
        return EXIT_OK
    rules = sorted(RULES.values(), key=lambda r: r.code)
    if args.preset:
        rules = [r for r in rules if r.in_preset(args.preset)]
    if args.format == "json":
        sys.stdout.write(json.dumps([_as_dict(r) for r in rules], indent=2) + "\n")
        return EXIT_OK
    width = max((len(r.name) for r in rules), default=0)
    for r in rules:
        fix = "fix" if r.fixable else "   "
        sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity!s:<7}  "
                         f"{r.preset:<11}  {fix}  {to_plain(r.summary)}\n")
    return EXIT_OK
