"""Report formats for diagnostics: text, json, sarif, github and junit.

Each formatter takes sorted `Diagnostic`s and returns a string; the CLI
writes it.  Rule metadata (SARIF, statistics) comes from the registry.

JSON format: an array with one object per finding, with the keys
``path`` (as given on the command line), ``line`` and ``column``
(1-based), ``code``, ``name`` (the rule's), ``severity`` (``error``,
``warning`` or ``info``), ``message``, ``definition`` and ``member`` (the
definition and member it concerns, or null) and ``fixable`` (boolean).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence

from qapidoc.core.hints import TYPE_CHECKING
from qapidoc.core.lazy import lazy
from qapidoc.core.registry import RULES
from qapidoc.core.source import Diagnostic, Severity

if TYPE_CHECKING:
    from typing import IO

FORMATS = ("text", "json", "sarif", "github", "junit")


OUTPUT_FORMATS = ("full", "concise")
"""Text output: ``full`` shows the source line under each finding and how
each file was included (once per file); ``concise`` one line per finding."""

_TINT = {Severity.ERROR: "1;31", Severity.WARNING: "1;33", Severity.INFO: "1;36"}


def want_colour(stream: IO[str]) -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set (no-color.org);
    ``FORCE_COLOR`` forces it on."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, style: str, colour: bool) -> str:
    return f"\x1b[{style}m{text}\x1b[0m" if colour else text


def headline(d: Diagnostic, colour: bool = False) -> str:
    """``path:line:col: severity[CODE] message``."""
    sev = paint(str(d.severity), _TINT[d.severity], colour)
    return f"{paint(str(d.location), '1', colour)}: {sev}[{d.code}] {d.message}"


SNIPPET_WIDTH = 160
"""Most characters of a source line shown under a finding."""


def _snippet(d: Diagnostic, colour: bool) -> list[str]:
    """The offending source line with a caret under the column."""
    loc = d.location
    lines = loc.file.lines
    if not 0 < loc.line <= len(lines):
        return []
    text = lines[loc.line - 1].rstrip("\r").replace("\t", " ")
    if not text:  # an empty line (or a file that could not be read): no caret
        return []
    col = min(loc.col, len(text) + 1)
    if len(text) > SNIPPET_WIDTH:
        # a window around the column: a schema on one long line would
        # otherwise print all of it once per finding
        start = max(0, min(col - 1 - SNIPPET_WIDTH // 2, len(text) - SNIPPET_WIDTH))
        end = start + SNIPPET_WIDTH
        text = ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")
        col += (3 if start else 0) - start
    width = len(str(loc.line))
    bar = paint(" " * width + " |", "1;34", colour)
    caret = paint("^", _TINT[d.severity], colour)
    return [bar, f"{paint(str(loc.line), '1;34', colour)} | {text}",
            f"{bar} {' ' * (col - 1)}{caret}"]


def format_text(diags: Iterable[Diagnostic], colour: bool = False,
                output_format: str = "full") -> str:
    """``path:line:col: severity[CODE] message`` per finding.  ``full``
    adds the source line with a caret, then a note naming the definition
    when the finding sits elsewhere, and, before the first finding of an
    included file, the include chain that brought the file in."""
    out: list[str] = []
    full = output_format == "full"
    chained: set[str] = set()
    for d in diags:
        if not full:
            out.append(headline(d, colour))
            continue
        file = d.location.file
        chain = file.include_chain()
        if chain and file.path not in chained:
            chained.add(file.path)
            out.append("In file included from "
                       + ",\n                 from ".join(str(c) for c in chain) + ":")
        out.append(headline(d, colour))
        out.extend(_snippet(d, colour))
        ctx = d.context
        if ctx is not None and (ctx.file is not file or ctx.line != d.location.line):
            # after the snippet, as compilers put notes: the caret stays
            # right under the line it points at
            what = f"'{d.definition}'" if d.definition else "this doc comment"
            out.append(f"{paint(str(ctx), '1', colour)}: "
                       f"{paint('note', '1;36', colour)}: in {what}")
        out.append("")
    return "\n".join(out) + ("\n" if out and not full else "")


def summary(diags: list[Diagnostic], files: int) -> str:
    if not diags:
        return f"No findings in {files} file{'s' if files != 1 else ''}."
    counts = {s: sum(1 for d in diags if d.severity is s) for s in Severity}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in
             sorted(counts.items(), reverse=True) if n]
    n = len(diags)
    return (f"Found {n} finding{'s' if n != 1 else ''} ({', '.join(parts)}) "
            f"in {files} file{'s' if files != 1 else ''}.")


def statistics(diags: Sequence[Diagnostic]) -> str:
    """One line per rule, most frequent first: count, code, name."""
    counts = Counter(d.code for d in diags)
    names = {d.code: d.name for d in diags}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "".join(f"{n:6d}  {code}  {names[code]}\n" for code, n in rows)


def statistics_json(diags: Sequence[Diagnostic]) -> str:
    """The statistics as a JSON array of {code, name, count, fixable}."""
    counts = Counter(d.code for d in diags)
    names = {d.code: d.name for d in diags}
    fixable = {d.code for d in diags if d.fixable}
    rows = [{"code": c, "name": names[c], "count": n, "fixable": c in fixable}
            for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    import json  # only for the JSON formats: not on a text run's start-up

    return json.dumps(rows, indent=2) + "\n"


def format_json(diags: Iterable[Diagnostic]) -> str:
    """The JSON array described in the module docstring."""
    from qapidoc.core.fingerprint import fingerprint

    rows = [{
        "path": d.location.path,
        "line": d.location.line,
        "column": d.location.col,
        "code": d.code,
        "name": d.name,
        "severity": str(d.severity),
        "message": d.message,
        "definition": d.definition,
        "member": d.member,
        "fixable": d.fixable,
        "fingerprint": fingerprint(d),
    } for d in diags]
    import json  # only for the JSON formats: not on a text run's start-up

    return json.dumps(rows, indent=2) + "\n"


# --------------------------------------------------------------------------
# SARIF 2.1.0


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning",
                Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    """A path relative to the working directory, with ``/`` separators;
    a ``file://`` URI for files outside it.  Percent-encoded (`uri_path`)."""
    full = os.path.abspath(path)
    rel = os.path.relpath(full)
    if rel.startswith(".."):
        return "file://" + uri_path(full)
    return uri_path(rel)


