"""Search quality on the shared FAQ sets: supportkb's engine next to a plain BM25 baseline.

    python bench/quality.py [--sets banking77 clinc150] [--limit N]

For each set the FAQ entries become Markdown articles, are built with the same calls as
``build.py`` (load, validate, build_index), and every judged query runs through
``search.Engine.search``. The baseline is bm25s with PyStemmer's English stemmer and English stop
words on the same documents (title + body), computed in the same run. When the semantic extra is
installed (requirements-semantic.txt) the same index also carries embeddings and a "hybrid" row
shows the engine with the semantic layer on; the "lexical" row always has it off.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bm25s  # noqa: E402
import Stemmer  # noqa: E402

from bench.evalsets import SETS, SHARED, metrics, read_jsonl, read_qrels, write_faq_articles  # noqa: E402
from kb import load_knowledge_base, validate  # noqa: E402
from kb.problems import errors  # noqa: E402
from search import Engine, SearchRequest  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402
from search.semantic.encoder import installed  # noqa: E402


def bm25_rankings(docs: list[dict], queries: list[dict]) -> dict[str, list[str]]:
    stemmer = Stemmer.Stemmer("english")
    corpus = [f"{d['title']}\n{d['body']}" for d in docs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", stemmer=stemmer, show_progress=False),
                    show_progress=False)
    tokens = bm25s.tokenize([q["text"] for q in queries], stopwords="en", stemmer=stemmer,
                            show_progress=False)
    results, scores = retriever.retrieve(tokens, k=10, show_progress=False)
    return {q["id"]: [docs[i]["id"] for i, s in zip(results[n], scores[n]) if s > 0]
            for n, q in enumerate(queries)}


def engine_rankings(engine: Engine, queries: list[dict], slug_to_id: dict[str, str]
                    ) -> tuple[dict[str, list[str]], dict[str, bool], list[float]]:
    rankings, no_answer, timings = {}, {}, []
    for query in queries:
        response = engine.search(SearchRequest(query["text"], limit=10, facets=False, snippets=False))
        rankings[query["id"]] = [slug_to_id[h.slug] for h in response.results]
        no_answer[query["id"]] = response.no_good_answer
        timings.append(response.took_ms)
    return rankings, no_answer, timings


def run_engine(index: Path, mode: str, queries: list[dict], oos_queries: list[dict] | None,
               slug_to_id: dict[str, str], relevant: dict[str, set[str]]) -> dict:
    """Metrics, no-good-answer rates and p50 of one engine configuration."""
    engine = Engine(index, semantic=Settings(mode))
    if mode == "on" and not engine.snapshot().semantic.on:
        raise SystemExit(f"semantic layer unavailable: {engine.snapshot().semantic.reason}")
    ours, no_answer, timings = engine_rankings(engine, queries, slug_to_id)
    oos = None
    if oos_queries:
        _, oos_no_answer, _ = engine_rankings(engine, oos_queries, slug_to_id)
        shown = sum(not flag for flag in oos_no_answer.values())
        wrongly_withheld = sum(1 for q in ours if no_answer[q] and ours[q]
                               and ours[q][0] in relevant.get(q, set()))
        oos = {"out-of-scope shown an answer": shown / len(oos_queries),
               "in-scope correct top answer withheld": wrongly_withheld / len(ours)}
    engine.close()
    timings.sort()
    return {"metrics": metrics(ours, relevant), "oos": oos, "p50_ms": timings[len(timings) // 2]}


def evaluate(name: str, limit: int | None, hybrid: bool) -> dict:
    folder = SHARED / name
    docs = read_jsonl(folder / "docs.jsonl")
    queries = read_jsonl(folder / "queries.jsonl")[:limit]
    relevant = read_qrels(folder / "qrels.tsv")
    with tempfile.TemporaryDirectory() as scratch:
        articles = Path(scratch) / "articles"
        slug_to_id = write_faq_articles(docs, articles)
        kb = load_knowledge_base(articles)
        problems = errors(validate(kb))
        if problems:
            raise SystemExit(f"{name}: converted articles do not validate: {problems[0].format()}")
        index = Path(scratch) / "index"
        build_index(kb, index, semantic=Settings("on" if hybrid else "off"))
        oos_path = folder / "queries_oos.jsonl"
        oos_queries = read_jsonl(oos_path)[:limit] if oos_path.exists() else None
        runs = {"ours": run_engine(index, "off", queries, oos_queries, slug_to_id, relevant)}
        if hybrid:
            runs["hybrid"] = run_engine(index, "on", queries, oos_queries, slug_to_id, relevant)
    baseline = bm25_rankings(docs, queries)
    return {"bm25": {"metrics": metrics(baseline, relevant)}, **runs, "queries": len(queries)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--limit", type=int, default=None, help="first N queries only (smoke runs)")
    parser.add_argument("--no-semantic", action="store_true",
                        help="skip the hybrid row even when the semantic extra is installed")
    args = parser.parse_args()
    hybrid = installed() and not args.no_semantic
    print("| set | engine | recall@1 | recall@5 | MRR@10 | nDCG@10 |")
    print("|---|---|---:|---:|---:|---:|")
    notes = []
    labels = [("bm25s baseline", "bm25"), ("supportkb lexical", "ours")]
    labels += [("supportkb hybrid", "hybrid")] if hybrid else []
    for name in args.sets:
        started = time.perf_counter()
        result = evaluate(name, args.limit, hybrid)
        base = result["bm25"]["metrics"]
        for label, key in labels:
            m = result[key]["metrics"]
            print(f"| {name} | {label} | {m['recall@1']:.3f} | {m['recall@5']:.3f} | "
                  f"{m['MRR@10']:.3f} | {m['nDCG@10']:.3f} |")
        for label, key in labels[1:]:
            ratio = {k: result[key]["metrics"][k] / base[k] for k in base}
            print(f"| {name} | {label.split()[1]} / bm25s | {ratio['recall@1']:.4f}x | "
                  f"{ratio['recall@5']:.4f}x | {ratio['MRR@10']:.4f}x | {ratio['nDCG@10']:.4f}x |")
        for label, key in labels[1:]:
            run = result[key]
            notes.append(f"{name} {label.split()[1]}: {result['queries']} queries, engine p50 "
                         f"{run['p50_ms']:.1f} ms/query")
            if run["oos"]:
                notes.append(f"{name} {label.split()[1]} no-good-answer: " + ", ".join(
                    f"{k} {v:.1%}" for k, v in run["oos"].items()))
        notes.append(f"{name}: {time.perf_counter() - started:.0f} s")
    print()
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
