"""Suggestions from long ticket text against a plain search on the bare query, in the same run.

    python bench/recommend.py [--sets banking77 clinc150] [--limit N] [--seed 18] [--no-semantic]
                              [--family test|tune] [--fold test|tune] [--shared DIR]
    python bench/recommend.py --show 2      # print two generated tickets and exit

Each judged query of a fold (bench/folds.py, the same split by intent as bench/quality.py) is
wrapped in ticket noise from one family of templates (bench/ticket_noise.py) with a fixed seed:
greeting, a story around the query, sign-off and signature with order and phone numbers,
disclaimer and quoted earlier reply, at least ``MIN_WORDS`` words; both families also write chat
transcripts and call notes. The noise never uses the set's documents or answers. Constants of
search/ticket.py and search/recommend.py are chosen with ``--family tune --fold tune``; the figures
reported are the defaults, ``--family test --fold test``: other templates, other intents.

The FAQ entries are built as articles exactly as in ``bench/quality.py``; the row ``search`` runs
``Engine.search`` on the bare query (what ``GET /api/v1/search`` runs), the row ``recommend`` runs
``search.recommend.recommend`` on the whole ticket (what ``POST /api/v1/recommend`` runs). With
the semantic extra installed both run again with the layer on.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalsets import SETS, SHARED, metrics, read_jsonl, read_qrels, write_faq_articles
from bench.folds import split
from bench.ticket_noise import FAMILIES, Family, styled, ticket
from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.indexer import build_index
from search.recommend import RecommendRequest, recommend
from search.semantic.dense import Settings
from search.semantic.encoder import installed


def rankings(engine: Engine, queries: list[dict], tickets: dict[str, str], slug_to_id: dict[str, str]
             ) -> tuple[dict[str, list[str]], dict[str, list[str]], list[float], list[float]]:
    plain, recommended, plain_ms, recommend_ms = {}, {}, [], []
    for query in queries:
        response = engine.search(SearchRequest(query["text"], limit=10, facets=False, snippets=False))
        plain[query["id"]] = [slug_to_id[h.slug] for h in response.results]
        plain_ms.append(response.took_ms)
        found = recommend(engine, RecommendRequest(tickets[query["id"]], limit=10))
        recommended[query["id"]] = [slug_to_id[h.slug] for h in found.response.results]
        recommend_ms.append(found.took_ms)
    return plain, recommended, plain_ms, recommend_ms


def by_style(ranked: dict[str, list[str]], relevant: dict[str, set[str]], ids: set[str]) -> float:
    """MRR@10 over the queries ``ids`` only."""
    return metrics({q: r for q, r in ranked.items() if q in ids}, relevant)["MRR@10"]


def p50(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0


def sample(name: str, fold: str, limit: int | None, seed: int, shared: Path = SHARED
           ) -> tuple[list[dict], dict[str, set[str]]]:
    """The fold's judged queries (bench/folds.py, as bench/quality.py), a seeded sample of ``limit``."""
    relevant = read_qrels(shared / name / "qrels.tsv")
    folds = split(read_jsonl(shared / name / "queries.jsonl"), relevant)
    queries = folds.tune if fold == "tune" else folds.test
    queries = random.Random(seed).sample(queries, limit) if limit and limit < len(queries) else queries
    return queries, relevant


def evaluate(name: str, limit: int | None, seed: int, hybrid: bool, shared: Path = SHARED,
             family: Family = FAMILIES["test"], fold: str = "test") -> dict[str, dict]:
    folder = shared / name
    docs = read_jsonl(folder / "docs.jsonl")
    queries, relevant = sample(name, fold, limit, seed, shared)
    drawn = {q["id"]: styled(q["text"], random.Random(f"{seed}:{name}:{q['id']}"), family) for q in queries}
    tickets = {qid: text for qid, (text, _) in drawn.items()}
    styles = {style: {qid for qid, (_, s) in drawn.items() if s == style} for _, style in drawn.values()}
    words = sorted(len(t.split()) for t in tickets.values())
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        slug_to_id = write_faq_articles(docs, Path(scratch) / "articles")
        index = Path(scratch) / "index"
        build_index(load_knowledge_base(Path(scratch) / "articles"), index,
                    semantic=Settings("on" if hybrid else "off"))
        for mode in ("off", "on") if hybrid else ("off",):
            engine = Engine(index, semantic=Settings(mode))
            plain, recommended, plain_ms, recommend_ms = rankings(engine, queries, tickets, slug_to_id)
            engine.close()
            label = "hybrid" if mode == "on" else "lexical"
            results[label] = {"search": metrics(plain, relevant), "recommend": metrics(recommended, relevant),
                              "search_p50": p50(plain_ms), "recommend_p50": p50(recommend_ms),
                              "by_style": {style: (len(ids), by_style(recommended, relevant, ids)
                                                   / max(by_style(plain, relevant, ids), 1e-9))
                                           for style, ids in sorted(styles.items())}}
    results["tickets"] = {"queries": len(queries), "min_words": words[0], "median_words": words[len(words) // 2]}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--limit", type=int, default=None, help="a random sample of N queries (seeded; smoke runs)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the ticket noise (default 18)")
    parser.add_argument("--no-semantic", action="store_true", help="lexical rows only")
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"evaluation sets (default {SHARED})")
    parser.add_argument("--show", type=int, default=0, help="print N generated tickets and exit")
    parser.add_argument("--family", choices=sorted(FAMILIES), default="test",
                        help="noise templates: tune (for choosing constants) or test (reported; default)")
    parser.add_argument("--fold", choices=["tune", "test"], default="test",
                        help="queries of this fold of bench/folds.py (default test)")
    args = parser.parse_args()
    family = FAMILIES[args.family]
    if args.show:
        queries, _ = sample(args.sets[0], args.fold, args.show, args.seed, args.shared)
        for q in queries:
            print(ticket(q["text"], random.Random(f"{args.seed}:{args.sets[0]}:{q['id']}"), family),
                  end="\n\n=====\n\n")
        return 0
    hybrid = installed() and not args.no_semantic
    print("| set | layer | search MRR@10 (bare query) | recommend MRR@10 (ticket) | ratio | "
          "recommend recall@1 | search p50 ms | recommend p50 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    for name in args.sets:
        started = time.perf_counter()
        result = evaluate(name, args.limit, args.seed, hybrid, args.shared, family, args.fold)
        for label in ("lexical", "hybrid"):
            if label not in result:
                continue
            run = result[label]
            plain, rec = run["search"]["MRR@10"], run["recommend"]["MRR@10"]
            print(f"| {name} | {label} | {plain:.3f} | {rec:.3f} | {rec / plain:.3f}x | "
                  f"{run['recommend']['recall@1']:.3f} | {run['search_p50']:.1f} | {run['recommend_p50']:.1f} |")
        for label in ("lexical", "hybrid"):
            if label in result and len(result[label]["by_style"]) > 1:
                notes.append(f"{name} {label}, ratio by style: " + ", ".join(
                    f"{style} {ratio:.3f}x ({n} tickets)" for style, (n, ratio) in result[label]["by_style"].items()))
        t = result["tickets"]
        notes.append(f"{name}: {t['queries']} tickets, words min {t['min_words']} median {t['median_words']}, "
                     f"{time.perf_counter() - started:.0f} s")
    print(f"\nnoise family {args.family}, fold {args.fold}, seed {args.seed}")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
