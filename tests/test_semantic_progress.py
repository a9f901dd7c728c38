"""Progress of the embedding stage: a bar with its ETA on a terminal, one line in logs and CI."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from kb import load_knowledge_base
from kb.progress import Stage
from search.indexer import build_index
from search.semantic import embeddings
from search.semantic.dense import Settings
from tests.semantic_support import require_extra


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_stage_is_a_bar_on_a_terminal_and_one_line_in_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with Stage("embed", 300, True, "token", note="2 texts") as stage:
        stage.advance(100)
        stage.advance(200)
    shown = terminal.getvalue()
    assert shown.startswith("\rembed:") and "/300 [00:00<" in shown  # elapsed<remaining: the ETA
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    with Stage("embed", 300, True, "token", note="2 texts") as stage:
        stage.advance(300)
    assert log.getvalue().startswith("embed: 300 tokens in ") and log.getvalue().endswith(
        "s (2 texts)\n")
    quiet = io.StringIO()
    monkeypatch.setattr(sys, "stderr", quiet)
    with Stage("embed", 300, False, "token") as stage:
        stage.advance(300)
    assert quiet.getvalue() == ""


def test_a_build_reports_the_embedding_stage(articles_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    require_extra()
    monkeypatch.setattr(embeddings, "MIN_ITEMS", 1)  # the fixture KB is small
    monkeypatch.setattr(embeddings.Encoder, "remembered", lambda self, text: None)
    build_index(load_knowledge_base(articles_dir), tmp_path / "index", semantic=Settings("on"),
                progress=True)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("embed:")]
    assert len(lines) == 1 and lines[0].endswith(" texts)") and " tokens in " in lines[0]
