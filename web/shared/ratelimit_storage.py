"""Rate-limit counters in the worker's memory, at most ``max_keys`` of them.

Flask-Limiter's ``memory://`` storage drops a counter only when its window ends, so traffic from
many addresses grows it for a whole window. ``bounded-memory://`` (the default) is the same
storage with a ceiling: at the ceiling, the counter that started first is dropped to make room
(that client starts a fresh window). Its bytes follow from the count, since keys are short: the
client part of a key is clipped to :data:`MAX_CLIENT_KEY` characters (web/extensions.py).
"""
from __future__ import annotations

import threading
from typing import Any

from limits.storage import MemoryStorage

#: Rate-limit counters kept per worker (one per client address and limit in the current window).
MAX_KEYS = 20_000
#: Longest client part of a counter key (an IPv6 address has at most 45 characters).
MAX_CLIENT_KEY = 64
#: Estimated bytes of one counter (key of about 150 characters, its count, expiry and lock).
KEY_BYTES = 600


class BoundedMemoryStorage(MemoryStorage):
    """``memory://`` with at most ``max_keys`` counters (URI scheme ``bounded-memory://``)."""

    STORAGE_SCHEME = ["bounded-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 max_keys: int = MAX_KEYS, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.max_keys = max(int(max_keys), 1)
        self._room_lock = threading.Lock()

    def __len__(self) -> int:
        """Counters held (fixed and sliding windows) plus moving-window event lists."""
        return len(self.expirations) + len(self.events)

    def _make_room(self, key: str) -> None:
        if key in self.expirations or key in self.events:
            return
        with self._room_lock:
            while len(self) >= self.max_keys:
                try:  # insertion order: the counter whose window started first
                    oldest = next(iter(self.expirations or self.events))
                except (StopIteration, RuntimeError):  # emptied or changed by the expiry timer
                    continue
                self.clear(oldest)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self._make_room(key)
        return super().incr(key, expiry, amount)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        self._make_room(key)
        return super().acquire_entry(key, limit, expiry, amount)
