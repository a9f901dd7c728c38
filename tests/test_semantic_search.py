"""Hybrid search: fusion, exact matches, visibility through the dense path, fallback, /health."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import build_index
from search.semantic.dense import Settings
from search.semantic.embeddings import FOLDER
from search.semantic.model import MODEL_FILE
from search.store import current_version, read_json, version_dir, write_json
from search.viewer import AGENT, ANONYMOUS
from tests.conftest import make_app
from tests.semantic_support import require_extra

INTERNAL_WORDS = ("zanzibar", "quixotic", "goodwill")


@pytest.fixture()
def semantic_index(articles_dir: Path, tmp_path: Path) -> Path:
    require_extra()
    index = tmp_path / "semantic-index"
    build_index(load_knowledge_base(articles_dir), index, semantic=Settings("on"))
    return index


@pytest.fixture()
def engines(semantic_index: Path) -> Iterator[tuple[Engine, Engine]]:
    """(lexical, hybrid) engines on the same index."""
    lexical, hybrid = Engine(semantic_index, Settings("off")), Engine(semantic_index, Settings("on"))
    yield lexical, hybrid
    lexical.close()
    hybrid.close()


def search(engine: Engine, text: str, agent: bool = False, **options: Any) -> list[tuple[str, float]]:
    viewer = AGENT if agent else ANONYMOUS
    response = engine.search(SearchRequest(text, viewer=viewer, langs=["en"], **options))
    return [(hit.slug, hit.score) for hit in response.results]


def test_meaning_beats_missing_words(engines: tuple[Engine, Engine]) -> None:
    lexical, hybrid = engines
    assert hybrid.snapshot().semantic.on
    assert search(lexical, "internet keeps cutting out")[0][0] == "technical/wifi-dropping"
    response = hybrid.search(SearchRequest("my connection is unstable", langs=["en"], explain=True))
    top = response.results[0]
    assert top.slug == "technical/wifi-dropping"
    assert top.explain is not None
    parts = top.explain["score"]
    assert {"lexical", "lexical_normalized", "dense", "dense_normalized"} <= set(parts)
    assert parts["dense"] > 0.4 and parts["dense_normalized"] == 1.0


def test_no_good_answer_uses_both_scores(engines: tuple[Engine, Engine]) -> None:
    _, hybrid = engines
    assert not hybrid.search(SearchRequest("internet keeps cutting out", langs=["en"])).no_good_answer
    assert hybrid.search(SearchRequest("what is the capital of peru", langs=["en"])).no_good_answer
    assert hybrid.search(SearchRequest("ethernet", langs=["en"])).results == []  # weak dense: not added


def test_exact_titles_and_questions_rank_first_with_and_without_semantic(
        engines: tuple[Engine, Engine], articles_dir: Path) -> None:
    lexical, hybrid = engines
    kb = load_knowledge_base(articles_dir)
    checked = 0
    for article in kb.published:
        for text in [article.title, *article.questions]:
            for agent in (False, True):
                if article.is_internal and not agent:
                    continue
                request = SearchRequest(text, viewer=AGENT if agent else ANONYMOUS)
                plain, mixed = lexical.search(request).results[0], hybrid.search(request).results[0]
                assert (mixed.slug, mixed.exact) == (plain.slug, plain.exact) == (article.slug, True)
                checked += 1
    assert checked >= 15


def test_internal_text_never_reaches_anonymous_users(articles_dir: Path, tmp_path: Path) -> None:
    """Anonymous results do not change when every agent-only text changes, and never show it."""
    require_extra()
    changed = tmp_path / "changed"
    shutil.copytree(articles_dir, changed)
    for path in changed.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        for word in INTERNAL_WORDS:
            text = text.replace(word, "hamburger").replace(word.capitalize(), "Hamburger")
        path.write_text(text, encoding="utf-8")
    queries = ["Goodwill credit up to 25 pounds needs no approval. Codeword zanzibar.",
               "goodwill credit limits for agents", "secretword quixotic", "zanzibar", "refund money"]
    results = []
    for folder in (articles_dir, changed):
        index = tmp_path / f"index-{folder.name}"
        build_index(load_knowledge_base(folder), index, semantic=Settings("on"))
        engine = Engine(index, Settings("on"))
        assert engine.snapshot().semantic.on
        results.append([engine.search(SearchRequest(q, explain=True)).as_dict() for q in queries])
        if folder == articles_dir:  # agents do find the internal article
            agent_hits = [h.slug for h in engine.search(SearchRequest(queries[1], viewer=AGENT)).results]
            assert agent_hits[0] == "agents/goodwill-credits"
        engine.close()
    for before, after in zip(*results):
        assert [(h["slug"], h["score"]) for h in before["results"]] == \
               [(h["slug"], h["score"]) for h in after["results"]]
        for hit in before["results"]:
            assert hit["slug"] != "agents/goodwill-credits"
            assert not any(w in (hit["snippet"] + hit["answer"]).lower() for w in ("zanzibar", "quixotic"))


def test_filters_apply_to_dense_matches(engines: tuple[Engine, Engine]) -> None:
    _, hybrid = engines
    response = hybrid.search(SearchRequest("my connection is unstable", filters={"type": ["billing"]}))
    assert response.results and all(hit.type == "billing" for hit in response.results)
    spanish = hybrid.search(SearchRequest("my connection is unstable", filters={"lang": ["es"]}))
    assert all(hit.lang == "es" for hit in spanish.results)


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_damaged_model_falls_back_to_lexical(engines: tuple[Engine, Engine], semantic_index: Path,
                                            damage: str, caplog: pytest.LogCaptureFixture) -> None:
    """The model stored with the index is checked when a version loads, even when the same model
    is already running for another version."""
    lexical, hybrid = engines
    assert hybrid.snapshot().semantic.on
    model = version_dir(semantic_index, current_version(semantic_index) or "") / FOLDER / MODEL_FILE
    if damage == "garbage":
        model.write_bytes(b"\x00garbage" * 64)
    else:
        model.unlink()
    with caplog.at_level(logging.WARNING, logger="search.semantic"):
        broken = Engine(semantic_index, Settings("on"))
        state = broken.snapshot().semantic
    expected = "checksum mismatch" if damage == "garbage" else "model file missing"
    assert state.state == "unavailable" and expected in state.reason
    assert any("semantic search unavailable" in r.getMessage() for r in caplog.records)
    for text in ("refund money", "my connection is unstable", "wifi"):
        assert search(broken, text) == search(lexical, text)
    broken.close()


def test_embeddings_of_an_older_build_without_a_model_say_rebuild(semantic_index: Path) -> None:
    folder = version_dir(semantic_index, current_version(semantic_index) or "") / FOLDER
    meta = read_json(folder / "index.json")
    del meta["model_sha256"]
    write_json(folder / "index.json", meta)
    engine = Engine(semantic_index, Settings("on"))
    state = engine.snapshot().semantic
    assert state.state == "unavailable" and "rebuild the index" in state.reason
    engine.close()


def test_damaged_vectors_fall_back_to_lexical(engines: tuple[Engine, Engine], semantic_index: Path) -> None:
    lexical, _ = engines
    name = current_version(semantic_index)
    assert name is not None
    for vectors in (version_dir(semantic_index, name) / FOLDER).glob("*.vectors.npy"):
        vectors.unlink()  # not written into: the file may be shared with other versions
        vectors.write_bytes(b"broken")
    engine = Engine(semantic_index, Settings("on"))
    assert engine.snapshot().semantic.state == "unavailable"
    assert search(engine, "refund money") == search(lexical, "refund money")
    engine.close()


@pytest.mark.parametrize("broken", ["encode_query", "scores"])
def test_scoring_error_answers_lexically(engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture, broken: str) -> None:
    """Failing to embed the query, or failing to score."""
    lexical, hybrid = engines
    state = hybrid.snapshot().semantic

    def fail(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(state.index if broken == "scores" else state.encoder, broken, fail)
    with caplog.at_level(logging.ERROR, logger="search.semantic"):
        assert search(hybrid, "refund money") == search(lexical, "refund money")
    assert any("semantic scoring failed" in r.getMessage() for r in caplog.records)


def test_liveness_never_loads_the_model(semantic_index: Path, tmp_path: Path) -> None:
    app = make_app(semantic_index, tmp_path / "a", SEMANTIC="auto")
    client = app.test_client()
    assert client.get("/health").get_json()["semantic"]["state"] == "not loaded"
    assert app.extensions["supportkb.engine"].snapshot().loaded_semantic() is None
    assert client.get("/health/ready").get_json()["semantic"]["state"] == "on"
    assert client.get("/health").get_json()["semantic"]["state"] == "on"  # loaded by readiness


def test_readiness_reports_semantic_state(semantic_index: Path, tmp_path: Path) -> None:
    on = make_app(semantic_index, tmp_path / "a", SEMANTIC="auto").test_client().get("/health/ready")
    assert on.get_json()["semantic"]["state"] == "on"
    assert on.get_json()["index"]["version"] == current_version(semantic_index)
    off = make_app(semantic_index, tmp_path / "b", SEMANTIC="off").test_client().get("/health/ready")
    assert off.get_json()["semantic"] == {"state": "off", "reason": "SEMANTIC is off"}
    (version_dir(semantic_index, current_version(semantic_index) or "") / FOLDER / MODEL_FILE).unlink()
    broken = make_app(semantic_index, tmp_path / "c", SEMANTIC="on").test_client().get("/health/ready")
    assert broken.status_code == 200
    body = broken.get_json()["semantic"]
    assert body["state"] == "unavailable" and "missing" in body["reason"]


def test_lexical_index_with_semantic_on_says_why(index_dir: Path, articles_dir: Path,
                                                  tmp_path: Path) -> None:
    """Works with or without the extra: no embeddings in the index, search stays lexical."""
    index = tmp_path / "lexical"
    build_index(load_knowledge_base(articles_dir), index, semantic=Settings("off"))
    engine = Engine(index, Settings("on"))
    state = engine.snapshot().semantic
    assert state.state == "unavailable" and ("without embeddings" in state.reason
                                             or "not installed" in state.reason)
    assert search(engine, "refund")[0][0] == "billing/refund-policy"
    engine.close()


def test_invalid_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="SEMANTIC must be one of auto, on, off"):
        Settings.from_config({"SEMANTIC": "maybe"})


def test_shortlist_scores_lexical_candidates_and_keeps_the_order(engines: tuple[Engine, Engine],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts are scored only for a shortlist, but every lexical candidate gets its dense score."""
    from search.semantic import dense  # noqa: PLC0415
    _, hybrid = engines
    full = search(hybrid, "internet keeps cutting out router")
    monkeypatch.setattr(dense, "SHORTLIST", 1)
    hybrid.snapshot().semantic.encoder.queries.clear()  # no cached query vector
    response = hybrid.search(SearchRequest("internet keeps cutting out router", langs=["en"], explain=True))
    lexical_hits = [h for h in response.results if h.explain and h.explain["matched_terms"]]
    assert len(lexical_hits) >= 2
    assert all("dense" in h.explain["score"] for h in lexical_hits)
    assert [slug for slug, _ in full][:1] == [h.slug for h in response.results][:1]
