"""The click prior for search: click evidence from analytics, read now and then.

Off unless the setting ``CLICK_PRIOR`` is true. Evidence covers the last ``WINDOW_DAYS`` days,
position-debiased, decayed and capped per client (``analytics.clicks``), and is reloaded at most
every ``REFRESH_SECONDS`` per worker; how far it may move a result is bounded in
``search/clicks.py``. A broken or missing store means no prior, never a failed search.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import current_app

from analytics import open_store
from analytics.clicks import click_votes
from search.clicks import ClickPrior

log = logging.getLogger(__name__)
REFRESH_SECONDS = 300
WINDOW_DAYS = 90
_lock = threading.Lock()


def enabled() -> bool:
    value = current_app.config.get("CLICK_PRIOR", False)
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def click_prior() -> tuple[ClickPrior | None, int]:
    """(the click evidence or None when off or empty, a stamp that changes when it does)."""
    if not enabled():
        return None, 0
    state: dict[str, Any] = current_app.extensions.setdefault(
        "supportkb.click_prior", {"at": -1e18, "votes": None, "prior": None, "stamp": 0})
    if time.monotonic() - state["at"] >= REFRESH_SECONDS and _lock.acquire(blocking=False):
        try:
            votes = _load()
            rounded = sorted((c, q, s, round(w, 3)) for c, q, s, w in votes)
            if rounded != state["votes"]:  # cached search answers follow the evidence
                state["votes"], state["stamp"] = rounded, state["stamp"] + 1
                prior = ClickPrior(votes)
                state["prior"] = prior if prior else None
        finally:
            state["at"] = time.monotonic()
            _lock.release()
    return state["prior"], state["stamp"]


def _load() -> list[tuple[str, str, str, float]]:
    recorder = current_app.extensions.get("supportkb.recorder")
    url = getattr(recorder, "url", None)
    if not url:
        return []
    try:
        store = open_store(url)
    except Exception:  # noqa: BLE001  (no prior rather than a failed search)
        log.warning("click prior: analytics store unavailable", exc_info=True)
        return []
    try:
        return click_votes(store, time.time() - WINDOW_DAYS * 86400)
    except Exception:  # noqa: BLE001
        log.warning("click prior: cannot read clicks", exc_info=True)
        return []
    finally:
        store.close()
