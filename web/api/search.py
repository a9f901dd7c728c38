"""``/search``, ``/suggest`` and ``/triage``: the customer's words in, answers and a route out."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Response, current_app, request

from search import SearchRequest
from search.engine import clean_query
from search.triage import triage as triage_vote
from search.visibility import cache_audience, route
from web.api import params as api_params
from web.api.blueprint import bp, engine, response_cache, source
from web.api.schemas import SearchQuery, SuggestQuery, TriageQuery
from web.shared.auth import viewer
from web.shared.clicks import click_prior
from web.shared.extensions import limiter, search_limit
from web.shared.tracking import track_search
from web.shared.usage import usage_prior


def is_preflight() -> bool:
    return request.method == "OPTIONS"


def json_response(body: bytes | str) -> Response:
    return current_app.response_class(body, mimetype="application/json")


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@bp.get("/search")
@limiter.limit(search_limit, exempt_when=is_preflight)
def search() -> Response:
    """Ranked answers with facets; identical requests on the same index version are cached."""
    params = api_params.query(SearchQuery, request.args)
    filters = params.filters()
    who = viewer()
    api_params.agents_only(filters, who.sees_internal)
    search_engine = engine()
    cache = response_cache()
    usage, stamp = usage_prior()
    clicks, click_stamp = click_prior()
    key = (clean_query(params.q), api_params.search_key(params), dt.date.today().toordinal(), stamp, click_stamp)
    cached = cache.get(search_engine.snapshot().name, cache_audience(who), key)
    if cached is not None:
        response, body = cached
    else:
        response = search_engine.search(SearchRequest(
            params.q, filters=filters, limit=params.limit, offset=params.offset,
            viewer=who, explain=params.explain, usage=usage, clicks=clicks))
        data = response.as_dict() | {"version": response.version, "limit": params.limit,
                                     "offset": params.offset}
        body = dumps(data | {"cached": False})
        cache.put(response.version, cache_audience(who), key, (response, body[:-len('false}')] + 'true}'))
    track_search(response, source(), filters)
    return json_response(body)


@bp.get("/suggest")
@limiter.limit(search_limit, exempt_when=is_preflight)
def suggest() -> Response:
    """Type-ahead: titles of the best prefix matches for what has been typed so far."""
    params = api_params.query(SuggestQuery, request.args)
    found = engine().suggest(params.q, viewer(), params.lang, limit=params.limit)
    return json_response(dumps({"query": clean_query(params.q), "suggestions": found}))


@bp.get("/triage")
@limiter.limit(search_limit, exempt_when=is_preflight)
def triage() -> Response:
    """Likely support type and level, the top answers, and (for agents) where to forward."""
    params = api_params.query(TriageQuery, request.args)
    text, langs, limit = params.q, params.lang, params.limit
    who = viewer()
    search_engine = engine()
    snapshot = search_engine.snapshot()
    response = search_engine.search(SearchRequest(text, filters={"lang": langs} if langs else {},
                                                  limit=max(limit, 5), viewer=who, facets=False))
    vote = triage_vote(response, snapshot.routing)
    forward = route(who, vote.get("route"))
    track_search(response, source(), {"lang": langs} if langs else {})
    return json_response(dumps({
        "query": response.query, "did_you_mean": response.did_you_mean,
        "type": vote["type"], "level": vote["level"], "confidence": vote["confidence"],
        "type_confidence": vote.get("type_confidence", 0.0),
        "no_good_answer": vote["no_good_answer"],
        "route": forward, "route_summary": forward["summary"] if forward else None,
        "answers": [hit.as_dict() for hit in response.results[:limit]],
        "took_ms": round(response.took_ms, 2)}))
