"""The usage prior for search: use counts per article, read from analytics now and then.

Off unless the setting ``USAGE_PRIOR`` is true. Counts cover the last ``evidence.WINDOW_DAYS``
days, each agent counting at most ``analytics.usage.PER_AGENT_CAP`` times per article, and are
reloaded at most every ``REFRESH_SECONDS`` per worker; how far they may move a result is bounded
in ``search/usage.py``. A broken or missing store means no prior, never a failed search.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app

from analytics.usage import use_counts
from web.shared.evidence import REFRESH_SECONDS, read_recent, setting_on

_lock = threading.Lock()


def enabled() -> bool:
    return setting_on("USAGE_PRIOR")


def usage_prior() -> tuple[dict[str, float] | None, int]:
    """(use counts by slug or None when off, a stamp that changes when the counts do)."""
    if not enabled():
        return None, 0
    state: dict[str, Any] = current_app.extensions.setdefault("supportkb.usage_prior",
                                                              {"at": -1e18, "counts": {}, "stamp": 0})
    if time.monotonic() - state["at"] >= REFRESH_SECONDS and _lock.acquire(blocking=False):
        try:
            counts = _load()
            if counts != state["counts"]:  # cached search answers follow the counts
                state["counts"], state["stamp"] = counts, state["stamp"] + 1
        finally:
            state["at"] = time.monotonic()
            _lock.release()
    return state["counts"] or None, state["stamp"]


def _load() -> dict[str, float]:
    return read_recent("usage prior", use_counts, {})
