"""What ``tests/test_readme.py`` reads from README.md: its Python blocks and the table
of collections (derived from the registry; ``python -m tests.readme_blocks`` rewrites it).
"""

from __future__ import annotations

import re
from pathlib import Path

from seventime_async.resources import REGISTRY

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(
    r"(?:<!-- readme-test: (?P<kind>[\w-]+) -->\n)?```python\n(?P<code>.*?)^```", re.S | re.M
)
_TABLE = re.compile(r"(<!-- collections-table -->\n)(.*?)(<!-- /collections-table -->)", re.S)


def python_blocks(text: str) -> list[tuple[str, str, int]]:
    """(kind, code, line) of every ```python block; kind is ``script`` unless a
    ``<!-- readme-test: conftest|pytest -->`` comment right above says otherwise."""
    return [
        (match["kind"] or "script", match["code"], text.count("\n", 0, match.start()) + 1)
        for match in _BLOCK.finditer(text)
    ]


def collections_table() -> str:
    """The README's table of collections, from the registry."""
    rows = ["| attribute | URL | operations | record |", "| --- | --- | --- | --- |"]
    for spec in REGISTRY:
        operations = ", ".join(f"`{op}`" for op in spec.operations)
        if spec.list is not None:
            operations += " (paged)" if spec.list.paged else " (one page)"
        rows.append(
            f"| `st.{spec.name}` | `{spec.url()}` | {operations} | `{spec.record.__name__}` |"
        )
    return "\n".join(rows) + "\n"


def table_in(text: str) -> str:
    """The table currently in the README."""
    match = _TABLE.search(text)
    assert match is not None, "README.md has no collections table"
    return match.group(2)


if __name__ == "__main__":
    text = README.read_text("utf-8")
    README.write_text(
        _TABLE.sub(lambda m: m.group(1) + collections_table() + m.group(3), text), "utf-8"
    )
