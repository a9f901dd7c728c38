"""What the site, API and console tell the analytics store; never slows or breaks a request.

Views call these functions; the analytics package decides where events go. Until an analytics
store is configured the events are dropped.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app

from search import SearchResponse

log = logging.getLogger(__name__)
SOURCES = ("site", "instant", "api", "agent")


def init_app(app: Flask) -> None:
    app.extensions["supportkb.recorder"] = None


def _recorder() -> Any:
    return current_app.extensions.get("supportkb.recorder")


def track_search(response: SearchResponse, source: str, filters: dict[str, list[str]]) -> None:
    """One search with its result count, correction and timing."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.search(query=response.query, filters=filters, results=response.total,
                        source=source, corrected=response.did_you_mean, took_ms=response.took_ms)
    except Exception:  # noqa: BLE001  (analytics must never break search)
        log.warning("analytics: search event dropped", exc_info=True)


def track_click(query: str, slug: str, position: int, source: str) -> None:
    """A click on a result at ``position`` (1-based) for ``query``."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.click(query=query, slug=slug, position=position, source=source)
    except Exception:  # noqa: BLE001
        log.warning("analytics: click event dropped", exc_info=True)


def track_feedback(slug: str, helpful: bool, comment: str, source: str) -> None:
    """A helpful / not helpful vote with an optional comment."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.feedback(slug=slug, helpful=helpful, comment=comment, source=source)
    except Exception:  # noqa: BLE001
        log.warning("analytics: feedback event dropped", exc_info=True)


def track_used_on_call(slug: str, query: str, source: str) -> None:
    """An agent's answer resolved the customer's query."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.used_on_call(slug=slug, query=query, source=source)
    except Exception:  # noqa: BLE001
        log.warning("analytics: used-on-call event dropped", exc_info=True)
