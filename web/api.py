"""The JSON API under ``/api/v1``: search, suggest, triage, articles, feedback and its OpenAPI document.

Views live in ``api_search`` and ``api_articles``; this module holds the blueprint and the wiring
(the viewer of each request, CSRF exemption, CORS, token commands, response cache). The viewer is
resolved before any view runs, so a wrong token is a 401 on every endpoint.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from web import auth, cors, tokens
from web.api_cache import DEFAULT_BYTES, DEFAULT_SIZE, ResponseCache
from web.auth import agent_viewer, viewer
from web.extensions import csrf
from web.openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def search_limit() -> str:
    return str(current_app.config.get("RATELIMIT_SEARCH") or "120 per minute")


def feedback_limit() -> str:
    return str(current_app.config.get("RATELIMIT_FEEDBACK") or "20 per minute")


def engine() -> Any:
    return current_app.extensions["supportkb.engine"]


def response_cache() -> ResponseCache:
    return current_app.extensions["supportkb.api_cache"]


def source() -> str:
    """Analytics source: ``agent`` for the console and agent tokens, ``api`` otherwise."""
    return "agent" if viewer().sees_internal else "api"


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


def init_app(app: Flask) -> None:
    csrf.exempt(bp)
    auth.init_app(app)
    auth.register_viewer(app, bp.name, agent_viewer)
    tokens.init_app(app)
    cors.init_app(app)
    size = int(app.config.get("SEARCH_CACHE_SIZE", DEFAULT_SIZE))
    max_bytes = int(app.config.get("SEARCH_CACHE_BYTES", DEFAULT_BYTES))
    app.extensions["supportkb.api_cache"] = ResponseCache(size, max_bytes)


from web import api_articles, api_search  # noqa: E402,F401  (their views register on ``bp``)
