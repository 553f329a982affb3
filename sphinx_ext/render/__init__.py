"""Rendering the model: `Schema` → rST lines (`rst`) → docutils nodes
(`nodes`), driven by the ``qapi-doc`` directive (`directive`); `legacy`
turns QEMU's doc markup from before rST into rST, `rst_syntax` says which
lines open an rST construct, `lexer` highlights QMP examples.

In: the model from `qapidoc` (never re-parsed).  Out: nodes in the ``qapi``
domain's directives.  Must not import `sphinx_ext.pages`' generators at
module level except for split-page names.
"""
