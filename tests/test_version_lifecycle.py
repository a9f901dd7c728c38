"""Index version lifecycle: a request pins its version across swaps; the version is closed and its
files removed when it is neither current nor pinned; searchers are pooled and bounded.

Each test here fails if pinning (``Engine.snapshot`` inside a request) or reference counting
(``SnapshotHolder.acquire``/``release``) is taken out.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from kb import load_knowledge_base
from search import Engine, IndexUnavailable, SearchRequest
from search.indexer import build_index
from search.pool import PoolExhausted, SearcherPool
from search.store import current_version, version_dir
from tests.conftest import make_app

EDITED = Path("billing") / "invoice-explained.md"


def publish(articles_dir: Path, index_dir: Path, marker: str) -> str:
    """Edit one article and publish a new version; returns its name."""
    path = articles_dir / EDITED
    path.write_text(path.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    build_index(load_knowledge_base(articles_dir), index_dir)
    name = current_version(index_dir)
    assert name is not None
    return name


def versions_on_disk(index_dir: Path) -> set[str]:
    return {p.name for p in (index_dir / "versions").iterdir()}


def wait_until(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def in_another_request(engine: Engine, text: str) -> Any:
    """A search run as a separate request (a thread starts outside any request scope)."""
    answer: list[Any] = []
    thread = threading.Thread(target=lambda: answer.append(engine.search(SearchRequest(text))))
    thread.start()
    thread.join()
    return answer[0]


def test_a_held_request_keeps_its_version_across_two_swaps(articles_dir: Path, index_dir: Path) -> None:
    engine = Engine(index_dir)
    try:
        held = engine.begin_request()
        first = engine.search(SearchRequest("invoice")).version
        second = publish(articles_dir, index_dir, "lifecyclemarkone")
        assert in_another_request(engine, "invoice").version == second  # new requests see it
        third = publish(articles_dir, index_dir, "lifecyclemarktwo")
        assert in_another_request(engine, "lifecyclemarktwo").version == third

        # the held request still answers from its version, whose files are still there
        response = engine.search(SearchRequest("invoice"))
        assert response.version == first and response.results
        assert engine.search(SearchRequest("lifecyclemarkone")).total == 0
        assert first in versions_on_disk(index_dir)
        assert second not in versions_on_disk(index_dir)  # retired, pinned by nobody
        assert engine.stats()["pinned"] == 1 and engine.stats()["open_versions"] == 2

        engine.end_request(held)
        assert versions_on_disk(index_dir) == {third}
        assert engine.stats() | {"built_at": None} == {
            "version": third, "built_at": None, "swaps": 3, "open_versions": 1, "open_searchers": 2,  # shared + one idle in the pool
            "pinned": 0, "problem": None}
    finally:
        engine.close()


def test_a_threaded_server_keeps_a_held_request_on_its_version(articles_dir: Path, index_dir: Path,
                                                                  tmp_path: Path) -> None:
    """On a real threaded server: one request waits mid-way while two builds are published and
    other requests are answered from the new versions; it then answers from its own version, and
    that version's files go once it has ended."""
    import requests  # noqa: PLC0415

    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off")
    engine = app.extensions["supportkb.engine"]
    pinned, go = threading.Event(), threading.Event()

    @app.get("/test/held")
    def held() -> Any:
        before = engine.snapshot().name
        pinned.set()
        go.wait(30)
        return {"before": before, "after": engine.search(SearchRequest("invoice")).version}

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        answer: dict[str, Any] = {}
        waiter = threading.Thread(target=lambda: answer.update(requests.get(f"{url}/test/held", timeout=60).json()))
        waiter.start()
        assert pinned.wait(30)
        first = answer_version = current_version(index_dir)
        for marker in ("servermarkone", "servermarktwo"):
            answer_version = publish(articles_dir, index_dir, marker)
            search = requests.get(f"{url}/api/v1/search", params={"q": marker}, timeout=30).json()
            assert search["version"] == answer_version and search["total"] >= 1
        assert first in versions_on_disk(index_dir)
        go.set()
        waiter.join(60)
        assert answer == {"before": first, "after": first}
        assert wait_until(lambda: versions_on_disk(index_dir) == {answer_version})
        assert wait_until(lambda: engine.stats()["pinned"] == 0)
    finally:
        go.set()
        server.shutdown()
        thread.join(10)
        engine.close()


