"""``python build.py serve``: the writer's preview rebuilds on save, shows build errors in the page
while the last good version stays served, and tells open pages to reload."""
from __future__ import annotations

import http.client
import json
import re
import time
import urllib.parse
from pathlib import Path

from tests.preview_support import WAIT_SECONDS, running_preview, wait_for

ARTICLE = "/articles/billing/refund-policy"
OLD_TITLE = "How do I get a refund?"


def test_a_saved_title_is_served_after_the_rebuild(tmp_path: Path) -> None:
    with running_preview(tmp_path) as preview:
        assert OLD_TITLE in preview.get(ARTICLE)
        preview.edit("billing/refund-policy.md", f"title: {OLD_TITLE}", "title: Getting your money back")
        wait_for(lambda: "Getting your money back" in preview.get(ARTICLE), WAIT_SECONDS,
                 "the new title")
        page = preview.get(ARTICLE)
        assert OLD_TITLE not in page
        assert 'src="/static/preview.js"' in page
        wait_for(lambda: "Built " in preview.output() and "1 changed" in preview.output(), WAIT_SECONDS,
                 "the build's line")  # read from the pipe by a thread: may lag the page a moment


def test_a_broken_article_shows_its_error_and_the_last_good_version_stays(tmp_path: Path) -> None:
    with running_preview(tmp_path) as preview:
        assert "kb-preview--failed" not in preview.get(ARTICLE)
        # One save: a new title and an invalid level; the build fails, nothing is published.
        preview.edit("billing/refund-policy.md", f"title: {OLD_TITLE}\ntype: billing\nlevel: 0",
                     "title: A title that must not appear\ntype: billing\nlevel: L1")
        wait_for(lambda: "kb-preview--failed" in preview.get(ARTICLE), WAIT_SECONDS, "the error banner")
        page = preview.get(ARTICLE)
        assert re.search(r"<code>[^<]*billing/refund-policy\.md:4</code> error: <strong>level</strong>: "
                         r"must be 0, 1 or 2", page), page
        assert "Build failed: 1 error. This page shows the last good version." in page
        assert OLD_TITLE in page and "A title that must not appear" not in page
        wait_for(lambda: "nothing built" in preview.output(), WAIT_SECONDS, "the failed build's line")
        # Every page shows it, the home page and the search results too; the old article is found.
        assert "refund-policy.md:4" in preview.get("/search?q=refund")
        assert OLD_TITLE in preview.get("/search?q=refund")
        # Fixed: the banner goes and the new content is served.
        preview.edit("billing/refund-policy.md", "level: L1", "level: 0")
        wait_for(lambda: "A title that must not appear" in preview.get(ARTICLE), WAIT_SECONDS,
                 "the fixed article")
        assert "kb-preview--failed" not in preview.get(ARTICLE)


def _events(url: str, token: str) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WAIT_SECONDS)
    connection.request("GET", "/_preview/events?since=" + urllib.parse.quote(token))
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    return response


def _next_event(response: http.client.HTTPResponse) -> tuple[str, str]:
    """The next ``event:`` name and its ``data:`` (comments and retry lines skipped)."""
    name, data = "", ""
    deadline = time.monotonic() + WAIT_SECONDS  # keep-alive comments reset the socket's timeout
    while True:
        assert time.monotonic() < deadline, "no event in time"
        line = response.readline().decode("utf-8").rstrip("\n")
        if line.startswith("event: "):
            name = line[len("event: "):]
        elif line.startswith("data: "):
            data = line[len("data: "):]
        elif line == "" and name:
            return name, data


def test_the_event_stream_says_reload_after_each_build(tmp_path: Path) -> None:
    with running_preview(tmp_path) as preview:
        token = re.search(r'data-token="([^"]+)"', preview.get("/")).group(1)
        stale = _events(preview.url, "a-page-from-an-older-build")
        assert _next_event(stale)[0] == "reload"  # at once: that page missed a build
        stale.close()
        stream = _events(preview.url, token)
        assert stream.readline() == b"retry: 1000\n"
        preview.edit("technical/wifi-dropping.md", "title: ", "title: Still ")
        name, data = _next_event(stream)
        assert name == "reload"
        first = json.loads(data)
        assert first["ok"] is True and first["errors"] == 0 and first["token"] != token
        assert first["version"]
        # the terminal line may follow the event by a moment (printed after the publish)
        wait_for(lambda: first["version"] in preview.output(), WAIT_SECONDS, "the build's line")
        preview.edit("technical/wifi-dropping.md", "level: ", "level: x")
        name, data = _next_event(stream)
        assert name == "reload"
        second = json.loads(data)
        assert second["ok"] is False and second["errors"] == 1 and second["version"] == first["version"]
        stream.close()
