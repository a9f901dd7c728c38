"""``/embed/*``: framed only by ``EMBED_ORIGINS``, headers elsewhere unchanged, public data without a token."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import AGENT_TOKEN, make_app

from kb.settings import layered_settings, parse_origins
from web.shared.security import CONTENT_SECURITY_POLICY

HELPDESK = "https://acme.zendesk.com"
LOCAL = "http://127.0.0.1:8001"
EMBED_PAGES = ("/embed/agent", "/embed/deflect")
OTHER_PAGES = ("/", "/agent", "/api/v1/search?q=refund", "/articles/billing/refund-policy", "/search?q=refund")
INTERNAL_SLUG = "agents/goodwill-credits"


@pytest.fixture()
def embed_app(index_dir: Path, tmp_path: Path) -> Any:
    return make_app(index_dir, tmp_path / "inst", EMBED_ORIGINS=f"{HELPDESK}, {LOCAL}/", ANALYTICS_URL="off")


def frame_ancestors(response: Any) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


@pytest.mark.parametrize("path", EMBED_PAGES)
def test_embed_pages_may_be_framed_by_the_configured_origins_only(embed_app: Any, path: str) -> None:
    response = embed_app.test_client().get(path)
    assert response.status_code == 200
    assert frame_ancestors(response) == f"frame-ancestors {HELPDESK} {LOCAL}"
    assert "X-Frame-Options" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert policy.replace(f"frame-ancestors {HELPDESK} {LOCAL}", "frame-ancestors 'none'") == CONTENT_SECURITY_POLICY
    assert response.headers["Cache-Control"] == "no-store"
    # the page's script checks message origins against the same list
    assert f'data-origins=\'["{HELPDESK}", "{LOCAL}"]\'' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_every_other_page_keeps_the_usual_headers(embed_app: Any, path: str) -> None:
    response = embed_app.test_client().get(path)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_without_embed_origins_nobody_may_frame_the_embed(app: Any) -> None:
    response = app.test_client().get("/embed/agent")
    assert response.status_code == 200
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert 'data-origins=\'[]\'' in response.get_data(as_text=True)


def test_origins_are_validated_and_problems_reported(index_dir: Path, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    assert parse_origins(["https://A.example.com:443", "http://[::1]:8000", "https://b.example/"]) == (
        ["https://a.example.com", "http://[::1]:8000", "https://b.example"], [])
    for bad in ("*", "https://x.example/path", "ftp://x.example", "x.example", "https://*.example.com",
                "https://user@x.example", "https://x.example?q=1"):
        origins, problems = parse_origins(bad)
        assert origins == [] and len(problems) == 1 and repr(bad) in problems[0], bad
    layer = layered_settings({"EMBED_ORIGINS": "https://ok.example, *"}, environ={}, read_config_file=False)
    assert layer.values["EMBED_ORIGINS"] == ["https://ok.example"]
    assert layer.problems == ["overrides: EMBED_ORIGINS: '*' is not an origin such as "
                              "'https://help.example.com' (scheme and host, optional port, no path or "
                              "wildcard); ignored"]
    env = layered_settings(environ={"KB_EMBED_ORIGINS": "https://a.example,https://b.example:8443"},
                           read_config_file=False)
    assert env.values["EMBED_ORIGINS"] == ["https://a.example", "https://b.example:8443"]
    typo = layered_settings(environ={"KB_EMBED_ORIGIN": "https://a.example"}, read_config_file=False)
    assert any("did you mean 'EMBED_ORIGINS'" in problem for problem in typo.problems)

    with caplog.at_level(logging.WARNING):
        app = make_app(index_dir, tmp_path / "inst", EMBED_ORIGINS="*", ANALYTICS_URL="off")
    assert "EMBED_ORIGINS: '*' is not an origin" in caplog.text
    assert frame_ancestors(app.test_client().get("/embed/agent")) == "frame-ancestors 'none'"


def test_without_a_token_the_sidebar_sees_public_articles_only(embed_app: Any) -> None:
    """The sidebar's requests: no cookie, a bearer token only when the parent handed one over."""
    client = embed_app.test_client()
    anonymous = client.get("/api/v1/search?q=goodwill+credit&limit=10").get_json()
    assert INTERNAL_SLUG not in [hit["slug"] for hit in anonymous["results"]]
    assert client.get(f"/api/v1/articles/{INTERNAL_SLUG}").status_code == 404
    agent = client.get("/api/v1/search?q=goodwill+credit&limit=10",
                       headers={"Authorization": f"Bearer {AGENT_TOKEN}"}).get_json()
    assert INTERNAL_SLUG in [hit["slug"] for hit in agent["results"]]
    refused = client.get("/api/v1/search?q=refund", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    # the deflection box serves customers: public articles whatever credentials come along
    for headers in ({}, {"Authorization": f"Bearer {AGENT_TOKEN}"}):
        found = client.get("/embed/deflect/suggestions?q=goodwill+credit+zanzibar", headers=headers).get_json()
        assert all(INTERNAL_SLUG != hit["slug"] for hit in found["results"])
        assert "zanzibar" not in str(found["results"]).lower()


def test_the_pages_carry_no_credentials(embed_app: Any) -> None:
    client = embed_app.test_client()
    client.post("/agent/signin", data={"token": AGENT_TOKEN})
    page = client.get("/embed/agent").get_data(as_text=True)
    assert AGENT_TOKEN not in page and "Public articles only" in page
    assert "set-cookie" not in {name.lower() for name in client.get("/embed/agent").headers.keys()}
