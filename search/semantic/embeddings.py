"""Build-time embeddings of each article, cached by content hash, stored in the index version.

Each English article gets a few unit vectors (rows), each tagged with who may see it:

* the whole article (title, summary, answer, public body): ``WHOLE_PUBLIC``;
* its parts: title, each alternate question, summary, answer, each body line: ``PART_PUBLIC``;
* agents only: the whole article with its internal paragraphs (``WHOLE_AGENT``, only when it has
  some) and each internal line (``PART_AGENT``). Every row of an internal article is agent-only.

Layout inside ``versions/<name>/semantic/``: the vectors, kinds and text hashes of the rows in
shards shared between versions (shards.py), ``model.onnx`` and ``tokenizer.json`` (the model that
made the vectors, which also embeds the queries) and ``index.json`` (model id and checksums,
recipe, the shards, each article's hash and rows). The folder is written into the staging version,
so it is published (and swapped) with the index. A rebuild links the shards of unchanged articles
from the previous version (and the model, when the same), looks the texts of the others up in the
embedding cache beside the index (cache.py) and writes their rows as one new shard: a one-line
change embeds that line and the article's whole text, and writes only that article's rows.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.markup import plain_text, split_internal
from kb.model import Article
from kb.progress import MIN_ITEMS, Stage
from search.analysis import field_language
from search.semantic import shards as shards_mod
from search.semantic.cache import FILE as CACHE_FILE
from search.semantic.cache import EmbeddingCache, model_key, text_hash
from search.semantic.encoder import DIM, MAX_TOKENS, Encoder
from search.semantic.model import MODEL_FILE, TOKENIZER_FILE, store
from search.semantic.parallel import encode_texts, workers
from search.store import read_json, write_json

log = logging.getLogger(__name__)

FOLDER = shards_mod.FOLDER
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


@dataclass
class Previous:
    """The previous version's vectors, reusable by this build: its shards and rows by content hash."""

    folder: Path
    index: dict[str, Any]
    shards: dict[str, shards_mod.Shard]
    by_hash: dict[str, shards_mod.Ref]


def _previous(previous_dir: Path | None, model_id: str) -> Previous | None:
    """The previous version's vectors when made with the same model and recipe (None: none)."""
    if previous_dir is None:
        return None
    folder = previous_dir / FOLDER
    try:
        index = read_json(folder / "index.json")
        if index.get("model") != model_id or index.get("recipe") != RECIPE:
            return None
        shards = {s.name: s for s in shards_mod.shards_of(index)}
        for shard in shards.values():  # headers and sizes only: a damaged shard is not passed on
            for part in shards_mod.PARTS:
                if len(shards_mod.load(folder, shard, part)) != shard.rows:
                    raise ValueError(f"shard {shard.name!r} ({part}) does not match index.json")
        refs = shards_mod.refs_of(index)
    except (OSError, ValueError, KeyError) as exc:
        log.info("no reusable embeddings in %s (%s): looking texts up in the cache", folder, exc)
        return None
    by_hash = {index["articles"][slug]["hash"]: ref for slug, ref in refs.items()}
    return Previous(folder, index, shards, by_hash)


