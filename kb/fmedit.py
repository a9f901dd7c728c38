"""Change one front matter field in an article's text, leaving every other byte as it was.

Writers review changes as git diffs, so a tool that touches an article must change only the line
it means to: re-dumping the YAML would reorder keys, drop comments and rewrap long lines.
"""
from __future__ import annotations

import json
import re

import yaml

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


def _field_lines(lines: list[str], end: int) -> dict[str, int]:
    """Top-level front matter keys and the line each starts on (the first, when repeated)."""
    keys: dict[str, int] = {}
    for index in range(1, end):
        match = _KEY.match(lines[index])
        if match:
            keys.setdefault(match.group(1), index)
    return keys


def set_field(text: str, name: str, value: str, after: str = "") -> str:
    """``text`` with top-level field ``name`` set to the YAML scalar ``value`` (written as given).

    An existing ``name:`` line (with any continuation lines) is replaced in place; otherwise the new
    line goes after field ``after`` when present, else at the end of the front matter."""
    lines = text.splitlines(keepends=True)
    end = _block_end(lines)
    keys = _field_lines(lines, end)
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


def yaml_item(value: str) -> str:
    """``value`` as a YAML list item: plain when it reads back unchanged, else double-quoted."""
    plain = re.fullmatch(r"[^\s\[\]{},:#&*!|>'\"%@`-][^\[\]{},:#]*", value) and value == value.strip()
    try:
        plain = plain and yaml.safe_load(value) == value
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def add_list_items(text: str, name: str, items: list[str], after: str = "") -> str:
    """``text`` with ``items`` appended to the top-level list field ``name``, every other line as it
    was: a block list gets ``- item`` lines in its own indent, a one-line flow list (``[a, b]``)
    gets them before its ``]``; a missing field becomes a flow list after ``after``."""
    if not items:
        return text
    rendered = [yaml_item(item) for item in items]
    lines = text.splitlines(keepends=True)
    end = _block_end(lines)
    keys = _field_lines(lines, end)
    if name not in keys:
        return set_field(text, name, "[" + ", ".join(rendered) + "]", after)
    start = keys[name]
    stop = _value_end(lines, start, end)
    head = lines[start]
    newline = _line_ending(head) or "\n"
    value = head.rstrip("\r\n").split(":", 1)[1].split(" #", 1)[0].strip()
    if value.startswith("[") and value.endswith("]") and stop == start + 1:
        inside = value[1:-1].strip()
        joined = (inside + ", " if inside else "") + ", ".join(rendered)
        lines[start] = head.replace(value, f"[{joined}]", 1)
        return "".join(lines)
    if value:
        raise FrontMatterError(f"'{name}' is not a list this tool can extend; add the items by hand")
    items_at = [i for i in range(start + 1, stop) if lines[i].lstrip().startswith("- ")]
    first = lines[items_at[0]] if items_at else ""
    indent = first[:len(first) - len(first.lstrip())] if items_at else "  "
    ending = _line_ending(lines[stop - 1]) or newline
    if not lines[stop - 1].endswith(("\n", "\r")):
        lines[stop - 1] += newline
    lines[stop:stop] = [f"{indent}- {item}{ending}" for item in rendered]
    return "".join(lines)
