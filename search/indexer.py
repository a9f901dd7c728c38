"""Build an index version from a knowledge base: incremental by content hash, published atomically."""
from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from whoosh import index as whoosh_index

from kb.loader import KnowledgeBase
from kb.media import article_media, media_manifest
from kb.model import Article
from kb.progress import track
from kb.review import verification_manifest
from kb.states import states_manifest
from kb.translations import stale_slugs
from search.analysis import normalize_phrase
from search.bulk import worker_count, write_parallel
from search.documents import analyzed_phrases, to_document, vocabulary_words
from search.schema import SCHEMA_VERSION, build_schema
from search.deletions import deleted_statistics, record_deletions
from search.segments import link_segments
from search.semantic.build import embed_version
from search.store import (VERSIONS, build_lock, current_version, hold_version, new_version_name,
                          publish, read_json, release_version, remove_if_unused, version_dir,
                          write_json)

log = logging.getLogger(__name__)
#: The media files each article links, beside meta.json (whose ``media`` is what serving reads).
MEDIA_LINKS = "media_links.json"


@dataclass
class BuildSummary:
    """What one build did."""

    version: str
    articles: int
    languages: int
    changed: int
    removed: int
    seconds: float
    full: bool


def _progress(items: Iterable[Any], enabled: bool, label: str, total: int) -> Iterable[Any]:
    return track(items, label, total, enabled)


def exact_phrases(articles: list[Article]) -> dict[str, list[str]]:
    """Normalized titles and alternate questions, each mapped to the slugs that carry it."""
    phrases: dict[str, list[str]] = {}
    for article in articles:
        for text in [article.title, *article.questions]:
            key = normalize_phrase(text)
            if key and article.slug not in phrases.setdefault(key, []):
                phrases[key].append(article.slug)
    return phrases


def _phrases(articles: list[Article], previous: dict[str, Any] | None,
             analyzed: dict[str, list[list[str]]] | None = None) -> dict[str, list[list[str]]]:
    """Analyzed title and questions per slug: from ``analyzed`` (done while indexing), else the
    previous version's for unchanged articles, else analyzed now."""
    old_hashes = previous["articles"] if previous else {}
    old_phrases = previous.get("phrases", {}) if previous else {}
    known = analyzed or {}
    return {a.slug: known[a.slug] if a.slug in known else
            old_phrases[a.slug] if old_hashes.get(a.slug) == a.content_hash and a.slug in old_phrases
            else analyzed_phrases(a) for a in articles}


def _media_links(articles: list[Article], old_hashes: dict[str, str],
                 old_links: dict[str, dict[str, list[str]]] | None) -> dict[str, dict[str, list[str]]]:
    """The media files each article links (kb/media.py), for those that link any: the previous
    version's (``old_links``, with its ``old_hashes``) for unchanged articles, else read now."""
    links = {}
    for article in articles:
        if old_links is not None and old_hashes.get(article.slug) == article.content_hash:
            found = old_links.get(article.slug, {})
        else:
            found = article_media(article)
        if found:
            links[article.slug] = found
    return links


def build_meta(kb: KnowledgeBase, name: str, articles: list[Article],
               previous: dict[str, Any] | None = None,
               phrases: dict[str, list[list[str]]] | None = None,
               media_links: dict[str, dict[str, list[str]]] | None = None) -> dict[str, Any]:
    """Metadata served with the version: hashes, counts, routing, synonyms, exact phrases, the
    audience of each linked media file.

    ``previous``: the meta of the version this one updates (same schema), to reuse; ``phrases``:
    titles and questions already analyzed while indexing; ``media_links``: :func:`_media_links`."""
    languages = Counter(a.lang for a in articles)
    indexed = {a.slug for a in articles}
    if media_links is None:
        media_links = _media_links(articles, {}, None)
    return {
        "schema": SCHEMA_VERSION, "version": name,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "articles": {a.slug: a.content_hash for a in articles},
        "count": len(articles), "public_count": sum(not a.is_agent_only for a in articles),
        "languages": dict(languages), "routing": kb.routing.to_json(), "synonyms": kb.synonyms,
        "exact": exact_phrases(articles),
        "review_by": {a.slug: a.review_by.isoformat() for a in articles if a.review_by},
        # archived articles and old URLs (kb/states.py), verification (kb/review.py)
        "states": states_manifest(kb.articles), "verification": verification_manifest(kb),
        # who may fetch each /media/ file: the audience of what links it (kb/media.py)
        "media": media_manifest(media_links.values()),
        # every build, incremental ones too: a source's change makes its (unchanged) translations stale
        "stale_translations": [slug for slug in stale_slugs(kb.articles) if slug in indexed],
        "phrases": _phrases(articles, previous, phrases),
    }


