"""``/media/<path>``: images and attachments that ``build.py import`` copied into
``articles/_media/`` (kb/imports/files.py), served from the configured ``ARTICLES_DIR``.

Only file types an article embeds or links are served, each with a sandboxing CSP (an SVG or a PDF
cannot run script as this site) and ``nosniff``; anything else, and any path outside the folder,
is a plain 404.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, send_from_directory

MEDIA_DIR = "_media"
#: Extensions served, lower case: images, and the attachments help centres export.
SERVED = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".ico", ".pdf",
                    ".txt", ".csv", ".zip", ".mp4", ".webm"})
MAX_AGE = 3600


def media(filename: str) -> Any:
    """One file under ``ARTICLES_DIR/_media``; 404 for other types or paths."""
    if Path(filename).suffix.lower() not in SERVED:
        abort(404)
    folder = Path(current_app.config["ARTICLES_DIR"]) / MEDIA_DIR
    response = send_from_directory(folder, filename, max_age=MAX_AGE)  # safe_join: 404 outside
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
