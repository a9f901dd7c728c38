"""The store on SQLite and PostgreSQL: migrations, writes, retention, concurrent writer processes."""
from __future__ import annotations

import multiprocessing
import os
import sqlite3
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from analytics_support import BACKENDS, Clock, backend_url, counts, write_events

from analytics import Recorder, open_store, resolve_url
from analytics.retention import RetentionPolicy, purge
from analytics.schema import LATEST, VERSION_TABLE
from analytics.store import Event, StoreError

DAY = 86400.0


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same tests on both backends: SQLite always, PostgreSQL when a server is reachable."""
    yield from backend_url(request.param, tmp_path, "analytics.sqlite3")


def test_default_url_is_a_file_in_the_instance_folder(tmp_path: Path) -> None:
    assert resolve_url("", tmp_path / "inst") == f"sqlite:///{(tmp_path / 'inst').resolve()}/analytics.sqlite3"
    assert resolve_url(" postgresql://h/db ", tmp_path) == "postgresql://h/db"


def test_bad_urls_are_refused() -> None:
    with pytest.raises(StoreError, match="must start with sqlite:/// or postgresql://"):
        open_store("mysql://root:secret@db/x")
    with pytest.raises(StoreError, match="sqlite:///relative/path"):
        open_store("sqlite://")


def test_created_on_first_use_and_migrated(url: str) -> None:
    store = open_store(url)
    try:
        assert store.version() == LATEST
        assert store.migrate() == LATEST  # idempotent
        assert store.fetchall(f"SELECT version FROM {VERSION_TABLE} ORDER BY version") == \
            [(v,) for v in range(1, LATEST + 1)]
    finally:
        store.close()


def test_an_old_schema_is_migrated_and_keeps_its_rows(url: str) -> None:
    store = open_store(url, migrate=False)
    try:
        assert store.version() == 0
        assert store.migrate(target=1) == 1
        store.write([Event("calls", {"ts": 1.0, "day": "1970-01-01", "source": "agent", "slug": "a", "query": "q"})])
        assert store.migrate() == LATEST
        assert store.version() == LATEST
        assert store.fetchall("SELECT slug, query FROM calls") == [("a", "q")]
    finally:
        store.close()


def test_impressions_add_up(url: str) -> None:
    store = open_store(url)
    try:
        store.write([Event("impressions", {"2025-01-01": {"a": 1, "b": 1}}),
                     Event("impressions", {"2025-01-01": {"a": 1}})])
        store.write([Event("impressions", {"2025-01-01": {"a": 3}})])
        assert sorted(store.fetchall("SELECT slug, shown FROM impressions")) == [("a", 5), ("b", 1)]
    finally:
        store.close()


def test_retention_deletes_old_events_only(url: str) -> None:
    now = time.time()
    clock = Clock(now - 100 * DAY)
    recorder = Recorder(url, retention_days=0, clock=clock)
    recorder.search("old query", {}, 0, "site", shown=["a/old"])
    recorder.feedback("a/old", False, "old comment", "site")
    recorder.contact("oldvisit01")
    recorder.used("a/old", query="old query", agent="agent-hash")
    assert recorder.flush()
    clock.now = now
    recorder.search("new query", {}, 1, "site", shown=["a/new"])
    recorder.click("new query", "a/new", 1, "site")
    assert recorder.flush()
    recorder.close()
    store = open_store(url)
    try:
        assert counts(store) == {"searches": 2, "clicks": 1, "feedback": 1, "calls": 0, "uses": 1,
                                 "impressions": 2, "contacts": 1}
        assert purge(store, 0, now) == 0  # 0 keeps everything
        assert purge(store, 90, now) == 5  # search, feedback, contact, use and impression
        assert store.fetchall("SELECT query FROM searches") == [("new query",)]
        assert store.fetchall("SELECT slug FROM impressions") == [("a/new",)]
        assert counts(store)["feedback"] == 0 and counts(store)["contacts"] == 0 and counts(store)["uses"] == 0
    finally:
        store.close()


def test_the_writer_enforces_retention_after_a_batch(url: str) -> None:
    now = time.time()
    clock = Clock(now - 40 * DAY)
    old = Recorder(url, retention_days=0, clock=clock)
    old.used_on_call("a/x", "old call", "agent")
    assert old.flush()
    old.close()
    recorder = Recorder(url, retention_days=30)
    recorder.used_on_call("a/x", "new call", "agent")
    assert recorder.flush()
    recorder.close()
    store = open_store(url)
    try:
        assert store.fetchall("SELECT query FROM calls") == [("new call",)]
    finally:
        store.close()


def test_retention_policy_runs_at_most_once_per_interval(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/a.sqlite3")
    policy = RetentionPolicy(7, interval=3600)
    store.write([Event("calls", {"ts": 0.0, "day": "1970-01-01", "source": "agent", "slug": "a", "query": ""})])
    assert policy.enforce(store, 10 * DAY) == 1
    store.write([Event("calls", {"ts": 0.0, "day": "1970-01-01", "source": "agent", "slug": "a", "query": ""})])
    assert policy.enforce(store, 10 * DAY + 60) == 0
    assert policy.enforce(store, 10 * DAY + 3600) == 1
    with pytest.raises(ValueError, match="0 or more"):
        RetentionPolicy(-1)
    store.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path}/a.sqlite3").close()
    with sqlite3.connect(tmp_path / "a.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_concurrent_writer_processes_lose_nothing(url: str) -> None:
    workers, n = 4, 300
    open_store(url).close()  # the schema exists before the race (workers also migrate safely)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        stats = pool.starmap(write_events, [(url, w, n) for w in range(workers)])
    assert [s["dropped"] for s in stats] == [0] * workers
    assert [s["written"] for s in stats] == [3 * n] * workers  # search + impression + click
    store = open_store(url)
    try:
        assert counts(store)["searches"] == workers * n
        assert counts(store)["clicks"] == workers * n
        assert store.fetchall("SELECT SUM(shown) FROM impressions")[0][0] == workers * n
        per_worker = store.fetchall("SELECT SUBSTR(query, 1, 7), COUNT(*) FROM searches GROUP BY 1 ORDER BY 1")
        assert per_worker == [(f"query {w}", n) for w in range(workers)]
    finally:
        store.close()


def test_concurrent_first_use_migrates_once(url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        pool.starmap(write_events, [(url, w, 5) for w in range(3)])
    store = open_store(url)
    try:
        assert store.fetchall(f"SELECT COUNT(*) FROM {VERSION_TABLE}")[0][0] == LATEST
        assert counts(store)["searches"] == 15
    finally:
        store.close()


def _child_records(recorder: Recorder, conn: Any) -> None:
    recorder.search("from the child", {}, 1, "site")
    conn.send(recorder.flush(20))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (gunicorn --preload)")
def test_a_forked_worker_starts_its_own_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    recorder = Recorder(url)
    recorder.search("from the parent", {}, 1, "site")
    assert recorder.flush()
    ctx = multiprocessing.get_context("fork")
    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=_child_records, args=(recorder, child_end))
    child.start()
    assert parent_end.poll(30) and parent_end.recv() is True
    child.join(10)
    recorder.close()
    store = open_store(url)
    assert sorted(store.fetchall("SELECT query FROM searches")) == [("from the child",), ("from the parent",)]
    store.close()
