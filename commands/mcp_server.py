"""The MCP server itself, for every transport: the tools, the article resources, the audience.

``build_server(kb)`` wraps a knowledge base object (:class:`LocalKnowledgeBase` in process, or
``commands.mcp_remote.RemoteKnowledgeBase`` over a server's JSON API) in the official SDK's
``MCPServer``; ``viewer_for(token, settings)`` is who an agent token belongs to.
"""
from __future__ import annotations

import hmac
from typing import Any, Callable

from search import Engine, QueryError, Viewer
from search.assistant import article_list, article_markdown, find_articles, route_question

URI_PREFIX = "supportkb://articles/"


def viewer_for(token: str, settings: dict[str, Any]) -> Viewer | None:
    """The audience of ``token``: an agent for a known token, None for an unknown one."""
    from web.shared.tokens import TokenStore, hash_token, token_file  # noqa: PLC0415
    digest = hash_token(token)
    known = False
    for candidate in str(settings.get("AGENT_TOKENS") or "").split(","):
        if candidate.strip() and hmac.compare_digest(hash_token(candidate.strip()), digest):
            known = True
    entry = TokenStore(token_file(settings)).find(token)
    if entry is not None:
        return Viewer("agent", entry.name, "token")
    return Viewer("agent", "AGENT_TOKENS", "token") if known else None


class LocalKnowledgeBase:
    """The index opened in this process, seen by one viewer: fixed (stdio), or resolved per
    request (HTTP: ``viewer`` is then a function returning the current request's viewer)."""

    def __init__(self, engine: Engine, viewer: Viewer | Callable[[], Viewer], base_url: str = "",
                 audience: str = "") -> None:
        self.engine, self.base_url = engine, base_url
        self._viewer = viewer
        fixed = viewer if isinstance(viewer, Viewer) else None
        self.audience = audience or ("agents" if fixed and fixed.sees_internal else "customers")

    @property
    def viewer(self) -> Viewer:
        return self._viewer if isinstance(self._viewer, Viewer) else self._viewer()

    def search(self, query: str, **options: Any) -> dict[str, Any]:
        return find_articles(self.engine, self.viewer, query, **options)

    def article(self, slug: str) -> str | None:
        return article_markdown(self.engine, self.viewer, slug, self.base_url)

    def route(self, text: str) -> dict[str, Any]:
        return route_question(self.engine, self.viewer, text)

    def articles(self) -> list[dict[str, Any]]:
        return article_list(self.engine, self.viewer)


def build_server(kb: Any) -> Any:
    """The MCP server over ``kb`` (:class:`LocalKnowledgeBase` or ``mcp_remote.RemoteKnowledgeBase``)."""
    from mcp.server.mcpserver import MCPServer  # noqa: PLC0415
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError  # noqa: PLC0415
    from mcp.types import Resource  # noqa: PLC0415

    class KnowledgeBaseServer(MCPServer):
        async def list_resources(self) -> list[Resource]:
            return [Resource(uri=URI_PREFIX + item["slug"], name=item["slug"], title=item["title"],
                             description=item["summary"] or None, mime_type="text/markdown")
                    for item in kb.articles()]

    server = KnowledgeBaseServer(
        "supportkb", instructions=f"Support knowledge base, as served to {kb.audience}. Search with "
        "search_articles, read one with get_article; quote the 'Say this' answer to customers.")

    @server.tool(annotations=_read_only())
    def search_articles(query: str, type: str | None = None, level: int | None = None,
                        lang: str | None = None, limit: int = 5) -> dict[str, Any]:
        """Search the knowledge base with the customer's words. Optional filters: type (technical,
        billing, product, general), level (0, 1 or 2), lang (en, es, ...); limit 1 to 20."""
        try:
            return kb.search(query, type=type, level=level, lang=lang, limit=limit)
        except QueryError as exc:
            raise ToolError(exc.message) from exc

    @server.tool(annotations=_read_only())
    def get_article(slug: str) -> str:
        """One article as Markdown: the say-this answer, the escalation route (agents) and the body."""
        text = kb.article(slug)
        if text is None:
            raise ToolError(f"no article {slug!r}")
        return text

    @server.tool(annotations=_read_only())
    def route_question(text: str) -> dict[str, Any]:
        """Triage: the likely support type and level of a question, and (agents) where to forward."""
        try:
            return kb.route(text)
        except QueryError as exc:
            raise ToolError(exc.message) from exc

    @server.resource(URI_PREFIX + "{+slug}", mime_type="text/markdown")
    def article_resource(slug: str) -> str:
        """An article of the knowledge base as Markdown."""
        text = kb.article(slug)
        if text is None:
            raise ResourceNotFoundError(f"no article {slug!r}")
        return text

    return server


def _read_only() -> Any:
    from mcp.types import ToolAnnotations  # noqa: PLC0415
    return ToolAnnotations(read_only_hint=True, open_world_hint=False)
