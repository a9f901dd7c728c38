"""A served index version and its in-memory helpers; swapped whole when a new build is published."""
from __future__ import annotations

import datetime as dt
import logging
import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from kb.routing import Routing
from search.expansion import SynonymTable
from search.facets import FacetColumns
from search.postings import PostingCache
from search.store import current_version, pointer_stamp, read_json, version_dir
from search.typos import Vocabulary, merge

log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """No index has been built yet, or it cannot be opened."""


class Snapshot:
    """One index version: Whoosh index, metadata, vocabularies. Read-only and thread-safe."""

    def __init__(self, path: Path, name: str, semantic: Any = None) -> None:
        self.name = name
        self.semantic_settings = semantic  # search.semantic.dense.Settings, None: defaults
        self.path = path
        self.ix = whoosh_index.open_dir(str(path / "whoosh"))
        self.meta: dict[str, Any] = read_json(path / "meta.json")
        vocab = read_json(path / "vocab.json")
        self.public_vocab = Vocabulary(vocab["public"])
        self._internal_counts: dict[str, int] = vocab["internal"]
        self.routing = Routing.from_json(self.meta["routing"])
        self.exact: dict[str, list[str]] = self.meta["exact"]
        self.review_by = {slug: dt.date.fromisoformat(d) for slug, d in self.meta["review_by"].items()}
        self._local = threading.local()
        self._synonyms: dict[str, SynonymTable] = {}
        self._searchers: list[Any] = []
        self._idf: dict[tuple[str, str], float] = {}
        self._filters: dict[str, np.ndarray] = {}
        self._phrases: dict[tuple[str, str], list[tuple[frozenset[str], float]]] = {}
        self._lock = threading.Lock()

    @cached_property
    def agent_vocab(self) -> Vocabulary:
        return merge(self.public_vocab, Vocabulary(self._internal_counts))

    def vocabulary(self, agent: bool) -> Vocabulary:
        return self.agent_vocab if agent else self.public_vocab

    def synonyms(self, lang: str) -> SynonymTable:
        table = self._synonyms.get(lang)
        if table is None:
            table = self._synonyms[lang] = SynonymTable(self.meta["synonyms"], lang)
        return table

    def searcher(self) -> Any:
        """This thread's long-lived searcher on this version."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self.ix.searcher()
            self._local.searcher = searcher
            with self._lock:
                self._searchers.append(searcher)
        return searcher

    @cached_property
    def slug_column(self) -> Any:
        return self.searcher().reader().column_reader("slug")

    @cached_property
    def facet_columns(self) -> FacetColumns:
        return FacetColumns(self.searcher().reader())

    @cached_property
    def postings(self) -> PostingCache:
        return PostingCache(self.searcher())

    def allowed(self, filter_query: Any) -> np.ndarray | None:
        """Documents passing a filter query, as a boolean array over document numbers (None: no
        filter); cached, since filters repeat."""
        if filter_query is None:
            return None
        key = repr(filter_query)
        mask = self._filters.get(key)
        if mask is None:
            mask = np.zeros(self.postings.doc_count, dtype=bool)
            mask[list(filter_query.docs(self.searcher()))] = True
            if len(self._filters) >= 512:
                self._filters.clear()
            self._filters[key] = mask
        return mask

    @cached_property
    def semantic(self) -> Any:
        """Semantic layer of this version (SemanticState), loaded on first use; never raises."""
        from search.semantic.dense import Settings, load_state  # noqa: PLC0415  (optional extra)
        searcher = self.searcher()
        return load_state(self.path, self.semantic_settings or Settings(),
                          lambda slug: searcher.document_number(slug=slug))

    def idf(self, searcher: Any, field: str, term: str) -> float:
        """Inverse document frequency of a term, cached for the life of this version."""
        key = (field, term)
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = searcher.idf(field, term)
        return value

    def phrases(self, slug: str, field: str) -> list[tuple[frozenset[str], float]]:
        """An article's title and questions as term sets with their summed IDF (cached)."""
        key = (slug, field)
        cached = self._phrases.get(key)
        if cached is None:
            searcher = self.searcher()
            cached = [(frozenset(words), sum(self.idf(searcher, field, w) for w in words))
                      for words in self.meta.get("phrases", {}).get(slug, [])]
            self._phrases[key] = cached
        return cached

    def is_stale(self, slug: str, today: dt.date | None = None) -> bool:
        review_by = self.review_by.get(slug)
        return review_by is not None and review_by < (today or dt.date.today())

    def close(self) -> None:
        with self._lock:
            for searcher in self._searchers:
                searcher.close()
            self._searchers.clear()
        self.ix.close()


class SnapshotHolder:
    """Opens the published version and swaps to a newer one on the next request after a build."""

    def __init__(self, index_dir: Path | str, semantic: Any = None) -> None:
        self.index_dir = Path(index_dir)
        self.semantic = semantic
        self._snapshot: Snapshot | None = None
        self._stamp: tuple[int, int] | None = None
        self._retired: list[Snapshot] = []
        self._lock = threading.Lock()

    def get(self) -> Snapshot:
        """The current snapshot; a request keeps the one it got, so it never sees two versions."""
        stamp = pointer_stamp(self.index_dir)
        snapshot = self._snapshot
        if snapshot is not None and stamp == self._stamp:
            return snapshot
        with self._lock:
            if self._snapshot is not None and stamp == self._stamp:
                return self._snapshot
            name = current_version(self.index_dir)
            if name is None:
                if self._snapshot is not None:
                    return self._snapshot
                raise IndexUnavailable(f"no index in {self.index_dir}: run 'python build.py'")
            if self._snapshot is None or self._snapshot.name != name:
                try:
                    fresh = Snapshot(version_dir(self.index_dir, name), name, self.semantic)
                except Exception as exc:  # noqa: BLE001  (keep serving the old version)
                    log.error("cannot open index version %s: %s", name, exc)
                    if self._snapshot is not None:
                        return self._snapshot
                    raise IndexUnavailable(f"cannot open index version {name}") from exc
                self._retire(self._snapshot)
                self._snapshot = fresh
                log.info("serving index version %s", name)
            self._stamp = stamp
            return self._snapshot

    def _retire(self, snapshot: Snapshot | None) -> None:
        """Close versions two swaps old; the previous one may still serve in-flight requests."""
        if snapshot is None:
            return
        self._retired.append(snapshot)
        while len(self._retired) > 1:
            self._retired.pop(0).close()

    def close(self) -> None:
        with self._lock:
            for snapshot in self._retired + ([self._snapshot] if self._snapshot else []):
                snapshot.close()
            self._retired.clear()
            self._snapshot = None
