"""``python build.py propose``: draft articles that load as valid drafts, never overwritten; synonym lines."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

import commands
from analytics import Recorder, open_store
from analytics.proposals import draft_articles, guess_type, slugify, synonym_pairs, write_synonyms
from analytics_support import Clock
from kb import load_knowledge_base, validate

NOW = time.time()


def record_gaps(url: str) -> None:
    clock = Clock(NOW - 3600)
    rec = Recorder(url, retention_days=0, clock=clock)
    for _ in range(3):
        rec.search("Cancel my contract", {}, 0, "site")
    rec.search("contract cancel", {"type": ["general"]}, 0, "site")
    rec.search("invoice in euros", {}, 0, "api")
    rec.search("call me 07700 900123", {}, 0, "site")  # masked: never proposed
    rec.search("refund", {}, 2, "site")  # has results: not a gap
    # rephrased in one tab: "broadband down" found nothing, "internet down" was clicked 30 s later
    for tab in ("tab-aaaaaaaa1", "tab-bbbbbbbb2"):
        clock.now += 60
        rec.search("broadband down", {}, 0, "site", session=tab)
        clock.now += 30
        rec.search("internet down", {}, 4, "site", session=tab)
        rec.click("internet down", "technical/wifi-dropping", 1, "site", session=tab)
    # session-less: seen once only, not proposed
    clock.now += 600
    rec.search("telly box", {}, 0, "site")
    clock.now += 20
    rec.search("tv box", {}, 3, "site")
    rec.click("tv box", "technical/reset-password", 1, "site")
    assert rec.flush()
    rec.close()


@pytest.fixture()
def gap_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    record_gaps(url)
    return url


def test_drafts_are_valid_draft_articles(gap_url: str, tmp_path: Path) -> None:
    out = tmp_path / "articles" / "drafts"
    store = open_store(gap_url)
    drafts = draft_articles(store, NOW - 86400, out, limit=10)
    store.close()
    assert [(d.path.name, d.type, d.questions, d.searches, d.written) for d in drafts] == [
        ("cancel-my-contract.md", "general", ["cancel my contract", "contract cancel"], 4, True),
        ("broadband-down.md", "technical", ["broadband down"], 2, True),
        ("invoice-in-euros.md", "billing", ["invoice in euros"], 1, True),
        ("telly-box.md", "general", ["telly box"], 1, True),
    ]
    kb = load_knowledge_base(tmp_path / "articles")
    expected = {"no routing file"}  # a bare folder has no _routing.yml; nothing else may be wrong
    assert [p.message for p in kb.problems + validate(kb) if p.message not in expected] == []
    article = kb.by_slug()["drafts/cancel-my-contract"]
    assert (article.title, article.type, article.level, article.status) == ("Cancel my contract", "general", 0, "draft")
    assert article.questions == ["cancel my contract", "contract cancel"]
    assert article.body.startswith("TODO:")
    assert kb.published == []  # drafts are never indexed


def test_existing_files_are_never_overwritten(gap_url: str, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    (out / "broadband-down.md").write_text("a writer's edits")
    store = open_store(gap_url)
    drafts = draft_articles(store, NOW - 86400, out, limit=2)
    store.close()
    assert [(d.path.name, d.written) for d in drafts] == [("cancel-my-contract.md", True),
                                                          ("broadband-down.md", False)]
    assert (out / "broadband-down.md").read_text() == "a writer's edits"


def test_queries_already_answered_are_skipped(gap_url: str, tmp_path: Path) -> None:
    store = open_store(gap_url)
    drafts = draft_articles(store, NOW - 86400, tmp_path / "d", known_questions=["Broadband down"])
    store.close()
    assert "broadband down" not in [q for d in drafts for q in d.questions]


def test_synonym_pairs_from_rephrased_searches(gap_url: str, tmp_path: Path) -> None:
    store = open_store(gap_url)
    pairs = synonym_pairs(store, NOW - 86400)
    assert [(p.terms, p.count) for p in pairs] == [(("broadband", "internet"), 2)]
    assert synonym_pairs(store, NOW - 86400, known_groups=[["broadband", "internet", "web"]]) == []
    assert synonym_pairs(store, NOW - 86400, window=10) == []  # the rephrasing came 30 s later
    store.close()
    first = write_synonyms(pairs, tmp_path)
    second = write_synonyms(pairs, tmp_path)
    assert (first.name, second.name) == ("_synonyms.proposed.yml", "_synonyms.proposed-2.yml")
    assert yaml.safe_load(first.read_text()) == [["broadband", "internet"]]


def test_sessionless_pairs_need_two_sightings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.sqlite3"
    clock = Clock(NOW - 3600)
    rec = Recorder(url, retention_days=0, clock=clock)
    for _ in range(2):
        clock.now += 300
        rec.search("telly box", {}, 0, "site")
        clock.now += 20
        rec.search("tv box", {}, 3, "site")
        rec.click("tv box", "technical/reset-password", 1, "site")
    assert rec.flush()
    rec.close()
    store = open_store(url)
    assert [(p.terms, p.count) for p in synonym_pairs(store, NOW - 86400)] == [(("telly", "tv"), 2)]
    store.close()


def test_propose_command(gap_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str], articles_dir: Path) -> None:
    monkeypatch.setenv("KB_ANALYTICS_URL", gap_url)
    monkeypatch.setenv("KB_ARTICLES_DIR", str(articles_dir))
    out = articles_dir / "drafts"
    assert commands.dispatch(["propose", "--out", str(out), "--since", "1d", "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (f"wrote {out / 'cancel-my-contract.md'} (general, 4 searches: "
                        "cancel my contract; contract cancel)")
    assert lines[-1] == ("2 draft(s) written, 0 kept, 1 synonym proposal(s). "
                         "Review them with git diff / git status.")
    assert sorted(p.name for p in out.iterdir()) == ["_synonyms.proposed.yml", "broadband-down.md",
                                                    "cancel-my-contract.md"]
    kb = load_knowledge_base(articles_dir)
    assert [p for p in validate(kb) if p.severity == "error"] == []
    before = (out / "cancel-my-contract.md").read_text()
    # a second run treats the drafts' questions as answered and proposes the next gaps
    assert commands.dispatch(["propose", "--out", str(out), "--since", "1d", "--limit", "2"]) == 0
    assert "wrote" in capsys.readouterr().out and (out / "invoice-in-euros.md").is_file()
    assert (out / "cancel-my-contract.md").read_text() == before


def test_propose_needs_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert commands.dispatch(["propose"]) == 2
    assert "--out" in capsys.readouterr().err


@pytest.mark.parametrize("queries, filters, expected", [
    (["refund for my bill"], [], "billing"),
    (["router keeps disconnecting", "wifi not working"], [], "technical"),
    (["how to add a line"], [], "product"),
    (["opening hours"], [], "general"),
    (["opening hours"], ["product", "product", "billing"], "product"),
])
def test_guess_type(queries: list[str], filters: list[str], expected: str) -> None:
    assert guess_type(queries, filters) == expected


def test_slugify() -> None:
    assert slugify("Can't log in -- ÉCRAN noir!") == "can't-log-in-cran-noir".replace("'", "'")
    assert slugify("???") == "untitled"
