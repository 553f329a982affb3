"""The cyclic garbage collector off while a whole-schema job runs.

Loading a schema makes about 10⁵ objects and no cycles worth collecting;
with the collector on, each generation-2 pass walks the whole model again
(a load, a lint run and the lint command each paid for that).
`cycles_off` restores the collector's state after, so a library caller's
process is left as it was.
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
