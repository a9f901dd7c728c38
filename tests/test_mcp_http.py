"""Streamable HTTP at the app's own ``/mcp``, driven by the official SDK's client against real
threaded servers (werkzeug's, as ``flask run``, and waitress): the bearer token decides the audience
per request, an unknown one is a 401, and concurrent sessions never see each other's audience. The
same tests run under gunicorn (a separate process with threaded workers, as in docs/operations.md)."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import AGENT_TOKEN, make_app
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.browser_support import LiveServer
from web.shared.auth import SESSION_KEY, _env_tokens

INTERNAL_SLUG = "agents/goodwill-credits"
INTERNAL_WORDS = "goodwill credit"
#: A protocol version of the initialize handshake (the SDK's client sends one of these too).
PROTOCOL = "2025-06-18"
RPC_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
               "MCP-Protocol-Version": PROTOCOL}


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def slugs(answer: dict[str, Any]) -> list[str]:
    return [hit["slug"] for hit in answer["results"]]


async def http_answers(url: str, token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=30) as http, \
            Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as client:
        tools = await client.list_tools()
        hidden = await client.call_tool("search_articles", {"query": INTERNAL_WORDS, "limit": 10})
        public = await client.call_tool("get_article", {"slug": "billing/refund-policy"})
        internal = await client.call_tool("get_article", {"slug": INTERNAL_SLUG})
        triage = await client.call_tool("route_question", {"text": "I want my money back"})
        resources = await client.list_resources()
        return {"tools": sorted(tool.name for tool in tools.tools), "hidden": json.loads(text_of(hidden)),
                "public": text_of(public), "internal": internal.is_error,
                "triage": json.loads(text_of(triage)),
                "resources": sorted(str(r.uri) for r in resources.resources)}


class WaitressServer:
    """The app under waitress (4 threads) on a free port. Its event loop runs in small steps in one
    thread, which also closes every socket at the end (closing them from another thread while the
    loop is in select() leaves sockets open and the loop failing with EBADF)."""

    def __init__(self, app: Any) -> None:
        from waitress.server import create_server
        self.server = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from waitress import wasyncore
        try:
            while not self.stopping.is_set():
                wasyncore.loop(timeout=0.05, map=self.server._map, count=1)
        finally:
            for dispatcher in list(self.server._map.values()):  # the channels and the listener
                dispatcher.close()
            self.server.task_dispatcher.shutdown()  # the worker threads

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)


class GunicornServer:
    """``gunicorn 'web:create_app()'`` (2 threaded workers) on a free port, configured through the
    ``KB_*`` environment as in production; stopped with SIGTERM to its own process."""

    def __init__(self, index_dir: Path, instance_dir: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ, KB_INDEX_DIR=str(index_dir), KB_INSTANCE_DIR=str(instance_dir),
                   KB_AGENT_TOKENS=AGENT_TOKEN, KB_ANALYTICS_URL="off", KB_RATELIMIT_ENABLED="false",
                   KB_SECRET_KEY="test-secret")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
             "-b", f"127.0.0.1:{port}", "web:create_app()"],
            cwd=Path(__file__).resolve().parent.parent, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.url + "/api/v1/search?q=refund", timeout=15).close()
                return
            except OSError:  # refused, reset or timed out while the workers start
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(params=["werkzeug", "waitress", "gunicorn"])
def served(request: pytest.FixtureRequest, index_dir: Path, tmp_path: Path) -> Iterator[Any]:
    if request.param == "gunicorn":
        server: Any = GunicornServer(index_dir, tmp_path / "instance")
        try:
            yield server
        finally:
            server.stop()
        return
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off")
    server = LiveServer(app) if request.param == "werkzeug" else WaitressServer(app)
    try:
        yield server
    finally:
        server.stop()


def test_the_token_decides_the_audience_per_request(served: Any) -> None:
    url = served.url + "/mcp"
    public = asyncio.run(http_answers(url, None))
    assert public["tools"] == ["get_article", "route_question", "search_articles"]
    assert INTERNAL_SLUG not in slugs(public["hidden"]) and "zanzibar" not in public["public"]
    assert public["public"].startswith("# How do I get a refund?")
    assert public["internal"] and public["triage"]["route"] is None
    assert f"supportkb://articles/{INTERNAL_SLUG}" not in public["resources"]

    agent = asyncio.run(http_answers(url, AGENT_TOKEN))
    assert INTERNAL_SLUG in slugs(agent["hidden"]) and "zanzibar" in agent["public"]
    assert not agent["internal"] and agent["triage"]["route"]
    assert f"supportkb://articles/{INTERNAL_SLUG}" in agent["resources"]


def test_concurrent_sessions_keep_their_own_audience(served: Any) -> None:
    url = served.url + "/mcp"

    async def many() -> list[dict[str, Any]]:
        return await asyncio.gather(*(http_answers(url, AGENT_TOKEN if n % 2 else None) for n in range(6)))

    for n, seen in enumerate(asyncio.run(many())):
        assert (INTERNAL_SLUG in slugs(seen["hidden"])) == bool(n % 2), n
        assert ("zanzibar" in seen["public"]) == bool(n % 2), n


def test_an_unknown_token_is_refused_with_401(served: Any) -> None:
    refused = urllib.request.Request(served.url + "/mcp", data=b"{}", method="POST",
                                     headers={"Authorization": "Bearer wrong", **RPC_HEADERS})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=10)
    assert error.value.code == 401
    assert error.value.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert json.loads(error.value.read())["error"]["code"] == "invalid_token"


def rpc(client: Any, method: str, params: dict[str, Any], **headers: str) -> Any:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    return client.post("/mcp", data=json.dumps(body), headers={**RPC_HEADERS, **headers})


def test_headers_errors_and_the_switch(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off",
                   CORS_ORIGINS="https://crm.example.com")
    client = app.test_client()
    listed = rpc(client, "tools/list", {})
    assert listed.status_code == 200 and listed.is_json
    assert {tool["name"] for tool in listed.json["result"]["tools"]} == {
        "search_articles", "get_article", "route_question"}
    assert listed.headers["Cache-Control"] == "no-store"
    assert listed.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in listed.headers["Content-Security-Policy"]

    allowed = rpc(client, "tools/list", {}, Origin="https://crm.example.com")
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    other = rpc(client, "tools/list", {}, Origin="https://evil.example")
    assert other.status_code == 403 and other.json["error"]["code"] == "origin_not_allowed"

    stream = client.get("/mcp", headers={"Accept": "text/event-stream"})
    assert stream.status_code == 405 and stream.json["error"]["code"] == "method_not_allowed"
    bad = rpc(client, "tools/list", {}, Authorization="Basic abc")
    assert bad.status_code == 401 and bad.json["error"]["code"] == "invalid_token"

    off = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off", MCP_ENABLED=False).test_client()
    assert rpc(off, "tools/list", {}).status_code == 404


def test_mcp_is_rate_limited_like_searches(index_dir: Path, tmp_path: Path) -> None:
    client = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off", RATELIMIT_ENABLED=True,
                      RATELIMIT_SEARCH="2 per minute").test_client()
    assert [rpc(client, "ping", {}).status_code for _ in range(3)] == [200, 200, 429]
    assert rpc(client, "ping", {}).json["error"]["code"] == "rate_limited"


def test_the_console_session_cookie_does_not_count(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off")
    client = app.test_client()
    token_id = _env_tokens(app)[0][0]
    with client.session_transaction() as session:
        session[SESSION_KEY] = {"id": token_id, "name": "AGENT_TOKENS"}
    found = rpc(client, "tools/call", {"name": "search_articles", "arguments": {"query": INTERNAL_WORDS}})
    result = json.loads(found.json["result"]["content"][0]["text"])
    assert INTERNAL_SLUG not in slugs(result)
    with_token = rpc(client, "tools/call", {"name": "search_articles", "arguments": {"query": INTERNAL_WORDS}},
                     Authorization=f"Bearer {AGENT_TOKEN}")
    assert INTERNAL_SLUG in slugs(json.loads(with_token.json["result"]["content"][0]["text"]))
