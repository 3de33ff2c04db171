"""``python -m scheduler solve INSTANCE.json [-o SOLUTION.json] [--time-limit S] [--workers N]``."""

import sys

from .cli import main

sys.exit(main())
