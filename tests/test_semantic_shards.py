"""Vector shards shared between index versions (search/semantic/shards.py): an incremental build
links the unchanged shards, writes the changed rows as one small shard, gives the dense scores of
a full build; a merge compacts; a failed build changes nothing; the old single-file layout reads."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import build_index
from search.merging import merge_due, merge_index
from search.semantic import shards as shards_module
from search.semantic.cache import FILE
from search.semantic.dense import Settings
from search.semantic.embeddings import FOLDER
from search.semantic.model import MODEL_FILE
from search.semantic.shards import compaction_due, gather, refs_of, shards_of, to_rewrite
from search.store import current_version, read_json, version_dir, write_json
from search.viewer import AGENT, ANONYMOUS
from tests.semantic_support import require_extra
from tests.test_incremental_build import DEMO, queries, same_but_ties
from tests.test_incremental_build import edit as edit_all

ON = Settings("on")
EDITED = Path("billing") / "invoice-explained.md"
REMOVED = Path("technical") / "reset-password.md"
OTHER = Path("technical") / "wifi-dropping.md"
QUERIES = ["refund money", "my connection is unstable", "change my password", "invoice VAT",
           "cancel subscription", "wifi keeps dropping", "goodwill credit for a customer",
           "how do I export my data", "billing address wrong", "two factor login"]


def build(articles: Path, index: Path, full: bool = False) -> None:
    build_index(load_knowledge_base(articles), index, full=full, semantic=ON)


def folder(index: Path) -> Path:
    return version_dir(index, current_version(index) or "") / FOLDER


def inodes(path: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in path.iterdir()}


def edit(articles: Path, line: str, page: Path = EDITED) -> None:
    page = articles / page
    page.write_text(page.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def dense(index: Path) -> dict[tuple[str, str, bool], float]:
    """Every article's dense score for each query and audience, by slug."""
    engine = Engine(index, ON)
    try:
        snapshot = engine.snapshot()
        state = snapshot.semantic
        assert state.on, state.reason
        scores = {}
        for query in QUERIES:
            vector = state.encoder.encode_query(query)
            for viewer in (ANONYMOUS, AGENT):
                docnums, values = state.index.scores(vector, viewer, extra=list(range(200)))
                for docnum, value in zip(docnums.tolist(), values.tolist()):
                    scores[(query, snapshot.slug_column[docnum], viewer is AGENT)] = value
        return scores
    finally:
        engine.close()


def same_scores(left: dict[tuple[str, str, bool], float], right: dict[tuple[str, str, bool], float]
                ) -> None:
    assert left.keys() == right.keys()
    assert all(abs(left[key] - right[key]) < 1e-6 for key in left)


@pytest.fixture()
def index(articles_dir: Path, tmp_path: Path) -> Path:
    require_extra()
    target = tmp_path / "index"
    build(articles_dir, target)
    return target


def test_incremental_build_links_unchanged_shards_and_writes_only_the_change(
        articles_dir: Path, index: Path) -> None:
    first = folder(index)
    before, first_meta = inodes(first), read_json(first / "index.json")
    assert len(first_meta["shards"]) == 1
    edit(articles_dir, "VAT is shown on its own line of every invoice.")
    build(articles_dir, index)
    second = folder(index)
    after, meta = inodes(second), read_json(second / "index.json")
    old_shard = first_meta["shards"][0]["name"]
    for part in shards_module.PARTS:  # the same files, not copies: the old whole-file rewrite fails
        name = f"{old_shard}.{part}.npy"
        assert after[name] == before[name]
    assert after[MODEL_FILE] == before[MODEL_FILE]
    new = [s for s in meta["shards"] if s["name"] != old_shard]
    edited = meta["articles"]["billing/invoice-explained"]
    assert len(new) == 1 and edited["shard"] == new[0]["name"]
    assert new[0]["rows"] == edited["stop"] - edited["start"] == meta["new_rows"]
    assert set(after) - set(before) == {f"{new[0]['name']}.{part}.npy" for part in shards_module.PARTS}


