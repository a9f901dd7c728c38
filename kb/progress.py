"""Progress of the long build stages (load, validate, index, embed): a tqdm bar on a terminal, one
line per stage in logs and CI (when stderr is not a terminal), nothing when switched off."""
from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")
#: Stages with fewer items than this print nothing (the demo knowledge base stays quiet).
MIN_ITEMS = 200


def track(items: Iterable[T], label: str, total: int, enabled: bool, unit: str = "article"
          ) -> Iterator[T]:
    """Yield ``items``, showing the stage's progress as the module docstring says."""
    if not enabled or total < MIN_ITEMS:
        yield from items
        return
    if sys.stderr.isatty():
        from tqdm import tqdm  # noqa: PLC0415  (only when shown)
        yield from tqdm(items, desc=label, unit=unit, total=total, leave=False)
        return
    started, count = time.perf_counter(), 0
    for item in items:
        count += 1
        yield item
    seconds = time.perf_counter() - started
    print(f"{label}: {count} {unit}s in {seconds:.1f}s", file=sys.stderr, flush=True)
