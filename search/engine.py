"""The one search entry point the site, the API and the agent console call."""
from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Callable, Iterator

import numpy as np

from search import clicks, noanswer, states, usage, visibility
from search.analysis import field_language, normalize_phrase, terms
from search.expansion import ExpandedQuery, expand
from search.query import MAX_PREFIX_TERMS, build_plan, filter_query
from search.rerank import Candidate, rerank
from search.retrieve import retrieve
from search.schema import text_field
from search.scope import RequestScope, current_scope, enter_scope, leave_scope
from search.semantic import fusion
from search.snapshot import Snapshot, SnapshotHolder
from search.snippets import fallback, highlight
from search.types import FILTER_FIELDS, MAX_RESULT_WINDOW, Hit, QueryError, SearchRequest, SearchResponse
from search.viewer import Viewer

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
    if request.offset < 0:
        raise QueryError("invalid_parameter", "offset must be 0 or more")
    if request.offset + request.limit > MAX_RESULT_WINDOW:
        raise QueryError("invalid_parameter", f"offset + limit must be at most {MAX_RESULT_WINDOW}: "
                         "results deeper than that are not served, refine the search instead")
    unknown = set(request.filters) - set(FILTER_FIELDS)
    if unknown:
        raise QueryError("invalid_parameter", f"unknown filter {sorted(unknown)[0]!r}")


