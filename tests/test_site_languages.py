"""The customer help centre in other languages (web/customer/, web/shared/i18n.py) through
Flask's test client: the switcher, cookie and Accept-Language, translated pages and fallbacks."""
from __future__ import annotations

from typing import Any

from tests.site_support import text


def test_spanish_by_switcher_cookie_and_accept_language(app: Any, client: Any) -> None:
    switched = client.get("/?lang=es")
    assert '<html lang="es">' in text(switched) and "¿En qué podemos ayudarle?" in text(switched)
    assert "lang=es" in switched.headers["Set-Cookie"]
    assert '<html lang="es">' in text(client.get("/browse/billing"))  # remembered by the cookie
    fresh = app.test_client()
    assert '<html lang="es">' in text(fresh.get("/", headers={"Accept-Language": "es-ES,es;q=0.9"}))
    assert '<html lang="en">' in text(fresh.get("/", headers={"Accept-Language": "fr, de;q=0.5"}))


def test_unknown_language_falls_back_to_english(client: Any) -> None:
    response = client.get("/?lang=xx")
    assert response.status_code == 200 and '<html lang="en">' in text(response)
    assert "Set-Cookie" not in response.headers
    client.set_cookie("lang", "<script>")
    assert '<html lang="en">' in text(client.get("/"))


def test_spanish_browse_prefers_translations_and_falls_back_to_english(client: Any) -> None:
    body = text(client.get("/browse/billing?lang=es"))
    assert "¿Cómo obtengo un reembolso?" in body and "How do I get a refund?" not in body
    assert "Understanding your invoice" in body  # no Spanish version: English shown
    assert "Facturación" in body


def test_spanish_search_includes_english_fallback(client: Any) -> None:
    body = text(client.get("/search?q=reembolso&lang=es"))
    assert "¿Cómo obtengo un reembolso?" in body and "Resultados para «reembolso»" in body
    english = text(client.get("/search?q=wifi&lang=es"))
    assert "My Wi-Fi keeps dropping" in english and '<span class="badge">English</span>' in english


def test_english_search_falls_back_to_all_languages(client: Any) -> None:
    body = text(client.get("/search?q=reembolso"))
    assert "¿Cómo obtengo un reembolso?" in body
    assert "showing all languages" in body


def test_related_articles_follow_the_interface_language(client: Any) -> None:
    body = text(client.get("/articles/billing/invoice-explained?lang=es"))
    related = body.split('id="related-title"')[1].split("</nav>")[0]
    assert 'href="/articles/es/billing/refund-policy"' in related
    assert 'href="/articles/billing/refund-policy"' not in related


def test_article_in_another_language_is_marked(client: Any) -> None:
    body = text(client.get("/articles/es/billing/refund-policy"))
    assert '<article class="article" lang="es"' in body
    assert 'hreflang="en" href="/articles/billing/refund-policy"' in body
