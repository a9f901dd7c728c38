"""One viewer per request, one module deciding visibility (search/viewer.py, search/visibility.py).

Marker words sit only in internal content: ``qv*mark`` words in an internal article (every field)
and in the ``::: internal`` paragraph of a public article, plus the public article's owner. Every
surface (search, snippets, explain, facets, suggest, triage, related, article JSON and page,
sitemap, browse, home, error pages, the media files internal content links) is asked anonymously
and must never answer with a marker;
an agent asking the same does get them. What the caller sent is removed before scanning.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import build
from kb import load_knowledge_base
from search import Engine, SearchRequest
from search.browse import related
from search.indexer import build_index
from search.viewer import AGENT, ANONYMOUS, Viewer
from search.visibility import STAFF_KEYS
from tests.conftest import AGENT_TOKEN, app_with_articles, make_app
from tests.kb_support import article, write_articles
from tests.test_access_sweep import without_echo

INTERNAL_SLUG = "agents/qvplaybook"
PUBLIC_SLUG = "billing/marker-card"
INTERNAL_ARTICLE = """---
title: Qvtitlemark dispute playbook
type: billing
level: 1
audience: internal
summary: Qvsummark when a card dispute needs the back office.
answer: Qvanswermark say the back office will call.
questions:
  - qvquestionmark how do i raise a card dispute
tags: [qvtagmark]
product: qvproductmark
owner: qvartownermark
review_by: 2099-01-01
---

Qvartmark raise the card dispute with the back office form ([the form](/media/qv/dispute-form.txt)).
"""
PUBLIC_ARTICLE = f"""---
title: Replace a lost bank card
type: billing
level: 0
summary: Order a new card when yours is lost.
answer: Open Billing and choose Replace card.
tags: [cards]
owner: qvownermark
related: [{INTERNAL_SLUG}]
review_by: 2099-01-01
---

Open **Billing** and choose **Replace card**; the new card arrives in three days.

::: internal
Qvparamark: waive the replacement fee once a year. Ask for qvparatwomark as the reference.
See [the fee sheet](/media/qv/fee-sheet.txt).
:::
"""
#: Every word only internal content (or the owner field) holds.
MARKERS = ("qvtitlemark", "qvsummark", "qvanswermark", "qvquestionmark", "qvtagmark", "qvproductmark",
           "qvartownermark", "qvartmark", "qvparamark", "qvparatwomark", "qvownermark", "qvplaybook",
           "qvmediamark", "qvsheetmark")
#: Media files (path under _media -> text) only internal content links.
INTERNAL_MEDIA = {"qv/dispute-form.txt": "Qvmediamark dispute form", "qv/fee-sheet.txt": "Qvsheetmark fees"}
QUERIES = ("qvartmark", "qvparamark", "qvtitlemark", "qvquestionmark how do i raise a card dispute",
           "qvart", "qvpara", "qvtitle", "qvartmrk", "qvparamrk", "card dispute", "back office",
           "replacement fee", "waive", "replace card", "qvownermark")
AGENT_HEADERS = {"Authorization": f"Bearer {AGENT_TOKEN}"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    extra = {"agents/qvplaybook.md": INTERNAL_ARTICLE, "billing/marker-card.md": PUBLIC_ARTICLE}
    extra.update({f"_media/{relative}": text for relative, text in INTERNAL_MEDIA.items()})
    return app_with_articles(tmp_path_factory.mktemp("viewer"), extra)


def surface_requests() -> list[tuple[str, str, dict[str, str]]]:
    """(surface, path, query string) for every surface that can show article content."""
    found: list[tuple[str, str, dict[str, str]]] = []
    for text in QUERIES:
        found += [("search", "/api/v1/search", {"q": text}),
                  ("explain", "/api/v1/search", {"q": text, "explain": "true"}),
                  ("facets", "/api/v1/search", {"q": text, "tags": "qvtagmark"}),
                  ("facets", "/api/v1/search", {"q": text, "product": "qvproductmark"}),
                  ("suggest", "/api/v1/suggest", {"q": text}),
                  ("triage", "/api/v1/triage", {"q": text}),
                  ("site search", "/search", {"q": text, "language": "all"}),
                  ("instant", "/search.json", {"q": text})]
    for slug in (PUBLIC_SLUG, INTERNAL_SLUG, "billing/refund-policy"):
        found += [("article json", f"/api/v1/articles/{slug}", {}),
                  ("related", f"/api/v1/articles/{slug}/related", {}),
                  ("article page", f"/articles/{slug}", {})]
    found += [("sitemap", "/sitemap.xml", {}), ("home", "/", {}), ("browse", "/browse/billing", {}),
              ("browse", "/browse/billing", {"tag": "qvtagmark"}), ("robots", "/robots.txt", {})]
    found += [("media", f"/media/{relative}", {}) for relative in INTERNAL_MEDIA]
    return found


def leaked(body: str, sent: list[str]) -> list[str]:
    text = without_echo(body, sent).lower()
    return [marker for marker in MARKERS if marker in text]


def get(client: Any, path: str, params: dict[str, str], headers: dict[str, str] | None = None) -> Any:
    return client.get(path, query_string=params, headers=headers or {})


def test_anonymous_never_sees_internal_content_on_any_surface(app: Any) -> None:
    client = app.test_client()
    problems, surfaces = [], set()
    for surface, path, params in surface_requests():
        response = get(client, path, params)
        assert response.status_code in (200, 404), (path, params, response.status_code)
        found = leaked(response.get_data(as_text=True), [*params.values(), path])
        if found:
            problems.append((surface, path, params, found))
        surfaces.add(surface)
    assert problems == [], problems[:5]
    assert len(surfaces) == 15


def test_internal_words_match_nothing_for_anonymous(app: Any) -> None:
    """Not even a public article is found through its internal paragraph's words."""
    client = app.test_client()
    for text in ("qvartmark", "qvparamark", "qvparatwomark", "qvtitlemark", "qvquestionmark"):
        for headers, expected in (({}, 0), (AGENT_HEADERS, 1)):
            found = client.get("/api/v1/search", query_string={"q": text}, headers=headers).get_json()
            assert min(found["total"], 1) == expected, (text, headers)
    for prefix in ("qvart", "qvpara", "qvtitle"):
        assert client.get("/api/v1/suggest", query_string={"q": prefix}).get_json()["suggestions"] == []
        assert client.get("/search.json", query_string={"q": prefix}).get_json()["results"] == []


