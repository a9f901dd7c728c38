"""``/metrics`` in Prometheus text format: request latency, searches, the index and the cache.

Each app has its own :class:`CollectorRegistry`, so several apps in one process never collide.
Request latency is labelled by Flask endpoint (``api.search``), never by raw path, so the label set
stays bounded. Index and cache numbers are read from the engine and the response cache when
Prometheus scrapes, by a custom collector. Numbers are per worker process.

``METRICS`` (default on) collects the figures and serves the route. Who may read it is closed by
default: ``METRICS_TOKENS`` (comma-separated) requires ``Authorization: Bearer <token>``; without
tokens the route answers 404 (like any unknown path) unless ``METRICS_PUBLIC`` is on, for a scrape
inside a private network.
"""
from __future__ import annotations

import datetime as dt
import hmac
import time
from typing import Any, Iterator

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

bp = Blueprint("metrics", __name__)
EXTENSION = "supportkb.metrics"
#: Seconds: most searches take a few milliseconds; pages and first requests on a new version more.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "unmatched"  # 404s and other requests no route matched


class IndexCollector(Collector):
    """The served index version and its lifecycle counts, from ``engine.stats()`` at scrape time."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        stats = self.engine.stats()
        info = InfoMetricFamily("supportkb_index", "The index version this worker serves.")
        if stats["version"]:
            info.add_metric([], {"version": str(stats["version"]), "built_at": str(stats["built_at"] or "")})
        yield info
        yield GaugeMetricFamily("supportkb_index_available", "1 when an index version is open.",
                                value=1 if stats["version"] else 0)
        built_at = _timestamp(stats["built_at"])
        if built_at is not None:
            yield GaugeMetricFamily("supportkb_index_age_seconds", "Seconds since the served version was built.",
                                    value=max(0.0, time.time() - built_at))
        yield CounterMetricFamily("supportkb_index_swaps", "Index versions opened since start (the first too).",
                                  value=stats["swaps"])
        yield GaugeMetricFamily("supportkb_index_open_versions", "Index versions open (served and retiring).",
                                value=stats["open_versions"])
        yield GaugeMetricFamily("supportkb_index_open_searchers", "Whoosh searchers open on those versions.",
                                value=stats["open_searchers"])
        yield GaugeMetricFamily("supportkb_index_pinned_requests", "Requests holding an index version now.",
                                value=stats["pinned"])


class CacheCollector(Collector):
    """Hits and misses of the API's search response cache (hit ratio = hits / (hits + misses))."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        cache = self.app.extensions.get("supportkb.api_cache")
        if cache is None:
            return
        yield CounterMetricFamily("supportkb_search_cache_hits", "API searches answered from the cache.",
                                  value=cache.hits)
        yield CounterMetricFamily("supportkb_search_cache_misses", "API searches the cache could not answer.",
                                  value=cache.misses)
        yield GaugeMetricFamily("supportkb_search_cache_entries", "Answers held in the cache.",
                                value=len(cache))


class Metrics:
    """One app's registry and the metrics its hooks update."""

    def __init__(self, app: Flask) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram("supportkb_request_duration_seconds", "Time to answer a request, by route.",
                                 ["endpoint"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.responses = Counter("supportkb_responses", "Responses by route and status code.",
                                 ["endpoint", "status"], registry=self.registry)
        self.searches = Counter("supportkb_searches", "Searches, by source (site, instant, api, agent).",
                                ["source"], registry=self.registry)
        self.no_results = Counter("supportkb_searches_no_results", "Searches that found nothing, by source.",
                                  ["source"], registry=self.registry)
        self.registry.register(IndexCollector(app.extensions["supportkb.engine"]))
        self.registry.register(CacheCollector(app))


def _timestamp(value: Any) -> float | None:
    try:
        return dt.datetime.fromisoformat(str(value)).timestamp() if value else None
    except ValueError:
        return None


def enabled(value: Any) -> bool:
    """``METRICS``, ``METRICS_PUBLIC``: a bool, or text such as ``on``/``off`` from a config file."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _tokens(app: Flask) -> list[str]:
    return [t.strip() for t in str(app.config.get("METRICS_TOKENS") or "").split(",") if t.strip()]


def _authorized(tokens: list[str]) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return False
    given_bytes = given.strip().encode()
    # compare with every token so the time taken does not say which one nearly matched
    return sum(hmac.compare_digest(given_bytes, token.encode()) for token in tokens) > 0


def count_search(source: str, results: int) -> None:
    """Called for every search the site, API and console run (from :mod:`web.shared.tracking`)."""
    metrics = current_app.extensions.get(EXTENSION)
    if metrics is None:
        return
    metrics.searches.labels(source).inc()
    if results == 0:
        metrics.no_results.labels(source).inc()


@bp.get("/metrics")
def scrape() -> Response:
    tokens = _tokens(current_app)
    if not tokens and not enabled(current_app.config.get("METRICS_PUBLIC", False)):
        abort(404)  # closed by default: neither tokens nor an explicit opt-in to an open route
    if tokens and not _authorized(tokens):
        return Response("A metrics token is required.\n", 401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    registry = current_app.extensions[EXTENSION].registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Serve ``/metrics`` and time every request, unless ``METRICS`` is off."""
    if not enabled(app.config.get("METRICS", True)):
        return
    metrics = app.extensions[EXTENSION] = Metrics(app)
    app.register_blueprint(bp)

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.endpoint or UNMATCHED
            metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
            metrics.responses.labels(endpoint, str(response.status_code)).inc()
        return response
