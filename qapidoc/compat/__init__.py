"""Stage 2b, compatibility: what a schema looks like on the wire and what
changed between two of them.

`wire` walks the model into wire paths; `diff` compares two walks into
`Change`s; `history` finds each element's first release over many
schemas; `report` formats changes (text, JSON, SARIF, Markdown, rST).

In: `Schema` models.  Out: changes and histories; it never prints.  May
import `qapidoc.core` and `qapidoc.schema`; must not import lint, cli,
`sphinx_ext`, Sphinx or docutils.
"""
