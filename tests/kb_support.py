"""Helpers for kb/, search/ and build.py tests: write small article folders, validate, build."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from kb import load_knowledge_base, validate

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_KB = FIXTURES / "kb"
PROBLEMS = FIXTURES / "problems"
ROUTING = FIXTURE_KB / "_routing.yml"
TODAY = dt.date(2025, 6, 1)


def article(title: str = "A test article", type: str = "billing", level: Any = 0,  # noqa: A002
            body: str = "Some body text.", **fields: Any) -> str:
    """The text of an article file; extra fields are written as given (lists in flow style)."""
    lines = ["---", f"title: {title}", f"type: {type}", f"level: {level}"]
    for name, value in fields.items():
        if isinstance(value, list):
            value = "[" + ", ".join(value) + "]"
        lines.append(f"{name}: {value}")
    return "\n".join(lines + ["---", "", body, ""])


def write_articles(root: Path, files: dict[str, str], routing: bool = True) -> Path:
    """Write ``files`` (relative path -> text) under ``root``, with the fixture routing file."""
    root.mkdir(parents=True, exist_ok=True)
    if routing:
        shutil.copy(ROUTING, root / "_routing.yml")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def problem_lines(root: Path, today: dt.date = TODAY) -> list[str]:
    """Every problem of the folder as the writer sees it."""
    return [p.format() for p in validate(load_knowledge_base(root), today=today)]


def built_engine(tmp_path_factory: Any, source: Path = FIXTURE_KB) -> Any:
    """An Engine on a fresh index of ``source`` (for module-scoped, read-only fixtures)."""
    from search import Engine  # noqa: PLC0415  (kb-only tests need not load search)
    from search.indexer import build_index  # noqa: PLC0415
    target = tmp_path_factory.mktemp("index")
    build_index(load_knowledge_base(source), target)
    return Engine(target)
