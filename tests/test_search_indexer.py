"""Index builds: incremental by content hash, published atomically, served without a restart."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import BuildSummary, build_index
from search.store import POINTER, VERSIONS, BuildLocked, build_lock, current_version, publish
from search.viewer import AGENT, ANONYMOUS
from tests.kb_support import FIXTURE_KB, article, write_articles


@pytest.fixture()
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(FIXTURE_KB, target)
    return target


def rebuild(kb_dir: Path, index: Path, full: bool = False) -> BuildSummary:
    return build_index(load_knowledge_base(kb_dir), index, full=full)


def slugs(engine: Engine, text: str, agent: bool = False) -> list[str]:
    request = SearchRequest(text, viewer=AGENT if agent else ANONYMOUS)
    return [hit.slug for hit in engine.search(request).results]


def test_incremental_add_change_delete(kb_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = rebuild(kb_dir, index)
    assert (first.articles, first.languages, first.changed, first.removed, first.full) == (7, 2, 7, 0, True)
    engine = Engine(index)
    try:
        assert slugs(engine, "ethernet") == []
        assert slugs(engine, "summary") == ["billing/price-rise"]
        assert engine.search(SearchRequest("pasword")).did_you_mean == "password"
        # add one, change one, delete one
        (kb_dir / "technical" / "ethernet.md").write_text(
            article("Connect with an ethernet cable", type="technical", body="Plug the ethernet cable in."),
            encoding="utf-8")
        price = kb_dir / "billing" / "price-rise.md"
        price.write_text(price.read_text(encoding="utf-8").replace("contract summary", "welcome letter"),
                         encoding="utf-8")
        (kb_dir / "technical" / "reset-password.md").unlink()
        second = rebuild(kb_dir, index)
        assert (second.articles, second.changed, second.removed, second.full) == (7, 2, 1, False)
        assert slugs(engine, "ethernet") == ["technical/ethernet"]
        assert slugs(engine, "welcome letter")[0] == "billing/price-rise"
        assert slugs(engine, "summary") == []
        assert slugs(engine, "password") == []
        # the vocabulary follows: a removed word is no longer corrected to, a new one is
        response = engine.search(SearchRequest("pasword"))
        assert (response.did_you_mean, response.results) == (None, [])
        assert engine.search(SearchRequest("ethernt")).did_you_mean == "ethernet"
        assert engine.snapshot().meta["count"] == 7
        unchanged = rebuild(kb_dir, index)
        assert (unchanged.changed, unchanged.removed, unchanged.full) == (0, 0, False)
    finally:
        engine.close()


def test_incremental_equals_full(kb_dir: Path, tmp_path: Path) -> None:
    rebuild(kb_dir, tmp_path / "inc")
    (kb_dir / "billing" / "invoice-explained.md").unlink()
    rebuild(kb_dir, tmp_path / "inc")
    rebuild(kb_dir, tmp_path / "full")
    inc, full = Engine(tmp_path / "inc"), Engine(tmp_path / "full")
    try:
        for text in ["refund", "statement", "wifi", "price"]:
            assert slugs(inc, text) == slugs(full, text), text
        assert inc.snapshot().public_vocab.counts == full.snapshot().public_vocab.counts
        assert inc.snapshot().agent_vocab.counts == full.snapshot().agent_vocab.counts
    finally:
        inc.close()
        full.close()


def test_full_flag_and_schema_change_rebuild_everything(kb_dir: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    rebuild(kb_dir, index)
    assert rebuild(kb_dir, index, full=True).changed == 7
    monkeypatch.setattr("search.indexer.SCHEMA_VERSION", 999)
    summary = rebuild(kb_dir, index)
    assert (summary.changed, summary.full) == (7, True)
    assert rebuild(kb_dir, index).changed == 0


def test_drafts_are_not_indexed(tmp_path: Path) -> None:
    root = write_articles(tmp_path / "articles", {
        "billing/draft.md": article("Upcoming fibre prices", status="draft", body="Fibre prices."),
        "billing/live.md": article("Current fibre prices", body="Fibre prices."),
    })
    summary = build_index(load_knowledge_base(root), tmp_path / "index")
    assert summary.articles == 1
    engine = Engine(tmp_path / "index")
    try:
        assert slugs(engine, "fibre prices", agent=True) == ["billing/live"]
    finally:
        engine.close()


def test_engine_serves_the_old_version_until_the_pointer_changes(kb_dir: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    old = rebuild(kb_dir, index).version
    engine = Engine(index)
    try:
        assert engine.snapshot().name == old
        published: list[str] = []
        monkeypatch.setattr("search.indexer.publish", lambda _dir, name: published.append(name))
        (kb_dir / "technical" / "wifi-dropping.md").unlink()
        rebuild(kb_dir, index)
        new = published[0]
        assert (index / VERSIONS / new / "meta.json").is_file()
        assert engine.snapshot().name == old  # built aside, not yet served
        assert slugs(engine, "wifi keeps dropping")[0] == "technical/wifi-dropping"
        publish(index, new)
        assert engine.snapshot().name == new
        assert "technical/wifi-dropping" not in slugs(engine, "wifi keeps dropping")
    finally:
        engine.close()


def test_a_held_snapshot_stays_complete_after_a_swap(kb_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    rebuild(kb_dir, index)
    engine = Engine(index)
    try:
        request = engine.begin_request()
        held = engine.snapshot()  # pinned by the request
        shutil.rmtree(kb_dir / "technical")
        rebuild(kb_dir, index)
        fresh = engine.holder.get()  # what a new request gets
        assert fresh.name != held.name and fresh.meta["count"] == 5
        # the request that took ``held`` before the swap still reads a whole, consistent version
        assert held.searcher().doc_count() == held.meta["count"] == 7
        old_article = held.searcher().document(slug="technical/wifi-dropping")
        assert old_article["data"]["title"] == "My Wi-Fi keeps dropping"
        assert fresh.searcher().document(slug="technical/wifi-dropping") is None
        engine.end_request(request)
        assert sorted(p.name for p in (index / VERSIONS).iterdir()) == [fresh.name]
    finally:
        engine.close()


def test_failed_build_keeps_the_served_version(kb_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    version = rebuild(kb_dir, index).version

    def explode(_article: object) -> dict[str, object]:
        raise RuntimeError("boom")

    monkeypatch.setattr("search.indexer.to_document", explode)
    with pytest.raises(RuntimeError, match="boom"):
        rebuild(kb_dir, index, full=True)
    assert current_version(index) == version
    assert sorted(p.name for p in (index / VERSIONS).iterdir()) == [version]


def test_second_concurrent_build_fails(kb_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    with build_lock(index):
        with pytest.raises(BuildLocked, match="another build is running on"):
            rebuild(kb_dir, index)
    assert not (index / POINTER).exists()
    assert rebuild(kb_dir, index).changed == 7  # the lock is released


def test_old_versions_are_pruned(kb_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    names = [rebuild(kb_dir, index, full=True).version for _ in range(4)]
    assert sorted(p.name for p in (index / VERSIONS).iterdir()) == [names[-1]]  # none in use
    assert current_version(index) == names[-1]


def test_engine_without_an_index(tmp_path: Path) -> None:
    from search import IndexUnavailable  # noqa: PLC0415
    engine = Engine(tmp_path / "empty")
    with pytest.raises(IndexUnavailable, match="run 'python build.py'"):
        engine.search(SearchRequest("refund"))
