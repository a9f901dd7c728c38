"""Run one set of queries on the base and on the working tree, each in a scratch index.

The queries: the golden queries, each indexed article's title and alternate questions (from both
sides, so a retitled article's old title is asked too) and, when given, the most frequent real
searches. Both Whoosh indexes are built in full, so the two sides are built alike (an incremental
build can rank slightly differently from a full one, which would show up as changes nobody made);
the costly part, the semantic embeddings, is incremental: the working tree reuses the served
index's, the base the working tree's, so only the articles that differ are embedded again.
:mod:`search.impact_report` compares the results.
"""
from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

from kb.changes import ArticleChanges
from kb.loader import KnowledgeBase
from search.engine import Engine
from search.golden import seed_scratch
from search.impact_report import DEPTH, Impact, Probe, ProbeInfo, compare_runs
from search.indexer import build_index
from search.types import QueryError, SearchRequest
from search.viewer import AGENT, ANONYMOUS

log = logging.getLogger(__name__)


def _add(probes: dict[Probe, ProbeInfo], text: str, agent: bool, lang: str, source: str,
         searches: int = 0) -> None:
    text = " ".join(text.split())
    if text:
        info = probes.setdefault(Probe(text, agent, lang), ProbeInfo())
        info.sources.add(source)
        info.searches += searches


def collect_probes(kbs: Iterable[KnowledgeBase], popular: Sequence[tuple[str, int]] = ()
                   ) -> dict[Probe, ProbeInfo]:
    """Every query to run on both sides, with its sources (golden, title, question, search).

    Titles and questions are asked in every language (like a search without a ``lang`` filter), as
    an agent for articles only agents may find (internal or in review); ``popular`` searches (text,
    times searched) as a customer."""
    probes: dict[Probe, ProbeInfo] = {}
    for kb in kbs:
        for golden in kb.golden:
            _add(probes, golden.query, golden.agent, golden.lang, "golden")
        for article in kb.published:
            _add(probes, article.title, article.is_agent_only, "", "title")
            for question in article.questions:
                _add(probes, question, article.is_agent_only, "", "question")
    for text, count in popular:
        _add(probes, text, False, "", "search", int(count))
    return probes


def _top(engine: Engine, probe: Probe, depth: int) -> list[str]:
    request = SearchRequest(probe.text, limit=depth, viewer=AGENT if probe.agent else ANONYMOUS,
                            langs=[probe.lang] if probe.lang else [], facets=False, snippets=False)
    return [hit.slug for hit in engine.search(request).results]


def run_probes(engines: Sequence[Engine], probes: Iterable[Probe], depth: int = DEPTH
               ) -> list[dict[Probe, list[str]]]:
    """Each query's top ``depth`` slugs on each engine; a query the engine refuses (too long) is
    left out. Each query runs on every engine in turn, so its semantic vector (when the layer is
    on) is computed once and found in the encoder's cache the second time."""
    results: list[dict[Probe, list[str]]] = [{} for _ in engines]
    for probe in probes:
        try:
            tops = [_top(engine, probe, depth) for engine in engines]
        except QueryError as exc:
            log.info("impact: query %r skipped: %s", probe.text[:40], exc)
            continue
        for found, top in zip(results, tops):
            found[probe] = top
    return results


def _build(kb: KnowledgeBase, target: Path, seed: Path | None, semantic: Any) -> float:
    started = time.perf_counter()
    seed_scratch(target, seed)
    build_index(kb, target, full=True, semantic=semantic)
    return time.perf_counter() - started


def measure_impact(base: KnowledgeBase, head: KnowledgeBase, changes: ArticleChanges,
                   popular: Sequence[tuple[str, int]] = (), served: Path | None = None,
                   semantic: Any = None, names: tuple[str, str] = ("", "")) -> Impact:
    """Build both sides into scratch indexes (removed afterwards), run the queries, compare.

    ``served``: the index the site serves, used as the starting point of the working tree's build;
    ``semantic``: a search.semantic.dense.Settings (None: from the settings); ``names``: how the
    report names the base and the working tree."""
    started = time.perf_counter()
    probes = collect_probes([base, head], popular)
    depth = max([DEPTH, *(g.k for kb in (base, head) for g in kb.golden)])
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="supportkb-impact-") as scratch:
        head_dir, base_dir = Path(scratch) / "head", Path(scratch) / "base"
        seconds["build_head"] = _build(head, head_dir, served, semantic)
        seconds["build_base"] = _build(base, base_dir, head_dir, semantic)
        query_started = time.perf_counter()
        engines = [Engine(folder, semantic) for folder in (base_dir, head_dir)]
        try:
            runs = run_probes(engines, probes, depth)
        finally:
            for engine in engines:
                engine.close()
        seconds["queries"] = time.perf_counter() - query_started
    titles = {a.slug: a.title for a in head.published}
    impact = compare_runs(probes, runs[0], runs[1], changes, (base.golden, head.golden), titles, *names)
    seconds["total"] = time.perf_counter() - started
    impact.seconds = {name: round(value, 2) for name, value in seconds.items()}
    return impact
