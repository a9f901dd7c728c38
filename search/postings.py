"""Whoosh posting lists as NumPy arrays of BM25F scores, decoded once per index version.

Whoosh's matchers are pure Python and cost about a microsecond per matching document; exact
totals and facet counts need every match, which made that first pass most of a search's time.
Here each (field, term) posting list is read once from the Whoosh index (block by block), turned
into document numbers and BM25 scores from Whoosh's statistics (field lengths as Whoosh stores
them), and kept in caches bounded in entries and bytes; a query is then a few vectorized additions
over one array per index version.

The formula is Whoosh's BM25F (K1 1.2, B 0.75) with the usual BM25 idf, ln(1 + (N - df + 0.5) /
(df + 0.5)), in place of Whoosh's ln(N / (df + 1)) + 1, which never drops below 1 and so lets words
found in most articles weigh almost as much as rare ones.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from search.caches import BoundedCache

#: Whoosh's BM25F defaults (``whoosh.scoring.BM25F``).
B = 0.75
K1 = 1.2
#: Bytes of decoded postings kept per index version (8 bytes a posting: about 4 million postings).
POSTINGS_CACHE_BYTES = 32 * 2**20
#: Posting lists kept per index version.
POSTINGS_CACHE_ENTRIES = 16_384
#: Terms known to match nothing (random words, typos) remembered per index version, apart from
#: the posting lists so that a flood of them cannot push real posting lists out.
NO_MATCH_CACHE_ENTRIES = 4_096
#: Estimated bytes of those terms.
NO_MATCH_CACHE_BYTES = 2 * 2**20
#: Bytes of one posting list's record besides its arrays' data (the record and array headers).
RECORD_BYTES = 200


@dataclass(frozen=True)
class TermPostings:
    """The documents containing one term of one field, and the term's BM25F score in each."""

    docnums: np.ndarray  # int32, ascending
    scores: np.ndarray  # float32


EMPTY = TermPostings(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def _leaf_arrays(matcher: Any) -> tuple[list[Any], list[Any]]:
    """Document ids and term frequencies of one segment's posting list, a block at a time.

    Whoosh's W3 codec decodes whole blocks; its public per-posting API would cost a Python call
    per document. Any other matcher is read through that public API."""
    ids: list[Any] = []
    weights: list[Any] = []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()  # noqa: SLF001  (block decoding; pinned whoosh3 version, tested)
            matcher._read_weights()  # noqa: SLF001
            ids.append(np.asarray(matcher._ids, dtype=np.int32))  # noqa: SLF001
            weights.append(np.asarray(matcher._weights, dtype=np.float32))  # noqa: SLF001
            if matcher._lastblock:  # noqa: SLF001
                break
            matcher._next_block()  # noqa: SLF001
        return ids, weights
    doc_ids, tfs = [], []
    while matcher.is_active():
        doc_ids.append(matcher.id())
        tfs.append(matcher.weight())
        matcher.next()
    return [np.asarray(doc_ids, dtype=np.int32)], [np.asarray(tfs, dtype=np.float32)]


def entry_size(key: tuple[str, str], postings: TermPostings) -> int:
    """Estimated bytes of one cached posting list: its arrays, its record and its key."""
    return (postings.docnums.nbytes + postings.scores.nbytes + RECORD_BYTES
            + sum(sys.getsizeof(part) for part in key))


class PostingCache:
    """Decoded, scored posting lists of one index version; thread-safe, bounded."""

    def __init__(self, searcher: Any) -> None:
        self.doc_count = searcher.doc_count_all()  # document numbers, deleted ones included
        self.live_count = searcher.doc_count()  # what BM25 counts (search/deletions.py)
        self._lengths: dict[str, np.ndarray] = {}  # one array per text field of the schema
        self.cache = BoundedCache(POSTINGS_CACHE_ENTRIES, POSTINGS_CACHE_BYTES, entry_size)
        self.no_match = BoundedCache(NO_MATCH_CACHE_ENTRIES, NO_MATCH_CACHE_BYTES, entry_size)

    def lengths(self, searcher: Any, field: str) -> np.ndarray:
        """Each document's (Whoosh-quantized) length of ``field``, as Whoosh's scorer sees it."""
        found = self._lengths.get(field)
        if found is None:
            reader = searcher.reader()
            found = np.fromiter((reader.doc_field_length(d, field, 1) or 1 for d in range(self.doc_count)),
                                dtype=np.float32, count=self.doc_count)
            self._lengths[field] = found
        return found

    def get(self, searcher: Any, field: str, term: str) -> TermPostings:
        key = (field, term)
        found = self.cache.get(key) or self.no_match.get(key)
        if found is None:
            found = self._read(searcher, field, term)
            (self.cache if found.docnums.size else self.no_match).put(key, found)
        return found

    def _read(self, searcher: Any, field: str, term: str) -> TermPostings:
        doc_frequency = searcher.doc_frequency(field, term)
        if not doc_frequency:
            return EMPTY
        ids: list[Any] = []
        tfs: list[Any] = []
        for leaf, offset in searcher.reader().leaf_readers():
            try:
                matcher = leaf.postings(field, term)
            except TermNotFound:
                continue
            deleted = None
            if isinstance(matcher, FilterMatcher):  # the segment has deleted documents
                deleted = np.fromiter(matcher._ids, dtype=np.int32)  # noqa: SLF001
                matcher = matcher.child
            leaf_ids, leaf_tfs = _leaf_arrays(matcher)
            if not leaf_ids:
                continue
            block_ids, block_tfs = np.concatenate(leaf_ids), np.concatenate(leaf_tfs)
            if deleted is not None:
                keep = ~np.isin(block_ids, deleted)
                block_ids, block_tfs = block_ids[keep], block_tfs[keep]
            ids.append(block_ids + offset)
            tfs.append(block_tfs)
        if not ids:
            return EMPTY
        docnums = np.concatenate(ids)
        tf = np.concatenate(tfs)
        idf = math.log(1 + (self.live_count - doc_frequency + 0.5) / (doc_frequency + 0.5))
        average = searcher.field_length(field) / (self.live_count or 1) or 1
        length = self.lengths(searcher, field)[docnums]
        scores = idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / average))
        return TermPostings(docnums, scores.astype(np.float32))
