"""Threaded servers hand retired versions' memory back: arenas are capped at app start and every
retired version is followed by a trim (``bench/soak.py`` measures the effect on real servers)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb import load_knowledge_base
from search import Engine, SearchRequest, memory
from search.indexer import build_index
from tests.conftest import make_app


def test_the_app_caps_malloc_arenas(index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "limit_arenas", calls.append)
    make_app(index_dir, tmp_path / "a", ANALYTICS_URL="off")
    make_app(index_dir, tmp_path / "b", ANALYTICS_URL="off", MALLOC_ARENAS=0)  # glibc's default
    assert calls == [2]


def test_a_retired_version_is_trimmed(articles_dir: Path, index_dir: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[bool] = []
    monkeypatch.setattr(memory, "trim", lambda: trims.append(True) or True)
    engine = Engine(index_dir)
    try:
        engine.search(SearchRequest("invoice"))
        assert trims == []
        build_index(load_knowledge_base(articles_dir), index_dir, full=True)
        engine.search(SearchRequest("invoice"))
        assert trims == [True]
    finally:
        engine.close()


def test_glibc_calls_work_here() -> None:
    if memory._glibc() is None:
        pytest.skip("not glibc: both calls are no-ops")
    assert memory.limit_arenas(2) is True
    assert memory.trim() in (True, False)  # False: nothing was free to return
