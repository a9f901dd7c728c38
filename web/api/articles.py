"""``/articles/<slug>``, ``/related``, ``/used``, ``/feedback`` and ``/click``.

An internal article (or one in review) asked for anonymously answers exactly like an unknown
slug (404 ``article_not_found``), so the API never reveals which internal slugs exist. An old slug
(``redirect_from``) answers 301 ``article_moved`` with a ``Location`` header, a withdrawn article 410
``article_gone`` (or 301 to its ``replaced_by``).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, request, url_for

from search.browse import article_view, get_data, related
from search.states import moved
from web.api import params as api_params
from web.api.blueprint import bp, engine, source
from web.api.recommend_schemas import UsedRequest
from web.api.schemas import SLUG_RE, ClickRequest, FeedbackRequest
from web.api.search import dumps, is_preflight, json_response
from web.shared.auth import viewer
from web.shared.errors import ApiError, json_error
from web.shared.extensions import feedback_limit, limiter, search_limit
from web.shared.tracking import track_click, track_feedback, track_used, track_used_on_call

MAX_BODY_BYTES = 8 * 1024


def not_found(slug: str) -> ApiError:
    return ApiError(404, "article_not_found", f"no article {slug!r}")


def public_url(view: Mapping[str, Any]) -> str | None:
    """The link an agent may send a customer; internal articles and those in review have none."""
    if view["audience"] == "internal" or view["status"] != "published":
        return None
    return request.host_url.rstrip("/") + view["url"]


@bp.get("/articles/<path:slug>")
@limiter.limit(search_limit, exempt_when=is_preflight)
def article(slug: str) -> Response:
    """One article for the caller's audience: metadata, Markdown, sanitized HTML, related."""
    snapshot = engine().snapshot()
    view = article_view(snapshot, slug, viewer()) if SLUG_RE.match(slug) else None
    if view is None:
        found = moved(snapshot, slug, viewer()) if SLUG_RE.match(slug) else None
        if found is None:
            raise not_found(slug)
        if found.kind == "gone":
            raise ApiError(410, "article_gone", f"article {slug!r} was withdrawn")
        response = json_error(301, "article_moved", f"article {slug!r} is now {found.slug!r}")
        response.headers["Location"] = url_for("api.article", slug=found.slug)
        return response
    return json_response(dumps(view | {"public_url": public_url(view)}))


@bp.get("/articles/<path:slug>/related")
@limiter.limit(search_limit, exempt_when=is_preflight)
def article_related(slug: str) -> Response:
    snapshot = engine().snapshot()
    if not SLUG_RE.match(slug) or get_data(snapshot, slug, viewer()) is None:
        raise not_found(slug)
    return json_response(dumps({"slug": slug, "related": related(snapshot, slug, viewer())}))


def json_body(max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The request's JSON object, at most ``max_bytes`` (413 beyond)."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, "payload_too_large", f"the body is limited to {max_bytes} bytes")
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send Content-Type: application/json")
    raw = request.stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(413, "payload_too_large", f"the body is limited to {max_bytes} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from exc
    return body


def visible_slug(slug: str) -> str:
    if get_data(engine().snapshot(), slug, viewer()) is None:
        raise not_found(slug)
    return slug


@bp.post("/feedback")
@limiter.limit(feedback_limit, exempt_when=is_preflight)
def feedback() -> Response:
    """Helpful / not helpful with a comment, or ``used_on_call`` when an answer resolved a call."""
    sent = api_params.body(FeedbackRequest, json_body())
    slug = visible_slug(sent.slug)
    if sent.used_on_call:
        track_used_on_call(slug, sent.query, source())
        return json_response(dumps({"recorded": "used_on_call", "slug": slug}))
    track_feedback(slug, bool(sent.helpful), sent.comment, source())
    return json_response(dumps({"recorded": "feedback", "slug": slug}))


@bp.post("/click")
@limiter.limit(search_limit, exempt_when=is_preflight)
def click() -> Response:
    """A result opened from a search (the console reports which position the agent chose)."""
    sent = api_params.body(ClickRequest, json_body())
    slug = visible_slug(sent.slug)
    track_click(sent.query, slug, sent.position, source())
    return json_response(dumps({"recorded": "click", "slug": slug}))


@bp.post("/articles/<path:slug>/used")
@limiter.limit(feedback_limit, exempt_when=is_preflight)
def used(slug: str) -> Response:
    """An agent used this article for a customer: optional ticket reference, query, search id.

    Agents only (401 otherwise); limited per client like feedback, and the ranking prior counts
    each agent a few times per article at most (``analytics.usage.PER_AGENT_CAP``)."""
    who = viewer()
    if not who.sees_internal:
        raise ApiError(401, "agent_required", "agents only: send Authorization: Bearer <agent token>")
    empty = not request.content_length and not request.is_json
    sent = UsedRequest() if empty else api_params.body(UsedRequest, json_body())
    if not SLUG_RE.match(slug) or ".." in slug:
        raise not_found(slug)
    visible_slug(slug)
    track_used(slug, sent.query, sent.search_id or "", sent.ticket, who.name or "", sent.source or source())
    return json_response(dumps({"recorded": "used", "slug": slug}))
