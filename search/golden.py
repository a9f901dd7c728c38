"""Run the writers' golden queries against a scratch index of the current articles."""
from __future__ import annotations

import tempfile
from pathlib import Path

from kb.golden import golden_path
from kb.loader import KnowledgeBase
from kb.problems import Problem
from search.engine import Engine
from search.indexer import build_index
from search.types import SearchRequest


def check_golden(kb: KnowledgeBase) -> list[Problem]:
    """A problem for each golden query whose expected article is not within its top ``k``."""
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="supportkb-golden-") as scratch:
        build_index(kb, Path(scratch))
        engine = Engine(scratch)
        try:
            for golden in kb.golden:
                request = SearchRequest(golden.query, limit=max(golden.k, 10), agent=golden.agent,
                                        langs=[golden.lang] if golden.lang else [],
                                        facets=False, snippets=False)
                slugs = [hit.slug for hit in engine.search(request).results]
                if golden.expect not in slugs[:golden.k]:
                    rank = slugs.index(golden.expect) + 1 if golden.expect in slugs else None
                    found = f"ranked {rank}" if rank else "not in the top 10"
                    problems.append(Problem(
                        golden_path(kb.root), golden.line, "expect",
                        f"query {golden.query!r}: expected {golden.expect!r} in the top {golden.k}, "
                        f"{found} (top: {', '.join(slugs[:3]) or 'nothing'})",
                        "improve the article's title, questions or summary, or the query's k"))
        finally:
            engine.close()
    return problems
