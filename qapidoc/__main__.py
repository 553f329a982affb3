"""``python -m qapidoc``: the same as the ``qapidoc`` command."""

import sys

from qapidoc.cli.app import main

sys.exit(main())
