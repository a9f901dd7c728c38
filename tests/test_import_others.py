"""Importing Freshdesk Solutions dumps, QnA Maker sheets and HTML sites (kb/imports/)."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from commands import main
from kb import load_knowledge_base, validate
from kb.imports.pipeline import run_import
from kb.imports.source import MAX_BODY_BYTES, BadInput
from kb.problems import errors

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
FRESHDESK, QNA, HTML = FIXTURES / "freshdesk", FIXTURES / "qna", FIXTURES / "html"


def imported(out: Path) -> dict[str, object]:
    kb = load_knowledge_base(out)
    assert errors(validate(kb)) == []
    return {a.title: a for a in kb.articles}


# Freshdesk ------------------------------------------------------------------------------------

def test_freshdesk_solutions_become_articles(tmp_path: Path) -> None:
    report, _, _ = run_import("freshdesk", FRESHDESK, tmp_path / "a")
    records = json.loads((FRESHDESK / "articles.json").read_text(encoding="utf-8"))
    folders = {f["id"]: f for f in json.loads((FRESHDESK / "folders.json").read_text(encoding="utf-8"))}
    articles = imported(tmp_path / "a")
    spanish = json.loads((FRESHDESK / "es" / "articles.json").read_text(encoding="utf-8"))
    assert len(articles) == len(records) - 1 + len(spanish)  # the blank one is skipped
    for record in records:
        if record["title"] in articles:
            article = articles[record["title"]]
            assert article.status == ("draft" if record["status"] == 1 else "published")
            assert article.audience == ("internal" if folders[record["folder_id"]]["visibility"] != 1
                                        else "public")
            assert article.redirect_from == [f"/support/solutions/articles/{record['id']}"]
            assert article.summary == record["seo_data"]["meta_description"]
    assert (articles["Run a line test from the command line"].type,
            articles["Run a line test from the command line"].level) == ("technical", 2)  # nested folder
    assert articles["Refund not received yet"].type == "billing"  # Refunds inside "Paying us"
    assert "[how refunds work](../billing/how-refunds-work.md)" in articles["No internet after a power cut"].body
    es = articles["Cómo funcionan los reembolsos"]
    assert es.lang == "es" and es.translation_of == articles["How refunds work"].slug
    lights = articles["Router lights explained"]
    assert "(/media/freshdesk/attachments/5501/router-lights.png)" in lights.body
    assert "[router-lights-guide.pdf](/media/freshdesk/attachments/5502/router-lights-guide.pdf)" in lights.body
    assert (tmp_path / "a/_media/freshdesk/attachments/5502/router-lights-guide.pdf").is_file()
    remote = "https://northwind.freshdesk.com/helpdesk/attachments/5503"  # not in the dump: listed
    assert f"[warranty.pdf]({remote})" in lights.body and ("80011", remote) in report.remote_images
    lines = "\n".join(report.lines())
    assert "id 80900: warning: broken HTML: unclosed <table>" in lines
    assert "id 80901: skipped: empty body" in lines
    assert "document.cookie" not in articles["Broken: engineer visit notes"].body
    assert "- Book online\n- Be home\n\n    | AM | PM |" in articles["Broken: engineer visit notes"].body


def test_freshdesk_bad_input_names_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(FRESHDESK, dump)
    (dump / "folders.json").write_text('{"folders": {"id": 1}}')
    with pytest.raises(BadInput, match="folders.json: expected a JSON array of folders"):
        run_import("freshdesk", dump, tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_a_freshdesk_language_folder_in_the_original_language_is_skipped(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(FRESHDESK, dump)
    shutil.copytree(dump / "es", dump / "en-gb")
    report, _, _ = run_import("freshdesk", dump, tmp_path / "a")
    assert len(imported(tmp_path / "a")) == len(list((tmp_path / "a").rglob("*.md")))  # no error
    assert sum("the en-gb version is in the language of its original" in n.message
               for n in report.notes) == len(json.loads((dump / "es/articles.json").read_text()))


def test_a_freshdesk_folder_for_logged_in_users_only_is_internal(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(FRESHDESK, dump)
    folders = json.loads((dump / "folders.json").read_text(encoding="utf-8"))
    next(f for f in folders if f["name"] == "Refunds")["visibility"] = 2  # logged-in users
    (dump / "folders.json").write_text(json.dumps(folders), encoding="utf-8")
    report, _, _ = run_import("freshdesk", dump, tmp_path / "a")
    articles = imported(tmp_path / "a")
    assert articles["How refunds work"].audience == "internal"
    assert articles["Change your payment date"].audience == "public"  # in the parent folder
    assert "id 80006: warning: folder 'Refunds' has visibility 2 (not all users): imported as internal" \
        in "\n".join(report.lines())


def test_a_file_cut_off_inside_a_string_is_called_truncated(tmp_path: Path) -> None:
    dump = tmp_path / "dump"
    shutil.copytree(FRESHDESK, dump)
    text = (dump / "articles.json").read_text(encoding="utf-8")
    (dump / "articles.json").write_text(text[:text.index('"title": "') + 14], encoding="utf-8")
    with pytest.raises(BadInput, match=r"articles.json: truncated JSON \(the file ends early\)"):
        run_import("freshdesk", dump, tmp_path / "a")
    assert not (tmp_path / "a").exists()


# QnA sheets -----------------------------------------------------------------------------------

def tsv_pairs() -> dict[str, list[dict[str, str]]]:
    with open(QNA / "faq.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    pairs: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        pairs.setdefault(row["QnaId"], []).append(row)
    return pairs


def test_qna_pairs_group_alternate_questions(tmp_path: Path) -> None:
    report, _, _ = run_import("qna", QNA / "faq.tsv", tmp_path / "a")
    articles = imported(tmp_path / "a")
    pairs = tsv_pairs()
    answered = {k: rows for k, rows in pairs.items() if rows[0]["Answer"].strip()}
    assert len(articles) == len(answered)
    for rows in answered.values():
        article = articles[rows[0]["Question"]]
        assert article.questions == [row["Question"] for row in rows[1:]]
        expected = rows[0]["Answer"].replace("\\n", "\n").replace("](img/", "](/media/qna/img/")
        assert article.body.strip() == expected.strip()
    password = articles["How do I reset my password?"]
    assert password.type == "general" and password.tags == ["account", "password"]
    assert "1. Go to **Sign in**.\n2. Choose" in password.body
    assert (articles["How do I run a line test?"].type, articles["How do I run a line test?"].level) == \
        ("technical", 2)
    assert articles["What is the goodwill limit?"].audience == "internal"
    assert articles["¿Cuál es el horario?"].lang == "es"
    assert articles["Why is my broadband slow?"].type == "technical"  # guessed from the category
    assert articles["Why is my broadband slow?"].related == [  # follow-up prompts
        articles["What do the router lights mean?"].slug, articles["How do I run a line test?"].slug]
    assert "(/media/qna/img/static-ip.png)" in articles["What is a static IP?"].body
    assert any(n.message == "empty answer" for n in report.notes)


def test_qna_xlsx_and_csv_give_the_same_articles(tmp_path: Path) -> None:
    run_import("qna", QNA / "faq.tsv", tmp_path / "tsv")
    run_import("qna", QNA / "faq.xlsx", tmp_path / "xlsx")
    run_import("qna", QNA / "faq.csv", tmp_path / "csv")
    for other in ("xlsx", "csv"):
        for path in (tmp_path / "tsv").rglob("*.md"):
            assert path.read_text() == (tmp_path / other / path.relative_to(tmp_path / "tsv")).read_text()


def test_qna_xlsx_reads_the_sheet_with_questions(tmp_path: Path) -> None:
    from openpyxl import Workbook  # noqa: PLC0415
    book = Workbook()
    book.active.title = "Synonyms"
    book.active.append(["Alterations"])
    book.active.append(["wifi,wi-fi"])
    sheet = book.create_sheet("QnAs")
    sheet.append(["Question", "Answer", "Source", "Metadata"])
    sheet.append(["How do I reset my router?", "Hold the button for ten seconds.", "Editorial", ""])
    book.save(tmp_path / "kb.xlsx")
    run_import("qna", tmp_path / "kb.xlsx", tmp_path / "a")
    assert list(imported(tmp_path / "a")) == ["How do I reset my router?"]


def test_qna_sheet_problems_are_clear(tmp_path: Path) -> None:
    (tmp_path / "no-header.tsv").write_text("What?\tThat.\n")
    with pytest.raises(BadInput, match=r"no-header.tsv: header row lacks Question, Answer"):
        run_import("qna", tmp_path / "no-header.tsv", tmp_path / "a")
    (tmp_path / "latin.tsv").write_bytes("Question\tAnswer\n¿Qué?\tSí.\n".encode("latin-1"))
    with pytest.raises(BadInput, match="latin.tsv: not valid utf-8"):
        run_import("qna", tmp_path / "latin.tsv", tmp_path / "a")
    run_import("qna", tmp_path / "latin.tsv", tmp_path / "a", encoding="latin-1")
    assert "¿Qué?" in imported(tmp_path / "a")
    (tmp_path / "huge.tsv").write_text("Question\tAnswer\nBig?\t" + "y" * 2 * MAX_BODY_BYTES + "\n")
    with pytest.raises(BadInput, match=r"huge.tsv: line 2: a cell is over the 2,000,000-byte limit"):
        run_import("qna", tmp_path / "huge.tsv", tmp_path / "h")
    assert not (tmp_path / "h").exists()
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(BadInput, match="bad.xlsx: not a readable XLSX"):
        run_import("qna", tmp_path / "bad.xlsx", tmp_path / "b")


# HTML pages -----------------------------------------------------------------------------------

def test_html_pages_lose_their_chrome(tmp_path: Path) -> None:
    report, _, _ = run_import("html", HTML, tmp_path / "a")
    articles = imported(tmp_path / "a")
    pages = [p for p in HTML.rglob("*.html")]
    assert len(articles) == len(pages) - 1  # the page with navigation only is skipped
    for article in articles.values():
        for chrome in ("Northwind Help", "Privacy", "Popular", "Home", "analytics.js", "font-family"):
            assert chrome not in article.body, (article.slug, chrome)
    invoices = articles["Reading your invoice"]
    assert invoices.summary == "Reading your invoice explained." and invoices.tags == ["help", "reading"]
    assert invoices.redirect_from == ["/billing/invoices.html"] and invoices.type == "billing"
    assert invoices.updated.isoformat() == "2026-01-15"
    assert articles["Horario"].lang == "es"
    refunds = articles["How refunds work"].slug
    assert f"[how refunds work](../../{refunds}.md)" in articles["Reembolsos"].body  # relative link
    assert f"[how refunds work](../{refunds}.md)" in articles["No connection"].body  # absolute link
    assert articles["Run a line test"].level == 2  # the "advanced" folder
    assert "(/media/html/img/router-lights.png)" in articles["Router lights"].body
    lines = "\n".join(report.lines())
    assert "id support/broken-page.html: warning: broken HTML" in lines
    assert "id about/empty.html: skipped: empty body" in lines
    assert "link 'old-status.html' matches no imported article" in lines


def test_html_language_folders_are_not_categories(tmp_path: Path) -> None:
    (tmp_path / "m.yml").write_text("categories:\n  about: {type: product, level: 1}\n")
    run_import("html", HTML, tmp_path / "a", tmp_path / "m.yml")
    articles = imported(tmp_path / "a")
    assert (articles["Horario"].type, articles["Horario"].level) == ("product", 1)  # es/about/
    assert articles["Opening hours"].type == "product"  # about/


def test_html_command_line_dry_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "html", str(HTML), "--out", str(tmp_path / "a"), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "create    billing/reading-your-invoice.md (html billing/invoices.html)" in printed
    assert printed.rstrip().splitlines()[-1].startswith("Dry run: html:")
    assert not (tmp_path / "a").exists()


def test_a_page_without_h1_takes_its_title_without_the_site_name(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    for name, title in (("a", "Pay by card | Northwind Help"), ("c", "Refunds | Northwind Help"),
                        ("b", "Wi-Fi - first steps | Northwind Help"), ("d", "Standalone - notes")):
        (tmp_path / "site" / f"{name}.html").write_text(
            f"<html><head><title>{title}</title></head><body><p>About {name}.</p></body></html>")
    run_import("html", tmp_path / "site", tmp_path / "a")
    assert set(imported(tmp_path / "a")) == {"Pay by card", "Wi-Fi - first steps", "Refunds",
                                             "Standalone - notes"}


def test_an_old_page_in_its_declared_charset_is_read(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">' \
           "</head><body><h1>Café hours</h1><p>Open at 8.</p></body></html>"
    (tmp_path / "site" / "old.html").write_bytes(page.encode("latin-1"))
    run_import("html", tmp_path / "site", tmp_path / "a")
    assert "Café hours" in imported(tmp_path / "a")
    (tmp_path / "site" / "bare.html").write_bytes("<h1>Café</h1><p>x</p>".encode("latin-1"))
    with pytest.raises(BadInput, match="bare.html: not valid utf-8"):  # nothing declared: an error
        run_import("html", tmp_path / "site", tmp_path / "b")
    assert not (tmp_path / "b").exists()


def test_a_logo_heading_in_the_page_chrome_is_not_the_title(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "pay.html").write_text(
        '<html><body class="has-fixed-header"><header class="site-header"><h1>Northwind Help</h1>'
        "</header><div class=\"content\"><h1>Pay by card</h1><p>We take Visa.</p></div></body></html>")
    run_import("html", tmp_path / "site", tmp_path / "a")
    article = imported(tmp_path / "a")["Pay by card"]
    assert article.body.strip() == "We take Visa."


def test_site_absolute_images_linked_images_and_linked_files_are_copied(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "support").mkdir(parents=True)
    (site / "img").mkdir()
    (site / "files").mkdir()
    shutil.copyfile(HTML / "img" / "router-lights.png", site / "img" / "lights.png")
    shutil.copyfile(HTML / "img" / "router-lights.png", site / "img" / "back panel.png")
    (site / "files" / "manual.pdf").write_bytes(b"%PDF-1.4\n")
    (site / "support" / "page.html").write_text(
        '<html><body><h1>Lights</h1><p><img src="/img/lights.png" alt="Lights"></p>'
        '<p><a href="../img/lights.png"><img src="../img/lights.png" alt="Thumb"></a></p>'
        '<p>Read <a href="/files/manual.pdf">the manual</a>.</p><img src="../img/back panel.png" alt="Back">'
        "</body></html>")
    report, _, _ = run_import("html", site, tmp_path / "a")
    body = imported(tmp_path / "a")["Lights"].body
    assert "![Lights](/media/html/img/lights.png)" in body  # absolute: from the site's root
    assert "[![Thumb](/media/html/img/lights.png)](/media/html/img/lights.png)" in body
    assert "[the manual](/media/html/files/manual.pdf)" in body
    assert "![Back](/media/html/img/back%20panel.png)" in body  # a space would end the link
    assert (tmp_path / "a/_media/html/img/back panel.png").is_file()
    assert (tmp_path / "a/_media/html/files/manual.pdf").is_file() and report.notes == []


def test_files_outside_the_source_folder_are_never_copied(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("not for the help centre")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.html").write_text(
        '<html><body><h1>Page</h1><p>Text <img src="../secret.txt"></p></body></html>')
    report, _, _ = run_import("html", tmp_path / "site", tmp_path / "a")
    assert not (tmp_path / "a" / "_media").exists()
    assert any("is outside" in note.message for note in report.notes)


# Every importer ----------------------------------------------------------------------------------

@pytest.mark.parametrize("source, path", [("freshdesk", FRESHDESK), ("qna", QNA / "faq.tsv"),
                                          ("qna", QNA / "faq.csv"), ("qna", QNA / "faq.xlsx"),
                                          ("html", HTML)])
def test_every_importer_dry_runs_reruns_and_keeps_edits(tmp_path: Path, source: str, path: Path) -> None:
    out = tmp_path / "a"
    _, plan, _ = run_import(source, path, out, dry_run=True)
    assert plan.files and not out.exists()
    run_import(source, path, out)
    before = {p: p.read_text() for p in out.rglob("*.md")}
    assert len(before) == len(plan.files)
    edited = sorted(before)[0]
    edited.write_text(before[edited] + "\nA writer's line.\n")
    report, _, _ = run_import(source, path, out)
    counts = report.counts()
    assert (counts["kept"], counts["unchanged"]) == (1, len(before) - 1)
    assert counts["create"] == counts["update"] == 0
    assert "A writer's line." in edited.read_text()
    run_import(source, path, out, force=True)
    assert {p: p.read_text() for p in out.rglob("*.md")} == before
