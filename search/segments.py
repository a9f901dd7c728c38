"""Segments shared between index versions, and when small segments are merged.

An incremental build does not copy the previous version: it hard-links its Whoosh files into the
new version's folder, writes the changed articles as one small new segment and records deletions
in the new version's table of contents. Whoosh never writes into an existing file (a segment is
written once under a fresh random name, a table of contents under a new generation number, then
renamed into place), so a file shared by two versions never changes; removing an old version only
drops its names for the shared files (tests/test_incremental_build.py checks both).

Merging never blocks a publish: an incremental build does not merge at all. Merges run apart
(search/merging.py, ``python build.py merge``, started in the background by ``build.py`` when
:func:`small_segments` or many deletions say so) and publish a new version of their own. A full
build (``build.py --full``) writes everything as one fresh index.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

#: A segment with at most this many documents is small.
SMALL_DOCS = 100
#: Small segments are merged together once there are this many.
SMALL_SEGMENTS = 8


def link_segments(source: Path, target: Path) -> None:
    """Fill ``target`` with hard links to the files of the Whoosh index in ``source`` (copies
    where the file system cannot link). Lock files are left out."""
    target.mkdir()
    for entry in os.scandir(source):
        if not entry.is_file() or entry.name.endswith("_LOCK") or "WRITELOCK" in entry.name:
            continue
        try:
            os.link(entry.path, target / entry.name)
        except OSError:
            shutil.copy2(entry.path, target / entry.name)


def small_segments(sizes: list[int]) -> bool:
    """Whether segments of these sizes (documents, deleted ones included) call for a merge."""
    return sum(size <= SMALL_DOCS for size in sizes) >= SMALL_SEGMENTS


def many_deleted(total: int, live: int, ratio: float) -> bool:
    """Whether a segment holds enough deleted documents to be rewritten without them: at least
    ``ratio`` of its documents and at least :data:`SMALL_DOCS` (a small index never needs it)."""
    return total - live >= max(ratio * total, SMALL_DOCS)


def merge_policy(writer: Any, segments: list[Any], deleted_ratio: float, force: bool = False
                 ) -> list[Any]:
    """Whoosh merge policy: merge the small segments together once there are
    :data:`SMALL_SEGMENTS` of them, and rewrite any segment with at least ``deleted_ratio`` of
    its documents deleted; keep the others as they are (``force``: merge everything into one).
    Segments left with no live document are dropped."""
    from whoosh.reading import SegmentReader  # noqa: PLC0415

    kept = [s for s in segments if s.doc_count() > 0]
    small = [s for s in kept if s.doc_count_all() <= SMALL_DOCS]
    chosen = [s for s in kept if force or (len(small) >= SMALL_SEGMENTS and s in small)
              or many_deleted(s.doc_count_all(), s.doc_count(), deleted_ratio)]
    if len(chosen) == 1 and chosen[0].doc_count() == chosen[0].doc_count_all():
        return kept  # one segment with nothing to purge: merging it would only copy it
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in kept if s not in chosen]
