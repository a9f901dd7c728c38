"""Cost of validating API query strings with the pydantic models of ``web/api/schemas.py``.

    python bench/api_params.py [--calls 2000]

Prints microseconds per call (best of 5 repeats, median of 3) for parsing a typical
``/api/v1/search`` query string into ``SearchQuery`` (filters and cache key included), and for
building the OpenAPI document once.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.datastructures import MultiDict  # noqa: E402

from web import create_app  # noqa: E402
from web.api import params  # noqa: E402
from web.api.openapi import build_document, operations  # noqa: E402
from web.api.schemas import SearchQuery  # noqa: E402

ARGS = MultiDict([("q", "refund not received"), ("type", "billing"), ("level", "0,1"),
                  ("limit", "10"), ("offset", "20"), ("tags", "Refunds")])


def parse() -> None:
    parsed = params.query(SearchQuery, ARGS)
    parsed.filters()
    params.search_key(parsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per repeat")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="supportkb-params-") as folder:
        app = create_app({"TESTING": True, "INDEX_DIR": str(Path(folder) / "index"), "INSTANCE_DIR": folder})
        with app.app_context():
            parse()
            runs = [min(timeit.repeat(parse, number=options.calls, repeat=5)) / options.calls * 1e6
                    for _ in range(3)]
    start = time.perf_counter()
    build_document(operations())
    built_ms = (time.perf_counter() - start) * 1000
    print(f"parse /api/v1/search query string: {statistics.median(runs):.1f} us per call")
    print(f"build the OpenAPI document: {built_ms:.1f} ms (once per process)")


if __name__ == "__main__":
    main()
