"""Durability: a published version's files, its folders and the pointer reach the disk (fsync)
before the pointer names it, so a power cut never leaves ``CURRENT`` naming a partial version."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb import load_knowledge_base
from search.indexer import build_index
from search.store import POINTER, VERSIONS, current_version


def test_every_file_folder_and_the_pointer_are_synced_before_the_swap(
        articles_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = (tmp_path / "index").resolve()
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr("search.store.os.fsync", fsync)
    monkeypatch.setattr("search.store.os.replace", replace)
    build_index(load_knowledge_base(articles_dir), index)
    name = current_version(index)
    version = index / VERSIONS / str(name)

    swap = events.index(("replace", str(index / POINTER)))
    before = {path for kind, path in events[:swap] if kind == "fsync"}
    files = {str(p) for p in version.rglob("*")} | {str(version)}
    assert files <= before, sorted(files - before)  # every file and folder of the version
    assert str(index / VERSIONS) in before  # the rename into versions/
    assert any(Path(p).name.startswith(f".{POINTER}.") for p in before)  # the new pointer's content
    assert ("fsync", str(index)) in events[swap:]  # the pointer's rename itself
