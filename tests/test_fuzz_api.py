"""Hostile input never breaks a page or the API: Hypothesis over every parameter of every route.

Arbitrary unicode, control characters, invalid UTF-8 escapes, very long values and repeated keys
in query strings, headers and JSON bodies: the answer is never a 5xx, JSON endpoints always answer
well-formed JSON (errors in the one ``{"error": {"code", "message"}}`` shape) and pages always
answer HTML. Bounded: the whole file runs in about 15 s (``FUZZ_EXAMPLES`` raises the bound).
"""
from __future__ import annotations

import json
import os
import string
import urllib.parse
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import load_knowledge_base
from search.indexer import build_index
from tests.conftest import AGENT_TOKEN, FIXTURE_KB, make_app

#: Examples per test; ``FUZZ_EXAMPLES=2000`` for a longer hunt (120 keeps the file near 15 s).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)

#: Query-string parameters each route reads (plus made-up ones).
ROUTES: dict[str, tuple[str, ...]] = {
    "/api/v1/search": ("q", "type", "level", "product", "lang", "tags", "limit", "offset", "explain"),
    "/api/v1/suggest": ("q", "lang", "limit"),
    "/api/v1/triage": ("q", "lang", "limit"),
    "/api/v1/articles/billing/refund-policy": (),
    "/api/v1/articles/billing/refund-policy/related": (),
    "/search": ("q", "page", "type", "product", "language", "lang"),
    "/search.json": ("q", "lang"),
    "/": ("lang",),
    "/browse/billing": ("product", "tag", "lang"),
    "/articles/billing/refund-policy": ("q", "pos", "src", "feedback", "lang"),
    "/sitemap.xml": (),
    "/health": (),
    "/agent": (),
}
JSON_ROUTES = ("/api/", "/search.json", "/health")
SPECIAL = ["", " ", "\x00", "\r\n", "\u202e", "\ufeff", "%", "%zz", "..", "../../etc/passwd", "*", "?",
           "ip~1/3", "title:x", "a" * 5000, "0", "-1", "99999999999999999999", "1e9", "true", "null",
           "<script>alert(1)</script>", "' OR 1=1 --", "\\", "\ud7ff", "\U0010ffff", "NaN"]

text_values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),  # control characters
    st.text(min_size=300, max_size=3000),
    st.sampled_from(SPECIAL),
    st.integers(-(10 ** 12), 10 ** 12).map(str),
)
raw_values = st.one_of(  # percent-escaped bytes: invalid UTF-8 included
    text_values.map(lambda v: urllib.parse.quote(v, safe="")),
    st.binary(max_size=60).map(lambda b: urllib.parse.quote_from_bytes(b, safe="")),
)


