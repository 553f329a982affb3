"""The subcommands the CLI offers; each lives in its own module.

Only the module of the command being run is imported: ``qapidoc lint``
runs on every commit under pre-commit and must not pay for compat or Sphinx.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

COMMANDS: dict[str, str] = {
    "lint": "lint",
    "rules": "rules",
    "compat": "compat",
    "history": "compat",
    "build": "build",
}


def register_all(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                 argv: Sequence[str] | None = None) -> None:
    """Register the command named in `argv` (all of them when there is
    none, or for help and errors, which list every command)."""
    wanted = next((a for a in argv or () if not a.startswith("-")), None)
    modules = ([COMMANDS[wanted]] if wanted in COMMANDS
               else list(dict.fromkeys(COMMANDS.values())))
    for name in modules:
        __import__(f"qapidoc.cli.{name}", fromlist=["register"]).register(sub)
