"""Read a writer-maintained YAML side file, turning YAML errors into problems."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kb.problems import Problem


def read_yaml(path: Path, rel_path: str) -> tuple[Any, list[Problem]]:
    """The parsed document (None when absent) and any problem reading it."""
    if not path.exists():
        return None, []
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "cannot be parsed"
        return None, [Problem(rel_path, line, "yaml", f"malformed YAML: {reason}")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(rel_path, 1, "file", f"cannot read: {exc}")]
