"""The command line: ``qapidoc lint|rules|compat|history|build``.

One module per subcommand (`lint`, `rules`, `compat` with `history`,
`build`); `main` parses arguments and `commands` imports only the module of
the command being run, so ``qapidoc lint`` never pays for compat or Sphinx.

In: argv, files, configuration.  Out: formatted reports and exit status.
May import every stage of qapidoc; only `build` may import `sphinx_ext`,
and only inside the function that runs Sphinx.
"""

from qapidoc.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, main

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]
