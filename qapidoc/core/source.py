"""Source files, locations and diagnostics: the one home of each.

The reader creates a `SourceFile` per schema file and a `Location` for every
token; every later stage reports problems as `Diagnostic` records.  Nothing
in the core prints: the CLI, Sphinx and reports format these records.
"""

from __future__ import annotations

import enum

from qapidoc.core.hints import NamedTuple
from qapidoc.core.lazy import lazy
from qapidoc.core.record import field, record


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that `max()` picks the worst."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None


@record(eq=False)
class SourceFile:
    """One schema file as read, and how it was included (None for a root).

    `lines` is the text split at newlines, once, when the file is read: the
    reader scans it and lint rules index it by line number.  CRLF and CR
    line endings read as LF, as QEMU reads them; `newline` is the file's
    own (its first), for writing the file back."""

    path: str
    text: str = field(repr=False)
    included_from: Location | None = None
    lines: list[str] = field(init=False, repr=False, compare=False)
    newline: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text, newline = normalize_newlines(self.text)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "newline", newline)
        object.__setattr__(self, "lines", text.split("\n"))

    def include_chain(self) -> list[Location]:
        """The include directives that brought this file in, innermost first."""
        chain: list[Location] = []
        where = self.included_from
        while where is not None:
            chain.append(where)
            where = where.file.included_from
        return chain


_NEWLINE = lazy(r"\r\n?|\n")


def normalize_newlines(text: str) -> tuple[str, str]:
    """`text` with CRLF and CR line endings made LF, and the first line
    ending it had ("\\n" when none)."""
    if "\r" not in text:
        return text, "\n"
    first = _NEWLINE.search(text)
    return text.replace("\r\n", "\n").replace("\r", "\n"), first.group() if first else "\n"


class Location(NamedTuple):
    """A 1-based line and column in a source file.

    A named tuple rather than a frozen dataclass: the reader makes one per
    token, and tuples are several times cheaper to create."""

    file: SourceFile
    line: int
    col: int = 1

    @property
    def path(self) -> str:
        return self.file.path

    def __str__(self) -> str:
        return f"{self.file.path}:{self.line}:{self.col}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Location):
            return NotImplemented
        return (self.file.path, self.line, self.col) < (
            other.file.path,
            other.line,
            other.col,
        )


@record
class Diagnostic:
    """One finding: where, which check, how bad, and what to say.

    `context` points at the definition a finding is about when the finding
    itself sits elsewhere (a member, a doc line); `definition` and `member`
    name what it is about, for baselines and machine-readable output.
    """

    location: Location
    code: str
    name: str
    severity: Severity
    message: str
    context: Location | None = None
    definition: str | None = None
    member: str | None = None
    fixable: bool = False
    """``--fix`` rewrites it (the finding carries an edit)."""


def diagnostic_sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    loc = d.location
    return (loc.file.path, loc.line, loc.col, d.code)
