"""Progress of the long build stages (load, validate, index, embed): a tqdm bar on a terminal, one
line per stage in logs and CI (when stderr is not a terminal), nothing when switched off."""
from __future__ import annotations

import sys
import time
from typing import Iterable, Iterator, Self, TypeVar

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


class Stage:
    """Progress of a stage counted in any unit (texts, tokens), for stages that are not one loop:
    ``with Stage("embed", total, enabled, "token") as stage: ... stage.advance(n)``. Shown as
    ``track`` shows its stages: a tqdm bar with its ETA on a terminal, else one closing line
    (``note`` appended to it), nothing when not ``enabled``."""

    def __init__(self, label: str, total: int, enabled: bool, unit: str = "article",
                 note: str = "") -> None:
        self.label, self.total, self.enabled, self.unit, self.note = label, total, enabled, unit, note
        self.count = 0
        self._bar = None
        self._started = 0.0

    def __enter__(self) -> Self:
        self._started = time.perf_counter()
        if self.enabled and sys.stderr.isatty():
            from tqdm import tqdm  # noqa: PLC0415  (only when shown)
            self._bar = tqdm(desc=self.label, total=self.total, unit=self.unit, unit_scale=True,
                             leave=False)
        return self

    def advance(self, amount: int = 1) -> None:
        self.count += amount
        if self._bar is not None:
            self._bar.update(amount)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.enabled and exc[0] is None:
            seconds = time.perf_counter() - self._started
            note = f" ({self.note})" if self.note else ""
            print(f"{self.label}: {self.count} {self.unit}s in {seconds:.1f}s{note}",
                  file=sys.stderr, flush=True)
