"""Where analytics events live: SQLite (default, one file) or PostgreSQL (shared by app servers).

Both backends sit behind :class:`Store`. A connection belongs to one thread (PostgreSQL: one per
writer thread), transactions are short, and SQLite runs in WAL mode with a busy timeout and retries
on ``database is locked`` so several gunicorn workers can write at once.
"""
from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence
from urllib.parse import urlsplit, urlunsplit

from analytics import schema

log = logging.getLogger(__name__)

COLUMNS: dict[str, tuple[str, ...]] = {
    "searches": ("ts", "day", "source", "query", "filters", "results", "corrected", "took_ms", "session",
                 "search_id", "client"),
    "clicks": ("ts", "day", "source", "query", "slug", "position", "session", "client"),
    "feedback": ("ts", "day", "source", "slug", "helpful", "comment", "client"),
    "calls": ("ts", "day", "source", "slug", "query"),
    "contacts": ("ts", "day", "source", "session"),
    "uses": ("ts", "day", "source", "slug", "query", "search_id", "ticket", "agent"),
}
#: Values of columns added by later migrations when an event leaves them out.
COLUMN_DEFAULTS = {"search_id": "", "ticket": "", "agent": "", "client": ""}
UPSERT_IMPRESSIONS = ("INSERT INTO impressions (day, slug, shown) VALUES (?, ?, ?) ON CONFLICT (day, slug) "
                      "DO UPDATE SET shown = impressions.shown + excluded.shown")
SQLITE_RETRIES = 8


class StoreError(RuntimeError):
    """The analytics store cannot be opened or used (bad URL, unreachable server)."""


@dataclass
class Event:
    """One row for ``table`` (a key of COLUMNS), or ``impressions`` with ``{day: {slug: count}}``."""

    table: str
    row: dict[str, Any] = field(default_factory=dict)


