"""Article HTML, rendered when an article is first served rather than at build time.

Python-Markdown costs about 2 ms of CPU an article, more than indexing it, and most articles are
not opened between two builds: a build stores the Markdown source (search/documents.py) and the
site renders it on demand, with the same renderer and sanitizer (kb/markup.py), remembering the
pages served recently. A page depends only on its source and slug, so the cache is keyed by slug,
content hash and audience and never needs clearing when a new index version is published.
"""
from __future__ import annotations

import hashlib
from typing import Any

from kb.markup import render_html, split_internal
from search.caches import BoundedCache

#: Rendered pages kept per process (entries, estimated bytes).
HTML_CACHE_ENTRIES = 2_048
HTML_CACHE_BYTES = 32 * 2**20

_pages = BoundedCache(HTML_CACHE_ENTRIES, HTML_CACHE_BYTES)


def article_html(data: dict[str, Any], agent: bool) -> str:
    """Sanitized HTML of a stored article: internal blocks dropped, or marked for agents (``agent``)."""
    source = data["source"]
    version = data.get("content_hash") or hashlib.sha256(source.encode()).hexdigest()

    def render() -> str:
        parts = split_internal(source)
        marked = agent and bool(parts.internal or parts.problems)
        return render_html(source, data.get("slug", ""), include_internal=marked)
    return _pages.get_or_compute((data.get("slug", ""), version, agent), render)
