"""Recording from every surface through the web app, privacy, and a broken store never breaking search."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from analytics_support import all_rows
from conftest import AGENT_TOKEN, make_app

from analytics import open_store
from web.shared.tracking import recorder

CLIENT_IP = "203.0.113.77"
FORWARDED_IP = "198.51.100.23"


@pytest.fixture()
def analytics_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/analytics.sqlite3"


@pytest.fixture()
def tracked_app(index_dir: Path, tmp_path: Path, analytics_url: str) -> Any:
    return make_app(index_dir, tmp_path / "instance", ANALYTICS_URL=analytics_url)


def _rows(app: Any, url: str) -> dict[str, list[tuple[Any, ...]]]:
    assert recorder(app).flush(10)
    store = open_store(url)
    try:
        return all_rows(store)
    finally:
        store.close()


def _env() -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": CLIENT_IP},
            "headers": {"X-Forwarded-For": FORWARDED_IP, "User-Agent": "Mozilla/5.0 (TestBrowser)"}}


def test_site_search_instant_search_and_result_click(tracked_app: Any, analytics_url: str) -> None:
    client = tracked_app.test_client()
    assert client.get("/search?q=Money%20%20BACK", **_env()).status_code == 200
    assert client.get("/search.json?q=refund", **_env()).status_code == 200
    assert client.get("/search?q=zzqxv%20nothing", **_env()).status_code == 200
    assert client.get("/articles/billing/refund-policy?q=money+back&pos=1", **_env()).status_code == 200
    rows = _rows(tracked_app, analytics_url)
    searches = {(r[3], r[4]): r for r in rows["searches"]}  # (source, query)
    assert set(searches) == {("site", "money back"), ("instant", "refund"), ("site", "zzqxv nothing")}
    assert searches[("site", "money back")][6] >= 1  # results
    assert searches[("site", "zzqxv nothing")][6] == 0
    assert [(r[3], r[4], r[5], r[6]) for r in rows["clicks"]] == [("site", "money back", "billing/refund-policy", 1)]
    assert any(slug == "billing/refund-policy" for _, slug, _ in rows["impressions"])


def test_api_and_agent_sources(tracked_app: Any, analytics_url: str) -> None:
    client = tracked_app.test_client()
    agent = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    assert client.get("/api/v1/search?q=invoice", **_env()).status_code == 200
    assert client.get("/api/v1/search?q=goodwill%20credit", headers=agent).status_code == 200
    assert client.post("/api/v1/click", json={"query": "goodwill credit", "slug": "agents/goodwill-credits",
                                              "position": 1}, headers=agent).status_code == 200
    assert client.post("/api/v1/feedback", json={"slug": "agents/goodwill-credits", "used_on_call": True,
                                                 "query": "goodwill credit"}, headers=agent).status_code == 200
    assert client.post("/api/v1/feedback", json={"slug": "billing/refund-policy", "helpful": False,
                                                 "comment": "Ring me on 07700 900123 or a.b@example.com"},
                       **_env()).status_code == 200
    rows = _rows(tracked_app, analytics_url)
    assert sorted((r[3], r[4]) for r in rows["searches"]) == [("agent", "goodwill credit"), ("api", "invoice")]
    assert [(r[3], r[5]) for r in rows["clicks"]] == [("agent", "agents/goodwill-credits")]
    assert [(r[3], r[4], r[5]) for r in rows["calls"]] == [("agent", "agents/goodwill-credits", "goodwill credit")]
    assert [(r[3], r[4], r[5], r[6]) for r in rows["feedback"]] == \
        [("api", "billing/refund-policy", 0, "Ring me on [phone] or [email]")]


def test_site_feedback_form(tracked_app: Any, analytics_url: str) -> None:
    client = tracked_app.test_client()
    response = client.post("/articles/billing/refund-policy/feedback",
                           data={"helpful": "no", "comment": "Did not say how long"}, **_env())
    assert response.status_code == 303
    rows = _rows(tracked_app, analytics_url)
    assert [(r[3], r[4], r[5], r[6]) for r in rows["feedback"]] == \
        [("site", "billing/refund-policy", 0, "Did not say how long")]


def test_no_ip_address_or_personal_data_is_stored(tracked_app: Any, analytics_url: str) -> None:
    client = tracked_app.test_client()
    client.get("/search?q=my+ip+is+81.2.69.160+call+07700900123", **_env())
    client.get("/api/v1/search?q=card+4111+1111+1111+1111", **_env())
    client.get("/articles/billing/refund-policy?q=jane.doe%40example.com&pos=2", **_env())
    client.post("/articles/billing/refund-policy/feedback",
                data={"helpful": "no", "comment": "I am jane.doe@example.com, 81.2.69.160"}, **_env())
    rows = _rows(tracked_app, analytics_url)
    assert sum(len(r) for r in rows.values()) > 5
    dump = json.dumps(rows)
    for secret in (CLIENT_IP, FORWARDED_IP, "81.2.69.160", "07700900123", "4111", "jane.doe", "TestBrowser"):
        assert secret not in dump
    assert "[ip]" in dump and "[phone]" in dump and "[card]" in dump and "[email]" in dump
    store = open_store(analytics_url)
    columns = {c[1] for t in rows for c in store.fetchall(f"PRAGMA table_info({t})")}
    store.close()
    assert not columns & {"ip", "ip_address", "remote_addr", "user_agent", "visitor", "user"}


def test_search_session_header_is_kept_for_synonym_proposals(tracked_app: Any, analytics_url: str) -> None:
    client = tracked_app.test_client()
    client.get("/search?q=money+back", headers={"X-Search-Session": "tab-0123456789abcdef"})
    client.get("/search?q=refund", headers={"X-Search-Session": "not a session id!"})
    rows = _rows(tracked_app, analytics_url)
    assert sorted((r[4], r[9]) for r in rows["searches"]) == [("money back", "tab-0123456789abcdef"),
                                                              ("refund", None)]


def test_a_broken_store_never_breaks_search(index_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL=f"sqlite:///{blocker}/a.sqlite3")
    client = app.test_client()
    assert client.get("/search?q=refund").status_code == 200
    assert client.get("/api/v1/search?q=refund").status_code == 200
    assert recorder(app).flush(10)
    stats = recorder(app).stats
    assert stats["queued"] >= 2 and stats["dropped"] == stats["queued"] and stats["written"] == 0


def test_a_full_queue_drops_events_without_blocking(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL=f"sqlite:///{tmp_path}/a.sqlite3")
    rec = recorder(app)
    rec._queue.maxsize = 1  # noqa: SLF001  (simulate a store that cannot keep up)
    rec._start = lambda: None  # noqa: SLF001  (no writer drains the queue)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/search?q=zzqxv").status_code == 200
    assert rec.stats["dropped"] == 2


def test_analytics_can_be_switched_off(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL="off")
    assert recorder(app) is None
    assert app.test_client().get("/search?q=refund").status_code == 200
    assert not (tmp_path / "instance" / "analytics.sqlite3").exists()


def test_default_store_is_created_in_the_instance_folder(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance")
    app.test_client().get("/search?q=refund")
    assert recorder(app).flush(10)
    assert (tmp_path / "instance" / "analytics.sqlite3").is_file()
