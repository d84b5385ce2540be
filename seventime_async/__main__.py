"""``python -m seventime_async``: the ``seventime-async`` command line (see ``_cli``)."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
