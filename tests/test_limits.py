"""Limits: request size (413), query length (clear 400), rate limits (429 + JSON code), path
traversal in slugs (404, never a file), and ``/health`` (JSON: index version and article count)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kb import load_knowledge_base
from search.indexer import build_index
from tests.conftest import FIXTURE_KB, make_app

ARTICLE = "billing/refund-policy"
#: Text of files a traversal could reach: none may ever appear in an answer.
SECRETS = ("root:x:0:0", "create_app", "SECRET_KEY", "import ", "whoosh", "_routing.yml")
TRAVERSALS = [
    "/articles/../../etc/passwd", "/articles/..%2f..%2fetc%2fpasswd", "/articles/%2e%2e/%2e%2e/etc/passwd",
    "/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/articles/..%252f..%252fetc%252fpasswd",
    "/articles/....//....//etc/passwd", "/articles/..\\..\\web\\__init__.py",
    "/articles/%c0%ae%c0%ae/etc/passwd",
    "/articles/billing/../../../web/__init__.py", "/articles/billing/%2e%2e/%2e%2e/build.py",
    "/articles//etc/passwd", "/articles/billing/refund-policy%00.md",
    "/articles/_routing", "/articles/../articles/billing/refund-policy",
    "/api/v1/articles/..%2f..", "/api/v1/articles/../../etc/passwd",
    "/api/v1/articles/%2e%2e/%2e%2e/etc/passwd",
    "/api/v1/articles/..%2f..%2fweb%2f__init__.py", "/api/v1/articles/billing/..%2f..%2fbuild.py",
    "/api/v1/articles/..%2f..%2fetc%2fpasswd/related", "/api/v1/articles//etc/passwd",
    "/static/../web/__init__.py", "/static/..%2f__init__.py", "/static/%2e%2e/__init__.py",
    "/static/..%2f..%2fbuild.py", "/browse/..%2f..%2fetc%2fpasswd",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("limits") / "index"
    build_index(load_knowledge_base(FIXTURE_KB), target)
    return target


@pytest.fixture()
def client(index: Path, tmp_path: Path) -> Any:
    return make_app(index, tmp_path / "instance", ANALYTICS_URL="off").test_client()


def limited_client(index: Path, tmp_path: Path) -> Any:
    return make_app(index, tmp_path / "instance", ANALYTICS_URL="off", RATELIMIT_ENABLED=True,
                    RATELIMIT_SEARCH="3 per minute", RATELIMIT_FEEDBACK="2 per minute").test_client()


def error_code(response: Any) -> str:
    assert response.mimetype == "application/json", response.data[:200]
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return str(body["error"]["code"])


# -- request size ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/feedback", "/api/v1/click"])
@pytest.mark.parametrize("size", [8 * 1024 + 1, 64 * 1024 + 1, 1024 * 1024])
def test_api_bodies_over_the_limit_are_413_json(client: Any, path: str, size: int) -> None:
    body = b'{"comment": "' + b"x" * size + b'"}'
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"


def test_a_body_just_under_the_api_limit_is_read(client: Any) -> None:
    body = b'{"slug": "billing/refund-policy", "helpful": true,' + b" " * 8000 + b'"comment": "ok"}'
    assert client.post("/api/v1/feedback", data=body, content_type="application/json").status_code == 200


def test_every_request_body_is_capped(client: Any) -> None:
    """``MAX_CONTENT_LENGTH`` (64 KiB) holds for forms too: Flask's own default is no limit."""
    assert client.application.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    big = "x" * (65 * 1024)
    for path, data in ((f"/articles/{ARTICLE}/feedback", {"helpful": "yes", "comment": big}),
                       ("/agent/signin", {"token": big}), ("/admin/login", {"token": big})):
        response = client.post(path, data=data)
        assert response.status_code == 413, path
        assert response.mimetype == "text/html"
    api = client.post("/api/v1/search", data=big)
    assert api.status_code in (405, 413) and error_code(api) in ("method_not_allowed", "payload_too_large")


# -- query length ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/suggest", "/api/v1/triage", "/search.json"])
def test_long_queries_are_a_clear_json_400(client: Any, path: str) -> None:
    response = client.get(path, query_string={"q": "refund " * 72})  # 504 characters
    assert response.status_code == 400
    assert error_code(response) == "query_too_long"
    assert "500" in response.get_json()["error"]["message"]
    assert client.get(path, query_string={"q": "r" * 500}).status_code == 200


def test_long_query_on_the_search_page_is_a_400_page(client: Any) -> None:
    response = client.get("/search", query_string={"q": "é" * 501})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "500" in response.get_data(as_text=True)


def test_max_query_length_setting_is_honoured(index: Path, tmp_path: Path) -> None:
    client = make_app(index, tmp_path / "instance", ANALYTICS_URL="off", MAX_QUERY_LENGTH=20).test_client()
    response = client.get("/api/v1/search", query_string={"q": "x" * 21})
    assert response.status_code == 400 and error_code(response) == "query_too_long"
    assert client.get("/api/v1/search", query_string={"q": "x" * 20}).status_code == 200
    assert client.get("/search", query_string={"q": "x" * 21}).status_code == 400


