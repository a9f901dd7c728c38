"""A served index version and its in-memory helpers; swapped whole when a new build is published.

Every opened thing has an owner that closes it: a :class:`Snapshot` owns its Whoosh index, its
searcher pool and its hold on the version's folder; the :class:`SnapshotHolder` counts the
requests that pin each snapshot and closes a retired one when the last of them ends, then
removes its files unless another process still holds them (``search/store.py``).
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import numpy as np

from kb.routing import Routing
from search import memory
from search.analysis import FIELD_LANGUAGES
from search.caches import BoundedCache
from search.deletions import open_index
from search.expansion import SynonymTable
from search.facets import FacetColumns
from search.postings import PostingCache
from search.pool import PoolClosed, PoolExhausted, SearcherPool
from search.scope import current_scope
from search.store import (VersionGone, current_version, hold_version, pointer_stamp, read_json,
                          release_version, remove_if_unused, version_dir)
from search.typos import Vocabulary, merge

log = logging.getLogger(__name__)


def _idf(searcher: Any, field: str, term: str) -> float:
    """Whoosh's idf (``WeightingModel.idf``) over the live documents."""
    return math.log(searcher.doc_count() / (searcher.doc_frequency(field, term) + 1)) + 1


class IndexUnavailable(RuntimeError):
    """No index has been built yet, it cannot be opened, or every searcher stayed busy."""


#: Open a fresh Snapshot this many times when its version is removed under us (a newer one is out).
OPEN_ATTEMPTS = 3
#: Term IDFs remembered per index version (query words: random ones included).
IDF_CACHE_ENTRIES = 4_096
#: Estimated bytes of those IDFs (about 500 bytes each).
IDF_CACHE_BYTES = 2 * 2**20
#: Filter masks remembered per index version (one byte per document each).
FILTER_CACHE_ENTRIES = 512
#: Estimated bytes of those masks (at 20,000 documents, 4 MB is about 200 masks).
FILTER_CACHE_BYTES = 4 * 2**20
#: Articles' title and question term sets remembered per index version.
PHRASE_CACHE_ENTRIES = 8_192
#: Estimated bytes of those term sets.
PHRASE_CACHE_BYTES = 4 * 2**20
#: Synonym tables remembered per index version: one per field language.
SYNONYM_CACHE_ENTRIES = len(FIELD_LANGUAGES)
#: Estimated bytes of those synonym tables.
SYNONYM_CACHE_BYTES = 8 * 2**20


