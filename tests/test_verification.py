"""Verification: owners (``owner`` field or ``_owners``), intervals (``_review.yml``), the
``review`` command, and "verified on / due" for agents only (API and console data)."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from commands import main
from kb import load_knowledge_base, validate
from kb.model import Article
from kb.owners import parse_owners
from kb.verification import assess, parse_review_config
from search.indexer import build_index
from tests.conftest import AGENT_TOKEN, FIXTURE_KB, make_app
from tests.test_access_sweep import without_echo
from tests.test_article_states import without_tokens

AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}
TODAY = "2025-06-15"
OWNERS = """# pattern          owners
*                  zq-content
billing/           zq-billing
technical/wifi-*   zq-network @zqnina
es/                # no owner: the Spanish translations
"""
REVIEW = """due_soon: 14
intervals:
  billing: 90
  technical: 180
  default: 365
folders:
  agents/: 30
"""
VERIFIED = {"billing/refund-policy": "verified: 2025-01-01\nverified_by: zqsam",
            "billing/invoice-explained": "verified: 2025-03-20",
            "billing/price-rise": "verified: 2025-06-01",
            "technical/wifi-dropping": "verified: 2025-01-01\nverified_by: zqnina",
            "agents/goodwill-credits": "verified: 2025-05-01\nowner: zq-fraud"}


def write_kb(base: Path) -> Path:
    articles = base / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    (articles / "_owners").write_text(OWNERS, encoding="utf-8")
    (articles / "_review.yml").write_text(REVIEW, encoding="utf-8")
    for slug, fields in VERIFIED.items():
        path = articles / f"{slug}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\n{fields}\n", 1),
                        encoding="utf-8")
    return articles


def article(slug: str, owner: str = "", type_: str = "billing") -> Article:
    return Article(slug=slug, path=f"articles/{slug}.md", title=slug, type=type_, level=0, body="x",
                   owner=owner)


def test_owners_last_match_wins_and_the_owner_field_overrides() -> None:
    owners, problems = parse_owners(OWNERS)
    assert problems == []
    assert owners.owners_of(article("billing/refund-policy")) == ["zq-billing"]
    assert owners.owners_of(article("general/hours")) == ["zq-content"]
    assert owners.owners_of(article("technical/wifi-dropping")) == ["zq-network", "@zqnina"]
    assert owners.owners_of(article("technical/wifi")) == ["zq-content"]
    assert owners.owners_of(article("es/billing/refund-policy")) == []  # no owner on the last match
    assert owners.owners_of(article("billing/x", owner="zq-a, zq-b")) == ["zq-a", "zq-b"]


def test_owner_patterns_anchor_like_codeowners() -> None:
    owners, _ = parse_owners("/billing/ zq-top\nagents/ zq-agents\nrefund-*.md zq-refunds\n")
    assert owners.owners_of(article("billing/late")) == ["zq-top"]
    assert owners.owners_of(article("es/billing/late")) == []  # anchored at the articles folder
    assert owners.owners_of(article("billing/agents/adjust")) == ["zq-agents"]  # any depth
    assert owners.owners_of(article("es/billing/refund-policy")) == ["zq-refunds"]
    owners, _ = parse_owners("billing/**/late-* zq-late\n")
    assert owners.owners_of(article("billing/late-payment")) == ["zq-late"]
    assert owners.owners_of(article("billing/agents/late-fees")) == ["zq-late"]


def test_bad_owner_lines_are_reported_with_their_line() -> None:
    _, problems = parse_owners("* zq-a\n!billing/ zq-b\nbilling/ zq b!d\n")
    assert [p.format() for p in problems] == [
        ("_owners:2: error: pattern: '!billing/': negated patterns ('!') are not supported "
        "(hint: use *, ** and ? with folder names, e.g. 'billing/' or '*.md')"),
        ("_owners:3: error: owner: invalid owner name 'b!d' "
        "(hint: owners are names like 'billing-team', '@sam' or 'sam@example.com')")]


def test_intervals_by_folder_then_type_then_default() -> None:
    config, problems = parse_review_config(REVIEW)
    assert problems == []
    assert config.interval_for(article("agents/goodwill-credits")) == 30
    assert config.interval_for(article("billing/refund-policy")) == 90
    assert config.interval_for(article("technical/x", type_="technical")) == 180
    assert config.interval_for(article("general/x", type_="general")) == 365
    assert config.due_soon == 14


def test_review_settings_errors_name_line_and_key() -> None:
    text = "intervals:\n  biling: 90\n  technical: 0\nfolders:\n  '!x/': 3\ndue_son: 3\n"
    _, problems = parse_review_config(text)
    assert [p.format() for p in problems] == [
        "_review.yml:6: error: due_son: unknown key (hint: did you mean 'due_soon'?)",
        "_review.yml:2: error: intervals.biling: unknown support type (hint: did you mean 'billing'?)",
        "_review.yml:3: error: intervals.technical: must be a whole number of days, 1 to 3650 (got 0)",
        ("_review.yml:5: error: folders.!x/: negated patterns ('!') are not supported "
        "(hint: use *, ** and ? with folder names)")]
    _, problems = parse_review_config("intervals: [90]\n")
    assert [p.format() for p in problems] == [
        "_review.yml:1: error: intervals: must map support types to days (hint: e.g. 'billing: 90')"]


def test_assess_due_overdue_never() -> None:
    day = dt.date(2025, 6, 15)
    assert assess(None, 90, day, 14).state == "never"
    assert assess(day - dt.timedelta(days=91), 90, day, 14).state == "overdue"
    assert assess(day - dt.timedelta(days=90), 90, day, 14).state == "due"
    assert assess(day - dt.timedelta(days=76), 90, day, 14).state == "due"
    assert assess(day - dt.timedelta(days=75), 90, day, 14).state == "ok"
    found = assess(day - dt.timedelta(days=100), 90, day, 14)
    assert (found.due, found.days_left) == (day - dt.timedelta(days=10), -10)


def test_check_reports_side_file_errors_and_future_verification(tmp_path: Path) -> None:
    articles = write_kb(tmp_path)
    (articles / "_review.yml").write_text("intervals:\n  billing: -5\n", encoding="utf-8")
    (articles / "_owners").write_text("* zq-a\nnowhere/ zq-b\n", encoding="utf-8")
    price = articles / "billing" / "price-rise.md"
    price.write_text(price.read_text(encoding="utf-8").replace("2025-06-01", "2999-01-01"),
                     encoding="utf-8")
    found = [p.format() for p in validate(load_knowledge_base(articles), today=dt.date(2025, 6, 15))]
    assert f"{articles}/_review.yml:2: error: intervals.billing: must be a whole number of days, 1 to " \
           "3650 (got -5)" in found
    assert f"{articles}/_owners:2: warning: pattern: 'nowhere/' matches no article " \
           "(hint: check the folder or file name)" in found
    assert f"{articles}/billing/price-rise.md:2: error: verified: date 2999-01-01 is in the future " \
           "(hint: write the date the article was last checked)" in found


EXPECTED_TEXT = f"""Verification review on {TODAY} (due: within 14 days)

