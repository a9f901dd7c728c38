"""First pass: score every matching document of a query plan at once, from cached posting arrays.

Scores follow Whoosh's query semantics with BM25F: a clause's words must all match (their scores
add up), clauses add up, and a title or question match adds its own BM25F on top. Every match is
scored, so totals and facet counts are exact, at a cost that grows with the posting lengths in
NumPy rather than with a Python call per matching document.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from search.postings import PostingCache
from search.query import Clause, Pair, QueryPlan


class Retrieval:
    """Scores and matches of one query over the whole index version (filters applied)."""

    def __init__(self, scores: np.ndarray, matched: np.ndarray, postings: dict[Pair, Any]) -> None:
        self.scores = scores
        self.matched = matched
        self._postings = postings

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.matched))

    def top(self, k: int, tie_rank: Callable[[], np.ndarray] | None = None
            ) -> list[tuple[float, int]]:
        """The best ``k`` (score, docnum) pairs, best first; ties by document number.

        ``tie_rank``: gives each document's rank by slug, which decides which of the documents
        tied at the cut get in (document numbers differ between an incremental and a full build
        of the same articles, and which candidates get in moves the hybrid scores' scaling)."""
        docnums = np.flatnonzero(self.matched)
        if len(docnums) > k:
            scores = self.scores[docnums]
            kth = -np.partition(-scores, k - 1)[k - 1]
            above, tied = docnums[scores > kth], docnums[scores == kth]
            if tie_rank is not None and len(above) + len(tied) > k:
                tied = tied[np.argsort(tie_rank()[tied], kind="stable")]
            docnums = np.concatenate([above, tied[:k - len(above)]])
        order = np.lexsort((docnums, -self.scores[docnums]))
        docnums = docnums[order]
        return list(zip(self.scores[docnums].tolist(), docnums.tolist()))

    def contained(self, docnums: list[int]) -> dict[int, set[Pair]]:
        """For each document: the plan's (field, term) pairs it contains."""
        found: dict[int, set[Pair]] = {docnum: set() for docnum in docnums}
        if not docnums:
            return found
        targets = np.asarray(docnums, dtype=np.int32)
        for pair, posting in self._postings.items():
            if not len(posting.docnums):
                continue
            at = np.searchsorted(posting.docnums, targets)
            at[at == len(posting.docnums)] = 0
            for docnum in targets[posting.docnums[at] == targets].tolist():
                found[docnum].add(pair)
        return found


def _clause(scores: np.ndarray, matched: np.ndarray, clause: Clause, postings: dict[Pair, Any]) -> None:
    """Add one clause's scores into ``scores`` and its matches into ``matched`` (in place)."""
    if len(clause.words) == 1:
        for pair in clause.words[0]:
            posting = postings[pair]
            scores[posting.docnums] += clause.weight * posting.scores
            matched[posting.docnums] = True
        return
    size = len(scores)
    clause_scores = np.zeros(size, dtype=np.float32)
    every = np.ones(size, dtype=bool)
    for pairs in clause.words:
        word = np.zeros(size, dtype=bool)
        for pair in pairs:
            posting = postings[pair]
            clause_scores[posting.docnums] += clause.weight * posting.scores
            word[posting.docnums] = True
        every &= word
    scores += np.where(every, clause_scores, 0)
    matched |= every


def retrieve(cache: PostingCache, searcher: Any, plan: QueryPlan, allowed: np.ndarray | None,
             extra: list[int]) -> Retrieval:
    """Score ``plan`` over the documents ``allowed`` (a mask; None: all); ``extra`` always match."""
    size = cache.doc_count
    postings = {pair: cache.get(searcher, *pair) for pair in plan.pairs}
    scores = np.zeros(size, dtype=np.float32)
    matched = np.zeros(size, dtype=bool)
    for clause in plan.clauses:
        _clause(scores, matched, clause, postings)
    for pair, weight in plan.boosts.items():
        posting = postings[pair]
        scores[posting.docnums] += weight * posting.scores
    if allowed is not None:
        matched &= allowed
    if extra:
        matched[extra] = True
    scores[~matched] = 0
    return Retrieval(scores, matched, postings)
