"""KCS article states across the knowledge base: archived articles, their replacements, and the
old URLs (``redirect_from``) that keep renamed or moved articles reachable.

:func:`check_states` reports what cannot be served (a redirect that collides with an article or
with another redirect, a ``replaced_by`` naming nothing); :func:`states_manifest` is what a build
carries into the index version, so the served site answers old and withdrawn URLs from the
published version, never from the working tree.
"""
from __future__ import annotations

import re
from typing import Any

from kb.model import Article
from kb.problems import Problem

ARTICLE_PREFIX = "/articles/"
SLUG_PART = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
HINT_PATH = ("write old URLs as '/articles/old-folder/old-name' (or the old slug), or as the "
             "path of a page of the help centre you moved from, e.g. '/hc/en-us/articles/123-title'")
#: Paths this site serves itself: an old URL there would never be reached.
RESERVED_PREFIXES = ("/api/", "/static/", "/agent", "/admin", "/embed", "/health", "/metrics",
                     "/search", "/sitemap", "/robots.txt", "/llms.txt", "/feedback", "/contact")
PATH_PART = re.compile(r"^[^\s/?#\\<>\"]+$")


def redirect_slug(value: str) -> str | None:
    """The old slug an old URL names: ``/articles/old-name``, ``old-name`` or ``old-name.md``
    -> ``old-name``; None when it is not an article URL of this site."""
    text = value.strip()
    if text.startswith(ARTICLE_PREFIX):
        text = text[len(ARTICLE_PREFIX):]
    elif text.startswith("/") or "://" in text or "?" in text or "#" in text:
        return None
    text = text.strip("/")
    text = text.removesuffix(".md")
    if not text or not all(SLUG_PART.match(part) for part in text.split("/")):
        return None
    return text


def legacy_path(value: str) -> str | None:
    """An old URL path of another help centre this site replaces (``/hc/en-us/articles/123-title``,
    ``/support/solutions/articles/42``): answered with a redirect when nothing else answers it.
    None for article URLs (see :func:`redirect_slug`), full URLs, queries, '..' and paths this site
    serves itself."""
    text = value.strip()
    if not text.startswith("/") or text.startswith(ARTICLE_PREFIX) or text == "/":
        return None
    if any(text == prefix.rstrip("/") or text.startswith(prefix) for prefix in RESERVED_PREFIXES):
        return None
    parts = text.strip("/").split("/")
    if any(part in ("", ".", "..") or not PATH_PART.match(part) for part in parts):
        return None
    return "/" + "/".join(parts)


def _problem(article: Article, name: str, message: str, hint: str = "",
             severity: str = "error") -> Problem:
    return Problem(article.path, article.line_of(name), name, message, hint,
                   severity)  # type: ignore[arg-type]


def _check_redirects(articles: list[Article], slugs: dict[str, Article]) -> list[Problem]:
    problems: list[Problem] = []
    claimed: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.path):
        for value in article.redirect_from:
            old = redirect_slug(value)
            if old is None and legacy_path(value):
                old = legacy_path(value)
                if old in claimed and claimed[old] is not article:
                    problems.append(_problem(article, "redirect_from",
                                             f"{value!r} already redirects to {claimed[old].path}",
                                             "an old URL can lead to one article only"))
                claimed[old] = claimed.get(old, article)
            elif old is None:
                problems.append(_problem(article, "redirect_from",
                                         f"{value!r} is not an article URL of this site", HINT_PATH))
            elif old == article.slug:
                problems.append(_problem(article, "redirect_from",
                                         f"{value!r} is this article's own URL",
                                         "list only URLs the article used to have"))
            elif old.lower() in slugs:
                other = slugs[old.lower()]
                problems.append(_problem(article, "redirect_from",
                                         f"{value!r} collides with the URL of {other.path}",
                                         "an article answers at that URL: remove the entry, or "
                                         "archive the other article with 'replaced_by'"))
            elif old in claimed and claimed[old] is not article:
                problems.append(_problem(article, "redirect_from",
                                         f"{value!r} already redirects to {claimed[old].path}",
                                         "an old URL can lead to one article only"))
            else:
                claimed[old] = article
    return problems


def _check_replacements(articles: list[Article], slugs: dict[str, Article]) -> list[Problem]:
    problems: list[Problem] = []
    for article in articles:
        if not article.replaced_by:
            continue
        if article.status != "archived":
            problems.append(_problem(article, "replaced_by",
                                     f"is only used when 'status' is archived (status is "
                                     f"{article.status!r})",
                                     "set 'status: archived' or remove 'replaced_by'", "warning"))
            continue
        target = slugs.get(article.replaced_by.lower())
        if target is None:
            problems.append(_problem(article, "replaced_by", f"no article {article.replaced_by!r}",
                                     "name the slug of the article that replaces this one (its "
                                     "path under articles/ without .md)"))
        elif target is article:
            problems.append(_problem(article, "replaced_by", "an article cannot replace itself"))
        elif not target.is_indexed:
            problems.append(_problem(article, "replaced_by",
                                     f"{article.replaced_by!r} is {target.status}, not served",
                                     "point to a published (or review) article"))
    return problems


def check_states(articles: list[Article]) -> list[Problem]:
    """Redirect collisions and broken or pointless replacements, each with file, line and field."""
    slugs = {a.slug.lower(): a for a in articles}
    return _check_redirects(articles, slugs) + _check_replacements(articles, slugs)


def states_manifest(articles: list[Article]) -> dict[str, Any]:
    """What the served site needs to answer withdrawn and old URLs::

        {"archived": {slug: {"title", "audience", "lang", "replaced_by"}},
         "redirects": {old_slug: new_slug}, "paths": {old_path: new_slug}}

    Only indexed articles receive redirects; the first claim of an old URL wins (validation
    reports the others), and no redirect shadows an existing article."""
    slugs = {a.slug for a in articles}
    archived = {a.slug: {"title": a.title, "audience": a.audience, "lang": a.lang,
                         "replaced_by": a.replaced_by}
                for a in articles if a.status == "archived"}
    redirects: dict[str, str] = {}
    paths: dict[str, str] = {}
    for article in sorted(articles, key=lambda a: a.path):
        if not article.is_indexed:
            continue
        for value in article.redirect_from:
            old, path = redirect_slug(value), legacy_path(value)
            if old and old not in slugs and old not in redirects:
                redirects[old] = article.slug
            elif path and path not in paths:
                paths[path] = article.slug
    return {"archived": archived, "redirects": redirects, "paths": paths}
