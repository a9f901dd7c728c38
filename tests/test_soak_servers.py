"""The soak on a real server: ``python bench/soak.py --short`` passes, and its verdict can fail.

The short form starts ``flask --app web run --with-threads`` on a built copy of the demo articles,
sends API searches and article pages from 8 client threads while 2 + 5 new index versions are
published, and measures the server's open files and RSS (the bench prints the full figures).
Only the bench's own verdict and counts are asserted here, never times or memory figures.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.servers import Usage
from bench.soak import MAX_OPEN_FILES_GROWTH, MAX_RSS_GROWTH, Result, Tally, steady_rss

ROOT = Path(__file__).resolve().parent.parent
FIGURES_RE = re.compile(r"requests (\d+), failures (\d+), (\d+) rebuilds in [\d.]+ s, (\d+) versions served")


@pytest.mark.slow
def test_short_soak_passes_on_the_threaded_server() -> None:
    done = subprocess.run([sys.executable, "bench/soak.py", "--short"], cwd=ROOT, capture_output=True,
                          text=True, timeout=170)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    found = FIGURES_RE.search(output)
    assert found, output
    requests, failures, rebuilds, versions = map(int, found.groups())
    assert failures == 0 and rebuilds >= 5
    assert requests >= 8 * 40  # every rebuild waited for its requests
    assert versions >= rebuilds + 1  # the server really moved through the new versions
    assert re.search(r"open files \d+ -> \d+ .*RSS \(median of the last 10 s\) [\d.]+ -> [\d.]+ MB", output), output
    assert "flask: flask --app web run --with-threads" in output
    assert "verdict: PASS" in output and "1 of 1 servers passed" in output


def measured(failures: int = 0, files: int = 0, rss: int = 0) -> Result:
    result = Result("flask", tally=Tally(requests=100, failures=failures))
    result.before, result.after = Usage(1, 30, 100_000_000), Usage(1, 30 + files, 100_000_000 + rss)
    return result


def test_the_verdict_holds_the_thresholds() -> None:
    assert measured(files=MAX_OPEN_FILES_GROWTH, rss=MAX_RSS_GROWTH).problems() == []
    assert measured(failures=1).problems() == ["1 failed requests (allowed 0)"]
    assert measured(files=MAX_OPEN_FILES_GROWTH + 1).problems() == ["open files grew by 51 (allowed +50)"]
    assert measured(rss=MAX_RSS_GROWTH + 200_000).problems() == ["RSS grew by 30.2 MB (allowed +30.0)"]
    assert Result("waitress", error="waitress exited (1)").problems() == ["waitress exited (1)"]
    assert Result("waitress").problems() == ["not measured"]


def test_failures_are_counted_with_their_bodies() -> None:
    tally = Tally()
    tally.record("/api/v1/search?q=refund", 200, b'{"version": "v1", "results": []}')
    tally.record("/api/v1/search?q=refund", 500, b'{"error": {"code": "internal_error"}}')
    tally.record("/articles/a", 0, b"", "ConnectionResetError: [Errno 104] reset")
    tally.record("/articles/b", 204, b"")
    assert (tally.requests, tally.failures, tally.versions) == (4, 2, {"v1"})
    assert tally.errors == ['/api/v1/search?q=refund: 500 {"error": {"code": "internal_error"}}',
                            "/articles/a: no answer ConnectionResetError: [Errno 104] reset"]


def test_steady_rss_is_the_median_of_the_last_window_only() -> None:
    early = [(float(t), 900) for t in range(10)]  # before the window: ignored
    cycle = [(10.0 + t, rss) for t, rss in enumerate([100, 130, 100, 130, 100, 105])]
    assert steady_rss(early + cycle, window=5) == 102  # median of 100 130 100 130 100 105
    assert steady_rss(early + cycle, window=2) == 105  # 130 100 105
    with pytest.raises(RuntimeError):
        steady_rss([])
