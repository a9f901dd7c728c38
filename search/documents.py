"""Turn an article into the Whoosh document that indexes and stores it, with what a build learns
from it on the way (typo-vocabulary word counts, analyzed titles and questions).

The stored data holds the Markdown source, not HTML: pages are rendered when first served
(search/rendering.py)."""
from __future__ import annotations

from typing import Any

from kb.markup import plain_text, split_internal
from kb.model import Article
from search.analysis import field_language, index_terms, words
from search.schema import text_field
from search.visibility import agent_only


def stored_data(article: Article) -> dict[str, Any]:
    """Everything the site and API show about an article, kept with the index."""
    parts = split_internal(article.body)
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
        # Text fields are given as their analyzed terms (search/analysis.py: index_terms).
        text_field("all", lang): index_terms(
            "" if article.is_agent_only else searchable_words(data, internal=False), lang),
        text_field("title", lang): index_terms(article.title, lang),
        text_field("questions", lang): index_terms("\n".join(article.questions), lang),
        text_field("internal", lang): index_terms(
            searchable_words(data, internal=False) + "\n" + data["text_internal"]
            if article.is_agent_only else data["text_internal"], lang),
    }


def searchable_words(data: dict[str, Any], internal: bool) -> str:
    """The text whose words feed the typo vocabulary (public or agent-only part)."""
    if internal:
        return data["text_internal"]
    return "\n".join([data["title"], *data["questions"], data["summary"], data["answer"],
                      " ".join(data["tags"]), data["text_public"]])


def vocabulary_words(data: dict[str, Any], internal: bool) -> set[str]:
    """The distinct public words, or agent-only words, of one article: a build adds them to the
    typo vocabulary's document frequencies.

    Every word of an internal or in-review article is agent-only, so typo correction never
    reveals it."""
    if agent_only(data):
        text = "" if not internal else searchable_words(data, False) + "\n" + data["text_internal"]
    else:
        text = searchable_words(data, internal)
    return set(words(text))


def analyzed_phrases(article: Article) -> list[list[str]]:
    """The analyzed terms of the title and of each alternate question (exact-phrase matching):
    the index analyzer's terms (:func:`search.analysis.terms` gives the same, cached for queries)."""
    lang = field_language(article.lang)
    return [sorted(set(index_terms(text, lang))) for text in [article.title, *article.questions]]
