"""Merging segments without blocking a publish: a new version made aside from the served one.

An incremental build never merges (it writes one small segment and deletions). Merging is a
separate step, ``python build.py merge``, which ``build.py`` starts in the background once it is
due (:func:`merge_due`), or which a schedule runs. It does not take the build lock: it hard-links
the served version into a staging folder, merges there, and publishes the result only if that
version is still the served one (``publish(..., expected=...)``); when a build published
meanwhile, the merge is thrown away (the next one starts from the new version). Readers see a
complete version at every moment, a failed merge changes nothing, and old versions are removed
only when unused, as for a build (search/store.py).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from whoosh import index as whoosh_index

from search.deletions import FILE as DELETED, record_deletions
from search.segments import link_segments, many_deleted, merge_policy, small_segments
from search.semantic.shards import FOLDER as SEMANTIC
from search.semantic.shards import compact, compaction_due
from search.store import (VERSIONS, current_version, hold_version, new_version_name, publish,
                          read_json, release_version, remove_if_unused, version_dir,
                          write_json)

#: A segment is rewritten once this share of its documents is deleted (disk and speed only:
#: scores never depend on deletions, search/deletions.py).
DELETED_RATIO = 0.2
MERGING = ".merging"


@dataclass
class MergeSummary:
    """What one merge did: the version made (None when nothing was published) and why not."""

    version: str | None
    segments_before: int
    segments_after: int
    reason: str = ""


def segment_counts(version: Path) -> list[tuple[int, int]]:
    """(all documents, live documents) of each segment of a version's Whoosh index."""
    ix = whoosh_index.open_dir(str(version / "whoosh"))
    try:
        return [(s.doc_count_all(), s.doc_count()) for s in ix._segments()]  # noqa: SLF001
    finally:
        ix.close()


def merge_due(version: Path) -> bool:
    """Whether a merge would be worth it: small segments (or vector shards, search/semantic/
    shards.py) piling up, or many deleted documents (or rows)."""
    counts = segment_counts(version)
    return small_segments([total for total, _live in counts]) or any(
        many_deleted(total, live, DELETED_RATIO) for total, live in counts) or \
        compaction_due(version / SEMANTIC)


def _link_version(source: Path, target: Path) -> None:
    """Hard-link every file of a version except its Whoosh index, meta and deletions."""
    for folder, _dirs, files in os.walk(source):
        relative = Path(folder).relative_to(source)
        if relative.parts[:1] == ("whoosh",):
            continue
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            if relative == Path(".") and name in ("meta.json", DELETED):
                continue
            try:
                os.link(Path(folder) / name, target / relative / name)
            except OSError:
                shutil.copy2(Path(folder) / name, target / relative / name)


@contextlib.contextmanager
def _merge_lock(index_dir: Path) -> Iterator[bool]:
    """One merge at a time (a second one does nothing); builds do not wait for it."""
    with open(index_dir / ".merge.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _merge(staging: Path, force: bool) -> None:
    ix = whoosh_index.open_dir(str(staging / "whoosh"))
    try:
        writer = ix.writer()  # a failed commit releases its lock (whoosh3); the staging is dropped
        writer.commit(mergetype=lambda w, segments: merge_policy(w, segments, DELETED_RATIO, force))
    finally:
        ix.close()


def merge_index(index_dir: Path, force: bool = False) -> MergeSummary:
    """Merge the served version's segments into a new version and publish it (see the module
    docstring); ``force`` merges every segment into one."""
    base = current_version(index_dir)
    if base is None:
        return MergeSummary(None, 0, 0, "nothing built yet")
    with _merge_lock(index_dir) as alone:
        if not alone:
            return MergeSummary(None, 0, 0, "another merge is running")
        for leftover in (index_dir / VERSIONS).glob(f".*{MERGING}"):
            shutil.rmtree(leftover, ignore_errors=True)
        hold = hold_version(version_dir(index_dir, base))  # not removed while we read it
        try:
            return _merge_from(index_dir, base, force)
        finally:
            release_version(hold)
            remove_if_unused(index_dir, base)  # when a build published meanwhile


def _merge_from(index_dir: Path, base: str, force: bool) -> MergeSummary:
    source = version_dir(index_dir, base)
    before = len(segment_counts(source))
    if not force and not merge_due(source):
        return MergeSummary(None, before, before, "no merge due")
    name = new_version_name()
    staging = index_dir / VERSIONS / f".{name}{MERGING}"
    try:
        staging.mkdir()
        link_segments(source / "whoosh", staging / "whoosh")
        _link_version(source, staging)
        _merge(staging, force)
        compact(staging / SEMANTIC, force)  # the vectors' shards, without their deleted rows
        merged = whoosh_index.open_dir(str(staging / "whoosh"))
        try:
            record_deletions(merged, source, {}, staging)
        finally:
            merged.close()
        meta: dict[str, Any] = read_json(source / "meta.json")
        meta["version"] = name
        write_json(staging / "meta.json", meta)
        after = len(segment_counts(staging))
        hold = hold_version(staging)  # a build publishing now must not remove it before we do
        try:
            staging.rename(version_dir(index_dir, name))
            published = publish(index_dir, name, expected=base)
        finally:
            release_version(hold)
        if not published:
            shutil.rmtree(version_dir(index_dir, name), ignore_errors=True)
            return MergeSummary(None, before, after, "a build published meanwhile")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if current_version(index_dir) != name:
            shutil.rmtree(version_dir(index_dir, name), ignore_errors=True)
        raise
    return MergeSummary(name, before, after)
