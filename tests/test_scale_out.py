"""Scale-out: two replicas (gunicorn) serving copies of one build answer identically, and nothing in
a request depends on which replica served the one before it (see docs/operations.md).

One ``build_index`` run produces the index; it is shipped to each replica's own folder the way the
operations guide says (copy ``versions/<name>/`` first, then replace ``CURRENT``). Both replicas
share ``SECRET_KEY`` and ``AGENT_TOKENS``, as a load balancer without sticky sessions needs.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from bench.load import Gunicorn
from kb import load_knowledge_base
from search.indexer import build_index
from search.store import POINTER, VERSIONS, current_version
from tests.conftest import AGENT_TOKEN, FIXTURE_KB

SHARED = {"SECRET_KEY": "shared-replica-secret", "AGENT_TOKENS": AGENT_TOKEN,
          "RATELIMIT_FEEDBACK": "1000 per minute"}
QUERIES = ("refund", "wifi keeps dropping", "paswrod reset", "money back", "reembolso", "invoice")
VOLATILE = ("took_ms", "cached", "public_url")  # timing, per-process cache, the replica's own host


def ship(build_dir: Path, replica_dir: Path) -> str:
    """Deploy the built version to a replica: the version folder first, the pointer last (atomic)."""
    name = current_version(build_dir)
    assert name
    shutil.copytree(build_dir / VERSIONS / name, replica_dir / VERSIONS / name)
    temporary = replica_dir / f".{POINTER}.tmp"
    temporary.write_text(name + "\n", encoding="utf-8")
    os.replace(temporary, replica_dir / POINTER)
    return name


def stable(value: Any) -> Any:
    """A JSON answer without the fields that may differ between two correct replicas."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("build") / "index"
    build_index(load_knowledge_base(FIXTURE_KB), target)
    return target


@pytest.fixture(scope="module")
def replicas(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    base = tmp_path_factory.mktemp("replicas")
    servers = []
    try:
        for name in ("a", "b"):
            ship(built, base / name / "index")
            server = Gunicorn(base / name / "index", base / name / "instance", workers=1, **SHARED)
            servers.append(server)
        for server in servers:
            server.wait_ready()
        yield tuple(f"http://127.0.0.1:{s.port}" for s in servers)  # type: ignore[misc]
    finally:
        for server in servers:
            server.stop()


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


@pytest.mark.slow
def test_replicas_serve_the_same_version_and_answers(replicas: tuple[str, str], built: Path) -> None:
    a, b = replicas
    health = [requests.get(f"{url}/health", timeout=10).json() for url in (a, b)]
    assert health[0] == health[1]
    assert health[0]["index"]["version"] == current_version(built)
    for query in QUERIES:
        for path in ("/api/v1/search", "/api/v1/suggest", "/api/v1/triage"):
            answers = [requests.get(url + path, params={"q": query}, timeout=10) for url in (a, b)]
            assert [r.status_code for r in answers] == [200, 200]
            assert stable(answers[0].json()) == stable(answers[1].json()), (path, query)
    for slug in ("billing/refund-policy", "es/billing/refund-policy", "technical/wifi-dropping"):
        answers = [requests.get(f"{url}/api/v1/articles/{slug}", timeout=10).json() for url in (a, b)]
        assert stable(answers[0]) == stable(answers[1])


@pytest.mark.slow
def test_a_form_from_one_replica_is_accepted_by_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    browser = requests.Session()  # cookies for 127.0.0.1 go to both ports, as behind a balancer
    page = browser.get(f"{a}/articles/billing/refund-policy", timeout=10)
    token = csrf_token(page.text)
    sent = browser.post(f"{b}/articles/billing/refund-policy/feedback",
                        data={"helpful": "yes", "csrf_token": token}, allow_redirects=False, timeout=10)
    assert sent.status_code == 303
    forged = requests.post(f"{b}/articles/billing/refund-policy/feedback",
                           data={"helpful": "yes", "csrf_token": token}, allow_redirects=False, timeout=10)
    assert forged.status_code == 400  # the token alone, without the session it belongs to


@pytest.mark.slow
def test_a_console_session_from_one_replica_works_on_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    browser = requests.Session()
    token = csrf_token(browser.get(f"{a}/agent", timeout=10).text)
    signed = browser.post(f"{a}/agent/signin", data={"token": AGENT_TOKEN, "csrf_token": token},
                          allow_redirects=False, timeout=10)
    assert signed.status_code == 302
    console = {"X-Requested-With": "fetch"}
    as_agent = browser.get(f"{b}/api/v1/search", params={"q": "zanzibar"}, headers=console, timeout=10)
    anonymous = requests.get(f"{b}/api/v1/search", params={"q": "zanzibar"}, headers=console, timeout=10)
    assert as_agent.json()["total"] >= 1  # the internal paragraph, for the signed-in agent
    assert anonymous.json()["total"] == 0
    assert 'id="console"' in browser.get(f"{b}/agent", timeout=10).text  # the console, not the sign-in
    assert 'id="console"' not in requests.get(f"{b}/agent", timeout=10).text


@pytest.mark.slow
def test_a_replica_with_another_secret_refuses_the_session(built: Path, tmp_path: Path,
                                                          replicas: tuple[str, str]) -> None:
    """The control: without a shared SECRET_KEY the same form fails, so the tests above mean something."""
    a, _ = replicas
    ship(built, tmp_path / "index")
    with Gunicorn(tmp_path / "index", tmp_path / "instance", workers=1,
                  **{**SHARED, "SECRET_KEY": "another-secret"}) as other:
        browser = requests.Session()
        token = csrf_token(browser.get(f"{a}/articles/billing/refund-policy", timeout=10).text)
        sent = browser.post(f"http://127.0.0.1:{other.port}/articles/billing/refund-policy/feedback",
                            data={"helpful": "yes", "csrf_token": token}, allow_redirects=False, timeout=10)
        assert sent.status_code == 400


@pytest.mark.slow
@pytest.mark.postgres
def test_replicas_record_analytics_in_one_shared_store(built: Path, tmp_path: Path) -> None:
    from analytics import open_store  # noqa: PLC0415
    from tests.analytics_support import postgres_schema_url  # noqa: PLC0415
    urls = postgres_schema_url()
    url = next(urls)
    try:
        servers = []
        try:
            for name in ("a", "b"):
                ship(built, tmp_path / name / "index")
                servers.append(Gunicorn(tmp_path / name / "index", tmp_path / name / "instance", workers=1,
                                        ANALYTICS_URL=url, **SHARED))
            for server in servers:
                server.wait_ready()
            for number, server in enumerate(servers):
                reply = requests.post(f"http://127.0.0.1:{server.port}/api/v1/feedback", timeout=10,
                                      json={"slug": "billing/refund-policy", "helpful": False,
                                            "comment": f"from replica {number}"})
                assert reply.status_code == 200
        finally:
            for server in servers:
                server.stop()  # stopping flushes each replica's queued events
        store = open_store(url)
        try:
            rows = store.fetchall("SELECT comment FROM feedback ORDER BY comment")
        finally:
            store.close()
        assert [row[0] for row in rows] == ["from replica 0", "from replica 1"]
    finally:
        next(urls, None)
