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

from qapidoc.cli.app import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_STATUS,
    EXIT_USAGE,
    ArgumentError,
    UsageError,
)
from qapidoc.cli.options import (
    add_config_options,
    add_fail_on,
    add_output_format,
    exit_status,
    read_config,
    unreadable,
)
from qapidoc.core.collector import cycles_off
from qapidoc.core.hints import TYPE_CHECKING
from qapidoc.core.inputs import real_path
from qapidoc.core.registry import PRESETS
from qapidoc.core.report import FORMATS

if TYPE_CHECKING:
    from qapidoc.core.config import Config
    from qapidoc.core.source import Diagnostic
    from qapidoc.lint.engine import LintResult, Version
    from qapidoc.schema.model import Schema
    from qapidoc.schema.roots import Target

EPILOG = f"""\
Rules: --select replaces the preset's rules, --extend-select adds to them,
--ignore removes; each takes codes, code prefixes or names, comma-separated.
A module file (one a root schema includes: a configured root, or the nearest
qapi-schema.json above it) is checked in its root's context and only its own
findings are shown (and fixed).  --format json prints an array of objects with path,
line, column, code, name, severity, message, definition, member (null when
not applicable), fixable and fingerprint.

{EXIT_STATUS}
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("lint", help="check schemas and report findings",
                       description="Check QAPI schemas and report every "
                       "finding: path:line:col: severity[CODE] message.",
                       epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("schemas", nargs="*", metavar="SCHEMA",
                   help="schema files: roots, or modules checked in their "
                   "root's context (default: 'roots' from the configuration); "
                   "with --pre-commit, the files to report on")
    p.add_argument("--preset", choices=PRESETS, default=None,
                   help="set of rules to run (default: recommended)")
    p.add_argument("--select", action="append", default=[], metavar="RULES",
                   help="run only these rules, instead of the preset's")
    p.add_argument("--extend-select", action="append", default=[],
                   metavar="RULES", help="also run these rules")
    p.add_argument("--ignore", action="append", default=[], metavar="RULES",
                   help="do not run these rules")
    add_config_options(p)
    p.add_argument("--release", metavar="X.Y",
                   help="the release under development")
    p.add_argument("--against", metavar="SCHEMA",
                   help="the previous release's schema (a path or "
                   "git:REF:PATH) to check version notes against; 'auto': "
                   "the schema at the git tag of the last release before the "
                   "one under development")
    p.add_argument("--history", action="append", default=[],
                   metavar="[VERSION=]SCHEMA",
                   help="an earlier release's schema (a path or git:REF:PATH); "
                   "repeat for each release: Since tags and since notes must "
                   "name the first release having the item.  Without VERSION=, "
                   "as for 'qapidoc history'")
    p.add_argument("--line-length", type=int, default=None, metavar="N",
                   help="longest documentation line (default: 70)")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default: text)")
    add_output_format(p)
    p.add_argument("--statistics", action="store_true",
                   help="print only the number of findings per rule")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when there are findings")
    add_fail_on(p, "warning")
    fix = p.add_mutually_exclusive_group()
    fix.add_argument("--fix", action="store_true",
                     help="rewrite the files to fix what can be fixed "
                     "mechanically, then report what is left")
    fix.add_argument("--diff", action="store_true",
                     help="print what --fix would change as a unified diff, "
                     "change nothing; exit 1 if anything would change")
    p.add_argument("--baseline", metavar="FILE",
                   help="report only findings not recorded in FILE")
    p.add_argument("--write-baseline", metavar="FILE",
                   help="record the current findings in FILE and exit 0")
    p.add_argument("--pre-commit", action="store_true",
                   help="report only findings in the SCHEMA files given, "
                   "each checked in the context of its root schema")
    p.set_defaults(run=run)


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(s.strip() for v in values for s in v.split(",") if s.strip())


def _configure(args: argparse.Namespace, start: str) -> Config:
    from qapidoc.core.config import ConfigError, check_selector, check_value

    config = read_config(args, start)
    try:
        select, extend, ignore = (_split(args.select), _split(args.extend_select),
                                  _split(args.ignore))
        for opt, sels in (("--select", select), ("--extend-select", extend),
                          ("--ignore", ignore)):
            for sel in sels:
                check_selector(sel, opt)
        release = args.release
        if release is not None:
            release = check_value("release", release, "--release")
        if args.line_length is not None:
            check_value("line_length", args.line_length, "--line-length")
        history = None
        if args.history:
            from qapidoc.cli.compat import release_arg
            from qapidoc.core.config import release_from_version

            pairs = {}
            for item in args.history:
                try:
                    version, spec = release_arg(item)
                except ValueError as e:
                    raise ConfigError(f"--history: {e}") from None
                if "=" not in item:  # a found 9.2.0 is the release 9.2
                    version = release_from_version(version) or version
                pairs[version] = os.path.abspath(spec) if not spec.startswith(
                    "git:") else spec
            history = {**config.history,
                       **check_value("history", pairs, "--history")}
        if select:  # like ruff: a command-line --select starts afresh
            config = config.with_overrides(select=select, extend_select=(),
                                           ignore=())
        return config.with_overrides(
            history=history,
            preset=args.preset, release=release, against=args.against,
            line_length=args.line_length,
            extend_select=config.extend_select + extend if extend else None,
            ignore=config.ignore + ignore if ignore else None)
    except ConfigError as e:  # the options' values (the file's were read above)
        raise ArgumentError(str(e)) from None


def _load(path: str, config: Config) -> Schema:
    from qapidoc.schema.builder import load_schema

    if not path.startswith("git:"):  # git (and subprocess) loads only then
        return load_schema(path, include_root=config.include_root)
    from qapidoc.schema.gitsource import GitSpecError

    try:
        return load_schema(path, include_root=config.include_root)
    except GitSpecError as e:
        raise UsageError(str(e)) from None


def _against(config: Config) -> Schema | None:
    if not config.against or config.against == "auto":
        return None  # auto: once the roots and the release are known
    schema = _load(config.against, config)
    _readable(schema, f"--against schema {config.against}")
    return schema


def _release_named(spec: str | None) -> Version | None:
    """The release an --against schema is, as its VERSION file, git tag or
    directory names it (``10.1.50``, a snapshot after 10.1, is 10.1)."""
    if not spec or spec == "auto":
        return None
    from qapidoc.cli.compat import release_of
    from qapidoc.lint.engine import parse_version

    found = release_of(spec)
    return parse_version(found) if found else None


def _previous_release(config: Config, roots: list[str],
                      release: Version | None) -> tuple[Schema, str]:
    """``--against auto``: the first root schema as the git tag of the last
    release before *release* (the one under development) has it, and that
    spec."""
    from qapidoc.schema.gitsource import GitSpecError, previous_release_tag

    local = [r for r in roots if not r.startswith("git:")]
    if release is None or not local:
        raise UsageError("--against auto needs a schema file and the release under "
                         "development (--release, 'release' or a VERSION file)")
    root = os.path.abspath(local[0])
    try:
        tag = previous_release_tag(os.path.dirname(root), release)
    except GitSpecError as e:
        raise UsageError(f"--against auto: {e}") from None
    spec = f"git:{tag}:{root}"
    schema = _load(spec, config)
    _readable(schema, f"--against schema {spec}")
    return schema, spec


def _readable(schema: Schema, what: str) -> None:
    """A schema given as reference (--against, --history) must be read
    whole: a missing included file, or an error after which the model is
    incomplete (a syntax error: as for compat), is unreadable input (exit
    2), not a smaller previous release."""
    from qapidoc.core.registry import model_errors

    why = next((d for d in schema.diagnostics if unreadable([d])), None) \
        or next(iter(model_errors(schema.diagnostics)), None)
    if why is not None or not schema.modules:
        text = (f"{why.location}: {why.message}" if why is not None else
                "; ".join(d.message for d in schema.diagnostics[:1]))
        raise UsageError(f"cannot read {what}: {text}")


def _release(config: Config, against: Schema | None,
             paths: list[str]) -> tuple[Version | None, str]:
    """The release under development and where it came from: --release or
    the configuration, else a VERSION file above the first root schema,
    else the release its directories name, else the release after
    the --against schema's newest version."""
    from qapidoc.core.config import ConfigError, find_version_file, release_of_directory
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
    named = release_of_directory(local[0]) if local else None
    if named is not None:
        # a released tree without its VERSION file (a tarball's schemas,
        # a corpus): its directory names the release
        return parse_version(named), "the release its path names"
    if against is None:
        return None, ""
    from qapidoc.lint.versions import infer_release

    return infer_release(against), "the release after --against"


