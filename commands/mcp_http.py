"""``python build.py mcp --http``: the same MCP server over streamable HTTP at ``/mcp``.

Stateless JSON mode (every POST is answered on its own, no session to keep), served by uvicorn
(installed with the ``mcp`` SDK). Each request's audience comes from its ``Authorization`` header,
resolved by :class:`Audience` before the SDK sees the request: no header, public content; a known
agent token, internal content too; an unknown or malformed one, ``401 invalid_token`` (never a
quiet downgrade to public). Put it behind the same reverse proxy as the app (``location /mcp``).
"""
from __future__ import annotations

import contextvars
import json
import logging
from typing import Any, Awaitable, Callable

from commands.mcp_server import LocalKnowledgeBase, build_server, viewer_for
from search import ANONYMOUS, Engine, IndexUnavailable, Viewer
from search.semantic.dense import Settings as SemanticSettings

log = logging.getLogger(__name__)
PATH = "/mcp"
#: The viewer of the request being answered (set by :class:`Audience`).
CURRENT: contextvars.ContextVar[Viewer] = contextvars.ContextVar("supportkb_mcp_viewer", default=ANONYMOUS)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Audience:
    """ASGI middleware: the request's bearer token -> :data:`CURRENT` viewer, or a 401."""

    def __init__(self, app: Any, check: Callable[[str], Viewer | None]) -> None:
        self.app, self.check = app, check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        header = headers.get("authorization")
        viewer: Viewer | None = ANONYMOUS
        if header is not None:
            scheme, _, token = header.partition(" ")
            viewer = self.check(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
            if viewer is None:
                log.info("MCP: rejected an unknown agent token")
                await _refuse(send)
                return
        reset = CURRENT.set(viewer)
        try:
            await self.app(scope, receive, send)
        finally:
            CURRENT.reset(reset)


async def _refuse(send: Send) -> None:
    body = json.dumps({"error": {"code": "invalid_token", "message": "unknown or revoked agent token"}}).encode()
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"application/json"),
                            (b"www-authenticate", b'Bearer error="invalid_token"')]})
    await send({"type": "http.response.body", "body": body})


def http_app(engine: Engine, settings: dict[str, Any], host: str = "127.0.0.1") -> Any:
    """The ASGI app: the SDK's streamable HTTP app at ``/mcp`` behind :class:`Audience`."""
    kb = LocalKnowledgeBase(engine, CURRENT.get, str(settings.get("SITE_URL") or ""),
                            audience="customers, or agents with a token")
    app = build_server(kb).streamable_http_app(streamable_http_path=PATH, stateless_http=True,
                                               json_response=True, host=host)
    return Audience(app, lambda token: viewer_for(token, settings))


def serve_http(settings: dict[str, Any], index_dir: str, host: str, port: int) -> int:
    """Serve until interrupted; the exit code."""
    import uvicorn  # noqa: PLC0415
    engine = Engine(index_dir, semantic=SemanticSettings.from_config(settings))
    try:
        with engine.request():
            engine.snapshot()
    except IndexUnavailable as exc:
        print(f"Error: no search index: {exc}\nHint: run 'python build.py' first")
        return 1
    try:
        print(f"MCP over streamable HTTP at http://{host}:{port}{PATH}", flush=True)
        uvicorn.run(http_app(engine, settings, host), host=host, port=port, log_level="warning")
    finally:
        engine.close()
    return 0
