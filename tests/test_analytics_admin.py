"""/admin/insights: admin token required (header or sign-in form), every report and both charts shown."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ADMIN_TOKEN, AGENT_TOKEN, make_app

from web.shared.tracking import recorder

BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture()
def admin_app(index_dir: Path, tmp_path: Path) -> Any:
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL=f"sqlite:///{tmp_path}/a.sqlite3")
    client = app.test_client()
    client.get("/search?q=refund")
    client.get("/search?q=zzqxv+gap")
    client.get("/articles/billing/refund-policy?q=refund&pos=1")
    client.post("/articles/billing/refund-policy/feedback", data={"helpful": "no", "comment": "<b>too vague</b>"})
    assert recorder(app).flush(10)
    return app


def test_without_a_token_the_browser_is_sent_to_sign_in(admin_app: Any) -> None:
    response = admin_app.test_client().get("/admin/insights?since=7d")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


@pytest.mark.parametrize("header", ["Bearer wrong-token", f"Bearer {AGENT_TOKEN}", f"Basic {ADMIN_TOKEN}", "Bearer "])
def test_a_wrong_token_is_401(admin_app: Any, header: str) -> None:
    response = admin_app.test_client().get("/admin/insights", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "top_searches" not in response.get_data(as_text=True)


def test_bearer_token_shows_every_report_and_both_charts(admin_app: Any) -> None:
    response = admin_app.test_client().get("/admin/insights", headers=BEARER)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for section in ("top_searches", "zero_result_searches", "no_click_searches", "not_helpful",
                    "used_on_calls", "stale_articles", "never_found", "daily_volume"):
        assert f'id="{section}"' in html
    assert html.count("<svg xmlns") == 2
    assert '<title id="volume-chart-title">Searches per day</title>' in html
    assert '<desc id="zero-rate-chart-desc">' in html
    assert "zzqxv gap" in html and "&lt;b&gt;too vague&lt;/b&gt;" in html
    assert "<script>" not in html and " style=" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_in_form_keeps_a_fingerprint_not_the_token(admin_app: Any) -> None:
    client = admin_app.test_client()
    bad = client.post("/admin/login", data={"token": "nope", "next": "/admin/insights"})
    assert bad.status_code == 401
    good = client.post("/admin/login", data={"token": ADMIN_TOKEN, "next": "/admin/insights?since=7d"})
    assert good.status_code == 302 and good.headers["Location"] == "/admin/insights?since=7d"
    with client.session_transaction() as session:
        assert ADMIN_TOKEN not in repr(dict(session))
    assert client.get("/admin/insights").status_code == 200
    client.post("/admin/logout")
    assert client.get("/admin/insights").status_code == 302


def test_removing_a_token_signs_its_sessions_out(admin_app: Any) -> None:
    client = admin_app.test_client()
    client.post("/admin/login", data={"token": ADMIN_TOKEN})
    admin_app.config["ADMIN_TOKENS"] = "another-admin-token"
    assert client.get("/admin/insights").status_code == 302


def test_no_open_redirect_after_sign_in(admin_app: Any) -> None:
    response = admin_app.test_client().post("/admin/login", data={"token": ADMIN_TOKEN,
                                                                  "next": "//evil.example/admin/"})
    assert response.headers["Location"] == "/admin/insights"


def test_invalid_parameters_are_400(admin_app: Any) -> None:
    client = admin_app.test_client()
    assert client.get("/admin/insights?since=forever", headers=BEARER).status_code == 400
    assert client.get("/admin/insights?limit=abc", headers=BEARER).status_code == 400
    assert client.get("/admin/insights?limit=0", headers=BEARER).status_code == 400


def test_without_admin_tokens_the_pages_are_disabled(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ADMIN_TOKENS="", ANALYTICS_URL="off")
    response = app.test_client().get("/admin/insights", headers={"Authorization": "Bearer "})
    assert response.status_code == 403
    assert "ADMIN_TOKENS" in response.get_data(as_text=True)


def test_two_admin_tokens(index_dir: Path, tmp_path: Path) -> None:
    app = make_app(index_dir, tmp_path / "instance", ADMIN_TOKENS=f" first-token , {ADMIN_TOKEN}")
    client = app.test_client()
    for token in ("first-token", ADMIN_TOKEN):
        assert client.get("/admin/insights", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_svg_charts_are_well_formed(admin_app: Any) -> None:
    import xml.etree.ElementTree as ET  # noqa: PLC0415
    html = admin_app.test_client().get("/admin/insights", headers=BEARER).get_data(as_text=True)
    for svg in re.findall(r"<svg xmlns.*?</svg>", html, flags=re.S):
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        names = [child.tag.split("}")[1] for child in root]
        assert names[:2] == ["title", "desc"]
