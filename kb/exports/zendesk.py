"""The knowledge base as a Zendesk Guide dump, in the Help Center API's JSON shapes, so that
``import zendesk`` of the result gives the same articles back.

Categories are the four support types, sections one per type and level (``Billing · Level 1``);
``mapping.yml`` beside the JSON maps each section to its type and level exactly. Article ids are
the original Zendesk ids for imported articles (``_imported.json``), else a stable number from the
slug. Bodies are the sanitized HTML the help centre serves; internal articles and ``::: internal``
blocks are left out unless ``include_internal`` (then: a ``staff`` user segment and ``<div
class="internal-note">`` blocks). A translation is ``outdated`` unless its ``source_hash`` is its
original's now (kb/translations.py), which an import reads back.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

import yaml

from kb.loader import KnowledgeBase
from kb.markup import render_html
from kb.model import LEVELS, SUPPORT_TYPES, Article
from kb.translations import source_hash

STAFF_SEGMENT = 77
CATEGORY_BASE = 1000
SECTION_BASE = 2000


@dataclass
class Dump:
    """The files of an export: name -> JSON-able data (``mapping.yml`` as text)."""

    files: dict[str, Any] = field(default_factory=dict)
    exported: int = 0
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (slug, why)


def stable_id(slug: str) -> int:
    """A positive id from a slug, the same on every run."""
    return int(hashlib.sha256(slug.encode()).hexdigest()[:11], 16)


def _category_id(support_type: str) -> int:
    return CATEGORY_BASE + list(SUPPORT_TYPES).index(support_type)


def _section_id(support_type: str, level: int) -> int:
    return SECTION_BASE + 10 * list(SUPPORT_TYPES).index(support_type) + level


def _stamp(article: Article) -> str:
    return f"{article.updated.isoformat()}T00:00:00Z" if article.updated else "1970-01-01T00:00:00Z"


def _ids(kb: KnowledgeBase, manifest: dict[str, dict[str, str]]) -> dict[str, int]:
    """slug -> article id: the Zendesk id it was imported from, else a stable one."""
    imported = {entry["slug"]: int(key.split(":")[1]) for key, entry in manifest.items()
                if key.startswith("zendesk:") and key.split(":")[1].isdigit()}
    return {a.slug: imported.get(a.slug) or stable_id(a.slug) for a in kb.articles}


def export(kb: KnowledgeBase, manifest: dict[str, dict[str, str]], visible: Callable[[Article], bool],
           include_internal: bool = False, site_url: str = "") -> Dump:
    """Every article ``visible`` lets out (drafts and in-review ones as drafts; archived never)."""
    dump = Dump()
    ids = _ids(kb, manifest)
    chosen: list[Article] = []
    for article in sorted(kb.articles, key=lambda a: a.slug):
        if article.status == "archived":
            dump.left_out.append((article.slug, "archived"))
        elif not include_internal and not visible(article):
            dump.left_out.append((article.slug, "internal (--include-internal exports it)"))
        else:
            chosen.append(article)
    by_slug = {a.slug: a for a in chosen}
    articles, translations = [], {}
    for article in chosen:
        record = _article(article, ids, include_internal, site_url)
        original = article.translation_of
        if original and original in by_slug:
            outdated = article.source_hash != source_hash(by_slug[original])  # stale or unmarked
            translation = _translation(article, ids[original], ids[article.slug], record, outdated)
            translations.setdefault(ids[original], []).append(translation)
        else:
            articles.append(record)
    dump.exported = len(chosen)
    dump.files["categories.json"] = {"categories": [
        {"id": _category_id(t), "name": t.title(), "description": SUPPORT_TYPES[t],
         "locale": "en", "source_locale": "en", "position": n, "outdated": False,
         "html_url": f"{site_url}/browse/{t}"} for n, t in enumerate(SUPPORT_TYPES)], "next_page": None}
    dump.files["sections.json"] = {"sections": [
        {"id": _section_id(t, level), "category_id": _category_id(t),
         "name": f"{t.title()} · Level {level}", "description": LEVELS[level], "locale": "en",
         "source_locale": "en", "position": level, "sorting": "manual", "parent_section_id": None,
         "outdated": False} for t in SUPPORT_TYPES for level in LEVELS], "next_page": None}
    dump.files["articles.json"] = {"articles": articles, "page": 1, "page_count": 1, "per_page": len(articles),
                                   "count": len(articles), "next_page": None, "previous_page": None}
    for article_id, items in sorted(translations.items()):
        dump.files[f"translations/{article_id}.json"] = {"translations": items, "next_page": None,
                                                          "previous_page": None, "count": len(items)}
    if include_internal:
        dump.files["user_segments.json"] = {"user_segments": [
            {"id": STAFF_SEGMENT, "user_type": "staff", "name": "Agents and admins", "built_in": True}]}
    dump.files["mapping.yml"] = yaml.safe_dump({"sections": {
        str(_section_id(t, level)): {"type": t, "level": level} for t in SUPPORT_TYPES for level in LEVELS}},
        sort_keys=False)
    return dump


def _article(article: Article, ids: dict[str, int], include_internal: bool, site_url: str) -> dict[str, Any]:
    path = article.redirect_from[0] if article.redirect_from else f"/articles/{article.slug}"
    article_id = ids[article.slug]
    return {
        "id": article_id, "url": f"{site_url}/api/v2/help_center/{article.lang}/articles/{article_id}.json",
        "html_url": f"{site_url}{path}", "author_id": None, "comments_disabled": False,
        "draft": article.status in ("draft", "review"), "promoted": False, "position": 0,
        "vote_sum": 0, "vote_count": 0, "section_id": _section_id(article.type, article.level),
        "created_at": _stamp(article), "updated_at": _stamp(article), "edited_at": _stamp(article),
        "name": article.title, "title": article.title, "source_locale": article.lang,
        "locale": article.lang, "outdated": False, "outdated_locales": [],
        "user_segment_id": STAFF_SEGMENT if article.is_internal else None,
        "permission_group_id": None, "content_tag_ids": [], "label_names": list(article.tags),
        "body": render_html(article.body, article.slug, include_internal=include_internal),
    }


def _translation(article: Article, source_id: int, own_id: int, record: dict[str, Any],
                 outdated: bool) -> dict[str, Any]:
    return {"id": own_id, "url": record["url"], "html_url": record["html_url"], "source_id": source_id,
            "source_type": "Article", "locale": article.lang, "title": article.title,
            "body": record["body"], "outdated": outdated, "draft": record["draft"], "hidden": False,
            "created_at": record["created_at"], "updated_at": record["updated_at"]}
