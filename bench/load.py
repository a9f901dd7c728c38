"""Load during hot index swaps: gunicorn on 127.0.0.1 while ``build.py`` publishes new versions.

    python bench/load.py [--swaps 8] [--threads 4] [--workers 2] [--max-requests 20000] [--max-seconds 90]

A copy of the fixture knowledge base is built, served by ``gunicorn -w 2 'web:create_app()'``,
and rebuilt ``--swaps`` times by ``python build.py`` (a subprocess, as an operator runs it) while
client threads send a mix of API searches, article pages, site searches and ``/health``. Each
build puts a new marker word into one article's summary, so every response can be checked
against the version that served it. Prints requests, failures, p50/p99 latency overall and
in the second after each publish, and any inconsistent response. Bounded in requests and time.

``tests/test_hot_swap.py`` runs the same code with smaller bounds and asserts on the result.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "kb"
MARKED = "billing/refund-policy.md"
MARKER_RE = re.compile(r"swapmark[a-z]+")
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
         "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
BUILT_RE = re.compile(r"^Built (\S+):", re.MULTILINE)
#: What the clients ask, round robin: (path, what to check in the answer).
REQUESTS = (("/api/v1/search?q=refund", "search"), ("/health", "health"),
            ("/api/v1/articles/billing/refund-policy", "article"),
            ("/articles/billing/refund-policy", "page"), ("/search?q=refund", "results"),
            ("/api/v1/suggest?q=refu", "ok"), ("/api/v1/triage?q=refund", "ok"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, headers: dict[str, str] | None = None,
        timeout: float = 10) -> tuple[int, bytes, dict[str, str]]:
    """One GET on a fresh connection: status, body, headers (lower-case names)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


class Gunicorn:
    """``gunicorn -w N 'web:create_app()'`` on a free 127.0.0.1 port; always stopped on exit."""

    def __init__(self, index_dir: Path, instance_dir: Path, workers: int = 2, **settings: str) -> None:
        self.port = free_port()
        self.log_path = instance_dir / "gunicorn.log"
        instance_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, KB_INDEX_DIR=str(index_dir), KB_INSTANCE_DIR=str(instance_dir),
                   KB_ANALYTICS_URL="off", KB_RATELIMIT_SEARCH="1000000 per second",
                   KB_SECRET_KEY="load-test-secret")
        env.update({f"KB_{name}": value for name, value in settings.items()})
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--graceful-timeout", "5", "web:create_app()"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}): {self.log()}")
            try:
                if get(self.port, "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout} s: {self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM the arbiter (it stops its workers), SIGKILL the whole group if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> "Gunicorn":
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class SwappingKB:
    """A writable copy of a knowledge base whose marked article changes before every build."""

    def __init__(self, root: Path, source: Path = FIXTURE_KB) -> None:
        self.articles, self.index = root / "articles", root / "index"
        shutil.copytree(source, self.articles)
        self.original = (self.articles / MARKED).read_text(encoding="utf-8")
        self.markers: dict[str, str] = {}  # version -> marker word

    def build(self, number: int) -> str:
        """Mark the article with word ``number`` and run ``build.py``; the published version."""
        marker = "swapmark" + WORDS[number % len(WORDS)] + ("" if number < len(WORDS) else
                                                             WORDS[number // len(WORDS) % len(WORDS)])
        text = self.original.replace("\nsummary: ", f"\nsummary: Build {marker}. ", 1)
        (self.articles / MARKED).write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, "build.py", "--articles", str(self.articles),
                               "--index", str(self.index), "-q"], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)
        found = BUILT_RE.search(done.stdout)
        if done.returncode != 0 or not found:
            raise RuntimeError(f"build failed ({done.returncode}): {done.stdout}{done.stderr}")
        self.markers[found.group(1)] = marker
        return found.group(1)


@dataclass
class Sample:
    """One answered (or failed) request and what it said about the index that served it."""

    kind: str
    path: str
    started: float
    seconds: float
    status: int
    version: str | None = None
    markers: tuple[str, ...] = ()
    articles: int | None = None
    error: str = ""


@dataclass
class LoadReport:
    samples: list[Sample] = field(default_factory=list)
    published: list[tuple[float, str]] = field(default_factory=list)  # (time, version)
    markers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    final: list[str] = field(default_factory=list)  # /health versions after the last publish

    @property
    def failures(self) -> list[Sample]:
        return [s for s in self.samples if s.status != 200 or s.error]

    def problems(self) -> list[str]:
        """Failed requests and answers not from exactly one complete, published version."""
        found = [f"{s.path}: {s.status} {s.error}" for s in self.failures]
        versions, markers = set(self.markers), set(self.markers.values())
        counts = {s.articles for s in self.samples if s.articles is not None}
        if len(counts) > 1:
            found.append(f"/health article counts differ between answers: {sorted(counts)}")
        for s in self.samples:
            if s.version is not None and s.version not in versions:
                found.append(f"{s.path}: unpublished version {s.version}")
            if s.kind in ("search", "article", "page") and s.status == 200 and len(set(s.markers)) != 1:
                found.append(f"{s.path}: markers {s.markers} (want exactly one)")
            if s.kind == "results" and len(set(s.markers)) > 1:
                found.append(f"{s.path}: markers of two versions {s.markers}")
            for marker in s.markers:
                if marker not in markers:
                    found.append(f"{s.path}: unknown marker {marker}")
            if s.kind == "search" and s.version in self.markers and s.markers != (self.markers[s.version],):
                found.append(f"{s.path}: version {s.version} answered with markers {s.markers}")
        return found

    def served_versions(self) -> set[str]:
        return {s.version for s in self.samples if s.version}

    def latency(self, after_publish: float | None = None) -> dict[str, float]:
        """p50/p99 in ms of all requests, or of those started within ``after_publish`` s of a publish."""
        times = [s.seconds * 1000 for s in self.samples if after_publish is None or any(
            0 <= s.started - at <= after_publish for at, _ in self.published)]
        if not times:
            return {"n": 0, "p50": 0.0, "p99": 0.0}
        ordered = sorted(times)
        return {"n": len(ordered), "p50": statistics.median(ordered),
                "p99": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]}


