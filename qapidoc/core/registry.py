"""The registry of checks: every finding's code, name, severity and docs.

Each check is declared once, beside the code that detects it, with `rule()`.
`qapidoc rules`, the docs' rule pages and SARIF rule metadata all read
`RULES`; the lint engine reads presets from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from qapidoc.core.record import field, record
from qapidoc.core.source import Diagnostic, Location, Severity

PRESETS: tuple[str, ...] = ("qemu", "recommended", "strict")
"""Nested presets, smallest first: each contains the ones before it."""

GROUPS: dict[str, str] = {"QA": "language", "QD": "documentation", "QL": "legacy"}
"""Code prefix → group.  ``legacy`` rules report forms older QEMU releases
accepted; a schema with no other errors still builds a complete model."""


@record
class Explanation:
    """What a rule's documentation says: `qapidoc rules`, SARIF rule
    metadata and the docs' rule pages read it; a lint run does not."""

    summary: str
    rationale: str = ""
    bad: str = ""
    good: str = ""
    practice: str = ""
    """What QEMU's own schemas and maintainers do, which the rule follows."""


@record
class Rule:
    """A named check.  `preset` is the smallest preset that enables it."""

    code: str
    name: str
    severity: Severity
    preset: str
    explained: Explanation | Callable[[], Explanation] = field(compare=False, repr=False)
    """The `Explanation`, or what makes it when first read (a lint rule's
    docstring is parsed only then)."""
    fixable: bool = False
    group: str = ""
    """``language``, ``documentation`` or ``legacy``; by default the group
    of the code's prefix (`GROUPS`)."""
    qemu_from: str = ""
    """The first QEMU release whose checker has this check (``10.2``), or,
    for a style rule, whose tree follows the practice it checks (``8.1``,
    when QEMU's doc comments were reformatted): a schema whose release under
    development is older is not held to it, as its own QEMU did not hold it."""

    def __post_init__(self) -> None:
        if not self.group:
            object.__setattr__(self, "group", GROUPS[self.code[:2]])

    def newer_than(self, release: tuple[int, ...]) -> bool:
        """Whether QEMU's checker of `release` did not have this check yet
        (`qemu_from`)."""
        return bool(self.qemu_from) and release < tuple(
            int(p) for p in self.qemu_from.split("."))

    @property
    def explanation(self) -> Explanation:
        found = self.explained
        if not isinstance(found, Explanation):
            found = found()
            object.__setattr__(self, "explained", found)
        return found

    @property
    def summary(self) -> str:
        return self.explanation.summary

    @property
    def rationale(self) -> str:
        return self.explanation.rationale

    @property
    def bad(self) -> str:
        return self.explanation.bad

    @property
    def good(self) -> str:
        return self.explanation.good

    @property
    def practice(self) -> str:
        return self.explanation.practice

    def in_preset(self, preset: str) -> bool:
        return PRESETS.index(self.preset) <= PRESETS.index(preset)

    def at(
        self,
        location: Location,
        message: str,
        *,
        context: Location | None = None,
        definition: str | None = None,
        member: str | None = None,
        fixable: bool = False,
    ) -> Diagnostic:
        return Diagnostic(
            location,
            self.code,
            self.name,
            self.severity,
            message,
            context,
            definition,
            member,
            fixable,
        )


RULES: dict[str, Rule] = {}

RULE_MODULES: tuple[str, ...] = (
    "qapidoc.schema.builder",
    "qapidoc.lint.documentation",
    "qapidoc.lint.examples",
    "qapidoc.lint.markup",
    "qapidoc.lint.naming",
    "qapidoc.lint.suppressions",
    "qapidoc.lint.versions",
)
"""Every module that declares rules.  They are imported by name so that the
registry (which every stage uses) depends on none of them (`__import__`:
the `importlib` package would bring `warnings` into a lint run)."""


def load_all_rules() -> None:
    """Import every rule family, so that `RULES` is complete."""
    for name in RULE_MODULES:
        __import__(name)


def rule(
    code: str,
    name: str,
    summary: str | Callable[[], Explanation],
    *,
    severity: Severity = Severity.ERROR,
    preset: str = "qemu",
    rationale: str = "",
    bad: str = "",
    good: str = "",
    fixable: bool = False,
    practice: str = "",
    group: str = "",
    qemu_from: str = "",
) -> Rule:
    """Declare a check; codes and names must be unique.  `summary` may be
    a function making the whole `Explanation` when it is first read."""
    if code in RULES:
        raise ValueError(f"duplicate rule code {code}")
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset}")
    if code[:2] not in GROUPS:
        raise ValueError(f"rule code {code} has no group")
    if group and group not in GROUPS.values():
        raise ValueError(f"unknown group {group}")
    explained = summary if callable(summary) else Explanation(
        summary, rationale.strip(), bad.strip("\n"), good.strip("\n"), practice.strip())
    r = Rule(code, name, severity, preset, explained, fixable, group, qemu_from)
    RULES[code] = r
    return r


def is_legacy(d: Diagnostic) -> bool:
    """A finding about a form older QEMU releases accepted."""
    r = RULES.get(d.code)
    return r is not None and r.group == "legacy"


def model_errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The errors after which the model may be incomplete or wrong.

    Legacy forms are read as their modern spelling, and documentation
    problems (doc comment syntax, layout, binding, line length) leave the
    definitions intact: compat, history and the docs work despite them."""
    return [d for d in diagnostics
            if d.severity is Severity.ERROR and not is_legacy(d)
            and not d.code.startswith("QA3") and not d.name.startswith("doc-")]


def find_rules(selector: str) -> list[Rule]:
    """Rules matching a code, a code prefix, a name or a group; [] if none."""
    sel = selector.strip()
    by_name = [r for r in RULES.values() if r.name == sel]
    if by_name:
        return by_name
    if sel in GROUPS.values():
        return [r for r in RULES.values() if r.group == sel]
    upper = sel.upper()
    return [r for r in RULES.values() if r.code.startswith(upper)] if upper else []
