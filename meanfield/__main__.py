"""``python -m meanfield``: the ``meanfield`` command (see :mod:`meanfield.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
