"""A small per-process cache of search answers, keyed by index version and audience.

The key starts with the snapshot name, so a new index version never serves old answers, and
with the audience, so agent results (internal articles) never reach an anonymous caller.
Bounded in entries and in estimated bytes: every random query adds an entry.
"""
from __future__ import annotations

import threading
from typing import Any, Hashable

from search.caches import BoundedCache

#: Answers kept per worker (setting ``SEARCH_CACHE_SIZE``).
DEFAULT_SIZE = 512
#: Estimated bytes of those answers per worker (setting ``SEARCH_CACHE_BYTES``).
DEFAULT_BYTES = 4 * 2**20


class ResponseCache:
    """Thread-safe LRU of (version, audience, request key) -> cached value, with hit counts."""

    def __init__(self, size: int = DEFAULT_SIZE, max_bytes: int = DEFAULT_BYTES) -> None:
        self.size = size
        self._items = BoundedCache(max(size, 0), max(max_bytes, 0))
        self._lock = threading.Lock()  # for the counters
        self.hits = self.misses = 0

    def get(self, version: str, audience: str, key: Hashable) -> Any:
        value = self._items.get((version, audience, key))
        with self._lock:
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
        return value

    def put(self, version: str, audience: str, key: Hashable, value: Any) -> None:
        self._items.put((version, audience, key), value)

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        """Estimated bytes of the answers held now."""
        return self._items.bytes
