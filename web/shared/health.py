"""``/health`` (liveness) and ``/health/ready`` (readiness), for load balancers and operators.

Liveness answers from what is open already and never loads a model; readiness may load the
semantic layer of the served version (once per version) to report its state.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify

from search import IndexUnavailable

bp = Blueprint("health", __name__)

#: Reported for the semantic layer before a request has loaded it.
NOT_LOADED = {"state": "not loaded", "reason": "loaded by the first search or /health/ready"}


def _unavailable(problem: str | None = None) -> Any:
    body: dict[str, Any] = {"status": "unavailable", "index": None}
    if problem:
        body["problem"] = problem
    response = jsonify(body)
    response.status_code = 503
    return response


def _index(snapshot: Any) -> dict[str, Any]:
    meta = snapshot.meta
    return {"version": snapshot.name, "built_at": meta["built_at"], "articles": meta["public_count"],
            "languages": sorted(meta["languages"])}


@bp.get("/health")
def health() -> Any:
    """Alive and serving an index version; the semantic state only if already loaded."""
    try:
        snapshot = current_app.extensions["supportkb.engine"].snapshot()
    except IndexUnavailable:
        return _unavailable()
    loaded = snapshot.loaded_semantic()
    return jsonify({"status": "ok", "index": _index(snapshot),
                    # semantic layer: {"state": "on" | "off" | "unavailable" | "not loaded", "reason": ...}
                    "semantic": loaded.as_dict() if loaded is not None else NOT_LOADED})


@bp.get("/health/ready")
def ready() -> Any:
    """Ready to answer: the index version, its article count, the semantic state and any problem
    opening a newer version (503 while no version can be served)."""
    engine = current_app.extensions["supportkb.engine"]
    try:
        snapshot = engine.snapshot()
    except IndexUnavailable as exc:
        return _unavailable(str(exc))
    stats = engine.stats()
    return jsonify({"status": "ready", "index": _index(snapshot), "semantic": snapshot.semantic.as_dict(),
                    "swaps": stats["swaps"], "open_versions": stats["open_versions"],
                    "problem": stats["problem"]})
