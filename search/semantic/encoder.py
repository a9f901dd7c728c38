"""Sentence embeddings on onnxruntime (mean pooling, unit length): no PyTorch, nothing fetched.

Two kinds of encoder per process, each loaded once: the *build* encoder embeds articles with
every core (or hands them to one worker process per core, search/semantic/parallel.py), from the
source model prepared for speed (search/semantic/model.py); a *query*
encoder embeds queries on one thread with the model stored in the served index version, shared
by every version stored with the same model. Any failure leaves an :class:`Unavailable` with a
reason instead of an exception at search time.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable

from search.caches import BoundedCache
from search.semantic.model import (INSTALL_HINT, MODEL_PACKAGE, TOKENIZER_PACKAGE, Model,
                                   Unavailable, check_stored, load_stored, locate, prepare)

log = logging.getLogger(__name__)

__all__ = ["DIM", "Encoder", "Unavailable", "build_encoder", "installed", "query_encoder",
           "runtime_installed"]

DIM = 384
MAX_TOKENS = 256
#: Query vectors remembered per encoder (1.5 KB each plus the query text).
QUERY_CACHE = 1024
#: Estimated bytes of those query vectors and texts.
QUERY_CACHE_BYTES = 4 * 2**20
#: Texts remembered per process by ``encode`` (about 1.5 KB each): repeated builds in one process
#: (tests, golden checks) embed each distinct text once.
TEXT_CACHE = 20_000
#: Estimated bytes of those article texts and vectors.
TEXT_CACHE_BYTES = 96 * 2**20


def _runtime() -> tuple[Any, Any, Any]:
    """numpy, onnxruntime and tokenizers' Tokenizer; Unavailable when the extra is missing."""
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # before onnxruntime is first imported
    try:
        import numpy as np  # noqa: PLC0415
        import onnxruntime  # noqa: PLC0415
        from tokenizers import Tokenizer  # noqa: PLC0415
    except ImportError as exc:
        raise Unavailable(f"semantic extra not installed ({exc.name} missing): {INSTALL_HINT}") from exc
    return np, onnxruntime, Tokenizer


