"""The usage prior for search: use counts per article, read from analytics now and then.

Off unless the setting ``USAGE_PRIOR`` is true. Counts cover the last ``WINDOW_DAYS`` days, each
agent counting at most ``analytics.usage.PER_AGENT_CAP`` times per article, and are reloaded at
most every ``REFRESH_SECONDS`` per worker; how far they may move a result is bounded in
``search/usage.py``. A broken or missing store means no prior, never a failed search.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import current_app

from analytics import open_store
from analytics.usage import use_counts

log = logging.getLogger(__name__)
REFRESH_SECONDS = 300
WINDOW_DAYS = 90
_lock = threading.Lock()


def enabled() -> bool:
    value = current_app.config.get("USAGE_PRIOR", False)
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


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
    recorder = current_app.extensions.get("supportkb.recorder")
    url = getattr(recorder, "url", None)
    if not url:
        return {}
    try:
        store = open_store(url)
    except Exception:  # noqa: BLE001  (no prior rather than a failed search)
        log.warning("usage prior: analytics store unavailable", exc_info=True)
        return {}
    try:
        return use_counts(store, time.time() - WINDOW_DAYS * 86400)
    except Exception:  # noqa: BLE001
        log.warning("usage prior: cannot read use counts", exc_info=True)
        return {}
    finally:
        store.close()
