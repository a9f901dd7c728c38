"""Every error under /api/ has one JSON shape with a stable code; exception text never leaks."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_app


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code and isinstance(body["error"]["message"], str)
    return body


@pytest.mark.parametrize(("url", "code"), [
    ("/api/v1/search", "missing_parameter"),
    ("/api/v1/search?q=%20%20", "missing_parameter"),
    ("/api/v1/search?q=refund&limit=abc", "invalid_parameter"),
    ("/api/v1/search?q=refund&limit=0", "invalid_parameter"),
    ("/api/v1/search?q=refund&limit=101", "invalid_parameter"),
    ("/api/v1/search?q=refund&limit=1&limit=2", "invalid_parameter"),
    ("/api/v1/search?q=refund&offset=-1", "invalid_parameter"),
    ("/api/v1/search?q=refund&type=plumbing", "invalid_parameter"),
    ("/api/v1/search?q=refund&level=3", "invalid_parameter"),
    ("/api/v1/search?q=refund&lang=english!", "invalid_parameter"),
    ("/api/v1/search?q=refund&explain=maybe", "invalid_parameter"),
    ("/api/v1/search?q=refund&limt=5", "invalid_parameter"),
    ("/api/v1/search?q=" + "a" * 501, "query_too_long"),
    ("/api/v1/suggest", "missing_parameter"),
    ("/api/v1/suggest?q=ref&limit=x", "invalid_parameter"),
    ("/api/v1/triage?q=refund&limit=11", "invalid_parameter"),
])
def test_bad_parameters_are_400(client: Any, url: str, code: str) -> None:
    assert_error(client.get(url), 400, code)


@pytest.mark.parametrize(("url", "message"), [
    ("/api/v1/search?q=refund&type=plumbing",
     "type: unknown type 'plumbing'; use technical, billing, product, general"),
    ("/api/v1/search?q=refund&level=3", "level: unknown level '3'; use 0, 1, 2"),
    ("/api/v1/search?q=refund&tags=%3Cb%3E",
     "tags: values are at most 50 letters, digits, spaces, dots or dashes (got '<b>')"),
    ("/api/v1/search?q=refund&lang=english!", "lang: values are a language code such as en or pt-br "
                                               "(got 'english!')"),
    ("/api/v1/search?q=refund&explain=maybe", "explain: must be true or false"),
    ("/api/v1/search?q=refund&limt=5",
     "limt: unknown parameter; use q, limit, offset, explain, type, level, product, lang, tags"),
    ("/api/v1/search?q=refund&audience=internal", "audience: agents only: send an agent token"),
])
def test_messages_say_what_to_send(client: Any, url: str, message: str) -> None:
    """Validation problems are told in the API's words, with the allowed values (never a schema dump)."""
    assert assert_error(client.get(url), 400, "invalid_parameter")["error"]["message"] == message


def test_a_bad_boolean_in_a_body_says_true_or_false(client: Any) -> None:
    response = client.post("/api/v1/feedback", json={"slug": "billing/refund-policy", "helpful": "x"})
    body = assert_error(response, 400, "invalid_parameter")
    assert body["error"]["message"] == "helpful: true or false (got 'x')"


def test_not_found_and_method_not_allowed(client: Any) -> None:
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/v2/search?q=x"), 404, "not_found")
    assert_error(client.get("/api/v1/articles/billing/nope"), 404, "article_not_found")
    assert_error(client.post("/api/v1/search?q=refund"), 405, "method_not_allowed")
    assert "GET" in client.post("/api/v1/search?q=refund").headers["Allow"]
    assert_error(client.get("/api/v1/feedback"), 405, "method_not_allowed")


def test_bodies(client: Any) -> None:
    assert_error(client.post("/api/v1/feedback", data="x" * 9000, content_type="application/json"),
                 413, "payload_too_large")
    assert_error(client.post("/api/v1/feedback", data="slug=a", content_type="text/plain"),
                 415, "unsupported_media_type")
    assert_error(client.post("/api/v1/feedback", data="{not json", content_type="application/json"),
                 400, "invalid_json")
    assert_error(client.post("/api/v1/feedback", data=b"\xff\xfe", content_type="application/json"),
                 400, "invalid_json")


def test_wrong_token_is_401_not_anonymous(client: Any) -> None:
    response = client.get("/api/v1/search?q=refund", headers={"Authorization": "Bearer nope"})
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert_error(client.get("/api/v1/search?q=refund", headers={"Authorization": "Basic abc"}),
                 401, "invalid_token")
    assert_error(client.get("/api/v1/articles/billing/refund-policy", headers={"Authorization": "Bearer"}),
                 401, "invalid_token")


def test_unexpected_exception_is_generic(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = app.extensions["supportkb.engine"]

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret database password in the message")

    monkeypatch.setattr(engine, "search", broken)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/v1/search?q=refund")
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True) and body["error"]["message"] == "internal error"


def test_no_index_is_503(tmp_path: Path) -> None:
    app = make_app(tmp_path / "empty-index", tmp_path / "inst")
    assert_error(app.test_client().get("/api/v1/search?q=refund"), 503, "index_unavailable")
