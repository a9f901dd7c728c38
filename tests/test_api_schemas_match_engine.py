"""The documented response shapes (web/api/schemas.py) name exactly what the API sends, so the spec
cannot drift from the engine's own types (search/types.py) or from the views."""
from __future__ import annotations

import dataclasses
from typing import Any

from search import types
from web.api import schemas


def test_a_documented_hit_has_the_engines_fields() -> None:
    assert set(schemas.Hit.model_fields) == {f.name for f in dataclasses.fields(types.Hit)}


def test_a_search_answer_has_the_documented_fields(client: Any) -> None:
    body = client.get("/api/v1/search?q=refund").get_json()
    assert set(body) <= set(schemas.SearchResponse.model_fields)
    assert body["results"]
    for hit in body["results"]:
        assert set(hit) <= set(schemas.Hit.model_fields)
        missing = set(schemas.Hit.model_fields) - set(hit)
        assert missing <= {"explain", "verification"}, missing  # explain=true; agents only
