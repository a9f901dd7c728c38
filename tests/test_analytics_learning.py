"""Learning from use: alternate questions and synonyms proposed from searches that worked.

Only from k distinct searchers (PROPOSAL_MIN_SESSIONS), never a personal-looking query, never
what the article already has; shown by ``build.py report`` and accepted with ``--apply-proposals``.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from analytics_support import Clock

import commands
from analytics import Recorder, open_store
from analytics.learning import question_proposals, successes, synonym_leads
from kb import load_knowledge_base

NOW = time.time()
REFUND = "billing/refund-policy"


def searched(rec: Recorder, clock: Clock, query: str, slug: str, client: str, *, position: int = 1,
             then: str | None = None, helpful: bool | None = None) -> None:
    """One searcher: searches, opens ``slug``; then maybe searches ``then`` or votes."""
    clock.now += 60
    rec.search(query, {}, 3, "site", client=client)
    clock.now += 5
    rec.click(query, slug, position, "site", client=client)
    if then:
        clock.now += 30
        rec.search(then, {}, 2, "site", client=client)
    if helpful is not None:
        clock.now += 40
        rec.feedback(slug, helpful, client=client)


def record(url: str, plan: list[tuple[str, str, int, dict]]) -> None:
    clock = Clock(NOW - 7200)
    rec = Recorder(url, retention_days=0, clock=clock)
    for number, (query, slug, searchers, extra) in enumerate(plan):
        for n in range(searchers):
            searched(rec, clock, query, slug, f"client{number}x{n}", **extra)
    assert rec.flush()
    rec.close()


@pytest.fixture()
def kb(articles_dir: Path):
    return load_knowledge_base(articles_dir)


def proposals(url: str, kb, k: int = 3):
    store = open_store(url)
    try:
        return question_proposals(successes(store, NOW - 86400), kb.by_slug().get, k)
    finally:
        store.close()


def test_proposed_with_k_searchers_and_not_with_fewer(tmp_path: Path, kb) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record(url, [("want my cash returned", REFUND, 3, {}),
                 ("return payment please", REFUND, 2, {})])
    found = [(p.slug, p.question, p.searchers) for p in proposals(url, kb)]
    assert found == [(REFUND, "want my cash returned", 3)]
    assert [p.question for p in proposals(url, kb, k=2)] == ["want my cash returned", "return payment please"]
    assert proposals(url, kb, k=4) == []


def test_personal_queries_are_never_proposed(tmp_path: Path, kb) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record(url, [("refund order 55512 please", REFUND, 4, {}),
                 ("refund to jo@example.com", REFUND, 4, {}),
                 ("refund my cancelled flight", REFUND, 4, {})])
    assert [p.question for p in proposals(url, kb)] == ["refund my cancelled flight"]


def test_reformulations_unhelpful_votes_and_existing_questions_are_left_out(tmp_path: Path, kb) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record(url, [("cash back", REFUND, 4, {"then": "how to get cash back"}),  # searched again: no success
                 ("repay me", REFUND, 4, {"helpful": False}),
                 ("Can I get my money back?", REFUND, 4, {}),  # already a question of the article
                 ("money back refund", REFUND, 3, {"helpful": True})])
    assert [(p.question, p.searchers, p.helpful) for p in proposals(url, kb)] == [("money back refund", 3, 3)]


def test_synonym_leads_pair_absent_query_words_with_the_articles_words(tmp_path: Path, kb) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record(url, [("can i get my dosh back", REFUND, 2, {}), ("get my dosh back", REFUND, 1, {})])
    store = open_store(url)
    found = successes(store, NOW - 86400)
    store.close()
    leads = synonym_leads(found, kb.by_slug().get, 3, kb.synonyms)
    assert [(lead.query_words, lead.article_words, lead.searchers) for lead in leads] == [("dosh", "money", 3)]
    assert synonym_leads(found, kb.by_slug().get, 4, kb.synonyms) == []
    assert synonym_leads(found, kb.by_slug().get, 3, [["dosh", "money"]]) == []


def test_report_shows_and_applies_proposals(tmp_path: Path, articles_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record(url, [("want my cash returned", REFUND, 3, {})])
    monkeypatch.setenv("KB_ANALYTICS_URL", url)
    monkeypatch.setenv("KB_ARTICLES_DIR", str(articles_dir))
    monkeypatch.setenv("KB_ANALYTICS_RETENTION_DAYS", "0")
    assert commands.dispatch(["report", "--since", "1d"]) == 0
    out = capsys.readouterr().out
    assert "Proposed alternate questions (1)" in out
    assert f"{REFUND:<20}  want my cash returned  3" in out
    assert "questions:\n  - can i get my money back\n  - refund for a cancelled order\n  - want my cash returned" in out
    path = articles_dir / f"{REFUND}.md"
    before = path.read_text()
    assert commands.dispatch(["report", "--since", "1d", "--apply-proposals", REFUND]) == 0
    assert "added 1 question(s)" in capsys.readouterr().out
    after = path.read_text()
    assert after == before.replace("  - refund for a cancelled order\n",
                                   "  - refund for a cancelled order\n  - want my cash returned\n")
    assert load_knowledge_base(articles_dir).by_slug()[REFUND].questions[-1] == "want my cash returned"
    assert commands.dispatch(["report", "--since", "1d", "--apply-proposals", REFUND]) == 0
    assert "no proposed questions" in capsys.readouterr().out  # now the article has it


@pytest.mark.parametrize("visitors, shown", [(3, True), (2, False)])
def test_admin_insights_table_from_real_visits(index_dir: Path, tmp_path: Path, visitors: int, shown: bool) -> None:
    from conftest import ADMIN_TOKEN, make_app  # noqa: PLC0415

    from web.shared.tracking import recorder  # noqa: PLC0415
    app = make_app(index_dir, tmp_path / "instance", ANALYTICS_URL=f"sqlite:///{tmp_path}/a.sqlite3")
    client = app.test_client()
    for n in range(visitors):  # each visitor searches, opens the refund article and stops there
        where = {"REMOTE_ADDR": f"198.51.100.{n + 1}"}
        client.get("/search?q=give+me+my+cash+back", environ_base=where)
        client.get(f"/articles/{REFUND}?q=give+me+my+cash+back&pos=1", environ_base=where)
    assert recorder(app).flush(10)
    page = client.get("/admin/insights?since=1d", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="proposed_questions"' in text
    section = text.split('id="proposed_questions"', 1)[1].split("</section>", 1)[0]
    assert ("<td>give me my cash back</td>" in section) is shown


@pytest.mark.parametrize("before, after", [
    ("---\ntitle: A\nquestions: [one, two]  # keep me\ntags: [x]\n---\nbody\n",
     "---\ntitle: A\nquestions: [one, two, new one, \"what's: this\"]  # keep me\ntags: [x]\n---\nbody\n"),
    ("---\r\ntitle: A\r\nquestions:\r\n    - one\r\n\r\ntags: [x]\r\n---\r\nbody\r\n",
     "---\r\ntitle: A\r\nquestions:\r\n    - one\r\n    - new one\r\n    - \"what's: this\"\r\n\r\ntags: [x]\r\n---\r\nbody\r\n"),
    ("---\ntitle: A\ntags: [x]\n---\nbody\n",
     "---\ntitle: A\nquestions: [new one, \"what's: this\"]\ntags: [x]\n---\nbody\n"),
])
def test_add_list_items_changes_only_the_list(before: str, after: str) -> None:
    import yaml  # noqa: PLC0415

    from kb.fmedit import add_list_items  # noqa: PLC0415
    assert add_list_items(before, "questions", ["new one", "what's: this"], after="title") == after
    front = after.replace("\r\n", "\n").split("---\n")[1]
    assert yaml.safe_load(front)["questions"][-2:] == ["new one", "what's: this"]
