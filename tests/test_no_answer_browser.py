"""No good answer in a real browser: the help centre's contact-first page and the console's forward
line, both clean under axe-core (WCAG 2 A/AA). The fitted models are swapped for ones that flag
every search (as in tests/test_no_answer_site.py), so the pages do not depend on calibration."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search import noanswer
from search.noanswer import Model
from tests.browser_support import (  # noqa: F401
    axe_violations,
    browser,
    checked_page,
    recording_server,
    sign_in_to_console,
)
from tests.conftest import AGENT_TOKEN

pytestmark = pytest.mark.browser


@pytest.fixture()
def server(index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    models = {config: Model(model.features, model.weights, model.bias, 0.0)
              for config, model in noanswer.load_models().items()}
    monkeypatch.setattr(noanswer, "load_models", lambda: models)  # the server runs in this process
    with recording_server(index_dir, tmp_path / "inst") as running:
        yield running


@pytest.fixture()
def page(browser: Any, server: Any) -> Iterator[Any]:  # noqa: F811
    with checked_page(browser) as page:
        yield page


def test_help_centre_offers_the_team_before_weak_results(page: Any, server: Any) -> None:
    page.goto(server.url + "/search?q=refund+money+back")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "We don't have a good answer for “refund money back”"
    contact = page.get_by_role("region", name="Ask our Billing team")
    weak = page.get_by_role("region", name="Articles that might be related")
    assert contact.is_visible() and weak.is_visible()
    assert contact.bounding_box()["y"] < weak.bounding_box()["y"]
    assert contact.get_by_role("link", name="Call us 0800 000 0002").is_visible()
    assert axe_violations(page) == []


def test_console_says_where_to_forward(page: Any, server: Any) -> None:
    sign_in_to_console(page, server.url, AGENT_TOKEN)
    page.keyboard.type("refund")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('forward to')")
    status = page.locator("#status").inner_text()
    assert status.startswith("No good answer: forward to Billing, Level 1: Billing resolutions")
    notice = page.locator("#no-answer")
    assert notice.is_visible()
    assert notice.inner_text().startswith("No good answer: forward to Billing, Level 1")
    assert page.locator("#results .hit-title").first.inner_text() == "How do I get a refund?"
    assert axe_violations(page) == []
