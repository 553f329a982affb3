"""Options every command shares, declared once: configuration, ``--fail-on``,
text output, and the exit status they lead to.

Each command calls the ``add_*`` helpers when it builds its parser and the
matching readers when it runs, so ``--config``/``--no-config``, thresholds
and exit codes mean the same in ``lint``, ``compat`` and ``build``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable

from qapidoc.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from qapidoc.core.hints import TYPE_CHECKING

if TYPE_CHECKING:
    from qapidoc.core.config import Config
    from qapidoc.core.source import Diagnostic, Severity

LEVELS = ("error", "warning", "info")

UNREADABLE_CODES = frozenset({"QA002"})
"""Front-end codes that mean the input could not be read: exit status 2."""


def one_line(text: str) -> str:
    """An option whose text goes into generated output (a title, a version,
    a changelog label) as one line of printable characters."""
    if not text.isprintable():
        raise argparse.ArgumentTypeError(
            f"{text!r} must be one line of printable characters")
    return text


def add_config_options(p: argparse.ArgumentParser) -> None:
    """``--config FILE`` and ``--no-config`` (mutually exclusive)."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--config", metavar="FILE",
                       help="configuration file (default: the nearest "
                       ".qapidoc.yaml or pyproject.toml with [tool.qapidoc] "
                       "above the schema)")
    group.add_argument("--no-config", action="store_true",
                       help="ignore configuration files; use the defaults")


def config_start(spec: str) -> str:
    """Where to look for configuration for a schema path or git:REF:PATH."""
    if spec.startswith("git:"):
        from qapidoc.schema.gitsource import parse_git_spec

        try:
            return os.path.join(os.getcwd(), parse_git_spec(spec)[1])
        except ValueError:
            return os.getcwd()
    return spec


def read_config(args: argparse.Namespace, start: str) -> Config:
    """The configuration the options ask for: none, the named file, or the
    nearest one above `start`.  A broken file is a usage error (exit 2)."""
    from qapidoc.core.config import Config, ConfigError, find_config, load_config

    try:
        if getattr(args, "no_config", False):
            return Config()
        if getattr(args, "config", None):
            return load_config(args.config)
        return find_config(start)
    except ConfigError as e:
        raise UsageError(str(e)) from None


def add_fail_on(p: argparse.ArgumentParser, default: str, *,
                never: bool = False) -> None:
    p.add_argument("--fail-on", choices=(*LEVELS, "never") if never else LEVELS,
                   default=default, metavar="LEVEL",
                   help="lowest severity that makes the exit status 1: "
                   + ", ".join(LEVELS) + (" or never" if never else "")
                   + f" (default: {default})")


def exit_status(severities: Iterable[Severity], fail_on: str) -> int:
    """1 when any severity reaches `fail_on` ('never': 0)."""
    from qapidoc.core.source import Severity

    if fail_on == "never":
        return EXIT_OK
    floor = Severity.parse(fail_on)
    return EXIT_FINDINGS if any(s >= floor for s in severities) else EXIT_OK


def unreadable(diags: Iterable[Diagnostic]) -> bool:
    """Whether some input (a schema or an included file) could not be read."""
    return any(d.code in UNREADABLE_CODES for d in diags)


def input_status(diags: Iterable[Diagnostic]) -> int | None:
    """EXIT_USAGE when input was unreadable, else None."""
    return EXIT_USAGE if unreadable(diags) else None


def add_output_format(p: argparse.ArgumentParser) -> None:
    from qapidoc.core.report import OUTPUT_FORMATS

    p.add_argument("--output-format", choices=OUTPUT_FORMATS, default="full",
                   help="text output: 'full' shows the source line and how "
                   "each file was included; 'concise' one line per finding "
                   "(default: full)")
