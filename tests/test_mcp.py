"""The MCP server over stdio (``flask --app web mcp``, ``python build.py mcp``), driven by the
official SDK's own client; streamable HTTP at the app's ``/mcp``: tests/test_mcp_http.py.

Without ``SUPPORTKB_MCP_TOKEN`` only public content is visible (search, get_article, resources);
with an agent token internal articles, internal paragraphs and routes appear; an unknown token
stops the server instead of serving the public view.
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import AGENT_TOKEN, make_app
from mcp import Client, StdioServerParameters

from tests.browser_support import LiveServer
from web.mcp.knowledge import viewer_for
from web.mcp.stdio import TOKEN_ENV
from web.shared.tokens import TokenStore, token_file

ROOT = Path(__file__).resolve().parent.parent
INTERNAL_SLUG = "agents/goodwill-credits"
INTERNAL_WORDS = "goodwill credit"


def params(index_dir: Path, tmp_path: Path, token: str | None) -> StdioServerParameters:
    """``python build.py mcp`` over the test index."""
    env = {"KB_INSTANCE_DIR": str(tmp_path / "instance"), "KB_AGENT_TOKENS": AGENT_TOKEN,
           "KB_SEMANTIC": "off", "PYTHONPATH": str(ROOT)}
    if token is not None:
        env[TOKEN_ENV] = token
    return StdioServerParameters(command=sys.executable, args=["build.py", "mcp", "--index", str(index_dir)],
                                 env=env, cwd=str(ROOT))


def flask_env(index_dir: Path, tmp_path: Path, token: str | None) -> dict[str, str]:
    """The app's settings from the environment, as an assistant's MCP config would give them."""
    env = {"FLASK_APP": "web", "PYTHONPATH": str(ROOT), "KB_INDEX_DIR": str(index_dir),
           "KB_INSTANCE_DIR": str(tmp_path / "instance"), "KB_AGENT_TOKENS": AGENT_TOKEN,
           "KB_SEMANTIC": "off", "KB_ANALYTICS_URL": "off", "PATH": os.environ.get("PATH", "")}
    if token is not None:
        env[TOKEN_ENV] = token
    return env


def flask_params(index_dir: Path, tmp_path: Path, token: str | None) -> StdioServerParameters:
    """``flask --app web mcp`` (``FLASK_APP=web``), started from a folder that is not the project."""
    return StdioServerParameters(command=sys.executable, args=["-m", "flask", "mcp"],
                                 env=flask_env(index_dir, tmp_path, token), cwd=str(tmp_path))


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def session_answers(server: StdioServerParameters) -> dict[str, Any]:
    """Everything a client sees in one session: tools, a search, articles and resources."""
    async with Client(server, read_timeout_seconds=60) as client:
        tools = await client.list_tools()
        found = await client.call_tool("search_articles", {"query": "refund money back", "limit": 5})
        hidden = await client.call_tool("search_articles", {"query": INTERNAL_WORDS, "limit": 10})
        billing = await client.call_tool("search_articles", {"query": "refund", "type": "technical"})
        bad = await client.call_tool("search_articles", {"query": "refund", "level": 7})
        public = await client.call_tool("get_article", {"slug": "billing/refund-policy"})
        internal = await client.call_tool("get_article", {"slug": INTERNAL_SLUG})
        triage = await client.call_tool("route_question", {"text": "I want my money back"})
        resources = await client.list_resources()
        read = await client.read_resource("supportkb://articles/billing/refund-policy")
        return {"tools": sorted(tool.name for tool in tools.tools),
                "found": json.loads(text_of(found)), "hidden": json.loads(text_of(hidden)),
                "billing": json.loads(text_of(billing)), "bad": (bad.is_error, text_of(bad)),
                "public": text_of(public), "internal": (internal.is_error, text_of(internal)),
                "triage": json.loads(text_of(triage)),
                "resources": sorted(str(r.uri) for r in resources.resources),
                "read": read.contents[0].text}


def slugs(answer: dict[str, Any]) -> list[str]:
    return [hit["slug"] for hit in answer["results"]]


def test_flask_mcp_without_a_token_only_public_content(index_dir: Path, tmp_path: Path) -> None:
    seen = asyncio.run(session_answers(flask_params(index_dir, tmp_path, None)))
    assert seen["tools"] == ["get_article", "route_question", "search_articles"]
    assert slugs(seen["found"])[0] == "billing/refund-policy"
    assert seen["found"]["results"][0]["answer"]
    assert INTERNAL_SLUG not in slugs(seen["hidden"])
    assert all(hit["audience"] == "public" for hit in seen["hidden"]["results"])
    assert all(hit["type"] == "technical" for hit in seen["billing"]["results"])
    assert seen["bad"][0] and "level" in seen["bad"][1]
    assert seen["public"].startswith("# How do I get a refund?") and "## Say this" in seen["public"]
    assert "## Escalation route" not in seen["public"] and "zanzibar" not in seen["public"]
    assert "zanzibar" not in seen["read"]
    assert seen["internal"][0] and "no article" in seen["internal"][1]
    assert seen["triage"]["type"] == "billing" and seen["triage"]["route"] is None
    assert "supportkb://articles/billing/refund-policy" in seen["resources"]
    assert f"supportkb://articles/{INTERNAL_SLUG}" not in seen["resources"]
    assert seen["read"].startswith("# How do I get a refund?")


def test_flask_mcp_with_an_agent_token_shows_internal_content_and_routes(index_dir: Path,
                                                                         tmp_path: Path) -> None:
    seen = asyncio.run(session_answers(flask_params(index_dir, tmp_path, AGENT_TOKEN)))
    assert INTERNAL_SLUG in slugs(seen["hidden"])
    assert not seen["internal"][0] and seen["internal"][1].startswith("# ")
    assert "audience: internal" in seen["internal"][1]
    assert "## Escalation route" in seen["public"] and "zanzibar" in seen["public"]
    assert seen["triage"]["route"]
    assert f"supportkb://articles/{INTERNAL_SLUG}" in seen["resources"]


def test_build_py_mcp_serves_the_same_server(index_dir: Path, tmp_path: Path) -> None:
    public = asyncio.run(session_answers(params(index_dir, tmp_path, None)))
    assert INTERNAL_SLUG not in slugs(public["hidden"]) and public["internal"][0]
    agent = asyncio.run(session_answers(params(index_dir, tmp_path, AGENT_TOKEN)))
    assert INTERNAL_SLUG in slugs(agent["hidden"]) and "zanzibar" in agent["public"]


def test_an_unknown_token_stops_the_server(index_dir: Path, tmp_path: Path) -> None:
    env = dict(os.environ, KB_INSTANCE_DIR=str(tmp_path / "instance"), KB_AGENT_TOKENS=AGENT_TOKEN,
               SUPPORTKB_MCP_TOKEN="not-a-token", KB_SEMANTIC="off")
    commands = {"build.py": ([sys.executable, "build.py", "mcp", "--index", str(index_dir)], env, ROOT),
                "flask": ([sys.executable, "-m", "flask", "mcp"],
                          flask_env(index_dir, tmp_path, "not-a-token"), tmp_path)}
    for name, (command, environment, cwd) in commands.items():
        done = subprocess.run(command, check=False, cwd=cwd, env=environment, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 1, name
        assert done.stderr.startswith("Error: SUPPORTKB_MCP_TOKEN is not a known agent token"), done.stderr
        assert "not-a-token" not in done.stderr and done.stdout == "", name


async def remote_answers(server: StdioServerParameters) -> dict[str, Any]:
    async with Client(server, read_timeout_seconds=60) as client:
        hidden = await client.call_tool("search_articles", {"query": INTERNAL_WORDS, "limit": 10})
        public = await client.call_tool("get_article", {"slug": "billing/refund-policy"})
        internal = await client.call_tool("get_article", {"slug": INTERNAL_SLUG})
        bad = await client.call_tool("search_articles", {"query": "refund", "type": "nonsense"})
        triage = await client.call_tool("route_question", {"text": "I want my money back"})
        read = await client.read_resource("supportkb://articles/billing/refund-policy")
        return {"hidden": json.loads(text_of(hidden)), "public": text_of(public),
                "internal": (internal.is_error, text_of(internal)), "bad": (bad.is_error, text_of(bad)),
                "triage": json.loads(text_of(triage)), "read": read.contents[0].text}


def test_over_a_running_server_the_token_decides_too(index_dir: Path, tmp_path: Path) -> None:
    live = LiveServer(make_app(index_dir, tmp_path / "inst", ANALYTICS_URL="off"))
    try:
        def remote(token: str | None) -> StdioServerParameters:
            found = params(index_dir, tmp_path, token)
            found.args = ["build.py", "mcp", "--url", live.url]
            found.env = {k: v for k, v in (found.env or {}).items() if k != "KB_AGENT_TOKENS"}
            return found

        public = asyncio.run(remote_answers(remote(None)))
        assert INTERNAL_SLUG not in slugs(public["hidden"])
        assert public["public"].startswith("# How do I get a refund?") and "zanzibar" not in public["public"]
        assert f"customer link: {live.url}/articles/billing/refund-policy" in public["public"]
        assert public["internal"][0] and public["bad"][0] and "type" in public["bad"][1]
        assert public["triage"]["route"] is None and public["read"] == public["public"]

        agent = asyncio.run(remote_answers(remote(AGENT_TOKEN)))
        assert INTERNAL_SLUG in slugs(agent["hidden"])
        assert "zanzibar" in agent["public"] and "## Escalation route" in agent["public"]
        assert not agent["internal"][0] and agent["triage"]["route"]

        env = dict(os.environ, SUPPORTKB_MCP_TOKEN="not-a-token")
        done = subprocess.run([sys.executable, "build.py", "mcp", "--url", live.url], check=False, cwd=ROOT,
                              env=env,
                              capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 1 and done.stderr.startswith("Error: SUPPORTKB_MCP_TOKEN is not a known")
    finally:
        live.stop()


def test_tokens_from_the_token_file_and_from_agent_tokens_are_known(tmp_path: Path) -> None:
    settings = {"INSTANCE_DIR": str(tmp_path), "AGENT_TOKEN_FILE": "", "AGENT_TOKENS": f"other, {AGENT_TOKEN}"}
    entry, token = TokenStore(token_file(settings)).create("helpdesk bot")
    from_file = viewer_for(token, settings)
    assert from_file is not None and from_file.sees_internal and from_file.name == "helpdesk bot"
    from_env = viewer_for(AGENT_TOKEN, settings)
    assert from_env is not None and from_env.sees_internal
    assert viewer_for("skb_" + "x" * 40, settings) is None
    TokenStore(token_file(settings)).revoke(entry.id)
    assert viewer_for(token, settings) is None
