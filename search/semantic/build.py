"""The build step of the semantic layer: decide from ``SEMANTIC`` whether to embed, then embed."""
from __future__ import annotations

import logging
from pathlib import Path

from kb.model import Article
from kb.settings import load_settings
from search.semantic.dense import Settings
from search.semantic.embeddings import FOLDER, EmbedSummary, semantic_language, write_embeddings
from search.semantic.encoder import Unavailable, build_encoder, installed
from search.semantic.model import Model, load_stored
from search.store import read_json

log = logging.getLogger(__name__)


class SemanticBuildError(RuntimeError):
    """``SEMANTIC`` is ``on`` but the model cannot run."""


def embed_version(articles: list[Article], staging: Path, previous: Path | None,
                  settings: Settings | None = None, cache_dir: Path | None = None,
                  progress: bool = False, compact: bool = False,
                  cache_readonly: bool = False) -> EmbedSummary | None:
    """Embed into the staging version when the setting allows; None when nothing was embedded.

    ``cache_dir``: where the embedding cache lives (the index folder); ``progress``: show the
    embedding stage's progress (kb/progress.py); ``compact``: write every row into one shard
    (a full build) instead of linking the previous version's shards (shards.py);
    ``cache_readonly``: read the cache in ``cache_dir`` without writing to it (another index's).

    ``auto`` embeds when the extra is installed and some articles are English, and builds a
    lexical-only version (with a warning) when the model cannot run; ``on`` fails the build then."""
    settings = settings or Settings.from_config(load_settings())
    if settings.mode == "off" or not any(semantic_language(a.lang) for a in articles):
        return None
    if settings.mode == "auto" and not settings.model_dir and not installed():
        log.debug("semantic extra not installed: building without embeddings")
        return None
    try:
        encoder = build_encoder(settings.model_dir, reuse=lambda: _stored_model(previous))
    except Unavailable as exc:
        if settings.mode == "on":
            raise SemanticBuildError(f"SEMANTIC is on but the model cannot run: {exc}") from exc
        log.warning("building without embeddings: %s", exc)
        return None
    return write_embeddings(articles, staging, previous, encoder, cache_dir, progress,
                            compact=compact, cache_readonly=cache_readonly)


def _stored_model(version: Path | None) -> Model | None:
    """The model stored with a version (to reuse its quantization), None when there is none."""
    if version is None:
        return None
    folder = version / FOLDER
    try:
        return load_stored(folder, read_json(folder / "index.json"))
    except (OSError, ValueError, Unavailable):
        return None
