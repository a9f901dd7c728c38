"""Facet counts from per-document value codes decoded once per index version."""
from __future__ import annotations

from typing import Any

import numpy as np

from search.schema import FACET_FIELDS

MAX_TAG_VALUES = 25
SINGLE_VALUED = tuple(name for name in FACET_FIELDS if name != "tags")


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class FacetColumns:
    """Each document's facet values as integer codes, read once per index version."""

    def __init__(self, reader: Any) -> None:
        count = reader.doc_count_all()
        self.names: dict[str, list[str]] = {}
        self.codes: dict[str, np.ndarray] = {}
        for name in SINGLE_VALUED:
            column = reader.column_reader(name)
            values = [_text(column[docnum]) for docnum in range(count)]
            self.names[name] = sorted(set(values))
            code = {value: i for i, value in enumerate(self.names[name])}
            self.codes[name] = np.fromiter((code[v] for v in values), dtype=np.int32, count=count)
        self.names["tags"] = [_text(term) for term in reader.lexicon("tags")]
        docs, tags = [], []
        for code, tag in enumerate(self.names["tags"]):
            ids = list(reader.postings("tags", tag).all_ids())
            docs.extend(ids)
            tags.extend([code] * len(ids))
        self.tag_docs = np.asarray(docs, dtype=np.int64)
        self.tag_codes = np.asarray(tags, dtype=np.int64)

    def count(self, matched: np.ndarray, names: tuple[str, ...] = FACET_FIELDS) -> dict[str, dict[str, int]]:
        """Counts of the ``names`` facets over a boolean mask of documents, most frequent first.

        ``-`` (no value) is left out; tags keep their MAX_TAG_VALUES most frequent values."""
        result: dict[str, dict[str, int]] = {}
        for name in names:
            names = self.names[name]
            if name == "tags":
                counts = np.bincount(self.tag_codes[matched[self.tag_docs]], minlength=len(names))
            else:
                counts = np.bincount(self.codes[name][matched], minlength=len(names))
            items = sorted(((names[i], n) for i, n in enumerate(counts.tolist())
                            if n and names[i] not in ("", "-")), key=lambda kv: (-kv[1], kv[0]))
            result[name] = dict(items[:MAX_TAG_VALUES] if name == "tags" else items)
        return result
