"""The OpenAPI 3 document for ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand next to the views it describes; ``tests/test_openapi_schemathesis.py`` checks that
real responses match it.
"""
from __future__ import annotations

from typing import Any

from kb.model import SUPPORT_TYPES
from search.engine import MAX_QUERY_CHARS
from search.filters import BY_NAME, FILTERS, Filter
from search.types import MAX_RESULT_WINDOW
from search.visibility import STAFF_FIELDS
from web.api.params import MAX_COMMENT, MAX_LIMIT, MAX_OFFSET, MAX_VALUES

STR: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}
NUM: dict[str, Any] = {"type": "number"}
STRINGS: dict[str, Any] = {"type": "array", "items": STR}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required, **extra}


def integer(low: int, high: int, default: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high, "default": default}


def query_param(name: str, schema: dict[str, Any], description: str, required: bool = False,
                explode: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description, "style": "form", "explode": explode}


Q = query_param("q", {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
                "The customer's words.", required=True)


def filter_param(declared: Filter) -> dict[str, Any]:
    """A filter of ``search/filters.py`` as a repeatable, comma-separated query parameter."""
    item: dict[str, Any] = ({"type": "string", "enum": list(declared.choices)} if declared.choices
                            else {"type": "string", "pattern": declared.pattern})
    return query_param(declared.name, {"type": "array", "items": item, "maxItems": MAX_VALUES},
                       declared.description)


FILTER_PARAMS = [filter_param(declared) for declared in FILTERS]
LANG = filter_param(BY_NAME["lang"])
SLUG = {"name": "slug", "in": "path", "required": True,
        "description": "Article slug, e.g. billing/refund-policy",
        "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,40}(/[a-z0-9][a-z0-9_-]{0,40}){0,2}$"}}

#: The short "say this" answer is public: agents read it out, customers may read it too.
ANSWER = {**STR, "description": "Short answer in plain words; public (served to every caller)."}
HIT_PROPS = {"slug": STR, "title": STR, "summary": STR, "answer": ANSWER, "snippet": STR, "url": STR,
             "type": STR, "level": INT, "product": STR, "lang": STR, "tags": STRINGS, "audience": STR,
             "score": NUM, "updated": STR, "stale": BOOL, "exact": BOOL,
             "explain": {"type": "object", "description": "Only with explain=true."}}
SUMMARY_PROPS = {"slug": STR, "title": STR, "summary": STR, "answer": ANSWER, "type": STR, "level": INT,
                 "product": STR, "lang": STR, "tags": STRINGS, "audience": STR, "updated": STR,
                 "review_by": STR, "translation_of": STR, "channels": STRINGS, "url": STR, "stale": BOOL}
ARTICLE_PROPS = {
    **SUMMARY_PROPS, "questions": STRINGS,
    "owner": {**STR, "description": "Team or person responsible. Agents only; absent for anonymous callers."},
    "path": {**STR, "description": "Source file under articles/. Agents only; absent for anonymous callers."},
    "html": STR, "markdown": STR, "has_internal": BOOL,
    "related": {"type": "array", "items": ref("ArticleSummary")},
    "translations": {"type": "array", "items": obj({"lang": STR, "slug": STR, "title": STR, "url": STR})},
    "route": {**ref("Route"), "nullable": True, "description": "Agents only; null otherwise."},
    "public_url": nullable(STR)}
