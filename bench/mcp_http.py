"""Cost of answering MCP at the app's ``/mcp`` against the same search through the JSON API.

    python bench/mcp_http.py [--requests 200] [--threads 4]

Builds the demo knowledge base (``articles/``) into a temporary index, serves the app with
werkzeug's threaded server on a free port and times, per request (keep-alive off, as urllib does):
``GET /api/v1/search?q=...`` and ``POST /mcp`` with ``tools/call search_articles`` for the same
query (no cache hits: each request has its own query from the demo titles, the API's response
cache included). Prints p50 and p95 in milliseconds, one client thread after another, then
``--threads`` client threads at once (total requests per second).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import load_knowledge_base
from search.indexer import build_index
from tests.browser_support import LiveServer
from web import create_app

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
           "MCP-Protocol-Version": "2025-06-18"}


def api(url: str, query: str) -> None:
    with urllib.request.urlopen(f"{url}/api/v1/search?" + urllib.parse.urlencode({"q": query, "limit": 5})) as r:
        assert json.loads(r.read())["results"] is not None


def mcp(url: str, query: str) -> None:
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "search_articles", "arguments": {"query": query, "limit": 5}}}
    request = urllib.request.Request(url + "/mcp", data=json.dumps(body).encode(), headers=HEADERS, method="POST")
    with urllib.request.urlopen(request) as r:
        assert "result" in json.loads(r.read())


def timed(call, url: str, query: str) -> float:
    start = time.perf_counter()
    call(url, query)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    articles = load_knowledge_base(ROOT / "articles")
    titles = [article.title for article in articles.articles]
    with tempfile.TemporaryDirectory() as tmp:
        build_index(articles, Path(tmp) / "index")
        app = create_app({"INDEX_DIR": str(Path(tmp) / "index"), "INSTANCE_DIR": str(Path(tmp) / "instance"),
                          "ANALYTICS_URL": "off", "RATELIMIT_ENABLED": False, "SEMANTIC": "off",
                          "SECRET_KEY": "bench"})
        live = LiveServer(app)
        try:
            for call in (api, mcp):  # warm up: imports, searchers, the MCP server
                call(live.url, "warm up")
            def queries(row: str) -> list[str]:  # never the same twice: no cached answers
                return [f"{titles[n % len(titles)]} {row}{n}" for n in range(args.requests)]

            print(f"{len(titles)} demo articles, {args.requests} requests per row")
            for name, call in (("api", api), ("mcp", mcp)):
                times = sorted(timed(call, live.url, q) for q in queries("a"))
                p95 = times[int(len(times) * 0.95) - 1]
                print(f"{name}  one client:  p50 {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms")
            for name, call in (("api", api), ("mcp", mcp)):
                start = time.perf_counter()
                with ThreadPoolExecutor(args.threads) as pool:
                    list(pool.map(lambda q, c=call: c(live.url, q), queries("b")))
                rate = args.requests / (time.perf_counter() - start)
                print(f"{name}  {args.threads} clients:  {rate:6.1f} requests/s")
        finally:
            live.stop()


if __name__ == "__main__":
    main()
