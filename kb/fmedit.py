"""Change one front matter field in an article's text, leaving every other byte as it was.

Writers review changes as git diffs, so a tool that touches an article must change only the line
it means to: re-dumping the YAML would reorder keys, drop comments and rewrap long lines.
"""
from __future__ import annotations

import re

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


class FrontMatterError(ValueError):
    """The text has no front matter block to edit."""


def _line_ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _block_end(lines: list[str]) -> int:
    """Index of the closing ``---`` (or ``...``) line."""
    if not lines or lines[0].lstrip("\ufeff").strip() != "---":
        raise FrontMatterError("missing front matter (the file must start with a '---' line)")
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return number
    raise FrontMatterError("the front matter has no closing '---' line")


def _value_end(lines: list[str], start: int, end: int) -> int:
    """Index after the key line at ``start`` and its continuation lines (indented or blank)."""
    position = start + 1
    while position < end and (lines[position][:1] in (" ", "\t") or not lines[position].strip()):
        position += 1
    while position - 1 > start and not lines[position - 1].strip():  # blank lines stay put
        position -= 1
    return position


def set_field(text: str, name: str, value: str, after: str = "") -> str:
    """``text`` with top-level field ``name`` set to the YAML scalar ``value`` (written as given).

    An existing ``name:`` line (with any continuation lines) is replaced in place; otherwise the new
    line goes after field ``after`` when present, else at the end of the front matter."""
    lines = text.splitlines(keepends=True)
    end = _block_end(lines)
    keys = {}
    for index in range(1, end):
        match = _KEY.match(lines[index])
        if match:
            keys.setdefault(match.group(1), index)
    newline = _line_ending(lines[0]) or "\n"
    if name in keys:
        start = keys[name]
        stop = _value_end(lines, start, end)
        ending = _line_ending(lines[stop - 1]) or newline
        lines[start:stop] = [f"{name}: {value}{ending}"]
    else:
        at = _value_end(lines, keys[after], end) if after in keys else end
        lines.insert(at, f"{name}: {value}{newline}")
    return "".join(lines)
