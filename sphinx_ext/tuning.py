"""Make Sphinx's own work cheaper on references of QEMU's size.

The garbage collector: docutils trees are big and cyclic, and with the
default thresholds Python rescans the whole heap over and over — the
environment it just unpickled, then every doctree — and the exit-time
collection of a QEMU-sized build alone takes seconds.  Thresholds are raised
from ``config-inited`` (before the environment is loaded) until the build
ends; what is loaded before reading and what reading produced is frozen,
since it lives until the end of the build; objects still alive at exit are
frozen instead of collected (the OS reclaims them).  A long-lived process
gets its thresholds back, and its objects unfrozen, when the build ends.

Templates: Sphinx compiles the theme's Jinja templates in every build, the
largest single cost of writing a page or two after an edit, and the
theme's ``_t`` static files (stylesheets) from their text, which Jinja's
loader-side cache does not see.  Jinja's bytecode cache, kept in the
doctree directory and checked against each template's source, skips both
from the second build on.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import os
from collections.abc import Callable, MutableMapping
from typing import Any

from jinja2 import Environment, Template
from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache
from sphinx.application import Sphinx
from sphinx.config import Config

_GC_THRESHOLDS = (200_000, 50, 100)
_saved_thresholds: list[tuple[int, int, int]] = []
_freeze_at_exit: list[bool] = []

TEMPLATE_CACHE = "qapidoc-templates"
"""Directory of compiled templates, inside the doctree directory."""


def _tune_gc(app: Sphinx, config: Config) -> None:
    if not config.qapidoc_tune_gc:
        return
    if not _saved_thresholds:  # an app that failed to start kept them raised
        _saved_thresholds.append(gc.get_threshold())
    gc.set_threshold(*_GC_THRESHOLDS)
    if not _freeze_at_exit:
        _freeze_at_exit.append(True)
        atexit.register(gc.freeze)


def _freeze(app: Sphinx, *_args: object) -> None:
    """What is alive now lives until the end of the build: stop rescanning it."""
    if _saved_thresholds:
        gc.freeze()


def _restore_gc(app: Sphinx, exception: BaseException | None) -> None:
    if _saved_thresholds:
        gc.set_threshold(*_saved_thresholds.pop())
        gc.unfreeze()


class TemplateCache(FileSystemBytecodeCache):
    """Never a reason for a build to fail: an entry that cannot be read
    (truncated, from another Jinja) is compiled again, and a directory that
    cannot be written is not written."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # any damage means: compile it
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _cached_from_string(environment: Environment, cache: BytecodeCache
                        ) -> Callable[..., Template]:
    """``environment.from_string`` through *cache*, as Jinja's loaders use
    it: keyed by a digest of the source, the code checked against it."""
    def from_string(source: str | Any, globals: MutableMapping[str, Any] | None = None,
                    template_class: type[Template] | None = None) -> Template:
        if not isinstance(source, str):
            return original(source, globals, template_class)
        name = "from_string:" + hashlib.sha256(source.encode()).hexdigest()
        bucket = cache.get_bucket(environment, name, None, source)
        code = bucket.code
        if code is None:
            code = environment.compile(source)
            bucket.code = code
            cache.set_bucket(bucket)
        cls = template_class or environment.template_class
        return cls.from_code(environment, code, environment.make_globals(globals), None)

    original = environment.from_string
    return from_string


def _cache_templates(app: Sphinx) -> None:
    if not app.config.qapidoc_template_cache:
        return
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or environment.bytecode_cache is not None:
        return
    directory = os.path.join(app.doctreedir, TEMPLATE_CACHE)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError:
        return
    environment.bytecode_cache = TemplateCache(directory)
    environment.from_string = _cached_from_string(
        environment, environment.bytecode_cache)


def setup_tuning(app: Sphinx) -> None:
    app.connect("config-inited", _tune_gc, priority=100)
    app.connect("builder-inited", _freeze, priority=100)
    app.connect("builder-inited", _cache_templates)
    app.connect("env-updated", _freeze)
    app.connect("build-finished", _restore_gc)
