"""The encoder: unit vectors, meaning over words, telemetry off, missing or damaged model files."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from search.semantic.encoder import Unavailable, get_encoder, locate
from tests.semantic_support import require_extra

ROOT = Path(__file__).resolve().parent.parent


def test_vectors_are_unit_length_and_follow_meaning() -> None:
    require_extra()
    encoder = get_encoder()
    vectors = encoder.encode(["my card hasn't shown up", "card delivery times", "reset your password"])
    assert vectors.shape == (3, 384)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    assert (encoder.encode_query("card delivery times") == vectors[1]).all()


def test_telemetry_off_nothing_written_under_home(tmp_path: Path) -> None:
    """Importing and running the encoder writes nothing under HOME or the cache folder."""
    require_extra()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), PYTHONPATH=str(ROOT))
    script = ("from search.semantic.encoder import get_encoder\n"
              "print(get_encoder().encode(['hello world']).shape)\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384)"
    assert [str(p.relative_to(home)) for p in home.rglob("*")] == []


def test_missing_model_files(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="missing|not installed"):
        get_encoder(str(tmp_path / "nowhere"))


def test_damaged_model_file(tmp_path: Path) -> None:
    require_extra()
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"not an onnx model" * 100)
    (folder / "tokenizer.json").write_bytes(locate().tokenizer.read_bytes())
    with pytest.raises(Unavailable, match="cannot load the model"):
        get_encoder(str(folder))
    with pytest.raises(Unavailable, match="cannot load the model"):  # remembered, not retried
        get_encoder(str(folder))
