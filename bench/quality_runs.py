"""Building a shared FAQ set as a knowledge base and running queries through the engine and bm25s.

The engine's ranking constants are module attributes of search/ (search/ranking.py,
search/query.py, search/typos.py); :func:`patched` sets some of them for one run, in this process
only, and puts them back. That is how the bench switches features off and tries other constants
without any change to search/.
"""
from __future__ import annotations

import importlib
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import bm25s
import Stemmer

from bench.evalsets import metrics, write_faq_articles
from kb import load_knowledge_base, validate
from kb.problems import errors
from search import Engine, SearchRequest
from search.indexer import build_index
from search.noanswer import Check
from search.semantic.dense import Settings


@contextmanager
def patched(values: dict[str, Any]) -> Iterator[None]:
    """Set ``"module.NAME": value`` pairs for the duration of the block (bench only)."""
    saved = []
    try:
        for dotted, value in values.items():
            module_name, name = dotted.rsplit(".", 1)
            module = importlib.import_module(module_name)
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, value)
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)


def bm25_rankings(docs: list[dict], queries: list[dict]) -> dict[str, list[str]]:
    """bm25s with PyStemmer's English stemmer and English stop words on title + body."""
    stemmer = Stemmer.Stemmer("english")
    corpus = [f"{d['title']}\n{d['body']}" for d in docs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    tokens = bm25s.tokenize([q["text"] for q in queries], stopwords="en", stemmer=stemmer,
                            show_progress=False)
    results, scores = retriever.retrieve(tokens, k=min(10, len(docs)), show_progress=False)
    return {q["id"]: [docs[i]["id"] for i, s in zip(results[n], scores[n]) if s > 0]
            for n, q in enumerate(queries)}


@dataclass
class Run:
    """One engine configuration over some queries: rankings, no-answer flags, top-hit parts."""

    rankings: dict[str, list[str]] = field(default_factory=dict)
    no_answer: dict[str, bool] = field(default_factory=dict)
    #: explain parts of the top hit (question_match, dense, exact_bonus), for threshold tuning
    top: dict[str, dict[str, float] | None] = field(default_factory=dict)
    #: the no-answer check's configuration and features (search/noanswer.py), for calibration
    checks: dict[str, Check | None] = field(default_factory=dict)
    timings: list[float] = field(default_factory=list)

    def metrics(self, relevant: dict[str, set[str]]) -> dict[str, float]:
        return metrics(self.rankings, relevant)

    def p50(self) -> float:
        ordered = sorted(self.timings)
        return ordered[len(ordered) // 2] if ordered else 0.0


class Built:
    """A set written as articles and indexed in a scratch folder (semantic layer when asked)."""

    def __init__(self, name: str, docs: list[dict], semantic: bool, questions: bool = True,
                 extra: dict[str, list[str]] | None = None) -> None:
        self.scratch = tempfile.TemporaryDirectory(prefix="supportkb-quality-")
        articles = Path(self.scratch.name) / "articles"
        self.slug_to_id = write_faq_articles(docs, articles, questions=questions, extra=extra)
        kb = load_knowledge_base(articles)
        problems = errors(validate(kb))
        if problems:
            raise SystemExit(f"{name}: converted articles do not validate: {problems[0].format()}")
        self.index = Path(self.scratch.name) / "index"
        self.semantic = semantic
        build_index(kb, self.index, semantic=Settings("on" if semantic else "off"))

    def run(self, queries: list[dict], hybrid: bool = False, explain: bool = False,
            constants: dict[str, Any] | None = None) -> Run:
        """Every query through ``Engine.search`` (a fresh engine: no cache from other runs)."""
        if hybrid and not self.semantic:
            raise ValueError("hybrid run on an index built without the semantic layer")
        run = Run()
        with patched(constants or {}):
            engine = Engine(self.index, semantic=Settings("on" if hybrid else "off"))
            if hybrid and not engine.snapshot().semantic.on:
                raise SystemExit(f"semantic layer unavailable: {engine.snapshot().semantic.reason}")
            try:
                for query in queries:
                    response = engine.search(SearchRequest(query["text"], limit=10, facets=False,
                                                           snippets=False, explain=explain))
                    run.rankings[query["id"]] = [self.slug_to_id[h.slug] for h in response.results]
                    run.no_answer[query["id"]] = response.no_good_answer
                    run.checks[query["id"]] = response.answer_check
                    run.timings.append(response.took_ms)
                    if explain:
                        run.top[query["id"]] = (response.results[0].explain["score"]
                                                if response.results else None)
            finally:
                engine.close()
        return run

    def close(self) -> None:
        self.scratch.cleanup()
