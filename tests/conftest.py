"""Shared fixtures: a small knowledge base copied per test, built indexes, app and clients."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from kb import load_knowledge_base
from search import Engine
from search.indexer import build_index

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
DEMO_KB = Path(__file__).resolve().parent.parent / "articles"
AGENT_TOKEN = "test-agent-token-0123456789"
ADMIN_TOKEN = "test-admin-token-0123456789"


@pytest.fixture()
def articles_dir(tmp_path: Path) -> Path:
    """A writable copy of the small fixture knowledge base."""
    target = tmp_path / "articles"
    shutil.copytree(FIXTURE_KB, target)
    return target


@pytest.fixture()
def index_dir(articles_dir: Path, tmp_path: Path) -> Path:
    """The fixture knowledge base built into a fresh index folder."""
    target = tmp_path / "index"
    build_index(load_knowledge_base(articles_dir), target)
    return target


@pytest.fixture()
def engine(index_dir: Path) -> Iterator[Engine]:
    engine = Engine(index_dir)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo knowledge base in ``articles/``, built once per test session."""
    target = tmp_path_factory.mktemp("demo") / "index"
    build_index(load_knowledge_base(DEMO_KB), target)
    return target


def make_app(index_dir: Path, instance_dir: Path, **config: Any) -> Any:
    from web import create_app  # noqa: PLC0415
    settings = {"TESTING": True, "INDEX_DIR": str(index_dir), "INSTANCE_DIR": str(instance_dir),
                "AGENT_TOKENS": AGENT_TOKEN, "ADMIN_TOKENS": ADMIN_TOKEN,
                "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "SECRET_KEY": "test-secret"}
    settings.update(config)
    return create_app(settings)


def app_with_articles(base: Path, files: dict[str, str]) -> Any:
    """An app on a copy of the fixture knowledge base in ``base`` with ``files`` (path under the
    articles folder -> text) added, built into ``base / "index"``."""
    articles = base / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    for rel_path, text in files.items():
        (articles / rel_path).parent.mkdir(parents=True, exist_ok=True)
        (articles / rel_path).write_text(text, encoding="utf-8")
    build_index(load_knowledge_base(articles), base / "index")
    return make_app(base / "index", base / "instance", ARTICLES_DIR=str(articles))


@pytest.fixture()
def app(index_dir: Path, tmp_path: Path) -> Any:
    """App on the fixture index; CSRF and rate limits off (tests of those turn them on)."""
    return make_app(index_dir, tmp_path / "instance")


@pytest.fixture()
def client(app: Any) -> Any:
    return app.test_client()


class EventRecorder:
    """Stands in for the analytics store: keeps every event the views send."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda **kwargs: self.events.append((name, kwargs))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [data for name, data in self.events if name == kind]


def events_of(recorder: EventRecorder, name: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The ``name`` events, each reduced to ``keys`` (the tracker may add fields such as ``session``)."""
    return [{k: kw.get(k) for k in keys} for n, kw in recorder.events if n == name]


@pytest.fixture()
def recorder(app: Any) -> EventRecorder:
    """Analytics events of the ``app`` fixture, recorded in memory."""
    found = EventRecorder()
    app.extensions["supportkb.recorder"] = found
    return found


@pytest.fixture()
def agent_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {AGENT_TOKEN}"}


@pytest.fixture()
def demo_app(demo_index: Path, tmp_path: Path) -> Any:
    """App on the demo knowledge base."""
    return make_app(demo_index, tmp_path / "instance")
