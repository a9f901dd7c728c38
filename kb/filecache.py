"""Parsed articles remembered between runs, keyed by each file's content: an unchanged file is
neither read, parsed nor re-checked on its own again (``build.py`` and ``--check`` at 10,000
articles).

The cache is one SQLite file in the index folder, one row per article file, so a run that changed
one article rewrites one row. It only saves time: an unreadable or foreign cache is ignored and
rebuilt. Cross-article checks (links resolved against the other slugs, duplicates) still run on
every article; only what depends on the file alone is reused (front matter, field checks, the
links found in the body, unbalanced internal blocks).

A file whose ``stat`` (size, modification and change times to the nanosecond, inode) matches its
row is taken as unchanged without reading it, as git does for its index. A row only vouches for
times older than the moment the file was last read (minus :data:`RACY_NS`): a file saved twice
within one timestamp tick, keeping its size, is read and hashed again ("racily clean" in git).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
CACHE_FILE = ".articles-cache.sqlite"
#: Bump when Article, Problem or what is memoised on an article changes shape.
FORMAT = "2"
TABLE = f"files_v{FORMAT}"
#: A file changed less than this before it was read may change again unseen within its tick.
RACY_NS = 2_000_000_000


def file_digest(data: bytes, display: str) -> str:
    """Key of one file's parse: its bytes and the name problems show for it."""
    digest = hashlib.sha256(data)
    digest.update(b"\0" + display.encode() + b"\0" + FORMAT.encode())
    return digest.hexdigest()


def stat_key(stat: os.stat_result, display: str) -> str:
    """What must stay the same for a file to be taken as unchanged without reading it (with the
    name problems show for it, part of the digest too)."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}:{display}"


class _Row:
    """What the cache knows of one file; ``value`` stays pickled until asked for."""

    __slots__ = ("blob", "checked", "content_hash", "digest", "stat", "updated")

    def __init__(self, digest: str, blob: bytes, stat: str = "", checked: int = 0,
                 updated: str = "", content_hash: str = "") -> None:
        self.digest, self.blob, self.stat, self.checked = digest, blob, stat, checked
        self.updated, self.content_hash = updated, content_hash


class FileCache:
    """Rows of ``(relative path, digest, pickled (article, problems, dated_by_file), stat, ...)``."""

    def __init__(self, folder: Path | str | None) -> None:
        self.path = Path(folder) / CACHE_FILE if folder is not None else None
        self.rows: dict[str, _Row] = {}
        self.fresh: dict[str, tuple[str, Any]] = {}
        self.touched: set[str] = set()  # rows whose stat or content hash changed, not their value
        self.seen: set[str] = set()
        self.read: set[str] = set()  # files read and hashed this run (tests, bench)
        if self.path is None or not self.path.exists():
            return
        try:
            with sqlite3.connect(self.path) as db:
                self.rows = {path: _Row(*rest) for path, *rest in db.execute(
                    f"SELECT path, digest, data, stat, checked, updated, chash FROM {TABLE}")}
            db.close()
        except sqlite3.Error as exc:
            log.info("ignoring unreadable article cache %s: %s", self.path, exc)
            self.rows = {}

    def unchanged(self, relative: str, stat: os.stat_result, display: str) -> str | None:
        """The digest of a file whose stat vouches that it is as last read, else None."""
        row = self.rows.get(relative)
        if row is None or row.stat != stat_key(stat, display):
            return None
        if max(stat.st_mtime_ns, stat.st_ctime_ns) >= row.checked - RACY_NS:
            return None  # changed too close to when it was read: it may have changed again since
        return row.digest

    def hashed(self, relative: str, stat: os.stat_result, display: str, started_ns: int) -> None:
        """Record that the file, with this stat, was read and hashed from ``started_ns`` on."""
        self.read.add(relative)
        row = self.rows.get(relative)
        if row is not None:
            row.stat, row.checked = stat_key(stat, display), started_ns
            self.touched.add(relative)
        else:
            self.rows[relative] = _Row("", b"", stat_key(stat, display), started_ns)

    def get(self, relative: str, digest: str) -> Any | None:
        """The cached value for this file's content, or None."""
        self.seen.add(relative)
        row = self.rows.get(relative)
        if row is None or row.digest != digest or not row.blob:
            return None
        try:
            return pickle.loads(row.blob)  # noqa: S301 (written by this program into its index folder)
        except Exception:  # noqa: BLE001  (an old or damaged row: parse the file again)
            return None

    def put(self, relative: str, digest: str, value: Any) -> None:
        """Remember ``value``; it is pickled at :meth:`save`, after validation memoised on it."""
        self.seen.add(relative)
        self.fresh[relative] = (digest, value)
        row = self.rows.setdefault(relative, _Row(digest, b""))
        row.digest, row.updated, row.content_hash = digest, "", ""

    def content_hash(self, relative: str, updated: str) -> str | None:
        """The article's content hash as last computed with this ``updated`` date, or None."""
        row = self.rows.get(relative)
        return row.content_hash if row is not None and row.updated == updated and \
            row.content_hash else None

    def remember_hash(self, relative: str, updated: str, content_hash: str) -> None:
        row = self.rows[relative]
        if (row.updated, row.content_hash) != (updated, content_hash):
            row.updated, row.content_hash = updated, content_hash
            self.touched.add(relative)

    def save(self, create: bool = False) -> None:
        """Write new rows and drop rows of files that are gone (best effort); the folder is made
        only with ``create`` (a failed build leaves no index folder behind)."""
        gone = [path for path in self.rows if path not in self.seen]
        touched = [path for path in self.touched if path not in self.fresh and path in self.seen]
        if self.path is None or not (self.fresh or gone or touched):
            return
        if not create and not self.path.parent.is_dir():
            return
        rows = self.rows
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path) as db:
                db.execute("DROP TABLE IF EXISTS files")  # format 1
                db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (path TEXT PRIMARY KEY, digest TEXT, "
                           "data BLOB, stat TEXT, checked INTEGER, updated TEXT, chash TEXT)")
                fresh = [(path, digest, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
                         for path, (digest, value) in self.fresh.items()]
                db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [(path, digest, blob, rows[path].stat, rows[path].checked,
                                 rows[path].updated, rows[path].content_hash)
                                for path, digest, blob in fresh])
                db.executemany(f"UPDATE {TABLE} SET stat = ?, checked = ?, updated = ?, chash = ? "
                               "WHERE path = ?", [(rows[p].stat, rows[p].checked, rows[p].updated,
                                                   rows[p].content_hash, p) for p in touched])
                db.executemany(f"DELETE FROM {TABLE} WHERE path = ?", [(path,) for path in gone])
            db.close()
        except (sqlite3.Error, OSError) as exc:
            log.info("cannot save article cache %s: %s", self.path, exc)
            return
        for path, digest, blob in fresh:
            rows[path].digest, rows[path].blob = digest, blob
        for path in gone:
            rows.pop(path, None)
        self.fresh.clear()
        self.touched.clear()


def now_ns() -> int:
    """The clock :meth:`FileCache.hashed` compares file times with."""
    return time.time_ns()
