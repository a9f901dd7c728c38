"""``python build.py mcp``: the knowledge base as a Model Context Protocol server over stdio.

    python build.py mcp [--index DIR]      stdio, the index opened in process (as ``flask --app web mcp``)
    python build.py mcp --url URL          stdio, answers from a running server's JSON API

The server itself (tools, resources, audience) lives in ``web/mcp``; streamable HTTP is served by
the app at ``/mcp`` (``flask --app web run``, gunicorn, waitress). The audience is fixed when the
server starts: public content only, unless ``SUPPORTKB_MCP_TOKEN`` holds an agent token, which adds
internal content; an unknown token stops the server with an error. stdout carries the protocol,
logs go to stderr.
"""
from __future__ import annotations

import argparse
import os
import sys

from commands.cli import parse, start_logging
from kb.settings import load_settings
from search import Engine
from search.semantic.dense import Settings as SemanticSettings
from web.mcp.server import build_server
from web.mcp.stdio import TOKEN_ENV, serve_stdio, unknown_token

__all__ = ["TOKEN_ENV", "run"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py mcp", description="serve the knowledge base to MCP clients over stdio "
        "(streamable HTTP: the app serves /mcp)")
    parser.add_argument("--index", help="index folder (default: the INDEX_DIR setting)")
    parser.add_argument("--url", help="use a running supportkb server over its JSON API instead of "
                        "opening the index (e.g. https://help.example.com)")
    return parser


def run(argv: list[str]) -> int:
    """Serve MCP over stdin/stdout until the client closes; the exit code."""
    start_logging()
    args = parse(_parser(), argv[1:])
    if isinstance(args, int):
        return args
    token = os.environ.get(TOKEN_ENV, "").strip()
    if args.url:
        return _serve_remote(args.url, token)
    settings = load_settings()
    engine = Engine(args.index or settings["INDEX_DIR"], semantic=SemanticSettings.from_config(settings))
    try:
        return serve_stdio(engine, settings, token)
    finally:
        engine.close()


def _serve_remote(url: str, token: str) -> int:
    from commands.mcp_remote import RemoteError, RemoteKnowledgeBase
    try:
        kb = RemoteKnowledgeBase(url, token)
        kb.check()
    except RemoteError as exc:
        if exc.status == 401:
            return unknown_token(token)
        print(f"Error: {exc}\nHint: is supportkb running at {url}?", file=sys.stderr)
        return 1
    build_server(kb).run("stdio")
    return 0
