"""Embed many texts with every core: one worker process per core, each running the model alone.

Measured on the scale articles (docs/semantic.md): two processes with one onnxruntime thread each
embed faster than one process with two intra-op threads, because a single text is too small a
job to split well between threads. Texts still run one at a time in each worker (no batches):
the model quantizes its activations per run, so a batched text's vector would depend on its
neighbours (measured: cosine down to 0.955 against the same text alone), and the cache
(cache.py) and a rebuild must give the very vectors a first build gives. Work is handed out
longest texts first, in small chunks, so both workers finish together; progress counts tokens,
which keeps the ETA honest when long and short texts mix.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from search.semantic.encoder import DIM, Encoder
from search.semantic.model import Model

log = logging.getLogger(__name__)

#: Below this many texts one process embeds them (starting workers costs about a second each).
MIN_PARALLEL = 400
#: Texts per job sent to a worker: small enough to balance the tail, large enough to be cheap.
CHUNK = 32

_worker: Encoder | None = None


def _start(model: Model) -> None:
    """Worker initializer: one single-threaded session per worker process."""
    global _worker
    _worker = Encoder(model, threads=1)


def _embed(texts: list[str]) -> Any:
    assert _worker is not None
    return _worker._run(texts)


def workers() -> int:
    """Worker processes for a build: one per core."""
    return os.cpu_count() or 1


def encode_texts(encoder: Encoder, texts: list[str], processes: int,
                 advance: Callable[[int], None] | None = None, lengths: list[int] | None = None
                 ) -> Any:
    """Unit vectors for ``texts`` (in order), as ``encoder.encode`` would give them.

    ``processes`` > 1 spreads the work over that many worker processes; ``advance(tokens)`` is
    called as texts are done (for the progress bar); ``lengths``: the texts' token counts."""
    np = encoder._np
    lengths = lengths or encoder.token_counts(texts)
    order = sorted(range(len(texts)), key=lambda i: -lengths[i])
    chunks = [order[i:i + CHUNK] for i in range(0, len(order), CHUNK)]
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    done: set[int] = set()  # chunks embedded so far
    if processes > 1 and len(texts) >= MIN_PARALLEL:
        try:
            _in_workers(encoder, texts, chunks, lengths, processes, out, done, advance)
        except (BrokenProcessPool, OSError) as exc:  # a worker died (memory?) or cannot start
            log.warning("embedding worker processes failed (%s): embedding in this process", exc)
    for number, chunk in enumerate(chunks):
        if number not in done:
            out[chunk] = encoder._run([texts[i] for i in chunk])
            if advance:
                advance(sum(lengths[i] for i in chunk))
    return out


def _in_workers(encoder: Encoder, texts: list[str], chunks: list[list[int]], lengths: list[int],
                processes: int, out: Any, done: set[int], advance: Callable[[int], None] | None
                ) -> None:
    """Embed ``chunks`` in worker processes into ``out``, noting each finished one in ``done``."""
    context = multiprocessing.get_context("spawn")  # never fork a process that runs onnxruntime
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start,
                             initargs=(encoder.model,)) as pool:
        pending: dict[Future[Any], int] = {}
        queue = iter(range(len(chunks)))
        for number in queue:  # keep two jobs per worker in flight, hand out the rest as they end
            pending[pool.submit(_embed, [texts[i] for i in chunks[number]])] = number
            if len(pending) >= 2 * processes:
                break
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                number = pending.pop(future)
                out[chunks[number]] = future.result()
                done.add(number)
                if advance:
                    advance(sum(lengths[i] for i in chunks[number]))
                following = next(queue, None)
                if following is not None:
                    pending[pool.submit(_embed, [texts[i] for i in chunks[following]])] = following
