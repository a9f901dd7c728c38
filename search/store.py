"""Index versions on disk: build aside, publish by one atomic rename, keep a few old ones.

Layout of ``INDEX_DIR``::

    CURRENT             name of the served version (replaced atomically)
    versions/<name>/    whoosh/ (the Whoosh index), meta.json, vocab.json
    .build.lock         held while a build runs
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any, Iterator

POINTER = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 3


class BuildLocked(RuntimeError):
    """Another build is running on the same index folder."""


def current_version(index_dir: Path) -> str | None:
    """Name of the served version, or None when nothing was built yet."""
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (index_dir / VERSIONS / name).is_dir() else None


def pointer_stamp(index_dir: Path) -> tuple[int, int] | None:
    """A cheap fingerprint of the pointer file that changes whenever a version is published."""
    try:
        stat = os.stat(index_dir / POINTER)
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def version_dir(index_dir: Path, name: str) -> Path:
    return index_dir / VERSIONS / name


def new_version_name() -> str:
    """A name that sorts by build time (to the microsecond: builds within one second stay ordered)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f") + "-" + secrets.token_hex(3)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json(path: Path, data: Any) -> None:
    """Write and fsync, so a published version is complete on disk."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())


def publish(index_dir: Path, name: str) -> None:
    """Point ``CURRENT`` at ``name`` with one atomic rename; then drop old versions."""
    temporary = index_dir / f".{POINTER}.{name}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, index_dir / POINTER)
    remove_old_versions(index_dir, keep=name)


def remove_old_versions(index_dir: Path, keep: str) -> None:
    """Keep the newest few versions (running servers may still read the previous ones)."""
    versions = sorted((p for p in (index_dir / VERSIONS).iterdir() if p.is_dir()),
                      key=lambda p: p.name, reverse=True)
    for path in [p for p in versions if p.name != keep][KEEP_VERSIONS - 1:]:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the build lock; a second concurrent build fails at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLocked(f"another build is running on {index_dir}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
