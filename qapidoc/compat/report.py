"""Formats for compat results: text, json, sarif, github, markdown, rst.

Takes the `Change`s of `qapidoc.compat.diff.diff` (already filtered and sorted)
and returns text for the CLI to write.  json is an array with one object per
change; its keys are documented in `change_to_json` and the README.
markdown and rst are changelogs: Added / Changed / Deprecated / Removed,
each per command and event, breaking changes marked.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

from qapidoc.compat.diff import CHANGE_KINDS, Change
from qapidoc.compat.wire import WirePath
from qapidoc.core.record import record
from qapidoc.core.report import uri_path
from qapidoc.core.source import Location, Severity

FORMATS = ("text", "json", "sarif", "github", "markdown", "rst")
_BACKQUOTED = re.compile(r"`([^`]+)`")
SECTIONS = ("Added", "Changed", "Deprecated", "Removed")


@record
class Sources:
    """How to name the two inputs: `old`/`new` as given on the command
    line, and a prefix for locations read from git (e.g. ``v10.1.0:``)."""

    old: str
    new: str
    old_prefix: str = ""
    new_prefix: str = ""
    new_root: str = ""  # the NEW root file: anchor for changes with no location
    old_label: str = ""  # how changelogs name OLD and NEW
    new_label: str = ""
    base: str = ""  # directory SARIF URIs are relative to ("": the working directory)

    def where(self, loc: Location, side: str) -> str:
        prefix = self.old_prefix if side == "old" else self.new_prefix
        return f"{prefix}{loc}"


def _also(c: Change, limit: int = 3) -> str:
    others = [p for p in c.reached_by if p != c.wire_path]
    if not others:
        return ""
    shown = ", ".join(others[:limit])
    more = len(others) - limit
    return f" (also via {shown}{f' and {more} more' if more > 0 else ''})"


def _said(c: Change) -> str:
    """The change's sentence with why its severity was lowered, if it was."""
    why = _policy(c)
    if why and c.message.endswith("."):
        return c.message[:-1] + why + "."
    return c.message + why


def _policy(c: Change) -> str:
    """Why a change that would break clients does not: in their words."""
    if c.policy == "unstable":
        return " (unstable)"
    if c.policy == "deprecated":
        return " (it was deprecated)"
    if c.policy == "open":
        return " (it took undeclared arguments before)"
    if c.policy == "accepted":
        return f" (accepted: {c.reason})"
    return ""


# --------------------------------------------------------------------------
# text


def format_text(changes: Sequence[Change], src: Sources, colour: bool = False) -> str:
    """``path:line:col: severity: kind: message`` then the wire path, and
    for a removal headed by the definition in NEW that lost it, where the
    item was in OLD (a removal with no place in NEW is headed by OLD's)."""
    out: list[str] = []
    for c in changes:
        sev = str(c.severity)
        if colour:
            tint = {Severity.ERROR: "31", Severity.WARNING: "33",
                    Severity.INFO: "36"}[c.severity]
            sev = f"\x1b[1;{tint}m{sev}\x1b[0m"
        if c.new is not None:
            head = src.where(c.new, "new")
        elif c.old is not None:
            head = src.where(c.old, "old")
        else:
            head = src.new
        out.append(f"{head}: {sev}: {c.kind}: {_said(c)}")
        out.append(f"    at {c.wire_path} ({c.direction}){_also(c)}")
        if c.old is not None and c.new is not None and c.kind.endswith("removed"):
            # (with no place in NEW, the headline is already where it was)
            out.append(f"    was at {src.where(c.old, 'old')}")
    return "\n".join(out) + ("\n" if out else "")


def summary(changes: Sequence[Change], shown: int) -> str:
    if not changes:
        return "No wire changes."
    counts = {s: sum(1 for c in changes if c.severity is s) for s in Severity}
    parts = [f"{n} {s}{'s' if n != 1 and s is not Severity.INFO else ''}"
             for s, n in sorted(counts.items(), reverse=True) if n]
    n = len(changes)
    hidden = f" ({n - shown} not shown)" if shown < n else ""
    return f"{n} change{'s' if n != 1 else ''}: {', '.join(parts)}{hidden}."


# --------------------------------------------------------------------------
# json


