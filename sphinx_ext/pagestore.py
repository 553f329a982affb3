"""What the extension records per page in Sphinx's environment.

A value noted while a page is read must go when the page is re-read
(``env-purge-doc``) and come back from parallel readers
(``env-merge-info``); `PageStore` does both for one attribute of the
environment, so each record is one line where it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Set

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

_V = TypeVar("_V")


class PageStore(Generic[_V]):
    """docname → value, kept as the environment attribute *attribute*."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def of(self, env: BuildEnvironment) -> dict[str, _V]:
        found: dict[str, _V] | None = getattr(env, self.attribute, None)
        if found is None:
            found = {}
            setattr(env, self.attribute, found)
        return found

    def connect(self, app: Sphinx) -> None:
        app.connect("env-purge-doc", self._purge)
        app.connect("env-merge-info", self._merge)

    def _purge(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        self.of(env).pop(docname, None)

    def _merge(self, app: Sphinx, env: BuildEnvironment, docnames: Set[str],
               other: BuildEnvironment) -> None:
        theirs = self.of(other)
        self.of(env).update({d: theirs[d] for d in docnames if d in theirs})
