"""The JSON API under ``/api/v1``: search, suggest, triage, recommend, articles, feedback, OpenAPI.

Views live in ``search``, ``recommend`` and ``articles`` (on the blueprint of ``blueprint``); this module holds the wiring
(the viewer of each request, CSRF exemption, CORS, token commands, response cache). The viewer is
resolved before any view runs, so a wrong token is a 401 on every endpoint.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from web.api import articles, recommend, search  # noqa: F401  (their views register on ``bp``)
from web.api.blueprint import bp
from web.api.cache import DEFAULT_BYTES, DEFAULT_SIZE, ResponseCache
from web.api.openapi import openapi_document
from web.shared import auth, cors, tokens
from web.shared.auth import agent_viewer
from web.shared.extensions import csrf


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
