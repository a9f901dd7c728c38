"""What recording who may fetch each ``/media/`` file costs a build (kb/media.py, search/indexer.py).

    python bench/media.py [--articles 20000] [--runs 5]

The demo articles repeated to ``--articles`` (new slugs and hashes); none, one in ten or one in two
of them link an image in their public text and a PDF in an ``::: internal`` block. For each share:
the links read from every article (a full build, or the first build after an upgrade), the same
with the previous version's links parsed and reused for unchanged articles (an incremental build
of one change), and the bytes added to the version (``media_links.json`` and meta.json's ``media``).
Medians of ``--runs``.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import load_knowledge_base  # noqa: E402
from kb.media import media_manifest  # noqa: E402
from search.indexer import _media_links  # noqa: E402

SHARES = {"none": 0, "1 in 10": 10, "1 in 2": 2}


def articles(count: int, share: int) -> list[Any]:
    demo = load_knowledge_base(ROOT / "articles").published
    out = []
    for i in range(count):
        source = demo[i % len(demo)]
        extra = (f"\n\n![router](/media/zendesk/{i}/router.png)\n\n::: internal\n"
                 f"[form](/media/zendesk/{i}/form.pdf)\n:::\n") if share and i % share == 0 else ""
        out.append(dataclasses.replace(source, slug=f"{source.slug}-{i}", body=source.body + extra,
                                       content_hash=f"{i:032x}"))
    return out


def median_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.articles} articles, medians of {args.runs} runs")
    for label, share in SHARES.items():
        kb = articles(args.articles, share)
        hashes = {a.slug: a.content_hash for a in kb}
        links = _media_links(kb, {}, None)
        full = median_ms(lambda: media_manifest(_media_links(kb, {}, None).values()), args.runs)
        stored = json.dumps(links)  # media_links.json, parsed again by the next build
        again = median_ms(lambda: media_manifest(_media_links(kb, hashes, json.loads(stored)).values()),
                          args.runs)
        size = len(stored) + len(json.dumps(media_manifest(links.values())))
        print(f"linking media: {label:8} every article read {full:6.0f} ms   unchanged reused {again:5.0f} ms"
              f"   version +{size / 1024:5.0f} KiB")


if __name__ == "__main__":
    main()
