"""The click prior (search/clicks.py) on a simulated click log: gain with history, no loss without.

    python bench/clicks.py [--sets banking77 clinc150] [--limit N] [--grid 0.05 0.1 0.2]

For each set (lexical engine, bench/folds.py folds split by intent):

1. **Design of a fold**: its intents are split (seeded) into *with history* and *without
   history*. Half the queries of each intent with history are the click log's searches (history);
   the other half are evaluated (*same intent, different wording*). Every query of the intents
   without history is evaluated too (*no history*).
2. **Simulated click log**: each history search is one new client; it sees the engine's top 10
   (no prior) and opens rank ``r`` with probability ``1/r`` (position bias) times 0.9 for a
   relevant article and 0.1 for another one, at a random time in the last 30 days. Clicks are
   written to a scratch analytics store and read back with ``analytics.clicks.click_votes``, the
   same path as the web app.
3. **Tuning fold**: MAX_LIFT and SIMILAR are picked on the tuning fold's own design (history from
   tuning queries only): the highest MRR@10 on its "with history" queries among the settings that
   cost its "no history" queries nothing.
4. **Test fold**: the log is the whole tuning fold plus the test fold's history searches; MRR@10
   of the test fold's evaluated queries, with and without the prior, at the set's own pick
   (``--defaults``: at search/clicks.py's defaults, chosen from both tuning folds' tables).
5. **Flood**: one client sends 100 clicks at position 10 toward a wrong article for every history
   query (and, under the robot rule's limit, for the first 30 only); the rankings of every
   evaluated query are compared with and without the flood.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import open_store  # noqa: E402
from analytics.clicks import MAX_QUERIES_PER_CLIENT, click_votes  # noqa: E402
from analytics.store import Event  # noqa: E402
from bench.evalsets import SETS, SHARED, metrics, read_jsonl, read_qrels  # noqa: E402
from bench.folds import SEED, intent_of, split  # noqa: E402
from bench.quality_runs import Built, patched  # noqa: E402
from search import Engine, SearchRequest, clicks  # noqa: E402
from search.clicks import ClickPrior  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402

CLICK_RELEVANT, CLICK_OTHER = 0.9, 0.1
SIMILAR_GRID = (0.2, 0.34, 0.5)
FLOOD_CLICKS = 100


def design(queries: list[dict], relevant: dict[str, set[str]], seed: int
           ) -> tuple[list[dict], list[dict], list[dict]]:
    """(history searches, evaluated queries with history, evaluated queries without)."""
    rng = random.Random(seed)
    by_intent: dict[str, list[dict]] = {}
    for query in sorted(queries, key=lambda q: q["id"]):
        by_intent.setdefault(intent_of(query, relevant) or "", []).append(query)
    intents = sorted(by_intent)
    rng.shuffle(intents)
    with_history = set(intents[:len(intents) // 2])
    history, with_eval, without_eval = [], [], []
    for intent in sorted(by_intent):
        group = by_intent[intent]
        if intent not in with_history:
            without_eval += group
            continue
        rng.shuffle(group)
        half = len(group) // 2
        history += group[:half]
        with_eval += group[half:]
    return history, with_eval, without_eval


class Bench:
    """One set's index, engine, id mapping and scratch analytics store."""

    def __init__(self, name: str) -> None:
        folder = SHARED / name
        self.name = name
        self.docs = read_jsonl(folder / "docs.jsonl")
        self.relevant = read_qrels(folder / "qrels.tsv")
        self.folds = split(read_jsonl(folder / "queries.jsonl"), self.relevant)
        self.built = Built(name, self.docs, semantic=False)
        self.id_to_slug = {v: k for k, v in self.built.slug_to_id.items()}
        self.engine = Engine(self.built.index, semantic=Settings("off"))
        self.scratch = tempfile.TemporaryDirectory(prefix="supportkb-clicks-")

    def rank(self, queries: list[dict], prior: ClickPrior | None = None) -> dict[str, list[str]]:
        out = {}
        for query in queries:
            response = self.engine.search(SearchRequest(query["text"], limit=10, facets=False, snippets=False,
                                                        clicks=prior))
            out[query["id"]] = [self.built.slug_to_id[h.slug] for h in response.results]
        return out

    def store(self, label: str):  # noqa: ANN201
        return open_store(f"sqlite:///{self.scratch.name}/{label}.sqlite3")

    def simulate(self, label: str, history: list[dict], seed: int, now: float) -> list[Event]:
        """Position-biased clicks of one new client per history search, written to store ``label``."""
        rng = random.Random(seed)
        events = []
        for n, (query, ranked) in enumerate(zip(history, self.rank(history).values())):
            ts = now - rng.uniform(0, 30 * 86400)
            for position, doc in enumerate(ranked, start=1):
                wanted = CLICK_RELEVANT if doc in self.relevant.get(query["id"], ()) else CLICK_OTHER
                if rng.random() < wanted / position:
                    events.append(Event("clicks", {"ts": ts, "day": time.strftime("%Y-%m-%d", time.gmtime(ts)),
                                                   "source": "site", "query": query["text"].lower(),
                                                   "slug": self.id_to_slug[doc], "position": position,
                                                   "session": None, "client": f"sim{label}{n}"}))
        return events

    def prior(self, label: str, events: list[Event], now: float) -> ClickPrior:
        store = self.store(label)
        try:
            store.write(events)
            return ClickPrior(click_votes(store, now - 90 * 86400, now))
        finally:
            store.close()

    def flood(self, history: list[dict], now: float) -> list[Event]:
        """One client: FLOOD_CLICKS clicks per query toward a wrong article at position 10."""
        ids = sorted(self.id_to_slug)
        events = []
        for query in history:
            right = self.relevant[query["id"]]
            wrong = next(doc for doc in ids[zlib.crc32(query["id"].encode()) % len(ids):] + ids if doc not in right)
            for _ in range(FLOOD_CLICKS):
                events.append(Event("clicks", {"ts": now - 60, "day": time.strftime("%Y-%m-%d", time.gmtime(now)),
                                               "source": "site", "query": query["text"].lower(),
                                               "slug": self.id_to_slug[wrong], "position": 10,
                                               "session": None, "client": "flooder"}))
        return events

    def close(self) -> None:
        self.engine.close()
        self.built.close()
        self.scratch.cleanup()


