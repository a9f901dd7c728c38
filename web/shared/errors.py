"""One JSON error shape under /api/, friendly HTML pages elsewhere; never an exception's text."""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from search import IndexUnavailable, QueryError

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
         429: "rate_limited", 500: "internal_error", 503: "index_unavailable"}


class ApiError(Exception):
    """An error an API view raises to answer with the JSON error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


#: ``app.extensions`` key: callables tried, in order, before a 404 page; one may return a response.
NOT_FOUND_RESOLVERS = "supportkb.not_found_resolvers"


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


JSON_PATHS = ("/health", "/search.json", "/mcp")
JSON_PREFIXES = ("/api/", "/embed/deflect/")


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.path in JSON_PATHS


def json_error(status: int, code: str, message: str) -> Response:
    response = jsonify(error_body(code, message))
    response.status_code = status
    return response


def _html_error(status: int, message: str) -> tuple[str, int]:
    try:
        return render_template("error.html", status=status, message=message), status
    except Exception:  # noqa: BLE001  (a template problem must not hide the original error)
        log.exception("error page failed")
        return f"<!doctype html><title>{status}</title><h1>{status}</h1>", status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Any:
        return json_error(exc.status, exc.code, exc.message)

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError) -> Any:
        if wants_json():
            return json_error(400, exc.code, exc.message)
        return _html_error(400, exc.message)

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(exc: IndexUnavailable) -> Any:
        log.error("index unavailable: %s", exc)
        if wants_json():
            response = json_error(503, "index_unavailable", "the search index is not available")
        else:
            response = make_response(
                _html_error(503, "Search is briefly unavailable. Please try again in a minute."))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if status == 404 and request.method in ("GET", "HEAD"):
            for resolve in current_app.extensions.get(NOT_FOUND_RESOLVERS, []):
                answer = resolve()  # e.g. an old URL of the help centre this site replaced
                if answer is not None:
                    return answer
        if wants_json():
            response = json_error(status, CODES.get(status, "http_error"), exc.description or "")
            if status == 405 and exc.get_response().headers.get("Allow"):
                response.headers["Allow"] = exc.get_response().headers["Allow"]
            return response
        message = exc.description or ""
        if status == 404 and message == type(exc).description:
            message = ""  # the page says it in the visitor's language
        return _html_error(status, message)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "internal_error", "internal error")
        return _html_error(500, "Something went wrong on our side.")
