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


GENERATED_TYPES = ("technical", "billing", "product", "general")
GENERATED_PRODUCTS = ("broadband", "mobile", "smart-home", "")
GENERATED_WORDS = ("router", "invoice", "signal", "refund", "password", "contract", "roaming",
                   "camera", "speed", "payment", "setup", "upgrade", "outage", "sim", "account")


def generated_slug(number: int) -> str:
    """Slug of the ``number``-th generated article (its folder is its type)."""
    return f"{GENERATED_TYPES[number % 4]}/generated-{number:05d}"


def generated_is_internal(number: int, internal_every: int) -> bool:
    return internal_every > 0 and number % internal_every == internal_every - 1


def write_generated_articles(root: Path, count: int, internal_every: int = 0) -> Path:
    """Write ``count`` valid, distinct articles quickly (plus the fixture routing file): types and
    products take turns; every ``internal_every``-th article is agent-only (0: none)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROUTING, root / "_routing.yml")
    for folder in GENERATED_TYPES:
        (root / folder).mkdir(exist_ok=True)
    for number in range(count):
        type_ = GENERATED_TYPES[number % 4]
        product = GENERATED_PRODUCTS[(number // 4) % 4]
        word = GENERATED_WORDS[number % len(GENERATED_WORDS)]
        other = GENERATED_WORDS[(number // len(GENERATED_WORDS)) % len(GENERATED_WORDS)]
        lines = ["---", f"title: Generated {word} {other} article {number:05d}", f"type: {type_}",
                 f"level: {number % 3}", f"summary: How to sort out {word} and {other} ({number}).",
                 f"tags: [{word}, {other}]", "updated: 2025-01-01"]
        if product:
            lines.append(f"product: {product}")
        if generated_is_internal(number, internal_every):
            lines.append("audience: internal")
        lines += ["---", "", f"Check the {word} first, then the {other}. Reference {number}.", ""]
        (root / f"{generated_slug(number)}.md").write_text("\n".join(lines), encoding="utf-8")
    return root
