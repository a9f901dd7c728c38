"""Full builds on every core: each worker process turns one contiguous share of the articles into
documents and writes them as its own Whoosh segment; the parent commits the segments together.

What a single writer does in one process (building documents, analyzing text, writing postings,
compressing stored data) runs in as many processes as there are cores, and nothing is analyzed
twice: a worker also counts the typo-vocabulary words and analyzes the titles and questions of
its articles. The shares are contiguous and committed in order, so document numbers, and with
them the order of equally scored results, are those of a one-process build; BM25's statistics
(document frequencies, field lengths) are summed over segments, so scores are the same too
(tests/test_parallel_build.py compares the two).

The segments are written with Whoosh's own pieces, the way ``whoosh.multiproc.MpWriter`` with
``multisegment=True`` does it: a ``SegmentWriter`` per worker without the index lock, then the
parent's locked writer writing the table of contents that lists them. Workers are forked, so they
inherit the articles instead of receiving them pickled.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from kb.model import Article
from kb.progress import track
from search.documents import analyzed_phrases, to_document, vocabulary_words

#: Below this many articles a full build stays in one process (forking costs more than it saves).
PARALLEL_THRESHOLD = 500
#: At most this many worker processes (and so segments): more segments slow every query a little.
MAX_WORKERS = 4
#: Memory each worker's writer uses for postings before spilling them to disk.
WORKER_LIMIT_MB = 128
#: A worker reports progress every this many articles.
TICK = 16

_shared: dict[str, Any] = {}  # set in each worker by _adopt


@dataclass
class Written:
    """What the workers wrote and learned: segments in article order, word counts, phrases."""

    segments: list[Any] = field(default_factory=list)
    public: Counter[str] = field(default_factory=Counter)
    internal: Counter[str] = field(default_factory=Counter)
    phrases: dict[str, list[list[str]]] = field(default_factory=dict)


def cores() -> int:
    """The CPUs this process may run on (fewer than the machine's under an affinity mask)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(articles: int) -> int:
    """Worker processes for a full build of ``articles`` (1: build in this process)."""
    if articles < PARALLEL_THRESHOLD:
        return 1
    return max(1, min(cores(), MAX_WORKERS))


def shares(articles: list[Article], count: int) -> list[tuple[int, int]]:
    """``count`` contiguous ``(start, stop)`` ranges of about the same amount of text."""
    sizes = [len(a.body) + len(a.title) + 64 for a in articles]
    total, bounds, running = sum(sizes), [0], 0
    for number, size in enumerate(sizes):
        running += size
        if len(bounds) < count and running >= total * len(bounds) / count:
            bounds.append(number + 1)
    bounds += [len(articles)] * (count + 1 - len(bounds))
    return [(bounds[i], bounds[i + 1]) for i in range(count) if bounds[i] < bounds[i + 1]]


def _adopt(articles: list[Article], ticks: Any) -> None:
    _shared.update(articles=articles, ticks=ticks)


def _write_share(folder: str, start: int, stop: int) -> tuple[Any, Counter[str], Counter[str],
                                                               dict[str, list[list[str]]]]:
    """In a worker: write articles ``start:stop`` as one segment of the index in ``folder``."""
    articles, ticks = _shared["articles"], _shared["ticks"]
    ix = whoosh_index.open_dir(folder)
    writer = SegmentWriter(ix, _lk=False, limitmb=WORKER_LIMIT_MB)
    public, internal, phrases = Counter[str](), Counter[str](), {}
    try:
        for number in range(start, stop):
            article = articles[number]
            document = to_document(article)
            public.update(vocabulary_words(document["data"], False))
            internal.update(vocabulary_words(document["data"], True))
            phrases[article.slug] = analyzed_phrases(article)
            writer.add_document(**document)
            if (number - start + 1) % TICK == 0:
                ticks.put(TICK)
        segment = writer._finalize_segment()  # as MpWriter's sub-writers do
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    ticks.put((stop - start) % TICK)
    return segment, public, internal, phrases


def _progress(ticks: Any, futures: list[Future[Any]], total: int) -> Iterator[None]:
    """One item per article written, as the workers report them."""
    done = 0
    while done < total:
        try:
            count = ticks.get(timeout=0.2)
        except queue.Empty:
            if all(f.done() for f in futures):
                break
            continue
        done += count
        yield from (None for _ in range(count))
    if all(f.done() and f.exception() is None for f in futures):
        yield from (None for _ in range(total - done))  # reports still in flight: the work is done


def write_parallel(folder: Path, articles: list[Article], workers: int, progress: bool) -> Written:
    """Index ``articles`` into the new, empty Whoosh index in ``folder`` with ``workers`` processes."""
    context = multiprocessing.get_context("fork")
    ticks = context.Queue()
    written = Written()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_adopt,
                                 initargs=(articles, ticks)) as pool:
            futures = [pool.submit(_write_share, str(folder), start, stop)
                       for start, stop in shares(articles, workers)]
            try:
                for _ in track(_progress(ticks, futures, len(articles)), "indexing", len(articles),
                               progress):
                    pass
                wait(futures, return_when=FIRST_EXCEPTION)
                results = [f.result() for f in futures]  # raises a worker's exception
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        ticks.close()  # the workers have exited
    for segment, public, internal, phrases in results:
        written.segments.append(segment)
        written.public.update(public)
        written.internal.update(internal)
        written.phrases.update(phrases)
    _commit(folder, written.segments)
    return written


def _commit(folder: Path, segments: list[Any]) -> None:
    """Make ``segments`` the index's content, under the index lock (MpWriter's multisegment commit)."""
    ix = whoosh_index.open_dir(str(folder))
    writer = ix.writer()
    try:
        writer._close_segment()  # the parent's own segment stays empty
        writer._commit_toc(segments)
        writer._finish()
    except BaseException:
        writer._cleanup_on_error()
        raise
    finally:
        ix.close()
