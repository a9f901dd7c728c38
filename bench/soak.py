"""Soak on real servers: failures, open files and memory of each WSGI server across index rebuilds.

    python bench/soak.py [--servers flask gunicorn-sync gunicorn-gthread waitress] [--clients 8]
                         [--rebuilds 20] [--requests-per-rebuild 150] [--generate N]
                         [--semantic auto|on|off] [--port P] [--short]

The demo ``articles/`` (or ``--generate N`` articles of the shared scale corpus) are copied to a
temporary folder and built with ``build.py``. Each server in turn is started on that index (the
``KB_INDEX_DIR`` setting) on a free 127.0.0.1 port: ``flask --app web run --with-threads``,
gunicorn with sync workers, gunicorn with gthread workers (4 threads each) and waitress.
``--clients`` threads send API searches (plain, misspelt, filtered and with no result) and article
pages while another thread edits one article and runs ``build.py`` again after every
``--requests-per-rebuild`` requests, ``--rebuilds`` times, so the server keeps moving to new
index versions. The response cache is off, so every search reaches a searcher.

The server's processes (gunicorn: arbiter and workers together) are measured with psutil after a
warm-up of four rebuilds and again at the end. Open files (``num_fds``) are read once the clients
have stopped. RSS is sampled twice a second under load: within one rebuild cycle it swings by
about the size of one index version (the new version is loaded before the old one is retired), so a
single reading lands anywhere in that swing. "Before" is the median of the samples of the last
10 s of the warm-up and "after" the median of the last 10 s of the run, both spanning several
cycles under the same load; the peak is printed too. A server passes with no failed request
(non-2xx or connection error, warm-up included), at most +50 open files and at most +30 MB of RSS. Exit status 1 when any server fails. ``--short`` runs the threaded Flask server only,
5 rebuilds and fewer requests (``tests/test_soak_servers.py`` runs it). Every server started is
stopped, also on Ctrl-C or an error.

``bench/soak_engine.py`` is the same kind of soak inside one process, without a server.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from bench.servers import COMMANDS, Server, Usage, free_port, get  # noqa: E402
from kb import load_knowledge_base  # noqa: E402

DEMO_KB = ROOT / "articles"
MAX_FAILURES = 0
MAX_OPEN_FILES_GROWTH = 50
MAX_RSS_GROWTH = 30 * 1000 * 1000  # bytes (30 MB)
WARMUP_REBUILDS = 4
#: seconds of RSS samples whose median is the before and after reading
RSS_WINDOW = 10.0
RSS_SAMPLE_EVERY = 0.5
ERRORS_KEPT = 5
BUILT_RE = re.compile(r"^Built (\S+):", re.MULTILINE)
#: API searches: plain, misspelt, filtered, and some that find nothing.
SEARCHES = ("q=refund", "q=reset+password", "q=wifi+keeps+dropping", "q=why+did+my+bill+go+up",
            "q=refnud", "q=paswrod+reset", "q=wifi+droping", "q=invocie+pdf",
            "q=refund&type=billing", "q=router&product=broadband&level=0", "q=reembolso&lang=es",
            "q=payment&tags=refunds", "q=password&type=technical&limit=5",
            "q=xylophone+quasar+zeppelin", "q=qqqzzzxxx&type=billing")


class Workspace:
    """A writable copy of a knowledge base and its index; one article changes before each build."""

    def __init__(self, root: Path, generate: int = 0) -> None:
        self.root, self.articles, self.index = root, root / "articles", root / "index"
        if generate:
            from bench.evalsets import write_scale_articles  # noqa: PLC0415  (shared corpus, on demand)
            write_scale_articles(generate, self.articles)
        else:
            shutil.copytree(DEMO_KB, self.articles)
        self.edited = sorted(self.articles.rglob("*.md"))[0]
        self.original = self.edited.read_text(encoding="utf-8")
        self.builds = 0

    def build(self) -> str:
        """Edit the article and run ``build.py`` (in this process); the published version."""
        self.edited.write_text(self.original + f"\nSoak build {self.builds}.\n", encoding="utf-8")
        self.builds += 1
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = build.main(["--articles", str(self.articles), "--index", str(self.index), "-q"])
        found = BUILT_RE.search(out.getvalue())
        if code != 0 or not found:
            raise RuntimeError(f"build.py failed ({code}): {out.getvalue()[-2000:]}")
        return found.group(1)

    def paths(self) -> list[str]:
        """The request mix: an article page after every three API searches."""
        public = [a.slug for a in load_knowledge_base(self.articles).published if not a.is_internal]
        pages = len(SEARCHES) // 3
        slugs = public[:: max(1, len(public) // pages)]
        mix = []
        for number, query in enumerate(SEARCHES):
            mix.append(f"/api/v1/search?{query}")
            if number % 3 == 2:
                mix.append(f"/articles/{slugs[number // 3 % len(slugs)]}")
        return mix


@dataclass
class Tally:
    """What the clients saw: request count, failures and the first few error bodies."""

    requests: int = 0
    failures: int = 0
    errors: list[str] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, path: str, status: int, body: bytes, error: str = "") -> None:
        version = None
        if status == 200 and path.startswith("/api/v1/search"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                version = json.loads(body)["version"]
        with self.lock:
            self.requests += 1
            if version:
                self.versions.add(version)
            if error or not 200 <= status < 300:
                self.failures += 1
                if len(self.errors) < ERRORS_KEPT:
                    shown = error or body[:300].decode("utf-8", errors="replace")
                    self.errors.append(f"{path}: {status or 'no answer'} {shown}")


def client(port: int, paths: list[str], offset: int, stop: threading.Event, tally: Tally) -> None:
    number = offset
    while not stop.is_set():
        path = paths[number % len(paths)]
        number += 1
        try:
            status, body = get(port, path)
            tally.record(path, status, body)
        except Exception as exc:  # noqa: BLE001  (every failure is counted, never raised)
            tally.record(path, 0, b"", f"{type(exc).__name__}: {exc}")


def rebuilder(workspace: Workspace, rebuilds: int, every: int, tally: Tally, stop: threading.Event,
              problems: list[str]) -> None:
    """``rebuilds`` builds, one after every ``every`` requests, then ``every`` requests more."""
    try:
        for number in range(rebuilds + 1):
            target = tally.requests + every
            while tally.requests < target and not stop.is_set():
                time.sleep(0.02)
            if stop.is_set() or number == rebuilds:
                return
            workspace.build()
    except Exception as exc:  # noqa: BLE001  (reported by drive())
        problems.append(f"rebuild failed: {exc}")


def drive(port: int, workspace: Workspace, paths: list[str], clients: int, rebuilds: int,
          every: int, tally: Tally) -> None:
    """Client threads against the server while ``rebuilds`` versions are published."""
    stop, problems = threading.Event(), []
    threads = [threading.Thread(target=client, args=(port, paths, i * 7, stop, tally), daemon=True)
               for i in range(clients)]
    builder = threading.Thread(target=rebuilder, args=(workspace, rebuilds, every, tally, stop, problems),
                               daemon=True)
    for thread in [*threads, builder]:
        thread.start()
    try:
        while builder.is_alive():
            builder.join(0.2)
    finally:
        stop.set()
        for thread in [builder, *threads]:
            thread.join(60)
    if problems:
        raise RuntimeError(problems[0])


@dataclass
class Result:
    kind: str
    command: str = ""
    tally: Tally = field(default_factory=Tally)
    rebuilds: int = 0
    seconds: float = 0.0
    before: Usage | None = None
    after: Usage | None = None
    error: str = ""
    #: (seconds, RSS bytes) sampled under load during the warm-up and the measured run
    warmup_trace: list[tuple[float, int]] = field(default_factory=list)
    trace: list[tuple[float, int]] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = [self.error] if self.error else []
        if self.tally.failures > MAX_FAILURES:
            found.append(f"{self.tally.failures} failed requests (allowed {MAX_FAILURES})")
        if self.before and self.after:
            if self.after.open_files - self.before.open_files > MAX_OPEN_FILES_GROWTH:
                found.append(f"open files grew by {self.after.open_files - self.before.open_files} "
                             f"(allowed +{MAX_OPEN_FILES_GROWTH})")
            if self.after.rss_bytes - self.before.rss_bytes > MAX_RSS_GROWTH:
                found.append(f"RSS grew by {mb(self.after.rss_bytes - self.before.rss_bytes)} MB "
                             f"(allowed +{mb(MAX_RSS_GROWTH)})")
        elif not self.error:
            found.append("not measured")
        return found


def mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


@contextlib.contextmanager
def sampling(server: Server, trace: list[tuple[float, int]]):
    """Append (time, RSS of the server) to ``trace`` every ``RSS_SAMPLE_EVERY`` s while the block runs."""
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(RSS_SAMPLE_EVERY):
            with contextlib.suppress(RuntimeError):
                trace.append((time.monotonic(), server.usage().rss_bytes))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def steady_rss(trace: list[tuple[float, int]], window: float = RSS_WINDOW) -> int:
    """Median RSS of the samples taken in the last ``window`` seconds of ``trace``."""
    if not trace:
        raise RuntimeError("no RSS sample was taken")
    end = trace[-1][0]
    return int(statistics.median(rss for at, rss in trace if at >= end - window))


def soak_server(kind: str, workspace: Workspace, args: argparse.Namespace, paths: list[str]) -> Result:
    """Start ``kind`` on the workspace's index, warm it up, soak it, measure before and after."""
    result = Result(kind)
    instance = workspace.root / f"instance-{kind}"
    instance.mkdir()
    env = {"KB_INDEX_DIR": str(workspace.index), "KB_INSTANCE_DIR": str(instance),
           "KB_ARTICLES_DIR": str(workspace.articles), "KB_SEMANTIC": args.semantic,
           "KB_ANALYTICS_URL": "off", "KB_RATELIMIT_SEARCH": "1000000 per second",
           "KB_SEARCH_CACHE_SIZE": "0", "KB_SECRET_KEY": "soak-secret", "FLASK_DEBUG": "0"}
    server = Server(kind, args.port or free_port(), env, workspace.root / f"{kind}.log")
    result.command = server.command
    try:
        with server:
            with sampling(server, result.warmup_trace):
                drive(server.port, workspace, paths, args.clients, WARMUP_REBUILDS,
                      args.requests_per_rebuild, result.tally)
            time.sleep(1)  # sockets of the last requests closed
            result.before = replace(server.usage(), rss_bytes=steady_rss(result.warmup_trace))
            started = time.perf_counter()
            with sampling(server, result.trace):
                drive(server.port, workspace, paths, args.clients, args.rebuilds,
                      args.requests_per_rebuild, result.tally)
            result.seconds = time.perf_counter() - started
            result.rebuilds = args.rebuilds
            time.sleep(1)
            result.after = replace(server.usage(), rss_bytes=steady_rss(result.trace))
            if server.process.poll() is not None:
                result.error = f"{kind} exited during the run: {server.log()}"
    except RuntimeError as exc:
        result.error = str(exc)
    return result


