"""How much the dense shortlist size changes hybrid results at scale.

    python bench/shortlist.py [--sizes 100 200 400]

Only the ``SHORTLIST`` best articles by whole-article cosine (plus the lexical candidates) have
their part vectors scored (search/semantic/dense.py). The FAQ sets are too small for this to
matter (77 and 150 articles), so this compares the top-10 lists of the 500 scale queries on the
10,000-article semantic bench index (built by ``python bench/api.py --semantic``) for each size
against the largest one: identical lists, shared results, same first result.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.evalsets import scale_queries  # noqa: E402
from search import Engine, SearchRequest  # noqa: E402
from search.semantic import dense  # noqa: E402
from search.semantic.dense import Settings  # noqa: E402

INDEX = ROOT / "bench" / "out" / "api-scale10000-semantic-index"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    args = parser.parse_args()
    if not INDEX.is_dir():
        raise SystemExit(f"no semantic bench index at {INDEX}: run python bench/api.py --semantic first")
    engine = Engine(INDEX, Settings("on"))
    if not engine.snapshot().semantic.on:
        raise SystemExit(f"semantic layer not on: {engine.snapshot().semantic.reason}")
    queries = scale_queries()
    lists: dict[int, list[list[str]]] = {}
    for size in sorted(args.sizes):
        dense.SHORTLIST = size
        lists[size] = [[hit.slug for hit in engine.search(SearchRequest(q)).results] for q in queries]
    reference = max(lists)
    print(f"{len(queries)} scale queries, top-10 lists against SHORTLIST={reference}")
    for size, found in lists.items():
        same = sum(a == b for a, b in zip(found, lists[reference]))
        shared = sum(len(set(a) & set(b)) for a, b in zip(found, lists[reference]))
        total = sum(len(b) for b in lists[reference]) or 1
        first = sum(a[:1] == b[:1] for a, b in zip(found, lists[reference]))
        print(f"  SHORTLIST={size:<5} identical lists {same}/{len(queries)}, "
              f"shared results {shared / total:.4f}, same first result {first}/{len(queries)}")
    engine.close()


if __name__ == "__main__":
    main()
