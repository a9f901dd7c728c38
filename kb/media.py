"""Who may fetch each media file: the audience of the content that links it.

Images and attachments live in ``articles/_media/`` and are linked as ``/media/<path>``
(``build.py import`` writes both, kb/imports/files.py). The build records, with the index version,
which files customer-visible content links and which only agent-only content does
(:func:`media_manifest`), so the app decides per request with a lookup (search/visibility.py).
"""
from __future__ import annotations

import posixpath
import re
from typing import Iterable
from urllib.parse import unquote

from kb.markup import split_internal
from kb.model import Article

MEDIA_DIR = "_media"
#: The URL path media files are linked and served at.
MEDIA_URL = "/media"
PUBLIC, INTERNAL = "public", "internal"
#: ``/media/<path>`` up to a space, quote or bracket (a literal first: the regex engine skips ahead).
MEDIA_PATH = re.compile(MEDIA_URL + r"/([^\s()<>\"'\[\]`]+)")
#: The rest of a bracketed Markdown target, ``</media/a b.png>``: spaces allowed.
BRACKETED = re.compile(r"([^<>\n]+)>")
#: Characters that, just before ``/media/``, make it part of another URL (``https://x/media/``).
INSIDE_URL = frozenset("~./-_")


def media_key(path: str) -> str | None:
    """A file's key under ``_media`` (``zendesk/1/a.png``), normalized; None for a path that
    leaves the folder or names it."""
    key = posixpath.normpath(path.lstrip("/"))
    if key in (".", "..") or key.startswith("../"):
        return None
    return key


def linked_media(text: str) -> set[str]:
    """Keys of the media files a Markdown or HTML text links (URL-decoded; query and fragment
    dropped)."""
    if MEDIA_URL + "/" not in text:  # most texts: no media at all
        return set()
    found: set[str] = set()
    for match in MEDIA_PATH.finditer(text):
        before = text[match.start() - 1] if match.start() else " "
        if before.isalnum() or before in INSIDE_URL:
            continue
        target = match.group(1)
        if before == "<":
            bracketed = BRACKETED.match(text, match.start(1))
            target = bracketed.group(1) if bracketed else target
        key = media_key(unquote(target.split("#", 1)[0].split("?", 1)[0]))
        if key:
            found.add(key)
    return found


def media_manifest(articles: Iterable[Article]) -> dict[str, str]:
    """``{key: "public" | "internal"}`` for every media file the indexed ``articles`` link.

    ``public``: linked by customer-visible content (the body outside ``::: internal`` blocks, the
    summary or the answer of a public, published article); ``internal``: linked only by agent-only
    content (internal or in-review articles, ``::: internal`` blocks). Files nothing links are
    left out (agents only, docs/import-export.md)."""
    audiences: dict[str, str] = {}
    for article in articles:
        texts = (article.body, article.summary, article.answer)
        if not any(MEDIA_URL + "/" in text for text in texts):
            continue
        if article.is_agent_only:
            public, internal = set(), set().union(*map(linked_media, texts))
        else:
            parts = split_internal(article.body)
            public = linked_media(parts.public) | linked_media(article.summary) | linked_media(article.answer)
            internal = linked_media(parts.internal)
        for key in public:
            audiences[key] = PUBLIC
        for key in internal:
            audiences.setdefault(key, INTERNAL)
    return dict(sorted(audiences.items()))
