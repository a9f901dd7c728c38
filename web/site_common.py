"""Helpers shared by the customer-site views: the engine, languages, canonical URLs, filters."""
from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from search.browse import list_articles
from search.viewer import ANONYMOUS
from web import i18n

MAX_FILTER_CHARS = 100
CACHE_KEY = "supportkb.site_articles"


def engine() -> Any:
    return current_app.extensions["supportkb.engine"]


def article_langs(lang: str) -> list[str]:
    """Article languages for a UI language: its own, then the default as a fallback."""
    default = i18n.default_lang()
    return [lang] if lang == default else [lang, default]


def prefer_language(items: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """One article per translation family, in ``lang`` when it exists."""
    chosen: dict[str, dict[str, Any]] = {}
    for item in items:
        family = item["translation_of"] or item["slug"]
        current = chosen.get(family)
        if current is None or (item["lang"] == lang and current["lang"] != lang):
            chosen[family] = item
    return list(chosen.values())


def canonical(endpoint: str, **values: Any) -> str:
    """Absolute URL for ``endpoint``, on ``SITE_URL`` when configured."""
    base = str(current_app.config.get("SITE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def clean_filter(name: str) -> str:
    """One short filter value from the query string ('' when absent or unreasonable)."""
    value = request.args.get(name, "")
    return value if len(value) <= MAX_FILTER_CHARS and value.isprintable() else ""



def public_articles(snapshot: Any, langs: list[str] | None = None,
                    support_type: str = "") -> list[dict[str, Any]]:
    """Every article an anonymous visitor may see, read once per index version, then filtered
    (home, browse, sitemap: the same list whoever asks)."""
    cached = current_app.extensions.get(CACHE_KEY)
    if cached is None or cached[0] != snapshot.name:
        cached = (snapshot.name, list_articles(snapshot, ANONYMOUS))
        current_app.extensions[CACHE_KEY] = cached
    return [item for item in cached[1]
            if (not langs or item["lang"] in langs) and (not support_type or item["type"] == support_type)]


def localize(snapshot: Any, items: list[dict[str, Any]], lang: str,
             skip_family: str = "") -> list[dict[str, Any]]:
    """Swap each article for its ``lang`` translation when one exists; one per family, in order."""
    families: dict[str, dict[str, dict[str, Any]]] = {}
    for item in public_articles(snapshot):
        families.setdefault(item["translation_of"] or item["slug"], {})[item["lang"]] = item
    chosen, seen = [], {skip_family}
    for item in items:
        family = item["translation_of"] or item["slug"]
        if family not in seen:
            seen.add(family)
            chosen.append(families.get(family, {}).get(lang, item))
    return chosen
