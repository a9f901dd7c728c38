"""Hybrid ranking: dense candidates merged with the lexical ones, scores fused per query.

Per query, the lexical scores (BM25F x coverage + question match) and the dense scores of the
candidates are each min-max scaled to 0..1 and mixed 0.8 x dense + 0.2 x lexical
(``ranking.DENSE_WEIGHT``). Candidates are Whoosh's top ones plus the best dense matches among the
articles the request may see (filters and visibility applied). Articles without vectors (not
English) keep their lexical standing: their scaled dense score is their scaled lexical score.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from search import ranking

log = logging.getLogger(__name__)

#: Dense matches added to the lexical candidates, if their dense score reaches DENSE_FLOOR (a
#: cosine below it is unrelated text: gibberish should not list the whole knowledge base). With
#: LEXICAL_CANDIDATES from the first pass, the rerank pool stays at 50 as without the layer.
#: (20 against 50 dense candidates: the same MRR@10 on the FAQ sets; compared before the
#: test-fold split, so docs/semantic.md, not this comment, carries the figures.)
DENSE_CANDIDATES = 20
#: Lexical candidates when dense ones join (search/engine.py takes at least this many from the
#: first pass; without the layer it takes 50). Against 50: no MRR@10 change worth the name on
#: the FAQ sets (compared before the test-fold split: docs/semantic.md) and about 0.5 ms less
#: per query at 10k.
LEXICAL_CANDIDATES = 30
DENSE_FLOOR = 0.45
#: Smallest spread the min-max scaling divides by (cosine for dense, lexical score units): with
#: few candidates of near-equal scores, plain min-max would blow noise up to the whole 0..1 range.
DENSE_MIN_RANGE = 0.3
LEXICAL_MIN_RANGE = 0.5


class HasParts(Protocol):
    docnum: int
    parts: ranking.ScoreParts


@dataclass
class DenseScores:
    """Dense scores of the articles this request may see."""

    by_doc: dict[int, float]

    def top(self, k: int, floor: float) -> list[int]:
        best = sorted(self.by_doc, key=lambda d: -self.by_doc[d])[:k]
        return [docnum for docnum in best if self.by_doc[docnum] >= floor]


def applies(state: Any, text: str, langs: list[str]) -> bool:
    """Whether dense scores join this search: the layer is on, there is query text (type-ahead
    passes none) and English is among the languages searched."""
    return bool(text) and state is not None and state.on and "en" in langs


def dense_scores(state: Any, text: str, langs: list[str], viewer: Any, allowed: Any,
                 candidates: list[int]) -> DenseScores | None:
    """Dense scores for a query, or None when the semantic layer does not apply (or fails).

    ``allowed``: boolean mask of the documents the request may see (None: all); the lexical
    ``candidates`` are always scored."""
    if not applies(state, text, langs):
        return None
    try:
        vector = state.encoder.encode_query(text)
        docnums, scores = state.index.scores(vector, viewer, allowed, candidates)
        return DenseScores(dict(zip(docnums.tolist(), scores.tolist())))
    except Exception:  # noqa: BLE001  (never fail a search: answer lexically)
        log.exception("semantic scoring failed; answering with lexical ranking only")
        return None


def add_candidates(scored: list[tuple[float, int]], dense: DenseScores,
                   k: int = DENSE_CANDIDATES) -> list[tuple[float, int]]:
    """The lexical (score, docnum) candidates plus the best dense ones (lexical score 0)."""
    present = {docnum for _, docnum in scored}
    return scored + [(0.0, docnum) for docnum in dense.top(k, DENSE_FLOOR) if docnum not in present]


def _scaled(values: list[float], min_range: float) -> list[float]:
    """Min-max scaling to 0..1, dividing by at least ``min_range`` (the top score maps to 1)."""
    low, high = min(values), max(values)
    spread = max(high - low, min_range)
    return [1 - (high - v) / spread for v in values]


def fuse(candidates: list[HasParts], dense: DenseScores) -> None:
    """Replace each candidate's score parts with the hybrid ones (in place)."""
    if not candidates:
        return
    lexical = _scaled([c.parts.lexical_score for c in candidates], LEXICAL_MIN_RANGE)
    with_vectors = [i for i, c in enumerate(candidates) if c.docnum in dense.by_doc]
    dense_scaled: dict[int, float] = {}
    if with_vectors:
        values = [dense.by_doc[candidates[i].docnum] for i in with_vectors]
        dense_scaled = dict(zip(with_vectors, _scaled(values, DENSE_MIN_RANGE)))
    for i, candidate in enumerate(candidates):
        raw = dense.by_doc.get(candidate.docnum)
        candidate.parts = ranking.hybrid(candidate.parts, lexical[i], raw,
                                         dense_scaled.get(i, lexical[i]))
