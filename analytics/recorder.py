"""The object the web app calls for each event: cleans it, queues it, and returns at once.

A background thread per process writes queued events in batches. A full queue or a broken store
logs and drops events; nothing here ever raises into a request. Call :meth:`Recorder.flush` to
wait until everything queued so far is written (tests, shutdown).
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
import weakref
from typing import Any, Callable, Iterable

from analytics import privacy
from analytics.retention import RetentionPolicy
from analytics.store import Event, Store, open_store, redact

log = logging.getLogger(__name__)
_LIVE: "weakref.WeakSet[Recorder]" = weakref.WeakSet()


class _Flush:
    """A marker in the queue: set once every event queued before it has been handled."""

    def __init__(self) -> None:
        self.done = threading.Event()


class Recorder:
    """Queue events for one analytics store (``sqlite:///...`` or ``postgresql://...``)."""

    def __init__(self, url: str, retention_days: int = 90, *, batch_size: int = 500,
                 flush_interval: float = 0.5, max_queue: int = 10_000, idle_timeout: float = 10.0,
                 clock: Callable[[], float] = time.time,
                 store_factory: Callable[[str], Store] = open_store) -> None:
        self.url = url
        self.retention = RetentionPolicy(retention_days)
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_queue = max_queue
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._store_factory = store_factory
        self._store: Store | None = None
        self._retry_open_at = 0.0
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._queue: queue.Queue[Any] = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None
        self._closed = False
        self.stats = {"queued": 0, "written": 0, "dropped": 0, "failed_batches": 0}
        _LIVE.add(self)

    # -- events --------------------------------------------------------------------------------
    def search(self, query: str, filters: Any, results: int, source: str, corrected: str | None = None,
               took_ms: float = 0.0, *, session: str | None = None, shown: Iterable[str] = (),
               search_id: str | None = None, client: str | None = None) -> None:
        """One search; ``shown`` are the slugs on the result page (for "never found"); ``search_id``
        links it to the article an agent then used (``used``); ``client`` is a keyed daily hash."""
        now = self.clock()
        row = {"query": privacy.normalize_query(query), "filters": privacy.normalize_filters(filters),
               "results": max(int(results or 0), 0), "source": privacy.normalize_source(source),
               "corrected": privacy.normalize_query(corrected or ""), "took_ms": round(float(took_ms or 0), 2),
               "session": privacy.normalize_session(session), "search_id": privacy.normalize_token(search_id),
               "client": privacy.normalize_token(client)}
        self._put(Event("searches", _stamp(row, now)))
        slugs = {privacy.normalize_slug(slug) for slug in shown if slug}
        if slugs:
            self._put(Event("impressions", {_day(now): {slug: 1 for slug in slugs}}))

    def click(self, query: str, slug: str, position: int, source: str, *, session: str | None = None,
              client: str | None = None) -> None:
        """A click on the result at ``position`` (1-based) for ``query``."""
        row = {"query": privacy.normalize_query(query), "slug": privacy.normalize_slug(slug),
               "position": max(int(position or 0), 0), "source": privacy.normalize_source(source),
               "session": privacy.normalize_session(session), "client": privacy.normalize_token(client)}
        self._put(Event("clicks", _stamp(row, self.clock())))

    def feedback(self, slug: str, helpful: bool, comment: str = "", source: str = "site", *,
                 client: str | None = None) -> None:
        """A helpful / not helpful vote with an optional comment (personal data masked)."""
        row = {"slug": privacy.normalize_slug(slug), "helpful": 1 if helpful else 0,
               "comment": privacy.normalize_comment(comment or ""), "source": privacy.normalize_source(source),
               "client": privacy.normalize_token(client)}
        self._put(Event("feedback", _stamp(row, self.clock())))

    def used_on_call(self, slug: str, query: str = "", source: str = "agent") -> None:
        """An agent marked the article as the answer that resolved a call."""
        row = {"slug": privacy.normalize_slug(slug), "query": privacy.normalize_query(query or ""),
               "source": privacy.normalize_source(source)}
        self._put(Event("calls", _stamp(row, self.clock())))

    def contact(self, session: str | None, source: str = "deflect") -> None:
        """A contact form was sent in the search session ``session`` (ignored without one)."""
        session = privacy.normalize_session(session)
        if session is None:
            return
        row = {"session": session, "source": privacy.normalize_source(source)}
        self._put(Event("contacts", _stamp(row, self.clock())))

    def used(self, slug: str, *, query: str = "", search_id: str | None = None, ticket: str | None = None,
             agent: str | None = None, source: str = "agent") -> None:
        """An agent used the article for a customer; ``ticket`` and ``agent`` are keyed hashes."""
        row = {"slug": privacy.normalize_slug(slug), "query": privacy.normalize_query(query or ""),
               "search_id": privacy.normalize_token(search_id), "ticket": privacy.normalize_token(ticket),
               "agent": privacy.normalize_token(agent), "source": privacy.normalize_source(source)}
        self._put(Event("uses", _stamp(row, self.clock())))

    # -- queue and writer ----------------------------------------------------------------------
    def _put(self, item: Any) -> None:
        if self._closed:
            return
        if self._pid != os.getpid():
            self._after_fork()
        try:
            self._queue.put_nowait(item)
            self.stats["queued"] += 1
        except queue.Full:
            self._dropped(1, "queue full")
            return
        thread = self._thread
        if thread is None or not thread.is_alive():
            self._start()

    def _dropped(self, count: int, why: str) -> None:
        before = self.stats["dropped"]
        self.stats["dropped"] += count
        if before == 0 or before // 1000 != self.stats["dropped"] // 1000:
            log.warning("analytics: %d event(s) dropped so far (%s)", self.stats["dropped"], why)

    def _after_fork(self) -> None:
        """In a forked worker (gunicorn --preload): a new queue, writer and connections."""
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.Queue(self.max_queue)
                self._store = None  # never reuse the parent's connections
                self._thread = None
                self._pid = os.getpid()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="analytics-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        pending: list[Event] = []
        markers: list[_Flush] = []
        while True:
            try:
                item = self._queue.get(timeout=self.flush_interval if pending else self.idle_timeout)
            except queue.Empty:
                item = None
                if not pending and self._idle_exit():
                    return
            if item is _STOP:
                self._write(pending)
                return
            if isinstance(item, _Flush):
                markers.append(item)
            elif item is not None:
                pending.append(item)
            if item is None or markers or len(pending) >= self.batch_size:
                self._write(pending)
                pending = []
                for marker in markers:
                    marker.done.set()
                markers = []

    def _idle_exit(self) -> bool:
        """Stop an idle writer and close its connections; the next event starts a new one."""
        with self._lock:
            if not self._queue.empty():
                return False
            self._thread = None
            if self._store is not None:
                self._store.close()
            return True

    def _open(self) -> Store | None:
        if self._store is not None:
            return self._store
        if time.monotonic() < self._retry_open_at:
            return None
        try:
            self._store = self._store_factory(self.url)
        except Exception:  # noqa: BLE001  (a broken store never breaks the app)
            log.warning("analytics: cannot open %s; events are dropped for 30 s", redact(self.url),
                        exc_info=True)
            self._retry_open_at = time.monotonic() + 30
        return self._store

    def _write(self, events: list[Event]) -> None:
        if not events:
            return
        store = self._open()
        if store is None:
            self._dropped(len(events), "store unavailable")
            return
        try:
            store.write(events)
            self.stats["written"] += len(events)
            self.retention.enforce(store, self.clock())
        except Exception:  # noqa: BLE001
            self.stats["failed_batches"] += 1
            log.warning("analytics: batch of %d event(s) dropped", len(events), exc_info=True)
            self._dropped(len(events), "write failed")

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every event queued so far is written (or dropped); False on timeout."""
        if self._closed:
            return True
        marker = _Flush()
        try:
            self._queue.put(marker, timeout=timeout)
        except queue.Full:
            return False
        thread = self._thread
        if thread is None or not thread.is_alive():
            self._start()
        return marker.done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the writer; later events are ignored."""
        if self._closed:
            return
        self._closed = True
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            try:
                self._queue.put(_STOP, timeout=timeout)
                thread.join(timeout)
            except queue.Full:
                log.warning("analytics: queue still full at shutdown; events dropped")
        if self._store is not None:
            self._store.close()
            self._store = None


_STOP = object()


def _day(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def _stamp(row: dict[str, Any], now: float) -> dict[str, Any]:
    row["ts"] = now
    row["day"] = _day(now)
    return row


@atexit.register
def _close_all() -> None:  # a worker that exits cleanly writes what it has queued
    for recorder in list(_LIVE):
        try:
            recorder.close(timeout=2.0)
        except Exception:  # noqa: BLE001
            log.debug("analytics: close at exit failed", exc_info=True)
