"""Build-time embeddings of each article, cached by content hash, stored in the index version.

Each English article gets a few unit vectors (rows), each tagged with who may see it:

* the whole article (title, summary, answer, public body): ``WHOLE_PUBLIC``;
* its parts: title, each alternate question, summary, answer, each body line: ``PART_PUBLIC``;
* agents only: the whole article with its internal paragraphs (``WHOLE_AGENT``, only when it has
  some) and each internal line (``PART_AGENT``). Every row of an internal article is agent-only.

Layout inside ``versions/<name>/semantic/``: ``vectors.npy`` (float32, rows x 384), ``kinds.npy``
(int8, one kind per row), ``model.onnx`` and ``tokenizer.json`` (the model that made the vectors,
which also embeds the queries) and ``index.json`` (model id and checksums, recipe, each article's
hash and row range).
The folder is written into the staging version, so it is published (and swapped) with the index.
A rebuild copies the rows of unchanged articles from the previous version: a one-article change
re-embeds one article.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.markup import plain_text, split_internal
from kb.model import Article
from search.analysis import field_language
from search.semantic.encoder import Encoder
from search.semantic.model import store
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


@dataclass
class EmbedSummary:
    """What one build did with embeddings."""

    articles: int
    embedded: int
    reused: int


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


def _previous(previous_dir: Path | None, model_id: str) -> tuple[dict[str, Any], Any, Any] | None:
    """The previous version's cache (by content hash) when made with the same model and recipe."""
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
    except (OSError, ValueError, KeyError) as exc:
        log.info("no reusable embeddings in %s (%s): embedding every article", folder, exc)
        return None
    by_hash = {entry["hash"]: entry for entry in index["articles"].values()}
    return by_hash, vectors, kinds


def _save(path: Path, array: Any) -> None:
    import numpy as np  # noqa: PLC0415
    with open(path, "wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


def write_embeddings(articles: list[Article], staging: Path, previous_dir: Path | None,
                     encoder: Encoder) -> EmbedSummary:
    """Embed the English articles into ``staging/semantic``, reusing unchanged ones' rows."""
    import numpy as np  # noqa: PLC0415
    english = [a for a in articles if semantic_language(a.lang)]
    cache = _previous(previous_dir, encoder.model_id)
    pending: list[tuple[Article, list[tuple[int, str]]]] = []
    reused: dict[str, tuple[Any, Any]] = {}
    for article in english:
        entry = cache[0].get(article.content_hash) if cache else None
        if entry is not None:
            reused[article.slug] = (cache[1][entry["start"]:entry["stop"]],
                                    cache[2][entry["start"]:entry["stop"]])
        else:
            pending.append((article, article_texts(article)))
    texts = [text for _, rows in pending for _, text in rows]
    fresh = encoder.encode(texts) if texts else np.zeros((0, 384), dtype=np.float32)
    blocks: dict[str, tuple[Any, Any]] = dict(reused)
    offset = 0
    for article, rows in pending:
        blocks[article.slug] = (fresh[offset:offset + len(rows)],
                                np.array([kind for kind, _ in rows], dtype=np.int8))
        offset += len(rows)
    entries, vector_parts, kind_parts, start = {}, [], [], 0
    for article in english:
        vectors, kinds = blocks[article.slug]
        entries[article.slug] = {"hash": article.content_hash, "start": start,
                                 "stop": start + len(kinds)}
        vector_parts.append(vectors)
        kind_parts.append(kinds)
        start += len(kinds)
    folder = staging / FOLDER
    folder.mkdir()
    _save(folder / "vectors.npy", np.concatenate(vector_parts).astype(np.float32) if vector_parts
          else np.zeros((0, 384), dtype=np.float32))
    _save(folder / "kinds.npy", np.concatenate(kind_parts) if kind_parts else np.zeros(0, np.int8))
    summary = EmbedSummary(len(english), len(pending), len(reused))
    store(encoder.model, folder)
    write_json(folder / "index.json", {**encoder.model.record(), "recipe": RECIPE,
                                       "embedded": [a.slug for a, _ in pending],
                                       "rows": start, "articles": entries})
    log.info("embeddings: %d articles, %d embedded, %d reused", summary.articles,
             summary.embedded, summary.reused)
    return summary
