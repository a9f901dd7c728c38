"""Build an index version from a knowledge base: incremental by content hash, published atomically."""
from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from whoosh import index as whoosh_index

from kb.loader import KnowledgeBase
from kb.model import Article
from kb.progress import track
from kb.review import verification_manifest
from kb.states import states_manifest
from kb.translations import stale_slugs
from search.analysis import field_language, normalize_phrase, terms, words
from search.documents import searchable_words, to_document
from search.schema import SCHEMA_VERSION, build_schema
from search.segments import link_segments, merge_policy
from search.semantic.build import embed_version
from search.store import (VERSIONS, build_lock, current_version, new_version_name, publish,
                          read_json, version_dir, write_json)
from search.visibility import agent_only

log = logging.getLogger(__name__)
PARALLEL_THRESHOLD = 500


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


def _documents(articles: list[Article]) -> Iterator[dict[str, Any]]:
    """Whoosh documents in order; rendering runs in worker processes for large builds."""
    if len(articles) < PARALLEL_THRESHOLD:
        yield from map(to_document, articles)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=max(2, os.cpu_count() or 2)) as pool:
        yield from pool.imap(to_document, articles, chunksize=64)


def _word_counts(data: dict[str, Any], internal: bool) -> Counter[str]:
    """Document frequencies of the public words, or of the agent-only words, of one article.

    Every word of an internal or in-review article is agent-only, so typo correction never
    reveals it."""
    if agent_only(data):
        text = "" if not internal else searchable_words(data, False) + "\n" + data["text_internal"]
    else:
        text = searchable_words(data, internal)
    return Counter(set(words(text)))


def exact_phrases(articles: list[Article]) -> dict[str, list[str]]:
    """Normalized titles and alternate questions, each mapped to the slugs that carry it."""
    phrases: dict[str, list[str]] = {}
    for article in articles:
        for text in [article.title, *article.questions]:
            key = normalize_phrase(text)
            if key and article.slug not in phrases.setdefault(key, []):
                phrases[key].append(article.slug)
    return phrases


def _phrases(articles: list[Article], previous: dict[str, Any] | None
             ) -> dict[str, list[list[str]]]:
    """Analyzed title and questions per slug; unchanged articles keep the previous version's."""
    old_hashes = previous["articles"] if previous else {}
    old_phrases = previous.get("phrases", {}) if previous else {}
    return {a.slug: old_phrases[a.slug] if old_hashes.get(a.slug) == a.content_hash
            and a.slug in old_phrases else
            [sorted(set(terms(text, field_language(a.lang)))) for text in [a.title, *a.questions]]
            for a in articles}


def build_meta(kb: KnowledgeBase, name: str, articles: list[Article],
               previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metadata served with the version: hashes, counts, routing, synonyms, exact phrases.

    ``previous``: the meta of the version this one updates (same schema), to reuse."""
    languages = Counter(a.lang for a in articles)
    indexed = {a.slug for a in articles}
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
        # every build, incremental ones too: a source's change makes its (unchanged) translations stale
        "stale_translations": [slug for slug in stale_slugs(kb.articles) if slug in indexed],
        "phrases": _phrases(articles, previous),
    }


def write_documents(ix: Any, articles: list[Article], remove: list[str], progress: bool
                    ) -> tuple[Counter[str], Counter[str], Counter[str], Counter[str]]:
    """Delete ``remove`` slugs and (re)add ``articles``; word counts added and removed."""
    added_public, added_internal = Counter[str](), Counter[str]()
    removed_public, removed_internal = Counter[str](), Counter[str]()
    if remove:
        with ix.searcher() as searcher:
            for slug in remove:
                stored = searcher.document(slug=slug)
                if stored:
                    removed_public += _word_counts(stored["data"], False)
                    removed_internal += _word_counts(stored["data"], True)
    writer = ix.writer(limitmb=256)
    try:
        for slug in remove:
            writer.delete_by_term("slug", slug)
        for document in _progress(_documents(articles), progress, "indexing", len(articles)):
            added_public += _word_counts(document["data"], False)
            added_internal += _word_counts(document["data"], True)
            writer.add_document(**document)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_policy)
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
                progress: bool = False, semantic: Any = None) -> BuildSummary:
    """Build a new version aside and publish it; on any failure the served version is untouched.

    ``semantic``: a search.semantic.dense.Settings; None reads ``SEMANTIC`` from the environment."""
    started = time.perf_counter()
    articles = kb.published
    with build_lock(index_dir):
        (index_dir / VERSIONS).mkdir(parents=True, exist_ok=True)
        for leftover in (index_dir / VERSIONS).glob(".*.building"):
            shutil.rmtree(leftover, ignore_errors=True)
        previous = current_version(index_dir)
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
            counts = write_documents(ix, changed, removed + replaced, progress)
            ix.close()
            previous_vocab = (read_json(version_dir(index_dir, previous) / "vocab.json")
                              if incremental else None)
            write_json(staging / "vocab.json", _updated_vocab(previous_vocab, counts))
            write_json(staging / "meta.json",
                       build_meta(kb, name, articles, previous_meta if incremental else None))
            # semantic hook: article embeddings into the staging version (search/semantic/build.py)
            embed_version(articles, staging, version_dir(index_dir, previous) if previous else None,
                          semantic, cache_dir=index_dir, progress=progress)
            staging.rename(version_dir(index_dir, name))
            publish(index_dir, name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if current_version(index_dir) != name:  # renamed into place but never published
                shutil.rmtree(version_dir(index_dir, name), ignore_errors=True)
            raise
    return BuildSummary(name, len(articles), len({a.lang for a in articles}), len(changed),
                        len(removed), time.perf_counter() - started, not incremental)
