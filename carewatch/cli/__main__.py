"""``python -m carewatch.cli`` is the ``carewatch`` command too."""

import sys

from carewatch.cli import main

if __name__ == "__main__":
    sys.exit(main())
