"""Answer one WSGI request with the SDK's streamable HTTP transport (an ASGI app), in the thread
that serves it.

Flask is WSGI and the SDK's transport is ASGI. Rather than a long-lived event loop in a thread of
its own (a2wsgi and the like: another owner to start, stop and keep alive in every worker of every
WSGI server), each request runs a short event loop in its own thread, in the SDK's **stateless JSON
mode**: a fresh ``StreamableHTTPSessionManager`` is started (``run()``, which opens the server's
lifespan and the task group the transport needs), answers this one request and is closed again.
Stateless JSON mode keeps no session between requests, so nothing outlives the request; threaded
servers (``flask run``, gunicorn ``gthread``, waitress) answer concurrent requests in parallel
threads, each with its own loop. Costs an event loop per request (well under a millisecond).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import anyio

from search import Viewer
from web.mcp.knowledge import CURRENT

ASGI_VERSION = {"version": "3.0", "spec_version": "2.3"}


@dataclass
class Answer:
    """The HTTP response the transport sent."""

    status: int = 500
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def scope_of(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """The ASGI HTTP scope of a WSGI request (PEP 3333 environ)."""
    headers = [(key[5:].replace("_", "-").lower().encode("latin-1"), str(value).encode("latin-1"))
               for key, value in environ.items() if key.startswith("HTTP_")]
    for key, name in (("CONTENT_TYPE", b"content-type"), ("CONTENT_LENGTH", b"content-length")):
        if environ.get(key):
            headers.append((name, str(environ[key]).encode("latin-1")))
    if not environ.get("CONTENT_LENGTH"):
        headers.append((b"content-length", str(len(body)).encode()))
    path = environ.get("PATH_INFO", "/")
    server = (str(environ.get("SERVER_NAME", "")), int(environ.get("SERVER_PORT") or 0))
    client = (str(environ.get("REMOTE_ADDR", "")), int(environ.get("REMOTE_PORT") or 0))
    return {"type": "http", "asgi": ASGI_VERSION, "http_version": "1.1",
            "method": environ.get("REQUEST_METHOD", "GET"), "scheme": environ.get("wsgi.url_scheme", "http"),
            "path": path, "raw_path": path.encode("latin-1"), "root_path": environ.get("SCRIPT_NAME", ""),
            "query_string": str(environ.get("QUERY_STRING", "")).encode("latin-1"),
            "headers": headers, "server": server, "client": client}


async def _serve(manager_args: dict[str, Any], scope: dict[str, Any], body: bytes, viewer: Viewer) -> Answer:
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    answer, done, sent_body = Answer(), anyio.Event(), False

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()  # as Starlette's test client: the client "leaves" once answered
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = int(message["status"])
            answer.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")
            if not message.get("more_body"):
                done.set()

    CURRENT.set(viewer)  # this task's context: the tools (run in worker threads) inherit it
    manager = StreamableHTTPSessionManager(**manager_args, json_response=True, stateless=True)
    async with manager.run():
        await manager.handle_request(scope, receive, send)
    return answer


def answer(lowlevel_server: Any, environ: dict[str, Any], body: bytes, viewer: Viewer,
           security: Any = None) -> Answer:
    """Run the MCP server over one request, as ``viewer``; blocks this thread until answered."""
    manager_args = {"app": lowlevel_server, "security_settings": security}
    return anyio.run(_serve, manager_args, scope_of(environ, body), body, viewer)
