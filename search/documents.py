"""Turn an article into the Whoosh document that indexes and stores it."""
from __future__ import annotations

from typing import Any

from kb.markup import plain_text, render_html, split_internal
from kb.model import Article
from search.analysis import field_language
from search.schema import text_field


def stored_data(article: Article) -> dict[str, Any]:
    """Everything the site and API show about an article, kept with the index."""
    parts = split_internal(article.body)
    html_public = render_html(article.body, article.slug, include_internal=False)
    return {
        "slug": article.slug, "path": article.path, "title": article.title, "type": article.type,
        "level": article.level, "summary": article.summary, "answer": article.answer,
        "questions": list(article.questions), "tags": list(article.tags), "product": article.product,
        "audience": article.audience, "lang": article.lang, "translation_of": article.translation_of,
        "related": list(article.related), "channels": list(article.channels),
        "updated": article.updated.isoformat() if article.updated else "",
        "review_by": article.review_by.isoformat() if article.review_by else "",
        "owner": article.owner, "content_hash": article.content_hash, "status": article.status,
        "has_internal": bool(parts.internal),
        "source_public": parts.public, "source": article.body,
        "html_public": html_public,
        "html_agent": (render_html(article.body, article.slug, include_internal=True)
                       if parts.internal or parts.problems else html_public),
        "text_public": plain_text(parts.public), "text_internal": plain_text(parts.internal),
    }


def to_document(article: Article) -> dict[str, Any]:
    """The Whoosh document: text fields of the article's language, filters and stored data."""
    data = stored_data(article)
    lang = field_language(article.lang)
    return {
        "slug": article.slug, "type": article.type, "level": str(article.level),
        "product": article.product or "-", "lang": article.lang, "audience": article.audience,
        "status": article.status,
        "tags": ",".join(article.tags), "data": data,
        "family": article.translation_of or article.slug,
        # Internal and in-review articles are searchable only through the agents' field.
        text_field("all", lang): "" if article.is_agent_only else searchable_words(data, internal=False),
        text_field("title", lang): article.title,
        text_field("questions", lang): "\n".join(article.questions),
        text_field("internal", lang): (searchable_words(data, internal=False) + "\n" + data["text_internal"]
                                       if article.is_agent_only else data["text_internal"]),
    }


def searchable_words(data: dict[str, Any], internal: bool) -> str:
    """The text whose words feed the typo vocabulary (public or agent-only part)."""
    if internal:
        return data["text_internal"]
    return "\n".join([data["title"], *data["questions"], data["summary"], data["answer"],
                      " ".join(data["tags"]), data["text_public"]])
