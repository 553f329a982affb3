"""The cyclic garbage collector off while a whole-schema job runs.

Loading a schema makes about 10⁵ objects and no cycles worth collecting;
with the collector on, each generation-2 pass walks the whole model again
(a load, a lint run and the lint command each paid for that).
`cycles_off` restores the collector's state after, so a library caller's
process is left as it was.

Memory is the other end of it: the ``qapidoc`` program exits with
`os._exit` right after its report (`qapidoc.cli.app.console`), without
freeing anything, and `keep_until_exit` tells `discard` to do the same
for the nodes a load reads and builds from and then drops, some 10⁵
objects spread over the heap (freeing them was some 5 % of a QMP lint's
wall time, more than their share of instructions: cache misses).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps

from qapidoc.core.hints import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import ParamSpec, TypeVar

    _P = ParamSpec("_P")
    _R = TypeVar("_R")


def cycles_off(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """*function*, run with the cyclic collector disabled (then restored)."""

    @wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


_KEPT: list[tuple[object, ...]] | None = None

KEPT_LOADS = 4
"""How many `discard` calls keep their objects: a command that loads many
schemas (history, compat across releases) frees the rest, so that its
memory stays bounded."""


def keep_until_exit() -> None:
    """The process ends with `os._exit` once its job is done: `discard`
    keeps what it is given instead of letting it be freed."""
    global _KEPT
    _KEPT = []


def discard(*objects: object) -> None:
    """The caller is done with *objects*; they are freed as usual, unless
    `keep_until_exit` was called, where the first `KEPT_LOADS` calls keep
    them to the end of the process."""
    if _KEPT is not None and len(_KEPT) < KEPT_LOADS:
        _KEPT.append(objects)
