"""``/media/<path>``: images and attachments that ``build.py import`` copied into
``articles/_media/`` (kb/imports/files.py), served from the configured ``ARTICLES_DIR``.

Who may fetch a file is decided by what links it, as recorded with the served index version
(kb/media.py, search/visibility.py): a file customer-visible content links is served to anyone; one
that only internal articles or ``::: internal`` blocks link, or that nothing links, only to agents
and admins (a Bearer token or a signed-in console session). Anyone else gets the 404 of an unknown
file, so its existence is not revealed. Only file types an article embeds or links are served,
each with a sandboxing CSP (an SVG or a PDF cannot run script as this site) and ``nosniff``;
anything else, and any path outside the folder, is a plain 404.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory

from kb.media import MEDIA_DIR, MEDIA_URL, PUBLIC
from search.viewer import ANONYMOUS, Viewer
from search.visibility import media_audience, media_visible
from web.shared.auth import agent_viewer, register_viewer, viewer

bp = Blueprint("media", __name__)
#: Extensions served, lower case: images, and the attachments help centres export.
SERVED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".ico", ".pdf",
                    ".txt", ".csv", ".zip", ".mp4", ".webm"})
MAX_AGE = 3600
#: The blueprint whose registered viewer resolver knows admins (web/admin).
ADMIN_BLUEPRINT = "admin"


@bp.get(MEDIA_URL + "/<path:filename>")
def media(filename: str) -> Any:
    """One file under ``ARTICLES_DIR/_media`` the viewer may fetch; 404 otherwise."""
    if Path(filename).suffix.lower() not in SERVED:
        abort(404)
    audience = media_audience(current_app.extensions["supportkb.engine"].snapshot(), filename)
    if not media_visible(viewer(), audience):
        abort(404)  # as for a file that does not exist
    folder = Path(current_app.config["ARTICLES_DIR"]) / MEDIA_DIR
    response = send_from_directory(folder, filename, max_age=MAX_AGE)  # safe_join: 404 outside
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if audience != PUBLIC:  # an agent-only file: never kept by a shared cache, never embedded elsewhere
        response.cache_control.public = False
        response.cache_control.private = True
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.after_request
def vary(response: Response) -> Response:
    """Every answer here, 404s included, depends on the credentials: a cache must key on them
    (the session cookie adds ``Vary: Cookie`` itself)."""
    response.vary.add("Authorization")
    return response


def staff_viewer() -> Viewer:
    """An admin (admin token or session), else an agent (agent token or console session), else
    anonymous; a wrong bearer token is a 401 (web/shared/auth.py)."""
    admin = current_app.extensions.get("supportkb.viewers", {}).get(ADMIN_BLUEPRINT)
    found = admin() if admin is not None else ANONYMOUS
    return found if found.sees_internal else agent_viewer()


def init_app(app: Flask) -> None:
    """Serve ``/media/``, with agents and admins resolved from their credentials."""
    app.register_blueprint(bp)
    register_viewer(app, bp.name, staff_viewer)
