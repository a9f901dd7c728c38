"""Bounded, thread-safe LRU caches: every cache that visitors' input can grow is one of these.

A :class:`BoundedCache` is a ``cachetools.LRUCache`` sized in estimated bytes (key and value),
with a second bound on the number of entries and a lock (cachetools caches are not thread-safe).
Random queries, filters and typos then evict old entries instead of growing the process.
"""
from __future__ import annotations

import sys
import threading
from dataclasses import fields, is_dataclass
from typing import Any, Callable, Hashable, Iterator, TypeVar

from cachetools import LRUCache

T = TypeVar("T")

_MISSING = object()
#: Bytes added to every entry's estimate for the cache's own bookkeeping: cachetools' recency
#: list node and two dictionary slots, and the (value, size) pair (measured with tracemalloc).
ENTRY_OVERHEAD = 250
_ATOMS = (str, bytes, int, float, bool, complex, type(None))


def approx_size(obj: Any) -> int:
    """Estimated bytes held by ``obj`` and what it references: containers, dataclasses, plain
    objects and NumPy arrays (their data included). Each object is counted once."""
    seen: set[int] = set()
    total = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, _ATOMS):
            continue
        numpy = sys.modules.get("numpy")  # not imported: no array to count (build.py's startup)
        if numpy is not None and isinstance(item, numpy.ndarray):
            if item.base is not None:  # a view: getsizeof counts only the header
                total += item.nbytes
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif is_dataclass(item) and not hasattr(item, "__dict__"):
            stack.extend(getattr(item, f.name) for f in fields(item))
        elif hasattr(item, "__dict__"):
            stack.append(vars(item))
    return total


class BoundedCache:
    """Thread-safe LRU holding at most ``max_entries`` entries and ``max_bytes`` estimated bytes.

    ``sizeof(key, value)`` estimates one entry (default: :func:`approx_size` of both), to which
    :data:`ENTRY_OVERHEAD` is added. An entry larger than ``max_bytes`` on its own is not kept."""

    def __init__(self, max_entries: int, max_bytes: int,
                 sizeof: Callable[[Hashable, Any], int] | None = None) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise ValueError("cache bounds must not be negative")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._sizeof = sizeof or (lambda key, value: approx_size((key, value)))
        # Values are stored with their size, so cachetools counts key and value together.
        self._lru: LRUCache[Hashable, tuple[Any, int]] = LRUCache(max_bytes, getsizeof=_stored_size)
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The cached value (marked as recently used), or ``default``."""
        with self._lock:
            found = self._lru.get(key)
        return default if found is None else found[0]

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` under ``key``, evicting the least recently used entries to fit."""
        if self.max_entries == 0:
            return
        size = self._sizeof(key, value) + ENTRY_OVERHEAD
        with self._lock:
            if size > self.max_bytes:
                self._lru.pop(key, None)
                return
            self._lru[key] = (value, size)
            while len(self._lru) > self.max_entries:
                self._lru.popitem()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value, else ``compute()`` (run outside the lock) cached and returned."""
        found = self.get(key, _MISSING)
        if found is not _MISSING:
            return found
        value = compute()
        self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()

    def __len__(self) -> int:
        return len(self._lru)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._lru

    def keys(self) -> Iterator[Hashable]:
        with self._lock:
            return iter(list(self._lru.keys()))

    @property
    def bytes(self) -> int:
        """Estimated bytes of the entries held now."""
        return int(self._lru.currsize)

    def __repr__(self) -> str:
        return (f"BoundedCache({len(self)}/{self.max_entries} entries, "
                f"{self.bytes}/{self.max_bytes} bytes)")


def _stored_size(item: tuple[Any, int]) -> int:
    return item[1]
