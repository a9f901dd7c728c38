"""One-article changes with the semantic layer on, on an index already built with embeddings:
time, bytes written and query latency as vector shards pile up, then after a merge.

    python bench/semantic_shards.py --articles A --index I [--changes 8] [--queries 300]

``I`` must hold a version built from ``A`` with ``SEMANTIC=on`` (a first semantic build of
10,000 articles takes tens of minutes: build it once, ``KB_SEMANTIC=on python build.py
--articles A --index I``). The bench works on a copy of ``I`` (removed afterwards) and, for each
of ``--changes`` builds, appends a line to a different article and runs ``python build.py
--no-merge`` in a new process, as a writer does; it prints the wall time and the bytes the build
wrote (files of the new version that the previous version did not hold: hard-linked files are
free), the semantic folder's share of them, and the number of shards. Then ``python build.py
merge`` (due once 8 small shards pile up: they are compacted into one; ``--force-merge``:
everything into one) and the engine's search latency on the version with the shards piled up and
on the merged one, queries interleaved (scale queries, semantic on).
``--checkout DIR`` runs another checkout's ``build.py`` for the changes instead (the code before
shards: what it wrote), and skips the merge and the latency.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evalsets import scale_queries  # noqa: E402
from search import Engine, SearchRequest  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402
from search.semantic.embeddings import FOLDER  # noqa: E402
from search.store import current_version, read_json, version_dir  # noqa: E402

ENV = {**os.environ, "KB_SEMANTIC": "on"}


def files(version: Path) -> dict[int, tuple[Path, int]]:
    """(path, size) of each file of a version, by inode."""
    found = {}
    for folder, _dirs, names in os.walk(version):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            found[stat.st_ino] = (Path(folder) / name, stat.st_size)
    return found


def served(index: Path) -> Path:
    return version_dir(index, current_version(index) or "")


def run(*args: str, checkout: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, str(checkout / "build.py"), *args], check=True, env=ENV,
                   cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def latencies(engines: list[Engine], queries: list[str]) -> list[str]:
    """p50 and p95 of each engine's search, queries interleaved between the engines after a
    warm-up pass (which also fills the query-vector cache: encoding is not timed, only search)."""
    for engine in engines:
        assert engine.snapshot().semantic.on, engine.snapshot().semantic.reason
        for query in queries:
            engine.search(SearchRequest(query, langs=["en"]))
    times: list[list[float]] = [[] for _ in engines]
    for query in queries:
        for engine, found in zip(engines, times):
            started = time.perf_counter()
            engine.search(SearchRequest(query, langs=["en"]))
            found.append((time.perf_counter() - started) * 1000)
    return [f"p50 {statistics.median(t):.2f} ms, p95 {statistics.quantiles(t, n=100)[94]:.2f} ms"
            for t in times]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--changes", type=int, default=8)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--force-merge", action="store_true",
                        help="merge --force (everything into one) instead of the merge that is due")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="the checkout whose build.py runs the changes (default: this one)")
    args = parser.parse_args()
    queries = scale_queries()[:args.queries]
    pages = sorted(args.articles.rglob("*.md"))
    with tempfile.TemporaryDirectory(prefix="supportkb-shards-") as scratch:
        index = Path(scratch) / "index"
        shutil.copytree(args.index, index)
        originals = {}
        print(f"{len(pages)} articles, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        try:
            for number in range(args.changes):
                page = pages[(number + 1) * len(pages) // (args.changes + 1)]
                originals[page] = page.read_text(encoding="utf-8")
                page.write_text(originals[page] + f"\nOne more line for the bench, {number}.\n",
                                encoding="utf-8")
                before = files(served(index))
                seconds = run("--articles", str(args.articles.resolve()), "--index",
                              str(index), "-q", "--no-merge", checkout=args.checkout)
                new = [(path, size) for ino, (path, size) in files(served(index)).items()
                       if ino not in before]
                written = sum(size for _, size in new)
                vectors = sum(size for path, size in new if path.parent.name == FOLDER)
                meta = read_json(served(index) / FOLDER / "index.json")
                held = sum(size for path, size in files(served(index)).values()
                           if path.parent.name == FOLDER)
                print(f"  change {number + 1}: python build.py {seconds:6.2f} s, wrote "
                      f"{written / 1e6:7.2f} MB (semantic {vectors / 1e6:7.3f} MB of "
                      f"{held / 1e6:.1f} MB), "
                      f"{len(meta.get('shards', [1]))} shard(s), load {os.getloadavg()[0]:.1f}")
            if args.checkout != ROOT:
                return 0
            piled = Engine(index, Settings("on"))  # holds the version the merge replaces
            try:
                shards = len(read_json(served(index) / FOLDER / "index.json").get("shards", [1]))
                merge = ["merge", "--index", str(index)] + (["--force"] if args.force_merge else [])
                seconds = run(*merge)
                meta = read_json(served(index) / FOLDER / "index.json")
                print(f"  python build.py {' '.join(merge[:1] + merge[3:])}: {seconds:.2f} s, "
                      f"{len(meta.get('shards', [1]))} shard(s)")
                merged = Engine(index, Settings("on"))
                try:
                    before, after = latencies([piled, merged], queries)
                finally:
                    merged.close()
            finally:
                piled.close()
            print(f"  search latency ({len(queries)} queries, one thread, query vectors cached):\n"
                  f"    {shards} shards: {before}\n    merged, {len(meta.get('shards', [1]))} "
                  f"shard(s): {after}")
        finally:
            for page, text in originals.items():
                page.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
