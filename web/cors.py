"""CORS for ``/api/*`` so a CRM or chat tool page can call the API: a few headers, no extension.

``CORS_ORIGINS`` is a comma-separated list of origins (``https://crm.example.com``) or ``*``.
Credentials are never allowed cross-origin: other sites authenticate with a bearer token, and the
console's session cookie only works same-origin.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, request

ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, X-Search-Session"
EXPOSE_HEADERS = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"
MAX_AGE = "600"


def allowed_origins(config: Any) -> list[str]:
    raw = str(config.get("CORS_ORIGINS") or "")
    return [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]


def allow_origin(origin: str | None) -> str | None:
    """The value of ``Access-Control-Allow-Origin`` for this request's origin, or None."""
    if not origin:
        return None
    origins = allowed_origins(current_app.config)
    if "*" in origins:
        return "*"
    return origin if origin.rstrip("/") in origins else None


def preflight() -> Response | None:
    """Answer ``OPTIONS`` preflights under /api/ before routing, auth or rate limits."""
    if request.method != "OPTIONS" or not request.path.startswith("/api/"):
        return None
    if "Access-Control-Request-Method" not in request.headers:
        return None
    response = current_app.response_class(status=204)
    allowed = allow_origin(request.headers.get("Origin"))
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
    response.headers["Vary"] = "Origin"
    return response


def add_headers(response: Response) -> Response:
    if not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    allowed = allow_origin(request.headers.get("Origin"))
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = allowed
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, preflight)
    app.after_request(add_headers)
