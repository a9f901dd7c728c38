"""Speed of ``/api/v1/search`` through the whole WSGI stack, next to a bare Whoosh query.

    python bench/api.py [--docs 10000] [--queries 300] [--load-seconds 10] [--skip-10k] [--profile]
                        [--semantic]

For the demo knowledge base (``articles/``) and a generated KB of the first ``--docs`` articles of
the shared scale corpus, in one run: p50/p95/p99 of the API (Flask test client, response cache
off), of a bare Whoosh top-10 OR query on the same index (long-lived searcher), their ratio, the
repeated-query (cached) latency, and requests/second with gunicorn (2 workers) on 127.0.0.1
under a bounded threaded load generator. ``--profile`` prints where the engine spends its time.
``--semantic`` adds the same measurements with the semantic layer on (indexes built with
embeddings, in their own folders; embedding the 10k KB takes tens of minutes on two cores).
"""
from __future__ import annotations

import argparse
import cProfile
import http.client
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402  (the bench, not the app, measures Whoosh)
from whoosh.qparser import MultifieldParser, OrGroup  # noqa: E402

from bench.evalsets import scale_queries, write_scale_articles  # noqa: E402
from kb import load_knowledge_base  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.schema import SCHEMA_VERSION  # noqa: E402
from search.semantic import encoder  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402
from search.store import current_version, read_json, version_dir  # noqa: E402

OUT = ROOT / "bench" / "out"
WARMUP = 20
DEMO_QUERIES = ["refund not received", "wifi keeps dropping", "change payment date", "cancel contract",
                "reset router", "no signal on my phone", "why did my bill go up", "direct debit failed",
                "set up voicemail", "opening hours", "parental controls", "roaming charges abroad",
                "complaint", "moving house", "esim activation failed", "late payment fee"]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
    return {"p50": statistics.median(ordered), "p95": at(95), "p99": at(99)}


def timed(run: Callable[[str], Any], queries: list[str], warmup: list[str]) -> list[float]:
    """Milliseconds per query, after running ``warmup`` (other queries of the same kind: caches of
    posting lists warm up as in a running server, without repeating the timed queries)."""
    for query in warmup:
        run(query)
    samples = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def build(kind: str, docs: int, rebuild: bool, semantic: bool = False) -> Path:
    """The index for ``demo`` or the scale KB, reused from bench/out/ unless ``--rebuild``.

    ``semantic``: with article embeddings (the semantic extra), in its own folder."""
    index = OUT / f"api-{kind}{'-semantic' if semantic else ''}-index"
    name = current_version(index)
    if name and not rebuild and _current(version_dir(index, name), semantic):
        return index
    started = time.perf_counter()
    settings = Settings("on" if semantic else "off")
    if kind == "demo":
        build_index(load_knowledge_base(ROOT / "articles"), index, full=True, semantic=settings)
    else:
        with tempfile.TemporaryDirectory(prefix="supportkb-bench-") as tmp:
            write_scale_articles(docs, Path(tmp))
            build_index(load_knowledge_base(Path(tmp)), index, full=True, semantic=settings)
    print(f"  built {kind} index in {time.perf_counter() - started:.1f} s")
    return index


def _current(version: Path, semantic: bool) -> bool:
    """Whether a cached bench index was built by this code (schema, and a stored model)."""
    if read_json(version / "meta.json")["schema"] != SCHEMA_VERSION:
        return False
    embeddings = version / "semantic" / "index.json"
    return not semantic or (embeddings.is_file() and "model_sha256" in read_json(embeddings))


def make_app(index: Path, instance: Path, cache: int) -> Any:
    from web import create_app  # noqa: PLC0415
    return create_app({"INDEX_DIR": str(index), "INSTANCE_DIR": str(instance), "SECRET_KEY": "bench",
                       "RATELIMIT_ENABLED": False, "ANALYTICS_URL": "off", "SEARCH_CACHE_SIZE": cache})


def api_runner(app: Any) -> Callable[[str], Any]:
    client = app.test_client()

    def run(query: str) -> None:
        response = client.get("/api/v1/search", query_string={"q": query})
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code} for {query!r}: "
                             f"{response.get_data()[:200]!r}")
    return run


def whoosh_runner(index: Path) -> Callable[[str], Any]:
    ix = whoosh_index.open_dir(str(version_dir(index, current_version(index)) / "whoosh"))
    searcher = ix.searcher()
    parser = MultifieldParser(["all_en", "title_en", "questions_en"], ix.schema, group=OrGroup)

    slugs = searcher.reader().column_reader("slug")

    def run(query: str) -> list[str]:
        # Slugs from the column: loading stored fields would add the large ``data`` blob per hit.
        return [slugs[hit.docnum] for hit in searcher.search(parser.parse(query), limit=10)]
    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(port: int, queries: list[str], seconds: float, max_requests: int,
         threads: int) -> tuple[int, float, int]:
    """Threads sending GET /api/v1/search until the time or request budget runs out."""
    lock = threading.Lock()
    state = {"sent": 0, "ok": 0, "errors": 0}
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        number = offset
        while time.perf_counter() < deadline:
            with lock:
                if state["sent"] >= max_requests:
                    break
                state["sent"] += 1
            query = queries[number % len(queries)]
            number += threads
            try:
                conn.request("GET", "/api/v1/search?" + urllib.parse.urlencode({"q": query}))
                response = conn.getresponse()
                response.read()
                good = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                good = False
                conn.close()
            with lock:
                state["ok" if good else "errors"] += 1
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return state["ok"], time.perf_counter() - started, state["errors"]


