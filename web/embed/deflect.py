"""Deflection before a ticket: public suggestions for what a customer types into a contact form.

``GET /embed/deflect/suggestions?q=...&lang=en`` answers with public articles only (whoever calls)
and records the search with source ``deflect`` and the form visit's search session
(``X-Search-Session``). ``POST /embed/deflect/event`` records ``{"kind": "open", "session", "slug",
"query", "position"}`` from the suggestions box and ``{"kind": "sent", "session"}`` from the contact
form (``navigator.sendBeacon``, so the body may arrive as ``text/plain``). A visit that opened an
article and sent no form is a deflection (``analytics/deflection.py``). With ``ANALYTICS_URL=off``
nothing is recorded; the scripts also send no events when the browser asks not to be tracked.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, current_app, jsonify, request

from search import ANONYMOUS, QueryError, SearchRequest
from search.browse import get_data
from web.embed.blueprint import bp
from web.shared.errors import ApiError
from web.shared.extensions import feedback_limit, limiter, search_limit
from web.shared.tracking import track_click, track_contact, track_search

SOURCE = "deflect"
MAX_LIMIT = 10
MAX_EVENT_BYTES = 2048
LANG = re.compile(r"[a-z]{2}")
SLUG = re.compile(r"[a-z0-9][a-z0-9/_-]{0,199}")
SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _engine() -> Any:
    return current_app.extensions["supportkb.engine"]


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return 5
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, "invalid_parameter", f"limit: a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


@bp.get("/deflect/suggestions")
@limiter.limit(search_limit)
def suggestions() -> Response:
    """Up to ``limit`` public articles for the form's subject and description."""
    text = " ".join(request.args.get("q", "").split())
    lang = request.args.get("lang", "")
    limit = _limit(request.args.get("limit"))
    if lang and not LANG.fullmatch(lang):
        raise ApiError(400, "invalid_parameter", "lang: a two-letter language code such as 'en'")
    if len(text) > int(current_app.config.get("MAX_QUERY_LENGTH") or 500):
        raise ApiError(400, "query_too_long", "q: too long; send the subject and the first lines")
    if not text:
        return jsonify({"query": "", "results": []})
    try:
        response = _engine().search(SearchRequest(
            text, filters={"lang": [lang]} if lang else {}, limit=limit, viewer=ANONYMOUS,
            facets=False))
    except QueryError as exc:
        raise ApiError(400, exc.code, exc.message) from exc
    track_search(response, SOURCE, {"lang": [lang]} if lang else {})
    results = [{key: hit.as_dict()[key] for key in ("slug", "title", "summary", "url", "type", "lang")}
               for hit in response.results if not response.no_good_answer]
    return jsonify({"query": response.query, "results": results})


def _event_body() -> dict[str, Any]:
    raw = request.get_data(cache=False)[:MAX_EVENT_BYTES + 1]
    if len(raw) > MAX_EVENT_BYTES:
        raise ApiError(413, "payload_too_large", f"the body is limited to {MAX_EVENT_BYTES} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "send a JSON object")
    return body


@bp.post("/deflect/event")
@limiter.limit(feedback_limit)
def event() -> Response:
    """An opened suggestion or a sent form, for the deflection report."""
    body = _event_body()
    kind, session = body.get("kind"), body.get("session")
    if not isinstance(session, str) or not SESSION.fullmatch(session):
        raise ApiError(400, "invalid_parameter", "session: 8 to 64 characters A-Z a-z 0-9 _ -")
    if kind == "sent":
        track_contact(session, SOURCE)
        return jsonify({"recorded": "sent"})
    if kind != "open":
        raise ApiError(400, "invalid_parameter", "kind: 'open' or 'sent'")
    slug, query, position = body.get("slug"), body.get("query"), body.get("position")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug) or \
            get_data(_engine().snapshot(), slug, ANONYMOUS) is None:
        raise ApiError(404, "article_not_found", "no public article with that slug")
    if not isinstance(query, str) or not isinstance(position, int) or not 1 <= position <= MAX_LIMIT:
        raise ApiError(400, "invalid_parameter", "query: text; position: 1 to 10")
    track_click(query, slug, position, SOURCE, session=session)
    return jsonify({"recorded": "open", "slug": slug})

