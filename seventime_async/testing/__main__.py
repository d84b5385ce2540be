"""``python -m seventime_async.testing``: serve a sandbox in its own process."""

import sys

from seventime_async.testing._cli import main

if __name__ == "__main__":
    sys.exit(main())