def test_routes_and_the_audience_facet_only_for_agents(app: Any) -> None:
    client = app.test_client()
    for headers, shown in (({}, False), (AGENT_HEADERS, True)):
        triage = client.get("/api/v1/triage", query_string={"q": "refund"}, headers=headers).get_json()
        view = client.get(f"/api/v1/articles/{PUBLIC_SLUG}", headers=headers).get_json()
        found = client.get("/api/v1/search", query_string={"q": "card"}, headers=headers).get_json()
        facets = found["facets"]
        assert (triage["route"] is not None, view["route"] is not None, "audience" in facets) == (shown,) * 3


def test_the_customer_site_stays_anonymous_for_agents(app: Any) -> None:
    """The site has no viewer resolver: an agent's token or console session changes nothing there
    (``/media/`` is not the site's: agents get the files internal content links)."""
    client = app.test_client()
    assert client.post("/agent/signin", data={"token": AGENT_TOKEN}).status_code == 302
    for _, path, params in surface_requests():
        if path.startswith(("/api/", "/media/")):
            continue
        body = get(client, path, params, AGENT_HEADERS).get_data(as_text=True)
        assert leaked(body, [*params.values(), path]) == [], (path, params)


def test_agents_see_internal_content_on_the_same_surfaces(app: Any) -> None:
    client = app.test_client()

    def api(path: str, **params: str) -> Any:
        response = client.get(f"/api/v1{path}", query_string=params, headers=AGENT_HEADERS)
        assert response.status_code == 200, (path, response.get_json())
        return response.get_json()

    found = api("/search", q="qvartmark", explain="true")
    assert [hit["slug"] for hit in found["results"]] == [INTERNAL_SLUG]
    assert found["results"][0]["title"] == "Qvtitlemark dispute playbook"
    assert found["facets"]["audience"] == {"internal": 1}
    assert "internal_en:qvartmark" in found["results"][0]["explain"]["matched_terms"]
    paragraph = api("/search", q="qvparamark")["results"]
    assert paragraph[0]["slug"] == PUBLIC_SLUG
    assert "<mark>Qvparamark</mark>" in paragraph[0]["snippet"]
    assert api("/search", q="qvartmrk")["did_you_mean"] == "qvartmark"
    assert INTERNAL_SLUG in [s["slug"] for s in api("/suggest", q="qvtitle")["suggestions"]]
    assert INTERNAL_SLUG in [hit["slug"] for hit in api("/triage", q="card dispute back office")["answers"]]
    view = api(f"/articles/{PUBLIC_SLUG}")
    assert "qvparamark" in view["markdown"].lower() and "qvparamark" in view["html"].lower()
    assert view["has_internal"] is True
    assert [item["slug"] for item in view["related"]][:1] == [INTERNAL_SLUG]
    assert INTERNAL_SLUG in [item["slug"] for item in api(f"/articles/{PUBLIC_SLUG}/related")["related"]]
    assert api(f"/articles/{INTERNAL_SLUG}")["answer"] == "Qvanswermark say the back office will call."
    for relative, text in INTERNAL_MEDIA.items():
        with client.get(f"/media/{relative}", headers=AGENT_HEADERS) as response:
            assert response.get_data(as_text=True) == text


