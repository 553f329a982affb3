"""Command line: ``qapidoc lint|rules|compat|history|build``.

Parses arguments, calls the library, formats diagnostics.  One exit-status
contract for every command (`EXIT_STATUS`, shown in each ``--help``).
Heavy imports happen inside each command.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from functools import lru_cache

from qapidoc.core.hints import cast
from qapidoc.core.inputs import TooLarge
from qapidoc.core.lazy import lazy

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

EXIT_STATUS = """\
Exit status (the same for every command): 0 clean; 1 findings or changes at
or above --fail-on; 2 usage error, bad configuration or unreadable input (a
missing schema or included file, a directory, a file that is not UTF-8 or
too large, a bad git:REF:PATH)."""


_INVALID_CHOICE = lazy(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class UsageError(Exception):
    """Bad command line or configuration; reported without a traceback."""


class ArgumentError(UsageError):
    """A bad command line that argparse cannot see (an option's value, a
    missing schema): reported with the command's usage, as argparse's own."""


class _Parser(argparse.ArgumentParser):
    """Errors print this (sub)command's usage, with a did-you-mean hint for
    a misspelled option."""

    def error(self, message: str) -> None:  # type: ignore[override]
        bad = _INVALID_CHOICE.search(message)
        if bad is not None:
            from qapidoc.core.suggest import did_you_mean

            hint = did_you_mean(bad.group(1), re.findall(r"'([^']*)'", bad.group(2)))
            message = message.replace(bad.group(0), f"invalid choice: "
                                      f"'{bad.group(1)}'{hint} (choose from "
                                      f"{bad.group(2)})")
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter per option it adds, each asking
        # shutil (imported for it, with its compression modules) for the
        # terminal's width.
        make = cast("type[argparse.HelpFormatter]", self.formatter_class)
        return make(prog=self.prog, width=_width())

    def unrecognized(self, extras: Sequence[str]) -> None:
        from qapidoc.core.suggest import did_you_mean

        options = [o for a in self._actions for o in a.option_strings]
        hints = "".join(did_you_mean(x.partition("=")[0], options)
                        for x in extras if x.startswith("-"))
        self.error(f"unrecognized arguments: {' '.join(extras)}{hints}")


@lru_cache(maxsize=1)
def _width() -> int:
    """The help width argparse would use: `shutil.get_terminal_size`'s
    columns (``$COLUMNS``, else the terminal's, else 80), less 2."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            out = sys.__stdout__
            columns = os.get_terminal_size(out.fileno()).columns if out else 0
        except (ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns - 2


def build_parser(argv: Sequence[str] | None = None) -> _Parser:
    """The parser with every command, or only the one `argv` names."""
    from qapidoc import __version__

    parser = _Parser(
        prog="qapidoc",
        description="Lint, compare and document QAPI schemas.",
        epilog=EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version",
                        version=f"qapidoc {__version__}")
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser)
    from qapidoc.cli.commands import register_all

    register_all(sub, argv)
    parser.set_defaults(_subparsers=sub)
    return parser


def _unknown_command(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """Reject a misspelled command with a hint, before argparse's
    generic 'invalid choice'."""
    from qapidoc.cli.commands import COMMANDS
    from qapidoc.core.suggest import did_you_mean

    word = next((a for a in argv if not a.startswith("-")), None)
    if word is not None and word not in COMMANDS:
        parser.error(f"unknown command '{word}'{did_you_mean(word, COMMANDS)} "
                     f"(commands: {', '.join(COMMANDS)})")


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    _unknown_command(parser, argv)
    args, extras = parser.parse_known_args(argv)
    if not getattr(args, "command", None):
        if extras:  # a misspelled top-level option, e.g. --verison
            parser.unrecognized(extras)
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if extras:
        sub = args._subparsers.choices[args.command]
        sub.unrecognized(extras)
    try:
        result: int = args.run(args)
        return result
    except ArgumentError as e:
        sub = args._subparsers.choices[args.command]
        sub.print_usage(sys.stderr)
        sys.stderr.write(f"{sub.prog}: error: {e}\n")
        return EXIT_USAGE
    except (UsageError, TooLarge) as e:
        sys.stderr.write(f"qapidoc: error: {e}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


def console() -> None:
    """The ``qapidoc`` program: `main`, then exit without tearing down.

    A lint run builds a model of some 10⁵ objects and exits right after
    reporting; the collector would walk them all several times and the
    interpreter's finalization again, for nothing (about 15 % of a run).
    So a command other than ``build`` (which runs Sphinx and its
    extensions' exit hooks) runs with the cyclic collector off, keeps
    what a load is done with rather than freeing it
    (`qapidoc.core.collector.discard`) and ends with `os._exit` once its
    output is flushed.  `main` itself, as tests and other programs call
    it, leaves the process as it found it."""
    import gc
    import os

    argv = sys.argv[1:]
    hard = next((a for a in argv if not a.startswith("-")), None) != "build"
    if hard:
        from qapidoc.core.collector import keep_until_exit

        gc.disable()
        keep_until_exit()
    status = main(argv)
    if not hard:
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(status)


if __name__ == "__main__":
    console()
