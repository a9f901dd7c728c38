"""Full builds on several processes (search/bulk.py) give the index a one-process build gives: the
same top 10 for every query, the same typo vocabulary and metadata; the fast paths they use (fused
analysis, near-title windows, pages rendered when served) give what the slow ones gave."""
from __future__ import annotations

import json
import random
import re
import shutil
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import fuzz, process, utils

from kb import load_knowledge_base
from kb.markup import render_html
from kb.model import Article
from kb.titles import NEAR_DUPLICATE_TITLE, close_pairs
from search import Engine, SearchRequest, bulk
from search.analysis import FIELD_LANGUAGES, analyzer_for, index_terms, terms
from search.documents import stored_data
from search.indexer import build_index
from search.rendering import article_html
from search.store import current_version, version_dir
from search.viewer import AGENT, ANONYMOUS

DEMO = Path(__file__).resolve().parent.parent / "articles"
WORDS = ["router", "modem", "invoice", "refund", "password", "login", "account", "billing", "signal",
         "battery", "roaming", "voicemail", "upgrade", "contract", "porting", "number", "sim", "card",
         "payment", "overdue", "credit", "plan", "data", "hotspot", "wifi", "outage", "engineer",
         "appointment", "delivery", "parcel", "tracking", "warranty", "repair"]


def generated_kb(root: Path, count: int = 120) -> Path:
    """The demo knowledge base plus ``count`` generated articles, some with the same text (ties)."""
    shutil.copytree(DEMO, root)
    rng = random.Random(16)
    for number in range(count):
        words = rng.sample(WORDS, 6)
        body = " ".join(rng.choice(WORDS) for _ in range(40))
        if number % 10 == 0:  # identical bodies and titles: equal scores, ranked by document order
            words, body = WORDS[:6], " ".join(WORDS[:20])
        extra = "\n\n::: internal\nEscalate to tier two.\n:::\n" if number % 7 == 0 else ""
        (root / "general" / f"generated-{number:03d}.md").write_text(
            f"---\ntitle: {' '.join(words).capitalize()}\ntype: general\nlevel: {number % 3}\n"
            f"questions: [how do I fix my {words[0]}]\n---\n\n{body}\n{extra}", encoding="utf-8")
    return root


def queries(root: Path) -> list[str]:
    kb = load_knowledge_base(root)
    found = [g.query for g in kb.golden] + [a.title for a in kb.articles]
    for article in kb.articles[::3]:
        words = re.findall(r"[A-Za-z]{5,}", article.body)
        found += [" ".join(words[i:i + 2]) for i in range(0, min(len(words), 6), 3)]
    return list(dict.fromkeys(q for q in found if q.strip()))


def build(root: Path, index: Path, monkeypatch: pytest.MonkeyPatch, workers: int,
          progress: bool = False) -> Path:
    """A full build on ``workers`` processes (1: the one-process writer); the version's folder."""
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "PARALLEL_THRESHOLD", 0 if workers > 1 else 10**9)
        patch.setattr(bulk, "cores", lambda: workers)
        build_index(load_knowledge_base(root), index, full=True, progress=progress, semantic=None)
    return version_dir(index, current_version(index))


def answers(index: Path, texts: list[str]) -> dict[tuple[str, str], list[str]]:
    engine = Engine(index)
    try:
        return {(text, viewer.role): [hit.slug for hit in engine.search(
                    SearchRequest(text, viewer=viewer)).results]
                for text in texts for viewer in (AGENT, ANONYMOUS)}
    finally:
        engine.close()


