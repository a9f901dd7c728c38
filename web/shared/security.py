"""Security headers on every response; no third-party origins anywhere.

``/embed/*`` pages are made to live in an iframe of the sites listed in ``EMBED_ORIGINS``: there
(and only there) ``frame-ancestors`` names those origins and ``X-Frame-Options`` is left out (it
cannot name an origin, and would override the list). Every other page may not be framed at all.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


EMBED_PREFIX = "/embed/"


def embed_policy(origins: list[str]) -> str:
    """The CSP of ``/embed/*``: the site's policy with the allowed parent origins as ancestors."""
    ancestors = " ".join(origins) if origins else "'none'"
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


def add_security_headers(response: Response) -> Response:
    embedded = request.path.startswith(EMBED_PREFIX)
    for name, value in HEADERS.items():
        if embedded and name == "X-Frame-Options":
            continue
        if embedded and name == "Content-Security-Policy":
            value = embed_policy(current_app.config.get("EMBED_ORIGINS") or [])
        response.headers.setdefault(name, value)
    if request.path.startswith(("/api/", "/mcp", "/agent", "/admin", EMBED_PREFIX)):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
