"""Anonymous callers never see internal content: a sweep of every route in ``app.url_map``.

The knowledge base is the fixture KB plus one internal article carrying a unique word in every
field (title, slug, summary, answer, questions, tags, product, owner, body) and one public article
with an internal paragraph. Every route is called anonymously, with every slug (public, internal,
unknown), every support type and a set of probing queries (the internal words, typos and prefixes
of them, the internal title, filters, ``explain``); pages, search, suggest, triage, related,
sitemap, facets, explanations and error answers must not carry any internal word, title or slug.
What the caller sent is removed from an answer before it is scanned: echoing the caller's own
query back is not a leak.
"""
from __future__ import annotations

import html
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from kb.model import SUPPORT_TYPES
from tests.conftest import app_with_articles

INTERNAL_SLUG = "agents/zyxslug-playbook"
INTERNAL_ARTICLE = """---
title: Zyxtitle escalation playbook
type: billing
level: 2
audience: internal
summary: Zyxsummary when to escalate.
answer: Zyxanswer tell the customer nothing.
questions:
  - zyxquestion how do i escalate
tags: [zyxtag]
product: zyxproduct
owner: zyxowner
review_by: 2099-01-01
---

Zyxbody escalate to the disputes queue with the zyxcode form. Refund credit billing invoice.
"""
PUBLIC_WITH_INTERNAL = """---
title: Change your payment card
type: billing
level: 0
summary: Update the card your bill is paid with.
answer: Open Billing and choose Change card.
tags: [payments]
review_by: 2099-01-01
---

Open **Billing** and choose **Change card**.

::: internal
Zyxparagraph: waive the card fee for loyal customers. Codeword zyxwaiver.
:::
"""
#: Words only internal content holds (lower-case); "goodwill", "quixotic", "zanzibar" and
#: "secretword" come from the fixture KB's internal article and internal paragraph.
FORBIDDEN = ("zyx", "quixotic", "zanzibar", "secretword", "goodwill", "credits", "agents/", "playbook",
             "disputes queue", "ext. 41", "ext. 42")
INTERNAL_SLUGS = (INTERNAL_SLUG, "agents/goodwill-credits")
PUBLIC_SLUGS = ("billing/refund-policy", "billing/change-card", "es/billing/refund-policy",
                "technical/wifi-dropping")
PROBES = ("zyxtitle", "zyxsummary", "zyxanswer", "zyxquestion", "zyxtag", "zyxbody", "zyxparagraph",
          "zyxwaiver", "zyxcode", "zyxtitel", "zyxbodi", "zyxwaver", "zyx", "zyxt", "quixotic", "quixotc",
          "quix", "zanzibar", "zanzibr", "goodwill", "goodwil", "goodw", "secretword",
          "Zyxtitle escalation playbook", "Goodwill credit limits for agents",
          "zyxquestion how do i escalate",
          "how do i escalate", "goodwill credit", "credit", "refund", "card fee", "waive the card fee",
          "escalate disputes")
FILTERS = ({}, {"type": "billing"}, {"level": "2"}, {"tags": "zyxtag"}, {"product": "zyxproduct"},
           {"tags": "credits"}, {"explain": "true"}, {"lang": "es"}, {"language": "all"}, {"tag": "zyxtag"},
           {"product": "zyxproduct", "type": "billing"})


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    extra = {"agents/zyxslug-playbook.md": INTERNAL_ARTICLE, "billing/change-card.md": PUBLIC_WITH_INTERNAL}
    return app_with_articles(tmp_path_factory.mktemp("sweep"), extra)


def url_values(argument: str, app: Any) -> list[str]:
    """Values to put in a route's URL argument."""
    if argument == "slug":
        return [*PUBLIC_SLUGS, *INTERNAL_SLUGS, "nope/none", "agents"]
    if argument == "support_type":
        return [*SUPPORT_TYPES, "agents", "internal"]
    if argument == "number":  # sitemap children
        return ["1", "2", "0", "01"]
    if argument == "filename":
        return sorted(p.name for p in Path(app.static_folder).iterdir())
    raise AssertionError(f"the sweep has no values for <{argument}>: add them")


