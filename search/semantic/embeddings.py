"""Build-time embeddings of each article, cached by content hash, stored in the index version.

Each English article gets a few unit vectors (rows), each tagged with who may see it:

* the whole article (title, summary, answer, public body): ``WHOLE_PUBLIC``;
* its parts: title, each alternate question, summary, answer, each body line: ``PART_PUBLIC``;
* agents only: the whole article with its internal paragraphs (``WHOLE_AGENT``, only when it has
  some) and each internal line (``PART_AGENT``). Every row of an internal article is agent-only.

Layout inside ``versions/<name>/semantic/``: ``vectors.npy`` (float32, rows x 384), ``kinds.npy``
(int8, one kind per row), ``text-hashes.npy`` (uint8, rows x 16: each row's text hash, cache.py),
``model.onnx`` and ``tokenizer.json`` (the model that made the vectors, which also embeds the
queries) and ``index.json`` (model id and checksums, recipe, each article's hash and row range).
The folder is written into the staging version, so it is published (and swapped) with the index.
A rebuild copies the rows of unchanged articles from the previous version and looks the texts of
the others up in the embedding cache beside the index (cache.py): a one-line change embeds that
line and the article's whole text.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.markup import plain_text, split_internal
from kb.model import Article
from kb.progress import MIN_ITEMS, Stage
from search.analysis import field_language
from search.semantic.cache import FILE as CACHE_FILE
from search.semantic.cache import EmbeddingCache, model_key, text_hash
from search.semantic.encoder import DIM, MAX_TOKENS, Encoder
from search.semantic.model import store
from search.semantic.parallel import encode_texts, workers
from search.store import read_json, write_json

log = logging.getLogger(__name__)

FOLDER = "semantic"
#: Bump when the texts embedded per article change: forces every article to be re-embedded.
RECIPE = 2
WHOLE_PUBLIC, PART_PUBLIC, WHOLE_AGENT, PART_AGENT = 0, 1, 2, 3
#: Parts per article: the title, questions, summary and answer come first (up to MAX_PARTS), body
#: lines only fill up to MAX_BODY_PARTS, which keeps long articles affordable to embed (a body line
#: costs about 9 ms on two cores; a 10,000-article KB of manual pages has ~29 lines per article).
MAX_PARTS = 32
MAX_BODY_PARTS = 16
MIN_PART_CHARS = 3
HASHES = "text-hashes.npy"


@dataclass
class EmbedSummary:
    """What one build did with embeddings."""

    articles: int
    embedded: int  # articles new or changed
    reused: int  # articles whose rows were copied from the previous version
    texts_cached: int = 0  # texts of new or changed articles found in the embedding cache
    texts_embedded: int = 0  # texts run through the model


def semantic_language(lang: str) -> bool:
    """The model is English: only English articles are embedded."""
    return field_language(lang) == "en"


def article_texts(article: Article) -> list[tuple[int, str]]:
    """(kind, text) rows of one article, parts de-duplicated, public rows first."""
    body = split_internal(article.body)
    public_body, internal_body = plain_text(body.public), plain_text(body.internal)
    internal_article = article.is_agent_only
    whole = "\n".join(t for t in [article.title, article.summary, article.answer, public_body] if t)
    rows: list[tuple[int, str]] = [(WHOLE_AGENT if internal_article else WHOLE_PUBLIC, whole)]
    if internal_body and not internal_article:
        rows.append((WHOLE_AGENT, whole + "\n" + internal_body))
    elif internal_body:
        rows[0] = (WHOLE_AGENT, whole + "\n" + internal_body)
    seen: set[str] = set()
    public_kind = PART_AGENT if internal_article else PART_PUBLIC
    head = [(public_kind, t) for t in [article.title, *article.questions, article.summary, article.answer]]
    public_lines = [(public_kind, t) for t in public_body.splitlines()]
    internal_lines = [(PART_AGENT, t) for t in internal_body.splitlines()]
    for limit, candidates in ((MAX_PARTS, head), (MAX_BODY_PARTS, public_lines), (None, internal_lines)):
        if limit is None:  # agent-only lines get their own allowance
            limit = len(seen) + MAX_BODY_PARTS // 2
        for kind, text in candidates:
            text = " ".join(text.split()).lstrip("-*# ").strip()
            key = text.lower()
            if len(text) < MIN_PART_CHARS or key in seen or len(seen) >= limit:
                continue
            seen.add(key)
            rows.append((kind, text))
    return rows


def _previous(previous_dir: Path | None, model_id: str) -> tuple[dict[str, Any], Any, Any, Any] | None:
    """The previous version's rows by article content hash (vectors, kinds, text hashes) when
    made with the same model and recipe."""
    if previous_dir is None:
        return None
    folder = previous_dir / FOLDER
    try:
        index = read_json(folder / "index.json")
        if index.get("model") != model_id or index.get("recipe") != RECIPE:
            return None
        import numpy as np  # noqa: PLC0415
        vectors = np.load(folder / "vectors.npy")
        kinds = np.load(folder / "kinds.npy")
        hashes = np.load(folder / HASHES)
    except (OSError, ValueError, KeyError) as exc:
        log.info("no reusable embeddings in %s (%s): looking texts up in the cache", folder, exc)
        return None
    by_hash = {entry["hash"]: entry for entry in index["articles"].values()}
    return by_hash, vectors, kinds, hashes


def _save(path: Path, array: Any) -> None:
    import numpy as np  # noqa: PLC0415
    with open(path, "wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


def write_embeddings(articles: list[Article], staging: Path, previous_dir: Path | None,
                     encoder: Encoder, cache_dir: Path | None = None, progress: bool = False,
                     processes: int | None = None) -> EmbedSummary:
    """Embed the English articles into ``staging/semantic``: unchanged articles' rows are copied
    from the previous version, the texts of the others are looked up in the embedding cache in
    ``cache_dir`` (cache.py), and only the texts found in neither are run through the model, by
    ``processes`` worker processes (default: one per core)."""
    import numpy as np  # noqa: PLC0415
    english = [a for a in articles if semantic_language(a.lang)]
    previous = _previous(previous_dir, encoder.model_id)
    pending: list[tuple[Article, list[tuple[int, str]]]] = []
    blocks: dict[str, tuple[Any, Any, Any]] = {}
    for article in english:
        entry = previous[0].get(article.content_hash) if previous else None
        if entry is not None:
            rows = slice(entry["start"], entry["stop"])
            blocks[article.slug] = (previous[1][rows], previous[2][rows], previous[3][rows])
        else:
            pending.append((article, article_texts(article)))
    texts = [text for _, rows in pending for _, text in rows]
    keys = [text_hash(text) for text in texts]
    cache = (EmbeddingCache(cache_dir / CACHE_FILE,
                            model_key(encoder.model_id, encoder.model.sha256,
                                      encoder.model.tokenizer, MAX_TOKENS), DIM)
             if cache_dir is not None and texts else None)
    try:
        unique = dict(zip(keys, texts))
        found = _lookup(encoder, cache, unique)
        missing = {key: text for key, text in unique.items() if key not in found}
        fresh = _embed(encoder, list(missing.values()), progress,
                       workers() if processes is None else processes)
        for key, vector in zip(missing, fresh):
            found[key] = vector
            encoder.remember(missing[key], vector)
        if cache is not None:
            cache.put((key, found[key]) for key in missing)
        offset = 0
        for article, rows in pending:
            row_keys = keys[offset:offset + len(rows)]
            blocks[article.slug] = (np.array([found[k] for k in row_keys], dtype=np.float32).reshape(-1, DIM),
                                    np.array([kind for kind, _ in rows], dtype=np.int8),
                                    np.array([np.frombuffer(k, dtype=np.uint8) for k in row_keys],
                                             dtype=np.uint8).reshape(-1, 16))
            offset += len(rows)
        summary = _write(english, blocks, staging / FOLDER, encoder, pending,
                         len(unique) - len(missing), len(missing))
        if cache is not None:
            cache.collect({bytes(row) for _, _, hashes in blocks.values() for row in hashes})
    finally:
        if cache is not None:
            cache.close()
    return summary


def _lookup(encoder: Encoder, cache: EmbeddingCache | None, texts: dict[bytes, str]) -> dict[bytes, Any]:
    """Vectors already known for ``texts`` (by hash): in the cache file, else in this process."""
    found = cache.get(list(texts)) if cache is not None else {}
    for key, text in texts.items():
        if key not in found and (vector := encoder.remembered(text)) is not None:
            found[key] = vector
    return found


def _embed(encoder: Encoder, texts: list[str], progress: bool, processes: int) -> Any:
    """Run the model over ``texts``, showing the stage's progress (in tokens: an honest ETA)."""
    lengths = encoder.token_counts(texts)
    with Stage("embed", sum(lengths), progress and len(texts) >= MIN_ITEMS, "token",
               note=f"{len(texts)} texts") as stage:
        return encode_texts(encoder, texts, processes, stage.advance, lengths)


