"""Build-time embeddings: stored with the version, reused by content hash on rebuild."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb import load_knowledge_base
from search.indexer import build_index
from search.semantic.build import SemanticBuildError
from search.semantic.dense import Settings
from search.semantic.embeddings import FOLDER, PART_AGENT, PART_PUBLIC, WHOLE_AGENT, WHOLE_PUBLIC
from search.semantic import encoder as encoder_module
from search.semantic import quantize
from search.semantic.encoder import build_encoder, query_encoder
from search.semantic.model import MODEL_FILE, PACKAGED_SHA256
from search.semantic.shards import gather, refs_of, shards_of
from search.store import current_version, read_json, version_dir
from tests.semantic_support import require_extra

ON = Settings("on")


def semantic_dir(index: Path) -> Path:
    name = current_version(index)
    assert name is not None
    return version_dir(index, name) / FOLDER


def rows(index: Path) -> dict[str, object]:
    """Each article's (vectors, kinds), read from the version's shards."""
    folder = semantic_dir(index)
    meta = read_json(folder / "index.json")
    shards = {s.name: s for s in shards_of(meta)}
    out = {}
    for slug, ref in refs_of(meta).items():
        vectors, kinds, _ = gather(folder, shards, [ref])
        out[slug] = (vectors, kinds.tolist())
    return out


def test_one_article_change_re_embeds_one(articles_dir: Path, tmp_path: Path) -> None:
    require_extra()
    index = tmp_path / "index"
    build_index(load_knowledge_base(articles_dir), index, semantic=ON)
    first = read_json(semantic_dir(index) / "index.json")
    assert sorted(first["embedded"]) == sorted(first["articles"])  # English ones only
    assert "es/billing/refund-policy" not in first["articles"]
    before = rows(index)
    page = articles_dir / "billing" / "invoice-explained.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nVAT is shown on its own line.\n", encoding="utf-8")
    (articles_dir / "technical" / "reset-password.md").unlink()
    build_index(load_knowledge_base(articles_dir), index, semantic=ON)
    second = read_json(semantic_dir(index) / "index.json")
    assert second["embedded"] == ["billing/invoice-explained"]
    after = rows(index)
    assert "technical/reset-password" not in after
    for slug in set(after) - {"billing/invoice-explained"}:
        assert (after[slug][0] == before[slug][0]).all() and after[slug][1] == before[slug][1]
    assert len(after["billing/invoice-explained"][1]) == len(before["billing/invoice-explained"][1]) + 1


def test_rows_are_tagged_by_audience(articles_dir: Path, tmp_path: Path) -> None:
    require_extra()
    index = tmp_path / "index"
    build_index(load_knowledge_base(articles_dir), index, semantic=ON)
    kinds = {slug: set(k) for slug, (_, k) in rows(index).items()}
    assert kinds["agents/goodwill-credits"] <= {WHOLE_AGENT, PART_AGENT}  # internal article
    assert {WHOLE_PUBLIC, PART_PUBLIC, WHOLE_AGENT, PART_AGENT} <= kinds["billing/refund-policy"]
    assert kinds["technical/wifi-dropping"] == {WHOLE_PUBLIC, PART_PUBLIC}


def test_off_builds_no_embeddings(articles_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "off"
    build_index(load_knowledge_base(articles_dir), index, semantic=Settings("off"))
    assert not semantic_dir(index).exists()


def test_on_with_a_broken_model_fails_the_build_and_keeps_the_served_version(
        articles_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(load_knowledge_base(articles_dir), index, semantic=Settings("off"))
    served = current_version(index)
    with pytest.raises(SemanticBuildError, match="SEMANTIC is on"):
        build_index(load_knowledge_base(articles_dir), index,
                    semantic=Settings("on", str(tmp_path / "no-model")))
    assert current_version(index) == served


def test_the_version_carries_the_quantized_model_that_embeds_queries(articles_dir: Path,
                                                                     tmp_path: Path) -> None:
    """Serving embeds queries with the model stored beside the vectors: the same vectors as the
    build's for the same text, and no model package needed to serve."""
    require_extra()
    index = tmp_path / "index"
    build_index(load_knowledge_base(articles_dir), index, semantic=ON)
    folder = semantic_dir(index)
    meta = read_json(folder / "index.json")
    assert meta["source_sha256"] == PACKAGED_SHA256 and meta["quantized"] == quantize.RECIPE
    assert (folder / MODEL_FILE).stat().st_size < 30_000_000
    served = query_encoder(folder, meta)
    assert served.model_id == meta["model"] and "int8" in served.model_id
    text = "card delivery times"
    assert (served.encode_query(text) == build_encoder().encode([text])[0]).all()


def test_a_fresh_build_process_reuses_the_previous_versions_model(
        articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quantizing costs seconds: a build takes the stored model when its source is unchanged."""
    require_extra()
    index = tmp_path / "index"
    build_index(load_knowledge_base(articles_dir), index, semantic=ON)
    first = read_json(semantic_dir(index) / "index.json")
    monkeypatch.setattr(encoder_module, "_build_encoders", {})  # as in a new process

    def must_not_run(model: bytes) -> bytes:
        raise AssertionError("quantized again")

    monkeypatch.setattr(quantize, "quantize", must_not_run)
    page = articles_dir / "billing" / "invoice-explained.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nVAT is shown on its own line.\n", encoding="utf-8")
    build_index(load_knowledge_base(articles_dir), index, semantic=ON)
    second = read_json(semantic_dir(index) / "index.json")
    assert second["model_sha256"] == first["model_sha256"]
    assert second["embedded"] == ["billing/invoice-explained"]
