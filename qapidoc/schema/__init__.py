"""Stage 1, the front end: schema text → the typed, frozen `Schema` model.

`reader` (text → located nodes, includes, pragmas) → `expressions` (the
shape of each definition) → `builder` (whole-schema checks, references
resolved) with `docs` (doc comments → typed sections) → `model`.
`gitsource` reads schemas from a git revision.

In: file paths or text.  Out: `Schema` and `Diagnostic`s; it never prints.
May import `qapidoc.core`; must not import lint, compat, cli, `sphinx_ext`,
Sphinx or docutils.
"""
