"""``qapidoc compat OLD NEW`` and ``qapidoc history VERSION=SCHEMA...``.

Loads schemas (paths or ``git:REF:PATH``), refuses ones with errors that
affect the wire (reported located: exit 1, or 2 when a file cannot be
read), runs `compat.diff` or `history.build_history`, and writes the chosen
format.  compat exits 1 when a change at or above ``--fail-on`` is found.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qapidoc.cli.app import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_STATUS,
    EXIT_USAGE,
    ArgumentError,
    UsageError,
)
from qapidoc.cli.options import (
    LEVELS,
    add_config_options,
    add_fail_on,
    config_start,
    exit_status,
    one_line,
    read_config,
    unreadable,
)
from qapidoc.core.registry import model_errors
from qapidoc.core.source import Diagnostic, Severity, diagnostic_sort_key
from qapidoc.core.suggest import did_you_mean
from qapidoc.schema.model import Schema

if TYPE_CHECKING:
    from qapidoc.compat.diff import Change


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from qapidoc.compat.report import FORMATS

    p = sub.add_parser(
        "compat", help="what changed on the wire between two schemas",
        description="Compare the wire protocol of two schemas (paths or "
        "git:REF:PATH) and report what changed and what breaks clients.",
        epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old", metavar="OLD", nargs="?",
                   help="the older schema: a path, git:REF:PATH, or a "
                   "query-qmp-schema reply (JSON array or {\"return\": [...]})")
    p.add_argument("new", metavar="NEW", nargs="?",
                   help="the newer schema, given the same ways")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="output format (default: text)")
    add_fail_on(p, "error", never=True)
    p.add_argument("--show", choices=LEVELS, default=None,
                   help="least severe change to output (default: warning for "
                   "text, github and sarif; info for json, markdown and rst)")
    p.add_argument("--severity", action="append", default=[],
                   metavar="KIND=LEVEL",
                   help="severity of a change kind (error, warning or info); "
                   "repeatable, overrides the configuration file")
    p.add_argument("--ignore", action="append", default=[], metavar="WIRE-PATH",
                   help="accept the change at this wire path (as shown by "
                   "compat, e.g. query-sev:returns.handle): it becomes info; "
                   "repeatable, adds to the configuration's compat.accept")
    p.add_argument("--old-label", metavar="TEXT", type=one_line,
                   help="how OLD is named in changelogs (default: the VERSION "
                   "file beside or above it, else its git ref or the nearest "
                   "directory named like a release, else OLD as given)")
    p.add_argument("--new-label", metavar="TEXT", type=one_line,
                   help="how NEW is named in changelogs (default: as for OLD)")
    add_config_options(p)
    p.add_argument("--list-kinds", action="store_true",
                   help="list change kinds with their default severities")
    p.set_defaults(run=run_compat)

    h = sub.add_parser(
        "history", help="first release of every wire item",
        description="Given release schemas oldest first, print the first "
        "release whose wire protocol has each command, event, member, value, "
        "branch and feature.  With releases skipped, an item first seen in "
        "a release was added after the release given before it (JSON: "
        "\"after\"); one seen in the oldest may be older.",
        epilog=EXIT_STATUS, formatter_class=argparse.RawDescriptionHelpFormatter)
    h.add_argument("releases", nargs="+", metavar="[VERSION=]SCHEMA",
                   help="a release and its schema (path, git:REF:PATH or "
                   "query-qmp-schema reply); sorted by version.  Without "
                   "VERSION=, the release is the VERSION file above the "
                   "schema, else the git ref or directory named like one "
                   "(v10.1.0, qemu-10.1.0, 10.1.0)")
    h.add_argument("--format", choices=("text", "json"), default="text")
    h.add_argument("--all", action="store_true",
                   help="text: also list items already in the oldest release")
    h.set_defaults(run=run_history)


# --------------------------------------------------------------------------
# Loading


def wire_errors(schema: Schema) -> list[Diagnostic]:
    """Errors that make the wire protocol unreliable (`model_errors`):
    released QEMU schemas have legacy forms and documentation errors."""
    return model_errors(schema.diagnostics)


def load(spec: str, what: str) -> Schema:
    """Load a schema or a query-qmp-schema reply, or raise UsageError
    naming the argument."""
    from qapidoc.schema.gitsource import GitSpecError
    from qapidoc.schema.introspection import IntrospectionError, load_schema_or_reply

    if not spec.startswith("git:") and os.path.isdir(spec):
        raise UsageError(f"{what} '{spec}' is a directory, not a schema file")
    try:
        return load_schema_or_reply(spec, docs=False)
    except GitSpecError as e:
        raise UsageError(f"{what}: {e}") from None
    except IntrospectionError as e:
        raise UsageError(f"{_prefix(spec)}{e}") from None


_VERSION_LABEL = re.compile(r"\d+(?:\.\d+)+(?:[-+~][0-9A-Za-z.]+)?")
"""What a VERSION file must hold to name a release in changelogs (QEMU's
``10.1.50``, ``9.2.0-rc1``); any other text is not shown."""


def label(spec: str) -> str:
    """How a changelog names an input: the release in the ``VERSION`` file
    of the schema's directory or one above it (as in QEMU's tree), else
    the argument as given, relative to the working directory."""
    if spec.startswith("git:"):
        from qapidoc.schema.gitsource import GitSpecError, git_opener

        try:
            path, opener = git_opener(spec)
        except GitSpecError:
            return spec
        read = opener
        where = os.path.dirname(path)
    else:
        from qapidoc.core.inputs import inside, schema_tree
        from qapidoc.schema.reader import read_text

        read = read_text
        where = os.path.dirname(os.path.realpath(spec))
        tree = schema_tree(spec)
    for _ in range(4):
        text, _why = read(os.path.join(where, "VERSION") if where else "VERSION")
        version = (text or "").strip()
        if _VERSION_LABEL.fullmatch(version):
            return version
        parent = os.path.dirname(where)
        if not where or parent == where or (
                not spec.startswith("git:") and not inside(parent, tree)):
            break
        where = parent
    if spec.startswith("git:") or not os.path.isabs(spec):
        return spec
    return os.path.relpath(spec)


def release_of(spec: str) -> str | None:
    """The release of a schema given without ``VERSION=``: the VERSION file
    above it (`label`), else its git ref or the nearest directory named
    like a release; None when nothing says."""
    found = label(spec)
    if _VERSION_LABEL.fullmatch(found):
        return found
    if spec.startswith("git:"):
        from qapidoc.schema.gitsource import GitSpecError, parse_git_spec

        try:
            names = [parse_git_spec(spec)[0].rsplit("/", 1)[-1]]
        except GitSpecError:
            return None
    else:
        names = os.path.dirname(os.path.abspath(spec)).split(os.sep)[::-1]
    from qapidoc.core.config import release_in_names

    return release_in_names(names)


def release_arg(item: str) -> tuple[str, str]:
    """``VERSION=SCHEMA``, or a SCHEMA whose release `release_of` tells, as
    (version, schema); raises ValueError with the message to show."""
    version, sep, spec = item.partition("=")
    if sep and version.strip() and spec:
        return version.strip(), spec
    if not sep and (item.startswith("git:") or os.path.isfile(item)):
        found = release_of(item)
        if found is None:
            raise ValueError(f"cannot tell the release of '{item}' (no VERSION file "
                             "above it, no release in its path or git ref): give it "
                             "as VERSION=SCHEMA")
        return found, item
    raise ValueError(f"expected VERSION=SCHEMA, got '{item}'")


def _sarif_base(spec: str) -> str:
    """What SARIF URIs are relative to: the top of the git repository
    holding NEW, else the working directory ("")."""
    if spec.startswith("git:"):
        return ""  # locations are repository-relative already
    import subprocess

    where = os.path.dirname(os.path.abspath(spec))
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=where,
                             capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _prefix(spec: str) -> str:
    if spec.startswith("git:"):
        from qapidoc.schema.gitsource import parse_git_spec

        return parse_git_spec(spec)[0] + ":"
    return ""


def _report_load_errors(errors: Sequence[tuple[str, Schema, list[Diagnostic]]]) -> int:
    """Print the schema errors located; exit 2 when a file could not be
    read, else 1 (the schema has errors: findings, as lint reports them)."""
    from qapidoc.core.report import headline, want_colour

    colour = want_colour(sys.stderr)
    for spec, _schema, diags in errors:
        prefix = _prefix(spec)
        for d in sorted(diags, key=diagnostic_sort_key):
            sys.stderr.write(f"{prefix}{headline(d, colour)}\n")
        n = len(diags)
        sys.stderr.write(f"qapidoc: error: {spec}: {n} error{'s' if n != 1 else ''} "
                         "in the schema; fix them before comparing\n")
    return EXIT_USAGE if any(unreadable(d) for _, _, d in errors) else EXIT_FINDINGS


# --------------------------------------------------------------------------
# compat


def _policy_options(args: argparse.Namespace,
                    new_spec: str) -> tuple[dict[str, str], dict[str, str]]:
    """Severity overrides and accepted wire paths: configuration file
    (found from NEW), then ``--severity`` and ``--ignore`` options."""
    from qapidoc.compat.diff import CHANGE_KINDS

    out: dict[str, str] = {}
    severities, accept = _config_policy(args, new_spec)
    out.update(severities)
    for path in args.ignore:
        if not path.strip() or any(c.isspace() for c in path.strip()):
            raise ArgumentError(f"--ignore expects a wire path, got '{path}'")
        accept[path.strip()] = "--ignore"
    for item in args.severity:
        kind, sep, level = item.partition("=")
        kind, level = kind.strip(), level.strip().lower()
        if not sep or not kind:
            raise ArgumentError(f"--severity expects KIND=LEVEL, got '{item}'")
        if kind not in CHANGE_KINDS:
            raise ArgumentError(f"--severity: unknown change kind '{kind}'"
                             f"{did_you_mean(kind, CHANGE_KINDS)} "
                             "(see qapidoc compat --list-kinds)")
        if level not in LEVELS:
            raise ArgumentError(f"--severity {kind}: unknown severity '{level}' "
                             "(expected error, warning or info)")
        out[kind] = level
    return out, accept


def _config_policy(args: argparse.Namespace,
                   new_spec: str) -> tuple[dict[str, str], dict[str, str]]:
    """Severity overrides and accepted wire paths (with reasons) of the
    configuration the options ask for."""
    from qapidoc.compat.diff import CHANGE_KINDS

    config = read_config(args, config_start(new_spec))
    for kind in config.compat:
        if kind not in CHANGE_KINDS:
            raise UsageError(f"{config.source}: compat: unknown change kind "
                             f"'{kind}'{did_you_mean(kind, CHANGE_KINDS)} "
                             "(see qapidoc compat --list-kinds)")
    return dict(config.compat), dict(config.compat_accept)


def change_sort_key(c: Change) -> tuple[int, str, int, int, str, str]:
    """By path and line, as lint sorts: where NEW has the change, then
    what is only in OLD (removed with its whole file), then the rest."""
    for side, loc in enumerate((c.new, c.old)):
        if loc is not None:
            return side, loc.path, loc.line, loc.col, str(c.wire_path), c.kind
    return 2, "", 0, 0, str(c.wire_path), c.kind


def _list_kinds() -> int:
    from qapidoc.compat.diff import CHANGE_KINDS

    width = max(len(k) for k in CHANGE_KINDS)
    for k in CHANGE_KINDS.values():
        sys.stdout.write(f"{k.name:<{width}}  {k.severity!s:<7}  {k.summary}\n")
    return EXIT_OK


def run_compat(args: argparse.Namespace) -> int:
    if args.list_kinds:
        return _list_kinds()
    if not args.old or not args.new:
        raise ArgumentError("compat needs two schemas: OLD NEW")
    from qapidoc import __version__
    from qapidoc.compat.diff import diff
    from qapidoc.compat.report import Sources, render, summary
    from qapidoc.core.report import want_colour

    severities, accept = _policy_options(args, args.new)
    old = load(args.old, "OLD")
    new = load(args.new, "NEW")
    errors = [(spec, s, wire_errors(s)) for spec, s in
              ((args.old, old), (args.new, new))]
    if any(e for _, _, e in errors):
        return _report_load_errors([x for x in errors if x[2]])
    changes = diff(old, new, severities, accept)
    used = {p for c in changes if c.policy == "accepted" or c.reason
            for p in c.reached_by}
    for path in accept:
        if path not in used:
            sys.stderr.write(f"qapidoc: note: no change at accepted wire path "
                             f"'{path}' ({accept[path]})\n")
    show = args.show or ("warning" if args.format in ("text", "github", "sarif")
                         else "info")
    floor = Severity.parse(show)
    shown = [c for c in changes if c.severity >= floor]
    if args.format not in ("markdown", "rst"):  # changelogs keep their sections
        shown.sort(key=change_sort_key)
    src = Sources(args.old, args.new, _prefix(args.old), _prefix(args.new),
                  new.root, args.old_label or release_of(args.old) or label(args.old),
                  args.new_label or release_of(args.new) or label(args.new),
                  _sarif_base(args.new) if args.format == "sarif" else "")
    sys.stdout.write(render(args.format, shown, src,
                            colour=args.format == "text" and want_colour(sys.stdout),
                            version=__version__))
    sys.stderr.write(summary(changes, len(shown)) + "\n")
    return exit_status((c.severity for c in changes), args.fail_on)


# --------------------------------------------------------------------------
# history


def _same_release(a: str, b: str) -> bool:
    """``1.0`` and ``1.0.0`` name one release."""
    from qapidoc.schema.since import release_tuple

    ka = release_tuple(a)
    return a == b or (ka is not None and ka == release_tuple(b))


def run_history(args: argparse.Namespace) -> int:
    from qapidoc.compat.history import build_history, version_key

    releases: list[tuple[str, Schema]] = []
    specs: list[str] = []
    for item in args.releases:
        try:
            version, spec = release_arg(item)
        except ValueError as e:
            raise ArgumentError(str(e)) from None
        same = next((v for v, _ in releases if _same_release(v, version)), None)
        if same is not None:
            raise ArgumentError(f"version '{version}' given twice"
                                + (f" (as '{same}')" if same != version else ""))
        if version_key(version) is None:
            raise ArgumentError(f"cannot order release '{version}': name releases "
                             "by version, e.g. 10.1 or 10.1.0")
        releases.append((version, load(spec, version)))
        specs.append(spec)
    errors = [(spec, s, wire_errors(s)) for spec, (_, s) in zip(specs, releases,
                                                                 strict=True)]
    if any(e for _, _, e in errors):
        return _report_load_errors([x for x in errors if x[2]])
    history = build_history(releases)
    if args.format == "json":
        doc = {
            "versions": list(history.versions),
            "paths": history.paths,
            "gone": history.gone,
            "items": [{"definition": d, "member": m, "version": v,
                       "after": history.after((d, m))}
                      for (d, m), v in history.items.items()],
            "features": [{"definition": d, "member": m, "feature": f, "version": v,
                          "after": history.previous(v)}
                         for (d, m, f), v in history.features.items()],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    oldest = history.oldest
    rows = sorted(((history.versions.index(v), v, p) for p, v in history.paths.items()
                   if v != oldest or args.all), key=lambda r: r[0])
    for _, version, path in rows:
        sys.stdout.write(f"{version}\t{path}\n")
    for path, last in history.gone.items():
        sys.stdout.write(f"gone after {last}\t{path}\n")
    return EXIT_OK
