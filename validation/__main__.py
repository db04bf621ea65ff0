"""``python -m validation``: run the validation suite (see :mod:`validation.run`)."""

import sys

from .run import main

sys.exit(main())