class Snapshot:
    """One index version: Whoosh index, metadata, vocabularies. Read-only and thread-safe."""

    def __init__(self, path: Path, name: str, semantic: Any = None) -> None:
        self.name = name
        self.semantic_settings = semantic  # search.semantic.dense.Settings, None: defaults
        self.path = path
        self.refs = 0  # requests pinning this version (changed by the SnapshotHolder only)
        self._hold = hold_version(path)  # VersionGone: removed before we could hold it
        try:
            self._open(path)
        except BaseException:
            release_version(self._hold)
            raise

    def _open(self, path: Path) -> None:
        self.ix = open_index(path)  # deleted documents left out of its statistics
        self.pool = SearcherPool(self.ix.searcher)
        self._shared = self.ix.searcher()  # read by the per-version caches below, under their locks
        self.meta: dict[str, Any] = read_json(path / "meta.json")
        vocab = read_json(path / "vocab.json")
        self.public_vocab = Vocabulary(vocab["public"])
        self._internal_counts: dict[str, int] = vocab["internal"]
        self.routing = Routing.from_json(self.meta["routing"])
        self.exact: dict[str, list[str]] = self.meta["exact"]
        self.review_by = {slug: dt.date.fromisoformat(d) for slug, d in self.meta["review_by"].items()}
        self.stale_translations = frozenset(self.meta.get("stale_translations", ()))
        self._local = threading.local()  # searchers of callers outside a request (scripts)
        self._unscoped: list[Any] = []
        self._synonyms = BoundedCache(SYNONYM_CACHE_ENTRIES, SYNONYM_CACHE_BYTES)
        self._idf = BoundedCache(IDF_CACHE_ENTRIES, IDF_CACHE_BYTES)
        self._filters = BoundedCache(FILTER_CACHE_ENTRIES, FILTER_CACHE_BYTES)
        self._phrases = BoundedCache(PHRASE_CACHE_ENTRIES, PHRASE_CACHE_BYTES)
        self._once: dict[str, Any] = {}  # per-version values named by code, not by requests
        self._once_lock = threading.Lock()
        self._lock = threading.Lock()

    @cached_property
    def agent_vocab(self) -> Vocabulary:
        return merge(self.public_vocab, Vocabulary(self._internal_counts))

    def synonyms(self, lang: str) -> SynonymTable:
        return self._synonyms.get_or_compute(lang, lambda: SynonymTable(self.meta["synonyms"], lang))

    def once(self, name: str, make: Callable[[], Any]) -> Any:
        """A value computed once for this version (the first caller computes, others wait)."""
        value = self._once.get(name)
        if value is None:
            with self._once_lock:
                value = self._once.get(name)
                if value is None:
                    value = self._once[name] = make()
        return value

    def searcher(self) -> Any:
        """The searcher the current request borrowed from this version's pool (borrowed on first
        use, given back when the request ends); outside a request, one per thread for scripts."""
        scope = current_scope()
        if scope is None:
            return self._unscoped_searcher()
        lease = scope.searchers.get(id(self))
        if lease is None:
            try:
                lease = scope.searchers[id(self)] = (self, self.pool.borrow())
            except (PoolExhausted, PoolClosed) as exc:
                raise IndexUnavailable(f"index version {self.name}: {exc}") from exc
        return lease[1]

    def give_back(self, searcher: Any) -> None:
        self.pool.give_back(searcher)

    def _unscoped_searcher(self) -> Any:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._local.searcher = self.ix.searcher()
            with self._lock:
                self._unscoped.append(searcher)
        return searcher

    @property
    def open_searchers(self) -> int:
        return self.pool.open_count + len(self._unscoped) + 1  # + the shared one

    @cached_property
    def slug_column(self) -> Any:
        return self._shared.reader().column_reader("slug")

    def slug_rank(self) -> np.ndarray:
        """Each document's rank by slug (computed once per version): breaks score ties the same
        way whatever the document numbers, which differ between incremental and full builds."""
        def compute() -> np.ndarray:
            slugs = list(self.slug_column)
            rank = np.empty(len(slugs), dtype=np.int64)
            rank[sorted(range(len(slugs)), key=slugs.__getitem__)] = np.arange(len(slugs))
            return rank
        return self.once("slug_rank", compute)

    @cached_property
    def facet_columns(self) -> FacetColumns:
        return FacetColumns(self._shared.reader())

    @cached_property
    def postings(self) -> PostingCache:
        return PostingCache(self._shared)

    def allowed(self, filter_query: Any) -> np.ndarray | None:
        """Documents passing a filter query, as a boolean array over document numbers (None: no
        filter); cached, since filters repeat."""
        if filter_query is None:
            return None
        def compute() -> np.ndarray:
            mask = np.zeros(self.postings.doc_count, dtype=bool)
            mask[list(filter_query.docs(self.searcher()))] = True
            return mask
        return self._filters.get_or_compute(repr(filter_query), compute)

    @cached_property
    def semantic(self) -> Any:
        """Semantic layer of this version (SemanticState), loaded on first use; never raises."""
        from search.semantic.dense import Settings, load_state  # noqa: PLC0415  (optional extra)
        with self._lock:  # the shared searcher is not for concurrent use
            return load_state(self.path, self.semantic_settings or Settings(),
                              lambda slug: self._shared.document_number(slug=slug))

    def loaded_semantic(self) -> Any:
        """The semantic layer if a request has loaded it already, else None (never loads it)."""
        return self.__dict__.get("semantic")

    def idf(self, searcher: Any, field: str, term: str) -> float:
        """Inverse document frequency of a term (cached). Computed by the searcher's weighting, as
        ``searcher.idf`` does, without filling that searcher's own cache, which has no bound; over
        the live documents (Whoosh's own counts deleted ones: search/deletions.py)."""
        return self._idf.get_or_compute((field, term), lambda: _idf(searcher, field, term))

    def phrases(self, slug: str, field: str) -> list[tuple[frozenset[str], float]]:
        """An article's title and questions as term sets with their summed IDF (cached)."""
        def compute() -> list[tuple[frozenset[str], float]]:
            searcher = self.searcher()
            return [(frozenset(words), sum(self.idf(searcher, field, w) for w in words))
                    for words in self.meta.get("phrases", {}).get(slug, [])]
        return self._phrases.get_or_compute((slug, field), compute)

    def is_stale(self, slug: str, today: dt.date | None = None) -> bool:
        review_by = self.review_by.get(slug)
        return review_by is not None and review_by < (today or dt.date.today())

    def is_stale_translation(self, slug: str) -> bool:
        """A translation whose source changed after it was translated (kb/translations.py)."""
        return slug in self.stale_translations

    def close(self) -> None:
        """Close everything opened on this version and let go of its folder."""
        self.pool.close()
        with self._lock:
            unscoped, self._unscoped = self._unscoped, []
        for searcher in unscoped:
            searcher.close()
        self._shared.close()
        self.ix.close()
        self._once.clear()
        for cached in ("semantic", "postings", "facet_columns", "slug_column", "agent_vocab"):
            self.__dict__.pop(cached, None)  # memory maps of vectors go with their arrays
        release_version(self._hold)


