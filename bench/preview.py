"""The writer's preview: how long from saving an article to the preview serving it.

    python bench/preview.py [--docs 0] [--saves 10]

Starts ``python build.py serve`` (semantic search off) on a copy of the demo knowledge base, or
on ``--docs N`` generated articles (the shared scale corpus, as ``bench/build.py``), then saves
one article with a new title ``--saves`` times, one save at a time, and polls its page every 20 ms
until the new title is served. Printed: the median, fastest and slowest of those times, which
include the debounce (0.2 s by default), the incremental build and publish, and the next request.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEMO = ROOT / "articles"
TITLE = re.compile(r"^title: .*$", re.MULTILINE)


def _start(articles: Path, index: Path, instance: Path) -> tuple[subprocess.Popen[str], str, list[str]]:
    env = {**os.environ, "KB_SEMANTIC": "off", "KB_INSTANCE_DIR": str(instance)}
    process = subprocess.Popen([sys.executable, "build.py", "serve", "--port", "0", "--quiet",
                                "--articles", str(articles), "--index", str(index)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True).start()
    while True:
        found = re.search(r"on (http://\S+?)/ \(Ctrl", "".join(lines))
        if found:
            return process, found.group(1), lines
        if process.poll() is not None:
            raise SystemExit("".join(lines))
        time.sleep(0.1)


def _served(url: str, marker: str) -> bool:
    with urllib.request.urlopen(url, timeout=60) as response:
        return marker in response.read().decode("utf-8")


def _public_article(articles: Path, url: str) -> tuple[Path, str]:
    """The first article a customer can open (not internal, draft or in review)."""
    for path in sorted(articles.rglob("*.md")):
        if any(part.startswith("_") for part in path.relative_to(articles).parts):
            continue
        url_path = "/articles/" + path.relative_to(articles).with_suffix("").as_posix()
        try:
            with urllib.request.urlopen(url + url_path, timeout=60):
                return path, url_path
        except urllib.error.HTTPError:
            continue
    raise SystemExit("no public article")


def measure(articles: Path, saves: int) -> tuple[list[float], list[float]]:
    """Seconds from each save to the page showing it, and each build's own time (as printed)."""
    times: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        process, url, lines = _start(articles, Path(scratch) / "index", Path(scratch) / "instance")
        try:
            article, url_path = _public_article(articles, url)
            for n in range(saves):
                marker = f"Preview bench title {n} {time.time_ns()}"
                text = TITLE.sub(f"title: {marker}", article.read_text(encoding="utf-8"), count=1)
                started = time.perf_counter()
                article.write_text(text, encoding="utf-8")
                while not _served(url + url_path, marker):
                    time.sleep(0.02)
                times.append(time.perf_counter() - started)
                time.sleep(0.5)
        finally:
            process.terminate()
            process.wait(timeout=120)
    builds = [float(m) for m in re.findall(r"^Built .*, (\d+\.\d+)s$", "".join(lines), re.MULTILINE)]
    return times, builds[1:]  # the first is the initial full build


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=0, help="generated articles (0: the demo KB)")
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        articles = Path(scratch) / "articles"
        if args.docs:
            from bench.evalsets import write_scale_articles  # noqa: PLC0415
            write_scale_articles(args.docs, articles)
        else:
            shutil.copytree(DEMO, articles)
        label = f"generated {args.docs}" if args.docs else "demo"
        times, builds = measure(articles, args.saves)
    print(f"{label}: save to served page, {len(times)} saves: median {statistics.median(times):.2f} s, "
          f"fastest {min(times):.2f} s, slowest {max(times):.2f} s; the builds alone (as printed): "
          f"median {statistics.median(builds):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