def report(result: Result) -> None:
    tally = result.tally
    print(f"{result.kind}: {result.command}")
    print(f"  requests {tally.requests}, failures {tally.failures}, "
          f"{result.rebuilds} rebuilds in {result.seconds:.1f} s, {len(tally.versions)} versions served")
    for line in tally.errors:
        print(f"    {line}")
    if result.before and result.after:
        before, after = result.before, result.after
        print(f"  open files {before.open_files} -> {after.open_files} "
              f"({after.open_files - before.open_files:+d}, limit +{MAX_OPEN_FILES_GROWTH}); "
              f"RSS (median of the last {RSS_WINDOW:.0f} s) {mb(before.rss_bytes)} -> {mb(after.rss_bytes)} MB "
              f"({(after.rss_bytes - before.rss_bytes) / 1e6:+.1f}, limit +{mb(MAX_RSS_GROWTH)}); "
              f"processes {after.processes}")
    if result.trace:
        values = [rss for _, rss in result.trace]
        marks = [values[len(values) * i // 4] for i in range(4)] + [values[-1]]
        print(f"  RSS under load (MB, at 0, 1/4, 1/2, 3/4, end of the run): "
              f"{' '.join(mb(value) for value in marks)}; peak {mb(max(values))}")
    problems = result.problems()
    print(f"  verdict: {'FAIL: ' + '; '.join(problems) if problems else 'PASS'}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", nargs="+", choices=list(COMMANDS), help="default: all")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rebuilds", type=int, help="default 20 (--short: 5)")
    parser.add_argument("--requests-per-rebuild", type=int, help="default 150 (--short: 40)")
    parser.add_argument("--generate", type=int, default=0, metavar="N",
                        help="N generated articles instead of the demo articles/")
    parser.add_argument("--semantic", choices=("auto", "on", "off"), help="default auto (--short: off)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--short", action="store_true",
                        help="threaded Flask server only, 5 rebuilds, fewer requests")
    args = parser.parse_args(argv)
    args.servers = args.servers or (["flask"] if args.short else list(COMMANDS))
    args.rebuilds = args.rebuilds if args.rebuilds is not None else (5 if args.short else 20)
    args.requests_per_rebuild = args.requests_per_rebuild or (40 if args.short else 150)
    args.semantic = args.semantic or ("off" if args.short else "auto")
    if args.clients < 1 or args.rebuilds < 1 or args.requests_per_rebuild < 1:
        parser.error("--clients, --rebuilds and --requests-per-rebuild must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop the servers as on Ctrl-C
    os.environ["KB_SEMANTIC"] = args.semantic  # the builds in this process
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    results = []
    with tempfile.TemporaryDirectory(prefix="supportkb-soak-", ignore_cleanup_errors=True) as scratch:
        workspace = Workspace(Path(scratch), args.generate)
        workspace.build()
        paths = workspace.paths()
        print(f"{len(load_knowledge_base(workspace.articles).published)} articles, "
              f"SEMANTIC={args.semantic}, {args.clients} clients, {args.rebuilds} rebuilds "
              f"(after {WARMUP_REBUILDS} warm-up rebuilds), one every {args.requests_per_rebuild} "
              "requests", flush=True)
        for kind in args.servers:
            results.append(soak_server(kind, workspace, args, paths))
            report(results[-1])
    failed = [r.kind for r in results if r.problems()]
    print(f"{len(results) - len(failed)} of {len(results)} servers passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("Interrupted: every server started was stopped.", file=sys.stderr)
        sys.exit(130)