def _loc_json(loc: Location | None, prefix: str) -> dict[str, Any] | None:
    if loc is None:
        return None
    out: dict[str, Any] = {"file": loc.path, "line": loc.line, "column": loc.col}
    if prefix:
        out["revision"] = prefix.rstrip(":")
    return out


def change_to_json(c: Change, src: Sources) -> dict[str, Any]:
    """One change as JSON: ``change`` (the kind), ``severity`` (error,
    warning, info), ``direction`` (input, output, input+output),
    ``wire_path`` (shortest path reaching it), ``reached_by`` (first path
    from each command/event reaching it), ``definition``, ``member`` (or
    null), ``message`` (one sentence in wire names, code in backquotes),
    ``section`` (changelog section), ``policy`` ("unstable", "deprecated",
    "accepted" or null: why severity was lowered), ``reason`` (why an
    accepted change was accepted, or null), ``old`` and
    ``new`` locations (``{"file", "line", "column"}`` plus ``revision`` for
    git input, or null)."""
    return {
        "change": c.kind,
        "severity": str(c.severity),
        "direction": str(c.direction),
        "wire_path": c.wire_path,
        "reached_by": list(c.reached_by),
        "definition": c.definition,
        "member": c.member,
        "message": c.message,
        "section": c.section,
        "policy": c.policy or None,
        "reason": c.reason or None,
        "old": _loc_json(c.old, src.old_prefix),
        "new": _loc_json(c.new, src.new_prefix),
    }


def format_json(changes: Sequence[Change], src: Sources) -> str:
    return json.dumps([change_to_json(c, src) for c in changes], indent=2) + "\n"


# --------------------------------------------------------------------------
# SARIF and GitHub annotations


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning",
                Severity.INFO: "note"}


def _artifact(path: str, src: Sources, from_git: bool) -> dict[str, str]:
    """A SARIF artifact location relative to the repository (``SRCROOT``):
    git input is already repository-relative; files are made relative to
    `Sources.base`.  Never an absolute path."""
    if not from_git:
        base = src.base or os.getcwd()
        path = os.path.relpath(os.path.abspath(path), base)
    return {"uri": uri_path(path), "uriBaseId": "SRCROOT"}


def _anchor(c: Change, src: Sources) -> tuple[str, int, int]:
    """Where in NEW a change is shown: its location, or for a removal the
    definition that lost it, or else line 1 of the NEW root."""
    if c.new is not None:
        return c.new.path, c.new.line, c.new.col
    return src.new_root or src.new, 1, 1


