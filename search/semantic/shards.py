"""Article vectors stored as shards shared between index versions, as Whoosh segments are.

Layout inside ``versions/<name>/semantic/``: each shard is three files written once under a fresh
name and never changed, ``<shard>.vectors.npy`` (float32, rows x 384), ``<shard>.kinds.npy`` (int8,
one kind per row) and ``<shard>.hashes.npy`` (uint8, rows x 16: each row's text hash, cache.py);
``index.json`` lists the shards (``"shards": [{"name", "rows"}]``) and each article's rows
(``"articles": {slug: {"hash", "shard", "start", "stop"}}``, rows counted within the shard).

An incremental build hard-links the previous version's shards into the new version (copies where
the file system cannot link), writes the rows of new and changed articles as one small new shard,
and leaves the rows of changed and removed articles where they are: a row no article of
``index.json`` points at is deleted (``index.json`` is the deletion mask). A one-line change
therefore writes a few kilobytes, not the whole vector file (257 MB at 10,000 articles), and
removing an old version only drops its names for the shared files.

Compaction rewrites shards without their deleted rows, in the background merge
(search/merging.py, :func:`compact`): small shards together once there are :data:`SMALL_SHARDS`,
and any shard with a fifth of its rows deleted. A full build writes one shard; an incremental
build that would pass :data:`MAX_SHARDS` (merges never run) writes one shard too.

Versions written before shards (one ``vectors.npy``, ``kinds.npy``, ``text-hashes.npy``, rows
counted over the whole file) read as a single shard named ``""``.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.store import read_json, write_json

#: The folder of a version that holds its vectors.
FOLDER = "semantic"
PARTS = ("vectors", "kinds", "hashes")
LEGACY_FILES = {"vectors": "vectors.npy", "kinds": "kinds.npy", "hashes": "text-hashes.npy"}
#: A shard with at most this many rows is small (about 100 articles of the scale corpus).
SMALL_ROWS = 2_000
#: Small shards are compacted together once there are this many (as Whoosh's small segments).
SMALL_SHARDS = 8
#: A shard is rewritten once this share of its rows is deleted (and at least SMALL_ROWS).
DELETED_RATIO = 0.2
#: An incremental build writes one shard of everything rather than pass this many shards.
MAX_SHARDS = 32


@dataclass(frozen=True)
class Shard:
    """One shard of a version's vectors: its name and row count."""

    name: str
    rows: int

    def path(self, folder: Path, part: str) -> Path:
        return folder / (LEGACY_FILES[part] if not self.name else f"{self.name}.{part}.npy")


#: An article's rows: (shard name, start, stop) within that shard.
Ref = tuple[str, int, int]


def shards_of(index: dict[str, Any]) -> list[Shard]:
    """The shards an ``index.json`` lists (a version written before shards: one, named "")."""
    if "shards" not in index:
        return [Shard("", int(index["rows"]))]
    return [Shard(s["name"], int(s["rows"])) for s in index["shards"]]


def refs_of(index: dict[str, Any]) -> dict[str, Ref]:
    """Each article's rows, by slug."""
    return {slug: (e.get("shard", ""), e["start"], e["stop"]) for slug, e in index["articles"].items()}


def live_rows(refs: list[Ref]) -> dict[str, int]:
    """Rows in use per shard (two articles with the same text share their rows)."""
    live: dict[str, int] = {}
    for shard, start, stop in set(refs):
        live[shard] = live.get(shard, 0) + stop - start
    return live


def new_name() -> str:
    return secrets.token_hex(8)


def save(path: Path, array: Any) -> None:
    """Write one array as ``.npy`` and fsync it."""
    import numpy as np  # noqa: PLC0415
    with open(path, "wb") as handle:
        np.save(handle, array)
        handle.flush()
        os.fsync(handle.fileno())


def write_shard(folder: Path, vectors: Any, kinds: Any, hashes: Any) -> Shard:
    """Write a new shard into ``folder`` under a fresh name."""
    shard = Shard(new_name(), len(kinds))
    for part, array in zip(PARTS, (vectors, kinds, hashes)):
        save(shard.path(folder, part), array)
    return shard


