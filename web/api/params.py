"""Query strings and JSON bodies validated by the models of ``web/api/schemas.py``.

A bad value is a 400 in the API's one error body, never a default: the first problem pydantic
reports becomes ``{"error": {"code", "message"}}`` with ``invalid_parameter`` unless the
validator named another code (``schemas.CODES``) or the value is missing.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from flask import current_app
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from search.engine import MAX_QUERY_CHARS
from search.filters import BY_NAME
from web.api.schemas import CODES, Query, SearchBase
from web.shared.errors import ApiError

M = TypeVar("M", bound=BaseModel)
Q = TypeVar("Q", bound=Query)


def invalid(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{name}: {message}")


def api_error(exc: ValidationError, model: type[BaseModel]) -> ApiError:
    """The first problem pydantic found, in the API's words."""
    problem = exc.errors(include_url=False)[0]
    name = str(problem["loc"][0]) if problem["loc"] else ""
    message = problem["msg"].removeprefix("Value error, ")
    if len(problem["loc"]) > 1:  # one value of a repeatable parameter
        message = f"{message} (got {problem['input']!r})"
    if problem["type"] == "extra_forbidden":
        kind = "parameter" if issubclass(model, Query) else "field"
        return invalid(name, f"unknown {kind}; use {', '.join(model.model_fields)}")
    if problem["type"] == "missing":
        return ApiError(400, "missing_parameter", f"{name}: required")
    code = problem["type"] if problem["type"] in CODES else "invalid_parameter"
    return ApiError(400, code, f"{name}: {message}" if name else message)


def query(model: type[Q], args: MultiDict[str, str]) -> Q:
    """``args`` as ``model``: repeatable parameters as lists, any other given at most once."""
    repeatable = model.list_fields()
    data: dict[str, Any] = {}
    for name in args:
        found = args.getlist(name)
        if name in repeatable:
            data[name] = found
        elif len(found) > 1 and name in model.model_fields:
            raise invalid(name, "give it once")
        else:
            data[name] = found[0]
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise api_error(exc, model) from None
    q = getattr(parsed, "q", None)
    limit = min(int(current_app.config.get("MAX_QUERY_LENGTH") or MAX_QUERY_CHARS), MAX_QUERY_CHARS)
    if q is not None and len(q) > limit:
        raise ApiError(400, "query_too_long", f"q: at most {limit} characters")
    return parsed


def body(model: type[M], data: Any) -> M:
    """A JSON body as ``model``; anything but an object is ``invalid_json``."""
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise api_error(exc, model) from None


def search_key(params: SearchBase) -> tuple[Any, ...]:
    """Everything but the query text, normalized (filter order does not matter)."""
    return (tuple(sorted((k, tuple(sorted(v))) for k, v in params.filters().items())),
            params.limit, params.offset, params.explain)


def agents_only(filters: Mapping[str, list[str]], sees_internal: bool) -> None:
    """Filters only agents may use are refused to anonymous callers."""
    for name in filters:
        if BY_NAME[name].agents_only and not sees_internal:
            raise invalid(name, "agents only: send an agent token")
