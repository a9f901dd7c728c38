"""The encoder: unit vectors, meaning over words, telemetry off, missing or damaged model files."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from search.semantic import quantize
from search.semantic.encoder import Encoder, Unavailable, build_encoder
from search.semantic.model import Model, locate, prepare, read_files
from tests.semantic_support import require_extra

ROOT = Path(__file__).resolve().parent.parent


def test_vectors_are_unit_length_and_follow_meaning() -> None:
    require_extra()
    encoder = build_encoder()
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
    script = ("from search.semantic.encoder import build_encoder\n"
              "print(build_encoder().encode(['hello world']).shape)\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 384)"
    assert [str(p.relative_to(home)) for p in home.rglob("*")] == []


def test_missing_model_files(tmp_path: Path) -> None:
    with pytest.raises(Unavailable, match="missing|not installed"):
        build_encoder(str(tmp_path / "nowhere"))


def test_damaged_model_file(tmp_path: Path) -> None:
    require_extra()
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"not an onnx model" * 100)
    (folder / "tokenizer.json").write_bytes(locate().tokenizer.read_bytes())
    with pytest.raises(Unavailable, match="cannot load the model"):
        build_encoder(str(folder))
    with pytest.raises(Unavailable, match="cannot load the model"):  # remembered, not retried
        build_encoder(str(folder))


def test_quantized_model_stays_close_to_the_source() -> None:
    """The int8 model the index stores is a faithful copy of the shipped one."""
    require_extra()
    source = Encoder(Model(*read_files(locate()), "source", "", 0))
    quantized = build_encoder()
    assert quantized.model.quantized == quantize.RECIPE
    texts = ["my card hasn't shown up", "why was I charged twice this month", "wifi keeps dropping",
             "How do I set up voicemail on my new phone?", "opening hours of the shop in town"]
    cosines = (source.encode(texts) * quantized.encode(texts)).sum(axis=1)
    assert cosines.min() > 0.97, cosines


def test_without_the_quantizer_the_shipped_model_runs_as_is(monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    require_extra()
    monkeypatch.setattr(quantize, "available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="search.semantic"):
        model = prepare(locate())
    assert model.quantized == 0 and model.onnx == locate().model.read_bytes()
    assert any("runs unquantized" in r.getMessage() for r in caplog.records)




def test_model_runs_at_once_are_bounded_whatever_the_thread_count() -> None:
    """Eight request threads, at most ``concurrency`` model runs at a time (onnxruntime's arena
    grows with every concurrent run and never shrinks)."""
    require_extra()
    import threading  # noqa: PLC0415
    import time  # noqa: PLC0415

    encoder = Encoder(build_encoder().model, threads=1, concurrency=2)
    real_run, running, most = encoder.session.run, [0], [0]
    lock = threading.Lock()

    class CountingSession:
        def run(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.01)
            try:
                return real_run(*args, **kwargs)
            finally:
                with lock:
                    running[0] -= 1

    encoder.session = CountingSession()
    threads = [threading.Thread(target=encoder._run, args=([f"query {n} {i}" for i in range(5)],))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 2
