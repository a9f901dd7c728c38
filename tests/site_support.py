"""Helpers for the customer help centre tests (tests/test_site_*.py): page text and the words
only internal content holds."""
from __future__ import annotations

import html
from typing import Any

INTERNAL_WORDS = ("quixotic", "zanzibar", "goodwill-credits", "Goodwill credit limits")
#: What an internal article or paragraph would show (the query itself is echoed, so not the word).
INTERNAL_TEXT = ("Secretword", "Codeword", "goodwill-credits", "Goodwill credit limits",
                 "needs no approval")


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def shown(response: Any) -> str:
    """The page as a reader sees it: entities like &#39; decoded."""
    return html.unescape(text(response))


def assert_public(body: str) -> None:
    for word in INTERNAL_WORDS:
        assert word not in body
