"""Lint: the rule engine and the rules beyond QEMU's own checks.

`run_lint(schema, config)` returns every finding the configuration asks
for.  Importing this package registers every rule in
`qapidoc.registry.RULES`, one module per family.
"""

from . import (  # noqa: F401  (register rules)
    documentation,
    examples,
    markup,
    naming,
    suppressions,
    versions,
)
from .engine import CHECKS, Edit, Finding, LintContext, LintResult, run_lint

__all__ = ["CHECKS", "Edit", "Finding", "LintContext", "LintResult", "run_lint"]
