"""The embedding cache: vectors by (model, exact text) kept beside the index between builds.

``INDEX_DIR/.embeddings-cache.sqlite`` maps the hash of each text the build embedded to its
vector, for one model only: the file records the model key (model id, model and tokenizer
checksums, token limit) and is emptied when a build uses another model, so vectors are never
shared across models. A build looks up the texts of new and changed articles and embeds only
the texts it does not find, so a one-line edit re-embeds that line and the whole-article text,
and a full rebuild (``--full``, a lost index version) re-embeds nothing that is already known.

The cache is an optimisation and never fails a build: a damaged file is deleted and started
again (a warning says so), and any later database error turns the cache off for that build.
Texts no longer in use are dropped once they pass a quarter of the texts in use (at most
``GARBAGE_FLOOR`` more), which bounds the file to about 1.25x what the index holds.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE = ".embeddings-cache.sqlite"
#: Unused texts always tolerated before a clean-up (a small KB is never swept on every build).
GARBAGE_FLOOR = 1000
#: Hashes per SELECT (SQLite's default limit on bound parameters is 32,766).
LOOKUP_BATCH = 900
_SCHEMA = ("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
           "CREATE TABLE IF NOT EXISTS vectors (hash BLOB PRIMARY KEY, vector BLOB NOT NULL)"
           " WITHOUT ROWID;")


def text_hash(text: str) -> bytes:
    """The key of one embedded text: 16 bytes of BLAKE2b over its exact UTF-8 form."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def model_key(model_id: str, model_sha256: str, tokenizer: str, max_tokens: int) -> str:
    """Everything that decides a text's vector besides the text itself."""
    tokenizer_sha = hashlib.sha256(tokenizer.encode("utf-8")).hexdigest()
    return f"{model_id}|{model_sha256}|{tokenizer_sha}|{max_tokens}"


class EmbeddingCache:
    """One build's handle on the cache file; every method is safe to call when it is off.

    ``readonly``: only look vectors up (another index's cache: ``build.py --check``'s scratch
    index reads the served one's); nothing is written, and a file that cannot be read, or was
    made by another model, leaves the cache off."""

    def __init__(self, path: Path, key: str, dim: int, readonly: bool = False) -> None:
        self.path, self.key, self.dim, self.readonly = path, key, dim, readonly
        self.db: sqlite3.Connection | None = None
        if readonly:
            self.db = self._open_readonly()
            return
        try:
            self.db = self._open()
        except sqlite3.Error as exc:
            log.warning("embedding cache %s unreadable (%s): starting a new one", path, exc)
            self._discard()
            try:
                self.db = self._open()
            except sqlite3.Error as again:
                log.warning("embedding cache off for this build: %s", again)
                self._discard()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
            if row is None or row[0] != self.key:
                if row is not None:
                    log.info("embedding cache made by another model: emptied")
                db.execute("BEGIN")
                db.execute("DELETE FROM vectors")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('model', ?)", (self.key,))
                db.execute("COMMIT")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _open_readonly(self) -> sqlite3.Connection | None:
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            return None  # no cache there (yet)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'model'").fetchone()
            if row is not None and row[0] == self.key:
                return db
        except sqlite3.Error as exc:
            log.info("embedding cache %s not read: %s", self.path, exc)
        db.close()
        return None

    def _discard(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            except OSError as exc:  # a read-only index folder: run without the cache
                log.warning("cannot remove the embedding cache %s: %s", self.path, exc)

    def _failed(self, exc: Exception) -> None:
        if self.readonly:  # not ours to remove
            log.info("embedding cache %s not read: %s", self.path, exc)
            self.close()
            return
        log.warning("embedding cache %s damaged (%s): removed, the next build starts a new one",
                    self.path, exc)
        self._discard()

    def get(self, hashes: list[bytes]) -> dict[bytes, Any]:
        """The cached vectors among ``hashes`` (missing or damaged ones are absent: every vector
        the model makes has unit length, so a row that has not is not trusted)."""
        import numpy as np
        found: dict[bytes, Any] = {}
        if self.db is None:
            return found
        try:
            for start in range(0, len(hashes), LOOKUP_BATCH):
                batch = hashes[start:start + LOOKUP_BATCH]
                marks = ",".join("?" * len(batch))
                for key, blob in self.db.execute(
                        f"SELECT hash, vector FROM vectors WHERE hash IN ({marks})", batch):
                    if not isinstance(blob, bytes) or len(blob) != 4 * self.dim:
                        continue  # a damaged row: the text is embedded again
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if np.isfinite(vector).all() and abs(float(vector @ vector) - 1.0) < 1e-3:
                        found[key] = vector
        except sqlite3.Error as exc:
            self._failed(exc)
            return {}
        return found

    def put(self, items: Iterable[tuple[bytes, Any]]) -> None:
        """Remember freshly embedded vectors."""
        if self.db is None or self.readonly:
            return
        import numpy as np
        try:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                ((key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items))
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._failed(exc)

    def collect(self, in_use: set[bytes]) -> int:
        """Drop texts no longer in use once they are too many; the number dropped."""
        if self.db is None or self.readonly:
            return 0
        try:
            (held,) = self.db.execute("SELECT COUNT(*) FROM vectors").fetchone()
            if held - len(in_use) <= max(GARBAGE_FLOOR, len(in_use) // 4):
                return 0
            self.db.execute("BEGIN")
            self.db.execute("CREATE TEMP TABLE keep (hash BLOB PRIMARY KEY) WITHOUT ROWID")
            self.db.executemany("INSERT INTO keep VALUES (?)", ((h,) for h in in_use))
            dropped = self.db.execute(
                "DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM keep)").rowcount
            self.db.execute("DROP TABLE keep")
            self.db.execute("COMMIT")
            self.db.execute("VACUUM")
        except sqlite3.Error as exc:
            self._failed(exc)
            return 0
        log.info("embedding cache: %d unused texts dropped", dropped)
        return dropped

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