def write_documents(ix: Any, articles: list[Article], remove: list[str], progress: bool,
                    deleted: dict[str, Any] | None = None
                    ) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Delete ``remove`` slugs and (re)add ``articles``; word counts added and removed.

    ``deleted``: filled with the removed documents' term statistics (search/deletions.py). The
    commit never merges: small segments are merged later (search/merging.py)."""
    added_public, added_internal = Counter[str](), Counter[str]()
    removed_public, removed_internal = Counter[str](), Counter[str]()
    if remove:
        with ix.searcher() as searcher:
            if deleted is not None:
                deleted.update(deleted_statistics(searcher, remove))
            for slug in remove:
                stored = searcher.document(slug=slug)
                if stored:
                    removed_public.update(vocabulary_words(stored["data"], False))
                    removed_internal.update(vocabulary_words(stored["data"], True))
    writer = ix.writer(limitmb=256)
    try:
        for slug in remove:
            writer.delete_by_term("slug", slug)
        for article in _progress(articles, progress, "indexing", len(articles)):
            document = to_document(article)
            # update(), not +=: a Counter's += rescans the whole running total every time
            added_public.update(vocabulary_words(document["data"], False))
            added_internal.update(vocabulary_words(document["data"], True))
            writer.add_document(**document)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=False)
    return added_public, added_internal, removed_public, removed_internal


def _updated_vocab(previous: dict[str, dict[str, int]] | None, counts: tuple[Counter[str], ...]
                   ) -> dict[str, dict[str, int]]:
    added_public, added_internal, removed_public, removed_internal = counts
    public = Counter((previous or {}).get("public", {}))
    internal = Counter((previous or {}).get("internal", {}))
    public.update(added_public)
    public.subtract(removed_public)
    internal.update(added_internal)
    internal.subtract(removed_internal)
    return {"public": {w: n for w, n in public.items() if n > 0},
            "internal": {w: n for w, n in internal.items() if n > 0}}


def build_index(kb: KnowledgeBase, index_dir: Path, full: bool = False,
                progress: bool = False, semantic: Any = None,
                shared_cache: Path | None = None) -> BuildSummary:
    """Build a new version aside and publish it; on any failure the served version is untouched.

    ``semantic``: a search.semantic.dense.Settings; None reads ``SEMANTIC`` from the environment.
    ``shared_cache``: another index folder whose embedding cache is read (never written) instead
    of this one's (a scratch index made from the served one: search/golden.py)."""
    started = time.perf_counter()
    articles = kb.published
    with build_lock(index_dir):
        (index_dir / VERSIONS).mkdir(parents=True, exist_ok=True)
        for leftover in (index_dir / VERSIONS).glob(".*.building"):
            shutil.rmtree(leftover, ignore_errors=True)
        previous = current_version(index_dir)
        held = hold_version(version_dir(index_dir, previous)) if previous else None  # vs a merge's cleanup
        try:
            return _build(kb, index_dir, articles, previous, full, progress, semantic, started,
                          shared_cache)
        finally:
            if held is not None:
                release_version(held)
                remove_if_unused(index_dir, previous)  # kept by our own hold until now


def _build(kb: KnowledgeBase, index_dir: Path, articles: list[Article], previous: str | None,
           full: bool, progress: bool, semantic: Any, started: float,
           shared_cache: Path | None = None) -> BuildSummary:
    """The build itself, under the build lock, ``previous`` held (see :func:`build_index`)."""
    previous_meta = read_json(version_dir(index_dir, previous) / "meta.json") if previous else None
    incremental = not full and previous_meta is not None and previous_meta["schema"] == SCHEMA_VERSION
    name = new_version_name()
    staging = index_dir / VERSIONS / f".{name}.building"
    try:
        old_hashes: dict[str, str] = previous_meta["articles"] if incremental else {}
        new_hashes = {a.slug: a.content_hash for a in articles}
        changed = [a for a in articles if old_hashes.get(a.slug) != a.content_hash]
        removed = [slug for slug in old_hashes if slug not in new_hashes]
        staging.mkdir(parents=True)
        if incremental:
            link_segments(version_dir(index_dir, previous) / "whoosh", staging / "whoosh")
            ix = whoosh_index.open_dir(str(staging / "whoosh"))
        else:
            (staging / "whoosh").mkdir()
            ix = whoosh_index.create_in(str(staging / "whoosh"), build_schema())
        replaced = [a.slug for a in changed if a.slug in old_hashes]
        deleted: dict[str, Any] = {}
        workers = 1 if incremental else worker_count(len(changed))
        if workers > 1:  # a full build on every core (search/bulk.py)
            ix.close()
            written = write_parallel(staging / "whoosh", changed, workers, progress)
            counts = (written.public, written.internal, Counter[str](), Counter[str]())
            phrases = written.phrases
        else:
            counts = write_documents(ix, changed, removed + replaced, progress, deleted)
            if incremental:
                record_deletions(ix, version_dir(index_dir, previous), deleted, staging)
            ix.close()
            phrases = None
        previous_vocab = (read_json(version_dir(index_dir, previous) / "vocab.json")
                          if incremental else None)
        write_json(staging / "vocab.json", _updated_vocab(previous_vocab, counts))
        old_links = version_dir(index_dir, previous) / MEDIA_LINKS if incremental else None
        media_links = _media_links(articles, old_hashes,
                                   read_json(old_links) if old_links and old_links.exists() else None)
        write_json(staging / MEDIA_LINKS, media_links)  # read by the next build only, not served
        write_json(staging / "meta.json", build_meta(
            kb, name, articles, previous_meta if incremental else None, phrases, media_links))
        # semantic hook: article embeddings into the staging version (search/semantic/build.py)
        embed_version(articles, staging, version_dir(index_dir, previous) if previous else None,
                      semantic, cache_dir=shared_cache or index_dir, progress=progress,
                      compact=not incremental, cache_readonly=shared_cache is not None)
        hold = hold_version(staging)  # a merge publishing now must not remove it (merging.py)
        try:
            staging.rename(version_dir(index_dir, name))
            publish(index_dir, name)
        finally:
            release_version(hold)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if current_version(index_dir) != name:  # renamed into place but never published
            shutil.rmtree(version_dir(index_dir, name), ignore_errors=True)
        raise
    return BuildSummary(name, len(articles), len({a.lang for a in articles}), len(changed),
                        len(removed), time.perf_counter() - started, not incremental)
