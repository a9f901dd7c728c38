"""Translations that keep up, from the reader's side: the stale flag in the index, the API and the
customer page, and the language fallback (article notes, search results in the reader's language),
over a real git repository built with ``build.py``."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import build
from tests.conftest import make_app
from tests.translations_support import (
    INTERNAL_TRANSLATION,
    SOURCE,
    TRANSLATION,
    commit,
    make_repo,
    replace_in,
)

STALE_NOTE_ES = "Puede que esta traducción no esté al día"
STALE_NOTE_EN = "This translation may be out of date"


def build_index() -> None:
    assert build.main(["--articles", "articles", "--index", "index", "-q"]) == 0


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Translations marked current and committed, the index built."""
    root = make_repo(tmp_path / "kb", monkeypatch)
    assert build.main(["translations", "--articles", "articles", "--mark-current", TRANSLATION,
                       INTERNAL_TRANSLATION]) == 0
    commit(root, "Translations are current")
    build_index()
    return root


@pytest.fixture()
def client(repo: Path, tmp_path: Path) -> Any:
    return make_app(repo / "index", tmp_path / "instance").test_client()


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def notes(html: str) -> list[str]:
    """The text of the translation notes of an article page."""
    return [" ".join(re.sub(r"<[^>]+>", " ", found).split())
            for found in re.findall(r'<p class="notice translation-note"[^>]*>(.*?)</p>', html, re.S)]


def test_a_source_change_flags_the_translation_everywhere(repo: Path, client: Any,
                                                          agent_headers: dict[str, str]) -> None:
    spanish = "/articles/es/billing/refunds?lang=es"
    assert STALE_NOTE_ES not in page(client, spanish)
    api = client.get("/api/v1/articles/es/billing/refunds", headers=agent_headers).get_json()
    assert api["stale_translation"] is False

    replace_in(repo / SOURCE, "within 5 working days", "within 10 working days")
    commit(repo, "Refunds now take 10 days")
    build_index()  # incremental: the translation itself is not re-indexed, yet it is flagged

    html = page(client, spanish)
    assert notes(html) == [f"{STALE_NOTE_ES}: el artículo original ha cambiado desde que se tradujo. "
                           "Leer el original (inglés)"]
    assert '<a href="/articles/billing/refunds" hreflang="en">Leer el original (inglés)</a>' in html
    assert notes(page(client, "/articles/es/billing/refunds?lang=en")) == [
        f"{STALE_NOTE_EN}: the original article has changed since it was translated. "
        "Read the original (English)"]  # one link to the original, not two
    assert STALE_NOTE_EN not in page(client, "/articles/billing/refunds?lang=en")  # the original

    for who in (agent_headers, {}):  # agents (console) and anonymous callers alike
        article = client.get("/api/v1/articles/es/billing/refunds", headers=who).get_json()
        assert article["stale_translation"] is True
        hits = client.get("/api/v1/search?q=reembolso&lang=es", headers=who).get_json()["results"]
        assert [(h["slug"], h["stale_translation"]) for h in hits][:1] == [("es/billing/refunds", True)]
    source = client.get("/api/v1/articles/billing/refunds", headers=agent_headers).get_json()
    assert source["stale_translation"] is False

    assert build.main(["translations", "--articles", "articles", "--mark-current", TRANSLATION]) == 0
    build_index()
    assert STALE_NOTE_ES not in page(client, spanish)
    assert client.get("/api/v1/articles/es/billing/refunds").get_json()["stale_translation"] is False


def test_a_tags_only_change_flags_nothing(repo: Path, client: Any) -> None:
    replace_in(repo / SOURCE, "tags: [refunds]", "tags: [refunds, money-back]")
    commit(repo, "Tags only")
    build_index()
    assert STALE_NOTE_ES not in page(client, "/articles/es/billing/refunds?lang=es")
    assert client.get("/api/v1/articles/es/billing/refunds").get_json()["stale_translation"] is False


def test_a_reader_without_a_translation_gets_the_original_with_a_note(client: Any) -> None:
    html = page(client, "/articles/billing/invoices?lang=es")
    assert "Understanding your invoice" in html
    assert notes(html) == ["Este artículo aún no está disponible en español; se muestra en inglés."]
    assert "/articles/es/billing/invoices" not in html  # an agent-only translation is never offered
    assert notes(page(client, "/articles/billing/invoices?lang=en")) == []


def test_a_reader_on_another_language_is_offered_their_own(client: Any) -> None:
    html = page(client, "/articles/billing/refunds?lang=es")
    assert notes(html) == ["Leer este artículo en español"]
    assert '<a href="/articles/es/billing/refunds" hreflang="es">' in html
    assert notes(page(client, "/articles/es/billing/refunds?lang=en")) == ["Read this article in English"]


def result_links(html: str) -> list[tuple[str, str]]:
    """(slug, language badge) of each search result."""
    found = re.findall(r'<h2 class="result__title"><a href="/articles/([^"?]+)[^"]*">.*?</h2>\s*'
                       r'<p class="result__snippet">.*?</p>\s*<p class="meta">(.*?)</p>', html, re.S)
    return [(slug, " ".join(re.findall(r'class="badge">([^<]+)<', meta))) for slug, meta in found]


def test_search_in_a_language_with_few_articles(client: Any) -> None:
    """Spanish readers get English results marked as English, and the Spanish version of an
    English hit that has one; the agent-only Spanish translation stays out of sight."""
    html = page(client, "/search?q=refund&lang=es")
    assert result_links(html) == [("es/billing/refunds", ""), ("billing/invoices", "English")]
    assert ("Algunos de estos artículos aún no están disponibles en español: se muestran en su idioma "
            "original") in html
    assert "Borrador interno" not in html and "/articles/es/billing/invoices" not in html
    english = page(client, "/search?q=refund&lang=en")
    assert result_links(english) == [("billing/refunds", ""), ("billing/invoices", "")]
    assert "no están disponibles" not in english and "not yet available" not in english


def test_instant_search_offers_the_readers_translation(client: Any) -> None:
    spanish = client.get("/search.json?q=refu&lang=es").get_json()["results"]
    assert [(r["title"], r["lang"], r["url"].split("?")[0]) for r in spanish] == [
        ("¿Cómo obtengo un reembolso?", "es", "/articles/es/billing/refunds")]
    english = client.get("/search.json?q=refu&lang=en").get_json()["results"]
    assert [(r["title"], r["lang"], r["lang_label"]) for r in english] == [
        ("How do I get a refund?", "en", "")]
    invoice = client.get("/search.json?q=invo&lang=es").get_json()["results"]
    assert [(r["title"], r["lang_label"]) for r in invoice] == [("Understanding your invoice", "English")]


def test_api_results_say_their_language(client: Any) -> None:
    found = {(h["slug"], h["lang"]) for q in ("refund", "reembolso")
             for h in client.get(f"/api/v1/search?q={q}").get_json()["results"]}
    assert {("billing/refunds", "en"), ("es/billing/refunds", "es")} <= found
