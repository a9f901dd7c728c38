"""Escalation routes and synonyms: the writer-maintained side files."""
from __future__ import annotations

from pathlib import Path

from kb.routing import DEFAULT_CHANNELS, Routing, load_routing
from kb.synonyms import load_synonyms
from tests.kb_support import FIXTURE_KB


def test_fixture_routing_loads_every_route() -> None:
    routing, problems = load_routing(FIXTURE_KB)
    assert problems == []
    assert len(routing.routes) == 12
    route = routing.route("billing", 1)
    assert route is not None
    assert route.describe() == ("Billing, Level 1: Billing resolutions, ext. 4102, billing@example.test, "
                                "8:00-20:00")
    assert route.as_dict()["contacts"] == {"phone": "ext. 4102", "email": "billing@example.test"}
    assert routing.channels["technical"] == ["phone", "chat", "email", "remote-desktop"]
    assert routing.route("billing", 7) is None


def test_json_round_trip() -> None:
    routing, _ = load_routing(FIXTURE_KB)
    again = Routing.from_json(routing.to_json())
    assert again.routes == routing.routes
    assert again.names == routing.names and again.channels == routing.channels


def test_missing_file_is_a_warning_with_default_channels(tmp_path: Path) -> None:
    routing, problems = load_routing(tmp_path)
    assert [p.format() for p in problems] == [
        "_routing.yml:1: warning: routing: no routing file "
        "(hint: create articles/_routing.yml (see the README))"]
    assert routing.channels == DEFAULT_CHANNELS and routing.routes == {}


def test_routing_problems(tmp_path: Path) -> None:
    (tmp_path / "_routing.yml").write_text(
        "billing:\n  channels: [phone, fax]\n  levels:\n    0: {queue: Front, pager: '123'}\n"
        "    5: {queue: X}\n"
        "    1: {hours: 9-5}\nsales: {}\n", encoding="utf-8")
    _, problems = load_routing(tmp_path)
    lines = [p.format() for p in problems]
    assert ("_routing.yml:1: error: billing.channels: unknown channel 'fax' (hint: use one of phone, chat, "
            "email, remote-desktop, portal, knowledge-base, tutorials, faq, chatbot)") in lines
    assert ("_routing.yml:1: error: billing.levels.0.pager: unknown key (hint: use queue, hours, notes, "
            "phone, chat, email, portal, remote_desktop)") in lines
    assert "_routing.yml:1: error: billing.levels.5: must be level 0, 1 or 2 with a 'queue'" in lines
    assert "_routing.yml:1: error: billing.levels.1: must be level 0, 1 or 2 with a 'queue'" in lines
    assert ("_routing.yml:1: error: sales: unknown support type "
            "(hint: use one of technical, billing, product, general)") in lines
    assert ("_routing.yml:1: warning: technical.levels.2: no route "
            "(hint: every support type needs a route for levels 0, 1 and 2)") in lines
    assert len([line for line in lines if "no route" in line]) == 11


def test_routing_must_be_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "_routing.yml").write_text("- a\n", encoding="utf-8")
    _, problems = load_routing(tmp_path)
    assert [p.format() for p in problems] == [
        "_routing.yml:1: error: routing: must map support types to routes"]


def test_synonym_groups(tmp_path: Path) -> None:
    groups, problems = load_synonyms(FIXTURE_KB)
    assert problems == []
    assert ["refund", "money back"] in groups and ["bill", "invoice", "statement"] in groups
    (tmp_path / "_synonyms.yml").write_text("- Bill, INVOICE,  Statement \n- [Money  Back, refund, refund]\n"
                                            "- [alone]\n", encoding="utf-8")
    groups, problems = load_synonyms(tmp_path)
    assert groups == [["bill", "invoice", "statement"], ["money back", "refund"]]
    assert [p.format() for p in problems] == [
        "_synonyms.yml:3: error: synonyms: group 3 needs at least two terms"]


def test_synonyms_must_be_a_list(tmp_path: Path) -> None:
    (tmp_path / "_synonyms.yml").write_text("bill: invoice\n", encoding="utf-8")
    groups, problems = load_synonyms(tmp_path)
    assert groups == []
    assert [p.format() for p in problems] == [
        "_synonyms.yml:1: error: synonyms: must be a list of groups "
        "(hint: write one group per line: '- [bill, invoice, statement]')"]