def gunicorn_rps(index: Path, queries: list[str], seconds: float, cache: int) -> str:
    port = free_port()
    instance = Path(tempfile.mkdtemp(prefix="supportkb-bench-instance-"))
    env = dict(os.environ, KB_INDEX_DIR=str(index), KB_INSTANCE_DIR=str(instance), KB_SECRET_KEY="bench",
               KB_ANALYTICS_URL="off", KB_RATELIMIT_SEARCH="1000000 per second",
               KB_SEARCH_CACHE_SIZE=str(cache))
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "web:create_app()"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        load(port, queries[:WARMUP * 2], 5, WARMUP * 4, 2)  # open both workers' searchers
        ok, elapsed, errors = load(port, queries, seconds, 20_000, 4)
        return f"{ok / elapsed:7.1f} req/s ({ok} ok, {errors} errors, {elapsed:.1f} s, 4 client threads)"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def profile(app: Any, queries: list[str]) -> None:
    engine = app.extensions["supportkb.engine"]
    from search import SearchRequest  # noqa: PLC0415
    profiler = cProfile.Profile()
    profiler.enable()
    for query in queries:
        engine.search(SearchRequest(query))
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"search/|whoosh/(searching|collectors|matching)", 25)


def bench(kind: str, index: Path, queries: list[str], warmup: list[str],
          args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {kind}: {len(queries)} queries, {len(warmup)} warm-up queries ==")
    instance = Path(tempfile.mkdtemp(prefix="supportkb-bench-instance-"))
    uncached = make_app(index, instance, cache=0)
    snapshot = uncached.extensions["supportkb.engine"].snapshot()
    docs = snapshot.meta.get("public_count")
    print(f"  semantic layer: {snapshot.semantic.state} ({snapshot.semantic.reason})")
    api = percentiles(timed(api_runner(uncached), queries, warmup))
    engine = uncached.extensions["supportkb.engine"]
    from search import SearchRequest  # noqa: PLC0415
    direct = percentiles(timed(lambda query: engine.search(SearchRequest(query)), queries, warmup))
    bare = percentiles(timed(whoosh_runner(index), queries, warmup))
    cached_app = make_app(index, instance, cache=512)
    run = api_runner(cached_app)
    repeated = percentiles(timed(run, [queries[0]] * 200, [queries[0]]))
    print(f"  articles (public): {docs}")
    print(f"  {'':28}{'p50':>9}{'p95':>9}{'p99':>9}   ms")
    print(f"  {'API /api/v1/search (WSGI)':28}" + "".join(f"{api[k]:9.2f}" for k in ("p50", "p95", "p99")))
    print(f"  {'engine.search (no HTTP)':28}" + "".join(f"{direct[k]:9.2f}" for k in ("p50", "p95", "p99")))
    print(f"  {'bare Whoosh top-10 OR':28}" + "".join(f"{bare[k]:9.2f}" for k in ("p50", "p95", "p99")))
    ratios = "".join(f"{api[k] / bare[k]:8.2f}x" for k in ("p50", "p95", "p99"))
    print(f"  {'ratio API / Whoosh':28}{ratios}")
    print(f"  {'repeated query (cache)':28}" + "".join(f"{repeated[k]:9.3f}" for k in ("p50", "p95", "p99")))
    if args.load_seconds > 0:
        print(f"  gunicorn -w 2, cache off:  {gunicorn_rps(index, queries, args.load_seconds, 0)}")
    if args.profile:
        profile(uncached, queries[:100])
    return {"api": api, "engine": direct, "whoosh": bare, "cached": repeated}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="scale KB size (default 10000)")
    parser.add_argument("--queries", type=int, default=300,
                        help="scale queries to time (max 500; the next 200 warm up)")
    parser.add_argument("--load-seconds", type=float, default=10, help="gunicorn load time; 0 skips")
    parser.add_argument("--skip-10k", action="store_true", help="demo KB only")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached bench indexes")
    parser.add_argument("--profile", action="store_true", help="profile the engine on 100 queries")
    parser.add_argument("--semantic", action="store_true",
                        help="also measure with the semantic layer on (needs the semantic extra)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"supportkb API bench: python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print("Machines are shared and noisy: compare the columns of one run, as ratios.")
    # Every query is encoded when timed: the per-process query-vector cache would hide that.
    encoder.QUERY_CACHE = 0
    modes = [False, True] if args.semantic else [False]
    scale = scale_queries()
    timed_queries, warmup = scale[:args.queries], scale[args.queries:args.queries + 200]
    for semantic in modes:
        label = ", semantic on" if semantic else ""
        bench(f"demo KB{label}", build("demo", 0, args.rebuild, semantic), DEMO_QUERIES * 10,
              DEMO_QUERIES, args)
        if not args.skip_10k:
            index = build(f"scale{args.docs}", args.docs, args.rebuild, semantic)
            bench(f"scale KB ({args.docs} articles){label}", index, timed_queries,
                  warmup or timed_queries[:WARMUP], args)

if __name__ == "__main__":
    main()
