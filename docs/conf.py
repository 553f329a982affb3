"""Sphinx configuration of qapidoc's own documentation.

Built in CI with ``sphinx-build -W docs docs/_build/html`` and on Read the
Docs.  The rule reference, CLI and configuration tables are generated from
the code by ``_ext/qapidoc_docs.py``; the example schemas are rendered by
qapidoc's own extension, ``sphinx_ext``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(ROOT))  # a checkout works without installing

import qapidoc  # noqa: E402

project = "qapidoc"
author = "the qapidoc authors"
copyright = "the qapidoc authors"
release = version = qapidoc.__version__

extensions = [
    "sphinx_ext",  # the QAPI domain and `.. qapi-doc::`
    "qapidoc_docs",  # pages generated from qapidoc's code
]

root_doc = "index"
exclude_patterns = ["_build"]
nitpicky = True
highlight_language = "none"
# Option names such as --fail-on must survive copy and paste: no en dashes
# or curly quotes anywhere on the site.
smartquotes = False

# Relative schema paths in `.. qapi-doc::` are relative to the repository.
qapidoc_srctree = str(ROOT)
# Harbor is rendered one page per module: sphinx_ext writes
# examples/harbor/{index,<module>,changes}.rst at build time (git-ignored).
qapidoc_schemas = {
    "examples/harbor": {
        "path": "schemas/harbor/harbor-schema.json",
        "namespace": "Harbor",
        "title": "Harbor Control Protocol reference",
    },
}

html_theme = "alabaster"  # ships with Sphinx: builds where only qapidoc is installed
html_title = f"qapidoc {release}"
html_theme_options = {
    "description": "Lint, compare and document QAPI schemas",
    "fixed_sidebar": True,
    "show_relbars": True,
}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
html_copy_source = False
html_show_sourcelink = False
