"""The semantic part of ``bench/build.py``: embedding a first build the old way and the new way in
the same run, then a build with the semantic layer on and a rebuild after one change.

    python bench/build.py --docs 0 --semantic-docs 1000

* **before**: how builds embedded until the embedding cache (search/semantic/cache.py): one
  process, onnxruntime with one intra-op thread per core left spinning between operators, each
  text alone, nothing cached.
* **one process**: the same process with the pool threads sleeping instead of spinning.
* **workers**: what a build now does (search/semantic/parallel.py): one single-threaded worker
  process per core, longest texts first.

Each is timed on the same unique texts with the same quantized model (quantizing is not timed),
wall-clock and CPU seconds (this process and its workers): on a shared machine the CPU figure is
the steadier one. All three give the very same vectors (checked).
"""
from __future__ import annotations

import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb import load_knowledge_base


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own, children = (resource.getrusage(resource.RUSAGE_SELF),
                     resource.getrusage(resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = run()
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def spinning_encoder(model: Any) -> Any:
    """An encoder set up as builds set theirs up before: intra-op threads = cores, spinning."""
    import onnxruntime  # noqa: PLC0415

    from search.semantic.encoder import Encoder  # noqa: PLC0415
    encoder = Encoder(model, threads=os.cpu_count() or 1)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = os.cpu_count() or 1
    options.inter_op_num_threads = 1
    encoder.session = onnxruntime.InferenceSession(model.onnx, options,
                                                   providers=["CPUExecutionProvider"])
    return encoder


def bench_semantic(articles: Path, timed_build: Callable[..., Any]) -> None:
    """Print the semantic build figures for the knowledge base in ``articles``."""
    from search.semantic.dense import Settings  # noqa: PLC0415
    from search.semantic.embeddings import article_texts, semantic_language  # noqa: PLC0415
    from search.semantic.encoder import Encoder, build_encoder, installed  # noqa: PLC0415
    from search.semantic.parallel import encode_texts, workers  # noqa: PLC0415

    if not installed():
        print("\nsemantic: extra not installed (pip install -r requirements-semantic.txt): skipped")
        return
    kb = load_knowledge_base(articles)
    english = [a for a in kb.published if semantic_language(a.lang)]
    encoder = build_encoder()
    texts = sorted({text for article in english for _, text in article_texts(article)})
    tokens = sum(encoder.token_counts(texts))
    print(f"\nsemantic, {len(english)} English articles: {len(texts)} unique texts, "
          f"{tokens} tokens (one run each, {workers()} cores)")
    old = spinning_encoder(encoder.model)
    one = Encoder(encoder.model, threads=os.cpu_count() or 1)
    rows = [("before: 1 process, spinning", lambda: old._run(texts)),
            ("1 process, threads sleep", lambda: encode_texts(one, texts, 1)),
            (f"now: {workers()} worker processes", lambda: encode_texts(one, texts, workers()))]
    results = []
    for label, run in rows:
        vectors, wall, cpu = measured(run)
        results.append((label, vectors, wall, cpu))
    reference, base_wall, base_cpu = results[0][1], results[0][2], results[0][3]
    for label, vectors, wall, cpu in results:
        same = "same vectors" if (vectors == reference).all() else "VECTORS DIFFER"
        print(f"  embed, {label:<30} {wall:8.1f} s wall ({base_wall / wall:4.2f}x)"
              f" {cpu:8.1f} s CPU ({base_cpu / cpu:4.2f}x)  {same}")
    settings = Settings("on")
    with tempfile.TemporaryDirectory() as scratch:
        index = Path(scratch) / "index"
        (seconds, stages), wall, cpu = measured(
            lambda: timed_build(articles, index, full=True, semantic=settings))
        print(f"  {'first build, semantic on':<38} {seconds:8.1f} s wall {cpu:8.1f} s CPU "
              f"({', '.join(f'{k} {v:.1f}s' for k, v in stages.items())})")
        files = sorted(articles.rglob("*.md"))
        target = files[len(files) // 2]
        original = target.read_text(encoding="utf-8")
        target.write_text(original + "\nOne more line for the bench.\n", encoding="utf-8")
        try:
            (seconds, stages), wall, cpu = measured(
                lambda: timed_build(articles, index, full=False, semantic=settings))
        finally:
            target.write_text(original, encoding="utf-8")
        meta = _semantic_meta(index)
        print(f"  {'one article changed, semantic on':<38} {seconds:8.1f} s wall {cpu:8.1f} s CPU "
              f"({meta.get('texts_embedded')} texts embedded, {meta.get('texts_cached')} "
              f"from the cache)")


def _semantic_meta(index: Path) -> dict[str, Any]:
    from search.semantic.embeddings import FOLDER  # noqa: PLC0415
    from search.store import current_version, read_json, version_dir  # noqa: PLC0415
    return read_json(version_dir(index, current_version(index) or "") / FOLDER / "index.json")
