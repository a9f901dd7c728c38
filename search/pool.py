"""A bounded pool of Whoosh searchers for one index version.

A request borrows one searcher for its whole life and gives it back at teardown, so the number
of open searchers (and of the file handles behind them) follows the number of concurrent
requests, not the number of threads a server ever started. The pool is closed with its version:
idle searchers at once, borrowed ones as they come back.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

#: Searchers open at once per index version (one per concurrent request).
MAX_SEARCHERS = 32
#: How long a request waits for a searcher when all are lent, before it fails (503).
WAIT_SECONDS = 30.0


class PoolExhausted(RuntimeError):
    """Every searcher of the version stayed lent for longer than the wait."""


class PoolClosed(RuntimeError):
    """The version was retired; nothing more may be borrowed from it."""


class SearcherPool:
    """Lends searchers opened by ``open_searcher``; at most ``size`` exist at once."""

    def __init__(self, open_searcher: Callable[[], Any], size: int = MAX_SEARCHERS,
                 wait: float = WAIT_SECONDS) -> None:
        self._open_searcher = open_searcher
        self.size = size
        self.wait = wait
        self._idle: list[Any] = []
        self._open = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def open_count(self) -> int:
        """Searchers open now, lent or idle."""
        return self._open

    def borrow(self) -> Any:
        deadline = time.monotonic() + self.wait
        with self._changed:
            while True:
                if self._closed:
                    raise PoolClosed("index version retired")
                if self._idle:
                    return self._idle.pop()
                if self._open < self.size:
                    self._open += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PoolExhausted(f"all {self.size} searchers busy for {self.wait:.0f} s")
                self._changed.wait(remaining)
        try:
            return self._open_searcher()
        except BaseException:
            with self._changed:
                self._open -= 1
                self._changed.notify()
            raise

    def give_back(self, searcher: Any) -> None:
        with self._changed:
            if not self._closed:
                self._idle.append(searcher)
                self._changed.notify()
                return
            self._open -= 1
        searcher.close()

    def close(self) -> None:
        """Close the idle searchers now; lent ones are closed when they are given back."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._changed.notify_all()
        for searcher in idle:
            searcher.close()
