"""Which root schema a file given on the command line belongs to.

A QAPI module is only meaningful inside the schema that includes it (its
pragmas, the types it uses), so a module file is checked in the context of
a root that includes it: a configured root, or else the nearest
``qapi-schema.json`` above it.  `plan()` turns the files a user named into
the roots to load and, per root, the files whose findings to show.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from qapidoc.core.record import record
from qapidoc.schema.model import Schema

ROOT_NAME = "qapi-schema.json"
"""The file name QEMU gives its root schemas (QMP, guest agent, storage
daemon); such a file is a root, and the nearest one above a module is
tried as its root."""


@record(frozen=False, slots=False)
class Target:
    """A root schema to lint and the files to report on (None: all)."""

    root: str
    only: set[str] | None


@record(frozen=False, slots=False)
class Plan:
    targets: list[Target]
    outside: list[str]
    """Files in none of the configured roots (not checked)."""


def _key(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _nearest_roots(path: str) -> list[str]:
    """``qapi-schema.json`` files above `path`, nearest first, stopping at
    the top of the repository (a directory holding ``.git``)."""
    out = []
    here = os.path.dirname(os.path.abspath(path))
    while True:
        candidate = os.path.join(here, ROOT_NAME)
        if os.path.isfile(candidate) and _key(candidate) != _key(path):
            out.append(candidate)
        parent = os.path.dirname(here)
        if parent == here or os.path.exists(os.path.join(here, ".git")):
            return out
        here = parent


def schema_files(schema: Schema) -> set[str]:
    return {_key(f.path) for f in schema.files}


def plan(files: Sequence[str], configured: Sequence[str],
         load: Callable[[str], Schema], *, only_given: bool = False) -> Plan:
    """Roots for `files`.  A file that is a root (configured, or named
    ``qapi-schema.json``) is linted whole; a file that a root includes is
    reported on in that root's context (every configured root including
    it, else the nearest auto-detected one); any other file is a root of
    its own, unless roots are configured (then it is `outside`).
    `only_given` (pre-commit) reports on the given files only, roots too."""
    targets: dict[str, Target] = {}
    outside: list[str] = []
    roots = {_key(r): r for r in configured if not r.startswith("git:")}

    def add(root: str, only: str | None) -> None:
        t = targets.setdefault(_key(root) if not root.startswith("git:") else root,
                               Target(root, set()))
        if only is None or t.only is None:
            t.only = None
        else:
            t.only.add(only)

    owned: dict[str, set[str]] = {}

    def includes(root: str, key: str) -> bool:
        if root not in owned:
            owned[root] = schema_files(load(root))
        return key in owned[root]

    for f in files:
        if f.startswith("git:") or not os.path.isfile(f):
            add(f, _key(f) if only_given and not f.startswith("git:") else None)
            continue
        k = _key(f)
        is_root = k in roots or (not roots and os.path.basename(f) == ROOT_NAME)
        if is_root:
            add(f, k if only_given else None)
            continue
        candidates = list(configured) if roots else _nearest_roots(f)
        owners = [r for r in candidates if includes(r, k)]
        if not roots:
            owners = owners[:1]
        for r in owners:
            add(r, k)
        if not owners:
            if roots and only_given:
                outside.append(f)
            else:
                add(f, k if only_given else None)
    return Plan(list(targets.values()), outside)
