"""One filter declaration (search/filters.py) drives the engine, the API, its spec, the site and the console."""
from __future__ import annotations

import re
from typing import Any

import pytest

import search.filters
from search.filters import FILTER_NAMES, FILTERS, Filter, console_filters, site_filters
from search.schema import FACET_FIELDS
from search.types import FILTER_FIELDS
from tests.conftest import AGENT_TOKEN
from web.api import params
from web.api.openapi import build_document, operations
from web.api.schemas import search_query_model

AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}
NOT_FILTERS = {"q", "limit", "offset", "explain"}


def sample(name: str) -> str:
    declared = {f.name: f for f in FILTERS}[name]
    return declared.choices[0] if declared.choices else {"lang": "en"}.get(name, "account")


def test_engine_filters_and_facets_are_the_declaration() -> None:
    assert FILTER_FIELDS == FACET_FIELDS == FILTER_NAMES


def test_spec_declares_exactly_the_filters(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    names = {p["name"] for p in document["paths"]["/search"]["get"]["parameters"]}
    assert names - NOT_FILTERS == set(FILTER_NAMES)


def test_api_accepts_exactly_the_filters(client: Any) -> None:
    for declared in FILTERS:
        reply = client.get(f"/api/v1/search?q=refund&{declared.name}={sample(declared.name)}", headers=AGENT)
        assert reply.status_code == 200, (declared.name, reply.get_json())
        anonymous = client.get(f"/api/v1/search?q=refund&{declared.name}={sample(declared.name)}")
        assert anonymous.status_code == (400 if declared.agents_only else 200), declared.name
    unknown = client.get("/api/v1/search?q=refund&colour=red", headers=AGENT)
    assert unknown.status_code == 400 and unknown.get_json()["error"]["code"] == "invalid_parameter"


def test_site_offers_exactly_the_site_filters(app: Any) -> None:
    from web.customer.search import chosen_filters
    query = "&".join(f"{f.site_param}={sample(f.name)}" for f in site_filters())
    with app.test_request_context(f"/search?q=x&{query}"):
        filters, shown = chosen_filters(["en"], "en")
    assert set(filters) == {f.name for f in site_filters()}
    assert set(shown) == {f.site_param for f in site_filters()}
    assert not any(f.agents_only for f in site_filters())


def test_console_offers_exactly_the_console_filters(client: Any) -> None:
    assert client.post("/agent/signin", data={"token": AGENT_TOKEN}).status_code == 302
    page = client.get("/agent/").get_data(as_text=True)
    selects = set(re.findall(r'<select id="filter-([a-z_]+)"', page))
    assert selects == {f.name for f in console_filters()}


def test_a_new_filter_reaches_spec_api_site_and_console(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    channel = Filter("channel", "Channels.", choices=("phone", "chat"), site_param="via", console=True)
    extended = (*FILTERS, channel)
    monkeypatch.setattr(search.filters, "FILTERS", extended)
    model = search_query_model(extended)
    document = build_document(operations(model))
    names = {p["name"] for p in document["paths"]["/search"]["get"]["parameters"]}
    assert names - NOT_FILTERS == set(FILTER_NAMES) | {"channel"}
    with app.test_request_context("/api/v1/search?q=x&channel=chat,phone"):
        from flask import request
        assert params.query(model, request.args).filters()["channel"] == ["chat", "phone"]
    from web.customer.search import chosen_filters
    with app.test_request_context("/search?q=x&via=chat"):
        assert chosen_filters(["en"], "en")[0]["channel"] == ["chat"]
    from web.console import filter_selects
    with app.test_request_context("/agent/"):
        assert [s["name"] for s in filter_selects()] == [f.name for f in extended if f.console]
