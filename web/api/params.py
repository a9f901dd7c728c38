"""Explicit parsing of API query strings and JSON bodies: a bad value is a 400, never a default."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from flask import current_app
from werkzeug.datastructures import MultiDict

from kb.model import LEVELS, SUPPORT_TYPES
from search.engine import MAX_QUERY_CHARS
from search.filters import FILTER_NAMES, FILTERS
from search.types import MAX_RESULT_WINDOW
from web.shared.errors import ApiError

MAX_LIMIT = 100
MAX_OFFSET = MAX_RESULT_WINDOW - 1  # and offset + limit <= MAX_RESULT_WINDOW
MAX_VALUES = 20
MAX_COMMENT = 1000
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9/_-]{0,199}$")
VALUE_RE = re.compile(r"^[\w .-]{1,50}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")
WINDOW_NOTE = (f" (offset + limit must be at most {MAX_RESULT_WINDOW}: deeper results are not "
               "served, refine the search instead)")


def invalid(name: str, message: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{name}: {message}")


@dataclass
class SearchParams:
    """A validated search: what the engine needs."""

    query: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    explain: bool = False

    def key(self) -> tuple[Any, ...]:
        """Everything but the query text, normalized (filter order does not matter)."""
        return (tuple(sorted((k, tuple(sorted(v))) for k, v in self.filters.items())),
                self.limit, self.offset, self.explain)


def check_known(args: MultiDict[str, str], allowed: tuple[str, ...]) -> None:
    """Unknown parameters are refused, so a typo such as ``limt=5`` does not pass unnoticed."""
    for name in args:
        if name not in allowed:
            raise invalid(name, f"unknown parameter; use {', '.join(allowed)}")


def query_text(args: MultiDict[str, str], name: str = "q") -> str:
    values = args.getlist(name)
    if not values or not values[0].strip():
        raise ApiError(400, "missing_parameter", f"{name}: required, the words to search for")
    if len(values) > 1:
        raise invalid(name, "give it once")
    limit = min(int(current_app.config.get("MAX_QUERY_LENGTH") or MAX_QUERY_CHARS), MAX_QUERY_CHARS)
    if len(values[0]) > limit:
        raise ApiError(400, "query_too_long", f"{name}: at most {limit} characters")
    return values[0]


def integer(args: MultiDict[str, str], name: str, default: int, low: int, high: int,
            note: str = "") -> int:
    values = args.getlist(name)
    if not values:
        return default
    raw = values[-1].strip()
    if len(values) > 1 or not re.fullmatch(r"[0-9]{1,6}", raw):
        raise invalid(name, f"must be one whole number between {low} and {high}{note}")
    value = int(raw)
    if not low <= value <= high:
        raise invalid(name, f"must be between {low} and {high}{note}")
    return value


def boolean(value: Any, name: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise invalid(name, "must be true or false")


def values(args: MultiDict[str, str], name: str) -> list[str]:
    """A repeatable, comma-separated parameter: ``tags=a&tags=b`` or ``tags=a,b``."""
    found = [v.strip() for raw in args.getlist(name) for v in raw.split(",") if v.strip()]
    if len(found) > MAX_VALUES:
        raise invalid(name, f"at most {MAX_VALUES} values")
    return list(dict.fromkeys(found))


def filters(args: MultiDict[str, str], sees_internal: bool = False,
            names: tuple[str, ...] = FILTER_NAMES) -> dict[str, list[str]]:
    """Filter values checked against the declaration in ``search/filters.py``."""
    result: dict[str, list[str]] = {}
    for declared in FILTERS:
        if declared.name not in names:
            continue
        found = values(args, declared.name)
        if not found:
            continue
        if declared.agents_only and not sees_internal:
            raise invalid(declared.name, "agents only: send an agent token")
        for value in found:
            problem = declared.problem(value)
            if problem:
                raise invalid(declared.name, problem)
        result[declared.name] = [v.lower() for v in found] if declared.lowercase else found
    return result


def search_params(args: MultiDict[str, str], sees_internal: bool = False) -> SearchParams:
    check_known(args, ("q", *FILTER_NAMES, "limit", "offset", "explain"))
    explain_values = args.getlist("explain")
    params = SearchParams(query=query_text(args), filters=filters(args, sees_internal),
                          limit=integer(args, "limit", 10, 1, MAX_LIMIT),
                          offset=integer(args, "offset", 0, 0, MAX_OFFSET, WINDOW_NOTE),
                          explain=boolean(explain_values[-1] if explain_values else None, "explain"))
    if params.offset + params.limit > MAX_RESULT_WINDOW:
        raise invalid("offset", f"must be at most {MAX_RESULT_WINDOW - params.limit} "
                      f"with limit={params.limit}{WINDOW_NOTE}")
    return params


def slug(value: Any, name: str = "slug") -> str:
    if not isinstance(value, str) or not SLUG_RE.match(value) or ".." in value:
        raise invalid(name, "must be an article slug such as 'billing/refund-policy'")
    return value


def json_object(body: Any, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    for name in body:
        if name not in allowed:
            raise invalid(name, f"unknown field; use {', '.join(allowed)}")
    return body


def text_field(body: Mapping[str, Any], name: str, max_length: int, required: bool = False) -> str:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(400, "missing_parameter", f"{name}: required")
        return ""
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    if len(value) > max_length:
        raise invalid(name, f"at most {max_length} characters")
    return value.strip()


def positive_int(body: Mapping[str, Any], name: str, high: int) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise invalid(name, f"must be a whole number between 1 and {high}")
    return value