class Encoder:
    """A loaded model: ``encode`` texts into L2-normalized float32 vectors (mean pooling).

    Queries are embedded on the request's thread. Two ways of overlapping that with the lexical
    pass were measured and dropped: a Python helper thread (no faster: the threads waited on
    each other for the GIL) and onnxruntime's ``run_async`` (0.3 ms faster at p50, but its pool
    thread does not survive a fork, which gunicorn --preload does)."""

    def __init__(self, model: Model, threads: int = 1, concurrency: int = 1) -> None:
        np, onnxruntime, Tokenizer = _runtime()
        self.model = model
        # At most ``concurrency`` model runs at once, whatever the server's thread count: each
        # concurrent run grows onnxruntime's memory arena, which never shrinks, and runs beyond
        # the core count only wait on each other (8 threads on 2 cores: ~25 MB more RSS and a
        # slower total than 2 at a time; measured with the soak, docs/operations.md).
        self._gate = threading.BoundedSemaphore(max(1, concurrency))
        self.model_id = model.model_id
        self._np = np
        self.queries = BoundedCache(QUERY_CACHE, QUERY_CACHE_BYTES)
        self._texts = BoundedCache(TEXT_CACHE, TEXT_CACHE_BYTES)
        try:
            self.tokenizer = Tokenizer.from_str(model.tokenizer)
            self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
            self.tokenizer.no_padding()
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            # Queries use one thread: predictable latency next to other workers and requests
            # (two threads save about 0.4 ms a query on an idle machine). Builds use one per core.
            options.intra_op_num_threads = threads
            # Idle pool threads sleep instead of spinning: a text is a small job, and spinning
            # between its operators burnt half the CPU of a build (33 texts per CPU-second against
            # 66 without it, scale articles, docs/semantic.md) for no gain on a busy machine.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.inter_op_num_threads = 1
            self.session = onnxruntime.InferenceSession(model.onnx, options,
                                                        providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in self.session.get_inputs()}
            probe = self._run(["probe"])
        except Exception as exc:  # noqa: BLE001  (corrupt or foreign files: say why, do not crash)
            raise Unavailable(f"cannot load the model: {type(exc).__name__}: {exc}") from exc
        if probe.shape != (1, DIM) or not np.isfinite(probe).all():
            raise Unavailable(f"model gives vectors of shape {probe.shape}, expected (1, {DIM})")

    def encode(self, texts: list[str]) -> Any:
        """Unit vectors (len(texts) x 384) in the order of ``texts``; remembers recent texts."""
        np = self._np
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        known = {i: self._texts.get(t) for i, t in enumerate(texts)}
        missing = sorted({t for i, t in enumerate(texts) if known[i] is None})
        fresh = dict(zip(missing, self._run(missing))) if missing else {}
        for text, vector in fresh.items():
            self._texts.put(text, vector.copy())  # a row alone: the batch's array can go
        for i, text in enumerate(texts):
            out[i] = known[i] if known[i] is not None else fresh[text]
        return out

    def remembered(self, text: str) -> Any:
        """The vector this process last computed for ``text``, or None."""
        return self._texts.get(text)

    def remember(self, text: str, vector: Any) -> None:
        self._texts.put(text, vector.copy())

    def token_counts(self, texts: list[str]) -> list[int]:
        """Tokens each text runs as (after truncation): the measure of its cost."""
        return [len(e.ids) for e in self.tokenizer.encode_batch([t or " " for t in texts])]

    def _run(self, texts: list[str]) -> Any:
        """Run the model on each text alone: mean pooling over its tokens, then L2 norm.

        One text per run: with int8 activations (quantized per run) a text's vector would
        otherwise depend on the texts batched with it, and without padding it is also faster
        (measured on the demo articles, two threads: 158 texts/s alone, 124/s in batches of 32)."""
        np = self._np
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = np.array([self.tokenizer.encode(text or " ").ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
            with self._gate:
                hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            pooled = hidden[0].mean(axis=0)
            out[i] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out

    def encode_query(self, text: str) -> Any:
        """One query's vector, cached (queries repeat)."""
        return self.queries.get_or_compute(text, lambda: self._run([text])[0])


_build_encoders: dict[str, Encoder | Unavailable] = {}
_query_encoders: dict[str, Encoder | Unavailable] = {}
_encoders_lock = threading.Lock()


def _remembered(cache: dict[str, Encoder | Unavailable], key: str, load: Any) -> Encoder:
    """``cache[key]``, loading it once (a failure is remembered too); raises Unavailable."""
    with _encoders_lock:
        found = cache.get(key)
        if found is None:
            try:
                found = load()
                log.info("semantic model loaded: %s", found.model_id)
            except Unavailable as exc:
                found = exc
                log.warning("semantic search unavailable: %s", exc)
            cache[key] = found
    if isinstance(found, Unavailable):
        raise Unavailable(str(found))
    return found


def build_encoder(model_dir: str = "", reuse: Callable[[], Model | None] | None = None) -> Encoder:
    """The process's encoder for embedding articles with the source in ``model_dir`` (empty: the
    installed packages), prepared once per process. ``reuse``: gives a model prepared earlier
    (see model.prepare); called only when this process has no encoder for ``model_dir`` yet."""
    def load() -> Encoder:
        _runtime()
        return Encoder(prepare(locate(model_dir), reuse() if reuse else None), os.cpu_count() or 1)
    return _remembered(_build_encoders, model_dir, load)


def query_encoder(folder: Path, meta: dict[str, Any]) -> Encoder:
    """The encoder for queries against the index version whose semantic folder is ``folder``
    (``meta``: its index.json): the model stored there, checked on every call (a damaged file is
    reported), run by one session per process and model checksum. When that session exists the
    file is only streamed through the checksum: reading the whole model for every new index
    version left ~23 MB allocations that glibc then kept in the heap."""
    _runtime()
    with _encoders_lock:
        loaded = _query_encoders.get(meta.get("model_sha256", ""))
    if isinstance(loaded, Encoder) and check_stored(folder, meta) == loaded.model.sha256:
        return loaded
    model = load_stored(folder, meta)
    return _remembered(_query_encoders, model.sha256,
                       lambda: Encoder(model, threads=1, concurrency=os.cpu_count() or 1))


def runtime_installed() -> bool:
    """Whether serving can run the semantic layer: onnxruntime and tokenizers importable."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("numpy", "onnxruntime", "tokenizers"))


def installed() -> bool:
    """Whether building can embed: the runtime and the packaged model files are installed."""
    return runtime_installed() and all(importlib.util.find_spec(name) is not None
                                       for name in (MODEL_PACKAGE, TOKENIZER_PACKAGE))
