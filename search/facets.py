"""Facet counts from per-document values decoded once per index version."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from search.schema import FACET_FIELDS

MAX_TAG_VALUES = 25
SINGLE_VALUED = tuple(name for name in FACET_FIELDS if name != "tags")


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class FacetColumns:
    """Each document's facet values, read once per index version."""

    def __init__(self, reader: Any) -> None:
        count = reader.doc_count_all()
        self.values: dict[str, list[str]] = {}
        for name in SINGLE_VALUED:
            column = reader.column_reader(name)
            self.values[name] = [_text(column[docnum]) for docnum in range(count)]
        self.tags: dict[int, list[str]] = {}
        for term in reader.lexicon("tags"):
            tag = _text(term)
            for docnum in reader.postings("tags", term).all_ids():
                self.tags.setdefault(docnum, []).append(tag)

    def count(self, docnums: Iterable[int], include_audience: bool) -> dict[str, dict[str, int]]:
        """Counts per facet value, most frequent first; ``-`` (no value) left out."""
        docnums = list(docnums)
        result: dict[str, dict[str, int]] = {}
        for name in FACET_FIELDS:
            if name == "audience" and not include_audience:
                continue
            if name == "tags":
                counter = Counter(tag for docnum in docnums for tag in self.tags.get(docnum, ()))
            else:
                counter = Counter(map(self.values[name].__getitem__, docnums))
            items = sorted(((v, n) for v, n in counter.items() if v not in ("", "-")),
                           key=lambda kv: (-kv[1], kv[0]))
            result[name] = dict(items[:MAX_TAG_VALUES] if name == "tags" else items)
        return result
