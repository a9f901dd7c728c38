"""Resource safety: descriptors return to their baseline over queries and index swaps.

Index descriptors are one per Whoosh segment of the versions being served, and incremental builds
add segments until Whoosh merges them, so the index's count is checked by version (only the served
version may be open once no request pins an older one), everything else against the baseline.

A bounded run of ``bench/soak_engine.py`` (the bench prints the long-run figures, memory
included). Only descriptor and mapping counts are asserted: never time, never memory (too noisy to
pin).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.soak_engine import Figures, soak

TOLERANCE = 2  # e.g. a log file or an import opened lazily during the run


@pytest.fixture(scope="module", params=["off", "auto"])
def figures(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Figures:
    return soak(tmp_path_factory.mktemp("soak"), queries=300, swaps=5, semantic=request.param)


@pytest.mark.slow
def test_descriptors_return_to_baseline(figures: Figures) -> None:
    assert figures.versions_seen >= 6  # the engine really moved through the swaps
    assert figures.other_fds_after <= figures.other_fds_before + TOLERANCE, figures
    assert figures.old_version_fds_after == 0, figures  # only the served version
    assert figures.deleted_after == 0, figures


@pytest.mark.slow
def test_removed_versions_are_not_kept_mapped(figures: Figures) -> None:
    assert figures.mapped_deleted_after == 0, figures


def test_the_soak_sees_a_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The measurement itself: an engine that kept every old version open is caught."""
    from search.snapshot import SnapshotHolder  # noqa: PLC0415

    hoarded: list[Any] = []

    def hoard(self: SnapshotHolder, snapshot: Any) -> None:
        hoarded.append(snapshot)  # never closed, never released

    monkeypatch.setattr(SnapshotHolder, "_dispose", hoard)
    leaky = soak(tmp_path, queries=60, swaps=4, semantic="off")
    assert leaky.fds_after >= leaky.fds_before + 4
    assert leaky.old_version_fds_after >= 4
