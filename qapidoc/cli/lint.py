"""``qapidoc lint``: load schemas, run the configured checks, report findings.

Reads the configuration (``--config`` or the nearest file above the
schema), applies command-line overrides, runs `qapidoc.lint.run_lint` per
root schema and writes the chosen format.  Also ``--fix``, baselines and
the pre-commit mode.  Exit: 0 clean, 1 findings at or above --fail-on,
2 usage error or unreadable input.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from qapidoc.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from qapidoc.core.registry import PRESETS
from qapidoc.core.report import FORMATS

if TYPE_CHECKING:
    from qapidoc.core.config import Config
    from qapidoc.core.source import Diagnostic
    from qapidoc.lint.engine import LintResult, Version
    from qapidoc.schema.model import Schema

EPILOG = """\
Exit status: 0 no findings (at or above --fail-on), 1 findings, 2 usage
error, bad configuration or unreadable input.  --format json prints an array
of objects with path, line, column, code, name, severity, message,
definition, member (null when not applicable) and fixable.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("lint", help="check schemas and report findings",
                       epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("schemas", nargs="*", metavar="SCHEMA",
                   help="root schema files (default: 'roots' from the "
                   "configuration); with --pre-commit, the files to report on")
    p.add_argument("--preset", choices=PRESETS, default=None,
                   help="set of rules to run (default: recommended)")
    p.add_argument("--select", action="append", default=[], metavar="RULES",
                   help="also run these rules (codes, prefixes or names, "
                   "comma-separated)")
    p.add_argument("--ignore", action="append", default=[], metavar="RULES",
                   help="do not run these rules")
    p.add_argument("--config", metavar="FILE",
                   help="configuration file (default: the nearest "
                   "pyproject.toml with [tool.qapidoc] or .qapidoc.yaml "
                   "above the schema)")
    p.add_argument("--release", metavar="X.Y",
                   help="the release under development")
    p.add_argument("--against", metavar="SCHEMA",
                   help="the previous release's schema (a path or "
                   "git:REF:PATH) to check version notes against")
    p.add_argument("--history", action="append", default=[],
                   metavar="VERSION=SCHEMA",
                   help="an earlier release's schema (a path or git:REF:PATH); "
                   "repeat for each release: Since tags and since notes must "
                   "name the first release having the item")
    p.add_argument("--line-length", type=int, default=None, metavar="N",
                   help="longest documentation line (default: 70)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default: text)")
    p.add_argument("--statistics", action="store_true",
                   help="also print the number of findings per rule")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when there are findings")
    p.add_argument("--fail-on", choices=("error", "warning", "info"),
                   default="info",
                   help="lowest severity that makes the exit status 1 "
                   "(default: info)")
    p.add_argument("--fix", action="store_true",
                   help="rewrite the files to fix what can be fixed "
                   "mechanically, then report what is left")
    p.add_argument("--baseline", metavar="FILE",
                   help="report only findings not recorded in FILE")
    p.add_argument("--write-baseline", metavar="FILE",
                   help="record the current findings in FILE and exit 0")
    p.add_argument("--pre-commit", action="store_true",
                   help="lint the configured root schemas, reporting only "
                   "findings in the SCHEMA files given")
    p.set_defaults(run=run)


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def _configure(args: argparse.Namespace, start: str) -> Config:
    from qapidoc.core.config import ConfigError, check_selector, find_config, load_config

    try:
        config = load_config(args.config) if args.config else find_config(start)
        select, ignore = _split(args.select), _split(args.ignore)
        for sel in (*select, *ignore):
            check_selector(sel, "command line")
        if args.release is not None:
            from qapidoc.core.config import config_from_mapping

            config_from_mapping({"release": args.release}, "--release")
        if args.line_length is not None and args.line_length < 20:
            raise ConfigError("--line-length: expected at least 20")
        history = None
        if args.history:
            from qapidoc.core.config import config_from_mapping

            pairs = {}
            for item in args.history:
                version, sep, spec = item.partition("=")
                if not sep or not spec:
                    raise ConfigError(f"--history: expected VERSION=SCHEMA, got '{item}'")
                pairs[version.strip()] = os.path.abspath(spec) if not spec.startswith(
                    "git:") else spec
            history = {**config.history,
                       **config_from_mapping({"history": pairs}, "--history").history}
        return config.with_overrides(
            history=history,
            preset=args.preset, release=args.release, against=args.against,
            line_length=args.line_length,
            select=config.select + select if select else None,
            ignore=config.ignore + ignore if ignore else None)
    except ConfigError as e:
        raise UsageError(str(e)) from None


def _load(path: str) -> Schema:
    from qapidoc.schema.builder import load_schema
    from qapidoc.schema.gitsource import GitSpecError

    try:
        return load_schema(path)
    except GitSpecError as e:
        raise UsageError(str(e)) from None


def _against(config: Config) -> Schema | None:
    if not config.against:
        return None
    schema = _load(config.against)
    if not schema.modules:
        why = "; ".join(d.message for d in schema.diagnostics[:1])
        raise UsageError(f"cannot read --against schema {config.against}: {why}")
    return schema


def _release(config: Config, against: Schema | None,
             paths: list[str]) -> tuple[Version | None, str]:
    """The release under development and where it came from: --release or
    the configuration, else a VERSION file above the first root schema,
    else the release after the --against schema's newest version."""
    from qapidoc.core.config import ConfigError, find_version_file
    from qapidoc.lint.engine import parse_version

    try:
        text = config.development_release()
    except ConfigError as e:
        raise UsageError(str(e)) from None
    if text is not None:
        origin = ("--release" if config.release else
                  os.path.relpath(config.release_file or ""))
        return parse_version(text), origin
    local = [p for p in paths if not p.startswith("git:")]
    found = find_version_file(local[0]) if local else None
    if found is not None:
        return parse_version(found[0]), os.path.relpath(found[1])
    if against is None:
        return None, ""
    from qapidoc.lint.versions import infer_release

    return infer_release(against), "the release after --against"


def _release_note(release: Version | None, origin: str, config: Config) -> str:
    """What the summary says about the release under development."""
    from qapidoc.lint.engine import enabled_codes, show_version

    if release is not None:
        return f" Release under development: {show_version(release)} (from {origin})."
    needing = sorted({"QD104"} & enabled_codes(config))
    if not needing:
        return ""
    return (f" No release under development known (--release, 'release' or a "
            f"VERSION file above the schema): {', '.join(needing)} off.")


def _history(config: Config) -> list[tuple[str, Schema]]:
    """The configured earlier releases' schemas, oldest first."""
    from qapidoc.compat.history import release_key

    out = []
    for version in sorted(config.history, key=lambda v: release_key(v) or (0, 0)):
        spec = config.history[version]
        schema = _load(spec)
        if not schema.modules:
            why = "; ".join(d.message for d in schema.diagnostics[:1])
            raise UsageError(f"cannot read the {version} schema {spec}: {why}")
        out.append((version, schema))
    return out


def _lint_one(path: str, config: Config, release: Version | None,
              against: Schema | None, history: list[tuple[str, Schema]]
              ) -> tuple[Schema, LintResult]:
    from qapidoc.lint import run_lint

    schema = _load(path)
    return schema, run_lint(schema, config, release=release, against=against,
                            history=history)


def _fix(path: str, config: Config, release: Version | None,
         against: Schema | None, history: list[tuple[str, Schema]]) -> list[Diagnostic]:
    from qapidoc.lint.fix import fix_until_stable

    def once() -> tuple[LintResult, dict[str, str]]:
        schema, result = _lint_one(path, config, release, against, history)
        return result, {f.path: f.text for f in schema.files}

    def write(file: str, text: str) -> None:
        with open(file, "w", encoding="utf-8", newline="") as f:
            f.write(text)

    return fix_until_stable(once, write)


def run(args: argparse.Namespace) -> int:
    from qapidoc.core.report import format_text, statistics, summary
    from qapidoc.core.source import Severity, diagnostic_sort_key

    paths = list(args.schemas)
    start = paths[0] if paths and not args.pre_commit else os.getcwd()
    if paths and paths[0].startswith("git:"):
        start = os.getcwd()
    config = _configure(args, start)
    report_only: set[str] | None = None
    if args.pre_commit or not paths:
        if not config.roots:
            where = config.source or "no configuration file found"
            raise UsageError(
                "no schema given and no 'roots' configured "
                f"({where}); name the root schema(s) in [tool.qapidoc] "
                "roots or on the command line")
        if args.pre_commit:
            report_only = {os.path.abspath(p) for p in paths}
        paths = list(config.roots)
    if args.fix and any(p.startswith("git:") for p in paths):
        raise UsageError("--fix needs schema files, not git:REF:PATH")
    against = _against(config)
    release, origin = _release(config, against, paths)
    history = _history(config)

    fixed: list[Diagnostic] = []
    findings: list[Diagnostic] = []
    schemas: list[Schema] = []
    files = 0
    unreadable = False
    for path in paths:
        if args.fix:
            fixed.extend(_fix(path, config, release, against, history))
        schema, result = _lint_one(path, config, release, against, history)
        schemas.append(schema)
        files += len(schema.modules) or 1
        if not schema.modules:
            unreadable = True
        findings.extend(result.diagnostics)
    findings.sort(key=diagnostic_sort_key)
    if report_only is not None:
        known = {os.path.abspath(f.path) for s in schemas for f in s.files}
        for p in sorted(report_only - known):
            sys.stderr.write(f"qapidoc: note: {os.path.relpath(p)} is not part "
                             "of the configured root schemas; not checked\n")
        findings = [d for d in findings
                    if os.path.abspath(d.location.path) in report_only]

    if args.write_baseline:
        from qapidoc.lint.baseline import write_baseline

        n = write_baseline(args.write_baseline, findings)
        sys.stderr.write(f"Recorded {len(findings)} findings ({n} keys) in "
                         f"{args.write_baseline}.\n")
        return EXIT_USAGE if unreadable else EXIT_OK
    if args.baseline:
        from qapidoc.core.config import ConfigError
        from qapidoc.lint.baseline import filter_new, read_baseline

        try:
            recorded = read_baseline(args.baseline)
        except ConfigError as e:
            raise UsageError(str(e)) from None
        findings = filter_new(findings, recorded, args.baseline)

    for d in fixed:
        sys.stderr.write(f"{d.location}: fixed {d.code} {d.message}\n")
    out = sys.stdout
    fmt = args.format
    if fmt == "text":
        colour = out.isatty() and not os.environ.get("NO_COLOR")
        out.write(format_text(findings, colour=colour))
    elif fmt == "json":
        from qapidoc.core.report import format_json

        out.write(format_json(findings))
    elif fmt == "sarif":
        from qapidoc import __version__
        from qapidoc.core.report import format_sarif

        out.write(format_sarif(findings, __version__))
    elif fmt == "github":
        from qapidoc.core.report import format_github, github_summary

        out.write(format_github(findings))
        step = os.environ.get("GITHUB_STEP_SUMMARY")
        if step:
            with open(step, "a", encoding="utf-8") as f:
                f.write(github_summary(findings, files))
    else:
        from qapidoc.core.report import format_junit

        out.write(format_junit(findings, paths))
    if args.statistics:
        (out if fmt == "text" else sys.stderr).write(statistics(findings))
    text = summary(findings, files) + _release_note(release, origin, config)
    if fixed:
        text += f" Fixed {len(fixed)}."
    sys.stderr.write(text + "\n")
    if unreadable:
        return EXIT_USAGE
    if args.exit_zero:
        return EXIT_OK
    floor = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(d.severity >= floor for d in findings) else EXIT_OK
