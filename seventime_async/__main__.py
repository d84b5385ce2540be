"""``python -m seventime_async``: the ``seventime-async`` command line (see ``cli``)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
