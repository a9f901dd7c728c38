"""``python build.py mcp``: the knowledge base as a Model Context Protocol server over stdio.

Read-only tools for chat assistants and agent tools, built with the official ``mcp`` SDK:

    search_articles(query, type?, level?, lang?, limit?)   the best articles, with the say-this answer
    get_article(slug)                                      one article as Markdown (answer, route, body)
    route_question(text)                                   likely type and level, and where to forward

and one resource per article, ``supportkb://articles/<slug>`` (Markdown). The audience is fixed when
the server starts: public content only, unless ``SUPPORTKB_MCP_TOKEN`` holds an agent token
(``AGENT_TOKENS`` or the token file of ``python build.py token create``), which adds internal
articles, internal paragraphs and escalation routes. A token that is set but unknown stops the
server with an error rather than quietly serving the public view. The engine is opened in process
from ``INDEX_DIR`` (the same settings as the app); stdout carries the protocol, logs go to stderr.
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import logging
import os
import sys
from typing import Any

from kb.settings import load_settings
from search import ANONYMOUS, Engine, IndexUnavailable, QueryError, Viewer
from search.assistant import article_list, article_markdown, find_articles, route_question
from search.semantic.dense import Settings as SemanticSettings

log = logging.getLogger(__name__)
TOKEN_ENV = "SUPPORTKB_MCP_TOKEN"
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
    """The index opened in this process, seen by one viewer."""

    def __init__(self, engine: Engine, viewer: Viewer, base_url: str = "") -> None:
        self.engine, self.viewer, self.base_url = engine, viewer, base_url
        self.audience = "agents" if viewer.sees_internal else "customers"

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py mcp",
                                     description="serve the knowledge base to MCP clients over stdio")
    parser.add_argument("--index", help="index folder (default: the INDEX_DIR setting)")
    parser.add_argument("--url", help="use a running supportkb server over its JSON API instead of "
                        "opening the index (e.g. https://help.example.com)")
    return parser


def run(argv: list[str]) -> int:
    """Serve MCP over stdin/stdout until the client closes; the exit code."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        args = _parser().parse_args(argv[1:])
    except SystemExit as exc:
        return int(exc.code or 0)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if args.url:
        return _serve_remote(args.url, token)
    settings = load_settings()
    viewer: Viewer | None = ANONYMOUS
    if token:
        viewer = viewer_for(token, settings)
        if viewer is None:
            return _unknown_token(token)
    engine = Engine(args.index or settings["INDEX_DIR"], semantic=SemanticSettings.from_config(settings))
    try:
        with engine.request():
            engine.snapshot()
    except IndexUnavailable as exc:
        print(f"Error: no search index: {exc}\nHint: run 'python build.py' first", file=sys.stderr)
        return 1
    log.info("MCP server for %s", "agents" if viewer.sees_internal else "the public")
    try:
        build_server(LocalKnowledgeBase(engine, viewer, str(settings.get("SITE_URL") or ""))).run("stdio")
    finally:
        engine.close()
    return 0


def _unknown_token(token: str) -> int:
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:8]
    print(f"Error: {TOKEN_ENV} is not a known agent token (sha256 {fingerprint}...)\n"
          "Hint: create one with 'python build.py token create NAME' or list it in AGENT_TOKENS",
          file=sys.stderr)
    return 1


def _serve_remote(url: str, token: str) -> int:
    from commands.mcp_remote import RemoteError, RemoteKnowledgeBase  # noqa: PLC0415
    try:
        kb = RemoteKnowledgeBase(url, token)
        kb.check()
    except RemoteError as exc:
        if exc.status == 401:
            return _unknown_token(token)
        print(f"Error: {exc}\nHint: is supportkb running at {url}?", file=sys.stderr)
        return 1
    build_server(kb).run("stdio")
    return 0