def rr(ranked: list[str], wanted: set[str]) -> float:
    return next((1 / (i + 1) for i, doc in enumerate(ranked[:10]) if doc in wanted), 0.0)


def mrr(rankings: dict[str, list[str]], relevant: dict[str, set[str]]) -> float:
    return metrics(rankings, relevant)["MRR@10"]


def pick_lift(bench: Bench, grid: list[float], limit: int | None, now: float
              ) -> tuple[dict[str, float], list[str]]:
    history, with_eval, without_eval = (part[:limit] for part in design(bench.folds.tune, bench.relevant, SEED))
    prior = bench.prior("tune", bench.simulate("tune", history, SEED, now), now)
    base_with, base_without = mrr(bench.rank(with_eval), bench.relevant), mrr(bench.rank(without_eval), bench.relevant)
    lines: list[str] = []
    best: tuple[dict[str, float], float] = ({"search.clicks.MAX_LIFT": 0.0}, base_with)
    for lift in grid:
        for similar in SIMILAR_GRID:
            constants = {"search.clicks.MAX_LIFT": lift, "search.clicks.SIMILAR": similar}
            with patched(constants):
                on_with = mrr(bench.rank(with_eval, prior), bench.relevant)
                on_without = mrr(bench.rank(without_eval, prior), bench.relevant)
            lines.append(f"| {bench.name} | {lift} | {similar} | {base_with:.4f} -> {on_with:.4f} | "
                         f"{base_without:.4f} -> {on_without:.4f} |")
            if on_without >= base_without - 1e-9 and on_with > best[1]:
                best = (constants, on_with)
    return best[0], lines


