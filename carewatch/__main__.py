"""``python -m carewatch`` is the ``carewatch`` command."""

import sys

from carewatch.cli import main

if __name__ == "__main__":
    sys.exit(main())