class SnapshotHolder:
    """Serves the published version; opens a newer one on the first request after a build and
    closes the old one when the last request pinning it ends."""

    def __init__(self, index_dir: Path | str, semantic: Any = None) -> None:
        self.index_dir = Path(index_dir)
        self.semantic = semantic
        self.swaps = 0  # versions swapped in since start
        self.problem: str | None = None  # why the published version could not be opened
        self._current: Snapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._broken_stamp: tuple[int, int] | None = None
        self._retiring: set[Snapshot] = set()  # replaced, still pinned by requests
        self._lock = threading.Lock()

    def get(self) -> Snapshot:
        """The current snapshot, not pinned (scripts and tests; requests use :meth:`acquire`)."""
        return self._refresh(pin=False)

    def acquire(self) -> Snapshot:
        """The current snapshot, pinned until :meth:`release`: it stays open and on disk."""
        return self._refresh(pin=True)

    def release(self, snapshot: Snapshot) -> None:
        with self._lock:
            snapshot.refs -= 1
            if snapshot.refs > 0 or snapshot is self._current:
                return
            self._retiring.discard(snapshot)
        self._dispose(snapshot)

    def _refresh(self, pin: bool) -> Snapshot:
        stamp = pointer_stamp(self.index_dir)
        retired: Snapshot | None = None
        with self._lock:
            if self._current is None or stamp != self._stamp:
                retired = self._open_published(stamp)
            snapshot = self._current
            assert snapshot is not None
            if pin:
                snapshot.refs += 1
        if retired is not None:
            self._dispose(retired)
        return snapshot

    def _open_published(self, stamp: tuple[int, int] | None) -> Snapshot | None:
        """Swap to the published version (under the lock); returns a replaced snapshot that no
        request pins, for the caller to dispose of. Keeps serving the old one when the new one is
        broken, and reports a broken version once, not on every request."""
        if stamp is not None and stamp == self._broken_stamp:
            return self._keep_current(stamp)
        for _attempt in range(OPEN_ATTEMPTS):
            name = current_version(self.index_dir)
            if name is None:
                return self._keep_current(stamp, f"no index in {self.index_dir}: run 'python build.py'")
            if self._current is not None and self._current.name == name:
                self._stamp = stamp
                return None
            try:
                fresh = Snapshot(version_dir(self.index_dir, name), name, self.semantic)
            except VersionGone:
                stamp = pointer_stamp(self.index_dir)  # removed under us: a newer one was published
                continue
            except Exception as exc:  # noqa: BLE001  (keep serving the old version)
                log.error("cannot open index version %s: %s", name, exc)
                self._broken_stamp, self.problem = stamp, f"cannot open index version {name}: {exc}"
                return self._keep_current(stamp)
            old, self._current, self._stamp = self._current, fresh, stamp
            self.swaps += 1
            self.problem = self._broken_stamp = None
            log.info("serving index version %s", name)
            if old is None or old.refs > 0:
                if old is not None:
                    self._retiring.add(old)
                return None
            return old
        return self._keep_current(stamp, "index versions changed too fast to open one", settle=False)

    def _keep_current(self, stamp: tuple[int, int] | None, problem: str | None = None,
                      settle: bool = True) -> None:
        """Go on serving the open version (none open: IndexUnavailable); ``settle``: do not look
        at this pointer again until it changes."""
        if self._current is None:
            if problem:
                self.problem = problem
            raise IndexUnavailable(self.problem or "no index")
        if settle:
            self._stamp = stamp
        return None

    def _dispose(self, snapshot: Snapshot) -> None:
        snapshot.close()
        remove_if_unused(self.index_dir, snapshot.name)
        memory.trim()  # what the version's caches and arrays held goes back to the OS

    def stats(self) -> dict[str, Any]:
        """Counts for /metrics and /health/ready."""
        with self._lock:
            open_versions = ([self._current] if self._current else []) + list(self._retiring)
            current = self._current
            return {"version": current.name if current else None,
                    "built_at": current.meta.get("built_at") if current else None,
                    "swaps": self.swaps, "open_versions": len(open_versions),
                    "open_searchers": sum(s.open_searchers for s in open_versions),
                    "pinned": sum(s.refs for s in open_versions), "problem": self.problem}

    def close(self) -> None:
        with self._lock:
            snapshots = list(self._retiring) + ([self._current] if self._current else [])
            self._retiring.clear()
            self._current = None
            self._stamp = None
        for snapshot in snapshots:
            snapshot.close()
