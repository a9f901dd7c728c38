"""Build times: full build and one-article rebuild, for the demo KB and a generated 10k-article KB.

    python bench/build.py [--runs 3] [--sizes demo 10000]

The generated knowledge base is made of real text: the first N articles of the shared scale
corpus (Debian manual pages). Each figure is the median of ``--runs`` runs of the same calls
``build.py`` makes (load, validate, build_index); the one-article rebuild edits one file and
rebuilds incrementally.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evalsets import write_scale_articles  # noqa: E402
from kb import load_knowledge_base, validate  # noqa: E402
from kb.titles import NearTitles  # noqa: E402
from search.indexer import build_index  # noqa: E402

DEMO = Path(__file__).resolve().parent.parent / "articles"


def timed_build(articles: Path, index: Path, full: bool) -> tuple[float, dict[str, float]]:
    """Seconds for one build as build.py runs it, with the time of each stage."""
    stages: dict[str, float] = {}
    started = time.perf_counter()
    kb = load_knowledge_base(articles)
    stages["load"] = time.perf_counter() - started
    mark = time.perf_counter()
    titles = NearTitles(index / ".near-titles.json")  # as build.py: kept between builds
    validate(kb, titles=titles)
    stages["validate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    build_index(kb, index, full=full)
    titles.save()
    stages["index"] = time.perf_counter() - mark
    return time.perf_counter() - started, stages


def bench(label: str, articles: Path, runs: int) -> None:
    full_times, one_times, full_stages, one_stages = [], [], [], []
    target = sorted(articles.rglob("*.md"))[0]
    original = target.read_text(encoding="utf-8")
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            index = Path(scratch) / "index"
            seconds, stages = timed_build(articles, index, full=True)
            full_times.append(seconds)
            full_stages.append(stages)
            target.write_text(original + f"\nEdited in run {run}.\n", encoding="utf-8")
            try:
                seconds, stages = timed_build(articles, index, full=False)
            finally:
                target.write_text(original, encoding="utf-8")
            one_times.append(seconds)
            one_stages.append(stages)
    count = len(list(articles.rglob("*.md")))

    def stage_line(stages: list[dict[str, float]]) -> str:
        return ", ".join(f"{name} {statistics.median(s[name] for s in stages):.2f}s"
                         for name in stages[0])

    print(f"| {label} | {count} | {statistics.median(full_times):.2f} s | "
          f"{statistics.median(one_times):.2f} s | {statistics.median(full_times) / statistics.median(one_times):.1f}x |")
    print(f"|   stages | | {stage_line(full_stages)} | {stage_line(one_stages)} | |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", nargs="+", default=["demo", "10000"])
    args = parser.parse_args()
    print(f"median of {args.runs} runs")
    print("| knowledge base | files | full build | one-article rebuild | ratio |")
    print("|---|---:|---:|---:|---:|")
    for size in args.sizes:
        if size == "demo":
            with tempfile.TemporaryDirectory() as scratch:
                copy = Path(scratch) / "articles"
                shutil.copytree(DEMO, copy)
                bench("demo", copy, args.runs)
            continue
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "articles"
            write_scale_articles(int(size), folder)
            bench(f"generated {size}", folder, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
