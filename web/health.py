"""``/health``: index version and article count, for load balancers and operators."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from search import IndexUnavailable

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Any:
    engine = current_app.extensions["supportkb.engine"]
    try:
        snapshot = engine.snapshot()
    except IndexUnavailable:
        response = jsonify({"status": "unavailable", "index": None})
        response.status_code = 503
        return response
    meta = snapshot.meta
    return jsonify({"status": "ok", "index": {"version": snapshot.name, "built_at": meta["built_at"],
                                              "articles": meta["public_count"],
                                              "languages": sorted(meta["languages"])},
                    # semantic layer: {"state": "on" | "off" | "unavailable", "reason": ...}
                    "semantic": snapshot.semantic.as_dict()})
