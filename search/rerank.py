"""Rerank Whoosh's top candidates: BM25 with query coverage, question match, staleness, exact hits."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from search import ranking
from search.expansion import ExpandedQuery
from search.query import group_terms
from search.retrieve import Retrieval
from search.schema import text_field
from search.semantic import fusion
from search.snapshot import Snapshot
from search.viewer import Viewer
from search.visibility import text_kinds


@dataclass
class Candidate:
    """One candidate with its score parts and the query terms it contains."""

    docnum: int
    slug: str
    parts: ranking.ScoreParts
    matched: set[tuple[str, str]]
    groups: list[str]


def rerank(snapshot: Snapshot, retrieval: Retrieval, scored: list[tuple[float, int]],
           expanded: ExpandedQuery, langs: list[str], viewer: Viewer, exact: set[str],
           semantic_text: str = "", allowed: Any = None) -> list[Candidate]:
    """Candidates (BM25F score, docnum) from the first pass, in final order.

    With the semantic layer on (and ``semantic_text``, the query, given), the best dense matches
    among ``allowed`` documents (a boolean mask, None: all) join the candidates and scores are
    fused (search/semantic)."""
    # semantic hook: dense candidates and scores (None when the layer is off or fails)
    dense = fusion.dense_scores(snapshot.semantic, semantic_text, langs, viewer, allowed,
                                [docnum for _, docnum in scored])
    if dense is not None:
        scored = fusion.add_candidates(scored, dense)
    if not scored:
        return []
    searcher = snapshot.searcher()
    kinds = text_kinds(viewer)
    contained = retrieval.contained([docnum for _, docnum in scored])
    lang_terms = {lang: group_terms(expanded, lang) for lang in langs}
    merged = [set().union(*(lang_terms[lang][i] for lang in langs)) for i in range(len(expanded.groups))]
    prefixes = [next((a.words[0] for a in g.alternatives if a.prefix), None) for g in expanded.groups]
    idf_field = text_field("all", langs[0])

    def idf(term: str) -> float:
        return snapshot.idf(searcher, idf_field, term)

    weights = [max([snapshot.idf(searcher, text_field(kind, lang), t) for lang in langs
                    for kind in kinds for t in lang_terms[lang][i]] or [1.0])
               for i in range(len(expanded.groups))]
    column = snapshot.slug_column
    top_score = max(score for score, _ in scored)
    candidates = []
    for score, docnum in scored:
        slug = column[docnum]
        matched = contained.get(docnum, set())
        texts = {term for _, term in matched}
        covered = [bool(texts & merged[i]) or bool(p and any(t.startswith(p) for t in texts))
                   for i, p in enumerate(prefixes)]
        group_sets = [terms | {t for t in texts if p and t.startswith(p)}
                      for terms, p in zip(merged, prefixes)]
        question = ranking.question_match(snapshot.phrases(slug, idf_field), group_sets, weights, idf)
        parts = ranking.score(score, top_score, question, ranking.coverage(covered, weights),
                              snapshot.is_stale(slug), slug in exact)
        groups = [g.text for g, c in zip(expanded.groups, covered) if c]
        candidates.append(Candidate(docnum, slug, parts, matched, groups))
    if dense is not None:  # semantic hook: hybrid scores
        fusion.fuse(candidates, dense)
    candidates.sort(key=lambda c: -c.parts.final)
    return candidates
