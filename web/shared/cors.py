"""CORS for ``/api/*`` and ``/mcp`` (Flask-CORS), so a CRM or chat tool page can call the API.

``CORS_ORIGINS`` is a comma-separated list of origins (``https://crm.example.com``) or ``*``.
Credentials are never allowed cross-origin: other sites authenticate with a bearer token, and the
console's session cookie only works same-origin. Other paths (site, console) get no CORS headers.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_cors import CORS

ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
ALLOW_HEADERS = ["Authorization", "Content-Type", "X-Search-Session", "Mcp-Protocol-Version"]
EXPOSE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"]
MAX_AGE = 600


def allowed_origins(config: Any) -> list[str]:
    raw = str(config.get("CORS_ORIGINS") or "")
    return [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]


def _vary_on_origin(response: Response) -> Response:
    """Caches must key API answers by Origin (Flask-CORS's own Vary is lost when the session
    header set later rewrites Vary)."""
    if request.path.startswith(("/api/", "/mcp")):
        response.vary.add("Origin")
    return response


def init_app(app: Flask) -> None:
    origins = allowed_origins(app.config)
    if not origins:
        return  # same-origin only: no CORS headers at all
    wildcard = "*" in origins
    allowed = {"origins": "*" if wildcard else origins}
    CORS(app, resources={r"/api/*": allowed, r"/mcp": allowed},
         methods=ALLOW_METHODS, allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE_HEADERS,
         max_age=MAX_AGE, supports_credentials=False, send_wildcard=wildcard, vary_header=True)
    app.after_request(_vary_on_origin)
