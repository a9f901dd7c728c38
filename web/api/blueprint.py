"""The API blueprint and what its views share: the engine, the response cache, the source."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from web.api.cache import ResponseCache
from web.shared.auth import viewer

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def engine() -> Any:
    return current_app.extensions["supportkb.engine"]


def response_cache() -> ResponseCache:
    return current_app.extensions["supportkb.api_cache"]


def source() -> str:
    """Analytics source: ``agent`` for the console and agent tokens, ``api`` otherwise."""
    return "agent" if viewer().sees_internal else "api"
