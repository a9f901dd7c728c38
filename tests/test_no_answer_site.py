"""No good answer on the customer site and in triage: the likely team's contact route comes first.

``always_no_answer`` swaps the fitted models (search/noanswer.json) for ones that flag every
search, so these tests pin the pages' behaviour whatever the calibration; the shipped models are
checked on real queries in tests/test_search_noanswer.py.
"""
from __future__ import annotations

import html
from typing import Any

import pytest

from search import noanswer
from search.noanswer import Model


@pytest.fixture()
def always_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    models = {config: Model(model.features, model.weights, model.bias, 0.0)
              for config, model in noanswer.load_models().items()}
    monkeypatch.setattr(noanswer, "load_models", lambda: models)


def page(client: Any, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_confident_answer_lists_results_first(client: Any) -> None:
    body = page(client, "/search?q=refund")
    assert "Results for “refund”" in body
    assert "We don't have a good answer" not in body and "Articles that might be related" not in body


@pytest.mark.usefixtures("always_no_answer")
def test_no_good_answer_leads_with_the_likely_teams_contact(client: Any) -> None:
    body = page(client, "/search?q=refund+money+back")
    assert "We don't have a good answer for “refund money back”" in body
    assert "<h1>Results for" not in body
    contact = body.index("Ask our Billing team")  # the weak hits are billing articles
    assert "tel:08000000002" in body[contact:]  # billing front line, from the routing file
    weak = body.index("Articles that might be related")
    assert contact < weak  # the contact route first, the weak results below, labelled
    assert "These might not answer your question exactly." in body[weak:]
    assert "How do I get a refund?" in body[weak:]
    assert '<h3 class="result__title">' in body  # under the section's h2


@pytest.mark.usefixtures("always_no_answer")
def test_no_good_answer_follows_the_type_filter(client: Any) -> None:
    body = page(client, "/search?q=wifi+dropping&type=technical")
    contact = body.index("Ask our Technical support team")
    assert "tel:08000000001" in body[contact:]


@pytest.mark.usefixtures("always_no_answer")
def test_later_pages_keep_the_result_list(client: Any) -> None:
    """Past page 1 the reader asked for more results: the usual list (contact box below)."""
    body = page(client, "/search?q=refund&page=2")
    assert "We don't have a good answer" not in body


def test_triage_forwards_when_nothing_fits(client: Any, agent_headers: dict[str, str]) -> None:
    nothing = client.get("/api/v1/triage?q=xylophone", headers=agent_headers).get_json()
    assert nothing["no_good_answer"] is True and nothing["type"] is None
    # no hit hints at a type: general enquiries, the level after the front line
    assert nothing["route"]["queue"] == "Customer relations"
    assert nothing["route_summary"].startswith("General, Level 1: Customer relations")
    anonymous = client.get("/api/v1/triage?q=xylophone").get_json()
    assert anonymous["route"] is None  # routes are for agents only


@pytest.mark.usefixtures("always_no_answer")
def test_triage_forwards_to_the_weak_hits_team(client: Any, agent_headers: dict[str, str]) -> None:
    body = client.get("/api/v1/triage?q=refund", headers=agent_headers).get_json()
    assert body["no_good_answer"] is True
    assert body["route_summary"].startswith("Billing, Level 1: Billing resolutions")
