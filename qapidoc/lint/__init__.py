"""Lint: the rule engine and the rules beyond QEMU's own checks.

`run_lint(schema, config)` returns every finding the configuration asks
for.  `load_rules()` registers every rule family in
`qapidoc.registry.RULES`; `run_lint` calls it unless only QEMU's own
checks (preset ``qemu``) are wanted, which keeps that path lean.
"""

from .engine import CHECKS, Edit, Finding, LintContext, LintResult, load_rules, run_lint

__all__ = ["CHECKS", "Edit", "Finding", "LintContext", "LintResult", "load_rules",
           "run_lint"]
