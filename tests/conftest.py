"""Where QEMU's tree and the other reference material are, and skipping
with a reason that names the variable to set when they are absent.

``QAPIDOC_QEMU_SRC``      a QEMU checkout (its ``qapi/``, ``qga/``,
                          ``storage-daemon/qapi/``); default
                          ``../shared/corpus/qemu`` when present.
``QAPIDOC_QEMU_RELEASES`` released schemas as ``X.Y.0/qapi/…``; default
                          ``../shared/corpus/qemu-releases``.
``QAPIDOC_CONFORMANCE``   QEMU's parser test cases (``NAME.json`` and
                          ``NAME.err``); default ``../shared/conformance``,
                          else ``$QAPIDOC_QEMU_SRC/tests/qapi-schema``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _from_env(variable: str, *defaults: Path) -> Path:
    value = os.environ.get(variable)
    if value:
        return Path(value).expanduser().resolve()
    return next((d for d in defaults if d.exists()), defaults[0])


QEMU_SRC = _from_env("QAPIDOC_QEMU_SRC", SHARED / "corpus" / "qemu")
CORPUS = QEMU_SRC
RELEASES = _from_env("QAPIDOC_QEMU_RELEASES", SHARED / "corpus" / "qemu-releases")
CONFORMANCE = _from_env("QAPIDOC_CONFORMANCE", SHARED / "conformance",
                        QEMU_SRC / "tests" / "qapi-schema")

_WHY = {
    "QAPIDOC_QEMU_SRC": "needs QEMU's source tree: set QAPIDOC_QEMU_SRC to a "
                        "QEMU checkout",
    "QAPIDOC_QEMU_RELEASES": "needs QEMU's released schemas: set "
                             "QAPIDOC_QEMU_RELEASES to a directory of "
                             "X.Y.0/qapi/ trees",
    "QAPIDOC_CONFORMANCE": "needs QEMU's parser test cases: set "
                           "QAPIDOC_CONFORMANCE (or QAPIDOC_QEMU_SRC) to them",
}


def skip_reason(variable: str, path: Path) -> str:
    return f"{_WHY[variable]} ({path} not found)"


def need(variable: str, path: Path) -> Path:
    """Skip the calling test, naming `variable`, when `path` is absent."""
    if not path.exists():
        pytest.skip(skip_reason(variable, path))
    return path


def need_shared(path: Path) -> Path:
    """Skip unless `path` (under one of the trees above) exists, naming the
    variable that points at its tree."""
    for variable, tree in (("QAPIDOC_QEMU_RELEASES", RELEASES),
                           ("QAPIDOC_CONFORMANCE", CONFORMANCE)):
        if path == tree or tree in path.parents:
            return need(variable, path)
    return need("QAPIDOC_QEMU_SRC", path)


def need_qemu(sub: str = "") -> Path:
    """QEMU's tree (or a path in it), else skip naming QAPIDOC_QEMU_SRC."""
    need("QAPIDOC_QEMU_SRC", QEMU_SRC)
    return need("QAPIDOC_QEMU_SRC", QEMU_SRC / sub) if sub else QEMU_SRC


def need_releases(sub: str = "") -> Path:
    need("QAPIDOC_QEMU_RELEASES", RELEASES)
    return need("QAPIDOC_QEMU_RELEASES", RELEASES / sub) if sub else RELEASES


@pytest.fixture
def corpus() -> Path:
    return need_qemu()


@pytest.fixture
def releases() -> Path:
    return need_releases()
