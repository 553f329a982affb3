"""Command line: ``qapidoc lint|rules|compat|history|build``.

Parses arguments, calls the library, formats diagnostics.  Exit status:
0 nothing found, 1 findings (or changes at or above --fail-on), 2 usage
error or unreadable input.  Heavy imports happen inside each command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command line or configuration; reported without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or only the one `argv` names."""
    from qapidoc import __version__

    parser = _Parser(
        prog="qapidoc",
        description="Lint, compare and document QAPI schemas.",
    )
    parser.add_argument("--version", action="version",
                        version=f"qapidoc {__version__}")
    sub: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser)
    from qapidoc.cli.commands import register_all

    register_all(sub, argv)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        result: int = args.run(args)
        return result
    except UsageError as e:
        sys.stderr.write(f"qapidoc: error: {e}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
