"""Relevance tests writers keep beside the content (``articles/_queries.yml``)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.problems import Problem
from kb.yamlfile import read_yaml

GOLDEN_FILE = "_queries.yml"


@dataclass(frozen=True)
class GoldenQuery:
    """A query whose expected article must rank within the top ``k``."""

    query: str
    expect: str
    k: int = 3
    lang: str = ""
    agent: bool = False
    line: int = 1


def load_golden(articles_dir: Path) -> tuple[list[GoldenQuery], list[Problem]]:
    """Read the golden queries; malformed entries are problems."""
    data, problems = read_yaml(articles_dir / GOLDEN_FILE, GOLDEN_FILE)
    if data is None:
        return [], problems
    if not isinstance(data, list):
        return [], [Problem(GOLDEN_FILE, 1, "queries", "must be a list of {query, expect, k}")]
    text = (articles_dir / GOLDEN_FILE).read_text(encoding="utf-8").splitlines()
    starts = [n for n, line in enumerate(text, start=1) if line.startswith("- ")]
    queries: list[GoldenQuery] = []
    for index, entry in enumerate(data):
        line = starts[index] if index < len(starts) else 1
        if not isinstance(entry, dict) or not entry.get("query") or not entry.get("expect"):
            problems.append(Problem(GOLDEN_FILE, line, "queries", "needs 'query' and 'expect'"))
            continue
        k = entry.get("k", 3)
        if not isinstance(k, int) or k < 1:
            problems.append(Problem(GOLDEN_FILE, line, "k", f"must be a positive number (got {k!r})"))
            continue
        queries.append(GoldenQuery(str(entry["query"]), str(entry["expect"]), k,
                                   str(entry.get("lang", "")), bool(entry.get("agent", False)), line))
    return queries, problems



def golden_path(root: Path) -> str:
    """How problems name the golden file: the articles folder as the writer sees it."""
    shown = os.path.relpath(root)
    return f"{root if shown.startswith('..') else shown}/{GOLDEN_FILE}"