def resolve_url(url: str, instance_dir: str | Path) -> str:
    """The configured URL, or the default SQLite file ``<instance>/analytics.sqlite3``."""
    url = (url or "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_dir).resolve() / "analytics.sqlite3")
    return url


def redact(url: str) -> str:
    """The URL without its password, for logs and pages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class Store:
    """Common logic; subclasses provide connections, placeholders and retry rules."""

    dialect = ""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._connections: list[Any] = []
        self._lock = threading.Lock()

    # -- subclass hooks ------------------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[Any]:
        raise NotImplementedError

    def _lock_for_migration(self, cur: Any) -> None:
        """Make concurrent migrations from several workers wait for each other."""

    def _retrying(self, work: Callable[[Any], Any]) -> Any:
        with self._transaction(self._connection()) as cur:
            return work(cur)

    # -- public interface ----------------------------------------------------------------------
    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass

    def execute(self, cur: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return cur.execute(self._sql(sql), tuple(params))

    def version(self) -> int:
        """The schema version in the store (0 when empty)."""
        def read(cur: Any) -> int:
            if not self._has_version_table(cur):
                return 0
            row = self.execute(cur, f"SELECT MAX(version) FROM {schema.VERSION_TABLE}").fetchone()
            return int(row[0] or 0)
        return self._retrying(read)

    def migrate(self, target: int = schema.LATEST) -> int:
        """Apply the missing migrations up to ``target`` in one transaction; the new version."""
        def apply(cur: Any) -> int:
            self._lock_for_migration(cur)
            if not self._has_version_table(cur):
                self.execute(cur, f"CREATE TABLE {schema.VERSION_TABLE} (version INTEGER NOT NULL)")
            row = self.execute(cur, f"SELECT MAX(version) FROM {schema.VERSION_TABLE}").fetchone()
            current = int(row[0] or 0)
            for version in range(current + 1, target + 1):
                for statement in schema.statements(self.dialect, version):
                    self.execute(cur, statement)
                self.execute(cur, f"INSERT INTO {schema.VERSION_TABLE} (version) VALUES (?)", (version,))
                log.info("analytics: migrated %s to schema version %d", self.dialect, version)
            return max(current, target)
        return self._retrying(apply)

    def write(self, events: Sequence[Event]) -> int:
        """Insert a batch of events in one short transaction; the number of rows written."""
        grouped: dict[str, list[tuple[Any, ...]]] = {}
        impressions: Counter[tuple[str, str]] = Counter()
        for event in events:
            if event.table == "impressions":
                for day, slugs in event.row.items():
                    for slug, count in slugs.items():
                        impressions[(day, slug)] += count
            else:
                grouped.setdefault(event.table, []).append(
                    tuple(event.row.get(c, COLUMN_DEFAULTS.get(c)) for c in COLUMNS[event.table]))

        def insert(cur: Any) -> int:
            written = 0
            for table, rows in grouped.items():
                columns = COLUMNS[table]
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                cur.executemany(self._sql(sql), rows)
                written += len(rows)
            if impressions:  # sorted: two workers upserting the same keys never deadlock
                rows = [(day, slug, n) for (day, slug), n in sorted(impressions.items())]
                cur.executemany(self._sql(UPSERT_IMPRESSIONS), rows)
                written += len(rows)
            return written
        return self._retrying(insert)

    def purge(self, before_ts: float) -> int:
        """Delete every event older than ``before_ts`` (epoch seconds); the number of rows deleted."""
        day = time.strftime("%Y-%m-%d", time.gmtime(before_ts))

        def delete(cur: Any) -> int:
            deleted = 0
            for table, column in schema.EVENT_TABLES.items():
                bound = day if column == "day" else before_ts
                result = self.execute(cur, f"DELETE FROM {table} WHERE {column} < ?", (bound,))
                deleted += max(result.rowcount, 0)
            return deleted
        return self._retrying(delete)

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read query written with ``?`` placeholders."""
        return self._retrying(lambda cur: [tuple(row) for row in self.execute(cur, sql, params).fetchall()])

    def close(self) -> None:
        """Close every connection this store opened, in any thread."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except Exception:  # noqa: BLE001  (closing a broken connection)
                log.debug("analytics: close failed", exc_info=True)
        self._local = threading.local()

    def _has_version_table(self, cur: Any) -> bool:
        raise NotImplementedError


class SQLiteStore(Store):
    """One SQLite file in WAL mode; each thread has its own connection."""

    dialect = "sqlite"

    def __init__(self, url: str, path: Path) -> None:
        super().__init__(url)
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        for _ in range(SQLITE_RETRIES):
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc):
                    raise
                time.sleep(random.uniform(0.01, 0.1))
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
        cur = conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            conn.rollback()
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def _retrying(self, work: Callable[[Any], Any]) -> Any:
        for attempt in range(SQLITE_RETRIES):
            try:
                return super()._retrying(work)
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc) or attempt == SQLITE_RETRIES - 1:
                    raise
                log.debug("analytics: database is locked, retry %d", attempt + 1)
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")

    def _has_version_table(self, cur: Any) -> bool:
        row = cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                          (schema.VERSION_TABLE,)).fetchone()
        return row is not None


class PostgresStore(Store):
    """A PostgreSQL database shared by every app server; one connection per thread."""

    dialect = "postgresql"

    def _connect(self) -> Any:
        import psycopg  # noqa: PLC0415  (only needed for PostgreSQL deployments)
        try:
            return psycopg.connect(self.url, connect_timeout=5)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {redact(self.url)}: {type(exc).__name__}") from exc

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    @contextmanager
    def _transaction(self, conn: Any) -> Iterator[Any]:
        with conn.transaction(), conn.cursor() as cur:
            yield cur

    def _lock_for_migration(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(8112024)")

    def _retrying(self, work: Callable[[Any], Any]) -> Any:
        import psycopg  # noqa: PLC0415
        for attempt in range(2):
            try:
                return super()._retrying(work)
            except psycopg.OperationalError:
                self._drop_connection()  # a broken connection: reconnect once
                if attempt == 1:
                    raise
            except psycopg.errors.SerializationFailure:
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def _has_version_table(self, cur: Any) -> bool:
        cur.execute("SELECT to_regclass(%s)", (schema.VERSION_TABLE,))
        return cur.fetchone()[0] is not None


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def open_store(url: str, migrate: bool = True) -> Store:
    """A store for ``sqlite:///path`` or ``postgresql://...``; migrated to the latest schema."""
    scheme = url.split(":", 1)[0].lower()
    store: Store
    if scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise StoreError(f"expected sqlite:///relative/path or sqlite:////absolute/path, got {url!r}")
        store = SQLiteStore(url, Path(url[len("sqlite:///"):]))
    elif scheme in {"postgresql", "postgres"}:
        store = PostgresStore(url)
    else:
        raise StoreError(f"ANALYTICS_URL must start with sqlite:/// or postgresql://, got {redact(url)!r}")
    if migrate:
        store.migrate()
    return store
