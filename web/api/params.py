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
from search.filters import BY_NAME, LANG_PATTERN, VALUE_PATTERN
from web.api.schemas import CODES, Query, SearchBase
from web.shared.auth import viewer
from web.shared.errors import ApiError

M = TypeVar("M", bound=BaseModel)
Q = TypeVar("Q", bound=Query)


def invalid(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{name}: {message}")


#: What a filter value may look like, by pattern, in words a caller can act on.
PATTERN_WORDS = {VALUE_PATTERN: "at most 50 letters, digits, spaces, dots or dashes",
                 LANG_PATTERN: "a language code such as en or pt-br"}


def _filter_message(name: str, problem: Mapping[str, Any]) -> str | None:
    """A filter's bad value said as the filter's declaration allows (None: not a filter value)."""
    declared = BY_NAME.get(name)
    if declared is None or problem["type"] not in {"literal_error", "enum", "string_pattern_mismatch"}:
        return None
    got = problem["input"]
    if declared.choices:
        return f"unknown {name} {got!r}; use {', '.join(declared.choices)}"
    words = PATTERN_WORDS.get(declared.pattern, f"of the form {declared.pattern}")
    return f"values are {words} (got {got!r})"


def _known_names(model: type[BaseModel]) -> list[str]:
    """The model's parameters a caller may send: filters for agents only are left out for others."""
    sees_internal = viewer().sees_internal
    return [name for name in model.model_fields
            if sees_internal or name not in BY_NAME or not BY_NAME[name].agents_only]


def api_error(exc: ValidationError, model: type[BaseModel]) -> ApiError:
    """The first problem pydantic found, in the API's words."""
    problem = exc.errors(include_url=False)[0]
    name = str(problem["loc"][0]) if problem["loc"] else ""
    message = problem["msg"].removeprefix("Value error, ")
    if problem["type"] in {"bool_parsing", "bool_type"}:
        message = f"true or false (got {problem['input']!r})"
    elif (worded := _filter_message(name, problem)) is not None:
        message = worded
    elif len(problem["loc"]) > 1:  # one value of a repeatable parameter
        message = f"{message} (got {problem['input']!r})"
    if problem["type"] == "extra_forbidden":
        kind = "parameter" if issubclass(model, Query) else "field"
        return invalid(name, f"unknown {kind}; use {', '.join(_known_names(model))}")
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
