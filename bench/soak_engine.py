"""Resource safety in one process: open file descriptors and RSS over queries and index swaps.

    python bench/soak_engine.py [--queries 20000] [--swaps 100] [--semantic auto|off]

In one process: an ``Engine`` on a fresh copy of the fixture knowledge base answers ``--queries``
searches, suggestions and article views, while ``build_index`` publishes ``--swaps`` new versions
(one edited article each) and the engine picks each one up. Open descriptors (``/proc/self/fd``)
and resident memory (``VmRSS``) are measured after a warm-up and again at the end; descriptors
pointing at deleted files (index versions removed from disk but still held open) are counted too.
``tests/test_resources.py`` runs a bounded version and asserts on the descriptors; ``bench/soak.py``
runs the same kind of soak against real server processes.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import load_knowledge_base  # noqa: E402
from search import Engine, SearchRequest  # noqa: E402
from search.browse import article_view  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.semantic.dense import Settings as SemanticSettings  # noqa: E402
from search.viewer import AGENT, ANONYMOUS  # noqa: E402

FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"
EDITED = "billing/refund-policy.md"
QUERIES = ("refund", "wifi keeps dropping", "reset password", "invoice", "why did my price go up",
           "money back", "reembolso", "router lights", "paswrod", "refund card")


def open_fds() -> list[str]:
    """Targets of this process's open descriptors."""
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            found.append(os.readlink(f"/proc/self/fd/{name}"))
        except OSError:
            continue  # the descriptor listdir itself used, already closed
    return found


def deleted_mappings(under: Path) -> int:
    """Memory mappings of files under ``under`` deleted from disk (an old index version still mapped)."""
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as handle:
        return sum(str(under) in line and line.rstrip().endswith("(deleted)") for line in handle)


def rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


@dataclass
class Figures:
    queries: int
    swaps: int
    seconds: float
    fds_before: int
    fds_after: int
    deleted_after: int
    other_fds_before: int  # descriptors outside the index folder
    other_fds_after: int
    old_version_fds_after: int  # on versions older than the served one and the one before it
    mapped_deleted_after: int
    rss_before_kib: int
    rss_after_kib: int
    versions_seen: int


def run_queries(engine: Engine, count: int, offset: int = 0) -> set[str]:
    """``count`` mixed calls; the versions that answered."""
    versions = set()
    for number in range(offset, offset + count):
        text = QUERIES[number % len(QUERIES)]
        kind = number % 3
        if kind == 0:
            viewer = AGENT if number % 2 == 0 else ANONYMOUS
            versions.add(engine.search(SearchRequest(text, viewer=viewer)).version)
        elif kind == 1:
            engine.suggest(text[:4], ANONYMOUS, langs=[])
        else:
            with engine.request():  # pins the version for the view, as a web request does
                article_view(engine.snapshot(), "billing/refund-policy", ANONYMOUS)
    return versions


def soak(root: Path, queries: int, swaps: int, semantic: str = "auto", warmup: int = 50) -> Figures:
    """Queries interleaved with swaps on a fresh index under ``root``; figures before and after."""
    articles, index = root / "articles", (root / "index").resolve()
    shutil.copytree(FIXTURE_KB, articles)
    original = (articles / EDITED).read_text(encoding="utf-8")
    settings = SemanticSettings(semantic)

    def rebuild(number: int) -> None:
        text = original.replace("\nsummary: ", f"\nsummary: Soak build {number}. ", 1)
        (articles / EDITED).write_text(text, encoding="utf-8")
        build_index(load_knowledge_base(articles), index, semantic=settings)

    rebuild(0)
    engine = Engine(index, semantic=settings)
    try:
        for number in (1, 2):  # warm up through two swaps: retired versions are part of steady state
            versions = run_queries(engine, warmup)
            rebuild(number)
        versions |= run_queries(engine, warmup)
        gc.collect()
        before = open_fds()
        fds_before, rss_before = len(before), rss_kib()
        started = time.perf_counter()
        per_swap = max(1, queries // max(1, swaps))
        done = 0
        for number in range(swaps):
            versions |= run_queries(engine, per_swap, done)
            done += per_swap
            rebuild(3 + number)
        versions |= run_queries(engine, max(0, queries - done) or warmup, done)
        seconds = time.perf_counter() - started
        gc.collect()
        after = open_fds()
        live = sorted(p.name for p in (index / "versions").iterdir())[-2:]  # served + previous
        on_index = [t for t in after if t.startswith(str(index))]
        return Figures(queries, swaps, seconds, fds_before, len(after),
                       sum(t.endswith("(deleted)") for t in on_index),
                       sum(not t.startswith(str(index)) for t in before), len(after) - len(on_index),
                       sum(not any(f"/versions/{name}/" in t + "/" for name in live) for t in on_index),
                       deleted_mappings(index),
                       rss_before, rss_kib(),
                       len(versions))
    finally:
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=20_000)
    parser.add_argument("--swaps", type=int, default=100)
    parser.add_argument("--semantic", default="auto", choices=("auto", "on", "off"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="supportkb-soak-") as scratch:
        figures = soak(Path(scratch), args.queries, args.swaps, args.semantic)
    print(f"{figures.queries} queries and {figures.swaps} swaps in {figures.seconds:.1f} s "
          f"({figures.versions_seen} versions answered), SEMANTIC={args.semantic}")
    print(f"open fds: {figures.fds_before} before, {figures.fds_after} after "
          "(index segment files come and go as Whoosh merges segments)")
    print(f"  outside the index: {figures.other_fds_before} before, {figures.other_fds_after} after; "
          f"on versions no longer served: {figures.old_version_fds_after}; "
          f"on deleted files: {figures.deleted_after}; deleted files mapped: {figures.mapped_deleted_after}")
    print(f"RSS: {figures.rss_before_kib / 1024:.1f} MiB before, "
          f"{figures.rss_after_kib / 1024:.1f} MiB after "
          f"({(figures.rss_after_kib - figures.rss_before_kib) / 1024:+.1f} MiB)")
    leak = (figures.other_fds_after > figures.other_fds_before + 2 or figures.old_version_fds_after
            or figures.deleted_after or figures.mapped_deleted_after)
    return 1 if leak else 0


if __name__ == "__main__":
    sys.exit(main())
