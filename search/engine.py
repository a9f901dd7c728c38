"""The one search entry point the site, the API and the agent console call."""
from __future__ import annotations

import logging
import time
from typing import Any

from whoosh import query as q

from search import ranking
from search.collect import search_all
from search.analysis import field_language, normalize_phrase, terms
from search.expansion import ExpandedQuery, expand
from search.query import TreeOr, filter_query, group_terms, text_kinds, text_query
from search.schema import text_field
from search.snapshot import Snapshot, SnapshotHolder
from search.snippets import fallback, highlight
from search.types import FILTER_FIELDS, Hit, QueryError, SearchRequest, SearchResponse

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 500
MAX_LIMIT = 100
MIN_CANDIDATES = 50
ARTICLE_URL = "/articles/{slug}"


def validate_request(request: SearchRequest) -> None:
    """Refuse what cannot be searched with a stable error code."""
    if len(request.query) > MAX_QUERY_CHARS:
        raise QueryError("query_too_long", f"query is longer than {MAX_QUERY_CHARS} characters")
    if not 1 <= request.limit <= MAX_LIMIT:
        raise QueryError("invalid_parameter", f"limit must be between 1 and {MAX_LIMIT}")
    if not 0 <= request.offset <= 10_000:
        raise QueryError("invalid_parameter", "offset must be between 0 and 10000")
    unknown = set(request.filters) - set(FILTER_FIELDS)
    if unknown:
        raise QueryError("invalid_parameter", f"unknown filter {sorted(unknown)[0]!r}")