def test_owner_and_path_only_for_agents(app: Any) -> None:
    client = app.test_client()
    anonymous = client.get(f"/api/v1/articles/{PUBLIC_SLUG}").get_json()
    agent = client.get(f"/api/v1/articles/{PUBLIC_SLUG}", headers=AGENT_HEADERS).get_json()
    assert [name for name in STAFF_KEYS if name in anonymous] == []
    assert agent["owner"] == "qvownermark" and agent["path"].endswith("billing/marker-card.md")
    assert set(agent) - set(anonymous) == set(STAFF_KEYS)
    assert anonymous["answer"] == agent["answer"] == "Open Billing and choose Replace card."  # public
    page = client.get(f"/articles/{PUBLIC_SLUG}").get_data(as_text=True)
    page = page.replace(f'"/articles/{PUBLIC_SLUG}.md"', "")  # the public Markdown mirror's link
    assert "qvownermark" not in page and "marker-card.md" not in page
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Article"]
    assert {"owner", "path"} <= set(schema["properties"]) and not {"owner", "path"} & set(schema["required"])


def test_an_internal_article_is_a_plain_404_for_anonymous(app: Any) -> None:
    """Page and API answer exactly as for an unknown slug: nothing tells that the article exists."""
    client = app.test_client()
    unknown = "agents/qvnothere"
    for prefix in ("/articles/", "/api/v1/articles/"):
        hidden = client.get(prefix + INTERNAL_SLUG)
        missing = client.get(prefix + unknown)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.get_data(as_text=True).replace(INTERNAL_SLUG, "X") == \
            missing.get_data(as_text=True).replace(unknown, "X")
    assert client.get(f"/api/v1/articles/{INTERNAL_SLUG}", headers=AGENT_HEADERS).status_code == 200
    assert client.post("/api/v1/feedback", json={"slug": INTERNAL_SLUG, "helpful": True}).status_code == 404


