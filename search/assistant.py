"""Read-only answers for assistants and other tools (the MCP server): search, one article, a list.

Each function takes the engine and the viewer; what the viewer may see is decided, as everywhere,
by :mod:`search.visibility` (through ``Engine.search`` and :mod:`search.browse`). Results are plain
data and Markdown: the caller turns them into its protocol.
"""
from __future__ import annotations

from typing import Any

from search.browse import article_view, list_articles
from search.engine import Engine
from search.filters import BY_NAME
from search.triage import triage
from search.types import QueryError, SearchRequest
from search.viewer import Viewer
from search.visibility import route

MAX_LIMIT = 20
HIT_KEYS = ("slug", "title", "summary", "answer", "type", "level", "lang", "audience", "url", "stale")


def filters_of(type: str | None = None, level: int | None = None,
               lang: str | None = None) -> dict[str, list[str]]:
    """Search filters from optional arguments; QueryError names the one that is wrong."""
    filters: dict[str, list[str]] = {}
    for name, value in (("type", type), ("level", level), ("lang", lang)):
        if value is None or value == "":
            continue
        text = str(value).strip().lower()
        problem = BY_NAME[name].problem(text)
        if problem:
            raise QueryError("invalid_parameter", f"{name}: {problem}")
        filters[name] = [text]
    return filters


def find_articles(engine: Engine, viewer: Viewer, query: str, *, type: str | None = None,
                  level: int | None = None, lang: str | None = None,
                  limit: int = 5) -> dict[str, Any]:
    """The best articles for ``query``: ``{query, did_you_mean, no_good_answer, total, results}``."""
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise QueryError("invalid_parameter", f"limit: from 1 to {MAX_LIMIT}")
    response = engine.search(SearchRequest(query, filters=filters_of(type, level, lang), limit=int(limit),
                                           viewer=viewer, facets=False))
    results = []
    for hit in response.results:
        item = {key: getattr(hit, key) for key in HIT_KEYS}
        item["snippet"] = hit.snippet
        results.append(item)
    return {"query": response.query, "did_you_mean": response.did_you_mean,
            "no_good_answer": response.no_good_answer, "total": response.total, "results": results}


def article_markdown(engine: Engine, viewer: Viewer, slug: str, base_url: str = "") -> str | None:
    """One article as Markdown (:func:`markdown_of`); None when the slug is unknown or not visible."""
    with engine.request():
        view = article_view(engine.snapshot(), slug, viewer)
    return None if view is None else markdown_of(view, base_url)


def markdown_of(view: dict[str, Any], base_url: str = "") -> str:
    """An article as served (``search.browse.article_view``, or the API's article JSON) as
    Markdown: title, type and level, the say-this answer, the route when served, then the body."""
    lines = [f"# {view['title']}", "",
             f"- slug: `{view['slug']}`", f"- type: {view['type']}, level {view['level']}",
             f"- language: {view['lang']}", f"- audience: {view['audience']}"]
    if view["audience"] == "public":
        lines.append(f"- customer link: {base_url.rstrip('/')}{view['url']}")
    if view.get("stale"):
        lines.append("- review overdue: check before relying on it")
    if view.get("answer") or view.get("summary"):
        lines += ["", "## Say this", "", view.get("answer") or view["summary"]]
    route = view.get("route")
    if route:
        lines += ["", "## Escalation route", "", str(route.get("summary") or "")]
        if route.get("notes"):
            lines += ["", str(route["notes"])]
    lines += ["", "## Article", "", str(view["markdown"]).strip(), ""]
    return "\n".join(lines)


def route_question(engine: Engine, viewer: Viewer, text: str) -> dict[str, Any]:
    """Triage: likely type and level with a confidence, the route (agents) and the top answers."""
    with engine.request():
        response = engine.search(SearchRequest(text, limit=5, viewer=viewer, facets=False))
        vote = triage(response, engine.snapshot().routing)
    forward = route(viewer, vote.get("route"))
    return {"type": vote["type"], "level": vote["level"], "confidence": vote["confidence"],
            "no_good_answer": vote["no_good_answer"], "route": forward["summary"] if forward else None,
            "answers": [{"slug": hit.slug, "title": hit.title, "answer": hit.answer or hit.summary}
                        for hit in response.results[:3]]}


def article_list(engine: Engine, viewer: Viewer) -> list[dict[str, Any]]:
    """Every article the viewer may see (slug, title, type, level, lang), sorted by title."""
    with engine.request():
        items = list_articles(engine.snapshot(), viewer)
    return [{key: item[key] for key in ("slug", "title", "summary", "type", "level", "lang", "audience")}
            for item in items]