def format_sarif(changes: Sequence[Change], src: Sources, version: str) -> str:
    kinds = sorted({c.kind for c in changes})
    rules = [{
        "id": k,
        "name": k,
        "shortDescription": {"text": CHANGE_KINDS[k].summary},
        "defaultConfiguration": {"level": _SARIF_LEVEL[CHANGE_KINDS[k].severity]},
    } for k in kinds]
    results = []
    for c in changes:
        path, line, col = _anchor(c, src)
        result: dict[str, Any] = {
            "ruleId": c.kind,
            "ruleIndex": kinds.index(c.kind),
            "level": _SARIF_LEVEL[c.severity],
            "message": {"text": f"{_said(c)} (at {c.wire_path})"},
            "locations": [{"physicalLocation": {
                "artifactLocation": _artifact(
                    path, src, bool(src.new_prefix) and c.new is not None),
                "region": {"startLine": line, "startColumn": col}}}],
            "partialFingerprints": {
                "qapidocChange/v1": f"{c.kind}:{c.definition}:{c.member or ''}"},
            "properties": {"wirePath": c.wire_path, "reachedBy": list(c.reached_by),
                           "definition": c.definition, "member": c.member,
                           "direction": str(c.direction)},
        }
        if c.old is not None:
            result["relatedLocations"] = [{
                "id": 1,
                "message": {"text": f"in {src.old_label or src.old}"},
                "physicalLocation": {
                    "artifactLocation": _artifact(c.old.path, src,
                                                  bool(src.old_prefix)),
                    "region": {"startLine": c.old.line,
                               "startColumn": c.old.col}}}]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "qapidoc compat", "version": version,
                                "informationUri": "https://www.qemu.org/docs/master/devel/qapi-code-gen.html",
                                "rules": rules}},
            "originalUriBaseIds": {"SRCROOT": {"description": {
                "text": "The top of the git repository holding NEW, or the "
                        "working directory"}}},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(changes: Sequence[Change], src: Sources) -> str:
    """GitHub Actions workflow commands (``::error file=...::message``)."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning",
             Severity.INFO: "notice"}
    out = []
    for c in changes:
        path, line, col = _anchor(c, src)
        props = (f"file={_gh_escape(path, True)},line={line},col={col},"
                 f"title={_gh_escape('QAPI compat: ' + c.kind, True)}")
        body = f"{_said(c)}\nat {c.wire_path}{_also(c)}"
        out.append(f"::{level[c.severity]} {props}::{_gh_escape(body)}")
    return "\n".join(out) + ("\n" if out else "")


# --------------------------------------------------------------------------
# Changelogs


def _changelog(changes: Sequence[Change], src: Sources,
               heading: Callable[[str, int], list[str]],
               code: Callable[[str], str], strong: Callable[[str], str],
               code_spans: Callable[[str], str] = lambda text: text,
               plain: Callable[[str], str] = lambda text: text) -> str:
    """Added / Changed / Deprecated / Removed, per command and event, one
    sentence per change (`Change.message`), breaking ones marked.  The
    labels (a VERSION file's text, a file name) go through *plain*: they
    are text, never markup."""
    old = plain(" ".join((src.old_label or src.old).split()))
    new = plain(" ".join((src.new_label or src.new).split()))
    out = heading(f"QAPI changes from {old} to {new}", 1)
    breaking = sum(1 for c in changes if c.severity is Severity.ERROR)
    warnings = sum(1 for c in changes if c.severity is Severity.WARNING)
    out.append(f"{len(changes)} changes: {breaking} breaking, {warnings} "
               "to review.")
    out.append("")
    for section in SECTIONS:
        in_section = [c for c in changes if c.section == section]
        if not in_section:
            continue
        out += heading(section, 2)
        by_root: dict[str, list[Change]] = {}
        for c in in_section:
            by_root.setdefault(c.root, []).append(c)
        for root in sorted(by_root):
            out += heading(code(root), 3)
            for c in sorted(by_root[root], key=lambda c: (-c.severity, c.wire_path)):
                mark = ""
                if c.severity is Severity.ERROR:
                    mark = strong("Breaking:") + " "
                elif c.severity is Severity.WARNING:
                    mark = strong("Review:") + " "
                others = dict.fromkeys(WirePath(p).root for p in c.reached_by)
                others.pop(root, None)
                also = ""
                if others:
                    names = [code(r) for r in others]
                    shown = ", ".join(names[:5])
                    more = len(names) - 5
                    also = (f" Also in {shown}"
                            f"{f' and {more} more' if more > 0 else ''}.")
                out.append(f"- {mark}{code_spans(_said(c))}{also}")
            out.append("")
    if not changes:
        out.append("No changes on the wire.")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|!])")
_RST_SPECIAL = re.compile(r"([\\`*_|])")


def _markdown_text(text: str) -> str:
    """*text* shown as is in Markdown: HTML escaped, markup characters
    backslash-escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def format_markdown(changes: Sequence[Change], src: Sources) -> str:
    return _changelog(changes, src,
                      lambda text, level: ["#" * level + " " + text, ""],
                      lambda text: f"`{text}`", lambda text: f"**{text}**",
                      plain=_markdown_text)


def format_rst(changes: Sequence[Change], src: Sources) -> str:
    def heading(text: str, level: int) -> list[str]:
        char = "=-~"[level - 1]
        return [text, char * len(text), ""]

    return _changelog(changes, src, heading, lambda text: f"``{text}``",
                      lambda text: f"**{text}**",
                      lambda text: _BACKQUOTED.sub(r"``\1``", text),
                      plain=lambda text: _RST_SPECIAL.sub(r"\\\1", text))


def render(fmt: str, changes: Sequence[Change], src: Sources, *,
           colour: bool = False, version: str = "") -> str:
    if fmt == "text":
        return format_text(changes, src, colour)
    if fmt == "json":
        return format_json(changes, src)
    if fmt == "sarif":
        return format_sarif(changes, src, version)
    if fmt == "github":
        return format_github(changes, src)
    if fmt == "markdown":
        return format_markdown(changes, src)
    if fmt == "rst":
        return format_rst(changes, src)
    raise ValueError(f"unknown format {fmt!r}")
