"""One pass over the matches that yields both the top candidates and every matched document."""
from __future__ import annotations

from typing import Any

from whoosh import collectors


class TopAndAllCollector(collectors.TopCollector):
    """Top-N by score plus the set of all matching documents (for totals and facets).

    Block-quality skipping is off: every match must be seen to be counted."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, usequality=False)
        self.matched: set[int] = set()

    def _collect(self, global_docnum: int, score: float) -> Any:
        self.matched.add(global_docnum)
        return super()._collect(global_docnum, score)


def search_all(searcher: Any, query: Any, limit: int, allowed: set[int] | None) -> tuple[Any, set[int]]:
    """Top ``limit`` results and the set of all matching documents, restricted to ``allowed``."""
    top = TopAndAllCollector(limit)
    collector: Any = top if allowed is None else collectors.FilterCollector(top, allow=allowed)
    searcher.search_with_collector(query, collector)
    return collector.results(), top.matched
