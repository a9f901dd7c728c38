"""Build times at scale: full build, one-article change, delete-one, rename-one, ``--check``, and
plain Whoosh indexing the same files in the same run.

    python bench/build.py [--docs 10000] [--runs 3] [--demo]

The generated knowledge base is made of real text: the first N articles of the shared scale
corpus (Debian manual pages). Every figure is the median of ``--runs`` runs of the same calls
``build.py`` makes (load, validate, build_index), semantic search off; the one-article change is
also timed as a writer runs it, ``python build.py`` in a new process (imports included). The baseline is plain
Whoosh with 2 processes (``writer(procs=2, multisegment=True)``), a stemming analyzer, the same
front matter parsed with python-frontmatter, written to a temporary folder. The machine may be
shared: medians hide some noise, not all of it. The CPU seconds of the full build and of plain
Whoosh (this process and its worker processes) are printed too: on a loaded machine wall time
follows how many processes a job runs as much as the work it does, CPU time does not.

With the semantic extra installed it then times the semantic build (``--semantic-docs``
articles, one run): embedding the old way and the new way in the same run, a first build and a
rebuild after one change with ``SEMANTIC=on`` (bench/build_semantic.py).
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["KB_SEMANTIC"] = "off"

from bench.build_semantic import bench_semantic  # noqa: E402
from bench.evalsets import write_scale_articles  # noqa: E402
from kb import load_knowledge_base, validate  # noqa: E402
from kb.filecache import RACY_NS  # noqa: E402
from kb.titles import NearTitles  # noqa: E402
from search.indexer import build_index  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "articles"


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (Whoosh's and ours)."""
    used = os.times()
    return used.user + used.system + used.children_user + used.children_system


def timed_build(articles: Path, index: Path, full: bool, check: bool = False,
                semantic: Any = None) -> tuple[float, dict[str, float]]:
    """Seconds for one build (or ``--check``) as build.py runs it, with each stage's time
    (``cpu``: CPU seconds of the whole build, workers included)."""
    stages: dict[str, float] = {}
    cpu = cpu_seconds()
    started = time.perf_counter()
    kb = load_knowledge_base(articles, cache_dir=index)
    stages["load"] = time.perf_counter() - started
    mark = time.perf_counter()
    titles = NearTitles(index / ".near-titles.json")  # as build.py: kept between builds
    validate(kb, titles=titles)
    stages["validate"] = time.perf_counter() - mark
    if check:
        titles.save()
        return time.perf_counter() - started, stages
    mark = time.perf_counter()
    build_index(kb, index, full=full, semantic=semantic, progress=semantic is not None)
    titles.save()
    kb.cache.save(create=True)
    stages["index"] = time.perf_counter() - mark
    stages["cpu"] = cpu_seconds() - cpu
    return time.perf_counter() - started, stages


