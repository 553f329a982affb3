"""Report formats for diagnostics: text for now (more formats plug in here).

Takes sorted `Diagnostic`s, returns text; the CLI writes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .source import Diagnostic, Severity


def format_text(diags: Iterable[Diagnostic], colour: bool = False) -> str:
    """``path:line:col: CODE message`` lines, with notes saying which
    definition a finding belongs to (when elsewhere) and how an included
    file was included."""
    out: list[str] = []
    for d in diags:
        code = d.code
        if colour:
            tint = {Severity.ERROR: "31", Severity.WARNING: "33",
                    Severity.INFO: "36"}[d.severity]
            code = f"\x1b[1;{tint}m{code}\x1b[0m"
        out.append(f"{d.location}: {code} {d.message}")
        ctx = d.context
        if ctx is not None and (ctx.file is not d.location.file
                                or ctx.line != d.location.line):
            what = f"'{d.definition}'" if d.definition else "this doc comment"
            out.append(f"{ctx}: note: in {what}")
        chain = d.location.file.include_chain()
        if chain:
            out.append("    included from " + ", from ".join(str(c) for c in chain))
    return "\n".join(out) + ("\n" if out else "")


def summary(diags: list[Diagnostic], files: int) -> str:
    if not diags:
        return f"No findings in {files} file{'s' if files != 1 else ''}."
    counts = {s: sum(1 for d in diags if d.severity is s) for s in Severity}
    parts = [f"{n} {s}{'s' if n != 1 else ''}" for s, n in
             sorted(counts.items(), reverse=True) if n]
    n = len(diags)
    return (f"Found {n} finding{'s' if n != 1 else ''} ({', '.join(parts)}) "
            f"in {files} file{'s' if files != 1 else ''}.")
