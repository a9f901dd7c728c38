"""What the MCP tools read: the index opened in this process, seen by one viewer.

:class:`LocalKnowledgeBase` answers the tools from an :class:`search.Engine` through
:mod:`search.assistant`; ``viewer_for(token, settings)`` is who an agent token belongs to, outside
any Flask request (stdio). Over HTTP the app resolves each request's viewer (``web.shared.auth``)
and sets :data:`CURRENT` for the duration of the MCP call.
"""
from __future__ import annotations

import contextvars
import hmac
from collections.abc import Callable
from typing import Any

from search import ANONYMOUS, Engine, Viewer
from search.assistant import article_list, article_markdown, find_articles, route_question
from web.shared.tokens import TokenStore, hash_token, token_file

#: The viewer of the HTTP request being answered (set by ``web.mcp.bridge``).
CURRENT: contextvars.ContextVar[Viewer] = contextvars.ContextVar("supportkb_mcp_viewer", default=ANONYMOUS)


def viewer_for(token: str, settings: Any) -> Viewer | None:
    """The audience of ``token``: an agent for a known token, None for an unknown one."""
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
