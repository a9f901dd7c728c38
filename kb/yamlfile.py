"""Read a writer-maintained YAML side file, turning YAML errors into problems."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.problems import Problem

try:
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]


def read_yaml(path: Path, rel_path: str) -> tuple[Any, list[Problem]]:
    """The parsed document (None when absent) and any problem reading it."""
    if not path.exists():
        return None, []
    try:
        text = path.read_text(encoding="utf-8")
        try:  # libyaml: ten times faster on the golden queries, which every build reads
            return yaml.load(text, Loader=_FastLoader), []  # noqa: S506 (a safe loader)
        except yaml.YAMLError:
            return yaml.safe_load(text), []  # the pure-Python parser's error names the line better
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "cannot be parsed"
        return None, [Problem(rel_path, line, "yaml", f"malformed YAML: {reason}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(rel_path, 1, "file", f"cannot read: {exc}")]
