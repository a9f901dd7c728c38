"""Helpers shared by the customer-site views: the engine, languages, canonical URLs, filters."""
from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from search.browse import catalog
from web.shared import i18n

MAX_FILTER_CHARS = 100


def engine() -> Any:
    return current_app.extensions["supportkb.engine"]


def article_langs(lang: str) -> list[str]:
    """Article languages for a UI language: its own, then the default as a fallback."""
    default = i18n.default_lang()
    return [lang] if lang == default else [lang, default]


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


def language_notes(view: dict[str, Any], lang: str) -> dict[str, Any]:
    """What an article page tells a reader in ``lang`` about its language.

    ``stale``: a translation whose original changed since (``original``: the original, when the
    reader may see it); ``untranslated``: the article is in another language and has no version
    in ``lang``; ``yours``: the version in ``lang``, when the reader landed on another one.
    Only ``view["translations"]`` is consulted: the versions this reader may see."""
    versions = {item["lang"]: item for item in view["translations"]}
    original = next((item for item in view["translations"] if item["slug"] == view["translation_of"]),
                    None)
    other_language = view["lang"] != lang
    stale = bool(view.get("stale_translation"))
    yours = versions.get(lang) if other_language else None
    if stale and yours is not None and yours is original:
        yours = None  # the stale note links it already
    return {"stale": stale, "original": original, "untranslated": other_language and lang not in versions,
            "yours": yours}


def localize(snapshot: Any, items: list[dict[str, Any]], lang: str,
             skip_family: str = "") -> list[dict[str, Any]]:
    """Swap each article for its ``lang`` translation when one exists; one per family, in order."""
    families = catalog(snapshot).families
    chosen, seen = [], {skip_family}
    for item in items:
        family = item["translation_of"] or item["slug"]
        if family not in seen:
            seen.add(family)
            chosen.append(families.get(family, {}).get(lang, item))
    return chosen
