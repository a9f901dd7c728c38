"""Read one article file into raw front matter, body and line numbers, or a problem."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import YAMLHandler

from kb.problems import Problem

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]


class _Loader(SafeLoader):  # type: ignore[valid-type,misc]
    """Safe YAML, except that a date-like value that is no real date (``2024-13-01``) stays text,
    so the field check reports it with its line instead of the parser raising ``ValueError``."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


class _Handler(YAMLHandler):
    """python-frontmatter's YAML handler with our loader."""

    def load(self, fm: str, **kwargs: Any) -> Any:
        return yaml.load(fm, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)


_HANDLER = _Handler()


@dataclass
class ParsedFile:
    """The raw parts of an article file, before field checks."""

    metadata: dict[str, Any]
    body: str
    lines: dict[str, int]
    body_line: int


def _front_matter_block(text: str) -> tuple[str, int] | None:
    """The YAML text between the opening and closing ``---`` and the line the body starts on."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:number - 1]), number + 1
    return None


def _key_lines(block: str) -> dict[str, int]:
    """Line number (in the file) of each top-level front matter key."""
    node = yaml.compose(block, Loader=SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 2 for key, _ in node.value}


def _python_loader_error(yaml_text: str) -> yaml.YAMLError | None:
    """The pure-Python parser's error, whose line points at the broken line more often."""
    try:
        yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return exc
    return None


def parse_text(text: str, path: str) -> ParsedFile | Problem:
    """Split ``text`` into front matter and body; a problem names the file and line when it cannot."""
    block = _front_matter_block(text)
    if block is None:
        return Problem(path, 1, "front matter", "missing front matter",
                       "start the file with a '---' line, the YAML fields, then a closing '---' line")
    yaml_text, body_line = block
    try:
        metadata = frontmatter.loads(text, handler=_HANDLER).metadata
        lines = _key_lines(yaml_text)
    except yaml.YAMLError as fast_error:
        exc = _python_loader_error(yaml_text) or fast_error
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return Problem(path, line, "front matter", f"malformed YAML: {reason}",
                       "check indentation, quote values containing ':' or '#'")
    if not isinstance(metadata, dict) or not metadata:
        return Problem(path, 1, "front matter", "empty front matter",
                       "add at least title, type and level")
    rest = text.splitlines()[body_line - 1:]
    while rest and not rest[0].strip():  # body_line must stay the file line of the body's first line
        rest.pop(0)
        body_line += 1
    return ParsedFile(dict(metadata), "\n".join(rest).rstrip(), lines, body_line)


def parse_file(file_path: str, rel_path: str) -> ParsedFile | Problem:
    """Read and parse one file; unreadable or non-UTF-8 files become problems."""
    try:
        with open(file_path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        return Problem(rel_path, 1, "file", f"not valid UTF-8 ({exc.reason} at byte {exc.start})",
                       "save the file as UTF-8")
    except OSError as exc:
        return Problem(rel_path, 1, "file", f"cannot read: {exc.strerror}")
    return parse_text(text, rel_path)