def clean_query(text: str) -> str:
    """Drop control characters and collapse spaces; what remains is plain words to us."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class Engine:
    """Searches the published index version; picks up new builds without a restart."""

    def __init__(self, index_dir: Any) -> None:
        self.holder = SnapshotHolder(index_dir)

    def snapshot(self) -> Snapshot:
        return self.holder.get()

    def close(self) -> None:
        self.holder.close()

    def languages(self, snapshot: Snapshot, requested: list[str]) -> list[str]:
        """Field languages to search: the requested ones, else every language in the index."""
        langs = requested or list(snapshot.meta["languages"])
        return list(dict.fromkeys(field_language(lang) for lang in langs))

    def expand_query(self, snapshot: Snapshot, text: str, request: SearchRequest,
                     langs: list[str]) -> ExpandedQuery:
        lang = langs[0] if len(langs) == 1 else "en"
        searcher = snapshot.searcher()
        kinds = text_kinds(request.agent)

        def known(word: str) -> bool:
            return any(searcher.doc_frequency(text_field(kind, fl), term) > 0
                       for fl in langs for term in terms(word, fl) for kind in kinds)

        return expand(text, snapshot.vocabulary(request.agent), snapshot.synonyms(lang), lang,
                      request.prefix, known)

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search: expand, retrieve with BM25F, rerank, facet, snippet."""
        started = time.perf_counter()
        validate_request(request)
        snapshot = self.snapshot()
        text = clean_query(request.query)
        filters = {k: [v.lower() if k == "tags" else v for v in vs] for k, vs in request.filters.items()}
        langs = self.languages(snapshot, filters.get("lang") or request.langs)
        if filters.get("lang"):
            filters["lang"] = [lang for lang in filters["lang"]]
        expanded = self.expand_query(snapshot, text, request, langs)
        searcher = snapshot.searcher()
        visible = filter_query(filters, request.agent)
        base = text_query(expanded, langs, request.agent)
        exact = self._exact_matches(snapshot, text, visible)
        wanted = request.offset + request.limit
        combined = TreeOr([base] + [q.Term("slug", s) for s in exact]) if exact else base
        results, matched = search_all(searcher, combined, max(MIN_CANDIDATES, wanted), visible)
        ranked = self._rank(snapshot, results, expanded, langs, set(exact), request.explain)
        facets = snapshot.facet_columns.count(matched, request.agent) if request.facets else {}
        prefixes = tuple(a.words[0] for g in expanded.groups for a in g.alternatives if a.prefix)
        hits = [self._hit(snapshot, hit, parts, groups, request, prefixes)
                for hit, parts, groups in ranked[request.offset:wanted]]
        top_match = ranked[0][1].question_match if ranked else 0.0
        no_answer = not ranked or (not exact and top_match < ranking.NO_ANSWER_QUESTION_MATCH)
        return SearchResponse(
            query=text, total=len(matched), results=hits, facets=facets,
            did_you_mean=expanded.corrected_text, corrections=expanded.corrections,
            synonyms=expanded.synonyms, took_ms=(time.perf_counter() - started) * 1000,
            no_good_answer=no_answer, version=snapshot.name)

    def _exact_matches(self, snapshot: Snapshot, text: str, visible: q.Query | None) -> list[str]:
        """Articles whose title or an alternate question is exactly the query (and are visible)."""
        slugs = snapshot.exact.get(normalize_phrase(text), [])
        if not slugs:
            return []
        searcher = snapshot.searcher()
        allowed = q.Or([q.Term("slug", s) for s in slugs])
        found = searcher.search(allowed, limit=len(slugs), filter=visible)
        column = snapshot.slug_column
        return [column[hit.docnum] for hit in found]

    def _rank(self, snapshot: Snapshot, results: Any, expanded: ExpandedQuery, langs: list[str],
              exact: set[str], explain: bool) -> list[tuple[Any, ranking.ScoreParts, list[str]]]:
        searcher = snapshot.searcher()
        lang_terms = {lang: group_terms(expanded, lang) for lang in langs}
        prefixes = [next((a.words[0] for a in g.alternatives if a.prefix), None) for g in expanded.groups]
        weights = [max([searcher.idf(text_field("body", lang), t) for lang in langs
                        for t in lang_terms[lang][i]] or [1.0]) for i in range(len(expanded.groups))]
        column = snapshot.slug_column
        phrases = snapshot.meta.get("phrases", {})
        merged_terms = [set().union(*(lang_terms[lang][i] for lang in langs))
                        for i in range(len(expanded.groups))]
        idf_field = text_field("body", langs[0])

        def idf(term: str) -> float:
            return snapshot.idf(searcher, idf_field, term)

        top_score = max((hit.score or 0.0 for hit in results), default=0.0)
        ranked = []
        for hit in results:
            slug = column[hit.docnum]
            matched = {term.decode("utf-8") if isinstance(term, bytes) else term
                       for _, term in (hit.matched_terms() or [])}
            covered = []
            for i in range(len(expanded.groups)):
                group_hit = any(matched & lang_terms[lang][i] for lang in langs)
                if not group_hit and prefixes[i]:
                    group_hit = any(t.startswith(prefixes[i]) for t in matched)
                covered.append(group_hit)
            hit_terms = merged_terms
            if any(prefixes):
                hit_terms = [terms | {t for t in matched if p and t.startswith(p)}
                             for terms, p in zip(merged_terms, prefixes)]
            question = ranking.question_match(phrases.get(slug, []), hit_terms, weights, idf)
            parts = ranking.score(hit.score or 0.0, top_score, question,
                                  ranking.coverage(covered, weights), snapshot.is_stale(slug),
                                  slug in exact)
            groups = [g.text for g, c in zip(expanded.groups, covered) if c] if explain else []
            ranked.append((hit, parts, groups))
        ranked.sort(key=lambda item: -item[1].final)
        return ranked

    def _hit(self, snapshot: Snapshot, hit: Any, parts: ranking.ScoreParts, groups: list[str],
             request: SearchRequest, prefixes: tuple[str, ...]) -> Hit:
        data = hit["data"]
        field_lang = field_language(data["lang"])
        matched = {(f, t.decode("utf-8") if isinstance(t, bytes) else t)
                   for f, t in hit.matched_terms() or []}
        snippet = ""
        if request.snippets:
            public = {t for f, t in matched if not f.startswith("internal")}
            snippet = highlight(data["text_public"], public, field_lang, prefixes)
            if not snippet and request.agent:
                internal = {t for f, t in matched if f.startswith("internal")}
                snippet = highlight(data["text_internal"], internal, field_lang)
            snippet = snippet or fallback(data["summary"] or data["text_public"])
        explain = None
        if request.explain:
            explain = {"score": parts.as_dict(), "matched_groups": groups,
                       "matched_terms": sorted(f"{f}:{t}" for f, t in matched),
                       "exact_match": parts.exact_bonus > 0}
        return Hit(slug=data["slug"], title=data["title"], summary=data["summary"],
                   answer=data["answer"], snippet=snippet, url=ARTICLE_URL.format(slug=data["slug"]),
                   type=data["type"], level=data["level"], product=data["product"], lang=data["lang"],
                   tags=data["tags"], audience=data["audience"], score=round(parts.final, 4),
                   updated=data["updated"], stale=snapshot.is_stale(data["slug"]),
                   exact=parts.exact_bonus > 0, explain=explain)

    def suggest(self, text: str, agent: bool, langs: list[str], limit: int = 8) -> list[dict[str, str]]:
        """Type-ahead: titles of the best prefix matches."""
        if not clean_query(text):
            return []
        response = self.search(SearchRequest(text, agent=agent, langs=langs, limit=limit, prefix=True,
                                             facets=False, snippets=False))
        return [{"text": hit.title, "slug": hit.slug, "url": hit.url, "type": hit.type}
                for hit in response.results]

