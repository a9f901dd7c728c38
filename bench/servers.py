"""Real WSGI servers for the benches: start one on 127.0.0.1, wait for it, measure it, stop it.

Each kind serves ``web:create_app()`` the way an operator would run it; the settings reach the
app as ``KB_*`` environment variables (``kb/settings.py``). Every server runs in its own process
group and is stopped with SIGTERM, then SIGKILL of the whole group if it lingers.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import psutil

ROOT = Path(__file__).resolve().parent.parent
APP = "web:create_app()"

#: Server kind -> command line after ``python -m`` (``{port}`` filled in).
COMMANDS: dict[str, list[str]] = {
    "flask": ["flask", "--app", "web", "run", "--with-threads", "--host", "127.0.0.1",
              "--port", "{port}"],
    "gunicorn-sync": ["gunicorn", "--worker-class", "sync", "-w", "2", "-b", "127.0.0.1:{port}",
                      "--log-level", "warning", "--graceful-timeout", "5", APP],
    "gunicorn-gthread": ["gunicorn", "--worker-class", "gthread", "-w", "2", "--threads", "4",
                         "-b", "127.0.0.1:{port}", "--log-level", "warning", "--graceful-timeout", "5",
                         APP],
    "waitress": ["waitress", "--listen=127.0.0.1:{port}", "--threads=4", "--call", "web:create_app"],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on a fresh connection: status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass(frozen=True)
class Usage:
    """Open descriptors and resident memory of a server, summed over its processes."""

    processes: int
    open_files: int
    rss_bytes: int


class Server:
    """One server process (and its workers) on ``port``; always stopped on exit."""

    def __init__(self, kind: str, port: int, env: dict[str, str], log_path: Path) -> None:
        if kind not in COMMANDS:
            raise ValueError(f"unknown server {kind!r}; use {', '.join(COMMANDS)}")
        self.kind, self.port, self.log_path = kind, port, log_path
        command = [part.format(port=port) for part in COMMANDS[kind]]
        self._log = open(log_path, "wb")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT,
                                        env=dict(os.environ, **env), stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def command(self) -> str:
        return " ".join(part.format(port=self.port) for part in COMMANDS[self.kind])

    def wait_ready(self, timeout: float = 60) -> None:
        """Until ``/health`` answers 200; RuntimeError with the server's log if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited ({self.process.returncode}): {self.log()}")
            try:
                if get(self.port, "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.kind} not ready after {timeout} s: {self.log()}")

    def usage(self) -> Usage:
        """Open files (``num_fds``) and RSS of the server process and all its descendants."""
        try:
            root = psutil.Process(self.process.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error as exc:
            raise RuntimeError(f"{self.kind} is gone ({exc}): {self.log()}") from exc
        files = rss = 0
        for process in processes:
            try:
                files += process.num_fds()
                rss += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return Usage(len(processes), files, rss)

    def log(self, limit: int = 4000) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-limit:]

    def stop(self) -> None:
        """SIGTERM the server (gunicorn's arbiter stops its workers), SIGKILL the group if it lingers."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # workers left behind, if any
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        finally:
            self._log.close()

    def __enter__(self) -> Server:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
