"""The OpenAPI 3.1 document for ``/api/v1``, served at ``/api/v1/openapi.json``.

Generated from the pydantic models of ``web/api/schemas.py`` (the same ones that validate
requests): query models become parameters, body and response models become components. Only the
list of operations below is written here. ``tests/test_openapi_schemathesis.py`` checks that real
responses match it.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from web.api import recommend_schemas, schemas
from web.api.schemas import SLUG_PATTERN

REF = "#/components/schemas/{model}"


class Operation(NamedTuple):
    """One documented route: its query or body model, its answer and the errors it adds."""

    method: str
    summary: str
    response: type[BaseModel]
    query: type[schemas.Query] | None = None
    body: type[BaseModel] | None = None
    errors: Mapping[str, str] = MappingProxyType({})
    body_required: bool = True


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schemas.Error)}}}


def ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


ERRORS = {"400": "Invalid parameter (`invalid_parameter`, `missing_parameter`, `query_too_long`).",
          "401": "Wrong or revoked bearer token (`invalid_token`).",
          "429": "Rate limited (`rate_limited`).",
          "503": "No index has been built (`index_unavailable`)."}
BODY_ERRORS = {"404": "Unknown article (`article_not_found`).", "413": "Body over 8 KiB.", "415": "Not JSON."}
SLUG = {"name": "slug", "in": "path", "required": True, "description": "Article slug, e.g. billing/refund-policy",
        "schema": {"type": "string", "pattern": SLUG_PATTERN}}


def operations(search_query: type[schemas.Query] = schemas.SearchQuery) -> dict[str, Operation]:
    return {
        "/search": Operation("get", "Ranked answers for the customer's words", schemas.SearchResponse,
                             query=search_query),
        "/suggest": Operation("get", "Type-ahead titles", schemas.SuggestResponse, query=schemas.SuggestQuery),
        "/triage": Operation("get", "Likely type and level, top answers and the escalation route",
                             schemas.TriageResponse, query=schemas.TriageQuery),
        "/articles/{slug}": Operation("get", "One article for the caller's audience", schemas.Article,
                                      errors={"301": "An old URL of a renamed article, or a withdrawn "
                                                     "one with a replacement (`article_moved`; "
                                                     "`Location` names the article).",
                                              "404": "Unknown, or internal (or in review) and "
                                                     "anonymous (`article_not_found`).",
                                              "410": "Withdrawn, no replacement (`article_gone`)."}),
        "/articles/{slug}/related": Operation("get", "Related articles", schemas.RelatedResponse,
                                              errors={"404": "Unknown article (`article_not_found`)."}),
        "/feedback": Operation("post", "Helpful / not helpful, or used on a call", schemas.Recorded,
                               body=schemas.FeedbackRequest, errors=BODY_ERRORS),
        "/recommend": Operation("post", "The best articles for a ticket, chat or call notes, with why each "
                                "matched", recommend_schemas.RecommendResponse,
                                body=recommend_schemas.RecommendRequest,
                                errors={"400": "Invalid body (`invalid_json`, `invalid_parameter`, "
                                        "`missing_parameter`, `text_too_long`: text over 20,000 characters).",
                                        "413": "Body over 160 KiB.", "415": "Not JSON."}),
        "/articles/{slug}/used": Operation("post", "An agent used this article for a customer (agents only)",
                                           schemas.Recorded, body=recommend_schemas.UsedRequest,
                                           errors={**BODY_ERRORS, "401": "No agent token (`agent_required`) "
                                                   "or a wrong one (`invalid_token`)."}, body_required=False),
        "/click": Operation("post", "A result opened from a search", schemas.Recorded,
                            body=schemas.ClickRequest, errors=BODY_ERRORS),
    }


def query_parameters(model: type[schemas.Query]) -> list[dict[str, Any]]:
    """Each field of a query model as a form-style parameter (lists: repeated or comma-separated)."""
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, field in schema["properties"].items():
        field = {k: v for k, v in field.items() if k not in ("title", "description")}
        parameters.append({"name": name, "in": "query", "required": name in required, "schema": field,
                           "description": model.model_fields[name].description or "",
                           "style": "form", "explode": True})
    return parameters


def operation(path: str, op: Operation) -> dict[str, Any]:
    responses = {"200": {"description": "OK", "content": {"application/json": {"schema": ref(op.response)}}},
                 **{status: error(text) for status, text in {**ERRORS, **op.errors}.items()}}
    spec: dict[str, Any] = {"summary": op.summary, "responses": responses,
                            "parameters": [SLUG] if "{slug}" in path else []}
    if op.query is not None:
        spec["parameters"] += query_parameters(op.query)
    if op.body is not None:
        spec["requestBody"] = {"required": op.body_required,
                               "content": {"application/json": {"schema": ref(op.body)}}}
    return {op.method: spec}


def components(ops: dict[str, Operation]) -> dict[str, Any]:
    models = {schemas.Error, *(op.response for op in ops.values()),
              *(op.body for op in ops.values() if op.body is not None)}
    _, found = models_json_schema([(model, "validation") for model in sorted(models, key=lambda m: m.__name__)],
                                  ref_template=REF)
    return found.get("$defs", {})


def build_document(ops: dict[str, Operation]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "supportkb API", "version": "1.0.0",
                 "description": "Search a support knowledge base. Anonymous callers see public "
                                "content; agents send `Authorization: Bearer <token>`. Every error "
                                "is `{\"error\": {\"code\", \"message\"}}`."},
        "servers": [{"url": "/api/v1"}],
        "security": [{}, {"bearer": []}],
        "paths": {path: operation(path, op) for path, op in ops.items()},
        "components": {"schemas": components(ops),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The served document (built once per process)."""
    return build_document(operations())
