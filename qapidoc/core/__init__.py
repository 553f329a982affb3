"""Shared services every stage may use: locations and diagnostics
(`source`), the rule registry (`registry`), configuration (`config`) and
the formats of lint reports (`report`).

In: nothing of qapidoc's own beyond this package.  Out: plain records and
functions.  Must not import `qapidoc.schema`, `qapidoc.lint`,
`qapidoc.compat`, `qapidoc.cli`, `sphinx_ext`, Sphinx or docutils.
"""
