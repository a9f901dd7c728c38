"""Near-duplicate titles, compared incrementally: a rebuild compares only titles not seen before."""
from __future__ import annotations

import json
import logging
import os
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
        if fresh:
            scores = process.cdist(fresh, present, scorer=fuzz.ratio, processor=utils.default_process,
                                   score_cutoff=NEAR_DUPLICATE_TITLE, workers=-1, dtype="uint8")
            for i, j in zip(*scores.nonzero()):
                if fresh[i] != present[j]:
                    found.add(tuple(sorted((fresh[i], present[j]))))  # type: ignore[arg-type]
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
