"""Shared fixtures: where ../shared is, and skipping when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "qemu"
RELEASES = SHARED / "corpus" / "qemu-releases"
CONFORMANCE = SHARED / "conformance"


def need_shared(path: Path) -> Path:
    """Skip the calling test when the reference material is absent."""
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture
def corpus() -> Path:
    return need_shared(CORPUS)


@pytest.fixture
def releases() -> Path:
    return need_shared(RELEASES)
