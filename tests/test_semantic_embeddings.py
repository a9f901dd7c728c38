"""Build-time embeddings: stored with the version, reused by content hash on rebuild."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb import load_knowledge_base
from search.indexer import build_index
from search.semantic.build import SemanticBuildError
from search.semantic.dense import Settings
from search.semantic.embeddings import FOLDER, PART_AGENT, PART_PUBLIC, WHOLE_AGENT, WHOLE_PUBLIC
from search.store import current_version, read_json, version_dir
from tests.semantic_support import require_extra

ON = Settings("on")


def semantic_dir(index: Path) -> Path:
    name = current_version(index)
    assert name is not None
    return version_dir(index, name) / FOLDER


def rows(index: Path) -> dict[str, object]:
    import numpy as np  # noqa: PLC0415
    folder = semantic_dir(index)
    meta = read_json(folder / "index.json")
    vectors, kinds = np.load(folder / "vectors.npy"), np.load(folder / "kinds.npy")
    return {slug: (vectors[e["start"]:e["stop"]], kinds[e["start"]:e["stop"]].tolist())
            for slug, e in meta["articles"].items()}


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
