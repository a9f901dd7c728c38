"""``updated`` defaults to the file's last commit date in git, else to its modification time."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from kb import load_knowledge_base
from kb.gitdates import last_commit_dates
from tests.kb_support import article, write_articles

GIT = ["git", "-c", "user.name=Writer", "-c", "user.email=writer@example.test", "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str, date: str = "2021-03-04T05:06:07+00:00") -> None:
    env = {**os.environ, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date}
    subprocess.run(GIT + ["-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A git repository whose ``articles/`` subfolder holds two committed articles and one new file."""
    root = write_articles(tmp_path / "articles", {
        "billing/refunds.md": article("Refunds"),
        "billing/fees.md": article("Fees", updated="2020-01-01"),
    })
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    (root / "billing" / "fees.md").write_text(article("Fees", updated="2020-01-01", body="Changed."), "utf-8")
    git(tmp_path, "commit", "-q", "-am", "second", date="2022-07-08T09:00:00+00:00")
    (root / "billing" / "new.md").write_text(article("Not committed yet"), encoding="utf-8")
    os.utime(root / "billing" / "new.md", (1_600_000_000, 1_600_000_000))
    return root


def test_last_commit_dates_relative_to_the_articles_folder(repo: Path) -> None:
    assert last_commit_dates(repo) == {"billing/refunds.md": dt.date(2021, 3, 4),
                                       "billing/fees.md": dt.date(2022, 7, 8),
                                       "_routing.yml": dt.date(2021, 3, 4)}


def test_article_updated_from_git_front_matter_or_mtime(repo: Path) -> None:
    articles = load_knowledge_base(repo).by_slug()
    assert articles["billing/refunds"].updated == dt.date(2021, 3, 4)
    assert articles["billing/fees"].updated == dt.date(2020, 1, 1)  # the writer's date wins
    assert articles["billing/new"].updated == dt.date.fromtimestamp(1_600_000_000)


def test_without_git_the_modification_date(tmp_path: Path) -> None:
    root = write_articles(tmp_path / "articles", {"billing/refunds.md": article("Refunds")})
    os.utime(root / "billing" / "refunds.md", (1_500_000_000, 1_500_000_000))
    assert last_commit_dates(root) == {}
    updated = load_knowledge_base(root).by_slug()["billing/refunds"].updated
    assert updated == dt.date.fromtimestamp(1_500_000_000)


def test_no_git_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert last_commit_dates(tmp_path) == {}
