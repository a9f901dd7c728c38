"""Memory under anonymous traffic: RSS growth of a server answering 20,000 unique random queries.

    python bench/memory.py [--queries 20000] [--threads 4] [--scale 0] [--semantic auto|on|off]
                           [--unbounded] [--compare] [--max-growth-mb 30]

Builds the demo knowledge base (``--scale N``: the first N articles of the shared scale corpus
instead, reused from bench/out/), serves the app on 127.0.0.1 with Werkzeug's threaded server in
a thread, warms it up with real queries, measures RSS (psutil), then sends ``--queries`` unique
random queries through ``/api/v1/search`` (with some ``/suggest``) from ``--threads`` client
threads: made-up words, typos of real words, random strings and random filters, limits and
offsets. Prints RSS before, after and the growth, each cache's entries and bytes, and PASS or
FAIL (exit 1) against ``--max-growth-mb``. ``--unbounded`` sets every cache bound out of reach
(the caches as they were before bounds); ``--compare`` runs both in fresh processes, one after
the other, and prints the ratio. Rate limits are off: one client address sends everything.
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import logging
import random
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import load_knowledge_base  # noqa: E402
from search import analysis, postings, snapshot, typos  # noqa: E402
from search.caches import BoundedCache  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.semantic import encoder  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402

WARMUP = ["refund not received", "wifi keeps dropping", "change payment date", "cancel contract",
          "reset router", "no signal on my phone", "why did my bill go up", "direct debit failed",
          "set up voicemail", "opening hours", "parental controls", "roaming charges abroad",
          "complaint", "moving house", "esim activation failed", "late payment fee"]
TYPES = ("technical", "product", "general", "billing")
HUGE = 10**12
#: Every module-level bound, set out of reach by --unbounded.
BOUNDS = {postings: ("POSTINGS_CACHE_ENTRIES", "POSTINGS_CACHE_BYTES", "NO_MATCH_CACHE_ENTRIES",
                     "NO_MATCH_CACHE_BYTES"),
          snapshot: ("IDF_CACHE_ENTRIES", "IDF_CACHE_BYTES", "FILTER_CACHE_ENTRIES",
                     "FILTER_CACHE_BYTES", "PHRASE_CACHE_ENTRIES", "PHRASE_CACHE_BYTES",
                     "SYNONYM_CACHE_ENTRIES", "SYNONYM_CACHE_BYTES"),
          typos: ("CORRECTION_CACHE_ENTRIES", "CORRECTION_CACHE_BYTES"),
          encoder: ("QUERY_CACHE", "QUERY_CACHE_BYTES")}



def unbind() -> None:
    """Every cache bound out of reach: the baseline."""
    for module, names in BOUNDS.items():
        for name in names:
            setattr(module, name, HUGE)
    analysis._terms_cache = BoundedCache(HUGE, HUGE)


def build(scale: int, semantic: str, folder: Path) -> Path:
    """The demo index in ``folder``, or the scale KB's, reused from bench/out/."""
    if scale:
        from bench.api import build as build_scale  # noqa: PLC0415
        return build_scale("scale", scale, rebuild=False, semantic=semantic == "on")
    index = folder / "index"
    build_index(load_knowledge_base(ROOT / "articles"), index, full=True, semantic=Settings(semantic))
    return index


def vocabulary(index: Path) -> list[str]:
    from search.store import current_version, read_json, version_dir  # noqa: PLC0415
    vocab = read_json(version_dir(index, current_version(index) or "") / "vocab.json")
    return sorted(w for w in vocab["public"] if w.isalpha() and len(w) >= 4)


def typo(word: str, rng: random.Random) -> str:
    """One or two random edits: swap, drop, add or change a letter."""
    letters = list(word)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(letters))
        edit = rng.randrange(4)
        if edit == 0 and i + 1 < len(letters):
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        elif edit == 1 and len(letters) > 3:
            del letters[i]
        elif edit == 2:
            letters.insert(i, rng.choice(string.ascii_lowercase))
        else:
            letters[i] = rng.choice(string.ascii_lowercase)
    return "".join(letters)


def random_text(rng: random.Random, words: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.random()
        if kind < 0.35:
            parts.append(typo(rng.choice(words), rng))
        elif kind < 0.55:
            parts.append(rng.choice(words))
        elif kind < 0.85:
            parts.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 14))))
        else:
            parts.append("".join(chr(rng.randint(0x21, 0x2FF)) for _ in range(rng.randint(2, 30))))
    return " ".join(parts)


def random_requests(count: int, words: list[str], seed: int) -> list[str]:
    """``count`` unique request paths with random queries and filters."""
    rng = random.Random(seed)
    seen: set[str] = set()
    paths = []
    while len(paths) < count:
        text = random_text(rng, words)
        if text in seen:
            continue
        seen.add(text)
        if rng.random() < 0.1:
            paths.append("/api/v1/suggest?" + urllib.parse.urlencode({"q": text}))
            continue
        params: dict[str, Any] = {"q": text}
        if rng.random() < 0.4:
            params["product"] = rng.choice(words) + ("" if rng.random() < 0.5 else rng.choice(string.digits))
        if rng.random() < 0.3:
            params["type"] = rng.choice(TYPES)
        if rng.random() < 0.2:
            params["level"] = rng.randint(0, 2)
        if rng.random() < 0.2:
            params["lang"] = rng.choice(["en", "es", "fr", "de", "pt", "nl", "it", "ja", "zz"])
        if rng.random() < 0.2:
            params["tags"] = rng.choice(words)
        if rng.random() < 0.3:
            params["limit"] = rng.randint(1, 50)
        if rng.random() < 0.1:
            params["offset"] = rng.randint(0, 40)
        paths.append("/api/v1/search?" + urllib.parse.urlencode(params))
    return paths