def test_parallel_full_build_answers_like_a_one_process_build(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = generated_kb(tmp_path / "articles")
    serial = build(root, tmp_path / "serial", monkeypatch, workers=1)
    parallel = build(root, tmp_path / "parallel", monkeypatch, workers=3)
    assert len(list((serial / "whoosh").glob("*.seg"))) == 1
    assert len(list((parallel / "whoosh").glob("*.seg"))) == 3  # one segment per worker
    texts = queries(root)
    assert len(texts) > 150
    one, many = answers(tmp_path / "serial", texts), answers(tmp_path / "parallel", texts)
    assert sum(bool(found) for found in one.values()) > len(one) * 0.9
    assert many == one
    assert json.loads((parallel / "vocab.json").read_text()) == json.loads((serial / "vocab.json").read_text())
    meta = [json.loads((folder / "meta.json").read_text()) for folder in (serial, parallel)]
    for found in meta:
        del found["version"], found["built_at"]
    assert meta[1] == meta[0]
    engine = Engine(tmp_path / "parallel")
    try:
        assert engine.snapshot().searcher().doc_count() == meta[0]["count"]
    finally:
        engine.close()


def test_a_failing_worker_fails_the_build_and_keeps_the_served_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = generated_kb(tmp_path / "articles", count=20)
    served = build(root, tmp_path / "index", monkeypatch, workers=2)
    real = bulk.to_document

    def broken(article: Any) -> Any:
        if article.slug.endswith("generated-015"):
            raise OSError("disk full while writing a segment")
        return real(article)
    monkeypatch.setattr(bulk, "to_document", broken)
    with pytest.raises(OSError, match="disk full"):
        build(root, tmp_path / "index", monkeypatch, workers=2)
    assert version_dir(tmp_path / "index", current_version(tmp_path / "index")) == served
    assert sorted(p.name for p in (tmp_path / "index" / "versions").iterdir()) == [served.name]


def test_parallel_build_reports_progress_per_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root = generated_kb(tmp_path / "articles", count=80)
    count = len(load_knowledge_base(root).published)
    assert count >= 200  # kb/progress.py is quiet below 200 items
    build(root, tmp_path / "index", monkeypatch, workers=2, progress=True)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("indexing")]
    assert len(lines) == 1 and lines[0].startswith(f"indexing: {count} articles in ")


def test_shares_are_contiguous_and_cover_every_article() -> None:
    articles = [Article(slug=f"a{n}", path=f"a{n}.md", title="t", type="general", level=0, body="x" * (n * 37 % 500))
                for n in range(101)]
    for count in (1, 2, 3, 4):
        ranges = bulk.shares(articles, count)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(articles) and len(ranges) == count
        assert all(a[1] == b[0] and a[0] < a[1] for a, b in pairwise(ranges))


TRICKY = ["Hello WORLD, the Café's naïve façade: İstanbul ǅemal I x 12.5 e.g. don't straße ÆON ﬁnance",
          "Los niños están comiendo; les élèves mangent; die Häuser; Ich bin's; ΑΒΓ δέλτα",
          "running tests, TESTED and re-tested: a.b.c v2.0 ünïcödé ＦＵＬＬ　ｗｉｄｔｈ under_score"]


@pytest.mark.parametrize("lang", FIELD_LANGUAGES)
def test_index_terms_are_the_schema_analyzers_terms(lang: str) -> None:
    texts = TRICKY + [a.title + "\n" + a.body for a in load_knowledge_base(DEMO).articles[:40]]
    for text in texts:
        expected = [token.text for token in analyzer_for(lang)(text)]
        assert index_terms(text, lang) == expected
        assert terms(text, lang) == expected  # the query side's analyzer (no stemming cache)


def test_near_title_windows_find_every_pair_a_full_comparison_finds() -> None:
    rng = random.Random(5)
    titles = [" ".join(rng.sample(WORDS, rng.randint(1, 8))) for _ in range(400)]
    for title in titles[:120]:  # near copies: a letter changed, added, dropped, case and accents
        at = rng.randrange(len(title))
        titles += [title[:at] + "x" + title[at + 1:], title + "s", title.upper(), title[:-1],
                   "É" + title[1:], title + " " + rng.choice(WORDS)]
    titles += ["", "a", "ab", "--"]
    present = sorted(set(titles))
    fresh = present[::3]
    scores = process.cdist(fresh, present, scorer=fuzz.ratio, processor=utils.default_process,
                           score_cutoff=NEAR_DUPLICATE_TITLE, dtype="uint8")
    expected = {tuple(sorted((fresh[i], present[j]))) for i, j in zip(*scores.nonzero())
                if fresh[i] != present[j]}
    assert len(expected) > 100
    assert close_pairs(fresh, present) == expected


def test_served_html_is_rendered_from_the_stored_source() -> None:
    refund = load_knowledge_base(DEMO).by_slug()["billing/refund-policy"]
    data = stored_data(refund)
    assert "html_public" not in data and "html_agent" not in data  # nothing rendered at build time
    assert article_html(data, agent=False) == render_html(refund.body, refund.slug, include_internal=False)
    assert article_html(data, agent=True) == render_html(refund.body, refund.slug, include_internal=True)
    assert article_html(data, agent=True) != article_html(data, agent=False)
