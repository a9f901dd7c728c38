"""Every cache that anonymous input can grow stays within its entry and byte bounds when flooded
with unique keys (random words, typos, filters, client addresses), and answers do not change."""
from __future__ import annotations

import random
import string
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest, analysis, postings, snapshot, typos
from search.caches import BoundedCache, approx_size
from search.indexer import build_index
from search.semantic import encoder as semantic_encoder
from search.viewer import AGENT, ANONYMOUS
from tests.conftest import FIXTURE_KB, make_app
from tests.semantic_support import require_extra
from web.shared.extensions import limiter

FLOOD = 300


def random_word(rng: random.Random, low: int = 4, high: int = 12) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(low, high)))


def random_queries(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(random_word(rng) for _ in range(rng.randint(1, 4))) for _ in range(count)]


def within(cache: BoundedCache, max_entries: int, max_bytes: int,
           sizeof: Callable[[Any, Any], int] = lambda key, value: approx_size((key, value))) -> None:
    """Both bounds hold, by the cache's own count and by measuring again what it holds."""
    assert 0 < len(cache) <= max_entries
    assert cache.bytes <= max_bytes
    held = sum(sizeof(key, cache.get(key)) for key in cache.keys())
    assert held <= max_bytes * 1.5  # the entries' estimates agree with a fresh measurement


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("bounded") / "index"
    build_index(load_knowledge_base(FIXTURE_KB), target)
    return target


def open_engine(index: Path) -> Iterator[Engine]:
    engine = Engine(index)
    yield engine
    engine.close()


# -- the cache itself ---------------------------------------------------------------------------

def test_bounded_cache_keeps_at_most_its_entries_and_bytes() -> None:
    by_count = BoundedCache(max_entries=10, max_bytes=10**9)
    by_bytes = BoundedCache(max_entries=10**6, max_bytes=50_000)
    for i in range(1000):
        by_count.put(f"key-{i}", "v" * 100)
        by_bytes.put(f"key-{i}", "v" * 1000)
    assert len(by_count) == 10 and by_count.get("key-999") == "v" * 100 and "key-0" not in by_count
    assert by_bytes.bytes <= 50_000 and 30 <= len(by_bytes) < 50
    assert by_bytes.get("key-999") == "v" * 1000


def test_bounded_cache_counts_keys_and_arrays_and_skips_oversized_values() -> None:
    cache = BoundedCache(max_entries=100, max_bytes=100_000)
    cache.put("big key " * 1000, 1)
    assert cache.bytes > 8000  # the key's bytes count
    cache.clear()
    cache.put("array", np.zeros(200_000, dtype=np.uint8))  # larger than the whole cache
    assert len(cache) == 0 and cache.get("array") is None
    view = np.zeros(40_000, dtype=np.float32)[:10_000]
    assert approx_size(view) >= 40_000
    assert cache.get_or_compute("none", lambda: None) is None and "none" in cache


def test_bounded_cache_is_safe_to_share_between_threads() -> None:
    cache = BoundedCache(max_entries=50, max_bytes=20_000)
    errors: list[BaseException] = []

    def flood(worker: int) -> None:
        try:
            for i in range(3000):
                cache.get_or_compute((worker, i), lambda: "x" * 50)
                cache.get((worker, i - 1))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=flood, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 50 and cache.bytes <= 20_000


# -- search caches ------------------------------------------------------------------------------

@pytest.fixture()
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    bounds = {"POSTINGS_CACHE_ENTRIES": 60, "POSTINGS_CACHE_BYTES": 40_000,
              "NO_MATCH_CACHE_ENTRIES": 50, "NO_MATCH_CACHE_BYTES": 40_000,
              "IDF_CACHE_ENTRIES": 40, "IDF_CACHE_BYTES": 8_000,
              "FILTER_CACHE_ENTRIES": 12, "FILTER_CACHE_BYTES": 3_000,
              "PHRASE_CACHE_ENTRIES": 3, "PHRASE_CACHE_BYTES": 4_000,
              "SYNONYM_CACHE_ENTRIES": 2, "CORRECTION_CACHE_ENTRIES": 30,
              "CORRECTION_CACHE_BYTES": 6_000}
    for module in (postings, snapshot, typos):
        for name, value in bounds.items():
            if hasattr(module, name):
                monkeypatch.setattr(module, name, value)
    return bounds