# -- rate limits ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/search?q=refund", "/api/v1/suggest?q=ref",
                                  "/api/v1/triage?q=refund", f"/api/v1/articles/{ARTICLE}",
                                  "/search.json?q=refund"])
def test_search_endpoints_answer_429_json_with_retry_after(index: Path, tmp_path: Path, path: str) -> None:
    client = limited_client(index, tmp_path)
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(path)
    assert limited.status_code == 429
    assert error_code(limited) == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_search_page_is_rate_limited(index: Path, tmp_path: Path) -> None:
    client = limited_client(index, tmp_path)
    assert [client.get("/search?q=refund").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_feedback_is_rate_limited_on_api_and_site(index: Path, tmp_path: Path) -> None:
    client = limited_client(index, tmp_path)
    body = {"slug": ARTICLE, "helpful": True}
    codes = [client.post("/api/v1/feedback", json=body).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert error_code(client.post("/api/v1/feedback", json=body)) == "rate_limited"
    url = f"/articles/{ARTICLE}/feedback"
    assert [client.post(url, data={"helpful": "no"}).status_code for _ in range(3)] == [303, 303, 429]


def test_rate_limits_are_per_client(index: Path, tmp_path: Path) -> None:
    client = limited_client(index, tmp_path)
    for _ in range(3):
        client.get("/api/v1/search?q=refund")
    assert client.get("/api/v1/search?q=refund").status_code == 429
    other = client.get("/api/v1/search?q=refund", environ_base={"REMOTE_ADDR": "127.0.0.2"})
    assert other.status_code == 200


# -- path traversal -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_404_never_a_file(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 308), path  # 308: werkzeug normalising '//' to '/'
    if response.status_code == 308:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 404, path
    body = response.get_data(as_text=True)
    assert not any(secret in body for secret in SECRETS), path
    if path.startswith("/api/"):
        assert error_code(response) in ("article_not_found", "not_found")


def test_an_article_md_url_is_the_cleaned_mirror_never_the_source_file(client: Any) -> None:
    """``/articles/<slug>.md`` serves the public article as Markdown: not the file on disk (no front
    matter, no internal blocks)."""
    response = client.get("/articles/billing/refund-policy.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    body = response.get_data(as_text=True)
    assert not body.startswith("---") and "type: billing" not in body and "::: internal" not in body
    assert not any(secret in body for secret in SECRETS)


def test_feedback_slug_traversal_is_refused(client: Any) -> None:
    for slug in ("../../etc/passwd", "billing/../../build", "/etc/passwd", "billing\\..\\x", ""):
        response = client.post("/api/v1/feedback", json={"slug": slug, "helpful": True})
        assert response.status_code == 400 and error_code(response) == "invalid_parameter", slug


# -- health ---------------------------------------------------------------------------------------

def test_health_reports_version_and_article_count(client: Any, index: Path) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["index"]["version"] == (index / "CURRENT").read_text(encoding="utf-8").strip()
    assert body["index"]["articles"] == 6  # 7 published, one of them internal
    assert body["index"]["languages"] == ["en", "es"]
    assert response.headers["Content-Security-Policy"]


def test_health_without_an_index_is_503_json(tmp_path: Path) -> None:
    client = make_app(tmp_path / "empty", tmp_path / "instance", ANALYTICS_URL="off").test_client()
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "index": None}
    ready = client.get("/health/ready")
    assert ready.status_code == 503 and "build.py" in ready.get_json()["problem"]


def test_readiness_reports_version_articles_and_swaps(client: Any, index: Path) -> None:
    body = client.get("/health/ready").get_json()
    assert body["status"] == "ready"
    assert body["index"]["version"] == (index / "CURRENT").read_text(encoding="utf-8").strip()
    assert body["index"]["articles"] == 6
    assert body["problem"] is None and body["swaps"] >= 1


def test_behind_a_balancer_each_client_has_its_own_limit(index: Path, tmp_path: Path) -> None:
    """``TRUSTED_PROXIES=1``: the client address is the balancer's ``X-Forwarded-For`` entry."""
    client = make_app(index, tmp_path / "instance", ANALYTICS_URL="off", RATELIMIT_ENABLED=True,
                      RATELIMIT_SEARCH="2 per minute", TRUSTED_PROXIES=1).test_client()

    def status(forwarded: str) -> int:
        return client.get("/api/v1/search?q=refund", headers={"X-Forwarded-For": forwarded}).status_code

    assert [status("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert status("203.0.113.2") == 200


def test_without_trusted_proxies_forwarded_for_is_ignored(index: Path, tmp_path: Path) -> None:
    """A client cannot escape its limit by inventing ``X-Forwarded-For`` values."""
    client = make_app(index, tmp_path / "instance", ANALYTICS_URL="off", RATELIMIT_ENABLED=True,
                      RATELIMIT_SEARCH="2 per minute").test_client()
    codes = [client.get("/api/v1/search?q=refund", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
             for n in range(3)]
    assert codes == [200, 200, 429]
