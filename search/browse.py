"""Reading articles from the served index: one article, lists for browsing, related, translations."""
from __future__ import annotations

from typing import Any

from whoosh import query as q

from search.analysis import field_language
from search.catalog import Catalog
from search.query import filter_query
from search.snapshot import Snapshot
from search.states import verification
from search.viewer import Viewer
from search.visibility import agent_only, may_see, route, served_article, text_kinds

SUMMARY_KEYS = ("slug", "title", "summary", "answer", "type", "level", "product", "lang", "tags",
                "audience", "updated", "review_by", "translation_of", "channels")


def summary(data: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
    """The fields of an article shown in lists and results."""
    item = {key: data[key] for key in SUMMARY_KEYS}
    item["url"] = f"/articles/{data['slug']}"
    item["stale"] = snapshot.is_stale(data["slug"])
    item["stale_translation"] = snapshot.is_stale_translation(data["slug"])
    return item


def get_data(snapshot: Snapshot, slug: str, viewer: Viewer) -> dict[str, Any] | None:
    """Everything stored about an article the viewer may see, or None (unknown or not visible).

    Callers use it to decide and to look up; what is served of it is :func:`article_view`."""
    stored = snapshot.searcher().document(slug=slug)
    if not stored or not may_see(viewer, stored["data"]):
        return None
    return stored["data"]


def article_view(snapshot: Snapshot, slug: str, viewer: Viewer) -> dict[str, Any] | None:
    """An article for display: sanitized HTML and Markdown source for the viewer's audience
    (``owner`` and ``path`` for agents and admins only)."""
    data = get_data(snapshot, slug, viewer)
    if data is None:
        return None
    view = summary(data, snapshot)
    view.update({
        "questions": data["questions"],
        **served_article(viewer, data),
        "related": related(snapshot, slug, viewer),
        "translations": translations(snapshot, data, viewer),
    })
    view["route"] = route(viewer, snapshot.routing.route(data["type"], data["level"]))
    checked = verification(snapshot, slug, viewer)
    if checked is not None:
        view["verification"] = checked
    view["channels"] = data["channels"] or snapshot.routing.channels.get(data["type"], [])
    return view


def list_articles(snapshot: Snapshot, viewer: Viewer, filters: dict[str, list[str]] | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Visible articles matching the filters (all of them unless ``limit``), sorted by title.

    Reads every match: for pages of customer lists use :func:`catalog`."""
    visible = filter_query(filters or {}, viewer)
    found = snapshot.searcher().search(q.Every(), filter=visible, limit=limit)
    items = [summary(hit["data"], snapshot) for hit in found]
    return sorted(items, key=lambda item: item["title"].lower())


def catalog(snapshot: Snapshot) -> Catalog:
    """The public articles of this version for browse pages and the sitemap, read once per version."""
    def read() -> Catalog:
        stored = (fields for _docnum, fields in snapshot.searcher().reader().iter_docs())
        return Catalog.read(stored, lambda data: summary(data, snapshot))
    return snapshot.once("catalog", read)


def translations(snapshot: Snapshot, data: dict[str, Any], viewer: Viewer) -> list[dict[str, str]]:
    """The same article in other languages: the original and its translations, visible ones only."""
    family = data["translation_of"] or data["slug"]
    found = snapshot.searcher().search(q.Term("family", family), filter=filter_query({}, viewer),
                                       limit=100)
    return [{"lang": d["lang"], "slug": d["slug"], "title": d["title"], "url": f"/articles/{d['slug']}"}
            for d in (hit["data"] for hit in found) if d["slug"] != data["slug"]]


def related(snapshot: Snapshot, slug: str, viewer: Viewer, limit: int = 5) -> list[dict[str, Any]]:
    """Writer-chosen related articles first, then similar articles (more like this)."""
    data = get_data(snapshot, slug, viewer)
    if data is None:
        return []
    chosen: list[dict[str, Any]] = []
    for other in data["related"]:
        other_data = get_data(snapshot, other, viewer)
        if other_data is not None:
            chosen.append(summary(other_data, snapshot))
    if len(chosen) < limit:
        seen = {slug} | {item["slug"] for item in chosen}
        chosen += [item for item in _more_like_this(snapshot, data, viewer, limit * 2)
                   if item["slug"] not in seen][:limit - len(chosen)]
    return chosen[:limit]


def _more_like_this(snapshot: Snapshot, data: dict[str, Any], viewer: Viewer,
                    limit: int) -> list[dict[str, Any]]:
    """Articles sharing the key terms of this one's public text, matched only in the fields the
    viewer may match on (a customer's ranking never consults internal paragraphs)."""
    lang = field_language(data["lang"])
    searcher = snapshot.searcher()
    text = " ".join([data["title"], *data["questions"], " ".join(data["tags"]), data["text_public"]])
    field = f"internal_{lang}" if agent_only(data) else f"all_{lang}"
    key_terms = searcher.key_terms_from_text(field, text, numterms=12)
    if not key_terms:
        return []
    query = q.Or([q.Term(f"{kind}_{lang}", term, boost=weight)
                  for term, weight in key_terms for kind in text_kinds(viewer)])
    visible = filter_query({"lang": [data["lang"]]}, viewer)
    found = searcher.search(query, filter=visible, limit=limit + 1)
    return [summary(hit["data"], snapshot) for hit in found if hit["data"]["slug"] != data["slug"]]
