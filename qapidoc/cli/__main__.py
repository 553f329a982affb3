"""``python -m qapidoc.cli``: the same as the ``qapidoc`` command."""

from qapidoc.cli.app import console

console()
