"""One request sees one index version, even when a build is published in the middle of it."""
from __future__ import annotations

from pathlib import Path

from kb import load_knowledge_base
from search import Engine
from search.indexer import build_index


def test_a_pinned_request_keeps_its_version_across_a_publish(articles_dir: Path, index_dir: Path) -> None:
    engine = Engine(index_dir)
    try:
        token = engine.begin_request()
        first = engine.snapshot()
        (articles_dir / "billing" / "invoice-explained.md").write_text(
            (articles_dir / "billing" / "invoice-explained.md").read_text() + "\nNew line.\n")
        build_index(load_knowledge_base(articles_dir), index_dir)
        assert engine.snapshot() is first
        engine.end_request(token)
        assert engine.snapshot().name != first.name
    finally:
        engine.close()


def test_the_web_app_pins_per_request_and_releases(app, client) -> None:  # type: ignore[no-untyped-def]
    engine = app.extensions["supportkb.engine"]
    assert client.get("/health").status_code == 200
    assert engine.snapshot().name == client.get("/health").get_json()["index"]["version"]