ROUTE = obj({"type": STR, "level": INT, "queue": STR, "hours": STR, "notes": STR,
             "contacts": {"type": "object", "additionalProperties": STR}, "summary": STR})

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"code": STR, "message": STR})}),
    "Hit": obj(HIT_PROPS, [k for k in HIT_PROPS if k != "explain"]),
    "Facets": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": INT}},
    "SearchResponse": obj({
        "query": STR, "total": INT, "did_you_mean": nullable(STR),
        "corrections": {"type": "object", "additionalProperties": STR}, "facets": ref("Facets"),
        "took_ms": NUM, "no_good_answer": BOOL, "results": {"type": "array", "items": ref("Hit")},
        "version": STR, "limit": INT, "offset": INT, "cached": BOOL}),
    "SuggestResponse": obj({"query": STR, "suggestions": {"type": "array", "items": obj(
        {"text": STR, "slug": STR, "url": STR, "type": STR})}}),
    "Route": ROUTE,
    "TriageResponse": obj({
        "query": STR, "did_you_mean": nullable(STR), "type": nullable(STR), "level": nullable(INT),
        "confidence": NUM, "type_confidence": NUM, "no_good_answer": BOOL,
        "route": {**ref("Route"), "nullable": True, "description": "Agents only; null otherwise."},
        "route_summary": nullable(STR), "answers": {"type": "array", "items": ref("Hit")},
        "took_ms": NUM}),
    "ArticleSummary": obj(SUMMARY_PROPS),
    "Article": obj(ARTICLE_PROPS, [k for k in ARTICLE_PROPS if k not in STAFF_FIELDS]),
    "RelatedResponse": obj({"slug": STR, "related": {"type": "array", "items": ref("ArticleSummary")}}),
    "FeedbackRequest": obj({
        "slug": STR, "helpful": BOOL, "comment": {"type": "string", "maxLength": MAX_COMMENT},
        "used_on_call": BOOL, "query": {"type": "string", "maxLength": MAX_QUERY_CHARS}},
        ["slug"], additionalProperties=False),
    "ClickRequest": obj({"slug": STR, "query": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                         "position": {"type": "integer", "minimum": 1, "maximum": 1000}},
                        additionalProperties=False),
    "Recorded": obj({"recorded": STR, "slug": STR}),
}


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


ERRORS = {"400": error("Invalid parameter (`invalid_parameter`, `missing_parameter`, `query_too_long`)."),
          "401": error("Wrong or revoked bearer token (`invalid_token`)."),
          "429": error("Rate limited (`rate_limited`)."),
          "503": error("No index has been built (`index_unavailable`).")}


def ok(schema: str, description: str = "OK") -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": ref(schema)}}},
            **ERRORS}


def get(summary: str, params: list[dict[str, Any]], schema: str, **extra: Any) -> dict[str, Any]:
    return {"get": {"summary": summary, "parameters": params, "responses": {**ok(schema), **extra}}}


def post(summary: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"post": {"summary": summary, "requestBody": {"required": True, "content": {
        "application/json": {"schema": ref(body)}}},
        "responses": {**ok("Recorded"), "404": error("Unknown article (`article_not_found`)."),
                      "413": error("Body over 8 KiB."), "415": error("Not JSON."), **extra}}}


PATHS = {
    "/search": get("Ranked answers for the customer's words", [
        Q, *FILTER_PARAMS,
        query_param("limit", integer(1, MAX_LIMIT, 10), "Results."),
        query_param("offset", integer(0, MAX_OFFSET, 0),
                    f"Skip. `offset + limit` must be at most {MAX_RESULT_WINDOW} (else 400 "
                    "`invalid_parameter`): refine the search rather than paging deeper."),
        query_param("explain", {"type": "boolean", "default": False}, "Add score details to each hit."),
    ], "SearchResponse"),
    "/suggest": get("Type-ahead titles", [
        Q, LANG, query_param("limit", integer(1, 20, 8), "Items.")],
        "SuggestResponse"),
    "/triage": get("Likely type and level, top answers and the escalation route", [
        Q, LANG, query_param("limit", integer(1, 10, 3), "Answers.")],
        "TriageResponse"),
    "/articles/{slug}": get("One article for the caller's audience", [SLUG], "Article",
                            **{"404": error("Unknown, or internal and anonymous (`article_not_found`).")}),
    "/articles/{slug}/related": get("Related articles", [SLUG], "RelatedResponse",
                                    **{"404": error("Unknown article (`article_not_found`).")}),
    "/feedback": post("Helpful / not helpful, or used on a call", "FeedbackRequest"),
    "/click": post("A result opened from a search", "ClickRequest"),
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "supportkb API", "version": "1.0.0",
                 "description": "Search a support knowledge base. Anonymous callers see public "
                                "content; agents send `Authorization: Bearer <token>`. Every error "
                                "is `{\"error\": {\"code\", \"message\"}}`."},
        "servers": [{"url": "/api/v1"}],
        "security": [{}, {"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