def test_incremental_build_scores_like_a_full_build(articles_dir: Path, index: Path,
                                                    tmp_path: Path) -> None:
    edit(articles_dir, "VAT is shown on its own line of every invoice.")
    edit(articles_dir, "Restart the router first.", OTHER)
    build(articles_dir, index)
    (articles_dir / REMOVED).unlink()
    edit(articles_dir, "Credit notes are listed under Billing, then Documents.")
    build(articles_dir, index)
    assert len(read_json(folder(index) / "index.json")["shards"]) == 3  # 2nd shard partly deleted
    full = tmp_path / "full"
    build(articles_dir, full)
    assert len(read_json(folder(full) / "index.json")["shards"]) == 1
    incremental = dense(index)
    assert not any(slug == "technical/reset-password" for _, slug, _ in incremental)
    same_scores(incremental, dense(full))
    build(articles_dir, index, full=True)  # --full on the same index: one shard of the live rows
    meta = read_json(folder(index) / "index.json")
    assert len(meta["shards"]) == 1 and meta["shards"][0]["rows"] == meta["rows"]
    same_scores(dense(index), incremental)


def test_merge_compacts_shards_and_keeps_scores(articles_dir: Path, index: Path) -> None:
    for number, page in enumerate([EDITED, OTHER, Path("billing") / "price-rise.md"]):
        edit(articles_dir, f"Line {number} about invoices and their VAT.", page)
        build(articles_dir, index)
    served = folder(index)
    meta = read_json(served / "index.json")
    assert len(meta["shards"]) == 4
    scores, files = dense(index), {p.name: p.read_bytes() for p in served.iterdir()}
    holder = Engine(index, ON)
    holder.snapshot()  # holds the served version while the merge publishes another
    try:
        assert merge_index(index, force=True).version is not None
        merged = read_json(folder(index) / "index.json")
        assert len(merged["shards"]) == 1
        assert merged["shards"][0]["rows"] == merged["rows"]  # no deleted row left
        assert not compaction_due(folder(index))
        assert {p.name: p.read_bytes() for p in served.iterdir()} == files  # old one untouched
    finally:
        holder.close()
    same_scores(dense(index), scores)


def test_which_shards_a_compaction_rewrites() -> None:
    big, small = shards_module.Shard("big", 10_000), [shards_module.Shard(f"s{i}", 50) for i in range(8)]
    live = {s.name: s.rows for s in [big, *small]}
    assert to_rewrite([big, *small[:7]], live) == []  # seven small shards: not yet
    assert to_rewrite([big, *small], live) == small  # eight: merged together, the big one kept
    assert to_rewrite([big], {"big": 10_000 - 2_500}) == [big]  # a quarter of its rows deleted
    assert to_rewrite([big], {"big": 10_000 - 1_500}) == []
    assert to_rewrite([big, small[0]], {"big": 10_000}) == [small[0]]  # wholly deleted: dropped
    assert to_rewrite([big], {"big": 10_000}, force=True) == []  # nothing to gain
    assert to_rewrite([big, small[0]], live, force=True) == [big, small[0]]


def test_shards_piling_up_make_a_merge_due(articles_dir: Path, index: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shards_module, "SMALL_SHARDS", 3)
    served = version_dir(index, current_version(index) or "")
    assert not compaction_due(served / FOLDER) and not merge_due(served)
    edit(articles_dir, "One more line.")
    build(articles_dir, index)
    assert not compaction_due(folder(index))  # two shards
    edit(articles_dir, "Another line.", REMOVED)
    build(articles_dir, index)
    assert compaction_due(folder(index))  # three small shards
    assert merge_due(version_dir(index, current_version(index) or ""))
    merge_index(index)
    assert len(read_json(folder(index) / "index.json")["shards"]) == 1


