"""Incremental builds: same answers as a full build, every kind of change picked up, segments shared
with the previous version and never changed, a crash mid-build or mid-merge changes nothing."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import build_index
from search.schema import TEXT_KINDS
from search.segments import SMALL_SEGMENTS
from search.semantic.dense import Settings
from search.store import current_version, hold_version, release_version, version_dir
from search.viewer import AGENT

DEMO = Path(__file__).resolve().parent.parent / "articles"


#: The lexical index is what incremental builds share and correct; embeddings are another stage
#: (search/semantic/), and leaving them out keeps these tests minutes shorter.
LEXICAL = Settings(mode="off")


def build(articles: Path, index: Path, full: bool = False) -> str:
    summary = build_index(load_knowledge_base(articles), index, full=full, semantic=LEXICAL)
    return summary.version


def files_of(folder: Path) -> dict[str, tuple[int, str]]:
    """Inode and content digest of every file of a version's Whoosh index."""
    return {p.name: (p.stat().st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted((folder / "whoosh").iterdir())}


def queries(articles: Path) -> list[str]:
    """The golden queries and a few hundred generated ones (titles, title words, body word pairs)."""
    kb = load_knowledge_base(articles)
    found = [g.query for g in kb.golden]
    for article in kb.articles:
        found.append(article.title)
        words = re.findall(r"[A-Za-z]{5,}", article.body)
        found += [" ".join(words[i:i + 2]) for i in range(0, min(len(words), 6), 3)]
    return list(dict.fromkeys(q for q in found if q.strip()))


def rankings(index: Path, texts: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Top 10 (slug, score) of each query, for an agent (who may find every article)."""
    engine = Engine(index)
    try:
        return {q: [(h.slug, h.score) for h in engine.search(SearchRequest(q, viewer=AGENT)).results]
                for q in texts}
    finally:
        engine.close()


def same_but_ties(one: list[tuple[str, float]], other: list[tuple[str, float]], limit: int = 10
                  ) -> bool:
    """The same scores in the same order, and the same articles at each score; only articles with
    exactly the same score may swap (and, at the cut-off score, be swapped for one another)."""
    if [score for _, score in one] != [score for _, score in other]:
        return False
    cut = one[-1][1] if len(one) == limit else None
    for score in {score for _, score in one}:
        if score != cut and {s for s, x in one if x == score} != {s for s, x in other if x == score}:
            return False
    return True


def edit(articles: Path) -> None:
    """One of each change: an edit, a delete, a rename, a new translation, routing."""
    files = sorted(p for p in articles.rglob("*.md") if "/es/" not in str(p))
    changed = files[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nZanzibarflux appears here now.\n",
                       encoding="utf-8")
    files[5].unlink()
    files[7].rename(files[7].with_name("moved-" + files[7].name))
    source = files[9].relative_to(articles).as_posix()[:-3]
    (articles / "es" / "nueva-traduccion.md").write_text(
        f"---\ntitle: Traduccion quetzalword\nlang: es\ntranslation_of: {source}\n"
        "type: general\n---\nTexto quetzalword.\n", encoding="utf-8")
    routing = articles / "_routing.yml"
    routing.write_text(routing.read_text(encoding="utf-8") + "\n", encoding="utf-8")


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    copy = tmp_path / "articles"
    shutil.copytree(DEMO, copy)
    return copy


def test_incremental_build_ranks_like_a_full_build(demo: Path, tmp_path: Path) -> None:
    build(demo, tmp_path / "inc", full=True)
    edit(demo)
    build(demo, tmp_path / "inc")
    second = sorted(demo.rglob("*.md"))[20]  # a second incremental build: deletions carried over
    second.write_text(second.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    build(demo, tmp_path / "inc")
    build(demo, tmp_path / "full", full=True)
    texts = queries(demo)
    assert len(texts) > 200
    incremental, full = rankings(tmp_path / "inc", texts), rankings(tmp_path / "full", texts)
    # Deleted documents still sit in the shared segment; their statistics are subtracted
    # (search/deletions.py), so every score is a full build's: only exact ties may swap.
    differ = [q for q in texts if not same_but_ties(incremental[q], full[q])]
    assert not differ, [(q, incremental[q], full[q]) for q in differ[:3]]
    assert sum(bool(full[q]) for q in texts) > len(texts) * 0.9


def test_deleted_text_is_analysed_as_it_was_indexed(demo: Path) -> None:
    from search.deletions import text_fields  # noqa: PLC0415
    from search.documents import to_document  # noqa: PLC0415
    for article in load_knowledge_base(demo).published:
        document = to_document(article)
        fields = text_fields(document["data"])
        assert set(fields) == {name for name in document if name.split("_")[0] in TEXT_KINDS}
        assert fields == {name: document[name] for name in fields}


def test_incremental_build_picks_up_every_kind_of_change(demo: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build(demo, index, full=True)
    before = sorted(p.relative_to(demo).as_posix()[:-3] for p in demo.rglob("*.md"))
    edit(demo)
    summary = build_index(load_knowledge_base(demo), index, semantic=LEXICAL)
    assert not summary.full and summary.removed == 2  # the deleted and the renamed-away slug
    after = {p.relative_to(demo).as_posix()[:-3] for p in demo.rglob("*.md")}
    engine = Engine(index)
    try:
        found = {q: [h.slug for h in engine.search(SearchRequest(q, viewer=AGENT)).results]
                 for q in ("zanzibarflux", "quetzalword")}
    finally:
        engine.close()
    assert found["zanzibarflux"] and found["quetzalword"] == ["es/nueva-traduccion"]
    served = load_meta(index)
    assert set(served["articles"]) <= after
    assert set(before) - after <= set(before) - set(served["articles"])
    assert any(slug.split("/")[-1].startswith("moved-") for slug in served["articles"])


def load_meta(index: Path) -> dict:
    import json  # noqa: PLC0415
    return json.loads((version_dir(index, current_version(index)) / "meta.json").read_text())


def test_incremental_build_shares_segments_and_never_changes_them(demo: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    old = build(demo, index, full=True)
    hold = hold_version(version_dir(index, old))  # a server still serving the old version
    try:
        before = files_of(version_dir(index, old))
        edit(demo)
        new = build(demo, index)
        assert files_of(version_dir(index, old)) == before  # not one byte of the old version moved
        shared = files_of(version_dir(index, new))
        inodes = {ino for ino, _ in before.values()}
        assert any(ino in inodes for ino, _ in shared.values())  # hard links, not copies
    finally:
        release_version(hold)
    third = build(demo, index)  # publishing again removes the old version, now unused
    assert not version_dir(index, old).exists() and not version_dir(index, new).exists()
    assert {name: digest for name, (_, digest) in files_of(version_dir(index, third)).items()
            if name in shared} == {name: digest for name, (_, digest) in shared.items()
                                   if name in files_of(version_dir(index, third))}
    assert rankings(index, ["zanzibarflux"])["zanzibarflux"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # Whoosh leaks a
def test_crash_mid_build_leaves_the_served_version(demo: Path, tmp_path: Path,  # file handle
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    served = build(demo, index, full=True)
    before = files_of(version_dir(index, served))
    edit(demo)
    import search.indexer as indexer  # noqa: PLC0415

    def broken(article):  # noqa: ANN001, ANN202
        raise OSError("disk full while writing the segment")
    monkeypatch.setattr(indexer, "to_document", broken)
    with pytest.raises(OSError):
        build(demo, index)
    assert current_version(index) == served
    assert files_of(version_dir(index, served)) == before
    assert sorted(p.name for p in (index / "versions").iterdir()) == [served]


def small_segments_built(demo: Path, index: Path, runs: int) -> str:
    """A full build, then ``runs`` one-article incremental builds; the last version."""
    build(demo, index, full=True)
    target = sorted(demo.rglob("*.md"))[0]
    for run in range(runs):
        target.write_text(target.read_text(encoding="utf-8") + f"\nEdit {run}.\n", encoding="utf-8")
        served = build(demo, index)
    return served


def segment_files(index: Path) -> list[str]:
    return [p.name for p in (version_dir(index, current_version(index)) / "whoosh").iterdir()
            if p.suffix == ".seg"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_crash_mid_merge_leaves_the_served_version(demo: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index"
    served = small_segments_built(demo, index, 2)
    before = files_of(version_dir(index, served))
    import search.merging as merging  # noqa: PLC0415
    real = merging.merge_policy

    def broken_merge(writer, found, *args):  # noqa: ANN001, ANN002, ANN202
        real(writer, found, *args)  # merge work has started...
        raise OSError("disk full while merging")
    monkeypatch.setattr(merging, "merge_policy", broken_merge)
    with pytest.raises(OSError):
        merging.merge_index(index, force=True)
    assert current_version(index) == served
    assert files_of(version_dir(index, served)) == before
    assert sorted(p.name for p in (index / "versions").iterdir()) == [served]


def test_builds_never_merge_and_a_merge_publishes_the_same_results(
        demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import commands.merge  # noqa: PLC0415
    from commands.build_check import _merge_if_due  # noqa: PLC0415
    from search.merging import merge_due, merge_index  # noqa: PLC0415
    started: list[Path] = []
    monkeypatch.setattr(commands.merge, "start_background", started.append)
    index = tmp_path / "index"
    first = small_segments_built(demo, index, 1)
    _merge_if_due(index, first)
    assert started == []  # one small segment: nothing to merge
    served = small_segments_built(demo, index, SMALL_SEGMENTS)
    assert len(segment_files(index)) == SMALL_SEGMENTS + 1  # no build merged anything
    assert merge_due(version_dir(index, served))
    _merge_if_due(index, served)
    assert started == [index]  # build.py starts the merge in the background and returns
    texts = queries(demo)[:40]
    before = rankings(index, texts)
    summary = merge_index(index)
    assert summary.version == current_version(index) and summary.segments_after < SMALL_SEGMENTS
    assert len(segment_files(index)) == summary.segments_after
    assert not version_dir(index, served).exists()  # unused: removed on publish
    after = rankings(index, texts)
    assert all(same_but_ties(after[q], before[q]) for q in texts)
    assert not merge_due(version_dir(index, summary.version))
    assert merge_index(index).version is None  # nothing left to do


def test_a_build_during_a_merge_wins_and_is_not_blocked(demo: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import search.merging as merging  # noqa: PLC0415
    index = tmp_path / "index"
    small_segments_built(demo, index, 1)
    real, built = merging._merge, []  # noqa: SLF001

    def merge_while_a_writer_saves(staging: Path, force: bool) -> None:
        real(staging, force)
        edit(demo)
        built.append(build(demo, index))  # takes the build lock: the merge does not hold it
    monkeypatch.setattr(merging, "_merge", merge_while_a_writer_saves)
    summary = merging.merge_index(index, force=True)
    assert summary.version is None and "published meanwhile" in summary.reason
    assert current_version(index) == built[0]
    assert sorted(p.name for p in (index / "versions").iterdir()) == built
    assert rankings(index, ["quetzalword"])["quetzalword"][0][0] == "es/nueva-traduccion"


def test_parse_cache_reparses_only_changed_files(demo: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import kb.loader as loader  # noqa: PLC0415
    from kb import validate  # noqa: PLC0415
    cache = tmp_path / "index"
    cache.mkdir()
    first = load_knowledge_base(demo, cache_dir=cache)
    problems = validate(first)
    parsed: list[str] = []
    real = loader.parse_file
    monkeypatch.setattr(loader, "parse_file", lambda path, shown: parsed.append(path) or real(path, shown))
    again = load_knowledge_base(demo, cache_dir=cache)
    assert parsed == [] and again.articles == first.articles
    assert validate(again) == problems  # cached links and blocks give the same problems
    edit(demo)
    changed = load_knowledge_base(demo, cache_dir=cache)
    assert len(parsed) == 3  # the edited, the renamed and the new file
    monkeypatch.setattr(loader, "parse_file", real)
    assert validate(changed) == validate(load_knowledge_base(demo))


def test_unchanged_files_are_not_even_read(demo: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import os  # noqa: PLC0415

    import kb.filecache as filecache  # noqa: PLC0415
    from kb import validate  # noqa: PLC0415
    monkeypatch.setattr(filecache, "RACY_NS", 0)  # the copy is seconds old: trust its stat now
    cache = tmp_path / "index"
    cache.mkdir()
    first = load_knowledge_base(demo, cache_dir=cache)
    validate(first)  # saves the cache
    assert len(first.cache.read) == len(list(demo.rglob("*.md")))
    again = load_knowledge_base(demo, cache_dir=cache)
    assert again.cache.read == set()
    assert [(a.slug, a.content_hash) for a in again.articles] == \
        [(a.slug, a.content_hash) for a in first.articles]
    edit(demo)
    # same size, same modification time: only the change time (and the bytes) tell
    same = sorted(demo.rglob("*.md"))[30]
    before = same.stat()
    text = same.read_text(encoding="utf-8")
    same.write_text(text[:-2] + ("x" if text[-2] != "x" else "y") + text[-1], encoding="utf-8")
    os.utime(same, ns=(before.st_atime_ns, before.st_mtime_ns))
    changed = load_knowledge_base(demo, cache_dir=cache)
    new = {p.relative_to(demo).as_posix() for p in demo.rglob("*.md")
           if "moved-" in p.name or p.name == "nueva-traduccion.md"}
    edited = {p.relative_to(demo).as_posix() for p in demo.rglob("*.md")
              if "Zanzibarflux" in p.read_text(encoding="utf-8")}
    assert changed.cache.read == new | edited | {same.relative_to(demo).as_posix()}
    assert changed.articles == load_knowledge_base(demo).articles
