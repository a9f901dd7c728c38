"""``python build.py mcp``: the knowledge base as a Model Context Protocol server.

    python build.py mcp [--index DIR]                    stdio (an assistant starts it)
    python build.py mcp --http [--host H] [--port P]     streamable HTTP at /mcp (commands/mcp_http.py)
    python build.py mcp --url URL                        stdio, answers from a running server's API

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
Over HTTP each request brings its own token (``Authorization: Bearer``) instead.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import sys

from commands.mcp_server import LocalKnowledgeBase, build_server, viewer_for
from kb.settings import load_settings
from search import ANONYMOUS, Engine, IndexUnavailable, Viewer
from search.semantic.dense import Settings as SemanticSettings

log = logging.getLogger(__name__)
TOKEN_ENV = "SUPPORTKB_MCP_TOKEN"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python build.py mcp",
                                     description="serve the knowledge base to MCP clients")
    parser.add_argument("--index", help="index folder (default: the INDEX_DIR setting)")
    parser.add_argument("--http", action="store_true",
                        help="serve streamable HTTP at /mcp instead of stdio (agents send their token "
                        "as 'Authorization: Bearer ...')")
    parser.add_argument("--host", default="127.0.0.1", help="with --http: address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="with --http: port (default 8765)")
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
    if args.http:
        from commands.mcp_http import serve_http  # noqa: PLC0415
        return serve_http(settings, args.index or settings["INDEX_DIR"], args.host, args.port)
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

