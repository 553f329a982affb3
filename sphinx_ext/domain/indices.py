"""The domain's indices: every definition alphabetically, and by kind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, cast

from sphinx.domains import Index, IndexEntry
from sphinx.locale import _

from sphinx_ext.domain.names import MEMBER_TYPES

if TYPE_CHECKING:
    from sphinx_ext.domain.names import QAPIObject
    from sphinx_ext.domain.qapi_domain import QAPIDomain


def _definitions(index: Index, docnames: Iterable[str] | None) -> list[QAPIObject]:
    """The domain's definitions and modules on `docnames` (all when None),
    by name."""
    wanted = set(docnames) if docnames is not None else None
    domain = cast("QAPIDomain", index.domain)
    return sorted(
        (obj for obj in domain.objects.values()
         if obj.objtype not in MEMBER_TYPES and (wanted is None or obj.docname in wanted)),
        key=lambda obj: (obj.name.lower(), obj.namespace, obj.objtype),
    )


class QAPIIndex(Index):
    """Every definition and module, alphabetically, with its kind."""

    name = "index"
    localname = _("QAPI Index")
    shortname = _("QAPI Index")
    #: only this namespace's definitions (the per-namespace indices)
    namespace: ClassVar[str | None] = None

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        content: dict[str, list[IndexEntry]] = {}
        entries = [obj for obj in _definitions(self, docnames)
                   if self.namespace is None or obj.namespace == self.namespace]
        for obj in entries:
            kind = str(domain.object_types[obj.objtype].lname)
            extra = f"{obj.namespace} {kind}" if obj.namespace else kind
            if obj.since:
                extra += _(", since %s") % obj.since
            letter = obj.name[:1].upper()
            content.setdefault(letter, []).append(
                IndexEntry(obj.name, 0, obj.docname, obj.node_id, extra, "", obj.synopsis)
            )
        return sorted(content.items()), False


class QAPIKindIndex(Index):
    """Every definition grouped by kind (commands, events, types), with Since."""

    name = "kind-index"
    localname = _("QAPI Index by Kind")
    shortname = _("by kind")

    def generate(
        self, docnames: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, list[IndexEntry]]], bool]:
        domain = self.domain
        content: dict[str, list[IndexEntry]] = {}
        for obj in _definitions(self, docnames):
            if obj.objtype == "module":
                continue
            kind = str(domain.object_types[obj.objtype].lname)
            group = _("%ss") % kind.capitalize()
            extra = f"{obj.namespace}, since {obj.since}" if obj.since else obj.namespace
            content.setdefault(group, []).append(
                IndexEntry(obj.name, 0, obj.docname, obj.node_id, extra, "", obj.synopsis)
            )
        return sorted(content.items()), False


def namespace_index(namespace: str) -> type[QAPIIndex]:
    """The index of one namespace, e.g. ``qapi-qmp-index`` for QMP (as QEMU's)."""
    return type(
        f"QAPI{namespace}Index",
        (QAPIIndex,),
        {
            "name": f"{namespace.lower()}-index",
            "localname": _("%s Index") % namespace,
            "shortname": _("%s Index") % namespace,
            "namespace": namespace,
        },
    )
