"""The knowledge base as a Model Context Protocol server, inside the app.

``POST /mcp``     streamable HTTP (the SDK's stateless JSON mode, see :mod:`web.mcp.bridge`), on the
                  same port as the site and the API, so ``flask run``, gunicorn and waitress all
                  serve it; ``MCP_ENABLED = False`` turns it off (404).
``flask mcp``     the same server over stdio for an assistant that starts it (:mod:`web.mcp.stdio`).

Read-only tools ``search_articles``, ``get_article`` and ``route_question`` and one resource per
article (:mod:`web.mcp.server`). Who is asking is resolved like everywhere else
(``web.shared.auth``): no ``Authorization`` header, public content only; a known agent token
(``Bearer``), internal content too; an unknown one, ``401 invalid_token``. The console's session
cookie does not count here: MCP clients send tokens, and a cookie would make a cross-site POST
speak for a signed-in agent. A browser ``Origin`` must be this site or one of ``CORS_ORIGINS``.
"""
from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, Flask, current_app, request

from search import ANONYMOUS, Viewer
from web.mcp import bridge
from web.mcp.knowledge import CURRENT, LocalKnowledgeBase
from web.mcp.server import build_server
from web.shared import auth
from web.shared.cors import allowed_origins
from web.shared.errors import ApiError
from web.shared.extensions import csrf, limiter, search_limit

bp = Blueprint("mcp", __name__)
PATH = "/mcp"
#: Response headers of the transport that the app sets itself (or that must not be copied).
SKIPPED_HEADERS = {"content-length", "connection", "transfer-encoding"}
_build_lock = threading.Lock()


def enabled(config: Any) -> bool:
    value = config.get("MCP_ENABLED", True)
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


def mcp_viewer() -> Viewer:
    """Bearer tokens only: without an ``Authorization`` header the caller is anonymous."""
    if "Authorization" not in request.headers:
        return ANONYMOUS
    return auth.agent_viewer()  # 401 invalid_token for a wrong one


def _lowlevel_server() -> Any:
    """The app's MCP server (built once, on first use: importing the SDK takes a moment)."""
    found = current_app.extensions.get("supportkb.mcp_server")
    if found is None:
        with _build_lock:
            found = current_app.extensions.get("supportkb.mcp_server")
            if found is None:
                kb = LocalKnowledgeBase(current_app.extensions["supportkb.engine"], CURRENT.get,
                                        str(current_app.config.get("SITE_URL") or ""),
                                        audience="customers, or agents with a token")
                # The SDK's own clients reach into it the same way (mcp.client.Client).
                found = build_server(kb, inline=True)._lowlevel_server
                current_app.extensions["supportkb.mcp_server"] = found
    return found


def _check_origin() -> None:
    """A browser may call /mcp from this site or a ``CORS_ORIGINS`` origin only (the MCP spec asks
    servers to check ``Origin``, against DNS rebinding)."""
    origin = request.headers.get("Origin")
    if origin is None or origin.rstrip("/") == request.host_url.rstrip("/"):
        return
    allowed = allowed_origins(current_app.config)
    if "*" not in allowed and origin.rstrip("/") not in allowed:
        raise ApiError(403, "origin_not_allowed", "this origin may not call /mcp (see CORS_ORIGINS)")


@bp.post(PATH)
@limiter.limit(search_limit)
def endpoint() -> Any:
    """One JSON-RPC message in, its answer out (202 for notifications). GET (a server-sent event
    stream) and DELETE (end a session) answer 405: stateless JSON mode has neither."""
    if not enabled(current_app.config):
        raise ApiError(404, "not_found", "the MCP endpoint is turned off (MCP_ENABLED)")
    _check_origin()
    body = request.get_data(cache=False)
    answer = bridge.answer(_lowlevel_server(), request.environ, body, auth.viewer())
    headers = [(k, v) for k, v in answer.headers if k.lower() not in SKIPPED_HEADERS]
    return current_app.response_class(answer.body, status=answer.status, headers=headers)


def init_app(app: Flask) -> None:
    from web.mcp.stdio import mcp_command
    app.cli.add_command(mcp_command)
    csrf.exempt(bp)  # bearer tokens, never cookies: nothing here acts for a signed-in session
    auth.register_viewer(app, bp.name, mcp_viewer)
