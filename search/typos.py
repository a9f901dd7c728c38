"""Typo repair: correct unknown query words against the index vocabulary with rapidfuzz.

Distances are optimal string alignment (a swap of two neighbouring letters is one edit)."""
from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.caches import BoundedCache

MIN_LENGTH = 4
CANDIDATE_LENGTH_SPREAD = 2
#: Corrections remembered per vocabulary (typed word -> fix or None).
CORRECTION_CACHE_ENTRIES = 2048
#: Estimated bytes of those corrections (typed words are at most a query long).
CORRECTION_CACHE_BYTES = 2**20


def max_edits(word: str) -> int:
    """Edits allowed: one for words of four or five letters, two from six letters."""
    return 1 if len(word) < 6 else 2


class Vocabulary:
    """Surface words with their document frequencies, bucketed by length for fast lookups."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        buckets: dict[int, list[str]] = defaultdict(list)
        for word in counts:
            buckets[len(word)].append(word)
        self.by_length = dict(buckets)
        self.corrections = BoundedCache(CORRECTION_CACHE_ENTRIES, CORRECTION_CACHE_BYTES)

    def __contains__(self, word: str) -> bool:
        return word in self.counts

    def __len__(self) -> int:
        return len(self.counts)

    def correct(self, word: str) -> str | None:
        """The closest known word (fewest edits, then most frequent), or None; remembered."""
        return self.corrections.get_or_compute(word, lambda: self._correct(word))

    def _correct(self, word: str) -> str | None:
        if word in self.counts or len(word) < MIN_LENGTH or not word.isalpha():
            return None
        limit = max_edits(word)
        best: tuple[int, int, str] | None = None
        for length in range(len(word) - CANDIDATE_LENGTH_SPREAD, len(word) + CANDIDATE_LENGTH_SPREAD + 1):
            bucket = self.by_length.get(length)
            if not bucket:
                continue
            for candidate, distance, _ in process.extract(word, bucket, scorer=OSA.distance,
                                                          score_cutoff=limit, limit=None):
                key = (int(distance), -self.counts[candidate], candidate)
                if best is None or key < best:
                    best = key
        return best[2] if best else None


def merge(public: Vocabulary, internal: Vocabulary) -> Vocabulary:
    """The agent vocabulary: public and agent-only words together."""
    counts = dict(public.counts)
    for word, count in internal.counts.items():
        counts[word] = counts.get(word, 0) + count
    return Vocabulary(counts)
