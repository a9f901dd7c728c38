"""Helpers for the analytics tests: stores on SQLite and (when reachable) PostgreSQL."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest

from analytics.schema import EVENT_TABLES, VERSION_TABLE
from analytics.store import Store

PG_ENV = "KB_TEST_POSTGRES_URL"
#: Fixture params for the same test on both backends: SQLite always, PostgreSQL when reachable.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_base_url() -> str:
    """The test server's URL, or a skip (a failure on CI, which always starts one)."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        message = (f"PostgreSQL tests skipped: set {PG_ENV}=postgresql://user:pass@127.0.0.1:5432/db "
                   "(.ci/run starts Debian's postgresql and sets it)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards (parallel workers never collide)."""
    import psycopg  # noqa: PLC0415
    base = postgres_base_url()
    name = "t_" + uuid.uuid4().hex[:12]
    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
    except psycopg.OperationalError as exc:
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {exc}")
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options={quote(f'-csearch_path={name}')}"
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def backend_url(backend: str, tmp_path: Path, file_name: str = "a.sqlite3") -> Iterator[str]:
    """A store URL on ``backend`` (one of ``BACKENDS``): a SQLite file in ``tmp_path``, or a fresh
    PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/{file_name}"
    else:
        yield from postgres_schema_url()


def all_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every analytics table."""
    tables = [*EVENT_TABLES, VERSION_TABLE]
    return {table: store.fetchall(f"SELECT * FROM {table}") for table in tables}


def counts(store: Store) -> dict[str, int]:
    return {table: store.fetchall(f"SELECT COUNT(*) FROM {table}")[0][0] for table in EVENT_TABLES}


class Clock:
    """A settable clock for recorders (events in the past, retention)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def write_events(url: str, worker: int, n: int) -> dict[str, int]:
    """One writer process: ``n`` searches and ``n`` clicks through its own recorder."""
    from analytics import Recorder  # noqa: PLC0415
    recorder = Recorder(url, batch_size=25, flush_interval=0.01)
    for i in range(n):
        query = f"query {worker} {i % 10}"
        recorder.search(query, {"type": ["billing"]}, i % 3, "site", None, 1.0, shown=["billing/refunds"])
        recorder.click(query, "billing/refunds", 1, "site")
    assert recorder.flush(60)
    recorder.close()
    return dict(recorder.stats)
