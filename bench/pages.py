"""Latency of the help centre's list pages: home, browse page 1 and a late page, sitemap index and
child, on the demo KB (baseline) and a generated 12,000-article KB, in one run.

    python bench/pages.py [--docs 12000] [--runs 50]

The generated KB is the first ``--docs`` articles of the shared scale corpus (real text), built
with the build path (load, build_index; lexical only: the semantic layer plays no part in these
pages). Each page is requested through the whole WSGI stack
(Flask test client) ``--runs`` times after one warm-up; the figure is the median. The first
request of a fresh version (which reads the version's catalog of public articles) is timed apart.
"""
from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evalsets import write_scale_articles  # noqa: E402
from kb import load_knowledge_base  # noqa: E402
from search.catalog import PAGE_SIZE  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402
from web import create_app  # noqa: E402

DEMO = ROOT / "articles"


def make_client(index: Path, instance: Path) -> Any:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index), "INSTANCE_DIR": str(instance),
                      "ANALYTICS_URL": "off", "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench"})
    return app.test_client()


def timed(client: Any, url: str) -> tuple[float, int, int]:
    """Milliseconds, status and body size of one GET."""
    started = time.perf_counter()
    response = client.get(url)
    size = len(response.get_data())
    return (time.perf_counter() - started) * 1000, response.status_code, size


def median_ms(client: Any, url: str, runs: int) -> tuple[float, int]:
    _, status, size = timed(client, url)  # warm-up
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}")
    return statistics.median(timed(client, url)[0] for _ in range(runs)), size


def bench(label: str, articles: Path, scratch: Path, runs: int) -> None:
    started = time.perf_counter()
    build_index(load_knowledge_base(articles), scratch / "index", semantic=Settings(mode="off"))
    built = time.perf_counter() - started
    client = make_client(scratch / "index", scratch / "instance")
    first_ms, _, _ = timed(client, "/browse/technical")
    text = client.get("/browse/technical").get_data(as_text=True)
    shown = re.search(r"Articles 1–\d+ of (\d+)", text)  # only when there are several pages
    total = int(shown.group(1)) if shown else text.count('class="article-card"')
    late = max(1, math.ceil(total / PAGE_SIZE) - 1)
    urls = {"home": "/", "browse page 1": "/browse/technical",
            f"browse page {late}": f"/browse/technical?page={late}",
            "sitemap index": "/sitemap.xml", "sitemap child": "/sitemap-1.xml"}
    print(f"\n{label}: {total:,} technical articles to browse; built in {built:.1f} s; "
          f"first browse request of the version "
          f"(reads the catalog) {first_ms:.1f} ms")
    print("| page | median ms | bytes |")
    print("|---|---:|---:|")
    for name, url in urls.items():
        ms, size = median_ms(client, url, runs)
        print(f"| {name} (`{url}`) | {ms:.2f} | {size:,} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=12_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print(f"median of {args.runs} requests per page, Flask test client")
    with tempfile.TemporaryDirectory() as scratch:
        bench("demo KB", DEMO, Path(scratch) / "demo", args.runs)
        generated = Path(scratch) / "generated"
        written = write_scale_articles(args.docs, generated / "articles")
        bench(f"generated KB, {written:,} articles", generated / "articles", generated, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