def test_fold(bench: Bench, constants: dict[str, float], limit: int | None, now: float) -> tuple[list[str], str]:
    history, with_eval, without_eval = (part[:limit] for part in design(bench.folds.test, bench.relevant, SEED))
    tune_history = bench.folds.tune[:limit * 2 if limit else None]
    events = bench.simulate("test", tune_history + history, SEED + 1, now)
    prior = bench.prior("test", events, now)
    flooded = bench.prior("flood", events + bench.flood(history, now), now)
    # under the robot rule: the same flood on the first MAX_QUERIES_PER_CLIENT history queries only
    quiet = bench.prior("quiet", events + bench.flood(history[:MAX_QUERIES_PER_CLIENT], now), now)
    lines = []
    with patched(constants):
        for label, queries in (("same intent, other wording", with_eval), ("no history", without_eval)):
            off, on = bench.rank(queries), bench.rank(queries, prior)
            after_flood, after_quiet = bench.rank(queries, flooded), bench.rank(queries, quiet)
            changed = sum(after_flood[q] != on[q] for q in on)
            changed_quiet = sum(after_quiet[q] != on[q] for q in on)
            m_off, m_on = metrics(off, bench.relevant), metrics(on, bench.relevant)
            better = sum(rr(on[q], bench.relevant[q]) > rr(off[q], bench.relevant[q]) for q in on)
            worse = sum(rr(on[q], bench.relevant[q]) < rr(off[q], bench.relevant[q]) for q in on)
            lines.append(f"| {bench.name} | {label} ({len(queries)}) | {m_off['MRR@10']:.4f} | "
                         f"{m_on['MRR@10']:.4f} | {m_on['MRR@10'] / m_off['MRR@10']:.3f}x | "
                         f"{m_off['recall@1']:.3f} -> {m_on['recall@1']:.3f} | {better} / {worse} | {changed} | "
                         f"{changed_quiet} |")
    note = (f"{bench.name}: {len(tune_history) + len(history)} simulated searches, {len(events)} clicks; "
            f"flood: {len(history) * FLOOD_CLICKS} clicks from one client; "
            + ", ".join(f"{k.rsplit('.', 1)[1]} {v}" for k, v in constants.items()))
    return lines, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--limit", type=int, default=None, help="first N queries of each part (quick runs)")
    parser.add_argument("--grid", nargs="+", type=float, default=[0.05, 0.1, 0.2])
    parser.add_argument("--defaults", action="store_true",
                        help="no tuning grid: the test folds at search/clicks.py's default constants")
    args = parser.parse_args()
    started, now = time.perf_counter(), time.time()
    tuning_rows, test_rows, notes = [], [], []
    for name in args.sets:
        bench = Bench(name)
        try:
            if args.defaults:
                constants = {"search.clicks.MAX_LIFT": clicks.MAX_LIFT, "search.clicks.SIMILAR": clicks.SIMILAR}
                lines = []
            else:
                constants, lines = pick_lift(bench, args.grid, args.limit, now)
            tuning_rows += lines
            lines, note = test_fold(bench, constants, args.limit, now)
            test_rows += lines
            notes.append(note)
        finally:
            bench.close()
    if tuning_rows:
        print("## Click prior: constants tried on the tuning folds (MRR@10 without -> with the prior)\n")
        print("| set | MAX_LIFT | SIMILAR | with history | no history |\n|---|---:|---:|---:|---:|")
        print("\n".join(tuning_rows))
    print("\n## Click prior on the test folds (lexical; history from the tuning fold and the test "
          "fold's history searches)")
    print("\n| set | evaluated queries | MRR@10 off | MRR@10 on | ratio | recall@1 | queries up / down | "
          "rankings changed by the flood | by a flood on 30 queries |\n|---|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(test_rows))
    print("\n" + "\n".join(f"- {note}" for note in notes))
    print(f"\nRun time {time.perf_counter() - started:.0f} s (2 cores).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