def _write(english: list[Article], blocks: dict[str, tuple[Any, Any, Any]], folder: Path,
           encoder: Encoder, pending: list[tuple[Article, Any]], cached: int, embedded: int
           ) -> EmbedSummary:
    """Write the version's semantic folder: vectors, kinds, text hashes, model and index.json."""
    import numpy as np  # noqa: PLC0415
    entries, vector_parts, kind_parts, hash_parts, start = {}, [], [], [], 0
    for article in english:
        vectors, kinds, hashes = blocks[article.slug]
        entries[article.slug] = {"hash": article.content_hash, "start": start,
                                 "stop": start + len(kinds)}
        vector_parts.append(vectors)
        kind_parts.append(kinds)
        hash_parts.append(hashes)
        start += len(kinds)
    folder.mkdir()
    _save(folder / "vectors.npy", np.concatenate(vector_parts).astype(np.float32) if vector_parts
          else np.zeros((0, DIM), dtype=np.float32))
    _save(folder / "kinds.npy", np.concatenate(kind_parts) if kind_parts else np.zeros(0, np.int8))
    _save(folder / HASHES, np.concatenate(hash_parts) if hash_parts else np.zeros((0, 16), np.uint8))
    summary = EmbedSummary(len(english), len(pending), len(english) - len(pending), cached, embedded)
    store(encoder.model, folder)
    write_json(folder / "index.json", {**encoder.model.record(), "recipe": RECIPE,
                                       "embedded": [a.slug for a, _ in pending],
                                       "texts_embedded": embedded, "texts_cached": cached,
                                       "rows": start, "articles": entries})
    log.info("embeddings: %d articles, %d embedded (%d texts run, %d from the cache), %d reused",
             summary.articles, summary.embedded, embedded, cached, summary.reused)
    return summary
