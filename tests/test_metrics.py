"""``/metrics``: Prometheus families for requests, searches, the index and the cache; tokens, and
closed (404) by default."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kb import load_knowledge_base
from search.indexer import build_index
from tests.conftest import make_app


@pytest.fixture()
def app(index_dir: Path, tmp_path: Path) -> Any:
    """An app whose ``/metrics`` is open (``METRICS_PUBLIC``), as inside a private network."""
    return make_app(index_dir, tmp_path / "instance", METRICS_PUBLIC=True)


def scrape(client: Any, headers: dict[str, str] | None = None) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape: ``(name, sorted labels) -> value``."""
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def names(samples: dict[Any, float]) -> set[str]:
    return {name for name, _ in samples}


def test_families_after_searches_and_counts_move(app: Any, client: Any) -> None:
    for _ in range(2):
        assert client.get("/api/v1/search?q=refund").status_code == 200  # a miss, then a cache hit
    assert client.get("/api/v1/search?q=zzzqqqxxnothing").status_code == 200
    assert client.get("/search?q=zzzqqqxxnothing").status_code == 200
    version = client.get("/health").get_json()["index"]["version"]

    first = scrape(client)
    assert {"supportkb_request_duration_seconds_bucket", "supportkb_request_duration_seconds_count",
            "supportkb_responses_total", "supportkb_searches_total", "supportkb_searches_no_results_total",
            "supportkb_index_info", "supportkb_index_age_seconds", "supportkb_index_swaps_total",
            "supportkb_index_open_versions", "supportkb_index_open_searchers",
            "supportkb_index_pinned_requests", "supportkb_search_cache_hits_total",
            "supportkb_search_cache_misses_total"} <= names(first)
    assert value(first, "supportkb_request_duration_seconds_count", endpoint="api.search") == 3
    assert value(first, "supportkb_responses_total", endpoint="api.search", status="200") == 3
    assert value(first, "supportkb_searches_total", source="api") == 3
    assert value(first, "supportkb_searches_total", source="site") == 1
    assert value(first, "supportkb_searches_no_results_total", source="api") == 1
    assert value(first, "supportkb_searches_no_results_total", source="site") == 1
    assert value(first, "supportkb_search_cache_hits_total") == 1
    assert value(first, "supportkb_search_cache_misses_total") == 2
    built_at = client.get("/health").get_json()["index"]["built_at"]
    assert value(first, "supportkb_index_info", version=version, built_at=built_at) == 1
    assert value(first, "supportkb_index_open_versions") == 1
    assert value(first, "supportkb_index_open_searchers") >= 1
    assert value(first, "supportkb_index_pinned_requests") == 0  # read between requests
    assert value(first, "supportkb_index_age_seconds") >= 0

    client.get("/api/v1/search?q=refund")
    client.get("/api/v1/search?q=password")
    second = scrape(client)
    assert value(second, "supportkb_searches_total", source="api") == 5
    assert value(second, "supportkb_search_cache_hits_total") == 2
    assert value(second, "supportkb_search_cache_misses_total") == 3
    assert value(second, "supportkb_request_duration_seconds_count", endpoint="metrics.scrape") == 1


def test_routes_are_labelled_by_endpoint_not_path(client: Any) -> None:
    client.get("/articles/billing/refund-policy")
    client.get("/articles/billing/price-rise")
    client.get("/no/such/page/anywhere")
    samples = scrape(client)
    endpoints = {dict(labels).get("endpoint") for _, labels in samples} - {None}
    assert value(samples, "supportkb_request_duration_seconds_count", endpoint="site.article") == 2
    assert value(samples, "supportkb_responses_total", endpoint="unmatched", status="404") == 1
    assert not any("/" in endpoint for endpoint in endpoints)


def test_index_numbers_are_read_at_scrape_time(app: Any, client: Any, articles_dir: Path,
                                               index_dir: Path) -> None:
    client.get("/health")
    before = scrape(client)
    swaps = value(before, "supportkb_index_swaps_total")
    page = articles_dir / "billing" / "invoice-explained.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    build_index(load_knowledge_base(articles_dir), index_dir)
    new_version = client.get("/health").get_json()["index"]["version"]
    after = scrape(client)
    assert value(after, "supportkb_index_swaps_total") == swaps + 1
    assert any(name == "supportkb_index_info" and dict(labels)["version"] == new_version
               for name, labels in after)


def test_each_app_has_its_own_registry(index_dir: Path, tmp_path: Path) -> None:
    one = make_app(index_dir, tmp_path / "one", METRICS_PUBLIC=True).test_client()
    two = make_app(index_dir, tmp_path / "two", METRICS_PUBLIC=True).test_client()
    one.get("/api/v1/search?q=refund")
    assert value(scrape(one), "supportkb_searches_total", source="api") == 1
    assert value(scrape(two), "supportkb_searches_total", source="api") == 0


def test_tokens_are_required_when_configured(index_dir: Path, tmp_path: Path) -> None:
    client = make_app(index_dir, tmp_path / "instance", METRICS_TOKENS="scrape-one, scrape-two").test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Basic scrape-two"}).status_code == 401
    assert "supportkb_index_open_versions" in names(scrape(client, {"Authorization": "Bearer scrape-two"}))
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-one"}).status_code == 200


def test_closed_by_default_unless_public(index_dir: Path, tmp_path: Path) -> None:
    """No tokens and no ``METRICS_PUBLIC``: 404 as any unknown path; requests are still timed."""
    closed = make_app(index_dir, tmp_path / "closed").test_client()
    closed.get("/api/v1/search?q=refund")
    refused = closed.get("/metrics")
    assert refused.status_code == 404 and b"supportkb_" not in refused.data
    assert closed.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404
    for off in (False, "off", "false"):
        client = make_app(index_dir, tmp_path / "off", METRICS_PUBLIC=off).test_client()
        assert client.get("/metrics").status_code == 404
    opened = make_app(index_dir, tmp_path / "open", METRICS_PUBLIC="on").test_client()
    assert "supportkb_index_open_versions" in names(scrape(opened))


def test_tokens_win_over_public(index_dir: Path, tmp_path: Path) -> None:
    client = make_app(index_dir, tmp_path / "instance", METRICS_TOKENS="scrape-one",
                      METRICS_PUBLIC=True).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-one"}).status_code == 200


def test_metrics_can_be_turned_off(index_dir: Path, tmp_path: Path) -> None:
    for off in (False, "off"):
        client = make_app(index_dir, tmp_path / "instance", METRICS=off, METRICS_PUBLIC=True).test_client()
        assert client.get("/metrics").status_code == 404
        assert client.get("/api/v1/search?q=refund").status_code == 200  # searches still work
