"""The writers' review loop over a real git repository: article states, old URLs, owners and
verification as a writer's branch changes them, and the impact report of that branch.

``main`` holds five articles, an ``_owners`` file and ``_review.yml``; the ``writer`` branch moves
one article with ``git mv`` (keeping its old URL through ``redirect_from``), archives one with a
replacement and one without, and records the check of an overdue article.
"""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

import build
from tests.conftest import AGENT_TOKEN, make_app
from tests.kb_support import article, write_articles
from tests.translations_support import commit, git, replace_in

AGENT = {"Authorization": f"Bearer {AGENT_TOKEN}"}
TODAY = "2026-03-01"
OWNERS = "*  zq-care\nbilling/  zq-billing\n"
REVIEW = "intervals:\n  billing: 90\n  default: 365\nfolders:\n  technical/: 30\n"
ARTICLES = {
    "billing/refunds.md": article("How do I get a refund?", questions=["can i get my money back"],
                                  body="Refunds go back to the card you paid with within five days.",
                                  verified="2026-02-01", verified_by="zqsam"),
    "billing/paper-bills.md": article("Paper bills by post", body="We post a paper bill each month."),
    "billing/online-bills.md": article("View your bill online", questions=["where is my bill"],
                                       body="Sign in to the portal and open Bills to see each bill."),
    "technical/dial-up.md": article("Dial-up modem settings", "technical",
                                    body="Set the modem to dial 0845 and wait for the handshake."),
    "technical/reset-router.md": article("Reset your router", "technical", owner="zq-network",
                                         body="Hold the pin in the back for ten seconds.",
                                         verified="2025-11-01", verified_by="zqnina"),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``main`` as above, then the ``writer`` branch with its changes committed and checked out."""
    root = tmp_path_factory.mktemp("loop") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    articles = write_articles(root / "articles", ARTICLES)
    (articles / "_owners").write_text(OWNERS, encoding="utf-8")
    (articles / "_review.yml").write_text(REVIEW, encoding="utf-8")
    (articles / "_queries.yml").write_text("- query: can i get my money back\n  expect: billing/refunds\n"
                                           "  k: 1\n", encoding="utf-8")
    commit(root, "Five articles")
    git(root, "switch", "-q", "-c", "writer")
    git(root, "mv", "articles/billing/refunds.md", "articles/billing/refund-policy.md")
    replace_in(articles / "billing/refund-policy.md", "verified:",
               "redirect_from: [/articles/billing/refunds]\nverified:")
    replace_in(articles / "_queries.yml", "billing/refunds", "billing/refund-policy")
    replace_in(articles / "billing/paper-bills.md", "level: 0\n",
               "level: 0\nstatus: archived\nreplaced_by: billing/online-bills\n")
    replace_in(articles / "technical/dial-up.md", "level: 0\n", "level: 0\nstatus: archived\n")
    replace_in(articles / "technical/reset-router.md", "verified: 2025-11-01", "verified: 2026-02-20")
    commit(root, "Move refunds, archive paper bills and dial-up, check the router article")
    return root


def run(repo: Path, *argv: str) -> tuple[int, str]:
    """``build.py`` in the repository; its exit code and standard output."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.chdir(repo)
        patch.delenv("KB_ANALYTICS_URL", raising=False)
        patch.setenv("KB_ARTICLES_DIR", str(repo / "articles"))
        patch.setenv("KB_INDEX_DIR", str(repo.parent / "no-index"))
        patch.setenv("KB_INSTANCE_DIR", str(repo.parent / "instance"))
        patch.setenv("KB_SEMANTIC", "off")
        code = build.main([*argv])
    return code, out.getvalue()


def review(repo: Path, branch: str) -> tuple[int, dict[str, Any]]:
    git(repo, "switch", "-q", branch)
    try:
        code, out = run(repo, "review", "--format", "json", "--today", TODAY)
    finally:
        git(repo, "switch", "-q", "writer")
    return code, json.loads(out)


def states(report: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {a["slug"]: (a["state"], a["owners"]) for group in report["groups"] for a in group["articles"]}


def test_review_on_each_branch(repo: Path) -> None:
    """Owners from ``_owners`` (the ``owner`` field wins), intervals by type and folder; the
    branch's check clears the overdue article and its archived articles leave the list."""
    code, before = review(repo, "main")
    assert code == 1
    assert states(before) == {"technical/reset-router": ("overdue", ["zq-network"]),
                              "technical/dial-up": ("never", ["zq-care"]),
                              "billing/paper-bills": ("never", ["zq-billing"]),
                              "billing/online-bills": ("never", ["zq-billing"])}
    code, after = review(repo, "writer")
    assert code == 0
    assert states(after) == {"billing/online-bills": ("never", ["zq-billing"])}
    assert after["counts"] == {"overdue": 0, "due": 0, "never": 1, "ok": 2, "unowned": 0, "articles": 3}


def test_the_branch_build_keeps_old_urls_and_withdraws_archived_ones(repo: Path, tmp_path: Path) -> None:
    assert run(repo, "--index", str(tmp_path / "index"), "-q")[0] == 0
    client = make_app(tmp_path / "index", tmp_path / "instance").test_client()
    moved = client.get("/articles/billing/refunds")
    assert (moved.status_code, moved.headers["Location"]) == (301, "/articles/billing/refund-policy")
    assert client.get("/api/v1/articles/billing/refunds").status_code == 301
    replaced = client.get("/articles/billing/paper-bills")
    assert (replaced.status_code, replaced.headers["Location"]) == (301, "/articles/billing/online-bills")
    assert client.get("/articles/technical/dial-up").status_code == 410
    view = client.get("/api/v1/articles/technical/reset-router", headers=AGENT).get_json()
    assert view["verification"]["verified"] == "2026-02-20"
    assert view["verification"]["owners"] == ["zq-network"]


def test_impact_of_the_branch(repo: Path) -> None:
    """The move is a rename (its golden query still passes); the archived articles lose their
    own titles, and only the one without a replacement leaves a query unanswered."""
    code, out = run(repo, "impact", "--format", "json", "--strict")
    assert code == 0
    report = json.loads(out)
    assert report["base"].startswith("merge base with main (")
    assert report["articles"]["renamed"] == [{"from": "billing/refunds", "to": "billing/refund-policy"}]
    assert report["articles"]["removed"] == []
    assert report["articles"]["changed"] == ["billing/paper-bills", "billing/refund-policy",
                                             "technical/dial-up", "technical/reset-router"]
    assert report["articles"]["status"] == [
        {"slug": "billing/paper-bills", "from": "published", "to": "archived",
         "replaced_by": "billing/online-bills"},
        {"slug": "technical/dial-up", "from": "published", "to": "archived", "replaced_by": ""}]
    assert report["summary"]["golden"]["regressed"] == 0
    empty = {c["query"]: c["before"] for c in report["now_empty"]}
    assert empty["Dial-up modem settings"] == ["technical/dial-up"]
    lost = {(c["query"], m["slug"]) for c in report["top3"] for m in c["moves"] if m["kind"] == "lost"}
    assert ("Paper bills by post", "billing/paper-bills") in lost | {
        (c["query"], s) for c in report["now_empty"] for s in c["before"]}
    assert not [m for c in report["top3"] for m in c["moves"]
                if "refund" in m["slug"] and m["kind"] != "moved"]  # moved up where paper bills left


def test_impact_names_status_changes_in_the_comment(repo: Path) -> None:
    code, out = run(repo, "impact", "--format", "markdown")
    assert code == 0
    rows = out.splitlines()
    assert "| renamed | `billing/refunds` → `billing/refund-policy` |" in rows
    assert ("| archived | `billing/paper-bills` (was published; replaced by `billing/online-bills`) |"
            in rows)
    assert "| archived | `technical/dial-up` (was published) |" in rows
    assert "| changed | `technical/reset-router` |" in rows
    assert "| changed | `technical/dial-up` |" not in rows  # its status row says it
    code, out = run(repo, "impact")
    line = "  archived billing/paper-bills (was published; replaced by billing/online-bills)"
    assert line in out.splitlines()