def uri_path(path: str) -> str:
    """*path* as the path of a URI reference, as SARIF requires: ``/``
    separators, a space, ``%``, a backquote or any character outside
    RFC 3986's unreserved ones percent-encoded (file names may hold them)."""
    from urllib.parse import quote

    return quote(path.replace(os.sep, "/"), safe="/")


def format_sarif(diags: Sequence[Diagnostic], version: str = "") -> str:
    """A SARIF 2.1.0 log with one run, the metadata of every rule that
    reported, and one result per finding."""
    from qapidoc.core.fingerprint import fingerprint
    from qapidoc.core.rsttext import to_markdown, to_plain

    codes = sorted({d.code for d in diags})
    index = {c: i for i, c in enumerate(codes)}
    rules = []
    for code in codes:
        r = RULES.get(code)
        name = r.name if r else next(d.name for d in diags if d.code == code)
        entry: dict[str, object] = {
            "id": code,
            "name": name,
            "shortDescription": {"text": r.summary if r else name},
            "defaultConfiguration": {
                "level": _SARIF_LEVEL[r.severity if r else Severity.ERROR]},
        }
        if r is not None:
            paragraphs = [p for p in (r.summary, r.rationale, r.practice) if p]
            text = "\n\n".join(to_plain(p) for p in paragraphs)
            md = "\n\n".join(to_markdown(p) for p in paragraphs)
            if r.bad:
                md += "\n\nExample:\n\n```\n" + r.bad + "\n```"
            if r.good:
                md += "\n\nUse instead:\n\n```\n" + r.good + "\n```"
            entry["shortDescription"] = {"text": to_plain(r.summary)}
            entry["fullDescription"] = {"text": text, "markdown": md}
            entry["help"] = {"text": text, "markdown": md}
            entry["properties"] = {"tags": ["qapi", r.preset]}
        rules.append(entry)
    results = []
    for d in diags:
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(d.location.path)},
                "region": {"startLine": max(d.location.line, 1),
                           "startColumn": max(d.location.col, 1)},
            }}],
        }
        result["partialFingerprints"] = {"qapidocFinding/v2": fingerprint(d)}
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "qapidoc",
                "version": version or "0",
                "informationUri": "https://www.qemu.org/docs/master/devel/"
                                  "qapi-code-gen.html",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    import json  # only for the JSON formats: not on a text run's start-up

    return json.dumps(log, indent=2) + "\n"


# --------------------------------------------------------------------------
# GitHub workflow commands


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning",
             Severity.INFO: "notice"}


def format_github(diags: Sequence[Diagnostic]) -> str:
    """``::error file=…,line=…,col=…,title=…::message`` per finding, values
    escaped as the workflow command syntax requires."""
    out = []
    for d in diags:
        props = (f"file={_gh_prop(d.location.path)},line={d.location.line},"
                 f"col={d.location.col},title={_gh_prop(d.code + ' ' + d.name)}")
        out.append(f"::{_GH_LEVEL[d.severity]} {props}::{_gh_data(d.message)}")
    return "".join(line + "\n" for line in out)


def github_summary(diags: Sequence[Diagnostic], files: int) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: the summary and a table of
    counts per rule."""
    lines = ["## qapidoc lint", "", summary(list(diags), files), ""]
    if diags:
        lines += ["| Rule | Name | Count |", "| --- | --- | ---: |"]
        counts = Counter(d.code for d in diags)
        names = {d.code: d.name for d in diags}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"| {code} | {names[code]} | {n} |")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# JUnit XML


_NOT_XML = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold, even escaped (doc text may have a
vertical tab or form feed, which QEMU accepts in comments): the controls
but tab, line feed and carriage return, surrogates, U+FFFE and U+FFFF.
Compiled at the first JUnit report: as the negated class of what XML
allows, its compilation was 3% of a lint run."""


def _xml(text: str) -> str:
    """*text* with each character XML cannot hold made U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def format_junit(diags: Sequence[Diagnostic], files: Sequence[str] = ()) -> str:
    """One test case per finding (failures), or one passing case per file
    when there are none."""
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="qapidoc")
    suite = ET.SubElement(suites, "testsuite", name="qapidoc lint",
                          tests=str(len(diags) or len(files) or 1),
                          failures=str(len(diags)), errors="0")
    for d in diags:
        path = _xml(d.location.path)
        case = ET.SubElement(suite, "testcase", classname=path,
                             name=f"{d.code} {d.location.line}:{d.location.col}",
                             file=path, line=str(d.location.line))
        fail = ET.SubElement(case, "failure", message=_xml(d.message),
                             type=d.code)
        fail.text = _xml(f"{d.location}: {d.code} [{d.severity}] {d.message}")
    if not diags:
        for path in files or ["schema"]:
            ET.SubElement(suite, "testcase", classname=_xml(path), name="lint")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(suites, encoding="unicode") + "\n")
