"""The one place that decides what a viewer may see of agent-only content.

Internal content is an article with ``audience: internal`` (every field of it), an article in
``status: review`` (not yet validated: agents see it, marked so; customers never), and the
``::: internal`` paragraphs of public articles (indexed in the ``internal_<lang>`` fields, stored
as ``text_internal`` / ``source``, rendered for agents by ``rendering.py``). Search, suggest, snippets, explanations,
facets, typo correction, related articles, translations, lists (browse, sitemap) and served
article data all ask this module, so an access test has one place to prove:

* :func:`search_filter`: the Whoosh filter of the documents a viewer may find;
* :func:`text_kinds` / :func:`field_visible`: the text fields a viewer may match on;
* :func:`may_see`: the per-document check on stored data;
* :func:`served_article`: the stored fields of one article a viewer is served;
* :func:`review_data`: verification data (owners, verified, due): agents and admins only;
* :func:`redirect_target` / :func:`archived_answer`: old and withdrawn URLs;
* :func:`media_audience` / :func:`media_visible`: images and attachments under ``/media/``.

Which words are internal is settled when indexing (``documents.py`` fills ``all_`` with public text
only, ``indexer.py`` splits the typo vocabulary, ``semantic/embeddings.py`` marks agent-only rows);
this module decides, per request, who gets them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from whoosh import query as q

from kb.media import PUBLIC, media_key
from search.filters import visible_filters
from search.rendering import article_html
from search.viewer import Viewer

if TYPE_CHECKING:
    from search.snapshot import Snapshot
    from search.typos import Vocabulary

PUBLIC_KINDS = ("all",)
AGENT_KINDS = ("all", "internal")
#: Stored fields about who wrote an article and where its file is: for agents and admins only.
STAFF_FIELDS = ("owner", "path")
#: Every key of a served article that only agents and admins get: those fields, and the
#: verification data (owners, last check, due date; ``search/states.py``).
STAFF_KEYS = (*STAFF_FIELDS, "verification")


#: Article states customers may see (``review`` is for agents; drafts and archived are not indexed).
CUSTOMER_STATUSES = ("published",)


def search_filter(viewer: Viewer) -> q.Query | None:
    """Documents the viewer may find: public, published articles for customers; None (all) for
    agents."""
    if viewer.sees_internal:
        return None
    return q.And([q.Term("audience", "public"), q.Term("status", CUSTOMER_STATUSES[0])])


def agent_only(data: dict[str, Any]) -> bool:
    """An internal article, or one not yet validated (``review``): agents only, every field of it.
    Stored data without a status (built before article states) counts as published."""
    return data["audience"] != "public" or data.get("status", "published") not in CUSTOMER_STATUSES


def may_see(viewer: Viewer, data: dict[str, Any]) -> bool:
    """Whether the viewer may see this stored article at all."""
    return viewer.sees_internal or not agent_only(data)


def text_kinds(viewer: Viewer) -> tuple[str, ...]:
    """Text field kinds matched: agents also match internal paragraphs and internal articles."""
    return AGENT_KINDS if viewer.sees_internal else PUBLIC_KINDS


def field_visible(viewer: Viewer, field: str) -> bool:
    """Whether a text field such as ``internal_en`` may be matched or shown to the viewer."""
    return viewer.sees_internal or not field.startswith("internal_")


def visible_pairs(viewer: Viewer, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (field, term) pairs of a match the viewer may be told about (explanations)."""
    return {(f, t) for f, t in pairs if field_visible(viewer, f)}


def vocabulary(snapshot: Snapshot, viewer: Viewer) -> Vocabulary:
    """Words typo correction may suggest: agent-only words never reach customers."""
    return snapshot.agent_vocab if viewer.sees_internal else snapshot.public_vocab


def facet_names(viewer: Viewer) -> tuple[str, ...]:
    """Facets counted for the viewer (``audience`` only matters to those who see both)."""
    return visible_filters(viewer.sees_internal)


def dense_view(viewer: Viewer) -> str:
    """Which rows of the semantic index score the viewer's queries: ``agent`` or ``public``."""
    return "agent" if viewer.sees_internal else "public"


def cache_audience(viewer: Viewer) -> str:
    """Key part for cached answers, so what one audience sees never reaches the other."""
    return "internal" if viewer.sees_internal else "public"


def snippet_sources(viewer: Viewer, data: dict[str, Any],
                    matched: Iterable[tuple[str, str]]) -> list[tuple[str, set[str]]]:
    """Texts a result's snippet may be cut from, in order, each with its matched terms."""
    matched = set(matched)
    sources = [(data["text_public"], {t for f, t in matched if not f.startswith("internal_")})]
    if viewer.sees_internal:
        sources.append((data["text_internal"], {t for f, t in matched if f.startswith("internal_")}))
    return sources


def served_article(viewer: Viewer, data: dict[str, Any]) -> dict[str, Any]:
    """The body renderings and staff fields of one article the viewer may be served."""
    agent = viewer.sees_internal
    served = {"html": article_html(data, agent),
              "markdown": data["source"] if agent else data["source_public"],
              "has_internal": bool(data["has_internal"]) and agent,
              "status": data.get("status", "published")}
    if agent:
        served.update({name: data[name] for name in STAFF_FIELDS})
    return served


def review_data(viewer: Viewer, found: dict[str, Any] | None) -> dict[str, Any] | None:
    """Verification data (owners, last check, due date, state) as served: agents and admins only."""
    return found if viewer.sees_internal else None


def redirect_target(viewer: Viewer, target: dict[str, Any] | None) -> str | None:
    """The slug an old URL leads this viewer to, when the viewer may see the article there
    (otherwise the old URL is unknown to them, like any hidden article)."""
    if target is None or not may_see(viewer, target):
        return None
    return str(target["slug"])


def archived_answer(viewer: Viewer, archived: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a viewer is told about a withdrawn article: None (unknown: an internal one asked for by
    a customer) or its title and language, for a 410 Gone page."""
    if archived is None or (archived["audience"] != "public" and not viewer.sees_internal):
        return None
    return {"title": archived["title"], "lang": archived["lang"]}


def route(viewer: Viewer, found: Any) -> dict[str, Any] | None:
    """An escalation route (queues, extensions, notes) as served: agents and admins only."""
    if found is None or not viewer.sees_internal:
        return None
    return found if isinstance(found, dict) else found.as_dict()


def media_audience(snapshot: Snapshot, path: str) -> str | None:
    """Who the served version says links a ``/media/`` file (kb/media.py): ``public``,
    ``internal``, or None (nothing links it, a version built before media were recorded, a path
    outside the folder)."""
    key = media_key(path)
    return (snapshot.meta.get("media") or {}).get(key) if key else None


def media_visible(viewer: Viewer, audience: str | None) -> bool:
    """Whether the viewer may fetch a media file: one customer-visible content links, anyone; one
    only agent-only content links, or nothing links, agents and admins only."""
    return audience == PUBLIC or viewer.sees_internal
