"""Rendering the model: `Schema` → rST lines (`rst`) → docutils nodes
(`nodes`), driven by the ``qapi-doc`` directive (`directive`); `lexer`
highlights QMP examples.

In: the model from `qapidoc` (never re-parsed).  Out: nodes in the ``qapi``
domain's directives.  Must not import `sphinx_ext.pages`' generators at
module level except for split-page names.
"""
