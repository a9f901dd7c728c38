"""Golden queries: the writers' relevance tests, run against a scratch index of the current articles."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import load_knowledge_base
from kb.golden import load_golden
from search.golden import check_golden
from tests.kb_support import FIXTURE_KB

HINT = "(hint: improve the article's title, questions or summary, or the query's k)"


@pytest.fixture()
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(FIXTURE_KB, tmp_path / "articles")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "articles"


def test_fixture_golden_queries_pass(kb_dir: Path) -> None:
    kb = load_knowledge_base(kb_dir)
    assert [(g.query, g.expect, g.k, g.line) for g in kb.golden] == [
        ("money back", "billing/refund-policy", 1, 1),
        ("wireless keeps disconnecting", "technical/wifi-dropping", 1, 4)]
    assert check_golden(kb) == []


def test_failing_queries_name_the_line_and_what_ranked(kb_dir: Path) -> None:
    (kb_dir / "_queries.yml").write_text(
        "- query: money back\n  expect: billing/refund-policy\n  k: 1\n"
        "- query: reset my password\n  expect: billing/invoice-explained\n  k: 1\n"
        "- query: quixotic\n  expect: agents/goodwill-credits\n"
        "- query: quixotic\n  expect: agents/goodwill-credits\n  agent: true\n"
        "- query: reembolso\n  expect: es/billing/refund-policy\n  lang: en\n", encoding="utf-8")
    kb = load_knowledge_base(kb_dir)
    lines = [p.format() for p in check_golden(kb)]
    assert len(lines) == 3
    assert lines[0].startswith("articles/_queries.yml:4: error: expect: query 'reset my password': expected "
                               "'billing/invoice-explained' in the top 1, ranked ")
    assert "(top: technical/reset-password, " in lines[0] and lines[0].endswith(HINT)
    assert lines[1] == ("articles/_queries.yml:7: error: expect: query 'quixotic': expected "
                        "'agents/goodwill-credits' "
                        f"in the top 3, not in the top 10 (top: nothing) {HINT}")
    assert lines[2] == ("articles/_queries.yml:12: error: expect: query 'reembolso': expected "
                        f"'es/billing/refund-policy' in the top 3, not in the top 10 (top: nothing) {HINT}")


def test_golden_entries_are_read_with_their_lines(tmp_path: Path) -> None:
    (tmp_path / "_queries.yml").write_text("# comment\n- query: a\n  expect: b\n  k: 5\n  lang: es\n  agent: "
                                           "yes\n"
                                           "- query: c\n  expect: d\n", encoding="utf-8")
    queries, problems = load_golden(tmp_path)
    assert problems == []
    assert [(g.query, g.expect, g.k, g.lang, g.agent, g.line) for g in queries] == [
        ("a", "b", 5, "es", True, 2), ("c", "d", 3, "", False, 7)]


def test_the_served_index_seeds_the_scratch_build_and_stays_untouched(kb_dir: Path, tmp_path: Path) -> None:
    """--check starts from a copy of the served version: only changed articles are redone."""
    from search.indexer import build_index  # noqa: PLC0415
    from search.store import current_version, version_dir  # noqa: PLC0415
    served = tmp_path / "served"
    build_index(load_knowledge_base(kb_dir), served)
    name = current_version(served)
    before = sorted(p.name for p in version_dir(served, name).rglob("*"))
    edited = kb_dir / "billing" / "refund-policy.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("refund", "refund ", 1), encoding="utf-8")
    assert check_golden(load_knowledge_base(kb_dir), served) == []
    assert current_version(served) == name
    assert sorted(p.name for p in version_dir(served, name).rglob("*")) == before
    assert check_golden(load_knowledge_base(kb_dir), tmp_path / "missing") == []
