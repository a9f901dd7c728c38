"""The vectorized first pass: same matches as Whoosh's boolean queries, BM25 scores, deletions."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from whoosh import query as wq

from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import build_index
from search.postings import B, K1
from search.semantic.dense import Settings
from tests.kb_support import article, write_articles

LEXICAL = Settings("off")


def whoosh_matches(engine: Engine, request: SearchRequest) -> set[str]:
    """Slugs Whoosh itself finds for the plan the engine builds (public audience)."""
    snapshot = engine.snapshot()
    searcher = snapshot.searcher()
    langs = engine.languages(snapshot, request.langs)
    expanded = engine.expand_query(snapshot, request.query, request, langs)
    clauses = []
    for lang in langs:
        for group in expanded.groups:
            for alternative in group.alternatives:
                words = [wq.Or([wq.Term(f"all_{lang}", t) for t in _terms(word, lang)])
                         for word in alternative.words]
                clauses.append(wq.And(words))
    found = searcher.search(wq.And([wq.Or(clauses), wq.Term("audience", "public")]), limit=None)
    return {hit["slug"] for hit in found}


def _terms(word: str, lang: str) -> list[str]:
    from search.analysis import terms  # noqa: PLC0415
    return terms(word, lang) or terms(word, lang, keep_stop_words=True)


@pytest.fixture(scope="module")
def demo_engine(demo_index: Path) -> Iterator[Engine]:
    engine = Engine(demo_index, semantic=LEXICAL)
    yield engine
    engine.close()


@pytest.mark.parametrize("text", ["refund", "refund invoice", "router wifi password", "direct debit",
                                  "reembolso", "Wi-Fi", "cancel my contract early"])
def test_matches_and_totals_equal_whoosh_boolean_query(demo_engine: Engine, text: str) -> None:
    request = SearchRequest(text, limit=100)
    response = demo_engine.search(request)
    expected = whoosh_matches(demo_engine, request)
    assert response.total == len(expected) > 0
    shown = {hit.slug for hit in response.results}
    assert shown <= expected and len(shown) == min(100, len(expected))


def test_facet_counts_add_up_to_the_matches(demo_engine: Engine) -> None:
    response = demo_engine.search(SearchRequest("payment", limit=100))
    assert 10 < response.total <= 100
    for name in ("type", "level", "lang"):
        assert sum(response.facets[name].values()) == response.total
    by_type: dict[str, int] = {}
    for hit in response.results:
        by_type[hit.type] = by_type.get(hit.type, 0) + 1
    assert response.facets["type"] == dict(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0])))


def test_scores_are_bm25_from_whoosh_statistics(demo_engine: Engine) -> None:
    snapshot = demo_engine.snapshot()
    searcher = snapshot.searcher()
    posting = snapshot.postings.get(searcher, "all_en", "refund")
    assert len(posting.docnums) == searcher.doc_frequency("all_en", "refund") > 0
    assert list(posting.docnums) == sorted(posting.docnums)
    docnum = int(posting.docnums[0])
    tf = searcher.postings("all_en", "refund").weight()  # first posting: the same document
    df, n = searcher.doc_frequency("all_en", "refund"), searcher.doc_count_all()
    length = searcher.doc_field_length(docnum, "all_en", 1)
    average = searcher.avg_field_length("all_en")
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    expected = idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
    assert posting.scores[0] == pytest.approx(expected, rel=1e-5)


def test_a_clause_needs_all_its_words(tmp_path: Path) -> None:
    """A multi-word synonym ("direct debit") matches only articles holding both words."""
    root = write_articles(tmp_path / "articles", {
        "both.md": article("Setting up payments", body="Pay by direct debit every month."),
        "one.md": article("Debit cards", body="Your debit card arrives in a week."),
        "_synonyms.yml": "- [autopay, direct debit]\n",
    })
    build_index(load_knowledge_base(root), tmp_path / "index", semantic=LEXICAL)
    engine = Engine(tmp_path / "index", semantic=LEXICAL)
    try:
        response = engine.search(SearchRequest("autopay"))
        assert [hit.slug for hit in response.results] == ["both"]
        assert response.total == 1
    finally:
        engine.close()


def test_deleted_and_replaced_documents_never_match(tmp_path: Path) -> None:
    """Incremental builds leave deletions in older segments: they must not count or score."""
    root = write_articles(tmp_path / "articles", {
        "keep.md": article("Keep this one", body="Zephyr modem lights."),
        "change.md": article("Changed later", body="Zephyr modem cables."),
        "drop.md": article("Dropped later", body="Zephyr modem manual."),
    })
    index = tmp_path / "index"
    build_index(load_knowledge_base(root), index, semantic=LEXICAL)
    (root / "drop.md").unlink()
    (root / "change.md").write_text(article("Changed later", body="Zephyr router cables."), encoding="utf-8")
    summary = build_index(load_knowledge_base(root), index, semantic=LEXICAL)
    assert not summary.full
    engine = Engine(index, semantic=LEXICAL)
    try:
        assert len(engine.snapshot().searcher().reader().leaf_readers()) > 1  # really segmented
        modem = engine.search(SearchRequest("zephyr modem", limit=10))
        assert modem.total == 2  # keep (both words) + change (zephyr only); drop is gone
        assert [hit.slug for hit in modem.results] == ["keep", "change"]
        assert engine.search(SearchRequest("manual")).total == 0
        assert engine.search(SearchRequest("router")).total == 1
        counts = np.bincount([hit.slug == "change" for hit in engine.search(SearchRequest("zephyr")).results])
        assert counts.tolist() == [1, 1]  # each live article once
    finally:
        engine.close()


def test_posting_lists_over_many_blocks_read_like_whoosh(tmp_path: Path) -> None:
    """Whoosh writes postings in blocks of 128: a list of 300 spans three of them."""
    files = {f"a/n{n:03d}.md": article(f"Gizmo number {n}", body=f"Gizmo gizmo words {n}." * (1 + n % 3))
             for n in range(300)}
    root = write_articles(tmp_path / "articles", files)
    build_index(load_knowledge_base(root), tmp_path / "index", semantic=LEXICAL)
    engine = Engine(tmp_path / "index", semantic=LEXICAL)
    try:
        snapshot = engine.snapshot()
        searcher = snapshot.searcher()
        posting = snapshot.postings.get(searcher, "all_en", "gizmo")
        matcher = searcher.postings("all_en", "gizmo")
        ids, tfs = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            tfs.append(matcher.weight())
            matcher.next()
        assert len(ids) == 300
        assert posting.docnums.tolist() == ids
        assert len(set(tfs)) > 1
        n, df = searcher.doc_count_all(), 300
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        average = searcher.avg_field_length("all_en")
        lengths = [searcher.doc_field_length(d, "all_en", 1) for d in ids]
        expected = [idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
                    for tf, length in zip(tfs, lengths)]
        assert posting.scores.tolist() == pytest.approx(expected, rel=1e-5)
        assert engine.search(SearchRequest("gizmo")).total == 300
    finally:
        engine.close()


def test_documents_tied_at_the_cut_get_in_by_slug_not_document_number() -> None:
    """An incremental and a full build number documents differently: which of the documents tied
    at the cut join the candidates must not depend on it (it moves the hybrid scores' scaling)."""
    from search.retrieve import Retrieval  # noqa: PLC0415
    scores = np.array([3.0, 1.0, 1.0, 2.0, 1.0, 1.0], dtype=np.float32)
    matched = np.ones(len(scores), dtype=bool)
    slug_rank = np.array([5, 4, 3, 0, 1, 2])  # documents 4 and 5 come first by slug among the tied
    top = Retrieval(scores, matched, {}).top(4, lambda: slug_rank)
    assert [docnum for _, docnum in top][:2] == [0, 3]
    assert {docnum for _, docnum in top[2:]} == {4, 5}
    assert [score for score, _ in top] == [3.0, 2.0, 1.0, 1.0]