def flood_engine(engine: Engine, count: int = FLOOD) -> None:
    rng = random.Random(11)
    products = ["billing", "mobile", "broadband", "tv"]
    for i, text in enumerate(random_queries(count)):
        filters = {"product": [rng.choice(products) + random_word(rng, 1, 3)]} if i % 3 == 0 else {}
        engine.search(SearchRequest(text, filters=filters, viewer=AGENT if i % 2 == 0 else ANONYMOUS))
        if i % 10 == 0:  # real words too: postings with documents, phrases of many articles
            engine.search(SearchRequest("refund password router bill " + text, limit=20))


def test_posting_cache_holds_its_bound_under_random_terms(index: Path, small_bounds: dict[str, int]) -> None:
    for engine in open_engine(index):
        flood_engine(engine)
        cache = engine.snapshot().postings
        within(cache.cache, small_bounds["POSTINGS_CACHE_ENTRIES"], small_bounds["POSTINGS_CACHE_BYTES"],
               postings.entry_size)
        within(cache.no_match, small_bounds["NO_MATCH_CACHE_ENTRIES"],
               small_bounds["NO_MATCH_CACHE_BYTES"], postings.entry_size)


def test_terms_that_match_nothing_are_bounded_apart(index: Path, small_bounds: dict[str, int]) -> None:
    for engine in open_engine(index):
        cache = engine.snapshot().postings
        searcher = engine.snapshot().searcher()
        refund = cache.get(searcher, "all_en", "refund")
        assert refund.docnums.size > 0
        for word in random_queries(200, seed=3):
            assert cache.get(searcher, "all_en", word.replace(" ", "")).docnums.size == 0
        assert len(cache.no_match) == small_bounds["NO_MATCH_CACHE_ENTRIES"]
        assert cache.no_match.bytes <= small_bounds["NO_MATCH_CACHE_BYTES"]
        assert cache.cache.get(("all_en", "refund")) is refund  # random words did not push it out


def test_snapshot_caches_hold_their_bounds(index: Path, small_bounds: dict[str, int]) -> None:
    for engine in open_engine(index):
        flood_engine(engine)
        current = engine.snapshot()
        within(current._idf, small_bounds["IDF_CACHE_ENTRIES"], small_bounds["IDF_CACHE_BYTES"])
        within(current._filters, small_bounds["FILTER_CACHE_ENTRIES"], small_bounds["FILTER_CACHE_BYTES"])
        within(current._phrases, small_bounds["PHRASE_CACHE_ENTRIES"], small_bounds["PHRASE_CACHE_BYTES"])
        for lang in analysis.FIELD_LANGUAGES:
            current.synonyms(lang)
        assert len(current._synonyms) == small_bounds["SYNONYM_CACHE_ENTRIES"]


def test_query_words_never_reach_whoosh_unbounded_caches(index: Path) -> None:
    index_stems = analysis.analyzer_for("en").items[-2]._stem  # the index analyzer's cache
    before = index_stems.cache_info().currsize
    for engine in open_engine(index):
        flood_engine(engine, 100)
        current = engine.snapshot()
        searchers = [current._shared, current.searcher(), *current.pool._idle]
        assert len(current.pool._idle) > 0
        assert [len(s._idf_cache) for s in searchers] == [0] * len(searchers)  # Whoosh: no bound
    assert index_stems.cache_info().currsize == before


def test_typo_corrections_hold_their_bound(small_bounds: dict[str, int]) -> None:
    vocabulary = typos.Vocabulary({"refund": 3, "password": 2, "router": 1, "invoice": 2})
    rng = random.Random(5)
    for word in random_queries(200):
        vocabulary.correct(word.replace(" ", ""))
        vocabulary.correct("x" * rng.randint(100, 400))
    within(vocabulary.corrections, small_bounds["CORRECTION_CACHE_ENTRIES"],
           small_bounds["CORRECTION_CACHE_BYTES"])
    assert vocabulary.correct("refnud") == "refund" and vocabulary.correct("pasword") == "password"


