"""Evidence for a ranking prior read from the analytics store: which setting turns it on, and a
read of the recent rows that never fails a search (web/shared/usage.py, web/shared/clicks.py)."""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, TypeVar

from flask import current_app

from analytics import open_store

log = logging.getLogger(__name__)
#: Seconds between two reads of the store by one worker.
REFRESH_SECONDS = 300
#: Days of evidence a prior reads.
WINDOW_DAYS = 90
T = TypeVar("T")


def setting_on(name: str) -> bool:
    """Whether the boolean setting ``name`` is on (``True`` or a true-looking string)."""
    value = current_app.config.get(name, False)
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def read_recent(what: str, read: Callable[[Any, float], T], empty: T) -> T:
    """``read(store, since)`` over the last :data:`WINDOW_DAYS` days of this app's analytics store;
    ``empty`` when analytics are off or the store fails (no prior rather than a failed search)."""
    recorder = current_app.extensions.get("supportkb.recorder")
    url = getattr(recorder, "url", None)
    if not url:
        return empty
    try:
        store = open_store(url)
    except Exception:  # noqa: BLE001
        log.warning("%s: analytics store unavailable", what, exc_info=True)
        return empty
    try:
        return read(store, time.time() - WINDOW_DAYS * 86400)
    except Exception:  # noqa: BLE001
        log.warning("%s: cannot read the analytics store", what, exc_info=True)
        return empty
    finally:
        store.close()
