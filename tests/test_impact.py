"""``python build.py impact``: the search impact of a change, over real git repositories.

The repository below holds six articles and a golden file on ``main``; the ``writer`` branch
retitles one article, deletes one, renames one and (uncommitted) adds one, so the moves are known
in advance: the old title of the retitled article loses it and promotes the only other article
that mentions a router, the deleted article's golden query regresses and its title finds nothing,
the new article enters the top 3 of a query it answers, and the renamed article changes nothing.
"""
from __future__ import annotations

import contextlib
import io
import json
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

import build
from analytics import Recorder
from commands.impact_format import COMMENT_LIMIT, MARKER, format_markdown
from kb import load_knowledge_base
from kb.changes import ArticleChanges, compare
from kb.gitrev import GitError, export_folder, resolve
from kb.golden import GoldenQuery
from search.impact import collect_probes
from search.impact_report import Impact, Move, Probe, ProbeInfo, QueryChange, compare_runs
from tests.kb_support import article, write_articles

ROOT = Path(__file__).resolve().parent.parent
OLD_TITLE = "Reset your router"
ROAMING = ("Roaming in Europe costs nothing extra on most plans. Outside Europe a daily charge "
           "applies from the first call, text or megabyte. Turn data roaming off in settings.")
ARTICLES = {
    "technical/reset-router.md": article(OLD_TITLE, "technical", body="Hold the pin for ten seconds."),
    "technical/slow-broadband.md": article("Slow broadband speeds", "technical",
                                           body="If speeds drop, reset your router first."),
    "billing/refund-policy.md": article("Refund policy", questions=["where is my money"],
                                        body="Refunds are paid within five days."),
    "billing/payment-methods.md": article("Payment methods", questions=["can i pay by bank transfer"],
                                          body="We take cards, direct debit and bank transfer."),
    "product/roaming.md": article("Using a phone abroad", "product",
                                  questions=["roaming charges in europe"], body=ROAMING),
    "general/contact-us.md": article("Contact us", "general", questions=["talk to a person"],
                                     body="Call 0800 123 456 or chat with us."),
}
GOLDEN = """- query: where is my money
  expect: billing/refund-policy
  k: 1
- query: can i pay by bank transfer
  expect: billing/payment-methods
  k: 1
- query: roaming charges in europe
  expect: {roaming}
  k: 1
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Writer", "-c", "user.email=w@example.org",
                           *args], check=True, capture_output=True, text=True).stdout.strip()


def make_repo(root: Path) -> Path:
    """``main`` with the six articles, then the ``writer`` branch with its changes checked out."""
    repo = root / "repo"
    articles = write_articles(repo / "articles", ARTICLES, routing=False)
    (articles / "_queries.yml").write_text(GOLDEN.format(roaming="product/roaming"), encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Six articles")
    git(repo, "checkout", "-q", "-b", "writer")
    (articles / "technical/reset-router.md").write_text(
        article("Restart the hub", "technical", body="Hold the pin for ten seconds."), encoding="utf-8")
    git(repo, "rm", "-q", "articles/billing/refund-policy.md")
    git(repo, "mv", "articles/product/roaming.md", "articles/product/roaming-abroad.md")
    (articles / "_queries.yml").write_text(GOLDEN.format(roaming="product/roaming-abroad"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Retitle, delete, rename")
    write_articles(articles, {"general/visit-a-shop.md": article(
        "Visit a shop", "general", body="Talk to a person face to face in any of our shops.")}, routing=False)
    return repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("impact"))


@pytest.fixture(autouse=True)
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No served index, no analytics store, no embeddings (the comparison is lexical and fast)."""
    for name in ("KB_ARTICLES_DIR", "KB_INDEX_DIR", "KB_ANALYTICS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KB_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("KB_SEMANTIC", "off")
    return tmp_path / "instance"


def impact(capsys: pytest.CaptureFixture[str], repo: Path, *argv: str) -> tuple[int, str, str]:
    code = build.main(["impact", "--articles", str(repo / "articles"), "--index", str(repo / "no-index"),
                       *argv])
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys: pytest.CaptureFixture[str], repo: Path, *argv: str) -> dict[str, Any]:
    code, out, err = impact(capsys, repo, "--format", "json", *argv)
    assert code == 0, err
    return json.loads(out)