def test_analyzed_words_hold_their_bound() -> None:
    words = [w.replace(" ", "") for w in random_queries(analysis.TERMS_CACHE_ENTRIES + 2000, seed=9)]
    for word in words:
        analysis.terms(word, "en")
    assert len(analysis._terms_cache) <= analysis.TERMS_CACHE_ENTRIES
    rng = random.Random(2)
    for _ in range(3000):
        analysis.terms(random_word(rng, 600, 900), "es")
    assert analysis._terms_cache.bytes <= analysis.TERMS_CACHE_BYTES
    assert analysis.terms("Refunds running the Cafés", "en") == ["refund", "run", "cafe"]


def test_tiny_bounds_do_not_change_answers(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ["refund", "pasword reset", "router lights blinking", "bill too high", "factura"]

    def answers(engine: Engine) -> list[dict[str, Any]]:
        return [{k: v for k, v in engine.search(SearchRequest(q, viewer=AGENT)).as_dict().items()
                 if k != "took_ms"} for q in queries]
    for engine in open_engine(index):
        expected = answers(engine)
    for module, name in ((postings, "POSTINGS_CACHE_ENTRIES"), (snapshot, "IDF_CACHE_ENTRIES"),
                         (snapshot, "PHRASE_CACHE_ENTRIES"), (snapshot, "FILTER_CACHE_ENTRIES"),
                         (snapshot, "SYNONYM_CACHE_ENTRIES"), (typos, "CORRECTION_CACHE_ENTRIES")):
        monkeypatch.setattr(module, name, 1)
    for engine in open_engine(index):
        assert answers(engine) == expected
        assert answers(engine) == expected  # again, from what the tiny caches kept


# -- semantic query vectors ---------------------------------------------------------------------

def test_query_vectors_hold_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    require_extra()
    monkeypatch.setattr(semantic_encoder, "QUERY_CACHE", 20)
    monkeypatch.setattr(semantic_encoder, "QUERY_CACHE_BYTES", 20 * 1700)
    encoder = semantic_encoder.Encoder(semantic_encoder.build_encoder().model, 1)
    first = encoder.encode_query("how do I get a refund")
    for text in random_queries(60):
        encoder.encode_query(text)
    assert len(encoder.queries) <= 20 and encoder.queries.bytes <= 20 * 1700
    for text in random_queries(30):
        encoder.encode_query(text + " " + "x" * 300)  # longer keys: the byte bound binds first
    within(encoder.queries, 20, 20 * 1700)
    assert np.allclose(encoder.encode_query("how do I get a refund"), first)


# -- web: response cache and rate-limit counters ------------------------------------------------

def test_response_cache_holds_its_bounds(index: Path, tmp_path: Path) -> None:
    app = make_app(index, tmp_path / "a", ANALYTICS_URL="off", SEARCH_CACHE_SIZE=25)
    client = app.test_client()
    for text in random_queries(80):
        assert client.get("/api/v1/search", query_string={"q": text}).status_code == 200
    cache = app.extensions["supportkb.api_cache"]
    assert len(cache) == 25 and cache.misses == 80
    assert client.get("/api/v1/search", query_string={"q": text}).get_json()["cached"] is True
    assert cache.hits == 1

    app = make_app(index, tmp_path / "b", ANALYTICS_URL="off", SEARCH_CACHE_BYTES=60_000)
    client = app.test_client()
    for text in random_queries(80):
        client.get("/api/v1/search", query_string={"q": "refund " + text, "limit": 20})
    cache = app.extensions["supportkb.api_cache"]
    assert 0 < len(cache) < 80 and cache.bytes <= 60_000


def test_rate_limit_counters_hold_their_bound(index: Path, tmp_path: Path) -> None:
    app = make_app(index, tmp_path / "i", ANALYTICS_URL="off", RATELIMIT_ENABLED=True,
                   RATELIMIT_SEARCH="3 per minute", RATELIMIT_MEMORY_KEYS=40)
    client = app.test_client()
    for n in range(150):
        address = f"10.{n // 250}.{n % 250}.1"
        client.get("/api/v1/search?q=refund", environ_base={"REMOTE_ADDR": address})
    storage: Any = limiter.storage
    assert 0 < len(storage) <= 40
    codes = [client.get("/api/v1/search?q=refund", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # counting still works at the ceiling
