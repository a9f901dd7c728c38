"""Links between imported articles: old addresses (Zendesk and Freshdesk article URLs, HTML pages,
supportkb's own ``/articles/<slug>``) rewritten to relative ``.md`` links, which the help centre
turns into article URLs and ``build.py --check`` verifies."""
from __future__ import annotations

import posixpath
import re
from urllib.parse import urlparse

from kb.imports.source import SourceArticle, lang_code

ZENDESK = re.compile(r"/hc/(?:([A-Za-z-]+)/)?articles/(\d+)")
FRESHDESK = re.compile(r"/support/solutions/articles/(\d+)")
#: Pages of the old help centre that are not articles (sections, categories, folders): no article
#: stands for them, and the old site may go away, so links to them are listed.
OLD_PAGE = re.compile(r"/hc/(?:[A-Za-z-]+/)?(?:sections|categories|community)/|"
                      r"/support/solutions/(?:folders/)?\d+")
LINK = re.compile(r"(?<!!)(\[[^\]]*\]\()([^)\s]+)(\))")


def link_key(path: str) -> str:
    """What identifies the article an address points at: ``zendesk:123:es``, ``freshdesk:123``, or
    the normalized path."""
    found = ZENDESK.search(path)
    if found:
        return f"zendesk:{found.group(2)}:{lang_code(found.group(1)) if found.group(1) else ''}"
    found = FRESHDESK.search(path)
    if found:
        return f"freshdesk:{found.group(1)}"
    return posixpath.normpath(path) if path else ""


def link_table(articles: list[SourceArticle], slugs: dict[str, str]) -> dict[str, str]:
    """Address key -> new slug, for every article of an import (originals win shared ids)."""
    table: dict[str, str] = {}
    for article in articles:
        slug = slugs[article.key]
        if article.url_path:
            table.setdefault(link_key(article.url_path), slug)
            if article.source == "zendesk" and not article.translation_of:
                table.setdefault(f"zendesk:{article.source_id}:", slug)
        table.setdefault(f"/articles/{slug}", slug)
    return table


def rewrite(markdown: str, article: SourceArticle, slug: str,
            table: dict[str, str]) -> tuple[str, list[str]]:
    """The body with links to other imported articles as relative ``.md`` links, and the links
    that look like links to articles (relative, or Zendesk/Freshdesk article URLs) but match none,
    or that point at a section or category page of the old help centre."""
    unresolved: list[str] = []

    def swap(match: re.Match[str]) -> str:
        target = match.group(2)
        parsed = urlparse(target)
        if parsed.scheme not in ("", "http", "https") or target.startswith("#") or not parsed.path:
            return match.group(0)
        if parsed.scheme or target.startswith("/"):
            path = parsed.path
        else:  # relative to the old page
            path = posixpath.join(posixpath.dirname(article.url_path or "/"), parsed.path)
        key = link_key(path)
        found = table.get(key)
        if not found:
            relative = not parsed.scheme and not target.startswith("/")
            if relative or key.startswith(("zendesk:", "freshdesk:")) or OLD_PAGE.search(path):
                unresolved.append(target)
            return match.group(0)
        relative = posixpath.relpath(found, posixpath.dirname(slug) or ".") + ".md"
        fragment = f"#{parsed.fragment}" if parsed.fragment else ""
        return f"{match.group(1)}{relative}{fragment}{match.group(3)}"
    return LINK.sub(swap, markdown), unresolved
