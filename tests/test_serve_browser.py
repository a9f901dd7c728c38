"""The writer's preview in a real browser: the open page reloads itself after a save, shows a failed
build's errors (accessibly, within the CSP) and shows the fixed article again."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser_support import axe_violations, browser  # noqa: F401  (fixture)
from tests.preview_support import WAIT_SECONDS, running_preview

pytestmark = pytest.mark.browser
WAIT_MS = WAIT_SECONDS * 1000


def test_the_open_page_follows_the_saves(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    with running_preview(tmp_path) as preview:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        problems: list[str] = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(preview.url + "/articles/billing/refund-policy")
        heading = page.locator("h1")
        expect(heading).to_have_text("How do I get a refund?")
        page.evaluate("window.notReloaded = true")

        preview.edit("billing/refund-policy.md", "title: How do I get a refund?", "title: Refunds, step by step")
        expect(heading).to_have_text("Refunds, step by step", timeout=WAIT_MS)  # nobody pressed F5
        assert page.evaluate("window.notReloaded === undefined")

        preview.edit("billing/refund-policy.md", "level: 0", "level: L1")
        banner = page.get_by_role("complementary", name="Build failed: 1 error. This page shows the "
                                                         "last good version.")
        expect(banner).to_be_visible(timeout=WAIT_MS)
        expect(banner).to_contain_text("refund-policy.md:4")
        expect(heading).to_have_text("Refunds, step by step")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Hide").click()
        expect(banner).to_be_hidden()

        preview.edit("billing/refund-policy.md", "level: L1", "level: 1")
        expect(page.locator(".kb-preview--failed")).to_have_count(0, timeout=WAIT_MS)
        expect(page.locator(".kb-preview--warnings")).to_contain_text("price-rise.md:8 warning: review_by")
        assert problems == []
        context.close()