def send(port: int, paths: list[str], threads: int) -> dict[int, int]:
    """Send every path from ``threads`` client threads; counts of status codes."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for path in mine:
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close" or response.version == 10:
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = -1
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()
    pool = [threading.Thread(target=worker, args=(paths[n::threads],)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return statuses


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def cache_figures(app: Any) -> dict[str, str]:
    engine = app.extensions["supportkb.engine"]
    current = engine.snapshot()
    caches = {"api responses": app.extensions["supportkb.api_cache"]._items,
              "postings": current.postings.cache, "no-match terms": current.postings.no_match,
              "idf": current._idf, "filters": current._filters,
              "phrases": current._phrases, "synonyms": current._synonyms,
              "typos (public)": current.public_vocab.corrections,
              "typos (agent)": current.agent_vocab.corrections, "analyzed words": analysis._terms_cache}
    state = current.semantic
    query_encoder = getattr(state, "encoder", None)
    if query_encoder is not None:
        caches["query vectors"] = query_encoder.queries
    return {name: f"{len(cache):>7,} entries {cache.bytes / 2**20:6.1f} MB"
            for name, cache in caches.items()}


def warm_up(words: list[str]) -> list[str]:
    """Real queries over every endpoint and parameter the flood uses (code paths, not caches)."""
    paths = [f"/api/v1/search?{urllib.parse.urlencode({'q': q})}" for q in WARMUP]
    paths += [f"/api/v1/search?{urllib.parse.urlencode({'q': w})}" for w in words[:200]]
    paths += [f"/api/v1/suggest?{urllib.parse.urlencode({'q': w[:3]})}" for w in words[:50]]
    longest = [" ".join(words[i:i + 80])[:500] for i in range(0, 400, 80)]  # the longest inputs
    paths += [f"/api/v1/search?{urllib.parse.urlencode({'q': q})}" for q in longest]
    paths += [f"/api/v1/search?{urllib.parse.urlencode({'q': q, 'product': 'billing', 'type': t, 'lang': 'es', 'level': 1, 'limit': 30})}"
              for q, t in zip(WARMUP, TYPES * 4)]
    return paths


def run(args: argparse.Namespace) -> dict[str, Any]:
    from werkzeug.serving import make_server  # noqa: PLC0415

    from web import create_app  # noqa: PLC0415
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    if args.unbounded:
        unbind()
    with tempfile.TemporaryDirectory(prefix="supportkb-memory-") as tmp:
        index = build(args.scale, args.semantic, Path(tmp))
        words = vocabulary(index)
        config = {"INDEX_DIR": str(index), "INSTANCE_DIR": str(Path(tmp) / "instance"),
                  "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "ANALYTICS_URL": "off",
                  "SEMANTIC": args.semantic}
        if args.unbounded:
            config |= {"SEARCH_CACHE_SIZE": HUGE, "SEARCH_CACHE_BYTES": HUGE}
        app = create_app(config)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        try:
            send(server.port, warm_up(words) * 2, args.threads)
            before = rss_mb()
            started = time.perf_counter()
            statuses = send(server.port, random_requests(args.queries, words, args.seed), args.threads)
            seconds = time.perf_counter() - started
            after = rss_mb()
            caches = cache_figures(app)
        finally:
            server.shutdown()
            serving.join()
            server.server_close()
            app.extensions["supportkb.engine"].close()
    return {"mode": "unbounded" if args.unbounded else "bounded", "before_mb": before,
            "after_mb": after, "growth_mb": after - before, "seconds": seconds,
            "statuses": statuses, "caches": caches}


def report(figures: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"{figures['mode']}: {args.queries:,} unique queries, {args.threads} client threads, "
          f"{figures['seconds']:.0f} s ({args.queries / figures['seconds']:.0f} requests/s), "
          f"statuses {figures['statuses']}")
    print(f"  RSS before {figures['before_mb']:.1f} MB, after {figures['after_mb']:.1f} MB, "
          f"growth {figures['growth_mb']:+.1f} MB")
    for name, line in figures["caches"].items():
        print(f"  {name:<16} {line}")


def child(args: argparse.Namespace, unbounded: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--queries", str(args.queries), "--threads", str(args.threads),
               "--scale", str(args.scale), "--semantic", args.semantic, "--seed", str(args.seed), "--json"]
    if unbounded:
        command.append("--unbounded")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--scale", type=int, default=0, help="scale KB of N articles (0: the demo KB)")
    parser.add_argument("--semantic", choices=("auto", "on", "off"), default="auto")
    parser.add_argument("--unbounded", action="store_true", help="every cache bound out of reach")
    parser.add_argument("--compare", action="store_true", help="bounded and unbounded, fresh processes")
    parser.add_argument("--max-growth-mb", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        bounded = child(args, unbounded=False)
        report(bounded, args)
        baseline = child(args, unbounded=True)
        report(baseline, args)
        print(f"growth, unbounded / bounded: {baseline['growth_mb'] / max(bounded['growth_mb'], 0.1):.1f}x")
    else:
        bounded = run(args)
        if args.json:
            print(json.dumps(bounded))
            return 0
        report(bounded, args)
    if bounded["mode"] == "unbounded":
        return 0
    passed = bounded["growth_mb"] <= args.max_growth_mb
    print(f"{'PASS' if passed else 'FAIL'}: growth {bounded['growth_mb']:+.1f} MB "
          f"(at most {args.max_growth_mb:.0f} MB)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
