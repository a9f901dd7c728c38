"""A small per-process cache of search answers, keyed by index version and audience.

The key starts with the snapshot name, so a new index version never serves old answers, and
with the audience, so agent results (internal articles) never reach an anonymous caller.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable

DEFAULT_SIZE = 512


class ResponseCache:
    """Thread-safe LRU of (version, audience, request key) -> cached value."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: str, audience: str, key: Hashable) -> Any:
        full = (version, audience, key)
        with self._lock:
            value = self._items.get(full)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(full)
            self.hits += 1
            return value

    def put(self, version: str, audience: str, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        full = (version, audience, key)
        with self._lock:
            self._items[full] = value
            self._items.move_to_end(full)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