def _release_note(release: Version | None, origin: str, config: Config) -> str:
    """What the summary says about the release under development."""
    from qapidoc.lint.engine import enabled_codes, newer_than_release, show_version

    if release is not None:
        note = f" Release under development: {show_version(release)} (from {origin})."
        newer = newer_than_release(config, release)
        if newer:
            note += (f" Off for QEMU {show_version(release)}, which did not hold its "
                     f"schema to them: {', '.join(newer)}.")
        return note
    needing = sorted({"QD104"} & enabled_codes(config))
    if not needing:
        return ""
    return (f" No release under development known (--release, 'release' or a "
            f"VERSION file above the schema): {', '.join(needing)} off.")


def _history(config: Config) -> list[tuple[str, Schema]]:
    """The configured earlier releases' schemas, oldest first."""
    if not config.history:
        return []
    from qapidoc.compat.history import release_key

    out = []
    for version in sorted(config.history, key=lambda v: release_key(v) or (0, 0)):
        spec = config.history[version]
        schema = _load(spec, config)
        _readable(schema, f"the {version} schema {spec}")
        out.append((version, schema))
    return out


class _Session:
    """One lint run's settings and the schemas it has loaded (a root is
    loaded once, whether to pick roots or to lint)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.against = _against(config)
        self.against_spec = ""  # what --against auto chose
        self.against_release = _release_named(config.against)
        self.history = _history(config)
        self.release: Version | None = None
        self.origin = ""
        self.loaded: dict[str, Schema] = {}

    def schema(self, path: str) -> Schema:
        if path not in self.loaded:
            self.loaded[path] = _load(path, self.config)
        return self.loaded[path]

    def lint(self, schema: Schema) -> LintResult:
        from qapidoc.lint import run_lint

        return run_lint(schema, self.config, release=self.release,
                        against=self.against, history=self.history,
                        against_release=self.against_release)

    def fixes(self, path: str, write: bool,
              only: set[str] | None = None) -> tuple[list[Diagnostic], dict[str, str]]:
        """Run --fix on a root: the findings fixed and the new texts (left
        in memory unless `write`).  With `only` (real paths), only those
        files are touched: a module named on the command line is fixed in
        its root's context, the root's other files are left alone."""
        from qapidoc.lint.fix import fix_until_stable
        from qapidoc.schema.builder import display_path, load_schema
        from qapidoc.schema.reader import read_text

        changed: dict[str, str] = {}
        originals: dict[str, str] = {}
        newlines: dict[str, str] = {}

        def opener(file: str) -> tuple[str | None, str]:
            return (changed[file], "") if file in changed else read_text(file)

        def once() -> tuple[LintResult, dict[str, str]]:
            schema = load_schema(display_path(path), opener=opener,
                                 include_root=self.config.include_root)
            texts = {f.path: f.text for f in schema.files}
            newlines.update((f.path, f.newline) for f in schema.files)
            for file, text in texts.items():
                originals.setdefault(file, text)
            result = self.lint(schema)
            if only is not None:
                from qapidoc.lint.engine import LintResult

                mine = [(d, edits) for d, edits in result.fixes
                        if all(_real(e.path) in only for e in edits)]
                result = LintResult(result.diagnostics, mine)
            return result, texts

        def record(file: str, text: str) -> None:
            changed[file] = text
            if write:
                try:
                    with open(file, "w", encoding="utf-8", newline="") as f:
                        f.write(text.replace("\n", newlines.get(file, "\n")))
                except OSError as e:
                    raise UsageError(f"{file}: cannot write the fixes: "
                                     f"{e.strerror or e}") from None

        fixed = fix_until_stable(once, record, self.config.line_length)
        if write:
            self.loaded.pop(path, None)
        # Texts as the files would hold them: with their own line endings.
        return fixed, {f: t.replace("\n", newlines.get(f, "\n"))
                       for f, t in changed.items() if t != originals.get(f)}


def _diff(changes: dict[str, str], session: _Session) -> str:
    import difflib

    out: list[str] = []
    for path in sorted(changes):
        with open(path, encoding="utf-8", newline="") as f:
            old = f.read()
        out.extend(difflib.unified_diff(
            old.splitlines(keepends=True), changes[path].splitlines(keepends=True),
            f"a/{path}", f"b/{path}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in out)


def _targets(args: argparse.Namespace, config: Config,
             session: _Session) -> list[Target]:
    from qapidoc.schema.roots import Target, plan

    paths = list(args.schemas)
    if not paths:
        if args.pre_commit:
            return []
        if not config.roots:
            where = config.source or "no configuration file found"
            raise UsageError(
                "no schema given and no 'roots' configured "
                f"({where}); name the root schema(s) in [tool.qapidoc] "
                "roots or on the command line")
        return [Target(r, None) for r in config.roots]
    planned = plan(paths, config.roots, session.schema, only_given=args.pre_commit)
    for p in planned.outside:
        sys.stderr.write(f"qapidoc: note: {p} is not part of the configured "
                         "root schemas; not checked\n")
    return planned.targets


def _real(path: str) -> str:
    """How `Target.only` names a file."""
    return os.path.normcase(os.path.realpath(path))


def _shown(findings: list[Diagnostic], only: set[str] | None) -> list[Diagnostic]:
    if only is None:
        return findings
    real: dict[str, str] = {}
    out = []
    for d in findings:
        path = d.location.path
        if path not in real:
            real[path] = os.path.normcase(os.path.realpath(path))
        if real[path] in only:
            out.append(d)
    return out


@cycles_off
def run(args: argparse.Namespace) -> int:
    """The command, with the cyclic collector off across load and checks
    (`qapidoc.core.collector`)."""
    from qapidoc.core.report import statistics, summary, want_colour
    from qapidoc.core.source import diagnostic_sort_key

    paths = list(args.schemas)
    start = paths[0] if paths and not paths[0].startswith("git:") else os.getcwd()
    config = _configure(args, start)
    session = _Session(config)
    targets = _targets(args, config, session)
    roots = [t.root for t in targets]
    session.release, session.origin = _release(config, session.against, roots)
    if config.against == "auto":  # needs the release, never infers it
        session.against, session.against_spec = _previous_release(
            config, roots, session.release)
        session.against_release = _release_named(session.against_spec)
    if (args.fix or args.diff) and any(t.root.startswith("git:") for t in targets):
        raise ArgumentError(f"{'--fix' if args.fix else '--diff'} needs schema "
                         "files, not git:REF:PATH")

    fixed: list[Diagnostic] = []
    changes: dict[str, str] = {}
    findings: list[Diagnostic] = []
    seen: set[tuple[str, int, int, str, str]] = set()
    files: set[str] = set()
    unread: list[Diagnostic] = []
    resolved: dict[str, str] = {}
    real_dirs: dict[str, str] = {}

    def real(path: str) -> str:
        """`os.path.realpath`, once per path and directory (a system call
        per component)."""
        found = resolved.get(path)
        if found is None:
            found = resolved[path] = real_path(path, real_dirs)
        return found

    for t in targets:
        if args.fix or args.diff:
            done, changed = session.fixes(t.root, write=args.fix, only=t.only)
            fixed.extend(done)
            changes.update(changed)
        schema = session.schema(t.root)
        unread.extend(d for d in schema.diagnostics if unreadable([d]))
        if args.diff:
            continue
        files.update(t.only if t.only is not None else
                     (real(f.path) for f in schema.files)
                     if schema.files else [t.root])  # an unreadable root: still a file
        for d in _shown(session.lint(schema).diagnostics, t.only):
            key = (real(d.location.path), d.location.line,
                   d.location.col, d.code, d.message)
            if key not in seen:
                seen.add(key)
                findings.append(d)
    findings.sort(key=diagnostic_sort_key)
    bad_input = bool(unread)

    if bad_input and (args.diff or args.write_baseline):
        # Nothing half-done from half-read input: no diff, no baseline.
        from qapidoc.core.report import headline

        said = {headline(d): d for d in sorted(unread, key=diagnostic_sort_key)}
        for d in said.values():
            sys.stderr.write(headline(d, want_colour(sys.stderr)) + "\n")
        what = "--diff" if args.diff else f"--write-baseline {args.write_baseline}"
        sys.stderr.write(f"qapidoc: error: input could not be read; {what}: "
                         "nothing done\n")
        return EXIT_USAGE

    if args.diff:
        sys.stdout.write(_diff(changes, session))
        n = len(changes)
        sys.stderr.write(f"Would fix {len(fixed)} finding{'s' if len(fixed) != 1 else ''}"
                         f" in {n} file{'s' if n != 1 else ''}.\n" if changes
                         else "No fixes to apply.\n")
        return EXIT_FINDINGS if changes else EXIT_OK

    if args.write_baseline:
        from qapidoc.lint.baseline import write_baseline

        try:
            n = write_baseline(args.write_baseline, findings)
        except OSError as e:
            raise UsageError(f"{args.write_baseline}: cannot write baseline: "
                             f"{e.strerror or e}") from None
        sys.stderr.write(f"Recorded {len(findings)} findings ({n} keys) in "
                         f"{args.write_baseline}.\n")
        return EXIT_OK
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
    if args.statistics:
        if fmt == "json":
            from qapidoc.core.report import statistics_json

            out.write(statistics_json(findings))
        else:
            out.write(statistics(findings))
    elif fmt == "text":
        from qapidoc.core.report import format_text

        out.write(format_text(findings, colour=want_colour(out),
                              output_format=args.output_format))
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
                f.write(github_summary(findings, len(files)))
    else:
        from qapidoc.core.report import format_junit

        out.write(format_junit(findings, [t.root for t in targets]))
    text = summary(findings, len(files))
    fixable = sum(1 for d in findings if d.fixable)
    if fixable and not args.fix:  # as ruff says it: the fix is one option away
        text += f" {fixable} fixable with --fix (--diff shows the changes)."
    text += _release_note(session.release, session.origin, config)
    if session.against_spec:
        text += f" Compared with {session.against_spec.split(':', 2)[1]} (--against auto)."
    if fixed:
        text += f" Fixed {len(fixed)}."
    sys.stderr.write(text + "\n")
    if bad_input:
        return EXIT_USAGE
    if args.exit_zero:
        return EXIT_OK
    return exit_status((d.severity for d in findings), args.fail_on)
