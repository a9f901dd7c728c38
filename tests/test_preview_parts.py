"""The pieces of the writer's preview in one process: the app's preview mode (and its absence in
production apps), the debounced rebuilder and which saved files count."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from commands.watch import Rebuilder, counts
from tests.conftest import make_app
from web.preview import PreviewState

PROBLEM = {"path": "articles/billing/refunds.md", "line": 3, "field": "level", "severity": "error",
           "message": "must be 0, 1 or 2 (got '<script>alert(1)</script>')", "hint": "0 = information"}


def test_production_apps_have_no_preview(index_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_PREVIEW", "1")  # not a setting: only create_app({"PREVIEW": state}) has it
    client = make_app(index_dir, tmp_path / "instance").test_client()
    assert client.get("/_preview/events").status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert "preview.js" not in page and "kb-preview" not in page


def test_pages_carry_the_script_and_the_failed_builds_problems(index_dir: Path, tmp_path: Path) -> None:
    state = PreviewState()
    client = make_app(index_dir, tmp_path / "instance", PREVIEW=state).test_client()
    page = client.get("/").get_data(as_text=True)
    assert f'src="/static/preview.js" data-events="/_preview/events" data-token="{state.token}"' in page
    assert '<link rel="stylesheet" href="/static/preview.css">\n</head>' in page
    assert "kb-preview--" not in page  # nothing to report yet
    state.publish(False, [PROBLEM])
    response = client.get("/articles/billing/refund-policy")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "<code>articles/billing/refunds.md:3</code> error: <strong>level</strong>: " in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert page.index("kb-preview--failed") < page.index('class="skip-link"')  # first in the page
    assert "How do I get a refund?" in page
    agent = client.get("/agent/login").get_data(as_text=True)
    assert "refunds.md:3" in agent and "preview.js" in agent  # the console too
    assert "kb-preview" not in client.get("/api/v1/search?q=refund").get_data(as_text=True)


def test_warnings_alone_are_folded_away(index_dir: Path, tmp_path: Path) -> None:
    state = PreviewState()
    state.publish(True, [{**PROBLEM, "severity": "warning"}], "v2")
    page = make_app(index_dir, tmp_path / "instance", PREVIEW=state).test_client().get("/")
    text = page.get_data(as_text=True)
    assert "kb-preview--warnings" in text and "<summary" in text and "Built with 1 warning" in text


def test_the_event_stream_ends_when_the_preview_closes(index_dir: Path, tmp_path: Path) -> None:
    state = PreviewState()
    client = make_app(index_dir, tmp_path / "instance", PREVIEW=state).test_client()
    response = client.get(f"/_preview/events?since={state.token}", buffered=False)
    chunks = iter(response.response)
    assert next(chunks) in ("retry: 1000\n\n", b"retry: 1000\n\n")
    threading.Timer(0.2, state.publish, (True, [], "v9")).start()
    event = next(chunks)
    event = event.decode() if isinstance(event, bytes) else event
    assert event.startswith("event: reload\ndata: ") and '"version": "v9"' in event
    state.close()
    assert list(chunks) == []
    response.close()


def _builds(calls: list[float], seconds: float = 0.0) -> Any:
    def build() -> None:
        calls.append(time.monotonic())
        time.sleep(seconds)
    return build


def test_a_burst_of_saves_makes_one_build() -> None:
    calls: list[float] = []
    rebuilder = Rebuilder(_builds(calls), debounce=0.3)
    rebuilder.start()
    try:
        for _ in range(10):
            rebuilder.changed()
            time.sleep(0.02)
        deadline = time.monotonic() + 30
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.6)
        assert len(calls) == 1
    finally:
        rebuilder.stop()
    assert not rebuilder._thread.is_alive()


def test_a_save_during_a_build_makes_another() -> None:
    calls: list[float] = []
    rebuilder = Rebuilder(_builds(calls, seconds=0.5), debounce=0.05)
    rebuilder.start()
    try:
        rebuilder.changed()
        deadline = time.monotonic() + 30
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        rebuilder.changed()  # while the first build runs
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(calls) == 2
    finally:
        rebuilder.stop()


@pytest.mark.parametrize(("name", "expected"), [
    ("billing/refunds.md", True), ("_routing.yml", True), ("_synonyms.yml", True),
    ("_queries.yml", True), ("_owners", True), ("_media/router.png", True), ("billing", True),
    ("billing/.refunds.md.swp", False), ("billing/refunds.md~", False), ("billing/4913", False),
    (".git/index", False), ("billing/#refunds.md#", False), ("index/CURRENT", False),
])
def test_which_saves_count(tmp_path: Path, name: str, expected: bool) -> None:
    assert counts(str(tmp_path / name), tmp_path, exclude=(tmp_path / "index",)) is expected
    assert counts(str(tmp_path.parent / "elsewhere.md"), tmp_path) is False


def test_a_missing_articles_folder_is_an_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from commands import main  # noqa: PLC0415
    assert main(["serve", "--articles", str(tmp_path / "nowhere"), "--port", "0"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"Error: articles folder {tmp_path / 'nowhere'} does not exist",
                   "Hint: run from the repository or pass --articles DIR"]
