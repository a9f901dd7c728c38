"""``POST /recommend``: a ticket, chat transcript or call notes in, the best articles out.

Each result carries the say-this answer (public, as in ``/search``), the escalation route (agents
only, as in ``/triage``) and why it matched (the ticket's words and sentences). Anonymous callers
get public articles only: the viewer goes down to the engine like every search.

``channel`` (phone, chat, email, ...) is recorded with the recommendation for reports and echoed
back; it does not change the ranking. An article's ``channels`` are the ways customers can contact
support for its type, not the channels its answer suits, so there is no honest signal to rank by.
"""
from __future__ import annotations

import secrets

from flask import Response

from search.recommend import RecommendRequest, recommend
from search.visibility import route
from web.api import params as api_params
from web.api.articles import json_body
from web.api.blueprint import bp, engine
from web.api.recommend_schemas import RecommendRequest as RecommendBody
from web.api.search import dumps, is_preflight, json_response
from web.shared.auth import viewer
from web.shared.extensions import limiter, search_limit
from web.shared.tracking import track_search
from web.shared.usage import usage_prior

#: Bytes of a recommend body: 20,000 characters of text, escaped, with room to spare.
MAX_RECOMMEND_BYTES = 160 * 1024


@bp.post("/recommend")
@limiter.limit(search_limit, exempt_when=is_preflight)
def recommend_view() -> Response:
    sent = api_params.body(RecommendBody, json_body(MAX_RECOMMEND_BYTES))
    who = viewer()
    filters = {"lang": [sent.lang.lower()]} if sent.lang else {}
    search_engine = engine()
    usage, _stamp = usage_prior()
    found = recommend(search_engine, RecommendRequest(
        sent.text, sent.subject, limit=sent.limit, viewer=who,
        filters=filters, usage=usage))
    routing = search_engine.snapshot().routing
    results = []
    for hit in found.response.results:
        forward = route(who, routing.route(hit.type, hit.level))
        results.append(hit.as_dict() | {"route": forward, "route_summary": forward["summary"] if forward else None,
                                        "why": found.why[hit.slug]})
    search_id = secrets.token_urlsafe(12)
    recorded = dict(filters, **({"channel": [sent.channel]} if sent.channel else {}))
    track_search(found.response, "recommend" if who.sees_internal else "api", recorded, search_id=search_id)
    return json_response(dumps({
        "search_id": search_id, "query": found.query, "problem": found.problem, "channel": sent.channel,
        "did_you_mean": found.response.did_you_mean, "no_good_answer": found.response.no_good_answer,
        "took_ms": round(found.took_ms, 2), "version": found.response.version, "results": results}))
