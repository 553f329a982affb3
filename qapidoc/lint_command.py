"""``qapidoc lint``: load schemas, run checks of a preset, report findings."""

from __future__ import annotations

import argparse
import sys

from .registry import PRESETS
from .source import diagnostic_sort_key


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("lint", help="check schemas and report findings")
    p.add_argument("schemas", nargs="+", metavar="SCHEMA")
    p.add_argument("--preset", choices=PRESETS, default="recommended",
                   help="set of rules to run (default: recommended)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .builder import load_schema
    from .report import format_text, summary

    findings = []
    files = 0
    unreadable = False
    for path in args.schemas:
        schema = load_schema(path)
        files += len(schema.modules) or 1
        if not schema.modules:
            unreadable = True
        for d in schema.diagnostics:
            from .registry import RULES

            r = RULES.get(d.code)
            if r is None or r.in_preset(args.preset):
                findings.append(d)
    findings.sort(key=diagnostic_sort_key)
    sys.stdout.write(format_text(findings, colour=sys.stdout.isatty()))
    sys.stderr.write(summary(findings, files) + "\n")
    if unreadable:
        return 2
    return 1 if findings else 0