def test_viewer_is_resolved_once_per_request_by_blueprint(tmp_path: Path) -> None:
    from flask import g, request  # noqa: PLC0415
    app = make_app(tmp_path / "no-index", tmp_path / "instance")
    seen: list[tuple[str | None, Viewer]] = []

    @app.after_request
    def remember(response: Any) -> Any:
        seen.append((request.blueprint, g.viewer))
        return response

    client = app.test_client()
    client.get("/api/v1/openapi.json", headers=AGENT_HEADERS)
    client.get("/api/v1/openapi.json")
    client.get("/robots.txt", headers=AGENT_HEADERS)
    client.get("/no/such/page")
    assert [(bp, v.role, v.via) for bp, v in seen] == [
        ("api", "agent", "token"), ("api", "customer", None), ("site", "customer", None),
        (None, "customer", None)]
    assert seen[0][1].name == "AGENT_TOKENS" and seen[0][1].sees_internal
    assert client.get("/api/v1/search", query_string={"q": "x"},
                      headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_viewer_roles() -> None:
    assert [v.sees_internal for v in (ANONYMOUS, AGENT, Viewer("admin"))] == [False, True, True]
    assert ANONYMOUS.is_anonymous and not AGENT.is_anonymous
    with pytest.raises(ValueError, match="unknown viewer role"):
        Viewer("guest")  # type: ignore[arg-type]


RELATED_SOURCE = article("Router lights blinking orange", type="technical",
                         body="The router lights blink orange when the fibre line is down. Restart the "
                              "router and check the fibre cable.")


def related_kb(root: Path, internal_text: str) -> Path:
    """Articles where the only difference between two builds is one internal paragraph."""
    return write_articles(root, {
        "technical/router-orange.md": RELATED_SOURCE,
        "technical/fibre-cable.md": article("Check the fibre cable", type="technical",
                                            body="A loose fibre cable stops the router working."),
        "technical/tv-remote.md": article("Pair the TV remote", type="technical",
                                          body=f"Hold the button.\n\n::: internal\n{internal_text}\n:::"),
        "technical/mesh-setup.md": article("Set up mesh wifi", type="technical",
                                           body="Place the mesh points between the router and rooms."),
        "technical/email-setup.md": article("Set up email", type="technical",
                                            body="Use the mail settings page to add your address."),
    })


def related_lists(tmp_path: Path, name: str, internal_text: str) -> tuple[list[str], list[str]]:
    root = related_kb(tmp_path / name / "articles", internal_text)
    build_index(load_knowledge_base(root), tmp_path / name / "index")
    engine = Engine(tmp_path / name / "index")
    try:
        snapshot = engine.snapshot()
        return ([item["slug"] for item in related(snapshot, "technical/router-orange", ANONYMOUS)],
                [item["slug"] for item in related(snapshot, "technical/router-orange", AGENT)])
    finally:
        engine.close()


def test_related_ranking_for_anonymous_ignores_internal_paragraphs(tmp_path: Path) -> None:
    packed = "Router lights blink orange fibre line down restart router fibre cable orange lights " * 3
    anonymous_plain, agent_plain = related_lists(tmp_path, "plain", "Escalate to the TV team.")
    anonymous_packed, agent_packed = related_lists(tmp_path, "packed", packed)
    assert anonymous_packed == anonymous_plain
    assert agent_packed != agent_plain  # the internal paragraph does count for agents
    assert agent_packed[0] == "technical/tv-remote"


def test_engine_search_takes_the_viewer(tmp_path: Path) -> None:
    root = related_kb(tmp_path / "articles", "Codeword qvengine for the TV team.")
    build_index(load_knowledge_base(root), tmp_path / "index")
    engine = Engine(tmp_path / "index")
    try:
        assert engine.search(SearchRequest("qvengine")).total == 0
        assert [h.slug for h in engine.search(SearchRequest("qvengine", viewer=AGENT)).results] == [
            "technical/tv-remote"]
    finally:
        engine.close()


@pytest.mark.parametrize("href", ["../agents/credits.md", "/articles/agents/credits"])
def test_strict_build_fails_on_a_public_link_to_an_internal_article(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        href: str) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("KB_ARTICLES_DIR", "KB_INDEX_DIR", "KB_INSTANCE_DIR"):
        monkeypatch.delenv(name, raising=False)
    write_articles(tmp_path / "articles", {
        "agents/credits.md": article("Goodwill credits", audience="internal"),
        "billing/late-fees.md": article("Late fees", body=f"Read [credits]({href})."),
    })
    warning = ("articles/billing/late-fees.md:7: warning: link: public article links to internal article "
               "'agents/credits' (hint: customers cannot open it; move the link into a '::: internal' block)")
    assert build.main(["--check", "--no-golden", "--articles", "articles"]) == 0
    assert capsys.readouterr().err.splitlines() == [warning]
    assert build.main(["--check", "--strict", "--no-golden", "--articles", "articles"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        warning, "Error: 0 error(s), 1 warning(s) in articles; check failed"]
    assert build.main(["--strict", "--articles", "articles", "--index", "index", "-q"]) == 1
    assert "nothing built" in capsys.readouterr().err and not (tmp_path / "index").exists()


STORED = {"audience": "public", "text_public": "Open billing.", "text_internal": "Waive the fee.",
          "html_public": "<p>Open billing.</p>", "html_agent": "<p>Open billing.</p><div>Waive</div>",
          "source_public": "Open billing.", "source": "Open billing.\n::: internal\nWaive\n:::",
          "has_internal": True, "owner": "billing-team", "path": "billing/a.md"}
MATCHED = {("all_en", "open"), ("internal_en", "waiv")}


@pytest.mark.parametrize(("viewer", "staff"), [(ANONYMOUS, False), (AGENT, True), (Viewer("admin"), True)])
def test_each_visibility_decision(viewer: Viewer, staff: bool) -> None:
    """The module's functions one by one, also where the surfaces above cannot tell them apart."""
    from search import visibility  # noqa: PLC0415
    assert (visibility.search_filter(viewer) is None) == staff
    assert visibility.text_kinds(viewer) == (("all", "internal") if staff else ("all",))
    assert visibility.may_see(viewer, {**STORED, "audience": "internal"}) == staff
    assert visibility.visible_pairs(viewer, MATCHED) == (MATCHED if staff else {("all_en", "open")})
    sources = visibility.snippet_sources(viewer, STORED, MATCHED)
    assert sources[0] == ("Open billing.", {"open"})
    assert sources[1:] == ([("Waive the fee.", {"waiv"})] if staff else [])
    assert ("audience" in visibility.facet_names(viewer)) == staff
    assert (visibility.route(viewer, {"queue": "Q"}) is not None) == staff
    served = visibility.served_article(viewer, STORED)
    assert ("Waive" in served["html"] + served["markdown"], served["has_internal"]) == (staff, staff)
    assert ("owner" in served and "path" in served) == staff
    assert visibility.dense_view(viewer) == ("agent" if staff else "public")
