"""The subcommands the CLI offers; each lives in its own module."""

from __future__ import annotations

import argparse


def register_all(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from . import lint_command

    lint_command.register(sub)
    __import__("qapidoc.rules_command", fromlist=["register"]).register(sub)
    __import__("qapidoc.compat_command", fromlist=["register"]).register(sub)
    __import__("qapidoc.build_command", fromlist=["register"]).register(sub)