def test_a_failing_request_releases_its_pin(index_dir: Path, articles_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off")
    engine = app.extensions["supportkb.engine"]

    @app.get("/test/boom")
    def boom() -> Any:
        engine.search(SearchRequest("invoice"))
        raise RuntimeError("boom")

    client = app.test_client()
    first = current_version(index_dir)
    assert client.get("/test/boom").status_code == 500
    assert engine.stats()["pinned"] == 0
    publish(articles_dir, index_dir, "boommarker")
    assert client.get("/health").status_code == 200  # swaps; nobody pins the old version
    assert first not in versions_on_disk(index_dir)
    engine.close()


def test_searchers_follow_concurrent_requests_not_threads(articles_dir: Path, index_dir: Path) -> None:
    """Many short requests on many threads end with few open searchers, all on one version."""
    engine = Engine(index_dir)
    try:
        def work() -> None:
            for _ in range(5):
                engine.search(SearchRequest("refund"))

        threads = [threading.Thread(target=work) for _ in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stats = engine.stats()
        assert stats["pinned"] == 0
        assert stats["open_searchers"] <= 24 + 1  # pool holds at most one per concurrent request
        publish(articles_dir, index_dir, "poolmarker")
        engine.search(SearchRequest("refund"))
        assert engine.stats()["open_versions"] == 1
        assert engine.stats()["open_searchers"] <= 2  # the old version's pool was closed
    finally:
        engine.close()


def test_busy_searchers_answer_503_not_500(index_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off")

    def exhausted(self: SearcherPool) -> Any:
        raise PoolExhausted("all 32 searchers busy for 30 s")

    monkeypatch.setattr(SearcherPool, "borrow", exhausted)
    response = app.test_client().get("/api/v1/search?q=invoice")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "index_unavailable"
    page = app.test_client().get("/search?q=invoice")
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert app.extensions["supportkb.engine"].stats()["pinned"] == 0


def test_pool_is_bounded_and_waits() -> None:
    opened: list[object] = []

    class Fake:
        def close(self) -> None:
            opened.remove(self)

    def open_one() -> Fake:
        fake = Fake()
        opened.append(fake)
        return fake

    pool = SearcherPool(open_one, size=2, wait=0.05)
    a, b = pool.borrow(), pool.borrow()
    with pytest.raises(PoolExhausted):
        pool.borrow()
    pool.give_back(a)
    assert pool.borrow() is a
    pool.close()
    assert opened == [a, b]  # lent ones are closed when they come back
    pool.give_back(a)
    pool.give_back(b)
    assert opened == [] and pool.open_count == 0


def test_a_broken_version_is_reported_once_and_the_old_one_served(
        articles_dir: Path, index_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = Engine(index_dir)
    try:
        first = engine.search(SearchRequest("invoice")).version
        name = publish(articles_dir, index_dir, "brokenmarker")
        (version_dir(index_dir, name) / "meta.json").write_text("{", encoding="utf-8")
        with caplog.at_level("ERROR", logger="search.snapshot"):
            for _ in range(5):
                assert engine.search(SearchRequest("invoice")).version == first
        assert sum("cannot open index version" in r.getMessage() for r in caplog.records) == 1
        assert name in (engine.stats()["problem"] or "")
    finally:
        engine.close()


def test_no_index_is_unavailable(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "nothing")
    with pytest.raises(IndexUnavailable):
        engine.search(SearchRequest("invoice"))
