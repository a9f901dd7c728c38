"""Importing a Zendesk Guide dump (kb/imports/zendesk.py, mapping, writer, report, the CLI)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from commands import main
from kb import load_knowledge_base, validate
from kb.imports.mapping import load_mapping
from kb.imports.pipeline import run_import
from kb.imports.source import MAX_BODY_BYTES, BadInput
from kb.imports.writer import MANIFEST
from kb.problems import errors
from kb.translations import translation_statuses
from search.indexer import build_index
from tests.conftest import make_app

DUMP = Path(__file__).parent / "fixtures" / "imports" / "zendesk"


def fixture_articles() -> list[dict]:
    return [a for page in sorted(DUMP.glob("articles-page-*.json"))
            for a in json.loads(page.read_text(encoding="utf-8"))["articles"]]


def by_redirect(out: Path) -> dict[str, object]:
    """Imported articles keyed by the old Zendesk URL path they redirect from."""
    return {path: a for a in load_knowledge_base(out).articles for path in a.redirect_from}


def old_path(record: dict) -> str:
    return "/" + record["html_url"].split("/", 3)[3]


def test_a_dump_becomes_articles_that_pass_the_check(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    report, _, _ = run_import("zendesk", DUMP, out)
    kb = load_knowledge_base(out)
    assert errors(validate(kb)) == []
    with_body = [a for a in fixture_articles() if a["body"].strip()]
    spanish = len(list((DUMP / "translations").glob("*.json"))) + len(
        json.loads((DUMP / "articles-es.json").read_text(encoding="utf-8"))["articles"])
    assert len(kb.articles) == len(with_body) + spanish
    assert report.counts()["create"] == len(kb.articles)


def test_fields_are_mapped_from_the_help_center_shapes(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    run_import("zendesk", DUMP, out)
    articles = by_redirect(out)
    records = {r["title"]: r for r in fixture_articles()}
    invoice = articles[old_path(records["Understanding your first invoice"])]
    assert (invoice.type, invoice.level, invoice.lang) == ("billing", 0, "en")
    assert invoice.tags == ["invoice", "first-bill"]
    assert invoice.updated.isoformat() == records["Understanding your first invoice"]["updated_at"][:10]
    assert "| Plan | Monthly price | Notes |" in invoice.body and "<table" not in invoice.body
    diagnostics = articles[old_path(records["Run a line test from the command line"])]
    assert (diagnostics.type, diagnostics.level) == ("technical", 2)  # nested section "Advanced"
    assert "```bash\nping -c 4 192.168.1.1" in diagnostics.body
    steps = articles[old_path(records["Change your payment date"])]
    assert "1. Sign in to [My Account](https://my.northwind.example/)." in steps.body
    assert "\n    - On the app: tap the gear icon." in steps.body  # nested list, 4 spaces
    assert articles[old_path(records["Use the mobile app"])].status == "draft"
    refunds = articles[old_path(records["How refunds work"])]
    assert f"[how refunds work](../{refunds.slug}.md#steps)" in \
        articles[old_path(records["No internet after a power cut"])].body  # old URL -> article link
    assert articles[old_path(records["Goodwill credit limits"])].audience == "internal"  # staff
    assert articles[old_path(records["Port your number to us"])].audience == "internal"  # signed-in
    spanish = [a for a in articles.values() if a.lang == "es"]
    assert spanish and all(a.translation_of == invoice.slug or a.translation_of for a in spanish)
    factura = next(a for a in spanish if a.title == "Entender tu primera factura")
    assert factura.translation_of == invoice.slug and factura.slug.startswith("es/billing/")


def test_images_local_copied_remote_listed_and_problems_reported(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    report, _, _ = run_import("zendesk", DUMP, out)
    lights = next(a for a in load_knowledge_base(out).articles if a.title == "Router lights explained")
    assert "(/media/zendesk/article_attachments/9001/router-lights.png)" in lights.body
    assert (out / "_media/zendesk/article_attachments/9001/router-lights.png").read_bytes() == \
        (DUMP / "article_attachments/9001/router-lights.png").read_bytes()
    assert (out / "_media/zendesk/article_attachments/9002/router-manual.pdf").is_file()
    luces = next(a for a in load_knowledge_base(out).articles if a.title == "Las luces del router")
    assert "(/media/zendesk/article_attachments/9001/router-lights.png)" in luces.body  # a translation
    assert ("360011", "https://cdn.northwind.example/img/router-back.png") in report.remote_images
    remote = "https://northwind.zendesk.com/hc/article_attachments/9003/warranty.pdf"  # not in the dump
    assert ("360015", remote) in report.remote_images
    router = next(a for a in load_knowledge_base(out).articles if a.title == "Set up your new router")
    assert f"- [warranty.pdf]({remote})" in router.body
    assert "[router-manual.pdf](/media/zendesk/article_attachments/9002/router-manual.pdf)" in router.body
    lines = "\n".join(report.lines())
    assert "id 360900: warning: broken HTML: unclosed <table>" in lines
    assert "id 360901: skipped: empty body" in lines
    assert "id 360902: warning: unknown section 9999" in lines
    assert "id 360028: warning: restricted to user segment 'Signed-in customers' (signed_in_users): " \
        "imported as internal" in lines
    assert "id 360023: warning: restricted" not in lines  # staff is what internal means: no warning
    assert "section 'Invoices': type billing" in lines  # every guess is listed, the default level too
    assert "section 'Invoices': level 0 (default: no hint in the name)" in lines
    broken = next(a for a in load_knowledge_base(out).articles if a.title.startswith("Broken"))
    assert "alert" not in broken.body and "onclick" not in broken.body  # scripts stripped
    assert "| Area | Status<br><br>Check back **soon** |" in broken.body  # cells as a browser reads them


def test_a_mapping_file_decides_and_its_guesses_are_not_listed(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(yaml.safe_dump({"default": {"type": "product", "level": 1},
                                       "categories": {"100": {"type": "general"}},
                                       "sections": {"Agent playbooks": {"type": "technical", "level": 2}}}))
    report, _, _ = run_import("zendesk", DUMP, tmp_path / "articles", mapping)
    kb = load_knowledge_base(tmp_path / "articles")
    goodwill = next(a for a in kb.articles if a.title == "Goodwill credit limits")
    invoice = next(a for a in kb.articles if a.title == "Understanding your first invoice")
    assert (goodwill.type, goodwill.level) == ("technical", 2)
    assert (invoice.type, invoice.level) == ("general", 1)  # category by id; level from default
    assert not any("Invoices" in line or "Agent playbooks" in line for line in report.guesses)


def test_the_guessed_mapping_can_be_written_and_reused(tmp_path: Path) -> None:
    _, _, guessed = run_import("zendesk", DUMP, tmp_path / "a", dry_run=True)
    (tmp_path / "m.yml").write_text(guessed)
    written = load_mapping(tmp_path / "m.yml")
    assert written.sections["Invoices"] == {"type": "billing", "level": 0}  # every decision, to edit
    assert written.sections["Advanced diagnostics"] == {"level": 2}  # its type comes from its parent
    report, _, _ = run_import("zendesk", DUMP, tmp_path / "b", tmp_path / "m.yml")
    run_import("zendesk", DUMP, tmp_path / "c")
    assert report.guesses == [line for line in report.guesses if "default" in line]
    for path in (tmp_path / "c").rglob("*.md"):
        assert path.read_text() == (tmp_path / "b" / path.relative_to(tmp_path / "c")).read_text()


@pytest.mark.parametrize("content, message", [
    ({"default": {"type": "billling"}}, "type must be one of"),
    ({"sections": {"Invoices": {"level": 3}}}, "level must be 0, 1 or 2"),
    ({"section": {}}, "unknown key(s) section"),
])
def test_a_bad_mapping_file_is_named(tmp_path: Path, content: dict, message: str) -> None:
    (tmp_path / "m.yml").write_text(yaml.safe_dump(content))
    with pytest.raises(BadInput, match="m.yml") as caught:
        run_import("zendesk", DUMP, tmp_path / "articles", tmp_path / "m.yml")
    assert message in str(caught.value)
    assert not (tmp_path / "articles").exists()


def test_rerunning_is_idempotent_and_keeps_slugs_when_titles_change(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    run_import("zendesk", DUMP, out)
    before = {p: p.read_text() for p in out.rglob("*.md")}
    report, _, _ = run_import("zendesk", DUMP, out)
    assert set(report.counts()) == {"unchanged"}
    assert {p: p.read_text() for p in out.rglob("*.md")} == before
    dump = tmp_path / "dump"
    shutil.copytree(DUMP, dump)
    page = dump / "articles-page-1.json"
    data = json.loads(page.read_text())
    data["articles"][0]["title"] = "Your first invoice, line by line"
    page.write_text(json.dumps(data))
    report, _, _ = run_import("zendesk", dump, out)
    changed = [(action, slug) for action, slug, _ in report.actions if action != "unchanged"]
    assert changed == [("update", "billing/understanding-your-first-invoice"),  # and the source_hash
                       ("update", "es/billing/entender-tu-primera-factura")]  # of its translation
    assert "title: Your first invoice, line by line" in (out / "billing/understanding-your-first-invoice.md").read_text()
    assert set(out.rglob("*.md")) == set(before)


def test_translations_up_to_date_at_the_source_start_current(tmp_path: Path) -> None:
    """Zendesk's ``outdated: false`` becomes the original's ``source_hash``; ``outdated: true``
    stays unmarked and is reported."""
    out = tmp_path / "articles"
    report, _, _ = run_import("zendesk", DUMP, out)
    kb = load_knowledge_base(out)
    states = {s.translation.title: s.state for s in translation_statuses(kb.articles)}
    assert states.pop("Las luces del router") == "unmarked"  # outdated: true in the fixture
    assert states and set(states.values()) == {"current"}
    assert "id 360011: warning: the es translation is outdated at the source" in "\n".join(report.lines())
    assert not [p for p in validate(kb) if p.field == "source_hash" and "luces" not in p.path]


def test_a_regional_version_in_the_original_language_is_reported(tmp_path: Path) -> None:
    """en-gb next to en-us folds into one language: the en-us original stays, the en-gb text is
    skipped and said so, whether listed per locale (read first here) or as a translation."""
    dump = tmp_path / "dump"
    shutil.copytree(DUMP, dump)
    record = dict(fixture_articles()[0], locale="en-gb", title="Understanding your first invoice (UK)")
    (dump / "articles-en-gb.json").write_text(json.dumps({"articles": [record]}))
    translations = json.loads((dump / "translations/360003.json").read_text())
    translations["translations"].append(dict(translations["translations"][0], id=1, locale="en-gb"))
    (dump / "translations/360003.json").write_text(json.dumps(translations))
    report, _, _ = run_import("zendesk", dump, tmp_path / "articles")
    titles = {a.title for a in load_knowledge_base(tmp_path / "articles").articles}
    assert "Understanding your first invoice" in titles and not any("(UK)" in t for t in titles)
    lines = "\n".join(report.lines())
    for article_id in ("360000", "360003"):
        assert f"id {article_id}: skipped: the en-gb version is in the language of its en-us " \
            "original" in lines


def test_links_to_old_section_pages_are_listed(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(DUMP, dump)
    page = dump / "articles-page-1.json"
    data = json.loads(page.read_text())
    data["articles"][0]["body"] += ('<p>More in <a href="https://northwind.zendesk.com/hc/en-us/sections/'
                                    '1001-Invoices">Invoices</a>.</p>')
    page.write_text(json.dumps(data))
    report, _, _ = run_import("zendesk", dump, tmp_path / "articles")
    assert "id 360000: warning: link 'https://northwind.zendesk.com/hc/en-us/sections/1001-Invoices' " \
        "matches no imported article" in "\n".join(report.lines())


def test_a_writer_edit_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "articles"
    run_import("zendesk", DUMP, out)
    edited = out / "billing/how-refunds-work.md"
    edited.write_text(edited.read_text().replace("Save your changes.", "Save, then wait a day."))
    report, _, _ = run_import("zendesk", DUMP, out)
    assert ("kept", "billing/how-refunds-work", "360006") in report.actions
    assert "wait a day" in edited.read_text()
    assert "kept (edited since import; --force overwrites)" in report.summary(0, False)
    run_import("zendesk", DUMP, out, force=True)
    assert "wait a day" not in edited.read_text()

    edited.unlink()  # deleted (or moved) by a writer: not written again
    report, _, _ = run_import("zendesk", DUMP, out)
    assert ("kept", "billing/how-refunds-work", "360006") in report.actions and not edited.exists()
    assert "billing/how-refunds-work.md was deleted or moved since the import" in "\n".join(report.lines())
    run_import("zendesk", DUMP, out, force=True)
    assert edited.exists()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    report, plan, _ = run_import("zendesk", DUMP, tmp_path / "articles", dry_run=True)
    assert not (tmp_path / "articles").exists()
    assert plan.files and report.counts()["create"] == len(plan.files)


def _broken_dump(tmp_path: Path, how: str) -> Path:
    dump = tmp_path / "dump"
    shutil.copytree(DUMP, dump)
    page = dump / "articles-page-2.json"
    if how == "truncated":
        page.write_bytes(page.read_bytes()[:-200])
    elif how == "latin-1":
        page.write_bytes(page.read_text().replace("Broken", "Bröken").encode("latin-1"))
    else:
        data = json.loads(page.read_text())
        data["articles"][0]["body"] = "<p>" + "x" * (MAX_BODY_BYTES + 1) + "</p>"
        page.write_text(json.dumps(data))
    return dump


@pytest.mark.parametrize("how, message", [
    ("truncated", "articles-page-2.json: truncated JSON"),
    ("latin-1", "articles-page-2.json: not valid UTF-8"),
    ("huge", "articles-page-2.json (id 360020): body is"),
])
def test_bad_input_is_named_and_nothing_is_written(tmp_path: Path, how: str, message: str) -> None:
    dump = _broken_dump(tmp_path, how)
    out = tmp_path / "articles"
    with pytest.raises(BadInput) as caught:
        run_import("zendesk", dump, out)
    assert message in str(caught.value)
    assert not out.exists()


def test_the_command_line_reports_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "articles"
    assert main(["import", "zendesk", str(DUMP), "--out", str(out), "--mapping-out",
                 str(tmp_path / "m.yml")]) == 0
    printed = capsys.readouterr().out
    assert "zendesk: " in printed and "skipped" in printed and f"Check: {out} passes" in printed
    assert (tmp_path / "m.yml").is_file() and (out / MANIFEST).is_file()
    assert main(["import", "zendesk", str(_broken_dump(tmp_path, "truncated")), "--out",
                 str(tmp_path / "other")]) == 1
    error = capsys.readouterr().err
    assert error.startswith("Error: ") and "articles-page-2.json" in error and "nothing was written" in error


def test_old_zendesk_links_lead_to_the_imported_articles(tmp_path: Path) -> None:
    """Zendesk finds an article by id and locale, whatever title follows the id: so does the site."""
    run_import("zendesk", DUMP, tmp_path / "articles")
    build_index(load_knowledge_base(tmp_path / "articles"), tmp_path / "index")
    client = make_app(tmp_path / "index", tmp_path / "instance").test_client()

    def target(path: str) -> str:
        response = client.get(path)
        return response.headers["Location"].split("/articles/", 1)[1] if response.status_code == 301 \
            else str(response.status_code)
    invoice, factura = "billing/understanding-your-first-invoice", "es/billing/entender-tu-primera-factura"
    assert target("/hc/en-us/articles/360000-Understanding-your-first-invoice") == invoice  # as kept
    assert target("/hc/en-us/articles/360000-Your-first-bill") == invoice  # titled before a rename
    assert target("/hc/articles/360000") == invoice  # no locale: the original, not a translation
    assert target("/hc/es/articles/360000-Entender") == factura
    assert target("/hc/en-us/articles/360023-Goodwill-credit-limits") == "404"  # internal
    assert target("/hc/en-us/articles/999999-Nothing") == "404"


def test_a_folder_without_articles_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dump").mkdir()
    (tmp_path / "dump" / "sections.json").write_text('{"sections": []}')
    with pytest.raises(BadInput, match="dump: no articles found"):
        run_import("zendesk", tmp_path / "dump", tmp_path / "articles")
