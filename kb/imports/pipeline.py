"""One import from start to end: read the source, map types and levels, plan, write."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from kb.imports.mapping import load_mapping
from kb.imports.report import Report
from kb.imports.writer import Plan, plan, write

#: Source name -> module with ``read(path, report, **options) -> list[SourceArticle]``.
SOURCES = {"zendesk": "kb.imports.zendesk", "freshdesk": "kb.imports.freshdesk",
           "qna": "kb.imports.qna", "html": "kb.imports.html"}


def run_import(source: str, path: Path, out: Path, mapping: Path | None = None,
               dry_run: bool = False, force: bool = False, **options: Any) -> tuple[Report, Plan, str]:
    """Import ``path`` into ``out``; BadInput (raised before anything is written) for bad input.

    Returns the report, the plan and the guessed mapping as YAML (for ``--mapping-out``)."""
    report = Report(source)
    rules = load_mapping(mapping)
    reader = importlib.import_module(SOURCES[source])
    articles = reader.read(path, report, **options)
    for article in articles:
        rules.apply(article)
    report.guesses = rules.guess_lines()
    result = plan(articles, out, report, force=force)
    if not dry_run:
        write(result, report)
    return report, result, rules.as_yaml()
