"""A real ``python build.py serve`` on a copy of the fixture knowledge base, for the preview tests."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.conftest import FIXTURE_KB

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 120.0  # a generous bound on a busy shared machine; never asserted as a speed
WAIT_SECONDS = 60.0


class Preview:
    """The running preview: its URL, its articles folder and everything it printed."""

    def __init__(self, process: subprocess.Popen[str], articles: Path) -> None:
        self.process = process
        self.articles = articles
        self.lines: list[str] = []
        self.url = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_started(self) -> None:
        def started() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the preview exited early:\n{self.output()}")
            found = re.search(r"on (http://\S+?)/ \(Ctrl\+C", self.output())
            if found:
                self.url = found.group(1)
            return bool(found)
        wait_for(started, STARTUP_SECONDS, "the preview to start")

    def get(self, path: str) -> str:
        """The page's HTML (error pages too)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.read().decode("utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.articles / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def stop(self) -> int:
        """Ctrl+C; the exit code once it has stopped."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._reader.join(timeout=5)
            if self.process.stdout is not None:
                self.process.stdout.close()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@contextlib.contextmanager
def running_preview(tmp_path: Path) -> Iterator[Preview]:
    """``python build.py serve --port 0`` on a fresh copy of the fixture KB; stopped with Ctrl+C
    after the test, which also checks that it stopped cleanly (exit code 0, nothing left)."""
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    env = {**os.environ, "KB_SEMANTIC": "off", "KB_INSTANCE_DIR": str(tmp_path / "instance"),
           "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "build.py", "serve", "--port", "0", "--quiet", "--debounce", "0.1",
               "--articles", str(articles), "--index", str(tmp_path / "index")]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    preview = Preview(process, articles)
    try:
        preview.wait_started()
        yield preview
    finally:
        code = preview.stop()
    assert code == 0, preview.output()
    assert "Stopping the preview" in preview.output()
