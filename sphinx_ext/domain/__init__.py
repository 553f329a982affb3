"""The ``qapi`` Sphinx domain: directives, roles and an index for QAPI.

In: rST using ``.. qapi:command::`` and friends (hand-written, or produced by
the autodoc renderer) and references such as ``:qapi:type:`[BlockdevOptions]```.
Out: signatures with badges, genindex entries, objects.inv entries for every
definition and member, resolved links and the "QAPI Index" page.

Anchor ids depend only on the namespace and the names, never on the document::

    qapi-[NAMESPACE.]KIND-Definition[.SUB-member]...

KIND is ``mod``, ``cmd``, ``event``, ``enum``, ``obj`` (struct *and* union, so a
struct that becomes a union keeps its links) or ``alt``; SUB is ``mem``
(member or argument), ``val`` (enum value), ``branch`` (union branch or
alternative) or ``feat``.  E.g. ``qapi-QMP.cmd-blockdev-add``,
``qapi-QMP.obj-BlockdevOptions.mem-driver``, ``qapi-enum-Mood.val-Happy``.
"""

from sphinx_ext.domain.directives import QAPIDescription
from sphinx_ext.domain.indices import QAPIIndex
from sphinx_ext.domain.names import (
    BUILTIN_TYPES,
    QAPIObject,
    TypeRef,
    definition_anchor,
    member_anchor,
    parse_target,
)
from sphinx_ext.domain.qapi_domain import QAPIDomain, setup, setup_domain

__all__ = [
    "BUILTIN_TYPES",
    "QAPIDescription",
    "QAPIDomain",
    "QAPIIndex",
    "QAPIObject",
    "TypeRef",
    "definition_anchor",
    "member_anchor",
    "parse_target",
    "setup",
    "setup_domain",
]
