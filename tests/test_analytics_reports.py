"""Reports and ``python build.py report``: exact headers in table, CSV and JSON; charts; parity on PostgreSQL."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from pathlib import Path
from typing import Iterator

import pytest
from analytics_support import BACKENDS, Clock, backend_url

import commands
from analytics import Recorder, open_store
from analytics import reports as r
from analytics.charts import volume_chart, zero_rate_chart

NOW = time.time()
HEADERS = {
    "top_searches": ["query", "searches", "avg_results", "clicks"],
    "zero_result_searches": ["query", "searches", "last_seen"],
    "no_click_searches": ["query", "searches", "avg_results"],
    "not_helpful": ["slug", "not_helpful", "helpful", "comments"],
    "used_on_calls": ["slug", "used_on_calls", "agent_opens", "resolution_rate"],
    "deflection": ["form_visits", "opened_article", "sent_form", "deflected", "deflection_rate"],
    "top_deflecting": ["slug", "deflections", "form_opens", "deflection_rate"],
    "stale_articles": ["slug", "title", "review_by", "owner", "days_overdue"],
    "never_found": ["slug", "title", "type"],
    "daily_volume": ["day", "searches", "zero_results", "zero_result_rate"],
}
#: What ``build.py report`` and /admin/insights show: the usage reports (analytics/usage.py) too.
USAGE_HEADERS = {"link_rate": ["source", "searches", "linked", "link_rate"],
                 "reuse": ["slug", "uses", "tickets", "agents"],
                 "use_by_type_level": ["type", "level", "articles", "used", "used_share", "uses"],
                 "never_used": ["slug", "title", "type", "level"]}
#: with the articles folder known, the command ends with the proposals learnt from use
PROPOSAL_HEADERS = {"proposed_questions": ["slug", "question", "searchers", "helpful", "used"],
                    "proposed_synonyms": ["query_words", "article_words", "searchers", "articles", "examples"]}
CLI_HEADERS = {**{k: v for k, v in HEADERS.items() if k != "daily_volume"}, **USAGE_HEADERS,
               **PROPOSAL_HEADERS, "daily_volume": HEADERS["daily_volume"]}


def record_sample(url: str) -> None:
    """A small, fixed history: two days ago and now."""
    clock = Clock(NOW - 2 * 86400)
    rec = Recorder(url, retention_days=0, clock=clock)
    rec.search("money back", {"type": ["billing"]}, 0, "site")
    rec.search("refund", {}, 3, "site", shown=["billing/refund-policy"])
    clock.now = NOW
    for _ in range(3):
        rec.search("money back", {}, 0, "site")
    rec.search("wifi dropping", {}, 2, "api", shown=["technical/wifi-dropping"])
    rec.search("refund", {}, 3, "agent", shown=["billing/refund-policy"])
    rec.click("refund", "billing/refund-policy", 1, "agent")
    rec.click("refund", "billing/refund-policy", 2, "agent")
    rec.used_on_call("billing/refund-policy", "refund", "agent")
    rec.feedback("billing/invoice-explained", False, "Too long", "site")
    rec.feedback("billing/invoice-explained", False, "", "site")
    rec.feedback("billing/invoice-explained", True, "", "site")
    assert rec.flush()
    rec.close()


@pytest.fixture(params=BACKENDS)
def sample_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    for url in backend_url(request.param, tmp_path):
        record_sample(url)
        yield url


ARTICLES = [{"slug": "billing/refund-policy", "title": "Refunds", "type": "billing", "review_by": "2020-01-01",
             "owner": "billing-team"},
            {"slug": "technical/wifi-dropping", "title": "Wi-Fi drops", "type": "technical", "review_by": ""},
            {"slug": "billing/price-rise", "title": "Price rise", "type": "billing", "review_by": None}]


def test_reports_on_a_known_history(sample_url: str) -> None:
    """The same answers from SQLite and PostgreSQL."""
    store = open_store(sample_url)
    try:
        tables = {t.name: t for t in r.all_reports(store, NOW - 7 * 86400, ARTICLES, today=dt.date(2025, 1, 1),
                                                   until=NOW)}
    finally:
        store.close()
    assert {name: t.columns for name, t in tables.items()} == HEADERS
    assert tables["top_searches"].rows == [["money back", 4, 0.0, 0], ["refund", 2, 3.0, 2],
                                           ["wifi dropping", 1, 2.0, 0]]
    today = time.strftime("%Y-%m-%d", time.gmtime(NOW))
    assert tables["zero_result_searches"].rows == [["money back", 4, today]]
    assert tables["no_click_searches"].rows == [["wifi dropping", 1, 2.0]]
    assert tables["not_helpful"].rows == [["billing/invoice-explained", 2, 1, "Too long"]]
    assert tables["used_on_calls"].rows == [["billing/refund-policy", 1, 2, 0.5]]
    assert tables["stale_articles"].rows == [["billing/refund-policy", "Refunds", "2020-01-01", "billing-team", 1827]]
    assert tables["never_found"].rows == [["billing/price-rise", "Price rise", "billing"]]
    daily = tables["daily_volume"].rows
    assert len(daily) == 8 and daily[-1] == [today, 5, 3, 0.6] and sum(row[1] for row in daily) == 7


def test_since_limits_the_period(sample_url: str) -> None:
    store = open_store(sample_url)
    try:
        assert r.top_searches(store, NOW - 3600).rows[0] == ["money back", 3, 0.0, 0]
    finally:
        store.close()


@pytest.mark.parametrize("text, seconds", [("30d", 30 * 86400), ("12h", 43200), ("2w", 14 * 86400)])
def test_parse_since(text: str, seconds: int) -> None:
    assert r.parse_since(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "0d", "1y", "-3d", "d"])
def test_parse_since_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="--since must look like 30d"):
        r.parse_since(text)


@pytest.fixture()
def command_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, articles_dir: Path) -> str:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_sample(url)
    monkeypatch.setenv("KB_ANALYTICS_URL", url)
    monkeypatch.setenv("KB_ARTICLES_DIR", str(articles_dir))
    return url


def test_report_json(command_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.dispatch(["report", "--since", "7d", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["since"] == "7d"
    assert [(t["name"], t["columns"]) for t in data["reports"]] == list(CLI_HEADERS.items())
    top = data["reports"][0]["rows"][0]
    assert top == {"query": "money back", "searches": 4, "avg_results": 0.0, "clicks": 0}


def test_report_csv(command_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.dispatch(["report", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    headers = [row[1:] for row in rows if row[0] == "report"]
    assert headers == list(CLI_HEADERS.values())
    assert ["top_searches", "money back", "4", "0.0", "0"] in rows
    assert ["not_helpful", "billing/invoice-explained", "2", "1", "Too long"] in rows


def test_report_table(command_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.dispatch(["report", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[:5] == ["Top searches (2)", "query       searches  avg_results  clicks",
                         "----------  --------  -----------  ------", "money back  4         0.0          0",
                         "refund      2         3.0          2"]
    assert "Stale articles (1)" in out and "\nbilling/price-rise  Why did my monthly price go up?  2001-01-01" in out
    assert "Articles never found by search (5)" in out and "... 3 more (--format csv or json lists all)" in out
    assert "Search volume per day (31)" in out


@pytest.mark.parametrize("argv, message", [
    (["report", "--since", "forever"], "Error: --since must look like 30d"),
    (["report", "--limit", "0"], "Error: --limit must be 1 or more"),
])
def test_report_errors_are_one_line(command_env: str, capsys: pytest.CaptureFixture[str],
                                    argv: list[str], message: str) -> None:
    assert commands.dispatch(argv) == 1
    assert capsys.readouterr().err.startswith(message)


def test_report_on_a_bad_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KB_ANALYTICS_URL", "mysql://u:secret@h/db")
    assert commands.dispatch(["report"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ANALYTICS_URL must start with") and "secret" not in err


def test_report_through_build_py(command_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    import build  # noqa: PLC0415
    assert build.main(["report", "--format", "json", "--since", "1d"]) == 0
    assert json.loads(capsys.readouterr().out)["reports"][0]["rows"][0]["searches"] == 3


def test_charts_describe_the_data() -> None:
    days = ["2025-01-01", "2025-01-02", "2025-01-03"]
    volume = volume_chart(days, [4, 10, 0])
    assert "<desc id=\"volume-chart-desc\">14 searches from 2025-01-01 to 2025-01-03; busiest day 2025-01-02 " \
           "with 10.</desc>" in volume
    assert volume.count("<rect ") == 3 and "<script" not in volume and "style=" not in volume
    rate = zero_rate_chart(days, [0.5, 0.1, 0.0])
    assert "highest 50% on 2025-01-01" in rate and rate.count("<circle ") == 3
    assert "No searches recorded." in volume_chart([], [])


def test_article_refs_from_objects_and_mappings() -> None:
    from kb.model import Article  # noqa: PLC0415
    article = Article(slug="a/b", path="a/b.md", title="T", type="general", level=0, body="",
                      review_by=dt.date(2020, 1, 1), status="draft")
    ref = r.ArticleRef.of(article)
    assert (ref.slug, ref.review_by, ref.draft) == ("a/b", dt.date(2020, 1, 1), True)
    assert r.stale_articles([article], dt.date(2025, 1, 1)).rows == []  # drafts are not reported