zq-billing (2)
  overdue  billing/refund-policy      verified 2025-01-01 by zqsam, due 2025-04-01 (75 days overdue)
  due      billing/invoice-explained  verified 2025-03-20, due 2025-06-18 (in 3 days)

zq-content (1)
  never    technical/reset-password  never verified (every 180 days)

zq-fraud (1)
  overdue  agents/goodwill-credits  verified 2025-05-01, due 2025-05-31 (15 days overdue)

(no owner) (1)
  never    es/billing/refund-policy  never verified (every 90 days)

2 overdue, 1 due, 2 never verified, 1 unowned, 2 up to date (7 articles)
"""


def test_review_command_lists_by_owner(tmp_path: Path, capsys: Any) -> None:
    articles = write_kb(tmp_path)
    assert main(["review", "--articles", str(articles), "--today", TODAY]) == 1  # something overdue
    assert capsys.readouterr().out == EXPECTED_TEXT
    assert main(["review", "--articles", str(articles), "--today", TODAY, "--owner", "zq-content"]) == 0
    out = capsys.readouterr().out
    assert "technical/reset-password" in out and "billing/" not in out
    assert out.endswith("0 overdue, 0 due, 1 never verified, 0 unowned, 0 up to date (1 articles)\n")


def test_review_command_json(tmp_path: Path, capsys: Any) -> None:
    articles = write_kb(tmp_path)
    code = main(["review", "--articles", str(articles), "--today", TODAY, "--format", "json",
                 "--owner", "zq-billing"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["today"] == TODAY and data["due_soon_days"] == 14
    assert [g["owner"] for g in data["groups"]] == ["zq-billing"]
    first = data["groups"][0]["articles"][0]
    assert first == {"slug": "billing/refund-policy", "path": f"{articles}/billing/refund-policy.md",
                     "title": "How do I get a refund?", "type": "billing", "status": "published",
                     "owners": ["zq-billing"], "verified": "2025-01-01", "verified_by": "zqsam",
                     "interval_days": 90, "due": "2025-04-01", "days_left": -75, "state": "overdue"}
    assert data["counts"] == {"overdue": 1, "due": 1, "never": 0, "ok": 1, "unowned": 0, "articles": 3}


def test_review_command_refuses_an_owner_nobody_is(tmp_path: Path, capsys: Any) -> None:
    """A typo in ``--owner`` is an error, not an empty list a scheduled job would pass on."""
    articles = write_kb(tmp_path)
    assert main(["review", "--articles", str(articles), "--today", TODAY, "--owner", "zq-biling"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["Error: no served article is owned by 'zq-biling'",
                                "Hint: did you mean 'zq-billing'? owners: @zqnina, zq-billing, zq-content, "
                                "zq-fraud, zq-network"]


def test_review_command_refuses_invalid_settings(tmp_path: Path, capsys: Any) -> None:
    articles = write_kb(tmp_path)
    (articles / "_review.yml").write_text("intervals:\n  biling: 90\n", encoding="utf-8")
    assert main(["review", "--articles", str(articles)]) == 2
    err = capsys.readouterr().err
    assert f"{articles}/_review.yml:2: error: intervals.biling: unknown support type" in err
    assert main(["review", "--articles", str(articles), "--today", "2025-13-01"]) == 2


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("verification")
    build_index(load_knowledge_base(write_kb(base)), base / "index")
    return make_app(base / "index", base / "instance").test_client()


def test_agents_get_verification_on_every_article_and_hit(client: Any) -> None:
    view = client.get("/api/v1/articles/billing/refund-policy", headers=AGENT).get_json()
    check = view["verification"]
    expected = assess(dt.date(2025, 1, 1), 90, dt.date.today(), 14)
    assert check == {"owners": ["zq-billing"], "verified": "2025-01-01", "verified_by": "zqsam",
                     "interval_days": 90, "due": "2025-04-01", "days_left": expected.days_left,
                     "state": expected.state}
    never = client.get("/api/v1/articles/technical/reset-password", headers=AGENT).get_json()
    assert never["verification"]["state"] == "never" and never["verification"]["owners"] == ["zq-content"]
    body = client.get("/api/v1/search", query_string={"q": "refund"}, headers=AGENT).get_json()
    assert body["results"] and all("verification" in hit for hit in body["results"])


def test_anonymous_callers_never_get_review_data(client: Any) -> None:
    calls = [("/api/v1/articles/billing/refund-policy", {}), ("/api/v1/search", {"q": "refund"}),
             ("/api/v1/triage", {"q": "refund"}), ("/api/v1/articles/billing/refund-policy/related", {}),
             ("/articles/billing/refund-policy", {}), ("/search", {"q": "refund"}),
             ("/search.json", {"q": "refund"}), ("/api/v1/suggest", {"q": "ref"})]
    for path, params in calls:
        response = client.get(path, query_string=params)
        assert response.status_code == 200, path
        text = without_echo(without_tokens(response.get_data(as_text=True)), list(params.values()))
        for word in ("zq", "verification", "verified", "interval_days", "days_left"):
            assert word not in text.lower(), (path, word)
    view = client.get("/api/v1/articles/billing/refund-policy").get_json()
    assert not {"verification", "owner", "path"} & set(view)


def test_owners_file_changes_reach_the_served_version(tmp_path: Path) -> None:
    """No article changes, only ``_owners``: the incremental build still serves the new owner."""
    articles = write_kb(tmp_path)
    build_index(load_knowledge_base(articles), tmp_path / "index")
    (articles / "_owners").write_text("* zq-newteam\n", encoding="utf-8")
    summary = build_index(load_knowledge_base(articles), tmp_path / "index")
    assert summary.changed == 0
    client = make_app(tmp_path / "index", tmp_path / "instance").test_client()
    view = client.get("/api/v1/articles/billing/refund-policy", headers=AGENT).get_json()
    assert view["verification"]["owners"] == ["zq-newteam"]


def test_review_command_marks_articles_in_review(tmp_path: Path, capsys: Any) -> None:
    articles = write_kb(tmp_path)
    reset = articles / "technical" / "reset-password.md"
    reset.write_text(reset.read_text(encoding="utf-8").replace("---\n", "---\nstatus: review\n", 1),
                     encoding="utf-8")
    (articles / "technical" / "old.md").write_text(
        "---\ntitle: Old\ntype: technical\nlevel: 0\nstatus: archived\n---\n\nOld.\n", encoding="utf-8")
    main(["review", "--articles", str(articles), "--today", TODAY, "--owner", "zq-content"])
    out = capsys.readouterr().out
    assert "  never    technical/reset-password  never verified (every 180 days)  [in review]\n" in out
    assert "technical/old" not in out  # archived: not served, not reviewed