def top3(report: dict[str, Any], query: str) -> dict[str, Any]:
    found = [c for c in report["top3"] if c["query"] == query]
    assert found, f"{query!r} not among {[c['query'] for c in report['top3']]}"
    return found[0]


@pytest.fixture(scope="module")
def report(repo: Path) -> Iterator[dict[str, Any]]:
    """The JSON report of the writer branch against main (one run shared by the checks below)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KB_SEMANTIC", "off")
        patch.setenv("KB_INSTANCE_DIR", str(repo.parent / "instance"))
        patch.delenv("KB_ANALYTICS_URL", raising=False)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = build.main(["impact", "--base", "main", "--format", "json",
                               "--articles", str(repo / "articles"),
                        "--index", str(repo / "no-index")])
        assert code == 0
        yield json.loads(out.getvalue())


def test_article_changes_with_the_rename_detected(report: dict[str, Any]) -> None:
    assert report["articles"] == {
        "added": ["general/visit-a-shop"], "removed": ["billing/refund-policy"],
        "changed": ["technical/reset-router"],
        "renamed": [{"from": "product/roaming", "to": "product/roaming-abroad"}],
        "status": [], "side_files": ["_queries.yml"]}


def test_retitled_article_loses_its_old_title_query(report: dict[str, Any]) -> None:
    change = top3(report, OLD_TITLE)
    assert change["sources"] == ["title"]
    assert change["before"][:2] == ["technical/reset-router", "technical/slow-broadband"]
    assert change["after"] == ["technical/slow-broadband"]
    assert change["moves"] == [
        {"slug": "technical/reset-router", "kind": "lost", "before": 1, "after": None},
        {"slug": "technical/slow-broadband", "kind": "moved", "before": 2, "after": 1}]


def test_new_article_gains_a_query_it_answers(report: dict[str, Any]) -> None:
    change = top3(report, "talk to a person")
    assert change["moves"] == [{"slug": "general/visit-a-shop", "kind": "gained", "before": None, "after": 2}]


def test_deleted_article_fails_its_golden_query_and_its_title_finds_nothing(report: dict[str, Any]) -> None:
    assert report["summary"]["golden"] == {"regressed": 1, "fixed": 0, "failing": 0, "passing": 2,
                                           "dropped": 0}
    assert report["golden"] == [{"query": "where is my money", "expect": "billing/refund-policy",
                                 "k": 1, "agent": False, "lang": "", "before": 1, "after": None,
                                 "status": "regressed"}]
    empty = {c["query"]: c for c in report["now_empty"]}
    assert empty["Refund policy"]["before"] == ["billing/refund-policy"]
    assert "where is my money" in empty


def test_renamed_article_moves_nothing_and_new_title_is_answered(report: dict[str, Any]) -> None:
    assert not [c for c in report["top3"] if any("roaming" in m["slug"] for m in c["moves"])]
    answered = {c["query"]: c["after"] for c in report["now_answered"]}
    assert answered["Restart the hub"] == ["technical/reset-router"]
    assert report["unreached"] == []
    assert report["summary"]["top3_changed"] == len(report["top3"]) >= 2
    assert set(report["seconds"]) == {"build_head", "build_base", "queries", "total"}


def test_strict_exits_1_on_a_golden_regression_only(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, _out, err = impact(capsys, repo, "--base", "main", "--strict")
    assert code == 1
    assert err.splitlines()[-1] == "Error: 1 golden query(ies) passed on the base and fail now"
    code, out, err = impact(capsys, repo, "--base", "writer", "--strict")  # only the new article differs
    assert code == 0, err
    assert "golden: 0 regressed" in out


def test_markdown_is_a_compact_pull_request_comment(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, out, _err = impact(capsys, repo, "--base", "main", "--format", "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == [MARKER, "### Search impact"]
    assert lines[3].startswith("⚠️ 1 golden query regressed · base: main (")
    assert "| regressed | where is my money | `billing/refund-policy` (top 1) | 1→- |" in lines
    assert (f"| {OLD_TITLE} <sub>title</sub> | - `technical/reset-router` 1→-<br>"
            "~ `technical/slow-broadband` 2→1 |") in lines
    assert "| renamed | `product/roaming` → `product/roaming-abroad` |" in lines
    assert out.count("<details>") == out.count("</details>")


def test_text_report(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, out, _err = impact(capsys, repo, "--base", "main")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Search impact of the working tree against main (")
    assert "  renamed  product/roaming -> product/roaming-abroad" in lines
    assert ("  REGRESSED: 'where is my money' expects billing/refund-policy in the top 1: "
            "rank 1 -> -") in lines
    at = lines.index(f"  '{OLD_TITLE}' [title]")
    assert lines[at + 1:at + 3] == ["      - technical/reset-router (lost 1 -> -)",
                                    "      ~ technical/slow-broadband (moved 2 -> 1)"]


def test_default_base_is_the_merge_base_with_main(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    report = as_json(capsys, repo)
    assert report["base"].startswith("merge base with main (")
    assert report["summary"]["golden"]["regressed"] == 1


def test_unknown_base_ref_and_no_repository(capsys: pytest.CaptureFixture[str], repo: Path,
                                            tmp_path: Path) -> None:
    code, out, err = impact(capsys, repo, "--base", "no-such-branch")
    assert (code, out) == (1, "")
    assert err.startswith("Error: unknown base ref 'no-such-branch': no such branch, tag or commit")
    plain = write_articles(tmp_path / "articles", {"a.md": article()}, routing=False)
    code, out, err = impact(capsys, plain.parent)
    assert (code, out) == (1, "")
    assert err.strip() == f"Error: {plain} is not inside a git repository (impact compares git revisions)"


def test_real_searches_from_analytics_are_run(capsys: pytest.CaptureFixture[str], repo: Path,
                                              settings: Path) -> None:
    settings.mkdir()
    url = f"sqlite:///{settings}/analytics.sqlite3"
    recorder = Recorder(url, retention_days=0)
    for _ in range(4):
        recorder.search("refunds paid", {}, 1, "site")
    recorder.search("five days refund", {}, 1, "site")
    assert recorder.flush()
    recorder.close()
    old = Recorder(url, retention_days=0, clock=lambda: time.time() - 40 * 86400)
    for _ in range(9):  # the most frequent search, but 40 days ago
        old.search("paid within five days", {}, 1, "site")
    assert old.flush()
    old.close()
    report = as_json(capsys, repo, "--base", "main")
    empty = {c["query"]: c for c in report["now_empty"]}
    assert empty["refunds paid"]["sources"] == ["search"]
    assert empty["refunds paid"]["searches"] == 4
    assert empty["five days refund"]["searches"] == 1
    assert "paid within five days" not in empty  # older than the last 30 days
    longer = as_json(capsys, repo, "--base", "main", "--analytics-days", "60")
    assert "paid within five days" in {c["query"] for c in longer["now_empty"]}
    most = as_json(capsys, repo, "--base", "main", "--analytics-limit", "1")
    assert {c["query"] for c in most["now_empty"] if "search" in c["sources"]} == {"refunds paid"}
    without = as_json(capsys, repo, "--base", "main", "--analytics-days", "0")
    assert "refunds paid" not in {c["query"] for c in without["now_empty"]}


def test_export_gives_base_articles_their_commit_dates(repo: Path, tmp_path: Path) -> None:
    """The base's content hashes match a build at that commit (unchanged articles are not redone)."""
    assert export_folder(repo / "articles", resolve(repo, "main"), tmp_path / "base")
    base, head = load_knowledge_base(tmp_path / "base"), load_knowledge_base(repo / "articles")
    hashes = {a.slug: a.content_hash for a in head.articles}
    assert hashes["technical/slow-broadband"] == {a.slug: a.content_hash for a in base.articles}[
        "technical/slow-broadband"]
    with pytest.raises(GitError, match="unknown base ref"):
        resolve(repo, "--help")