def clean_query(text: str) -> str:
    """Drop control characters and collapse spaces; what remains is plain words to us."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class Engine:
    """Searches the published index version; picks up new builds without a restart."""

    def __init__(self, index_dir: Any, semantic: Any = None) -> None:
        """``semantic``: a search.semantic.dense.Settings (None: SEMANTIC auto, packaged model)."""
        self.holder = SnapshotHolder(index_dir, semantic)

    def snapshot(self) -> Snapshot:
        """The served version. Inside :meth:`begin_request` ... :meth:`end_request` always the same
        one, pinned: it stays open and on disk until the request ends, whatever builds do."""
        scope = current_scope()
        if scope is None:
            return self.holder.get()
        snapshot = scope.pins.get(id(self))
        if snapshot is None:
            snapshot = scope.pins[id(self)] = self.holder.acquire()
        return snapshot

    def begin_request(self) -> tuple[RequestScope, Any]:
        """Open a request scope: the version is pinned at its first use and a searcher borrowed."""
        return enter_scope()

    def end_request(self, handle: tuple[RequestScope, Any]) -> None:
        """Give back what the request borrowed and unpin its version (also after errors)."""
        scope, token = handle
        leave_scope(token)
        for snapshot, searcher in scope.searchers.values():
            snapshot.give_back(searcher)
        scope.searchers.clear()
        pinned = scope.pins.pop(id(self), None)
        if pinned is not None:
            self.holder.release(pinned)

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """A request scope, unless one is open already (library callers, scripts)."""
        if current_scope() is not None:
            yield
            return
        handle = self.begin_request()
        try:
            yield
        finally:
            self.end_request(handle)

    def stats(self) -> dict[str, Any]:
        """Index version, swaps, open versions, open searchers and pinned requests."""
        return self.holder.stats()

    def close(self) -> None:
        self.holder.close()

    def languages(self, snapshot: Snapshot, requested: list[str]) -> list[str]:
        """Field languages to search: the requested ones, else every language in the index."""
        langs = requested or list(snapshot.meta["languages"])
        return list(dict.fromkeys(field_language(lang) for lang in langs))

    def expand_query(self, snapshot: Snapshot, text: str, request: SearchRequest,
                     langs: list[str]) -> ExpandedQuery:
        lang = langs[0] if len(langs) == 1 else "en"
        return expand(text, visibility.vocabulary(snapshot, request.viewer), snapshot.synonyms(lang), lang,
                      request.prefix, self._known(snapshot, request, langs))

    @staticmethod
    def _known(snapshot: Snapshot, request: SearchRequest, langs: list[str]) -> Callable[[str], bool]:
        """Whether a word has a term the request's viewer can find in the index."""
        searcher = snapshot.searcher()
        kinds = visibility.text_kinds(request.viewer)

        def known(word: str) -> bool:
            return any(searcher.doc_frequency(text_field(kind, fl), term) > 0
                       for fl in langs for term in terms(word, fl) for kind in kinds)
        return known

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one search: expand, retrieve with BM25, rerank, facet, snippet."""
        with self.request():
            return self._search(request)

    def _search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        validate_request(request)
        snapshot = self.snapshot()
        text = clean_query(request.query)
        filters = {k: [v.lower() if k == "tags" else v for v in vs] for k, vs in request.filters.items()}
        langs = self.languages(snapshot, filters.get("lang") or request.langs)
        expanded = self.expand_query(snapshot, text, request, langs)
        allowed = snapshot.allowed(filter_query(filters, request.viewer))
        exact = self._exact_matches(snapshot, text, allowed)
        plan = build_plan(expanded, langs, request.viewer, self._prefix_expander(snapshot))
        retrieval = retrieve(snapshot.postings, snapshot.searcher(), plan, allowed, list(exact.values()))
        wanted = request.offset + request.limit
        semantic_text = "" if request.prefix else text
        pool = fusion.LEXICAL_CANDIDATES if fusion.applies(snapshot.semantic, semantic_text, langs) \
            else MIN_CANDIDATES
        ranked = rerank(snapshot, retrieval, retrieval.top(max(pool, wanted), snapshot.slug_rank),
                        expanded, langs, request.viewer, set(exact), semantic_text=semantic_text,
                        allowed=allowed)
        if request.usage:
            ranked = usage.lift(ranked, request.usage)
        if request.clicks:
            ranked = clicks.lift(ranked, request.clicks, text)
        matched = retrieval.matched
        matched[[c.docnum for c in ranked]] = True  # semantic hook: dense-only hits count too
        facets = (snapshot.facet_columns.count(matched, visibility.facet_names(request.viewer))
                  if request.facets else {})
        prefixes = tuple(a.words[0] for g in expanded.groups for a in g.alternatives if a.prefix)
        hits = [self._hit(snapshot, candidate, request, prefixes) for candidate in ranked[request.offset:wanted]]
        known = self._known(snapshot, request, langs)
        unknown = sum(1 for g in expanded.groups
                      if not any(known(w) for a in g.alternatives if not a.prefix for w in a.words))
        answer = noanswer.check(ranked, bool(exact), len(expanded.groups), unknown)
        return SearchResponse(
            query=text, total=int(matched.sum()), results=hits, facets=facets,
            did_you_mean=expanded.corrected_text, corrections=expanded.corrections,
            synonyms=expanded.synonyms, took_ms=(time.perf_counter() - started) * 1000,
            no_good_answer=answer.no_answer, version=snapshot.name, answer_check=answer)

    @staticmethod
    def _prefix_expander(snapshot: Snapshot) -> Callable[[str, str], list[str]]:
        reader = snapshot.searcher().reader()

        def expand_prefix(field: str, prefix: str) -> list[str]:
            found = []
            for term in reader.expand_prefix(field, prefix):
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(found) >= MAX_PREFIX_TERMS:
                    break
            return found
        return expand_prefix

    def _exact_matches(self, snapshot: Snapshot, text: str, allowed: np.ndarray | None) -> dict[str, int]:
        """Articles whose title or an alternate question is exactly the query (and are visible),
        with their document numbers."""
        found: dict[str, int] = {}
        for slug in snapshot.exact.get(normalize_phrase(text), []):
            docnum = snapshot.searcher().document_number(slug=slug)
            if docnum is not None and (allowed is None or allowed[docnum]):
                found[slug] = docnum
        return found

    def _hit(self, snapshot: Snapshot, candidate: Candidate, request: SearchRequest,
             prefixes: tuple[str, ...]) -> Hit:
        data = snapshot.searcher().stored_fields(candidate.docnum)["data"]
        field_lang = field_language(data["lang"])
        parts = candidate.parts
        snippet = ""
        if request.snippets:
            for text, matched in visibility.snippet_sources(request.viewer, data, candidate.matched):
                snippet = highlight(text, matched, field_lang, prefixes)
                if snippet:
                    break
            snippet = snippet or fallback(data["summary"] or data["text_public"])
        explain = None
        if request.explain:
            explain = {"score": parts.as_dict(), "matched_groups": candidate.groups,
                       "matched_terms": sorted(f"{f}:{t}" for f, t in
                                               visibility.visible_pairs(request.viewer, candidate.matched)),
                       "exact_match": parts.exact_bonus > 0}
        return Hit(slug=data["slug"], title=data["title"], summary=data["summary"],
                   answer=data["answer"], snippet=snippet, url=ARTICLE_URL.format(slug=data["slug"]),
                   type=data["type"], level=data["level"], product=data["product"], lang=data["lang"],
                   tags=data["tags"], audience=data["audience"], score=round(parts.final, 4),
                   updated=data["updated"], stale=snapshot.is_stale(data["slug"]),
                   exact=parts.exact_bonus > 0, explain=explain,
                   status=data.get("status", "published"),
                   verification=states.verification(snapshot, data["slug"], request.viewer),
                   stale_translation=snapshot.is_stale_translation(data["slug"]))

    def suggest(self, text: str, viewer: Viewer, langs: list[str], limit: int = 8) -> list[dict[str, str]]:
        """Type-ahead: titles of the best prefix matches."""
        if not clean_query(text):
            return []
        response = self.search(SearchRequest(text, viewer=viewer, langs=langs, limit=limit, prefix=True,
                                             facets=False, snippets=False))
        return [{"text": hit.title, "slug": hit.slug, "url": hit.url, "type": hit.type}
                for hit in response.results]

