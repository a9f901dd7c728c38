"""How long events are kept: ``ANALYTICS_RETENTION_DAYS`` (0 keeps them forever)."""
from __future__ import annotations

import logging
import time

from analytics.store import Store

log = logging.getLogger(__name__)
DAY = 86400.0
#: A writer purges at most this often (seconds); the report command purges every time it runs.
PURGE_INTERVAL = 3600.0


def cutoff(days: int, now: float | None = None) -> float | None:
    """Epoch seconds before which events are deleted, or None when retention is off."""
    if days <= 0:
        return None
    return (time.time() if now is None else now) - days * DAY


def purge(store: Store, days: int, now: float | None = None) -> int:
    """Delete events older than ``days``; the number of rows deleted."""
    bound = cutoff(days, now)
    if bound is None:
        return 0
    deleted = store.purge(bound)
    if deleted:
        log.info("analytics: retention removed %d row(s) older than %d day(s)", deleted, days)
    return deleted


class RetentionPolicy:
    """Enforced by the writer thread after a batch, at most every ``interval`` seconds."""

    def __init__(self, days: int, interval: float = PURGE_INTERVAL) -> None:
        if days < 0:
            raise ValueError(f"ANALYTICS_RETENTION_DAYS must be 0 or more, got {days}")
        self.days = days
        self.interval = interval
        self._last: float | None = None

    def enforce(self, store: Store, now: float) -> int:
        """Purge when due; the number of rows deleted."""
        if self.days <= 0 or (self._last is not None and now - self._last < self.interval):
            return 0
        self._last = now
        return purge(store, self.days, now)
