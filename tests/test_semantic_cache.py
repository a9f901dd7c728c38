"""The embedding cache beside the index: only new or changed text is embedded on a rebuild, never
across models, a damaged file is started again, and vectors are the same with or without it."""
from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import build_index
from search.semantic import build as build_module
from search.semantic import embeddings, parallel
from search.semantic.cache import FILE, GARBAGE_FLOOR, EmbeddingCache, text_hash
from search.semantic.dense import Settings
from search.semantic.embeddings import article_texts, semantic_language
from search.semantic.encoder import Encoder, build_encoder
from tests.semantic_support import require_extra
from tests.test_semantic_embeddings import rows, semantic_dir

ON = Settings("on")
PAGE = Path("billing") / "invoice-explained.md"
NEW_LINE = "VAT is shown on its own line of every invoice."


@pytest.fixture()
def runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The texts each build runs through the model; the process's own memory of vectors is off,
    so each build behaves as a new process would (only the cache file can spare it work)."""
    require_extra()
    calls: list[list[str]] = []
    real = embeddings.encode_texts

    def counting(encoder: Encoder, texts: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(list(texts))
        return real(encoder, texts, *args, **kwargs)

    monkeypatch.setattr(embeddings, "encode_texts", counting)
    monkeypatch.setattr(Encoder, "remembered", lambda self, text: None)
    return calls


def build(articles: Path, index: Path, full: bool = False) -> None:
    build_index(load_knowledge_base(articles), index, full=full, semantic=ON)


def edit(articles: Path) -> None:
    page = articles / PAGE
    page.write_text(page.read_text(encoding="utf-8") + f"\n{NEW_LINE}\n", encoding="utf-8")


def texts_of(articles: Path, slug: str) -> set[str]:
    """The texts embedded for one article."""
    return {text for _, text in article_texts(load_knowledge_base(articles).by_slug()[slug])}


def all_texts(articles: Path) -> set[str]:
    return {text for article in load_knowledge_base(articles).published
            if semantic_language(article.lang) for _, text in article_texts(article)}


def test_a_rebuild_after_one_change_embeds_only_the_changed_text(
        articles_dir: Path, tmp_path: Path, runs: list[list[str]]) -> None:
    index = tmp_path / "index"
    build(articles_dir, index)
    assert (index / FILE).is_file() and len(runs) == 1
    before = texts_of(articles_dir, "billing/invoice-explained")
    edit(articles_dir)
    build(articles_dir, index)
    changed = texts_of(articles_dir, "billing/invoice-explained") - before
    assert NEW_LINE in changed and len(changed) == 2  # the new line and the whole article
    assert sorted(runs[1]) == sorted(changed)
    meta = embeddings.read_json(semantic_dir(index) / "index.json")
    assert meta["texts_embedded"] == 2 and meta["texts_cached"] == len(before) - 1
    # a full rebuild of another index folder's copy of the cache: nothing runs at all
    other = tmp_path / "other"
    other.mkdir()
    (other / FILE).write_bytes((index / FILE).read_bytes())
    build(articles_dir, other, full=True)
    assert runs[2] == []


def test_another_model_does_not_reuse_the_cache(articles_dir: Path, tmp_path: Path,
                                                 runs: list[list[str]],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    build(articles_dir, index)
    encoder = build_encoder()
    other = dataclasses.replace(encoder.model, model_id="another-model:0123456789abcdef")
    twin = Encoder.__new__(Encoder)
    twin.__dict__.update(encoder.__dict__, model=other, model_id=other.model_id)
    monkeypatch.setattr(build_module, "build_encoder", lambda *args, **kwargs: twin)
    edit(articles_dir)
    build(articles_dir, index)
    assert sorted(runs[1]) == sorted(all_texts(articles_dir))  # everything again, none from the cache
    with sqlite3.connect(index / FILE) as db:
        (key,) = db.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
    assert key.startswith("another-model:")


def test_a_damaged_cache_file_is_started_again(articles_dir: Path, tmp_path: Path,
                                                runs: list[list[str]],
                                                caplog: pytest.LogCaptureFixture) -> None:
    index = tmp_path / "index"
    build(articles_dir, index)
    (index / FILE).write_bytes(b"not a database" * 100)
    edit(articles_dir)
    build(articles_dir, index)  # the build does not fail
    assert "embedding cache" in caplog.text and "unreadable" in caplog.text
    assert len(runs[1]) == len(texts_of(articles_dir, "billing/invoice-explained"))
    with sqlite3.connect(index / FILE) as db:
        (held,) = db.execute("SELECT COUNT(*) FROM vectors").fetchone()
    assert held == len(runs[1])  # a working cache again, holding what this build embedded
    page = articles_dir / PAGE
    page.write_text(page.read_text(encoding="utf-8") + "\nA second new line.\n", encoding="utf-8")
    build(articles_dir, index)
    assert "A second new line." in runs[2] and len(runs[2]) == 2


def test_vectors_and_results_are_the_same_with_and_without_the_cache(
        articles_dir: Path, tmp_path: Path, runs: list[list[str]]) -> None:
    cached, fresh = tmp_path / "cached", tmp_path / "fresh"
    build(articles_dir, cached)
    build(articles_dir, fresh)
    edit(articles_dir)
    build(articles_dir, cached)
    assert len(runs[2]) == 2
    (fresh / FILE).unlink()  # the same incremental rebuild, without the cache
    build(articles_dir, fresh)
    assert sorted(runs[3]) == sorted(texts_of(articles_dir, "billing/invoice-explained"))
    with_cache, without = rows(cached), rows(fresh)
    assert with_cache.keys() == without.keys()
    for slug, (vectors, kinds) in without.items():
        assert (with_cache[slug][0] == vectors).all() and with_cache[slug][1] == kinds
    queries = ["card never arrived", "why is VAT on my invoice", "reset my password", "wifi keeps dropping"]
    a, b = Engine(cached, ON), Engine(fresh, ON)
    try:
        for query in queries:
            hits_a = [(h.slug, h.score) for h in a.search(SearchRequest(query, langs=["en"])).results]
            hits_b = [(h.slug, h.score) for h in b.search(SearchRequest(query, langs=["en"])).results]
            assert hits_a == hits_b and hits_a
    finally:
        a.close()
        b.close()


def test_the_cache_file_skips_bad_rows_and_drops_unused_texts(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    path = tmp_path / FILE
    unit = np.full(4, 0.5, dtype=np.float32)
    cache = EmbeddingCache(path, "model-a", 4)
    keys = [text_hash(f"text {i}") for i in range(GARBAGE_FLOOR + 10)]
    cache.put((key, unit) for key in keys)
    cache.db.execute("UPDATE vectors SET vector = ? WHERE hash = ?", (b"\x00\x01", keys[0]))
    found = cache.get(keys[:3])
    assert sorted(found) == sorted(keys[1:3]) and (found[keys[1]] == unit).all()
    assert cache.collect(set(keys[:5])) == len(keys) - 5
    assert sorted(cache.get(keys)) == sorted(keys[1:5])  # the damaged one stays unused
    cache.close()
    assert EmbeddingCache(path, "model-b", 4).get(keys) == {}  # another model starts empty


def test_worker_processes_give_the_vectors_of_one_process(monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    require_extra()
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)  # a few texts are enough to prove it
    monkeypatch.setattr(parallel, "CHUNK", 4)
    encoder = build_encoder()
    texts = [f"how do I {verb} my {thing}" + " please" * (i % 5)
             for i, (verb, thing) in enumerate((v, t) for v in ("reset", "change", "close", "move")
                                               for t in ("password", "card", "account", "plan"))]
    alone = encoder._run(texts)

    def not_here(batch: list[str]) -> Any:
        raise AssertionError("embedded in the build process, not in the workers")

    monkeypatch.setattr(encoder, "_run", not_here)
    tokens: list[int] = []
    vectors = parallel.encode_texts(encoder, texts, 2, tokens.append)
    assert "worker processes failed" not in caplog.text
    assert (vectors == alone).all()
    assert sum(tokens) == sum(encoder.token_counts(texts)) and len(tokens) == 4


def test_check_reads_the_served_cache_and_never_writes_it(
        articles_dir: Path, tmp_path: Path, runs: list[list[str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``build.py --check``'s scratch index embeds only the texts the served index's cache lacks."""
    from search.golden import check_golden  # noqa: PLC0415
    index = tmp_path / "index"
    build(articles_dir, index)
    before = texts_of(articles_dir, "billing/invoice-explained")
    cache = (index / FILE).read_bytes()
    versions = sorted(p.name for p in (index / "versions").iterdir())
    edit(articles_dir)
    monkeypatch.setenv("KB_SEMANTIC", "on")
    assert check_golden(load_knowledge_base(articles_dir), index) == []
    changed = texts_of(articles_dir, "billing/invoice-explained") - before
    assert sorted(runs[-1]) == sorted(changed) and len(changed) == 2
    assert (index / FILE).read_bytes() == cache
    assert sorted(p.name for p in (index / "versions").iterdir()) == versions