def link_file(source: Path, target: Path) -> None:
    """Hard-link ``source`` as ``target`` (a copy where the file system cannot link)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_shard(source: Path, target: Path, shard: Shard) -> None:
    for part in PARTS:
        link_file(shard.path(source, part), shard.path(target, part))


def load(folder: Path, shard: Shard, part: str, mmap: bool = True) -> Any:
    import numpy as np  # noqa: PLC0415
    return np.load(shard.path(folder, part), mmap_mode="r" if mmap else None)


def gather(folder: Path, shards: dict[str, Shard], refs: list[Ref]) -> tuple[Any, Any, Any]:
    """(vectors, kinds, hashes) of the rows ``refs`` point at, concatenated in their order."""
    opened = {name: tuple(load(folder, shards[name], part) for part in PARTS)
              for name in dict.fromkeys(ref[0] for ref in refs)}
    return concatenate(opened, refs)


def live_hashes(folder: Path, index: dict[str, Any]) -> Any:
    """The text hashes (rows x 16) of every row the articles of ``index.json`` point at; reads
    only the hash files (the vectors are never read)."""
    import numpy as np  # noqa: PLC0415
    found = []
    by_shard: dict[str, list[Ref]] = {}
    for ref in set(refs_of(index).values()):
        by_shard.setdefault(ref[0], []).append(ref)
    for shard in shards_of(index):
        if shard.name not in by_shard:
            continue
        live = np.zeros(shard.rows, dtype=bool)
        for _, start, stop in by_shard[shard.name]:
            live[start:stop] = True
        found.append(load(folder, shard, "hashes", mmap=False)[live])
    return np.concatenate(found) if found else np.zeros((0, 16), np.uint8)


def concatenate(arrays: dict[str, tuple[Any, ...]], refs: list[Ref]) -> tuple[Any, Any, Any]:
    """The rows ``refs`` point at in ``arrays`` ((vectors, kinds, hashes) by shard name), in order."""
    import numpy as np  # noqa: PLC0415
    parts: list[list[Any]] = [[], [], []]
    for name, start, stop in refs:
        for out, array in zip(parts, arrays[name]):
            out.append(array[start:stop])
    empty = (np.zeros((0, 384), np.float32), np.zeros(0, np.int8), np.zeros((0, 16), np.uint8))
    return tuple(np.concatenate(p) if p else e for p, e in zip(parts, empty))  # type: ignore[return-value]


def placed(refs: list[Ref], name: str) -> dict[Ref, Ref]:
    """Where each of ``refs`` lands in a new shard ``name`` holding their rows in order."""
    start, where = 0, {}
    for ref in refs:
        where[ref] = (name, start, start + ref[2] - ref[1])
        start += ref[2] - ref[1]
    return where


def to_rewrite(shards: list[Shard], live: dict[str, int], force: bool = False) -> list[Shard]:
    """The shards a compaction rewrites (empty: none due): every one when ``force``; else the
    small ones once there are SMALL_SHARDS, and any with DELETED_RATIO of its rows deleted."""
    if force:
        chosen = list(shards)
        return [] if len(chosen) == 1 and live.get(chosen[0].name, 0) == chosen[0].rows else chosen
    small = [s for s in shards if s.rows <= SMALL_ROWS]
    chosen = [s for s in shards if (len(small) >= SMALL_SHARDS and s in small)
              or s.rows - live.get(s.name, 0) >= max(DELETED_RATIO * s.rows, SMALL_ROWS)
              or live.get(s.name, 0) == 0]
    return [] if len(chosen) == 1 and live.get(chosen[0].name, 0) == chosen[0].rows else chosen


def compaction_due(folder: Path) -> bool:
    """Whether :func:`compact` would rewrite anything in a version's semantic folder."""
    try:
        index = read_json(folder / "index.json")
    except (OSError, ValueError):
        return False
    return bool(to_rewrite(shards_of(index), live_rows(list(refs_of(index).values()))))


def compact(folder: Path, force: bool = False) -> int:
    """Rewrite the shards due (:func:`to_rewrite`) of a merge's staging version as one shard
    without deleted rows; the number of shards rewritten (0: nothing was due).

    ``folder``'s files are hard links to the served version's: they are never written into, only
    unlinked, and ``index.json`` is replaced by a new file."""
    try:
        index = read_json(folder / "index.json")
    except FileNotFoundError:
        return 0
    shards = shards_of(index)
    refs = refs_of(index)
    chosen = to_rewrite(shards, live_rows(list(refs.values())), force)
    if not chosen:
        return 0
    names = {s.name for s in chosen}
    moved = {slug: ref for slug, ref in refs.items() if ref[0] in names}
    distinct = list(dict.fromkeys(moved.values()))  # articles sharing rows keep sharing them
    kept = [s for s in shards if s.name not in names]
    if distinct:  # else every chosen shard was wholly deleted: dropped
        vectors, kinds, hashes = gather(folder, {s.name: s for s in shards}, distinct)
        fresh = write_shard(folder, vectors, kinds, hashes)
        kept.append(fresh)
        where = placed(distinct, fresh.name)
        for slug, ref in moved.items():
            entry = index["articles"][slug]
            entry["shard"], entry["start"], entry["stop"] = where[ref]
    index["shards"] = [{"name": s.name, "rows": s.rows} for s in kept]
    for shard in chosen:
        for part in PARTS:
            shard.path(folder, part).unlink(missing_ok=True)
    (folder / "index.json").unlink()  # a link to the served version's: never written into
    write_json(folder / "index.json", index)
    return len(chosen)