def test_a_failed_build_leaves_the_served_vectors(articles_dir: Path, index: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    served = folder(index)
    files = {p.name: p.read_bytes() for p in served.iterdir()}

    def broken(path: Path, array: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(shards_module, "save", broken)
    edit(articles_dir, "A line that never gets published.")
    with pytest.raises(OSError, match="disk full"):
        build(articles_dir, index)
    assert folder(index) == served
    assert {p.name: p.read_bytes() for p in served.iterdir()} == files
    assert len(list((index / "versions").iterdir())) == 1


def test_a_version_written_before_shards_is_served_and_reused(articles_dir: Path, index: Path) -> None:
    """One vectors.npy, kinds.npy and text-hashes.npy, rows counted over the whole file."""
    served = folder(index)
    meta = read_json(served / "index.json")
    shard = shards_of(meta)[0]
    for part, name in shards_module.LEGACY_FILES.items():
        os.rename(shard.path(served, part), served / name)
    del meta["shards"]
    for entry in meta["articles"].values():
        del entry["shard"]
    (served / "index.json").unlink()
    write_json(served / "index.json", meta)
    assert shards_of(meta) == [shards_module.Shard("", meta["rows"])]
    vectors = gather(served, {"": shards_of(meta)[0]}, list(refs_of(meta).values()))[0]
    assert len(vectors) == meta["rows"]
    scores = dense(index)
    edit(articles_dir, "VAT is shown on its own line of every invoice.")
    build(articles_dir, index)
    second = read_json(folder(index) / "index.json")
    assert second["embedded"] == ["billing/invoice-explained"]
    assert (folder(index) / "vectors.npy").is_file() and len(second["shards"]) == 2
    changed = {key: v for key, v in dense(index).items() if key[1] != "billing/invoice-explained"}
    same_scores(changed, {key: v for key, v in scores.items() if key[1] != "billing/invoice-explained"})


@pytest.mark.slow
def test_incremental_semantic_build_ranks_like_a_full_build(tmp_path: Path) -> None:
    """The demo KB's golden and generated queries, hybrid ranking, top 10: an incremental build
    (an edit, a delete, a rename, a translation, routing; then one more edit) against a full
    build of the same files. The full build starts with the incremental index's embedding cache,
    which spares it the model, not any ranking step (the vectors are the same with or without)."""
    require_extra()
    demo = tmp_path / "articles"
    shutil.copytree(DEMO, demo)
    build(demo, tmp_path / "inc", full=True)
    edit_all(demo)
    build(demo, tmp_path / "inc")
    second = sorted(demo.rglob("*.md"))[20]
    second.write_text(second.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    build(demo, tmp_path / "inc")
    (tmp_path / "full").mkdir()
    shutil.copy(tmp_path / "inc" / FILE, tmp_path / "full" / FILE)
    build(demo, tmp_path / "full", full=True)
    texts = queries(demo)
    found = []
    for index in (tmp_path / "inc", tmp_path / "full"):
        engine = Engine(index, ON)
        try:
            assert engine.snapshot().semantic.on
            found.append({q: [(h.slug, h.score) for h in
                              engine.search(SearchRequest(q, viewer=AGENT)).results] for q in texts})
        finally:
            engine.close()
    incremental, full = found
    differ = [q for q in texts if not same_but_ties(incremental[q], full[q])]
    assert not differ, [(q, incremental[q][:4], full[q][:4]) for q in differ[:3]]


def test_a_damaged_shard_is_not_passed_on(articles_dir: Path, index: Path) -> None:
    """A truncated shard in the served version: the next build embeds afresh (from the cache)."""
    served = folder(index)
    shard = shards_of(read_json(served / "index.json"))[0]
    damaged = shard.path(served, "vectors")
    data = damaged.read_bytes()
    damaged.unlink()
    damaged.write_bytes(data[:len(data) // 2])
    edit(articles_dir, "VAT is shown on its own line of every invoice.")
    build(articles_dir, index)
    meta = read_json(folder(index) / "index.json")
    assert shard.name not in {s["name"] for s in meta["shards"]}
    assert dense(index)


def test_a_failed_compaction_leaves_the_served_version(articles_dir: Path, index: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    edit(articles_dir, "VAT is shown on its own line of every invoice.")
    build(articles_dir, index)
    name, served = current_version(index), folder(index)
    files = {p.name: p.read_bytes() for p in served.iterdir()}

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(shards_module, "write_shard", broken)
    with pytest.raises(OSError, match="disk full"):
        merge_index(index, force=True)
    assert current_version(index) == name
    assert {p.name: p.read_bytes() for p in served.iterdir()} == files
    assert [p.name for p in (index / "versions").iterdir()] == [name]
