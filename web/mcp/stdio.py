"""``flask --app web mcp``: the MCP server over stdin/stdout, for an assistant that starts it.

The audience is fixed when the server starts: public content only, unless ``SUPPORTKB_MCP_TOKEN``
holds an agent token (``AGENT_TOKENS`` or the token file of ``flask token create``), which adds
internal articles, internal paragraphs and escalation routes. A token that is set but unknown stops
the server with an error rather than quietly serving the public view. The app's own settings and
engine are used; stdout carries the protocol, so logs go to stderr. ``python build.py mcp`` calls
:func:`serve_stdio` too, without the app.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from search import ANONYMOUS, Engine, IndexUnavailable
from web.mcp.knowledge import LocalKnowledgeBase, viewer_for
from web.mcp.server import build_server

log = logging.getLogger(__name__)
TOKEN_ENV = "SUPPORTKB_MCP_TOKEN"


def unknown_token(token: str) -> int:
    """Say that ``token`` is unknown (by fingerprint, never the token); the exit code."""
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:8]
    print(f"Error: {TOKEN_ENV} is not a known agent token (sha256 {fingerprint}...)\n"
          "Hint: create one with 'flask --app web token create NAME' or list it in AGENT_TOKENS",
          file=sys.stderr)
    return 1


def serve_stdio(engine: Engine, settings: Any, token: str) -> int:
    """Serve MCP over stdin/stdout as the owner of ``token`` ('' for the public) until the client
    closes; the exit code."""
    viewer = ANONYMOUS
    if token:
        found = viewer_for(token, settings)
        if found is None:
            return unknown_token(token)
        viewer = found
    try:
        with engine.request():
            engine.snapshot()
    except IndexUnavailable as exc:
        print(f"Error: no search index: {exc}\nHint: run 'python build.py' first", file=sys.stderr)
        return 1
    log.info("MCP server for %s", "agents" if viewer.sees_internal else "the public")
    build_server(LocalKnowledgeBase(engine, viewer, str(settings.get("SITE_URL") or ""))).run("stdio")
    return 0


@click.command("mcp")
@with_appcontext
def mcp_command() -> None:
    """Serve the knowledge base to an MCP client over stdio (token: SUPPORTKB_MCP_TOKEN)."""
    if not logging.getLogger().handlers:  # stdout is the protocol: anything logged goes to stderr
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                            format="%(levelname)s %(name)s: %(message)s")
    code = serve_stdio(current_app.extensions["supportkb.engine"], current_app.config,
                       os.environ.get(TOKEN_ENV, "").strip())
    if code:
        sys.exit(code)
