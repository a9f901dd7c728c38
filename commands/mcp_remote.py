"""``python build.py mcp --url URL``: the MCP tools over a running server's JSON API.

The server decides the audience from the bearer token (``SUPPORTKB_MCP_TOKEN``), exactly as for
any API client. The API has no article listing, so over ``--url`` the server lists no resources;
reading ``supportkb://articles/<slug>`` still works.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from search.assistant import HIT_KEYS, markdown_of
from search.types import QueryError

TIMEOUT = 15.0


class RemoteError(RuntimeError):
    """The server could not be reached or refused the request (``status`` 0 when unreachable)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class RemoteKnowledgeBase:
    """The tools' answers from ``/api/v1`` of a supportkb server at ``url``."""

    def __init__(self, url: str, token: str = "") -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteError(f"--url must be an http(s) address such as https://help.example.com, got {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.audience = "the caller of this token" if token else "customers"

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The JSON answer of ``GET /api/v1/<path>``; None for a 404; QueryError for a 400."""
        query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
        request = urllib.request.Request(f"{self.url}/api/v1/{path}" + (f"?{query}" if query else ""),
                                         headers={"Accept": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http/https only)
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            try:
                error = json.loads(exc.read().decode("utf-8"))["error"]
            except (ValueError, KeyError, TypeError):
                error = {"code": "http_error", "message": f"HTTP {exc.code}"}
            if exc.code == 400:
                raise QueryError(error["code"], error["message"]) from exc
            raise RemoteError(f"{self.url}: {error['message']}", exc.code) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise RemoteError(f"cannot reach {self.url}: {exc}") from exc

    def check(self) -> None:
        """One request, so a wrong address or token stops the server at startup."""
        self._get("search", {"q": "help", "limit": 1})

    def search(self, query: str, *, type: str | None = None, level: int | None = None,
               lang: str | None = None, limit: int = 5) -> dict[str, Any]:
        body = self._get("search", {"q": query, "type": type, "level": level, "lang": lang,
                                    "limit": limit}) or {}
        results = [{key: hit.get(key) for key in (*HIT_KEYS, "snippet")} for hit in body.get("results", [])]
        return {"query": body.get("query"), "did_you_mean": body.get("did_you_mean"),
                "no_good_answer": body.get("no_good_answer"), "total": body.get("total"),
                "results": results}

    def article(self, slug: str) -> str | None:
        view = self._get("articles/" + urllib.parse.quote(slug))
        return None if view is None else markdown_of(view, self.url)

    def route(self, text: str) -> dict[str, Any]:
        body = self._get("triage", {"q": text, "limit": 3}) or {}
        return {"type": body.get("type"), "level": body.get("level"), "confidence": body.get("confidence"),
                "no_good_answer": body.get("no_good_answer"), "route": body.get("route_summary"),
                "answers": [{"slug": hit["slug"], "title": hit["title"],
                             "answer": hit.get("answer") or hit.get("summary")}
                            for hit in body.get("answers", [])]}

    def articles(self) -> list[dict[str, Any]]:
        return []
