"""Lint: the rule engine and the rules beyond QEMU's own checks.

`run_lint(schema, config)` returns every finding the configuration asks
for.  `load_rules()` registers every rule family in
`qapidoc.core.registry.RULES`; `run_lint` calls it unless only QEMU's own
checks (preset ``qemu``) are wanted, which keeps that path lean.

In: a `Schema` (and, for the version rules, older ones).  Out: findings as
`Diagnostic`s; it never prints.  May import `qapidoc.core`, `qapidoc.schema`
and `qapidoc.compat` (wire walk, history); must not import `qapidoc.cli` or
`sphinx_ext`, nor Sphinx or docutils at module level (the rST check of the
strict preset imports docutils when it runs).
"""

from qapidoc.lint.engine import CHECKS, Edit, Finding, LintContext, LintResult, load_rules, run_lint

__all__ = ["CHECKS", "Edit", "Finding", "LintContext", "LintResult", "load_rules",
           "run_lint"]
