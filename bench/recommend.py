"""Suggestions from long ticket text against a plain search on the bare query, in the same run.

    python bench/recommend.py [--sets banking77 clinc150] [--limit N] [--seed 18] [--no-semantic]
                              [--shared DIR]
    python bench/recommend.py --show 2      # print two generated tickets and exit

Each judged query of the shared FAQ sets is wrapped in ticket noise made from the templates below
with a fixed seed: a greeting, a story around the query (sentences before and after it), a
sign-off and signature with an order number and a phone number, a disclaimer and a quoted earlier
reply, at least ``MIN_WORDS`` words in all. The noise never uses the set's documents or the gold
answer: the same templates serve every set. The FAQ entries are built as articles exactly as in
``bench/quality.py``; the row ``search`` runs ``Engine.search`` on the bare query (what
``GET /api/v1/search`` runs), the row ``recommend`` runs ``search.recommend.recommend`` on the whole
ticket (what ``POST /api/v1/recommend`` runs). With the semantic extra installed both run again
with the layer on.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalsets import SETS, SHARED, metrics, read_jsonl, read_qrels, write_faq_articles  # noqa: E402
from kb import load_knowledge_base  # noqa: E402
from search import Engine, SearchRequest  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.recommend import RecommendRequest, recommend  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402
from search.semantic.encoder import installed  # noqa: E402

MIN_WORDS = 150
NAMES = ["Sam Taylor", "Priya Shah", "Tom Becker", "Ana Lopez", "Chris Morgan", "Li Wei", "Fatima Khan",
         "John O'Neill", "Maria Rossi", "Ben Adeyemi"]
GREETINGS = ["Hi,", "Hello,", "Hi there,", "Dear Support Team,", "Good morning,", "Hello team,",
             "Dear Sir or Madam,", "Hey,", "Good afternoon,", "To whom it may concern,"]
BEFORE = [
    "I hope this message finds you well.",
    "I have been a customer for {years} years and I have never had to write to you before.",
    "Sorry to bother you, I tried calling yesterday but the waiting time was far too long.",
    "I am writing from my partner's laptop because mine is being repaired at the moment.",
    "Last week was very busy for me with work and the kids, so I only noticed this now.",
    "A friend told me that writing an email is quicker than waiting on the phone.",
    "I am not very good with technology, so please bear with me.",
    "I was on holiday for two weeks and only got back on {day}.",
    "This is the second time I am writing about this, so I hope someone can look at it properly.",
    "My daughter usually sorts these things out for me but she is away this month.",
    "I have already spent most of my lunch break trying to figure this out.",
    "I don't usually complain, but this has been going on for a while now.",
]
LEAD_INS = ["", "", "Anyway, the reason I am writing: ", "So my question is this. ", "Basically, ",
            "To get to the point: "]
AFTER = [
    "I looked around on your website but I could not find a clear answer.",
    "My neighbour said something similar happened to her last year.",
    "I would appreciate a quick reply as I am travelling on {day}.",
    "Please let me know if you need anything else from me.",
    "I can't believe how long it takes to get an answer these days.",
    "I tried to sort it out myself on {day} evening but gave up after an hour.",
    "If it is easier, you can call me any weekday after five.",
    "I really hope we can settle this without too much back and forth.",
    "Honestly I am quite frustrated, but I know it is not your fault personally.",
    "It would be great if you could also confirm by email once it is done.",
]
SIGN_OFFS = ["Thanks,", "Kind regards,", "Best regards,", "Many thanks,", "Cheers,", "Thank you,", "Regards,"]
SIGNATURES = ["{name}\nOrder number: ORD-{ref}\nPhone: +44 20 7946 {phone}",
              "{name}\nCustomer ID {ref}\nSent from my iPhone",
              "{name}\n{street}\nMobile 07700 {phone}{phone2}",
              "--\n{name}\nAccount ref #{ref}\n{email}"]
DISCLAIMERS = [
    "This e-mail and any attachments are confidential and intended solely for the addressee. If you "
    "have received this message in error, please notify the sender and delete it.",
    "CONFIDENTIALITY NOTICE: the information in this email is privileged and intended only for the "
    "intended recipient. Any unauthorised use is prohibited. Please consider the environment before printing.",
]
QUOTED = [
    "On {date}, Customer Support <support@example.com> wrote:\n> Hello {first},\n> Thank you for "
    "contacting us. Your reference number is {ref}.\n> A member of our team will get back to you within "
    "two working days.\n> Kind regards,\n> The Support Team",
    "-----Original Message-----\nFrom: Customer Support <help@example.com>\nSent: {date}\nSubject: Your "
    "request {ref}\n\nDear {first},\nWe have received your message and will reply as soon as possible. "
    "Please do not reply to this automated email.",
]
STREETS = ["12 High Street, Leeds", "4 Park Road, Bristol", "77 Mill Lane, York", "9 Church Street, Bath"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def ticket(query: str, rng: random.Random) -> str:
    """The query wrapped in ticket noise (at least MIN_WORDS words), the same for the same ``rng``."""
    name = rng.choice(NAMES)
    fill = {"years": rng.randint(2, 15), "day": rng.choice(DAYS), "name": name, "first": name.split()[0],
            "ref": rng.randint(100000, 999999), "phone": rng.randint(1000, 9999), "phone2": rng.randint(100, 999),
            "street": rng.choice(STREETS), "email": name.lower().replace(" ", ".").replace("'", "") + "@example.org",
            "date": f"{rng.randint(1, 28)} {rng.choice(['Jan', 'Mar', 'Jun', 'Sep', 'Nov'])} 2026 at 09:{rng.randint(10, 59)}"}
    before = rng.sample(BEFORE, 3)
    after = rng.sample(AFTER, 3)
    body = [*before[:rng.randint(1, 3)], rng.choice(LEAD_INS) + query, *after[:rng.randint(1, 3)]]
    # the sampled sentences first (pop() takes from the end), then any other template if needed
    spare = [s for s in BEFORE + AFTER if s not in before + after] + [s for s in before + after if s not in body]
    parts = lambda: [rng.choice(GREETINGS), " ".join(body).format(**fill), rng.choice(SIGN_OFFS),  # noqa: E731
                     rng.choice(SIGNATURES).format(**fill), rng.choice(DISCLAIMERS),
                     rng.choice(QUOTED).format(**fill)]
    text = "\n\n".join(parts())
    while len(text.split()) < MIN_WORDS and spare:
        body.insert(rng.choice([0, len(body)]), spare.pop())
        text = "\n\n".join(parts())
    return text


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


def p50(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0


def evaluate(name: str, limit: int | None, seed: int, hybrid: bool, shared: Path = SHARED) -> dict[str, dict]:
    folder = shared / name
    docs = read_jsonl(folder / "docs.jsonl")
    queries = read_jsonl(folder / "queries.jsonl")
    queries = random.Random(seed).sample(queries, limit) if limit and limit < len(queries) else queries
    relevant = read_qrels(folder / "qrels.tsv")
    tickets = {q["id"]: ticket(q["text"], random.Random(f"{seed}:{name}:{q['id']}")) for q in queries}
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
                              "search_p50": p50(plain_ms), "recommend_p50": p50(recommend_ms)}
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
    args = parser.parse_args()
    if args.show:
        queries = read_jsonl(args.shared / args.sets[0] / "queries.jsonl")[:args.show]
        for q in queries:
            print(ticket(q["text"], random.Random(f"{args.seed}:{args.sets[0]}:{q['id']}")), end="\n\n=====\n\n")
        return 0
    hybrid = installed() and not args.no_semantic
    print("| set | layer | search MRR@10 (bare query) | recommend MRR@10 (ticket) | ratio | "
          "recommend recall@1 | search p50 ms | recommend p50 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    notes = []
    for name in args.sets:
        started = time.perf_counter()
        result = evaluate(name, args.limit, args.seed, hybrid, args.shared)
        for label in ("lexical", "hybrid"):
            if label not in result:
                continue
            run = result[label]
            plain, rec = run["search"]["MRR@10"], run["recommend"]["MRR@10"]
            print(f"| {name} | {label} | {plain:.3f} | {rec:.3f} | {rec / plain:.3f}x | "
                  f"{run['recommend']['recall@1']:.3f} | {run['search_p50']:.1f} | {run['recommend_p50']:.1f} |")
        t = result["tickets"]
        notes.append(f"{name}: {t['queries']} tickets, words min {t['min_words']} median {t['median_words']}, "
                     f"{time.perf_counter() - started:.0f} s")
    print()
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
