"""Shared real-browser fixtures: Playwright driving Debian's Chromium against a live test server.

Usage in a test module::

    from browser_support import browser, live_server, page  # noqa: F401  (pytest fixtures)

``live_server(app)`` serves any Flask app from a background thread on a free port. Without
``/usr/bin/chromium`` the browser tests are skipped, unless ``CI=true`` (then they fail).
"""
from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


class LiveServer:
    """A WSGI app served on 127.0.0.1 from a daemon thread; ``url`` has no trailing slash."""

    def __init__(self, app: Any) -> None:
        from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: PLC0415

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                """No access log lines in test output."""

        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium package to run browser tests"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module."""
    require_chromium()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; desktop size, English."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@contextlib.contextmanager
def checked_page(browser: Any) -> Iterator[Any]:
    """A fresh English desktop page that records console errors and uncaught exceptions
    (``record_problems``); the test fails at the end if the page reported any."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    record_problems(page)
    yield page
    assert page.problems == []
    context.close()


def record_problems(page: Any) -> Any:
    """``page`` with ``page.problems``: the console errors and uncaught exceptions it reports."""
    page.problems = []
    page.on("console", lambda msg: page.problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    return page


def sign_in_to_console(page: Any, url: str, token: str) -> None:
    """Open ``url/agent``, type ``token`` by keyboard, and wait until the console's search box
    has focus (typing earlier would go nowhere)."""
    page.goto(url + "/agent")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'token'")
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    page.wait_for_selector("#console")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'q'")


def live_server(app: Any) -> LiveServer:
    return LiveServer(app)


@contextlib.contextmanager
def recording_server(index_dir: Path, instance_dir: Path) -> Iterator[LiveServer]:
    """A live app on ``index_dir`` with CSRF on and analytics events kept in memory (``.app``)."""
    from tests.conftest import EventRecorder, make_app  # noqa: PLC0415
    app = make_app(index_dir, instance_dir, WTF_CSRF_ENABLED=True)
    app.extensions["supportkb.recorder"] = EventRecorder()
    running = live_server(app)
    running.app = app  # type: ignore[attr-defined]
    try:
        yield running
    finally:
        running.stop()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


#: axe-core from npm (``npm install --prefix ~/.cache/supportkb/axe axe-core``, as .ci/run does).
AXE_CORE = Path(os.environ.get("AXE_CORE_JS") or
                Path.home() / ".cache" / "supportkb" / "axe" / "node_modules" / "axe-core" / "axe.min.js")


def axe_violations(frame: Any) -> list[str]:
    """WCAG 2 A/AA violations axe-core finds in a page or frame: ``id: target`` strings."""
    if not AXE_CORE.is_file():
        message = f"{AXE_CORE} not found: npm install --prefix ~/.cache/supportkb/axe axe-core"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    frame.evaluate(AXE_CORE.read_text(encoding="utf-8"))
    found = frame.evaluate("""async () => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}});
        return result.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
    }""")
    return list(found)
