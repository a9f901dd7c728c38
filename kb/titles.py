"""Near-duplicate titles, compared incrementally: a rebuild compares only titles not seen before."""
from __future__ import annotations

import bisect
import json
import logging
import math
import os
from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process, utils

log = logging.getLogger(__name__)
NEAR_DUPLICATE_TITLE = 95


class NearTitles:
    """Pairs of titles (per language) that are nearly the same, remembered between runs.

    Similarity of two titles never changes, so each title only needs comparing once against the
    titles present when it first appears; later titles compare themselves against it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.known: dict[str, dict[str, list[str]]] = {}
        if path is not None and path.exists():
            try:
                self.known = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                log.info("ignoring unreadable title cache %s", path)

    def pairs(self, lang: str, titles: list[str]) -> set[tuple[str, str]]:
        """Unordered pairs (as sorted tuples) of present titles that are nearly the same."""
        present = sorted(set(titles))
        known = self.known.setdefault(lang, {})
        fresh = [t for t in present if t not in known]
        found: set[tuple[str, str]] = set()
        for title in present:
            for other in known.get(title, []):
                if other in known or other in fresh:
                    found.add(tuple(sorted((title, other))))  # type: ignore[arg-type]
        found |= close_pairs(fresh, present)
        for title in fresh:
            known[title] = []
        for a, b in found:
            for x, y in ((a, b), (b, a)):
                if y not in known[x]:
                    known[x].append(y)
        kept = set(present)
        for title in [t for t in known if t not in kept]:
            del known[title]
        return found

    def save(self) -> None:
        """Write the cache (best effort: it only saves time)."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.known, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            log.info("cannot save title cache %s: %s", self.path, exc)


def close_pairs(fresh: list[str], present: list[str]) -> set[tuple[str, str]]:
    """Pairs (as sorted tuples) of a fresh and a present title scoring at least
    :data:`NEAR_DUPLICATE_TITLE` with ``fuzz.ratio`` on ``default_process``ed text.

    The ratio is ``100 * (1 - distance / (la + lb))`` and the distance is at least ``|la - lb|``,
    so titles whose lengths differ by more than ``(100 - cutoff)%`` of their sum cannot match:
    each fresh title is compared only with present titles of a near length, not with all of them
    (the same pairs, a fraction of the comparisons at 10,000 titles)."""
    found: set[tuple[str, str]] = set()
    if not fresh:
        return found
    ready = sorted((utils.default_process(t), t) for t in present)
    ready.sort(key=lambda item: len(item[0]))
    lengths = [len(text) for text, _ in ready]
    groups: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for title in fresh:
        text = utils.default_process(title)
        groups[len(text)].append((text, title))
    slack = (100 - NEAR_DUPLICATE_TITLE) / 100  # |la - lb| <= slack * (la + lb)
    for length, group in groups.items():
        low = bisect.bisect_left(lengths, math.floor(length * (1 - slack) / (1 + slack)) - 1)
        high = bisect.bisect_right(lengths, math.ceil(length * (1 + slack) / (1 - slack)) + 1)
        if low >= high:
            continue
        near = ready[low:high]
        scores = process.cdist([text for text, _ in group], [text for text, _ in near],
                               scorer=fuzz.ratio, processor=None, score_cutoff=NEAR_DUPLICATE_TITLE,
                               workers=-1, dtype="uint8")
        for i, j in zip(*scores.nonzero()):
            if group[i][1] != near[j][1]:
                found.add(tuple(sorted((group[i][1], near[j][1]))))  # type: ignore[arg-type]
    return found
