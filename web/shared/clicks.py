"""The click prior for search: click evidence from analytics, read now and then.

Off unless the setting ``CLICK_PRIOR`` is true. Evidence covers the last ``evidence.WINDOW_DAYS``
days, position-debiased, decayed and capped per client (``analytics.clicks``), and is reloaded at
most every ``REFRESH_SECONDS`` per worker; how far it may move a result is bounded in
``search/clicks.py``. A broken or missing store means no prior, never a failed search.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app

from analytics.clicks import click_votes
from search.clicks import ClickPrior
from web.shared.evidence import REFRESH_SECONDS, read_recent, setting_on

_lock = threading.Lock()


def enabled() -> bool:
    return setting_on("CLICK_PRIOR")


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
    return read_recent("click prior", click_votes, [])
