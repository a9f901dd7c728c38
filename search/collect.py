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


def search_all(searcher: Any, query: Any, limit: int, filter_query: Any) -> tuple[Any, set[int]]:
    """Results (with matched terms) and the set of all visible matching document numbers."""
    top = TopAndAllCollector(limit)
    collector: Any = top
    if filter_query is not None:
        collector = collectors.FilterCollector(collector, allow=filter_query)
    collector = collectors.TermsCollector(collector)
    searcher.search_with_collector(query, collector)
    return collector.results(), top.matched
