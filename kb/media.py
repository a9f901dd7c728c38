"""Who may fetch each media file: the audience of the content that links it.

Images and attachments live in ``articles/_media/`` and are linked as ``/media/<path>``
(``build.py import`` writes both, kb/imports/files.py). The build records, with the index version,
which files customer-visible content links and which only agent-only content does
(:func:`article_media` per article, :func:`media_manifest` over all), so the app decides per request
with a lookup (search/visibility.py).
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


def article_media(article: Article) -> dict[str, list[str]]:
    """The media files one article links, by who sees the link: ``{"public": [...], "internal":
    [...]}`` (either left out when empty; ``{}`` for most articles).

    ``public``: customer-visible content (the body outside ``::: internal`` blocks, the summary or
    the answer of a public, published article); ``internal``: agent-only content (internal or
    in-review articles, ``::: internal`` blocks)."""
    texts = (article.body, article.summary, article.answer)
    if not any(MEDIA_URL + "/" in text for text in texts):  # most articles: one scan, nothing found
        return {}
    if article.is_agent_only:
        public, internal = set(), set().union(*map(linked_media, texts))
    else:
        parts = split_internal(article.body)
        public = linked_media(parts.public) | linked_media(article.summary) | linked_media(article.answer)
        internal = linked_media(parts.internal) - public
    return {name: sorted(keys) for name, keys in ((PUBLIC, public), (INTERNAL, internal)) if keys}


def media_manifest(links: Iterable[dict[str, list[str]]]) -> dict[str, str]:
    """``{key: "public" | "internal"}`` for every media file linked in ``links`` (one
    :func:`article_media` per indexed article): public when any customer-visible content links it,
    else internal. Files nothing links are left out (agents only, docs/import-export.md)."""
    audiences: dict[str, str] = {}
    for found in links:
        for key in found.get(PUBLIC, ()):
            audiences[key] = PUBLIC
        for key in found.get(INTERNAL, ()):
            audiences.setdefault(key, INTERNAL)
    return dict(sorted(audiences.items()))
