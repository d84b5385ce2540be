"""The example responses of the API reference, repaired into JSON.

Run ``python -m tests.resources.reference_examples`` (with ../shared beside the
checkout) to rewrite ``seventime_async/testing/examples/<Family>.json`` from
``../shared/spec/reference/<Family>.md``. Each file is a list of the reference's
```json blocks: the section heading, the block's line, the documented request line of
the section, the path its own examples call (``url``: the two disagree in places, see
``seventime_async.testing._examples``), and the body. The sandbox seeds its data from
these files; the resource tests decode every body and check that ``to_wire`` gives back
every key.

The reference's examples are not all JSON (INVENTORY.md, section 4). Repairs, in order:
1. drop the console-log string that follows a write example (``"Time log created..."``);
2. drop ``// ...`` placeholder lines, then the ``{ }`` objects and ``...`` they leave;
3. JS literals: quote bare keys (``__v: 0``), single-quoted strings become double-quoted;
4. the broken timestamp quoting ``"2020-12-09T12":43":51.516Z"``, the three-digit hour
   ``T014:00`` (TimeLogs:523), and a missing comma
   between two lines (``"a": 1`` newline ``"b": 2``);
5. trailing commas before ``}`` or ``]``;
6. unescaped quotes inside an HTML string (``style="..."`` in ``footerText``);
and text after the JSON value (a console line without its opening quote) is left out.
A block that is still not JSON after these is reported with its line and left out.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "reference"
EXAMPLES = Path(__file__).resolve().parents[2] / "seventime_async" / "testing" / "examples"

_BLOCK = re.compile(r"^```json[ \t]*\n(.*?)^```", re.M | re.S)
_HEADING = re.compile(r"^## (.+)$", re.M)
_REQUEST = re.compile(r"^`(GET|POST|PUT|DELETE) https://app\.seventime\.se(/api/[^`?]*)", re.M)
# The first URL of a section's own examples (its curl line): where the examples send it.
_EXAMPLE_URL = re.compile(r"https://app\.seventime\.se(/api/[^\s\"'?\\]*)")


def repair(text: str) -> str:
    """The JSON text of one example block (see the module docstring for the repairs)."""
    # 1. the console string after the object: the last line(s) starting with a quote
    lines = text.rstrip().splitlines()
    while lines and lines[-1].startswith('"') and not lines[-1].rstrip().endswith(("{", "[")):
        if lines[-1].lstrip().startswith('"') and ":" in lines[-1].split('"')[-1]:
            break
        lines.pop()
    text = "\n".join(lines)
    # 2. placeholders
    text = re.sub(r"^\s*//.*$\n?", "", text, flags=re.M)
    text = re.sub(r"//[^\n\"]*$", "", text, flags=re.M)
    text = re.sub(r",?\s*\{\s*\}(?=\s*[\]])", "", text)
    text = re.sub(r",?\s*\.\.\.(?=\s*[\]}])", "", text)
    text = re.sub(r"\[\s*\{\s*\.\.\.\s*\}\s*,?\s*", "[", text)
    # 3. JS literals
    text = re.sub(r"(?m)^(\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', text)
    text = re.sub(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:", r'\1"\2":', text)
    text = re.sub(r"'([^'\n]*)'", lambda m: json.dumps(m.group(1)), text)
    # 4. broken timestamps and missing commas
    text = re.sub(r'"(\d{4}-\d\d-\d\dT\d\d)":(\d\d)":', r'"\1:\2:', text)
    text = re.sub(r"(\d{4}-\d\d-\d\dT)0(\d\d:)", r"\1\2", text)  # T014:00 -> T14:00
    text = re.sub(r'([\d"\]}el])\s*\n(\s*")', r"\1,\n\2", text)
    text = re.sub(r"([{\[]),\n", r"\1\n", text)
    # 5. trailing commas
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    # 6. unescaped quotes inside an HTML string value (``style="..."`` in footerText)
    return re.sub(r'(?m)^(\s*"[^"]+": ")(.*)(",?)$', _escape_inner_quotes, text)


def _escape_inner_quotes(match: re.Match[str]) -> str:
    inner = re.sub(r'(?<!\\)"', r'\\"', match.group(2))
    return match.group(1) + inner + match.group(3)


def _section_requests(markdown: str) -> list[tuple[int, str, str | None, str | None]]:
    """(start offset, heading, request line, example path) of every ``##`` section."""
    sections = []
    headings = list(_HEADING.finditer(markdown))
    for index, match in enumerate(headings):
        end = headings[index + 1].start() if index + 1 < len(headings) else len(markdown)
        request = _REQUEST.search(markdown, match.end(), end)
        line = f"{request.group(1)} {request.group(2)}" if request else None
        url = _EXAMPLE_URL.search(markdown, match.end(), end)
        path = url.group(1) if url else None
        sections.append((match.start(), match.group(1).strip(), line, path))
    return sections


def extract(markdown: str) -> tuple[list[dict[str, Any]], list[str]]:
    """(examples, problems) of one reference file."""
    sections = _section_requests(markdown)
    examples: list[dict[str, Any]] = []
    problems: list[str] = []
    for block in _BLOCK.finditer(markdown):
        line = markdown.count("\n", 0, block.start()) + 1
        section = [s for s in sections if s[0] < block.start()]
        heading, request, url = section[-1][1:] if section else ("", None, None)
        try:
            # raw_decode: text after the value (a console-log line) is left out
            body, _ = json.JSONDecoder().raw_decode(repair(block.group(1)).strip())
        except ValueError as exc:
            problems.append(f"line {line} ({heading}): {exc}")
            continue
        examples.append(
            {"section": heading, "line": line, "request": request, "url": url, "body": body}
        )
    return examples, problems


def main() -> int:
    """Rewrite every examples file; print the blocks that could not be repaired."""
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    status = 0
    for source in sorted(REFERENCE.glob("*.md")):
        if source.stem in ("index", "errors"):
            continue
        examples, problems = extract(source.read_text("utf-8"))
        for problem in problems:
            print(f"{source.name}: {problem}", file=sys.stderr)
            status = 1
        if examples:
            target = EXAMPLES / f"{source.stem}.json"
            text = json.dumps(examples, ensure_ascii=False, indent=1) + "\n"
            target.write_text(text, "utf-8")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
