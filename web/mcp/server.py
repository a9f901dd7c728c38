"""The MCP server itself, for every transport: the tools and the article resources.

``build_server(kb)`` wraps a knowledge base object (``web.mcp.knowledge.LocalKnowledgeBase`` in
process, or ``commands.mcp_remote.RemoteKnowledgeBase`` over a server's JSON API) in the official
SDK's ``MCPServer``. The audience is the knowledge base's business, never the server's: the same
server answers stdio (one fixed viewer) and HTTP (a viewer per request).
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import anyio.to_thread

from search import QueryError

URI_PREFIX = "supportkb://articles/"


def build_server(kb: Any, *, inline: bool = False) -> Any:
    """The MCP server over ``kb`` (:class:`LocalKnowledgeBase` or ``mcp_remote.RemoteKnowledgeBase``).

    The knowledge base is synchronous. By default each call runs in a worker thread, so a long-lived
    event loop (stdio) stays free meanwhile. ``inline=True`` calls it in the loop's own thread: for
    the HTTP bridge, whose loop serves one request and nothing else, that blocks nobody and saves
    two thread hand-offs per call (under load each can wait a GIL switch interval, 5 ms).
    """
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
    from mcp.types import Resource

    class KnowledgeBaseServer(MCPServer):
        async def list_resources(self) -> list[Resource]:
            return [Resource(uri=URI_PREFIX + item["slug"], name=item["slug"], title=item["title"],
                             description=item["summary"] or None, mime_type="text/markdown")
                    for item in await call(kb.articles)]

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # the SDK calls basicConfig; the app owns logging
    server = KnowledgeBaseServer(
        "supportkb", instructions=f"Support knowledge base, as served to {kb.audience}. Search with "
        "search_articles, read one with get_article; quote the 'Say this' answer to customers.",
        log_level="WARNING")
    root.handlers[:] = handlers
    root.setLevel(level)

    async def call(method: Callable[..., Any], *args: Any, **options: Any) -> Any:
        if inline:
            return method(*args, **options)
        return await anyio.to_thread.run_sync(functools.partial(method, *args, **options))

    @server.tool(annotations=_read_only())
    async def search_articles(query: str, type: str | None = None, level: int | None = None,
                              lang: str | None = None, limit: int = 5) -> dict[str, Any]:
        """Search the knowledge base with the customer's words. Optional filters: type (technical,
        billing, product, general), level (0, 1 or 2), lang (en, es, ...); limit 1 to 20."""
        try:
            return await call(kb.search, query, type=type, level=level, lang=lang, limit=limit)
        except QueryError as exc:
            raise ToolError(exc.message) from exc

    @server.tool(annotations=_read_only())
    async def get_article(slug: str) -> str:
        """One article as Markdown: the say-this answer, the escalation route (agents) and the body."""
        text = await call(kb.article, slug)
        if text is None:
            raise ToolError(f"no article {slug!r}")
        return text

    @server.tool(annotations=_read_only())
    async def route_question(text: str) -> dict[str, Any]:
        """Triage: the likely support type and level of a question, and (agents) where to forward."""
        try:
            return await call(kb.route, text)
        except QueryError as exc:
            raise ToolError(exc.message) from exc

    @server.resource(URI_PREFIX + "{+slug}", mime_type="text/markdown")
    async def article_resource(slug: str) -> str:
        """An article of the knowledge base as Markdown."""
        text = await call(kb.article, slug)
        if text is None:
            raise ResourceNotFoundError(f"no article {slug!r}")
        return text

    return server


def _read_only() -> Any:
    from mcp.types import ToolAnnotations
    return ToolAnnotations(read_only_hint=True, open_world_hint=False)