def timed_cli(articles: Path, index: Path) -> float:
    """Seconds for ``python build.py`` as a writer runs it: a new process, imports included."""
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--articles", str(articles), "--index",
                    str(index), "--quiet", "--no-merge"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def whoosh_baseline(articles: Path) -> tuple[float, float]:
    """Seconds and CPU seconds for plain Whoosh (2 processes, stemming) to index the same files."""
    import frontmatter  # noqa: PLC0415
    from whoosh import fields, index  # noqa: PLC0415
    from whoosh.analysis import StemmingAnalyzer  # noqa: PLC0415

    schema = fields.Schema(slug=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
                           body=fields.TEXT(analyzer=StemmingAnalyzer()),
                           type=fields.KEYWORD(stored=True))
    cpu = cpu_seconds()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        ix = index.create_in(scratch, schema)
        writer = ix.writer(procs=2, multisegment=True, limitmb=128)
        for path in sorted(articles.rglob("*.md")):
            post = frontmatter.load(str(path))
            writer.add_document(slug=str(path.relative_to(articles))[:-3],
                                title=str(post.get("title", "")), body=post.content,
                                type=str(post.get("type", "")))
        writer.commit()
        ix.close()
    return time.perf_counter() - started, cpu_seconds() - cpu


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench(label: str, articles: Path, runs: int, baseline: bool) -> None:
    times: dict[str, list[float]] = {k: [] for k in
                                     ("full", "one", "cli", "delete", "rename", "check", "whoosh",
                                      "whoosh_cpu")}
    stages: dict[str, list[dict[str, float]]] = {k: [] for k in times}
    files = sorted(articles.rglob("*.md"))
    target, victim, moved = files[len(files) // 2], files[-1], files[1]
    original = target.read_text(encoding="utf-8")
    # The files were all just written (generated or copied); a writer's checkout was not saved in
    # the last two seconds. Wait out the parse cache's racy window (kb/filecache.py), or every
    # unchanged file would be read again by the first incremental build.
    time.sleep(RACY_NS / 1e9 + 0.5)
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            index = Path(scratch) / "index"
            seconds, stage = timed_build(articles, index, full=True)
            times["full"].append(seconds)
            stages["full"].append(stage)
            target.write_text(original + f"\nEdited in run {run}.\n", encoding="utf-8")
            try:
                seconds, stage = timed_build(articles, index, full=False)
                times["one"].append(seconds)
                stages["one"].append(stage)
                target.write_text(original + f"\nEdited again in run {run}.\n", encoding="utf-8")
                times["cli"].append(timed_cli(articles, index))
                seconds, stage = timed_build(articles, index, full=False, check=True)
                times["check"].append(seconds)
                stages["check"].append(stage)
            finally:
                target.write_text(original, encoding="utf-8")
            kept = victim.read_bytes()
            victim.unlink()
            try:
                seconds, stage = timed_build(articles, index, full=False)
                times["delete"].append(seconds)
                stages["delete"].append(stage)
            finally:
                victim.write_bytes(kept)
            renamed = moved.with_name("renamed-" + moved.name)
            moved.rename(renamed)
            try:
                seconds, stage = timed_build(articles, index, full=False)
                times["rename"].append(seconds)
                stages["rename"].append(stage)
            finally:
                renamed.rename(moved)
        if baseline:
            seconds, cpu = whoosh_baseline(articles)
            times["whoosh"].append(seconds)
            times["whoosh_cpu"].append(cpu)

    def stage_line(name: str) -> str:
        return ", ".join(f"{s} {median([r[s] for r in stages[name]]):.2f}s"
                         for s in stages[name][0] if s != "cpu") if stages[name] else ""

    print(f"\n{label}: {len(files)} articles, median of {runs} run(s)")
    for name, title in (("full", "full build"), ("one", "one article changed"),
                        ("cli", "same, `python build.py`"),
                        ("delete", "one article deleted"), ("rename", "one article renamed"),
                        ("check", "--check (after a build)")):
        print(f"  {title:<26} {median(times[name]):7.2f} s   ({stage_line(name)})")
    if times["whoosh"]:
        whoosh = median(times["whoosh"])
        print(f"  {'plain Whoosh, 2 procs':<26} {whoosh:7.2f} s")
        print(f"  {'full build / Whoosh':<26} {median(times['full']) / whoosh:7.2f} x")
        full_cpu = median([r["cpu"] for r in stages["full"]])
        whoosh_cpu = median(times["whoosh_cpu"])
        print(f"  {'CPU s, full / Whoosh':<26} {full_cpu:7.2f} / {whoosh_cpu:.2f} = "
              f"{full_cpu / whoosh_cpu:.2f} x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--docs", type=int, default=10000, help="generated articles (0: none)")
    parser.add_argument("--demo", action="store_true", help="also the demo knowledge base")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain Whoosh")
    parser.add_argument("--semantic-docs", type=int, default=None,
                        help="generated articles for the semantic figures (default: --docs; 0: "
                             "none; bench/build_semantic.py)")
    args = parser.parse_args()
    if args.demo:
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / "articles"
            shutil.copytree(DEMO, copy)
            bench("demo", copy, args.runs, baseline=False)
    if args.docs:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "articles"
            write_scale_articles(args.docs, folder)
            bench(f"generated {args.docs}", folder, args.runs, not args.no_baseline)
    semantic_docs = args.docs if args.semantic_docs is None else args.semantic_docs
    if semantic_docs:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "articles"
            write_scale_articles(semantic_docs, folder)
            bench_semantic(folder, timed_build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