def query_strings(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    known = st.sampled_from(names) if names else st.nothing()
    name = st.one_of(known, known, st.text(string.ascii_letters + "[]._-", min_size=1, max_size=12),
                     st.text(max_size=8).map(lambda n: urllib.parse.quote(n, safe="")))
    pair = st.tuples(name.map(lambda n: n if "%" in n else urllib.parse.quote(n, safe="")), raw_values)
    return st.lists(pair, max_size=8).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("fuzz")
    build_index(load_knowledge_base(FIXTURE_KB), base / "index")
    return make_app(base / "index", base / "instance")


def check(response: Any, path: str) -> None:
    """Never a 5xx; JSON routes answer JSON (errors in the one shape); pages answer HTML."""
    assert response.status_code < 500, (path, response.status_code, response.data[:300])
    if response.status_code in (301, 302, 303, 308):
        return
    if path.startswith(JSON_ROUTES):
        assert response.mimetype == "application/json", (path, response.data[:200])
        body = json.loads(response.data)
        if response.status_code >= 400 and path != "/health":
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
            assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    elif path == "/sitemap.xml" and response.status_code == 200:
        assert response.mimetype == "application/xml"
    else:
        assert response.mimetype == "text/html", (path, response.mimetype)
        assert response.data.lstrip().lower().startswith(b"<!doctype html")


@FUZZ
@given(path=st.sampled_from(sorted(ROUTES)), data=st.data())
def test_query_strings_on_every_route(app: Any, path: str, data: st.DataObject) -> None:
    query = data.draw(query_strings(ROUTES[path]))
    agent = data.draw(st.booleans())
    headers = {"Authorization": f"Bearer {AGENT_TOKEN}"} if agent else {}
    check(app.test_client().get(path, query_string=query, headers=headers), path)


@FUZZ
@given(q=text_values, name=st.sampled_from(["q", "lang", "limit", "type", "tags", "explain"]),
       repeats=st.integers(2, 30))
def test_repeated_keys(app: Any, q: str, name: str, repeats: int) -> None:
    client = app.test_client()
    for path in ("/api/v1/search", "/search", "/search.json", "/api/v1/suggest"):
        pairs = [("q", "refund")] + [(name, q)] * repeats
        check(client.get(path, query_string=urllib.parse.urlencode(pairs)), path)


@FUZZ
@given(slug=st.one_of(text_values, st.lists(st.sampled_from(["..", ".", "billing", "%2e%2e", "%2f", "",
                                                               "refund-policy", "\x00", "é"]),
                                             max_size=6).map("/".join)))
def test_slugs_in_paths(app: Any, slug: str) -> None:
    client = app.test_client()
    quoted = urllib.parse.quote(slug, safe="/%")
    for template in ("/articles/{}", "/api/v1/articles/{}", "/api/v1/articles/{}/related", "/browse/{}"):
        path = template.format(quoted)
        response = client.get(path)
        check(response, path if response.status_code != 308 else "/redirect")


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | text_values, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)


@FUZZ
@given(body=st.one_of(
    st.fixed_dictionaries({}, optional={"slug": st.one_of(text_values, json_values,
                                                           st.just("billing/refund-policy")),
                                        "helpful": json_values, "comment": json_values,
                                        "used_on_call": json_values, "query": json_values,
                                        "position": json_values, "extra": json_values}),
    json_values), path=st.sampled_from(["/api/v1/feedback", "/api/v1/click"]),
    agent=st.booleans())
def test_json_bodies(app: Any, body: Any, path: str, agent: bool) -> None:
    headers = {"Authorization": f"Bearer {AGENT_TOKEN}"} if agent else {}
    check(app.test_client().post(path, json=body, headers=headers), path)


@FUZZ
@given(raw=st.binary(max_size=300), content_type=st.sampled_from(
    ["application/json", "application/json; charset=latin-1", "text/plain", "",
     "application/x-www-form-urlencoded"]))
def test_raw_bodies(app: Any, raw: bytes, content_type: str) -> None:
    client = app.test_client()
    for path in ("/api/v1/feedback", "/api/v1/click"):
        check(client.post(path, data=raw, content_type=content_type or None), path)
    response = client.post("/articles/billing/refund-policy/feedback", data=raw,
                           content_type=content_type or None)
    assert response.status_code < 500


@FUZZ
@given(form=st.dictionaries(st.sampled_from(["helpful", "comment", "token", "next", "x"]), text_values,
                            max_size=4))
def test_forms(app: Any, form: dict[str, str]) -> None:
    client = app.test_client()
    for path in ("/articles/billing/refund-policy/feedback", "/articles/nope/feedback", "/agent/signin",
                 "/admin/login"):
        response = client.post(path, data=form)
        assert response.status_code < 500, (path, response.data[:300])


header_values = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=200)


@FUZZ
@given(accept=header_values, cookie=header_values, session=header_values, auth=header_values,
       path=st.sampled_from(["/", "/search?q=refund", "/api/v1/search?q=refund", "/search.json?q=ref",
                             "/articles/billing/refund-policy", "/admin/insights"]))
def test_headers(app: Any, accept: str, cookie: str, session: str, auth: str, path: str) -> None:
    client = app.test_client()
    client.set_cookie("lang", cookie)
    headers = {"Accept-Language": accept, "X-Search-Session": session, "Origin": session}
    response = client.get(path, headers=headers)
    check(response, path.split("?")[0])
    response = client.get(path, headers={**headers, "Authorization": auth})
    assert response.status_code < 500
    if path.startswith("/api/") and response.status_code == 401:
        assert response.get_json()["error"]["code"] == "invalid_token"
