"""What may be stored: normalized queries, masked personal data; analytics imports neither Flask nor Whoosh."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics import privacy


@pytest.mark.parametrize("raw, stored", [
    ("  Wi-Fi   DROPS\t\n", "wi-fi drops"),
    ("Call me on +44 7700 900123 please", "call me on [phone] please"),
    ("020 7946 0018", "[phone]"),
    ("card 4111 1111 1111 1111 refund", "card [card] refund"),
    ("4111-1111-1111-1111", "[card]"),
    ("mail JOE.bloggs@example.co.uk now", "mail [email] now"),
    ("my ip 81.2.69.160 blocked", "my ip [ip] blocked"),
    ("192.168.1.1 login", "192.168.1.1 login"),  # router addresses are useful queries
    ("error 651", "error 651"),
    ("bill dated 2024-01-15", "bill dated 2024-01-15"),
    ("router model 2024 setup", "router model 2024 setup"),
    ("a\x00b\u200bc", "a b c"),
    ("x" * 500, "x" * privacy.MAX_QUERY),
])
def test_normalize_query(raw: str, stored: str) -> None:
    assert privacy.normalize_query(raw) == stored


def test_comments_keep_case_and_lose_personal_data() -> None:
    assert privacy.normalize_comment("Useless!  Ring 07700 900123") == "Useless! Ring [phone]"
    assert len(privacy.normalize_comment("y" * 5000)) == privacy.MAX_COMMENT


@pytest.mark.parametrize("source, stored", [("site", "site"), ("API", "api"), ("instant", "instant"),
                                            ("", "other"), ("x" * 40, "other"), ("a b", "other")])
def test_sources(source: str, stored: str) -> None:
    assert privacy.normalize_source(source) == stored


def test_sessions_must_look_like_random_ids() -> None:
    assert privacy.normalize_session("tab-0123456789") == "tab-0123456789"
    assert privacy.normalize_session("me@example.com") is None
    assert privacy.normalize_session("short") is None
    assert privacy.normalize_session(None) is None


def test_filters_are_compact_sorted_json() -> None:
    assert privacy.normalize_filters({"type": ["Billing", "general"], "lang": "en"}) == \
        '{"lang":["en"],"type":["billing","general"]}'
    assert privacy.normalize_filters({}) == ""
    assert privacy.normalize_filters(None) == ""


def test_analytics_imports_neither_flask_nor_whoosh() -> None:
    code = ("import sys, analytics, analytics.reports, analytics.charts, analytics.proposals, "
            "analytics.retention; bad = [m for m in ('flask', 'whoosh', 'search', 'web') if m in sys.modules]; "
            "print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "[]"
