"""``python -m carewatch`` is the ``carewatch`` command."""

import sys

from carewatch.cli import main

sys.exit(main())