def write_embeddings(articles: list[Article], staging: Path, previous_dir: Path | None,
                     encoder: Encoder, cache_dir: Path | None = None, progress: bool = False,
                     processes: int | None = None, compact: bool = False,
                     cache_readonly: bool = False) -> EmbedSummary:
    """Embed the English articles into ``staging/semantic``: unchanged articles keep their rows
    in the previous version's shards (hard-linked, shards.py), the texts of the others are looked
    up in the embedding cache in ``cache_dir`` (cache.py), and only the texts found in neither are
    run through the model, by ``processes`` worker processes (default: one per core). The new
    rows go into one new shard; ``compact``: write every row into one shard (a full build);
    ``cache_readonly``: look vectors up in the cache without writing to it (another index's)."""
    import numpy as np  # noqa: PLC0415
    english = [a for a in articles if semantic_language(a.lang)]
    previous = _previous(previous_dir, encoder.model_id)
    pending: list[tuple[Article, list[tuple[int, str]]]] = []
    refs: dict[str, shards_mod.Ref] = {}
    for article in english:
        ref = previous.by_hash.get(article.content_hash) if previous else None
        if ref is not None:
            refs[article.slug] = ref
        else:
            pending.append((article, article_texts(article)))
    texts = [text for _, rows in pending for _, text in rows]
    keys = [text_hash(text) for text in texts]
    cache = (EmbeddingCache(cache_dir / CACHE_FILE,
                            model_key(encoder.model_id, encoder.model.sha256,
                                      encoder.model.tokenizer, MAX_TOKENS), DIM, cache_readonly)
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
        new_rows = (np.array([found[k] for k in keys], dtype=np.float32).reshape(-1, DIM),
                    np.array([kind for _, rows in pending for kind, _ in rows], dtype=np.int8),
                    np.array([np.frombuffer(k, dtype=np.uint8) for k in keys],
                             dtype=np.uint8).reshape(-1, 16))
        summary = _write(english, refs, new_rows, staging / FOLDER, previous, encoder, pending,
                         compact, len(unique) - len(missing), len(missing))
        if cache is not None:
            cache.collect(_hashes_in_use(staging / FOLDER))
    finally:
        if cache is not None:
            cache.close()
    return summary


def _hashes_in_use(folder: Path) -> set[bytes]:
    """The text hashes of every row a version's articles point at."""
    import numpy as np  # noqa: PLC0415
    hashes = np.ascontiguousarray(shards_mod.live_hashes(folder, read_json(folder / "index.json")))
    return set(hashes.view(np.dtype((np.void, 16))).ravel().tolist())  # 16-byte keys, as bytes


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


def _write(english: list[Article], refs: dict[str, shards_mod.Ref], new_rows: tuple[Any, Any, Any],
           folder: Path, previous: Previous | None, encoder: Encoder,
           pending: list[tuple[Article, Any]], compact: bool, cached: int, embedded: int
           ) -> EmbedSummary:
    """Write the version's semantic folder: the shards still in use linked, the new rows as one
    new shard (or every row as one shard), the model (linked when unchanged) and index.json."""
    folder.mkdir()
    shard_name, start = shards_mod.new_name(), 0
    for article, rows in pending:
        refs[article.slug] = (shard_name, start, start + len(rows))
        start += len(rows)
    used = [name for name in dict.fromkeys(ref[0] for ref in refs.values()) if name != shard_name]
    if previous is not None and len(used) + 1 > shards_mod.MAX_SHARDS:
        compact = True
    if compact and used:  # every row into the new shard
        assert previous is not None
        arrays = {name: tuple(shards_mod.load(previous.folder, previous.shards[name], part)
                              for part in shards_mod.PARTS) for name in used}
        arrays[shard_name] = new_rows
        order = list(dict.fromkeys(refs[a.slug] for a in english))
        new_rows = shards_mod.concatenate(arrays, order)
        where = shards_mod.placed(order, shard_name)
        refs = {slug: where[ref] for slug, ref in refs.items()}
        used = []
    shards = []
    for name in used:
        assert previous is not None
        shards_mod.link_shard(previous.folder, folder, previous.shards[name])
        shards.append(previous.shards[name])
    if len(new_rows[1]):
        shard = shards_mod.Shard(shard_name, len(new_rows[1]))
        for part, array in zip(shards_mod.PARTS, new_rows):
            shards_mod.save(shard.path(folder, part), array)
        shards.append(shard)
    _store_model(encoder, folder, previous)
    entries = {a.slug: {"hash": a.content_hash, "shard": refs[a.slug][0],
                        "start": refs[a.slug][1], "stop": refs[a.slug][2]} for a in english}
    live = sum(shards_mod.live_rows(list(refs.values())).values())
    write_json(folder / "index.json", {**encoder.model.record(), "recipe": RECIPE,
                                       "embedded": [a.slug for a, _ in pending],
                                       "texts_embedded": embedded, "texts_cached": cached,
                                       "rows": live, "new_rows": len(new_rows[1]),
                                       "shards": [{"name": s.name, "rows": s.rows} for s in shards],
                                       "articles": entries})
    summary = EmbedSummary(len(english), len(pending), len(english) - len(pending), cached, embedded)
    log.info("embeddings: %d articles, %d embedded (%d texts run, %d from the cache), %d reused, "
             "%d rows written in %d shard(s)", summary.articles, summary.embedded, embedded, cached,
             summary.reused, len(new_rows[1]), len(shards))
    return summary


def _store_model(encoder: Encoder, folder: Path, previous: Previous | None) -> None:
    """The model beside the vectors: linked from the previous version when the same, else written."""
    if previous is not None and previous.index.get("model_sha256") == encoder.model.sha256:
        try:
            for name in (MODEL_FILE, TOKENIZER_FILE):
                shards_mod.link_file(previous.folder / name, folder / name)
            return
        except OSError:
            for name in (MODEL_FILE, TOKENIZER_FILE):
                (folder / name).unlink(missing_ok=True)
    store(encoder.model, folder)
