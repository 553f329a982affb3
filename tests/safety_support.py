"""Hostile doc text for the safety tests: schemas built from it, three ways to
run them (lint, ``qapidoc build``, a Sphinx project), and the invariants every
published site must keep whatever the doc text says."""

from __future__ import annotations

import contextlib
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

CANARY = "CANARY-7f3a9e-must-not-be-published"
"""Content of the secret file hostile doc text tries to publish."""

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_BAD_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript|file):", re.IGNORECASE)
_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "srcset", "data")
_WARNING_AT = re.compile(r"^(\S+?):(\d+): WARNING: (.*) \[qapidoc\.unsafe\]$", re.M)


def doc_comment(body: Sequence[str]) -> str:
    """``##`` comment lines for *body* (each a line of doc text)."""
    return "\n".join(["##", *(f"# {line}" if line else "#" for line in body), "##"])


def definition(name: str, body: Sequence[str], since: str = "1.0") -> str:
    return doc_comment([f"@{name}:", "", *body, "", f"Since: {since}"]) \
        + f"\n{{ 'command': '{name}' }}\n"


def write_schema(directory: Path, chunks: Sequence[str]) -> Path:
    """A schema file of *chunks* (doc comments and definitions), and the
    secret file beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory.parent / "secret.txt").write_text(CANARY + "\n")
    schema = directory / "hostile.json"
    schema.write_text("\n".join(chunks) + "\n", encoding="utf-8")
    return schema


@dataclass
class Run:
    status: int
    out: str
    err: str

    def unsafe_lines(self, name: str = "hostile.json") -> set[int]:
        """Schema lines of the build's ``qapidoc.unsafe`` warnings."""
        return {int(m.group(2)) for m in _WARNING_AT.finditer(self.err)
                if m.group(1).endswith(name)}

    def lint_lines(self, code: str = "QD307") -> set[int]:
        return {int(m.group(1))
                for m in re.finditer(rf"^\S+:(\d+):\d+: \w+\[{code}\] ", self.out, re.M)}


def run_lint(schema: Path, *extra: str) -> Run:
    """``qapidoc lint`` (QD307 unless *extra* selects) in this process."""
    from qapidoc.cli.app import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["lint", str(schema), *(extra or ("--select", "QD307"))])
    return Run(status, stdout.getvalue(), stderr.getvalue())


def run_build(schema: Path, out: Path) -> Run:
    """``qapidoc build`` in this process (cheaper than a new interpreter)."""
    from qapidoc.cli.app import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        status = main(["build", str(schema), "-o", str(out), "-q"])
    return Run(status, stdout.getvalue(), stderr.getvalue())


def run_sphinx(schema: Path, root: Path) -> Run:
    """A hand-written Sphinx project documenting *schema* with ``qapi-doc``."""
    from sphinx.cmd.build import build_main

    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(f'extensions = ["sphinx_ext"]\nproject = "p"\n'
                                 f'qapidoc_srctree = {str(schema.parent)!r}\n')
    (src / "index.rst").write_text(f"Reference\n=========\n\n.. qapi-doc:: {schema.name}\n\n"
                                   f"Changes\n-------\n\n.. qapi-changes:: {schema.name}\n")
    warnings = root / "warnings.txt"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        status = build_main(["-b", "html", "-q", "-E", "-w", str(warnings), str(src),
                             str(root / "out")])
    return Run(status, stdout.getvalue(), warnings.read_text())


def site_problems(site: Path) -> list[str]:
    """Every way the site at *site* breaks the safety invariants (empty: none)."""
    problems: list[str] = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(site).as_posix()
        if relative.startswith(("_images/", "_downloads/")):
            problems.append(f"{relative}: file copied into the site")
        data = path.read_bytes()
        if CANARY.encode() in data or b"root:x:0:0" in data:
            problems.append(f"{relative}: content of a file outside the schema text")
        if _BIDI.search(data.decode("utf-8", "replace")):
            problems.append(f"{relative}: a bidirectional control character")
        if path.suffix == ".html":
            problems += [f"{relative}: {p}" for p in html_problems(data.decode("utf-8"))]
    return problems


def html_problems(text: str) -> list[str]:
    """Links, redirects, script and attributes that doc text must never produce."""
    problems: list[str] = []
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            values = value if isinstance(value, list) else [value]
            if attribute.lower().startswith("on"):
                problems.append(f"<{tag.name} {attribute}=...>: event handler attribute")
            if attribute.lower() in _URL_ATTRIBUTES:
                for item in values:
                    clean = html.unescape(str(item)).replace("\t", "").replace("\n", "")
                    if _BAD_SCHEMES.match(clean):
                        problems.append(f"<{tag.name} {attribute}={item!r}>: bad link scheme")
        if tag.name == "meta" and any(a.lower() == "http-equiv" for a in tag.attrs):
            problems.append(f"<meta http-equiv>: {tag}")
        if tag.name == "script" and "alert" in (tag.string or ""):
            problems.append(f"<script> from doc text: {tag.string!r}")
        if tag.name == "img" and tag.get("src") in ("x", "x.png"):
            problems.append(f"<img> from doc text: {tag}")
    return problems


def no_traceback(*runs: Run) -> bool:
    return not any("Traceback" in run.out or "Traceback" in run.err for run in runs)