def test_rename_declared_by_redirect_from(tmp_path: Path) -> None:
    base = write_articles(tmp_path / "base", {"a/old.md": article("Old", body="one")}, routing=False)
    head = write_articles(tmp_path / "head", {"b/new.md": article(
        "Entirely new words", body="nothing alike at all", redirect_from=["/articles/a/old"])}, routing=False)
    changes = compare(load_knowledge_base(base), load_knowledge_base(head))
    assert (changes.renamed, changes.added, changes.removed) == ({"a/old": "b/new"}, [], [])


def test_unreached_articles_and_moves_from_known_runs() -> None:
    """The comparison alone: an article in no query's top 10 any more, and every kind of move."""
    q1, q2, q3 = Probe("router"), Probe("billing"), Probe("wifi")
    probes = {q1: ProbeInfo({"title"}), q2: ProbeInfo({"search"}, 7), q3: ProbeInfo({"golden"})}
    before = {q1: ["a", "b", "c", "d"], q2: ["x", "old"], q3: ["x", "e"]}
    after = {q1: ["c", "a", "e"], q2: ["x", "new"], q3: ["x", "e"]}
    golden_before = [GoldenQuery("billing", "old", 2), GoldenQuery("wifi", "x", 1),
                     GoldenQuery("router", "b", 2), GoldenQuery("router", "c", 1)]
    golden_after = [GoldenQuery("router", "b", 2), GoldenQuery("billing", "new", 2),
                    GoldenQuery("wifi", "e", 1), GoldenQuery("router", "c", 1),
                    GoldenQuery("router", "a", 1), GoldenQuery("router", "e", 3)]
    impact = compare_runs(probes, before, after, ArticleChanges(renamed={"old": "new"}),
                          (golden_before, golden_after),
                          {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E", "x": "X", "new": "N"})
    assert [c.query for c in impact.top3] == ["router"]
    assert impact.top3[0].moves == [Move("a", "moved", 1, 2), Move("b", "lost", 2, None),
                                    Move("c", "moved", 3, 1), Move("e", "gained", None, 3)]
    assert impact.unreached == [{"slug": "b", "title": "B", "new": False},
                                {"slug": "d", "title": "D", "new": False}]
    assert [(g.query, g.expect, g.status, g.before, g.after) for g in impact.golden] == [
        ("router", "b", "regressed", 2, None), ("router", "c", "fixed", 3, 1),
        ("router", "a", "failing", 1, 2),  # new in the golden file: failing, not a regression
        ("wifi", "e", "failing", 2, 2), ("billing", "new", "passing", 2, 2),
        ("router", "e", "passing", None, 3),  # new and passing: not "fixed"
        ("wifi", "x", "dropped", 1, 1)]
    assert [g.query for g in impact.regressions] == ["router"]


def test_long_markdown_is_folded_and_fits_in_one_comment() -> None:
    changes = [QueryChange(f"query {n} " + "x" * 600, ["search"], False, "", 2000 - n, ["a"], ["b"],
                           [Move("a", "lost", 1, None), Move("b", "gained", None, 1)]) for n in range(2000)]
    impact = Impact("main", "the working tree", ArticleChanges(), 2000, changes, [], [], [], [])
    text = format_markdown(impact)
    assert len(text) <= COMMENT_LIMIT
    assert "<details><summary><b>Queries whose top 3 changed (2000)</b></summary>" in text
    assert "more (`--format json` lists all)" in text
    assert text.count("| query 0 x") == 1


def test_queries_differing_in_case_or_spacing_run_once(tmp_path: Path) -> None:
    files = {"billing/refunds.md": article("Refunds", questions=["money  back"])}
    root = write_articles(tmp_path / "kb", files, routing=False)
    (root / "_queries.yml").write_text("- query: REFUNDS\n  expect: billing/refunds\n- query: Money back\n"
                                       "  expect: billing/refunds\n", encoding="utf-8")
    probes = collect_probes([load_knowledge_base(root)])
    assert [(p.text, sorted(i.sources)) for p, i in probes.items()] == [
        ("REFUNDS", ["golden", "title"]), ("Money back", ["golden", "question"])]


def test_markdown_quotes_customer_text_safely() -> None:
    query = "<img src=x> ask @support | now"
    empty = [QueryChange(query, ["search"], False, "", 3, ["billing/refunds"], [])]
    text = format_markdown(Impact("main", "the working tree", ArticleChanges(), 1, [], [], empty, [], []))
    assert ("| &lt;img src=x&gt; ask &#64;support \\| now <sub>search, 3 searches</sub> | "
            "`billing/refunds` |") in text.splitlines()
    assert "<img" not in text and "@support" not in text


def test_unknown_base_in_a_shallow_clone_says_to_fetch_history(capsys: pytest.CaptureFixture[str], repo: Path,
                                                                tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "writer", f"file://{repo}", str(clone))
    code, _out, err = impact(capsys, clone, "--base", "main")
    assert code == 1
    assert err.startswith("Error: unknown base ref 'main'")
    assert "this clone is shallow: fetch the history (git fetch --unshallow, or fetch-depth: 0 in CI)" in err


def test_moved_and_edited_article_is_a_rename_unrelated_ones_are_not(tmp_path: Path) -> None:
    base = write_articles(tmp_path / "base", {"a/roaming.md": article("Roaming", body=ROAMING),
                                              "a/refunds.md": article("Refunds", body="Paid in five days.")},
                          routing=False)
    head = write_articles(tmp_path / "head", {
        "b/roaming-abroad.md": article("Roaming abroad", body=ROAMING.replace("most", "all")),
        "b/shops.md": article("Shops", body="Visit any of our shops.")}, routing=False)
    changes = compare(load_knowledge_base(base), load_knowledge_base(head))
    assert changes.renamed == {"a/roaming": "b/roaming-abroad"}
    assert changes.added == ["b/shops"]
    assert (changes.removed, changes.changed) == (["a/refunds"], ["b/roaming-abroad"])


def test_documented_json_shape_matches(report: dict[str, Any]) -> None:
    text = (ROOT / "docs" / "impact.md").read_text(encoding="utf-8")
    documented = json.loads(text.split("## JSON shape\n\n```json\n", 1)[1].split("\n```", 1)[0])
    assert documented.keys() == report.keys()
    for key in ("summary", "articles"):
        assert documented[key].keys() == report[key].keys()
    assert documented["summary"]["golden"].keys() == report["summary"]["golden"].keys()
    assert documented["top3"][0].keys() == report["top3"][0].keys()
    assert documented["golden"][0].keys() == report["golden"][0].keys()


@pytest.mark.parametrize("workflow", ["github-impact.yml", "gitlab-impact.yml"])
def test_ci_workflows_run_impact_with_options_that_exist(workflow: str) -> None:
    from commands.impact import _parser  # noqa: PLC0415
    text = (ROOT / "docs" / "ci" / workflow).read_text(encoding="utf-8")
    yaml.safe_load(text)
    command = text.split("python build.py ", 1)[1].split("\\\n", 1)[0]
    args = _parser().parse_args(shlex.split(command.replace("$", "")))
    assert (args.format, args.strict, bool(args.base)) == ("markdown", True, True)
    assert MARKER in text