def sweep_requests(app: Any) -> list[tuple[str, str, dict[str, str], tuple[str, ...]]]:
    """(method, path, params, URL values) for every route: every URL value, probes on routes that search."""
    found = []
    for rule in app.url_map.iter_rules():
        paths: list[tuple[str, tuple[str, ...]]] = [(rule.rule, ())]
        for argument in rule.arguments:
            paths = [(re.sub(rf"<(?:\w+:)?{argument}>", v, p), (*used, v))
                     for p, used in paths for v in url_values(argument, app)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path, used in paths:
                found.append((method, path, {}, used))
                if method == "GET" and not path.startswith("/static/"):
                    found += [(method, path, {"q": probe, **extra}, used)
                              for probe in PROBES for extra in FILTERS
                              if extra == {} or path in ("/search", "/api/v1/search")]
    return found


def _drop(text: str, piece: str) -> str:
    """Remove ``piece`` (any case); a single word only as a whole word (``%3D`` ends a word)."""
    if re.fullmatch(r"\w+", piece):
        pattern = rf"(?:(?<![^\W_])|(?<=%[0-9A-Fa-f]{{2}})){re.escape(piece)}(?![^\W_])"
    else:
        pattern = re.escape(piece)
    return re.sub(pattern, " ", text, flags=re.IGNORECASE)


def without_echo(text: str, sent: list[str]) -> str:
    """The answer with what the caller sent removed: each value and each of its words, in any URL,
    HTML or JSON encoding, so only what the server added is scanned."""
    for value in sorted(sent, key=len, reverse=True):
        variants = {value, html.escape(value), urllib.parse.quote(value), urllib.parse.quote_plus(value),
                    urllib.parse.quote(value, safe=""), json.dumps(value)[1:-1],
                    urllib.parse.quote(urllib.parse.quote_plus(value), safe="")}  # in a ?next= URL
        for piece in sorted(variants, key=len, reverse=True) + re.findall(r"\w+", value):
            if piece:
                text = _drop(text, piece)
    return text


def leaks(text: str) -> list[str]:
    lower = text.lower()
    return [word for word in FORBIDDEN if word in lower]


def test_every_route_argument_is_swept(app: Any) -> None:
    requests = sweep_requests(app)
    adapter = app.url_map.bind("localhost")
    matched = set()
    for method, path, _, _ in requests:
        try:
            rule, _args = adapter.match(path, method=method, return_rule=True)
            matched.add((rule.rule, method))
        except Exception:  # noqa: BLE001, S112  (unknown slugs and types still go through the sweep)
            continue
    wanted = {(rule.rule, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert wanted - matched == set()
    assert len(requests) > 1000


def test_anonymous_sweep_shows_nothing_internal(app: Any) -> None:
    client = app.test_client()
    problems, statuses = [], set()
    for method, path, params, used in sweep_requests(app):
        if method == "GET":
            response = client.get(path, query_string=params)
        elif path.startswith("/api/"):
            slug = INTERNAL_SLUGS[0]
            response = client.post(path, json={"slug": slug, "helpful": True, "query": "zyx", "position": 1})
            params = {**params, "slug": slug, "q": "zyx"}
        else:
            response = client.post(path, data={"helpful": "yes", "comment": "x", "token": "wrong"})
        statuses.add(response.status_code)
        assert response.status_code < 500, (method, path, params)
        headers = " ".join(f"{k}: {v}" for k, v in response.headers.items() if k.lower() != "set-cookie")
        body = response.get_data(as_text=True)
        response.close()  # static files are streamed from an open file
        found = leaks(without_echo(body + " " + headers, [*params.values(), *used]))
        if found:
            problems.append((method, path, params, found))
    assert problems == [], problems[:5]
    assert {200, 302, 400, 401, 404} <= statuses  # pages, redirects and error answers were all scanned


def test_internal_content_exists_for_agents(app: Any) -> None:
    """The probes are meaningful: agents do find every internal word the sweep looks for."""
    from tests.conftest import AGENT_TOKEN  # noqa: PLC0415
    client = app.test_client()
    agent = {"Authorization": f"Bearer {AGENT_TOKEN}"}
    for probe in ("zyxtitle", "zyxbody", "zyxparagraph", "quixotic", "zanzibar"):
        body = client.get("/api/v1/search", query_string={"q": probe}, headers=agent).get_json()
        assert body["total"] >= 1, probe
    view = client.get(f"/api/v1/articles/{INTERNAL_SLUG}", headers=agent).get_json()
    assert view["title"] == "Zyxtitle escalation playbook" and view["tags"] == ["zyxtag"]
    assert client.get(f"/api/v1/articles/{INTERNAL_SLUG}").status_code == 404


def test_the_echo_filter_keeps_real_leaks(app: Any) -> None:
    text = 'You searched "zyxtitel". Did you mean zyxtitle?'
    assert leaks(without_echo(text, ["zyxtitel"])) == ["zyx"]
    assert leaks(without_echo('value="zyxtitel" next=%3Fq%3DZyxtitel%2Bx', ["zyxtitel"])) == []
    assert leaks(without_echo("Goodwill credits", ["goodwil"])) == ["goodwill", "credits"]
    assert leaks(without_echo("no article 'agents/goodwill-credits'", ["agents/goodwill-credits"])) == []