def inspect(kind: str, body: bytes) -> dict[str, Any]:
    """The version, markers and article count an answer carries."""
    if kind == "health":
        index = json.loads(body)["index"]
        return {"version": index["version"], "articles": index["articles"]}
    if kind == "search":
        data = json.loads(body)
        hits = [h for h in data["results"] if h["slug"] == "billing/refund-policy"]
        return {"version": data["version"],
                "markers": tuple(m for h in hits for m in MARKER_RE.findall(h["summary"]))}
    if kind == "article":
        return {"markers": tuple(dict.fromkeys(MARKER_RE.findall(json.loads(body)["summary"])))}
    if kind in ("page", "results"):
        return {"markers": tuple(dict.fromkeys(MARKER_RE.findall(body.decode("utf-8"))))}
    json.loads(body)  # suggest and triage: well-formed JSON at least
    return {}


def client(port: int, offset: int, stop: threading.Event, budget: list[int], lock: threading.Lock,
           report: LoadReport, t0: float) -> None:
    number = offset
    while not stop.is_set():
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        path, kind = REQUESTS[number % len(REQUESTS)]
        number += 1
        started = time.perf_counter()
        try:
            status, body, _ = get(port, path)
            sample = Sample(kind, path, started - t0, time.perf_counter() - started, status)
            if status == 200:
                for name, value in inspect(kind, body).items():
                    setattr(sample, name, value)
        except Exception as exc:  # noqa: BLE001  (every failure is counted, never raised)
            sample = Sample(kind, path, started - t0, time.perf_counter() - started, 0,
                            error=f"{type(exc).__name__}: {exc}")
        with lock:
            report.samples.append(sample)


def run_load(root: Path, swaps: int, threads: int = 4, workers: int = 2, max_requests: int = 20_000,
             max_seconds: float = 90, pause: float = 0.3) -> LoadReport:
    """Serve a fresh KB from gunicorn and publish ``swaps`` new versions under client load."""
    kb = SwappingKB(root)
    report = LoadReport()
    kb.build(0)
    with Gunicorn(kb.index, root / "instance", workers=workers) as server:
        stop, lock, budget = threading.Event(), threading.Lock(), [max_requests]
        t0 = time.perf_counter()
        pool = [threading.Thread(target=client, args=(server.port, i, stop, budget, lock, report, t0),
                                 daemon=True) for i in range(threads)]
        for thread in pool:
            thread.start()
        try:
            for number in range(1, swaps + 1):
                if time.perf_counter() - t0 > max_seconds:
                    break
                time.sleep(pause)
                version = kb.build(number)
                report.published.append((time.perf_counter() - t0, version))
            time.sleep(pause)
        finally:
            stop.set()
            for thread in pool:
                thread.join(timeout=30)
        report.seconds = time.perf_counter() - t0
        report.markers = dict(kb.markers)
        report.final = [json.loads(get(server.port, "/health")[1])["index"]["version"]
                        for _ in range(4 * workers)]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swaps", type=int, default=8)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--max-seconds", type=float, default=90)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="supportkb-load-") as scratch:
        report = run_load(Path(scratch), args.swaps, args.threads, args.workers, args.max_requests,
                          args.max_seconds)
    overall, after = report.latency(), report.latency(after_publish=0.5)
    problems = report.problems()
    print(f"gunicorn -w {args.workers}, {args.threads} client threads, fixture KB, "
          f"{len(report.published)} swaps in {report.seconds:.1f} s")
    print(f"requests: {len(report.samples)}  failures: {len(report.failures)}  "
          f"inconsistent answers: {len(problems) - len(report.failures)}  "
          f"versions served: {len(report.served_versions())}/{len(report.markers)}")
    print(f"latency, all requests:          p50 {overall['p50']:.1f} ms  p99 {overall['p99']:.1f} ms")
    print(f"latency, <0.5 s after a publish: p50 {after['p50']:.1f} ms  p99 {after['p99']:.1f} ms "
          f"({after['n']} requests)")
    for line in problems[:20]:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
