"""Facet counts from in-memory columns, computed over every document a query matched."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from search.schema import FACET_FIELDS

MAX_TAG_VALUES = 25
SINGLE_VALUED = tuple(name for name in FACET_FIELDS if name != "tags")


class FacetColumns:
    """Each document's facet values, read once per index version."""

    def __init__(self, reader: Any) -> None:
        self.columns = {name: reader.column_reader(name) for name in SINGLE_VALUED}
        self.tags: dict[int, list[str]] = {}
        for term in reader.lexicon("tags"):
            tag = term.decode("utf-8") if isinstance(term, bytes) else term
            for docnum in reader.postings("tags", term).all_ids():
                self.tags.setdefault(docnum, []).append(tag)

    def _value(self, name: str, docnum: int) -> str:
        value = self.columns[name][docnum]
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)

    def count(self, docnums: Iterable[int], include_audience: bool) -> dict[str, dict[str, int]]:
        """Counts per facet value, most frequent first; ``-`` (no value) left out."""
        counters = {name: Counter[str]() for name in FACET_FIELDS}
        names = [n for n in SINGLE_VALUED if include_audience or n != "audience"]
        for docnum in docnums:
            for name in names:
                counters[name][self._value(name, docnum)] += 1
            counters["tags"].update(self.tags.get(docnum, ()))
        result = {}
        for name in FACET_FIELDS:
            if name == "audience" and not include_audience:
                continue
            items = sorted(((v, n) for v, n in counters[name].items() if v not in ("", "-")),
                           key=lambda kv: (-kv[1], kv[0]))
            if name == "tags":
                items = items[:MAX_TAG_VALUES]
            result[name] = dict(items)
        return result
