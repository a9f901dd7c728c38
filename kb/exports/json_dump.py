"""A plain JSON document of the public, published articles and their fields (docs/import-export.md
documents it): what a script, a chatbot or another help centre needs, and nothing agent-only."""
from __future__ import annotations

from typing import Any, Callable

from kb.loader import KnowledgeBase
from kb.markup import split_internal
from kb.model import Article

FORMAT = "supportkb-articles"
VERSION = 1


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def article_record(article: Article, public_slugs: set[str], site_url: str) -> dict[str, Any]:
    """One article's public fields; ``body`` is its Markdown without ``::: internal`` blocks."""
    return {
        "slug": article.slug, "url": f"{site_url}/articles/{article.slug}", "title": article.title,
        "type": article.type, "level": article.level, "summary": article.summary,
        "answer": article.answer, "questions": list(article.questions), "tags": list(article.tags),
        "product": article.product, "lang": article.lang,
        "translation_of": article.translation_of if article.translation_of in public_slugs else "",
        "related": [slug for slug in article.related if slug in public_slugs],
        "channels": list(article.channels), "updated": _date(article.updated),
        "review_by": _date(article.review_by), "verified": _date(article.verified),
        "redirect_from": list(article.redirect_from), "body": split_internal(article.body).public.strip(),
    }


def export(kb: KnowledgeBase, visible: Callable[[Article], bool], site_url: str = "") -> dict[str, Any]:
    """``{"format", "version", "count", "articles": [...]}``, articles in slug order."""
    public = [a for a in sorted(kb.articles, key=lambda a: a.slug)
              if a.status == "published" and visible(a)]
    slugs = {a.slug for a in public}
    records = [article_record(a, slugs, site_url.rstrip("/")) for a in public]
    return {"format": FORMAT, "version": VERSION, "count": len(records), "articles": records}
