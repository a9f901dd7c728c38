"""Parsed articles remembered between runs, keyed by each file's content: an unchanged file is
neither parsed nor re-checked on its own again (``build.py`` and ``--check`` at 10,000 articles).

The cache is one SQLite file in the index folder, one row per article file, so a run that changed
one article rewrites one row. It only saves time: an unreadable or foreign cache is ignored and
rebuilt. Cross-article checks (links resolved against the other slugs, duplicates) still run on
every article; only what depends on the file alone is reused (front matter, field checks, the
links found in the body, unbalanced internal blocks).
"""
from __future__ import annotations

import hashlib
import logging
import pickle
import sqlite3
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
CACHE_FILE = ".articles-cache.sqlite"
#: Bump when Article, Problem or what is memoised on an article changes shape.
FORMAT = "1"


def file_digest(data: bytes, display: str) -> str:
    """Key of one file's parse: its bytes and the name problems show for it."""
    digest = hashlib.sha256(data)
    digest.update(b"\0" + display.encode() + b"\0" + FORMAT.encode())
    return digest.hexdigest()


class FileCache:
    """Rows of ``(relative path, digest, pickled (article, problems))``."""

    def __init__(self, folder: Path | str | None) -> None:
        self.path = Path(folder) / CACHE_FILE if folder is not None else None
        self.rows: dict[str, tuple[str, bytes]] = {}
        self.fresh: dict[str, tuple[str, Any]] = {}
        self.seen: set[str] = set()
        if self.path is None or not self.path.exists():
            return
        try:
            with sqlite3.connect(self.path) as db:
                self.rows = {path: (digest, data) for path, digest, data
                             in db.execute("SELECT path, digest, data FROM files")}
        except sqlite3.Error as exc:
            log.info("ignoring unreadable article cache %s: %s", self.path, exc)
            self.rows = {}

    def get(self, relative: str, digest: str) -> Any | None:
        """The cached value for this file's content, or None."""
        self.seen.add(relative)
        row = self.rows.get(relative)
        if row is None or row[0] != digest:
            return None
        try:
            return pickle.loads(row[1])  # noqa: S301 (written by this program into its index folder)
        except Exception:  # noqa: BLE001  (an old or damaged row: parse the file again)
            return None

    def put(self, relative: str, digest: str, value: Any) -> None:
        """Remember ``value``; it is pickled at :meth:`save`, after validation memoised on it."""
        self.seen.add(relative)
        self.fresh[relative] = (digest, value)

    def save(self, create: bool = False) -> None:
        """Write new rows and drop rows of files that are gone (best effort); the folder is made
        only with ``create`` (a failed build leaves no index folder behind)."""
        gone = [path for path in self.rows if path not in self.seen]
        if self.path is None or not (self.fresh or gone):
            return
        if not create and not self.path.parent.is_dir():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path) as db:
                db.execute("CREATE TABLE IF NOT EXISTS files "
                           "(path TEXT PRIMARY KEY, digest TEXT, data BLOB)")
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                               [(path, digest, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
                                for path, (digest, value) in self.fresh.items()])
                db.executemany("DELETE FROM files WHERE path = ?", [(path,) for path in gone])
            db.close()
        except (sqlite3.Error, OSError) as exc:
            log.info("cannot save article cache %s: %s", self.path, exc)
            return
        for path, (digest, _value) in self.fresh.items():
            self.rows[path] = (digest, b"")
        for path in gone:
            self.rows.pop(path, None)
        self.fresh.clear()
