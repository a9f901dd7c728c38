"""The OpenAPI document matches the API: schemathesis generates requests from it (bounded)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)
from schemathesis.checks import not_a_server_error

from kb import load_knowledge_base
from search.indexer import build_index
from tests.conftest import AGENT_TOKEN, FIXTURE_KB, make_app


def _app() -> Any:
    base = Path(__import__("tempfile").mkdtemp(prefix="supportkb-schemathesis-"))
    build_index(load_knowledge_base(FIXTURE_KB), base / "index")
    return make_app(base / "index", base / "instance")


APP = _app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_anonymous(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_agent(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {AGENT_TOKEN}"}, checks=CHECKS)


def test_document_lists_every_api_route() -> None:
    documented = set(APP.test_client().get("/api/v1/openapi.json").get_json()["paths"])
    routes = {rule.rule.removeprefix("/api/v1").replace("<path:slug>", "{slug}")
              for rule in APP.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    assert routes - {"/openapi.json"} == documented


@pytest.mark.parametrize("name", ["Error", "SearchResponse", "Hit", "TriageResponse", "Article"])
def test_components(name: str) -> None:
    document = APP.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.") and name in document["components"]["schemas"]
