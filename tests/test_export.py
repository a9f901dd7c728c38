"""Exports (kb/exports/, commands/exports.py): a Zendesk dump that imports back to the same
articles, and the JSON document of public articles."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from commands import main
from kb import load_knowledge_base
from kb.exports.json_dump import export as json_export
from kb.imports.pipeline import run_import
from kb.markup import split_internal
from tests.conftest import FIXTURE_KB

DUMP = Path(__file__).parent / "fixtures" / "imports" / "zendesk"
#: What only agents may read in the fixture knowledge base (tests/site_support.py uses the same words).
INTERNAL_TEXT = ("Secretword", "quixotic", "Codeword", "zanzibar", "Goodwill credit limits")


def files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*.md"))}


@pytest.mark.parametrize("with_mapping", [True, False])
def test_import_export_import_gives_the_same_articles(tmp_path: Path, with_mapping: bool) -> None:
    first, dump, second = tmp_path / "first", tmp_path / "dump", tmp_path / "second"
    run_import("zendesk", DUMP, first)
    assert main(["export", "zendesk", "--articles", str(first), "--out", str(dump),
                 "--include-internal"]) == 0
    report, _, _ = run_import("zendesk", dump, second, dump / "mapping.yml" if with_mapping else None)
    assert files(second) == files(first) and files(first)
    assert [note.message for note in report.notes] == [  # the one translation outdated at the start
        "the es translation is outdated at the source: update it, then "
        "'build.py translations --mark-current'"]
    assert (second / "_imported.json").read_text() == (first / "_imported.json").read_text()
    for media in (first / "_media").rglob("*.png"):
        assert (second / media.relative_to(first)).read_bytes() == media.read_bytes()


def test_a_public_export_leaves_internal_content_out(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    assert main(["export", "zendesk", "--articles", str(articles), "--out", str(tmp_path / "z")]) == 0
    dumped = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "z").rglob("*.json"))
    assert "How do I get a refund?" in dumped
    for word in INTERNAL_TEXT:
        assert word not in dumped
    assert not (tmp_path / "z" / "user_segments.json").exists()
    assert main(["export", "zendesk", "--articles", str(articles), "--out", str(tmp_path / "all"),
                 "--include-internal"]) == 0
    everything = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "all").rglob("*.json"))
    assert "Secretword quixotic" in everything and 'class=\\"internal-note\\"' in everything


def test_a_zendesk_export_has_the_help_center_shapes(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    main(["export", "zendesk", "--articles", str(articles), "--out", str(tmp_path / "z"),
          "--site-url", "https://help.example.com"])
    exported = json.loads((tmp_path / "z" / "articles.json").read_text())["articles"]
    refund = next(a for a in exported if a["title"] == "How do I get a refund?")
    assert refund["html_url"] == "https://help.example.com/articles/billing/refund-policy"
    assert refund["label_names"] == ["refunds", "payments"] and refund["draft"] is False
    sections = {s["id"]: s for s in json.loads((tmp_path / "z" / "sections.json").read_text())["sections"]}
    assert sections[refund["section_id"]]["name"] == "Billing · Level 0"
    translations = [json.loads(p.read_text())["translations"] for p in (tmp_path / "z/translations").glob("*.json")]
    assert [(t["locale"], t["source_id"]) for items in translations for t in items] == [("es", refund["id"])]


def test_the_json_export_lists_public_articles_with_their_fields(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURE_KB, articles)
    draft = articles / "billing" / "draft-note.md"
    draft.write_text("---\ntitle: Unfinished\ntype: billing\nlevel: 0\nstatus: draft\n---\n\nSoon.\n")
    assert main(["export", "json", "--articles", str(articles)]) == 0
    document = json.loads(capsys.readouterr().out)
    kb = load_knowledge_base(articles)
    public = sorted(a.slug for a in kb.articles if a.audience == "public" and a.status == "published")
    assert document["format"] == "supportkb-articles" and document["count"] == len(public)
    assert [a["slug"] for a in document["articles"]] == public
    text = json.dumps(document, ensure_ascii=False)
    for word in INTERNAL_TEXT + ("Unfinished", "owner", "agents/goodwill-credits"):
        assert word not in text
    refund = next(a for a in document["articles"] if a["slug"] == "billing/refund-policy")
    source = next(a for a in kb.articles if a.slug == "billing/refund-policy")
    assert refund["body"] == split_internal(source.body).public.strip()
    assert refund["questions"] == source.questions and refund["related"] == source.related
    assert json_export(kb, lambda a: True)["count"] > document["count"]  # the predicate decides
