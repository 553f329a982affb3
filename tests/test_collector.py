"""qapidoc.core.collector leaves a library caller's memory as it was."""

from __future__ import annotations

import weakref

import pytest

from qapidoc.core import collector


class _Node:
    pass


def test_discard_frees_in_a_library_caller() -> None:
    node = _Node()
    ref = weakref.ref(node)
    collector.discard(node)
    del node
    assert ref() is None


def test_the_program_keeps_its_first_loads_to_the_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "_KEPT", None)
    collector.keep_until_exit()
    nodes = [_Node() for _ in range(collector.KEPT_LOADS + 2)]
    refs = [weakref.ref(n) for n in nodes]
    for n in nodes:
        collector.discard(n)
    del nodes, n
    alive = [r() is not None for r in refs]
    assert alive == [True] * collector.KEPT_LOADS + [False, False]
