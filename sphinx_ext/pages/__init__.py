"""Page generation: whole reference pages for schemas (`generate`), one
page per module in split mode (`split`) and the "changes by release" page
(`changes`).

In: the model and Sphinx's configuration.  Out: generated ``.rst`` files in
the source tree (only files this package wrote itself are ever replaced) and
the ``qapi-changes`` directive.
"""
