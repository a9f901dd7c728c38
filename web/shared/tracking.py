"""What the site, API and console tell the analytics store; never slows or breaks a request.

Views call these functions; :mod:`analytics` decides where events go (``ANALYTICS_URL``). Events
are queued and written by a background thread, so a search only pays for cleaning the query.
``ANALYTICS_URL = "off"`` disables recording.

Search sessions: pages may send a random id per browser tab in the ``X-Search-Session`` header
(or pass ``session=``); it links a search that found nothing to the rephrased search that got a
click, for synonym proposals. It identifies no one and is never combined with anything else.

Client: searches, clicks and votes carry :func:`client_key`, a keyed hash (``SECRET_KEY``) of the
UTC day and the agent's token name or else the client address. It is what caps a flood from one
client in the click prior and counts distinct searchers for proposals; the address itself is never
stored, and because the day is part of the hash, one client's events link nothing across days.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any

from flask import Flask, current_app, has_request_context, request

from analytics import Recorder, resolve_url
from search import SearchResponse
from web.shared.auth import viewer
from web.shared.metrics import count_search

log = logging.getLogger(__name__)
SOURCES = ("site", "instant", "api", "agent", "deflect")
SESSION_HEADER = "X-Search-Session"
DISABLED = {"off", "none", "disabled"}


def init_app(app: Flask) -> None:
    """Create the recorder from ``ANALYTICS_URL`` / ``ANALYTICS_RETENTION_DAYS``."""
    url = str(app.config.get("ANALYTICS_URL") or "").strip()
    if url.lower() in DISABLED:
        app.extensions["supportkb.recorder"] = None
        return
    url = resolve_url(url, app.config["INSTANCE_DIR"])
    try:
        days = int(app.config.get("ANALYTICS_RETENTION_DAYS", 90))
        app.extensions["supportkb.recorder"] = Recorder(url, retention_days=days)
    except ValueError:
        log.error("analytics disabled: ANALYTICS_RETENTION_DAYS must be a whole number of days (0 or more)")
        app.extensions["supportkb.recorder"] = None


def recorder(app: Flask | None = None) -> Recorder | None:
    """The app's recorder (None when analytics is off); tests call ``recorder(app).flush()``."""
    return (app or current_app).extensions.get("supportkb.recorder")


def _recorder() -> Any:
    return current_app.extensions.get("supportkb.recorder")


def client_key() -> str:
    """This request's client as a keyed hash of the UTC day and the agent's token name (agents
    behind one office address stay apart) or the client address; empty outside a request."""
    if not has_request_context():
        return ""
    who = viewer()
    identity = f"agent:{who.name}" if who.sees_internal and who.name else f"addr:{request.remote_addr or ''}"
    return keyed_hash(f"client|{time.strftime('%Y-%m-%d', time.gmtime())}|{identity}")[:16]


def _session(session: str | None) -> str | None:
    if session is None and has_request_context():
        return request.headers.get(SESSION_HEADER)
    return session


def track_search(response: SearchResponse, source: str, filters: dict[str, list[str]],
                 session: str | None = None, search_id: str | None = None) -> None:
    """One search with its result count, correction, timing and the slugs shown (also counted for
    ``/metrics``, with analytics on or off)."""
    count_search(source, response.total)
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.search(query=response.query, filters=filters, results=response.total,
                        source=source, corrected=response.did_you_mean, took_ms=response.took_ms,
                        session=_session(session), shown=[hit.slug for hit in response.results],
                        search_id=search_id, client=client_key())
    except Exception:  # noqa: BLE001  (analytics must never break search)
        log.warning("analytics: search event dropped", exc_info=True)


def track_click(query: str, slug: str, position: int, source: str, session: str | None = None) -> None:
    """A click on a result at ``position`` (1-based) for ``query``."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.click(query=query, slug=slug, position=position, source=source, session=_session(session),
                       client=client_key())
    except Exception:  # noqa: BLE001
        log.warning("analytics: click event dropped", exc_info=True)


def track_feedback(slug: str, helpful: bool, comment: str, source: str) -> None:
    """A helpful / not helpful vote with an optional comment."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.feedback(slug=slug, helpful=helpful, comment=comment, source=source, client=client_key())
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


def track_contact(session: str | None, source: str = "deflect") -> None:
    """A contact form was sent after suggestions were shown in the search session ``session``."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.contact(session=session, source=source)
    except Exception:  # noqa: BLE001
        log.warning("analytics: contact event dropped", exc_info=True)


def keyed_hash(value: str) -> str:
    """A ticket reference or agent name as a short keyed hash (HMAC-SHA256 with SECRET_KEY): reports
    count distinct values, nobody can read them back; empty stays empty."""
    if not value:
        return ""
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def track_used(slug: str, query: str, search_id: str, ticket: str, agent: str, source: str) -> None:
    """An agent used an article for a customer (``ticket``, ``agent``: plain; hashed here)."""
    recorder = _recorder()
    if recorder is None:
        return
    try:
        recorder.used(slug=slug, query=query, search_id=search_id, ticket=keyed_hash(ticket),
                      agent=keyed_hash(agent), source=source)
    except Exception:  # noqa: BLE001
        log.warning("analytics: used event dropped", exc_info=True)
